/* test_error_place.c - mg_error's structured place (file, line, column, byte
 * offset) for CSV errors, checked against the inputs' hand-counted bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

static mg_status read_csv(const char *text, mg_error *err) {
    mg_table *t = NULL;
    mg_read_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    mg_status st = mg_csv_read_buffer(text, strlen(text), "t.csv", &o, &t, err);
    mg_table_free(t);
    return st;
}

static void stray_quote_has_line_column_offset(void **state) {
    (void)state;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(err.place.offset, -1);
    /* "a,b\n1,2\n3,x\"y\n": the '"' is byte 11 (0-based), line 3, field 2 */
    assert_int_equal(read_csv("a,b\n1,2\n3,x\"y\n", &err), MG_ERR_FORMAT);
    assert_string_equal(err.place.source, "t.csv");
    assert_int_equal(err.place.line, 3);
    assert_int_equal(err.place.column, 2);
    assert_int_equal(err.place.offset, 11);
    assert_non_null(strstr(err.text, "t.csv:3:2"));
}

static void forced_type_and_ragged_row(void **state) {
    (void)state;
    mg_error err;
    mg_table *t = NULL;
    mg_type_override ov = {"b", MG_TYPE_I64};
    mg_read_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.overrides = &ov;
    o.noverrides = 1;
    /* "a,b\n1,2\n3,4.5\n": '4.5' starts at byte 10, line 3, field 2 */
    const char *text = "a,b\n1,2\n3,4.5\n";
    assert_int_equal(mg_csv_read_buffer(text, strlen(text), "t.csv", &o, &t, &err), MG_ERR_DATA);
    assert_int_equal(err.place.line, 3);
    assert_int_equal(err.place.column, 2);
    assert_int_equal(err.place.offset, 10);
    mg_table_free(t);

    /* a short row: line 2, reported at the missing field 2, no offset */
    assert_int_equal(read_csv("a,b\n1\n", &err), MG_ERR_FORMAT);
    assert_string_equal(err.place.source, "t.csv");
    assert_int_equal(err.place.line, 2);
    assert_int_equal(err.place.column, 2);
    assert_int_equal(err.place.offset, -1);
}

static void an_error_without_a_place_clears_it(void **state) {
    (void)state;
    mg_error err;
    assert_int_equal(read_csv("a,b\n1,2\n3,x\"y\n", &err), MG_ERR_FORMAT);
    assert_int_equal(err.place.line, 3);
    mg__fail(&err, MG_ERR_USAGE, "no place");
    assert_string_equal(err.place.source, "");
    assert_int_equal(err.place.line, 0);
    assert_int_equal(err.place.column, 0);
    assert_int_equal(err.place.offset, -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stray_quote_has_line_column_offset),
        cmocka_unit_test(forced_type_and_ragged_row),
        cmocka_unit_test(an_error_without_a_place_clears_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
