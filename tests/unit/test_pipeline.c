/* test_evaluate_run.c - the pipelines of pipeline.h: mg_evaluate_run
 * (lib/eval/evaluate_run.c): defaults, the stages and notes in order, metrics
 * and gates against hand-computed values, slice gates, a bound the inferred
 * task lacks, operating points on a task that is not binary; mg_fairness_run
 * (lib/eval/fairness_run.c): a hand-computed demographic parity ratio and its
 * verdict, a missing protected attribute; mg_compare_run
 * (lib/eval/compare_run.c): a hand-computed accuracy change and the rule's
 * verdict, notes for each model, a rule on a metric the task lacks;
 * mg_benchmark_run (lib/eval/benchmark_run.c): synthetic rows timed the asked
 * number of times, the p99 gate's value the 20th of 20 sorted samples (nearest
 * rank), the flag-naming refusals of a stored-predictions model and of an
 * open loop on an in-process model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <unistd.h>

#include "internal.h"
#include "modelgate/pipeline.h"

/* label, score, group: at threshold 0.5 the predictions are 1,1,0,1,0,0, so
 * accuracy = 4/6, precision = recall = 2/3; each group of three rows has
 * accuracy 2/3 (a: 1,1,0 for 1,1,1; b: 1,0,0 for 0,0,0). */
static const char data[] = "label,score,g\n1,0.9,a\n1,0.8,a\n1,0.3,a\n0,0.6,b\n0,0.2,b\n0,0.1,b\n";

