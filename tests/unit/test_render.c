/* test_render.c - the report writers' library surface (render.h): format
 * names, defaults, the one number format, errors naming the file, line and
 * column, the size cap, and allocation failure at every allocation of every
 * format on the example results folder (tests/data/results/example): each
 * failing run returns MG_ERR_NOMEM with a message and nothing half-made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "modelgate/render.h"
#include "report/render_internal.h"

static char *slurp(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/results/example/%s", MG_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = test_malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

typedef struct example {
    char *gate, *metrics, *fairness, *latency, *comparison;
    mg_report_inputs in;
} example;

static void example_load(example *e) {
    memset(e, 0, sizeof *e);
    e->gate = slurp("gate.json");
    e->metrics = slurp("metrics.json");
    e->fairness = slurp("fairness.json");
    e->latency = slurp("latency.json");
    e->comparison = slurp("comparison.json");
    e->in.gate_json = e->gate;
    e->in.metrics_json = e->metrics;
    e->in.fairness_json = e->fairness;
    e->in.latency_json = e->latency;
    e->in.comparison_json = e->comparison;
}

static void example_free(example *e) {
    test_free(e->gate);
    test_free(e->metrics);
    test_free(e->fairness);
    test_free(e->latency);
    test_free(e->comparison);
}

static void format_names(void **state) {
    (void)state;
    static const struct {
        const char *name;
        mg_report_format f;
    } all[] = {{"markdown", MG_REPORT_MARKDOWN},
               {"html", MG_REPORT_HTML},
               {"junit", MG_REPORT_JUNIT},
               {"model-card", MG_REPORT_MODEL_CARD},
               {"github", MG_REPORT_GITHUB}};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        mg_report_format f = (mg_report_format)-1;
        assert_int_equal(mg_report_format_parse(all[i].name, &f), 0);
        assert_int_equal(f, all[i].f);
    }
    mg_report_format f = MG_REPORT_HTML;
    assert_int_equal(mg_report_format_parse("pdf", &f), -1);
    assert_int_equal(mg_report_format_parse("Markdown", &f), -1);
    assert_int_equal(mg_report_format_parse(NULL, &f), -1);
    assert_int_equal(f, MG_REPORT_HTML);
    mg_report_options o;
    memset(&o, 0xff, sizeof o);
    mg_report_options_init(&o);
    assert_null(o.marker_id);
    assert_int_equal(o.max_markdown, 65000);
    assert_int_equal(o.max_annotations, 10);
}

static void numbers(void **state) {
    (void)state;
    char b[MG__REPORT_NUMBER_CAP];
    assert_string_equal(mg__report_number(0.8645, b, sizeof b), "0.8645");
    assert_string_equal(mg__report_number(0.86449999, b, sizeof b), "0.8645");
    assert_string_equal(mg__report_number(2000, b, sizeof b), "2000");
    assert_string_equal(mg__report_number(-0.0, b, sizeof b), "0");
    assert_string_equal(mg__report_number(35231.45125, b, sizeof b), "35231.5");
    assert_string_equal(mg__report_number(-0.010000000000000009, b, sizeof b), "-0.01");
    assert_string_equal(mg__report_number(1.25e-7, b, sizeof b), "1.25e-07");
    assert_string_equal(mg__report_number(0.0001234, b, sizeof b), "0.0001234");
    assert_string_equal(mg__report_number(1e300, b, sizeof b), "1e+300");
    assert_string_equal(mg__report_number(-2.5e16, b, sizeof b), "-2.5e+16");
    assert_string_equal(mg__report_number(NAN, b, sizeof b), "n/a");
    assert_string_equal(mg__report_number(-INFINITY, b, sizeof b), "n/a");
    assert_string_equal(mg__report_verdict_emoji("inconclusive"), "\xE2\x9A\xA0\xEF\xB8\x8F");
    assert_string_equal(mg__report_op_symbol("<="), "\xE2\x89\xA4");
    assert_string_equal(mg__report_op_symbol("=="), "");
}

static void errors(void **state) {
    (void)state;
    mg_error err;
    char *out = NULL;
    size_t len = 1;
    mg_report_inputs in;
    memset(&in, 0, sizeof in);
    mg_error_clear(&err);
    assert_int_equal(mg_report_render(MG_REPORT_MARKDOWN, &in, NULL, &out, &len, &err),
                     MG_ERR_USAGE);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err.text, "gate.json is required"));

    in.gate_json = "{\n  \"verdict\": \"pass\",\n  \"gates\": [}\n";
    in.gate_name = "results/gate.json";
    mg_error_clear(&err);
    assert_int_equal(mg_report_render(MG_REPORT_JUNIT, &in, NULL, &out, &len, &err),
                     MG_ERR_DATA);
    assert_non_null(strstr(err.text, "results/gate.json:3:"));
    assert_string_equal(err.place.source, "results/gate.json");
    assert_int_equal(err.place.line, 3);
    assert_true(err.place.column > 0);

    in.gate_json = "{\"verdict\": \"pass\", \"gates\": [{\"name\": \"a\", \"verdict\": \"pass\", "
                   "\"op\": \"!=\"}]}";
    mg_error_clear(&err);
    assert_int_equal(mg_report_render(MG_REPORT_GITHUB, &in, NULL, &out, &len, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "results/gate.json: gates[0].op: expected \">=\" or \"<=\"");

    /* a 64-bit seed is a number, not an error */
    in.gate_json = "{\"verdict\": \"pass\", \"gates\": [], \"provenance\": {\"seed\": "
                   "18446744073709551615}}";
    mg_error_clear(&err);
    assert_int_equal(mg_report_render(MG_REPORT_MARKDOWN, &in, NULL, &out, &len, &err), MG_OK);
    assert_non_null(strstr(out, "- Seed: 1.845e+19\n"));
    free(out);
    out = NULL;

    in.gate_json = "{\"verdict\": \"pass\", \"gates\": []}";
    in.fairness_json = "[]";
    mg_error_clear(&err);
    assert_int_equal(mg_report_render(MG_REPORT_MODEL_CARD, &in, NULL, &out, &len, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "fairness.json: expected a JSON object at the top level");
    assert_null(out);
}

