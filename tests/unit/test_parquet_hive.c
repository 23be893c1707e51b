/* test_parquet_hive.c - Hive partition folders through the library: a type
 * override on a partition key, a key also present in the part files, and a
 * folder that is not key=value. Values are DuckDB's reading of
 * tests/data/parquet/hive (tests/data/parquet/hive.json): 24 rows of
 * year=2020, 24 of 2021 (all with label 1), 12 in the default partition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define HIVE MG_TEST_DATA "/parquet/hive"

static void key_with_type_override(void **state) {
    (void)state;
    const char *cols[] = {"label", "year"};
    const mg_type_override ov[] = {{"year", MG_TYPE_I64}};
    mg_read_options o = {.columns = cols, .ncolumns = 2, .overrides = ov, .noverrides = 1};
    mg_table *t = NULL;
    mg_error err;
    if (mg_table_read(HIVE, &o, &t, &err) != MG_OK)
        fail_msg("%s", err.text);
    assert_int_equal(t->nrows, 60);
    assert_int_equal(t->ncols, 2);
    const mg_column *y = mg_table_column(t, "year");
    const mg_column *l = mg_table_column(t, "label");
    assert_non_null(y);
    assert_non_null(l);
    assert_int_equal(y->type, MG_TYPE_I64);
    assert_int_equal(y->null_count, 12);
    int n2020 = 0, n2021 = 0, pos2021 = 0;
    for (int64_t i = 0; i < t->nrows; i++) {
        if (mg_column_is_null(y, i))
            continue;
        n2020 += y->i64[i] == 2020;
        n2021 += y->i64[i] == 2021;
        pos2021 += y->i64[i] == 2021 && l->i64[i] == 1;
    }
    assert_int_equal(n2020, 24);
    assert_int_equal(n2021, 24);
    assert_int_equal(pos2021, 24);
    mg_table_free(t);
}

static void escaped_value_is_decoded(void **state) {
    (void)state;
    const char *cols[] = {"region"};
    mg_read_options o = {.columns = cols, .ncolumns = 1};
    mg_table *t = NULL;
    mg_error err;
    assert_int_equal(mg_table_read(HIVE, &o, &t, &err), MG_OK);
    const mg_column *r = mg_table_column(t, "region");
    assert_int_equal(r->type, MG_TYPE_STR);
    assert_int_equal(r->ndict, 3);
    /* Folders in name order: east%2Fwest%20side, north, south. */
    assert_string_equal(mg_column_string(r, 0), "east/west side");
    assert_string_equal(mg_column_string(r, t->nrows - 1), "south");
    mg_table_free(t);
}

static void copy(const char *from, const char *to) {
    mg__file f;
    mg_error err;
    assert_int_equal(mg__file_map(from, &f, &err), MG_OK);
    FILE *o = fopen(to, "wb");
    assert_non_null(o);
    assert_int_equal(fwrite(f.data, 1, f.size, o), f.size);
    fclose(o);
    mg__file_unmap(&f);
}

static void refusals(void **state) {
    (void)state;
    char dir[] = "/tmp/mg_hiveXXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512], q[512];
    /* A key that the part files also hold as a column. */
    snprintf(p, sizeof p, "%s/label=1", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(q, sizeof q, "%s/label=1/part-0.parquet", dir);
    copy(HIVE "/region=north/year=2020/part-0.parquet", q);
    mg_table *t = NULL;
    mg_error err;
    assert_int_equal(mg_table_read(dir, NULL, &t, &err), MG_ERR_DATA);
    assert_null(t);
    assert_non_null(strstr(err.text, "partition key 'label' is also a column"));
    /* Also when only the key is asked for (the part files are read without it). */
    const char *cols[] = {"label"};
    mg_read_options o = {.columns = cols, .ncolumns = 1};
    assert_int_equal(mg_table_read(dir, &o, &t, &err), MG_ERR_DATA);
    assert_null(t);
    assert_non_null(strstr(err.text, "partition key 'label' is also a column"));
    /* A folder that is not key=value, named. */
    snprintf(p, sizeof p, "%s/label=1/extra", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    assert_int_equal(mg_table_read(dir, NULL, &t, &err), MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "folder 'label=1/extra' is not a Hive partition folder"));
    rmdir(p);
    unlink(q);
    snprintf(p, sizeof p, "%s/label=1", dir);
    rmdir(p);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_with_type_override),
        cmocka_unit_test(escaped_value_is_decoded),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
