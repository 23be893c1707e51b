/* test_util.c - number parsing/printing, sha256, buffers, parallel-for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "internal.h"

static void parse_double_exact(void **state) {
    (void)state;
    const char *cases[] = {"0.1",
                           "1e-300",
                           "2.2250738585072014e-308",
                           "4.9e-324",
                           "1.7976931348623157e308",
                           "123456789012345678901234567890",
                           "-0.000001234",
                           "3.141592653589793",
                           "9007199254740993",
                           ".5",
                           "5."};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got;
        assert_int_equal(mg_parse_double(cases[i], strlen(cases[i]), &got), 0);
        assert_true(got == strtod(cases[i], NULL));
    }
    double v;
    assert_int_equal(mg_parse_double("1,5", 3, &v), -1);
    assert_int_equal(mg_parse_double("", 0, &v), -1);
    assert_int_equal(mg_parse_double("1e", 2, &v), -1);
    assert_int_equal(mg_parse_double("-", 1, &v), -1);
    assert_int_equal(mg_parse_double(".", 1, &v), -1);
    assert_int_equal(mg_parse_double("NaN", 3, &v), 0);
    assert_true(isnan(v));
    assert_int_equal(mg_parse_double("-inf", 4, &v), 0);
    assert_true(isinf(v) && v < 0);
}

static void format_double_roundtrip(void **state) {
    (void)state;
    char buf[40];
    mg_format_double(0.1, buf, sizeof buf);
    assert_string_equal(buf, "0.1");
    mg_format_double(1.0 / 3.0, buf, sizeof buf);
    assert_string_equal(buf, "0.3333333333333333");
    mg_format_double(0.91, buf, sizeof buf);
    assert_string_equal(buf, "0.91");
    mg_format_double(1e-5, buf, sizeof buf);
    assert_string_equal(buf, "1e-05");
    mg_format_double(20000, buf, sizeof buf);
    assert_string_equal(buf, "20000");
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d))
            continue;
        int n = mg_format_double(d, buf, sizeof buf);
        double back;
        assert_int_equal(mg_parse_double(buf, (size_t)n, &back), 0);
        assert_true(back == d);
    }
}

static void parse_int64(void **state) {
    (void)state;
    int64_t v;
    assert_int_equal(mg_parse_int64("9223372036854775807", 19, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(mg_parse_int64("-9223372036854775808", 20, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(mg_parse_int64("9223372036854775808", 19, &v), -1);
    assert_int_equal(mg_parse_int64("12a", 3, &v), -1);
    assert_int_equal(mg_parse_int64("+", 1, &v), -1);
}

static void sha256_known(void **state) {
    (void)state;
    char hex[65];
    mg__sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    mg__sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char million[1000];
    memset(million, 'a', sizeof million);
    mg__sha256_hex(million, sizeof million, hex);
    assert_string_equal(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

static void buf_grows(void **state) {
    (void)state;
    mg__buf b = {0};
    for (int i = 0; i < 1000; i++)
        mg__buf_printf(&b, "%d,", i);
    assert_int_equal(b.len, 3890);
    char *s = mg__buf_detach(&b);
    assert_memory_equal(s, "0,1,2,", 6);
    free(s);
}

static mg_status square(void *ctx, int i) {
    long *out = ctx;
    out[i] = (long)i * i;
    return i == 77 ? MG_ERR_DATA : MG_OK;
}

static void parallel_for_runs_all(void **state) {
    (void)state;
    long out[200];
    memset(out, 0, sizeof out);
    assert_int_equal(mg__parallel_for(200, 4, square, out), MG_ERR_DATA);
    for (int i = 0; i < 200; i++)
        assert_int_equal(out[i], (long)i * i);
}

static void error_is_one_line(void **state) {
    (void)state;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg__fail(&err, MG_ERR_DATA, "a\nb\rc %d", 5), MG_ERR_DATA);
    assert_string_equal(err.text, "a b c 5");
    assert_int_equal(err.status, MG_ERR_DATA);
    assert_string_equal(mg_strerror(MG_ERR_IO), "input/output error");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_double_exact), cmocka_unit_test(format_double_roundtrip),
        cmocka_unit_test(parse_int64),        cmocka_unit_test(sha256_known),
        cmocka_unit_test(buf_grows),          cmocka_unit_test(parallel_for_runs_all),
        cmocka_unit_test(error_is_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
