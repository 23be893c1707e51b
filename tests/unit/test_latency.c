/* test_latency.c - the timing harness's bookkeeping with a recording backend
 * (no timings asserted): warm-up and timed call counts, the seeded shuffle
 * cycling over every row, batches, ABAB interleaving with a baseline, errors
 * passed through; the gate decisions on hand-made samples; latency.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "internal.h"
#include "model/backend.h"
#include "modelgate/latency.h"
#include "modelgate/report.h"

/* latency.json of r, or NULL; caller frees. */
static char *latency_json_text(const mg_latency_report *r, size_t *len) {
    char *out = NULL;
    mg_error err;
    if (mg_latency_json(r, &out, len, &err) != MG_OK)
        return NULL;
    return out;
}

#define MAX_CALLS 4096

/* Records which model ran each call and the first feature of each row it got. */
typedef struct recorder {
    int calls;
    int who[MAX_CALLS];
    double first[MAX_CALLS];
    int64_t nrows[MAX_CALLS];
    int fail_at; /* 1-based call that fails; 0 = never */
    /* 0: no compute time; 1: call i (0-based) reports i microseconds; 2: the
     * same, except the call numbered skip_compute */
    int report_compute;
    int skip_compute;
} recorder;

static recorder rec;

static mg_status rec_predict(mg_model *m, const double *rows, int64_t nrows, int nf, double *out,
                             mg_error *err) {
    if (rec.fail_at > 0 && rec.calls + 1 == rec.fail_at)
        return mg__fail(err, MG_ERR_MODEL, "model %s: refused row %g", m->arg, rows[0]);
    if (rec.calls < MAX_CALLS) {
        rec.who[rec.calls] = m->arg[0] == 'A' ? 0 : 1;
        rec.first[rec.calls] = rows[0];
        rec.nrows[rec.calls] = nrows;
    }
    if (rec.report_compute > 0 && !(rec.report_compute == 2 && rec.calls == rec.skip_compute))
        m->last_compute_s = rec.calls * 1e-6;
    rec.calls++;
    for (int64_t r = 0; r < nrows; r++)
        out[r] = rows[r * nf];
    return MG_OK;
}

static const mg__backend rec_backend = {.name = "recorder", .batch_size = 1, .predict = rec_predict};

static mg_model *rec_model(const char *name) {
    mg_model *m = mg__model_new(&rec_backend, name, NULL);
    m->info.noutputs = 1;
    m->info.nfeatures = 2;
    return m;
}

/* 10 rows whose first feature is the row index. */
static double rows10[20];

static int setup(void **state) {
    (void)state;
    memset(&rec, 0, sizeof rec);
    for (int i = 0; i < 10; i++) {
        rows10[2 * i] = i;
        rows10[2 * i + 1] = -i;
    }
    return 0;
}

static void counts_and_shuffle(void **state) {
    (void)state;
    mg_model *m = rec_model("A");
    mg_latency_options o = {0};
    o.samples = 95;
    o.warmup = -1; /* default: 10% of 95 is 9, raised to 10 */
    o.seed = 7;
    mg_latency_run run;
    mg_error err;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err), MG_OK);
    assert_int_equal(run.warmup, 10);
    assert_int_equal(run.n, 95);
    assert_int_equal(rec.calls, 105);
    /* every block of 10 consecutive calls is one pass over a permutation of the rows */
    for (int pass = 0; pass < 10; pass++) {
        int seen[10] = {0};
        for (int i = 0; i < 10; i++)
            seen[(int)rec.first[pass * 10 + i]]++;
        for (int i = 0; i < 10; i++)
            assert_int_equal(seen[i], 1);
    }
    /* and the same permutation every pass; not the identity */
    bool identity = true;
    for (int i = 0; i < 10; i++) {
        assert_true(rec.first[i] == rec.first[i + 10]);
        identity = identity && rec.first[i] == i;
    }
    assert_false(identity);
    assert_int_equal(run.nwindows, 5);
    for (int64_t i = 1; i < run.n; i++)
        assert_true(run.sorted_ms[i - 1] <= run.sorted_ms[i]);
    assert_true(run.summary.min_ms == run.sorted_ms[0]);
    assert_true(run.first_call_ms >= 0);
    /* the same seed gives the same order */
    double first_order[10];
    memcpy(first_order, rec.first, sizeof first_order);
    mg_latency_run_release(&run);
    rec.calls = 0;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err), MG_OK);
    assert_memory_equal(first_order, rec.first, sizeof first_order);
    mg_latency_run_release(&run);
    mg_model_free(m);
}

