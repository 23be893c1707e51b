/* test_text.c - the UTF-8 decoder, the U+FFFD sanitiser that JSON output uses
 * and the \xHH escaper of human-readable lines. Expected values are worked
 * out by hand from the Unicode Standard's Table 3-7 (well-formed UTF-8 byte
 * sequences) and its "maximal subpart" practice for U+FFFD (§3.9, Table 3-8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "internal.h"
#include "util/json.h"

#define FFFD "\xEF\xBF\xBD"

static void check_decode(const char *s, size_t len, size_t want_n, bool want_valid) {
    bool valid = !want_valid;
    size_t n = mg__utf8_decode((const unsigned char *)s, len, &valid);
    assert_int_equal(n, want_n);
    assert_int_equal(valid, want_valid);
}

static void decode_lengths(void **state) {
    (void)state;
    check_decode("A", 1, 1, true);
    check_decode("\xC2\x80", 2, 2, true);         /* U+0080, smallest 2-byte */
    check_decode("\xDF\xBF", 2, 2, true);         /* U+07FF */
    check_decode("\xE0\xA0\x80", 3, 3, true);     /* U+0800, smallest 3-byte */
    check_decode("\xE2\x82\xAC", 3, 3, true);     /* U+20AC euro sign */
    check_decode("\xED\x9F\xBF", 3, 3, true);     /* U+D7FF, just below the surrogates */
    check_decode("\xEE\x80\x80", 3, 3, true);     /* U+E000, just above them */
    check_decode("\xF0\x90\x80\x80", 4, 4, true); /* U+10000, smallest 4-byte */
    check_decode("\xF4\x8F\xBF\xBF", 4, 4, true); /* U+10FFFF, the largest */
    /* Overlong forms: the lead alone (C0, C1) or up to the bad byte. */
    check_decode("\xC0\xAF", 2, 1, false);
    check_decode("\xC1\xBF", 2, 1, false);
    check_decode("\xE0\x80\xAF", 3, 1, false);
    check_decode("\xF0\x80\x80\xAF", 4, 1, false);
    /* Surrogates U+D800 and U+DFFF. */
    check_decode("\xED\xA0\x80", 3, 1, false);
    check_decode("\xED\xBF\xBF", 3, 1, false);
    /* Above U+10FFFF, and leads that can never start a character. */
    check_decode("\xF4\x90\x80\x80", 4, 1, false);
    check_decode("\xF5\x80\x80\x80", 4, 1, false);
    check_decode("\xFF", 1, 1, false);
    check_decode("\x80", 1, 1, false);
    /* Truncated: the valid prefix is one maximal subpart. */
    check_decode("\xE2\x82", 2, 2, false);
    check_decode("\xF0\x9F\x98", 3, 3, false);
    check_decode("\xF0\x9F\x98"
                 "A",
                 4, 3, false);
    check_decode("\xE2\x82\xAC", 2, 2, false); /* cut by avail */
    /* A NUL ends a C string: never read past it. */
    check_decode("\xE2\0\xAC", SIZE_MAX, 1, false);
}

static void check_sanitize(const char *in, size_t len, const char *want) {
    mg__buf b = {0};
    mg__utf8_sanitize(&b, in, len);
    mg__buf_append(&b, "", 0);
    assert_false(b.failed);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data ? b.data : "", want, strlen(want));
    mg__buf_release(&b);
}

#define SAN(lit, want) check_sanitize(lit, sizeof lit - 1, want)

static void sanitize_replaces_maximal_subparts(void **state) {
    (void)state;
    SAN("plain ascii", "plain ascii");
    SAN("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    SAN("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF");
    SAN("\xC0\xAF", FFFD FFFD);                   /* overlong '/' */
    SAN("\xE0\x80\xAF", FFFD FFFD FFFD);          /* overlong 3-byte */
    SAN("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD); /* overlong 4-byte */
    SAN("\xED\xA0\x80"
        "x",
        FFFD FFFD FFFD "x");                      /* surrogate U+D800 */
    SAN("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* U+110000 */
    SAN("a\xE2\x82", "a" FFFD);                   /* truncated at the end */
    SAN("a\xF0\x9F\x98"
        "b",
        "a" FFFD "b");                                /* truncated inside */
    SAN("\xE2\x82\xE2\x82\xAC", FFFD "\xE2\x82\xAC"); /* a new lead ends a subpart */
    SAN("grp\xFF\xFE", "grp" FFFD FFFD);
    SAN("\x80\xBF", FFFD FFFD); /* stray continuations */
    /* Table 3-8 of the Unicode Standard: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
    SAN("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
        "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
    /* Control bytes are valid UTF-8 (JSON escapes them itself). */
    SAN("\x1b\n", "\x1b\n");
}

static void check_escape(const char *in, size_t len, const char *want) {
    mg__buf b = {0};
    mg__text_escape(&b, in, len);
    assert_false(b.failed);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data ? b.data : "", want, strlen(want));
    mg__buf_release(&b);
}

#define ESC(lit, want) check_escape(lit, sizeof lit - 1, want)

static void escape_controls_and_invalid_bytes(void **state) {
    (void)state;
    ESC("plain", "plain");
    ESC("\n::error::x", "\\x0a::error::x");
    ESC("a\x1b[31mred\x1b[0m", "a\\x1b[31mred\\x1b[0m");
    ESC("\r\t\x01\x1f\x7f", "\\x0d\\x09\\x01\\x1f\\x7f");
    ESC("a\0b", "a\\x00b");
    ESC("\xC2\x9B"
        "2J",
        "\\xc2\\x9b2J");                         /* U+009B, the 8-bit CSI */
    ESC("\xC2\x85", "\\xc2\\x85");               /* U+0085 NEL */
    ESC("\xC2\xA0\xC3\xA9", "\xC2\xA0\xC3\xA9"); /* U+00A0 and é are printable */
    ESC("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF");
    ESC("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80");
    ESC("\xFF\xFE", "\\xff\\xfe");
    ESC("\xC0\xAF", "\\xc0\\xaf");
    ESC("\xED\xA0\x80", "\\xed\\xa0\\x80");
    ESC("\xF4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
    ESC("x\xE2\x82", "x\\xe2\\x82");
    ESC("back\\slash", "back\\slash");
}

static void json_strings_are_valid_utf8(void **state) {
    (void)state;
    mg__json j;
    memset(&j, 0, sizeof j);
    mg__json_begin_object(&j);
    mg__json_kv_string(&j, "k\xFF", "v\xC0\xAF\x1b\xE2\x82\xAC\xF4\x8F\xBF\xBF\xED\xA0\x80");
    mg__json_end_object(&j);
    size_t len;
    char *s = mg__json_finish(&j, &len);
    assert_non_null(s);
    const char *want = "{\n  \"k" FFFD "\": \"v" FFFD FFFD
                       "\\u001b\xE2\x82\xAC\xF4\x8F\xBF\xBF" FFFD FFFD FFFD "\"\n}\n";
    assert_string_equal(s, want);
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_lengths),
        cmocka_unit_test(sanitize_replaces_maximal_subparts),
        cmocka_unit_test(escape_controls_and_invalid_bytes),
        cmocka_unit_test(json_strings_are_valid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
