/* test_report_html.c - report.html's renderer (lib/report/html.c, svg.c)
 * without a browser: the escaping of data text, the short numbers, the
 * refusals with their places, and allocation failure at every point. The
 * browser checks are tests/e2e/test_report_html.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "report/html_internal.h"
#include "report/svg.h"

static char *escaped(const char *s, size_t len) {
    mg__buf b = {0};
    mg__svg_escape(&b, s, len);
    mg__buf_puts(&b, "");
    return mg__buf_detach(&b);
}

static void test_escape(void **state) {
    (void)state;
    /* markup and quotes; C0 (NUL included), DEL and C1 controls and invalid
     * bytes become U+FFFD (one per maximal ill-formed subpart); tab, newline,
     * valid multibyte text stay. */
    static const char in[] = "a<b>&\"'\x01\x7f\xc2\x85\xff\xe2\x82|\t\n\xc3\xa9\x00z";
    char *out = escaped(in, sizeof in - 1);
    assert_string_equal(out, "a&lt;b&gt;&amp;&quot;&#39;\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                             "\xEF\xBF\xBD\xEF\xBF\xBD|\t\n\xc3\xa9\xEF\xBF\xBDz");
    free(out);
}

static char *shortened(double v) {
    mg__buf b = {0};
    mg__svg_short(&b, v, 4);
    return mg__buf_detach(&b);
}

static void test_short_numbers(void **state) {
    (void)state;
    const struct {
        double v;
        const char *want;
    } cases[] = {{0.916239539748954, "0.9162"}, {15994.083468643277, "15990"},
                 {-0.010000000000000009, "-0.01"}, {1.23456e-05, "1.235e-05"},
                 {0, "0"}, {1, "1"}, {0.8745, "0.8745"}, {NAN, "n/a"}};
    for (size_t i = 0; i < MG_ARRAY_LEN(cases); i++) {
        char *s = shortened(cases[i].v);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

static const char gate_ok[] =
    "{\"verdict\": \"fail\", \"counts\": {\"pass\": 0, \"fail\": 1},\n"
    " \"gates\": [{\"name\": \"acc <script>\", \"kind\": \"metric\", \"op\": \">=\",\n"
    "   \"threshold\": 0.9, \"value\": null, \"value_reason\": \"bad \xff byte\",\n"
    "   \"verdict\": \"fail\", \"reason\": \"x & y\"}]}";

static const char fairness_nul[] =
    "{\"threshold\": 0.8, \"overall\": {\"selection_rate\": 0.5},\n"
    " \"demographic_parity\": {\"g\": {\"ratio\": 0.9, \"groups\": [\n"
    "   {\"value\": \"a\\u0000b\", \"n\": 5, \"selection_rate\": 0.5},\n"
    "   {\"value\": null, \"n\": 6, \"selection_rate\": 0.25},\n"
    "   {\"value\": [\"x\", null], \"n\": 7, \"selection_rate\": 0.75}]}}}";

static void test_render_escapes(void **state) {
    (void)state;
    mg_report_inputs in = {.gate_json = gate_ok, .fairness_json = fairness_nul};
    char *out = NULL;
    size_t len = 0;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg__report_html(&in, NULL, &out, &len, &err), MG_OK);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    assert_null(strstr(out, "<script"));
    assert_null(strstr(out, "http:"));
    assert_null(strstr(out, "https:"));
    assert_non_null(strstr(out, "acc &lt;script&gt;"));
    assert_non_null(strstr(out, "bad \xEF\xBF\xBD byte"));
    assert_non_null(strstr(out, "x &amp; y"));
    /* a NUL inside a group name is shown, not a place where the name ends */
    assert_non_null(strstr(out, "<td class=\"group\">a\xEF\xBF\xBD" "b</td>"));
    assert_non_null(strstr(out, "<td class=\"group\"><em class=\"missing\">missing</em></td>"));
    assert_non_null(strstr(out, "x &#215; <em class=\"missing\">missing</em>"));
    /* in the chart, no <em> (it would close the <svg>) */
    assert_non_null(strstr(out, "<tspan class=\"missing\" font-style=\"italic\">missing</tspan>"));
    assert_non_null(strstr(out, "data-group=\"[&quot;x&quot;,null]\" data-value=\"0.75\""));
    assert_non_null(strstr(out, "data-band-low=\"0.4\" data-band-high=\"0.625\""));
    /* absent keys: notes, not empty charts */
    assert_non_null(strstr(out, "No metrics.json in these results."));
    free(out);
}

static void test_refusals(void **state) {
    (void)state;
    char *out = (char *)1;
    mg_error err;
    mg_report_inputs none = {0};
    assert_int_equal(mg__report_html(&none, NULL, &out, NULL, &err), MG_ERR_DATA);
    assert_null(out);
    assert_string_equal(err.text, "gate.json: missing (every report is made from gate.json)");

    mg_report_inputs bad = {.gate_json = gate_ok,
                            .latency_json = "{\"p50_ms\": 1,\n\"p99_ms\": ]}",
                            .latency_name = "out/latency.json"};
    assert_int_equal(mg__report_html(&bad, NULL, &out, NULL, &err), MG_ERR_DATA);
    assert_null(out);
    assert_non_null(strstr(err.text, "out/latency.json:2:11: not JSON"));
    assert_string_equal(err.place.source, "out/latency.json");
    assert_int_equal(err.place.line, 2);
    assert_int_equal(err.place.column, 11);

    mg_report_inputs arr = {.gate_json = "[1]"};
    assert_int_equal(mg__report_html(&arr, NULL, &out, NULL, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "gate.json: not a JSON object");
    mg_report_inputs nov = {.gate_json = "{\"gates\": []}"};
    assert_int_equal(mg__report_html(&nov, NULL, &out, NULL, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "gate.json: key \"verdict\" is missing or not a string");
}

/* Allocation failure at every point: an error with a message or success,
 * never a crash or a half document (LeakSanitizer checks the leaks). */
static void test_alloc_failure(void **state) {
    (void)state;
    mg_report_inputs in = {.gate_json = gate_ok, .fairness_json = fairness_nul};
    for (long n = 1;; n++) {
        char *out = NULL;
        mg_error err;
        mg_error_clear(&err);
        mg__alloc_fail_at(n);
        mg_status st = mg__report_html(&in, NULL, &out, NULL, &err);
        long calls = mg__alloc_calls();
        mg__alloc_fail_at(0);
        if (st == MG_OK) {
            assert_non_null(out);
            free(out);
            if (calls < n)
                break;
            continue;
        }
        assert_int_equal(st, MG_ERR_NOMEM);
        assert_null(out);
        assert_true(err.text[0] != '\0');
        assert_true(n < 100000);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),         cmocka_unit_test(test_short_numbers),
        cmocka_unit_test(test_render_escapes), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