static void temp_csv(const char *text, char *path) {
    snprintf(path, 64, "%s", "/tmp/mg_test_evaluate_run_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

typedef struct record {
    char log[1024]; /* "S:stage|N:the note's first 19 bytes|..." */
} record;

static void on_stage(void *ctx, const char *stage) {
    record *r = ctx;
    size_t used = strlen(r->log);
    snprintf(r->log + used, sizeof r->log - used, "S:%s|", stage);
}

static void on_note(void *ctx, int model, const char *text) {
    record *r = ctx;
    size_t used = strlen(r->log);
    snprintf(r->log + used, sizeof r->log - used, "N%d:%.19s|", model, text);
}

static void spec_init_defaults(void **state) {
    (void)state;
    mg_evaluate_spec s;
    memset(&s, 0x5a, sizeof s);
    mg_evaluate_spec_init(&s);
    assert_true(s.run.threshold == 0.5);
    assert_int_equal(s.run.task, MG_TASK_AUTO);
    assert_true(s.confidence == 0.95);
    assert_int_equal(s.bootstrap_replicates, 1000);
    assert_int_equal(s.min_slice_size, 30);
    assert_int_equal(s.slice_options.bins, 10);
    assert_false(s.every_interval);
    assert_false(s.gate_on_interval);
    assert_int_equal(s.nbounds, 0);
    assert_null(s.note);
}

static void metrics_gates_and_notes(void **state) {
    (void)state;
    char path[64];
    temp_csv(data, path);
    mg_evaluate_spec s;
    mg_evaluate_spec_init(&s);
    s.run.test_data = path;
    s.run.models[0] = "column:score";
    s.run.nmodels = 1;
    const char *by[] = {"g"};
    s.slice_by = by;
    s.nslice_by = 1;
    s.min_slice_size = 1;
    mg_slice_gate sg = {"accuracy", MG_SLICE_GATE_MIN, 0.9};
    s.slice_gates = &sg;
    s.nslice_gates = 1;
    mg_metric_bound b[] = {{"accuracy", MG_GATE_MIN, 0.6}, {"precision", MG_GATE_MAX, 0.5}};
    s.bounds = b;
    s.nbounds = 2;
    record rec = {{0}};
    s.stage = on_stage;
    s.stage_ctx = &rec;
    s.note = on_note;
    s.note_ctx = &rec;
    mg_evaluate_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_evaluate_run(&s, &out, &err), MG_OK);
    assert_string_equal(rec.log, "S:reading|S:predicting|S:metrics|N0:task binary: label |"
                                 "N0:positive label '1':|S:gates|");
    assert_int_equal(out.eval.task, MG_TASK_BINARY);
    mg_value v;
    assert_int_equal(mg_evaluation_metric(&out.eval, "accuracy", &v), 0);
    assert_true(fabs(v.v - 4.0 / 6.0) < 1e-12);
    assert_int_equal(out.unknown_bound, -1);
    assert_int_equal(out.nslicings, 1);
    assert_int_equal(out.reports[0].nslices, 2);
    /* two bounds, then one result per slice */
    assert_int_equal(out.ngates, 4);
    assert_int_equal(out.gates[0].verdict, MG_VERDICT_PASS); /* 0.667 >= 0.6 */
    assert_int_equal(out.gates[1].verdict, MG_VERDICT_FAIL); /* 0.667 > 0.5 */
    assert_int_equal(out.gates[2].verdict, MG_VERDICT_FAIL); /* slice a: 0.667 < 0.9 */
    assert_int_equal(out.gates[3].verdict, MG_VERDICT_FAIL);
    assert_int_equal(out.verdict, MG_VERDICT_FAIL);
    assert_int_equal(out.nwarnings, 0);
    assert_non_null(strstr(out.metrics_json, "\"slices\""));
    assert_non_null(strstr(out.metrics_json, "\"gates\""));
    assert_int_equal(strlen(out.metrics_json), out.metrics_len);
    mg_evaluate_outcome_release(&out);
    unlink(path);
}

/* A bound on a metric the inferred task lacks: no gate decided, no "gates". */
static void bound_the_task_lacks(void **state) {
    (void)state;
    char path[64];
    temp_csv(data, path);
    mg_evaluate_spec s;
    mg_evaluate_spec_init(&s);
    s.run.test_data = path;
    s.run.models[0] = "column:score";
    s.run.nmodels = 1;
    mg_metric_bound b[] = {{"accuracy", MG_GATE_MIN, 0.6}, {"rmse", MG_GATE_MAX, 0.1}};
    s.bounds = b;
    s.nbounds = 2;
    mg_evaluate_outcome out;
    mg_error err;
    assert_int_equal(mg_evaluate_run(&s, &out, &err), MG_OK);
    assert_int_equal(out.unknown_bound, 1);
    assert_int_equal(out.ngates, 0);
    assert_null(strstr(out.metrics_json, "\"gates\""));
    mg_evaluate_outcome_release(&out);
    unlink(path);
}

static void points_need_binary(void **state) {
    (void)state;
    char path[64];
    temp_csv(data, path);
    mg_evaluate_spec s;
    mg_evaluate_spec_init(&s);
    s.run.test_data = path;
    s.run.models[0] = "column:score";
    s.run.nmodels = 1;
    s.run.task = MG_TASK_REGRESSION;
    mg_operating_point p;
    assert_int_equal(mg_operating_point_parse("precision=0.8", &p), 0);
    s.points = &p;
    s.npoints = 1;
    mg_evaluate_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_evaluate_run(&s, &out, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "operating points need a binary task; this one is regression");
    mg_evaluate_outcome_release(&out);
    unlink(path);
}

static void missing_file_is_an_error(void **state) {
    (void)state;
    mg_evaluate_spec s;
    mg_evaluate_spec_init(&s);
    s.run.test_data = "/nonexistent/test.csv";
    s.run.models[0] = "column:score";
    s.run.nmodels = 1;
    mg_evaluate_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_not_equal(mg_evaluate_run(&s, &out, &err), MG_OK);
    assert_non_null(strstr(err.text, "/nonexistent/test.csv"));
    assert_null(out.metrics_json);
    mg_evaluate_outcome_release(&out);
}

/* Selection rates: group a 2/3, group b 1/3, so the demographic parity ratio
 * is 0.5, outside the band [0.8, 1.25]: FAIL. */
static void fairness_ratio_and_verdict(void **state) {
    (void)state;
    char path[64];
    temp_csv(data, path);
    mg_fairness_spec s;
    mg_fairness_spec_init(&s);
    s.run.test_data = path;
    s.run.models[0] = "column:score";
    s.run.nmodels = 1;
    const char *attrs[] = {"g"};
    s.run.protected_attrs = attrs;
    s.run.nprotected = 1;
    s.fairness.min_group_size = 1;
    record rec = {{0}};
    s.stage = on_stage;
    s.stage_ctx = &rec;
    s.note = on_note;
    s.note_ctx = &rec;
    mg_fairness_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_fairness_run(&s, &out, &err), MG_OK);
    assert_string_equal(rec.log, "S:reading|S:predicting|N0:positive label '1':|S:fairness|");
    assert_true(out.computed);
    assert_int_equal(out.result.nattrs, 1);
    const mg_disparity *dp = &out.result.attrs[0].measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_true(fabs(dp->ratio.v - 0.5) < 1e-12);
    assert_int_equal(out.result.verdict, MG_VERDICT_FAIL);
    assert_non_null(strstr(out.fairness_json, "\"demographic_parity\""));
    assert_int_equal(strlen(out.fairness_json), out.fairness_len);
    mg_fairness_outcome_release(&out);
    unlink(path);
}

static void fairness_missing_attribute(void **state) {
    (void)state;
    char path[64];
    temp_csv(data, path);
    mg_fairness_spec s;
    mg_fairness_spec_init(&s);
    s.run.test_data = path;
    s.run.models[0] = "column:score";
    s.run.nmodels = 1;
    const char *attrs[] = {"gender"};
    s.run.protected_attrs = attrs;
    s.run.nprotected = 1;
    mg_fairness_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_fairness_run(&s, &out, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "'gender'"));
    assert_false(out.computed);
    assert_null(out.fairness_json);
    mg_fairness_outcome_release(&out);
    unlink(path);
}

/* Candidate a (accuracy 4/6 at 0.5, as above) against baseline b (every row
 * right): the accuracy change is -1/3, below -0.01: FAIL. */