static size_t count_of(const char *s, const char *what) {
    size_t n = 0;
    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

/* Every cap from MG_REPORT_MARKDOWN_MIN up keeps the floor (the marker, the
 * title with the verdict, the count of gates, and the gates table or the
 * line saying how many of its rows were cut) and closes every <details>;
 * a smaller cap and a malformed marker ID are refused. */
static void size_cap(void **state) {
    (void)state;
    example e;
    example_load(&e);
    mg_report_options o;
    mg_report_options_init(&o);
    static const size_t caps[] = {100000, 12000, 6000, 3000, 2000, 1500, 1200, 1100,
                                  MG_REPORT_MARKDOWN_MIN};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        o.max_markdown = caps[i];
        char *out = NULL;
        size_t len = 0;
        mg_error err;
        mg_error_clear(&err);
        assert_int_equal(mg_report_render(MG_REPORT_MARKDOWN, &e.in, &o, &out, &len, &err),
                         MG_OK);
        assert_true(len <= caps[i]);
        assert_int_equal(strlen(out), len);
        assert_memory_equal(out, "<!-- modelgate:gate -->\n", 24);
        assert_non_null(strstr(out, "\n## \xE2\x9D\x8C modelgate: **fail**\n"));
        assert_non_null(strstr(out, "\n8 gates: 5 passed, 1 failed, 1 inconclusive, 1 skipped."));
        assert_true(strstr(out, "| Metric | Value | Threshold | Status |") != NULL ||
                    strstr(out, " gates not shown; see gate.json\n") != NULL);
        /* the failed gate's row is the last one cut */
        assert_non_null(strstr(out, "| demographic\\_parity\\_ratio (age\\_group) | 0.6015 |"));
        assert_int_equal(count_of(out, "<details>"), count_of(out, "</details>"));
        assert_int_equal(out[len - 1], '\n');
        bool valid = true;
        for (size_t k = 0; k < len;) {
            bool ok;
            k += mg__utf8_decode((const unsigned char *)out + k, len - k, &ok);
            valid &= ok;
        }
        assert_true(valid);
        free(out);
    }
    static const size_t small[] = {MG_REPORT_MARKDOWN_MIN - 1, 200, 10, 1};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        o.max_markdown = small[i];
        char *out = NULL;
        mg_error err;
        mg_error_clear(&err);
        assert_int_equal(mg_report_render(MG_REPORT_MARKDOWN, &e.in, &o, &out, NULL, &err),
                         MG_ERR_USAGE);
        assert_null(out);
    }
    mg_report_options_init(&o);
    static const char *const bad_ids[] = {"", "a b", "x-->", "a:b", "a/b"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        o.marker_id = bad_ids[i];
        char *out = NULL;
        mg_error err;
        mg_error_clear(&err);
        assert_int_equal(mg_report_render(MG_REPORT_MARKDOWN, &e.in, &o, &out, NULL, &err),
                         MG_ERR_USAGE);
        assert_null(out);
    }
    example_free(&e);
}

/* ---- allocation failure --------------------------------------------------- */

typedef struct op {
    example *e;
    int format; /* an mg_report_format, or -1 for the GitHub outputs */
} op;

static mg_status run_op(const op *p, mg_error *err) {
    char *out = NULL;
    size_t len = 0;
    mg_status st;
    if (p->format < 0)
        st = mg_report_github_outputs(&p->e->in, "report.md", "a\nb/gate.json", 7, &out, &len,
                                      err);
    else
        st = mg_report_render((mg_report_format)p->format, &p->e->in, NULL, &out, &len, err);
    if (st == MG_OK) {
        assert_non_null(out);
        assert_int_equal(strlen(out), len);
    } else {
        assert_null(out);
    }
    free(out);
    return st;
}

static void torture(const char *what, const op *p) {
    mg_error err;
    mg_error_clear(&err);
    if (run_op(p, &err) != MG_OK)
        fail_msg("%s: fails without injected failures: %s", what, err.text);
    for (long n = 1;; n++) {
        mg_error_clear(&err);
        mg__alloc_fail_at(n);
        mg_status st = run_op(p, &err);
        long calls = mg__alloc_calls();
        mg__alloc_fail_at(0);
        if (calls < n) {
            if (st != MG_OK)
                fail_msg("%s: N=%ld: status %d without an injected failure", what, n, st);
            return;
        }
        if (st != MG_ERR_NOMEM)
            fail_msg("%s: allocation %ld failed, yet status %d", what, n, st);
        if (err.text[0] == '\0')
            fail_msg("%s: allocation %ld failed without a message", what, n);
        if (n > 100000)
            fail_msg("%s: more than 100000 allocations", what);
    }
}

static void alloc_failure(void **state) {
    (void)state;
    example e;
    example_load(&e);
    static const struct {
        const char *what;
        int format;
    } all[] = {{"markdown", MG_REPORT_MARKDOWN},     {"html", MG_REPORT_HTML},
               {"junit", MG_REPORT_JUNIT},           {"github", MG_REPORT_GITHUB},
               {"model-card", MG_REPORT_MODEL_CARD}, {"github outputs", -1}};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        op p = {&e, all[i].format};
        torture(all[i].what, &p);
    }
    example_free(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_names), cmocka_unit_test(numbers), cmocka_unit_test(errors),
        cmocka_unit_test(size_cap), cmocka_unit_test(alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