static void batches(void **state) {
    (void)state;
    mg_model *m = rec_model("A");
    mg_latency_options o = {0};
    o.samples = 20;
    o.warmup = 0;
    o.batch_size = 4;
    mg_latency_run run;
    mg_error err;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err), MG_OK);
    assert_int_equal(rec.calls, 20);
    assert_int_equal(rec.nrows[0], 4);
    assert_int_equal(run.warmup, 0);
    assert_int_equal(run.n, 20);
    assert_true(run.first_call_ms == run.samples_ms[0]); /* no warm-up: the first timed call */
    mg_latency_run_release(&run);
    mg_model_free(m);
}

static void interleaved_baseline(void **state) {
    (void)state;
    mg_model *a = rec_model("A"), *b = rec_model("B");
    mg_latency_options o = {0};
    o.samples = 30;
    o.warmup = 3;
    o.baseline_block = 5;
    mg_latency_run ra, rb;
    mg_error err;
    assert_int_equal(mg_latency_measure(a, b, rows10, 10, 2, &o, &ra, &rb, &err), MG_OK);
    assert_int_equal(rec.calls, 66);
    /* warm-up: A three times, then B three times; then blocks of 5: A B A B ... */
    for (int i = 0; i < 6; i++)
        assert_int_equal(rec.who[i], i < 3 ? 0 : 1);
    for (int i = 0; i < 60; i++)
        assert_int_equal(rec.who[6 + i], (i / 5) % 2);
    assert_int_equal(ra.n, 30);
    assert_int_equal(rb.n, 30);
    assert_int_equal(ra.block, 5);
    mg_latency_comparison c;
    assert_int_equal(mg_latency_compare(&ra, &rb, &c, &err), MG_OK);
    assert_true(c.p_value >= 0 && c.p_value <= 1);
    mg_latency_run_release(&ra);
    mg_latency_run_release(&rb);
    mg_model_free(a);
    mg_model_free(b);
}

static void predict_error_passes_through(void **state) {
    (void)state;
    mg_model *m = rec_model("A");
    mg_latency_options o = {0};
    o.samples = 50;
    o.warmup = 5;
    rec.fail_at = 20;
    mg_latency_run run;
    mg_error err;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err),
                     MG_ERR_MODEL);
    assert_non_null(strstr(err.text, "model A: refused row"));
    assert_null(run.samples_ms);
    /* feature count checked before any call */
    rec.fail_at = 0;
    rec.calls = 0;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 5, 4, &o, &run, NULL, &err), MG_ERR_DATA);
    assert_int_equal(rec.calls, 0);
    assert_non_null(strstr(err.text, "expects 2 features but the requests have 4"));
    o.samples = 0;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err),
                     MG_ERR_USAGE);
    mg_model_free(m);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The backend's reported compute times are kept per timed call and split from
 * the round trip; with a call that reports none, there is no split. */
static void compute_split(void **state) {
    (void)state;
    mg_model *m = rec_model("A");
    mg_latency_options o = {0};
    o.samples = 100;
    o.warmup = 5;
    mg_latency_run run;
    mg_error err;
    rec.report_compute = 1;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err), MG_OK);
    assert_non_null(run.compute_ms);
    assert_int_equal(run.compute_reported, 100);
    /* timed call j is call 5 + j: it reported (5 + j) microseconds */
    for (int j = 0; j < 100; j++)
        assert_true(fabs(run.compute_ms[j] - (5 + j) * 1e-3) < 1e-12);
    assert_int_equal(run.compute.n, 100);
    assert_true(fabs(run.compute.p50_ms - 0.054) < 1e-12); /* rank 50 of 0.005 .. 0.104 */
    assert_true(fabs(run.compute.p99_ms - 0.103) < 1e-12); /* rank 99 */
    assert_true(fabs(run.compute.mean_ms - 0.0545) < 1e-12);
    double transport[100];
    for (int j = 0; j < 100; j++)
        transport[j] = run.samples_ms[j] - (5 + j) * 1e-3;
    qsort(transport, 100, sizeof *transport, cmp_double);
    assert_true(fabs(run.transport.p50_ms - transport[49]) < 1e-12);
    assert_true(fabs(run.transport.p99_ms - transport[98]) < 1e-12);
    assert_true(fabs(run.transport.mean_ms - (run.summary.mean_ms - 0.0545)) < 1e-9);
    mg_latency_run_release(&run);
    assert_null(run.compute_ms);

    /* one timed call (the 21st call overall) reports nothing: no split */
    rec.calls = 0;
    rec.report_compute = 2;
    rec.skip_compute = 20;
    assert_int_equal(mg_latency_measure(m, NULL, rows10, 10, 2, &o, &run, NULL, &err), MG_OK);
    assert_null(run.compute_ms);
    assert_int_equal(run.compute_reported, 99);
    mg_latency_options d = {0};
    d.samples = 100;
    mg_latency_report rep = {0};
    rep.prov.model_arg = "A";
    rep.backend = "recorder";
    rep.run = &run;
    rep.opts = &d;
    rep.confidence = 0.95;
    rep.cpu = -1;
    mg_latency_environment env;
    mg_latency_environment_read(-1, &env);
    rep.env = &env;
    char *json = latency_json_text(&rep, NULL);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"runner_compute\": null,\n  \"runner_compute_reason\": \"the "
                                 "model reported its compute time for only 99 of 100 timed "
                                 "calls\",\n  \"transport\": null,\n  \"transport_reason\": "
                                 "\"the model reported its compute time for only 99 of 100"));
    free(json);
    mg_latency_run_release(&run);
    mg_model_free(m);
}