static void compare_change_and_rule(void **state) {
    (void)state;
    char path[64];
    temp_csv("label,a,b\n1,0.9,0.9\n1,0.8,0.8\n1,0.3,0.7\n0,0.6,0.1\n0,0.2,0.2\n0,0.1,0.3\n", path);
    mg_compare_spec s;
    mg_compare_spec_init(&s);
    assert_int_equal(s.run.nmodels, 2);
    assert_true(s.compare.level == 0.95);
    s.run.test_data = path;
    s.run.models[0] = "column:a";
    s.run.models[1] = "column:b";
    s.compare.skip_bootstrap = true;
    mg_compare_rule rule = {"accuracy", MG_RULE_MIN_CHANGE, -0.01, "--min-change"};
    s.rules = &rule;
    s.nrules = 1;
    record rec = {{0}};
    s.stage = on_stage;
    s.stage_ctx = &rec;
    s.note = on_note;
    s.note_ctx = &rec;
    mg_compare_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_compare_run(&s, &out, &err), MG_OK);
    assert_string_equal(rec.log, "S:reading|S:predicting|N0:positive label '1':|"
                                 "N1:positive label '1':|S:bootstrap|S:gates|");
    const mg_metric_delta *acc = mg_comparison_delta(&out.comparison, "accuracy");
    assert_non_null(acc);
    assert_true(fabs(acc->delta.v - (4.0 / 6.0 - 1.0)) < 1e-12);
    assert_int_equal(out.nresults, 1);
    assert_int_equal(out.results[0].verdict, MG_VERDICT_FAIL);
    assert_int_equal(out.verdict, MG_VERDICT_FAIL);
    assert_true(out.decided);
    assert_int_equal(strlen(out.comparison_json), out.comparison_len);
    mg_compare_outcome_release(&out);

    /* a rule on a metric a binary task lacks is an error before the comparison */
    rule.metric = "rmse";
    assert_int_equal(mg_compare_run(&s, &out, &err), MG_ERR_USAGE);
    assert_false(out.decided);
    assert_null(out.comparison_json);
    mg_compare_outcome_release(&out);
    unlink(path);
}

static void benchmark_synthetic_and_refusals(void **state) {
    (void)state;
    mg_benchmark_spec s;
    mg_benchmark_spec_init(&s);
    assert_int_equal(s.run.nmodels, 1);
    assert_int_equal(s.latency.samples, 1000);
    assert_int_equal(s.cpu, -1);
    s.run.models[0] = MG_TEST_DATA "/models/tiny.json";
    s.run.model_options.threads = 1;
    s.latency.samples = 20;
    s.latency.warmup = 0;
    s.max_p99_ms = 1e9; /* passes on any machine: no timing-dependent verdict */
    mg_benchmark_outcome out;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_benchmark_run(&s, &out, &err), MG_OK);
    assert_true(out.measured);
    assert_true(out.decided);
    assert_false(out.has_baseline);
    assert_int_equal(out.run.n, 20);
    assert_int_equal(out.ngates, 1);
    assert_string_equal(out.gates[0].name, "max_p99");
    /* nearest rank: ceil(0.99 * 20) = 20, the largest sample */
    assert_true(out.gates[0].value == out.run.sorted_ms[19]);
    assert_int_equal(out.verdict, MG_VERDICT_PASS);
    assert_true(out.level == 0.95);
    assert_non_null(out.latency_json);
    assert_int_equal(strlen(out.latency_json), out.latency_len);
    assert_non_null(strstr(out.latency_json, "\"samples\": 20"));
    mg_benchmark_outcome_release(&out);

    /* an open loop needs an out-of-process model */
    s.latency.rate_qps = 10;
    assert_int_equal(mg_benchmark_run(&s, &out, &err), MG_ERR_USAGE);
    assert_false(out.measured);
    assert_null(out.latency_json);
    assert_string_equal(err.text, "--rate needs a runner (cmd:...) or an HTTP model; " MG_TEST_DATA
                                  "/models/tiny.json runs in-process (backend xgboost), where the "
                                  "closed loop is the honest measure");
    mg_benchmark_outcome_release(&out);

    /* stored predictions are no model to time */
    s.latency.rate_qps = 0;
    s.run.models[0] = "column:score";
    assert_int_equal(mg_benchmark_run(&s, &out, &err), MG_ERR_USAGE);
    assert_string_equal(err.text,
                        "--model column:score reads stored predictions; there is no model to time");
    mg_benchmark_outcome_release(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_init_defaults),
        cmocka_unit_test(metrics_gates_and_notes),
        cmocka_unit_test(bound_the_task_lacks),
        cmocka_unit_test(points_need_binary),
        cmocka_unit_test(missing_file_is_an_error),
        cmocka_unit_test(fairness_ratio_and_verdict),
        cmocka_unit_test(fairness_missing_attribute),
        cmocka_unit_test(compare_change_and_rule),
        cmocka_unit_test(benchmark_synthetic_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