/* A run built by hand: samples 1..n ms in order. */
static mg_latency_run fake_run(int64_t n) {
    mg_latency_run r;
    memset(&r, 0, sizeof r);
    r.n = n;
    r.samples_ms = malloc((size_t)n * sizeof(double));
    r.sorted_ms = malloc((size_t)n * sizeof(double));
    for (int64_t i = 0; i < n; i++)
        r.samples_ms[i] = r.sorted_ms[i] = (double)(i + 1);
    mg_latency_summarize(r.sorted_ms, n, &r.summary);
    return r;
}

static void gate_decisions(void **state) {
    (void)state;
    mg_latency_gate g;
    mg_latency_run r =
        fake_run(1000); /* p99 = 990; at 0.95 the bounds are ranks 996 and 985 (scipy) */
    assert_int_equal(mg_quantile_upper_rank(1000, 0.99, 0.95), 996);
    assert_int_equal(mg_quantile_lower_rank(1000, 0.99, 0.95), 985);
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 992, 0, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_PASS); /* the point decides */
    assert_true(g.value == 990 && g.upper == 996 && g.lower == 985);
    assert_true(g.straddles);
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 992, 0.95, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_INCONCLUSIVE);
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 996, 0.95, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_PASS);
    assert_string_equal(g.reason,
                        "p99_ms upper bound 996 ms <= 996 ms at confidence 0.95 (point 990 ms)");
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 984.5, 0.95, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_FAIL);
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 985, 0.95, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_INCONCLUSIVE);
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 989, 0, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_FAIL);
    assert_string_equal(g.reason, "p99_ms 990 ms > 989 ms; its bounds at 0.95 [985, 996] ms "
                                  "straddle the limit");
    mg_latency_run_release(&r);
    r = fake_run(298);
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 1e9, 0.95, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(g.needed, 299);
    assert_true(isnan(g.upper));
    assert_string_equal(g.reason, "p99_ms: 298 samples cannot bound it at confidence 0.95; at "
                                  "least 299 are needed (--samples 299)");
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 1e9, 0, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_PASS); /* without --confidence the point decides */
    assert_true(g.straddles);
    mg_latency_run_release(&r);
}

/* Log-spaced bins from 1 to 8 in 3: edges 1, 2, 4, 8 (to rounding), counts
 * summing to n; equal samples make one bin; a 0 ms sample, equal widths. */
static void histogram_bins(void **state) {
    (void)state;
    const double s[] = {1, 1.5, 3, 5, 8};
    double edges[4];
    int64_t counts[3];
    bool log_scale = false;
    assert_int_equal(mg_latency_histogram(s, 5, 3, edges, counts, &log_scale), 3);
    assert_true(log_scale);
    assert_true(edges[0] == 1 && edges[3] == 8);
    assert_true(fabs(edges[1] - 2) < 1e-12 && fabs(edges[2] - 4) < 1e-12);
    assert_true(counts[0] == 2 && counts[1] == 1 && counts[2] == 2);
    const double same[] = {2, 2, 2};
    assert_int_equal(mg_latency_histogram(same, 3, 3, edges, counts, &log_scale), 1);
    assert_true(edges[0] == 2 && edges[1] == 2 && counts[0] == 3);
    const double zero[] = {0, 1, 2, 3};
    assert_int_equal(mg_latency_histogram(zero, 4, 3, edges, counts, &log_scale), 3);
    assert_false(log_scale);
    assert_true(counts[0] == 1 && counts[1] == 1 && counts[2] == 2); /* 3 in the closed last bin */
    assert_int_equal(mg_latency_histogram(s, 0, 3, edges, counts, &log_scale), 0);
    assert_int_equal(mg_latency_histogram(s, 5, 0, edges, counts, &log_scale), 0);
}

static void json_contract(void **state) {
    (void)state;
    mg_latency_run r = fake_run(100);
    r.warmup = 10;
    r.first_call_ms = 42.5;
    r.stable = true;
    r.nwindows = 3;
    mg_latency_options o = {0};
    o.samples = 100;
    mg_latency_environment env;
    mg_latency_environment_read(-1, &env);
    mg_latency_gate g;
    mg_latency_gate_quantile(&r, 0.99, "max_p99", "p99_ms", 100, 0, 0.95, &g);
    mg_latency_report rep = {0};
    rep.prov.model_arg = "m.json";
    rep.backend = "xgboost";
    rep.prov.data_path = "test.csv";
    rep.run = &r;
    rep.opts = &o;
    rep.confidence = 0.95;
    rep.timer_overhead_ns = 25;
    rep.cpu = -1;
    rep.env = &env;
    rep.gates = &g;
    rep.ngates = 1;
    size_t len;
    char *json = latency_json_text(&rep, &len);
    assert_non_null(json);
    const char *head = "{\n  \"p50_ms\": 50,\n  \"p90_ms\": 90,\n  \"p95_ms\": 95,\n"
                       "  \"p99_ms\": 99,\n  \"p999_ms\": 100,\n  \"max_ms\": 100,\n"
                       "  \"min_ms\": 1,\n  \"mean_ms\": 50.5,\n";
    assert_memory_equal(json, head, strlen(head));
    assert_non_null(strstr(json, "\"samples\": 100,\n  \"warmup\": 10,\n  \"batch_size\": 1,"));
    /* 100 samples cannot bound p99 at 0.95: null with the reason beside it */
    assert_non_null(strstr(json, "\"p99_upper_bound_ms\": null,\n  \"p99_upper_bound_ms_reason\": "
                                 "\"100 samples are too few for this bound at confidence 0.95 "
                                 "(299 needed)\""));
    assert_non_null(strstr(json, "\"first_call_ms\": 42.5,"));
    assert_non_null(strstr(json, "\"timer_overhead_ns\": 25,\n  \"stable\": true,\n"
                                 "  \"backend\": \"xgboost\",\n  \"verdict\": \"pass\""));
    assert_non_null(strstr(json, "\"runner_compute\": null,\n  \"runner_compute_reason\": \"the "
                                 "model reported no compute time of its own"));
    assert_non_null(strstr(json, "\"transport\": null,\n  \"transport_reason\": \"the model "
                                 "reported no compute time of its own"));
    /* No NaN or infinity written as a number ("provenance" holds the letters). */
    assert_null(strstr(json, ": nan"));
    assert_null(strstr(json, ": -nan"));
    assert_null(strstr(json, ": inf"));
    assert_non_null(strstr(json, "\"provenance\": {"));
    free(json);
    /* a run whose model reported 0.25 ms of compute per call: the rest is transport */
    r.compute_ms = malloc(100 * sizeof(double));
    double t[100];
    for (int i = 0; i < 100; i++) {
        r.compute_ms[i] = 0.25;
        t[i] = r.samples_ms[i] - 0.25;
    }
    mg_latency_summarize(r.compute_ms, 100, &r.compute);
    mg_latency_summarize(t, 100, &r.transport);
    r.compute_reported = 100;
    json = latency_json_text(&rep, &len);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"runner_compute\": {\n    \"p50_ms\": 0.25,\n    \"p99_ms\": "
                                 "0.25,\n    \"mean_ms\": 0.25\n  },\n  \"transport\": {\n    "
                                 "\"p50_ms\": 49.75,\n    \"p99_ms\": 98.75,\n    \"mean_ms\": "
                                 "50.25\n  },"));
    assert_null(strstr(json, "_reason\": \"the model"));
    free(json);
    mg_latency_run_release(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(counts_and_shuffle, setup),
        cmocka_unit_test_setup(batches, setup),
        cmocka_unit_test_setup(interleaved_baseline, setup),
        cmocka_unit_test_setup(predict_error_passes_through, setup),
        cmocka_unit_test_setup(compute_split, setup),
        cmocka_unit_test(gate_decisions),
        cmocka_unit_test(json_contract),
        cmocka_unit_test(histogram_bins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
