/* test_metric_registry.c - the metric registry (lib/metrics/registry.c)
 * against the metrics each task writes to metrics.json, and the "did you
 * mean" lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "modelgate/metric_registry.h"

/* Every metric a task writes is in the registry with that task, and the
 * registry names no metric of a task that the task does not write. */
static void registry_matches_metrics_json(void **state) {
    (void)state;
    mg_task tasks[] = {MG_TASK_BINARY, MG_TASK_MULTICLASS, MG_TASK_REGRESSION};
    int total = 0;
    for (size_t t = 0; t < MG_ARRAY_LEN(tasks); t++) {
        mg_evaluation e;
        memset(&e, 0, sizeof e);
        e.task = tasks[t];
        int n = mg_evaluation_metric_count(&e);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
            const char *name = mg_evaluation_metric_name(&e, i, NULL);
            const mg_metric_def *m = mg_metric_find(name);
            if (m == NULL || !mg_metric_has_task(m, tasks[t]))
                fail_msg("%s of a %s task is not in the registry", name, mg_task_name(tasks[t]));
        }
        int in_registry = 0; /* top-level keys only: not calibration.ece ... */
        for (int k = 0; k < mg_metric_count(); k++)
            in_registry += mg_metric_has_task(mg_metric_at(k), tasks[t]) &&
                           mg_metric_json_path(mg_metric_at(k)) == NULL;
        assert_int_equal(in_registry, n);
        total += n;
    }
    assert_int_equal(total, 11 + 13 + 7);
    assert_null(mg_metric_at(mg_metric_count()));
    assert_null(mg_metric_at(-1));
}

static void directions_and_intervals(void **state) {
    (void)state;
    const char *lower[] = {"log_loss", "brier", "mae", "mse", "rmse", "mape", "max_error",
                           "median_absolute_error"};
    for (size_t i = 0; i < MG_ARRAY_LEN(lower); i++)
        assert_false(mg_metric_find(lower[i])->higher_is_better);
    assert_true(mg_metric_find("r2")->higher_is_better);
    assert_true(mg_metric_find("roc_auc")->higher_is_better);
    assert_int_equal(mg_metric_find("roc_auc")->interval, MG_INTERVAL_DELONG);
    assert_int_equal(mg_metric_find("accuracy")->interval, MG_INTERVAL_WILSON);
    assert_true(mg_metric_find("recall")->proportion);
    assert_false(mg_metric_find("f1")->proportion);
    assert_null(mg_metric_find("Accuracy"));
    /* calibration: lower is better for the errors, two-sided for the fit */
    assert_false(mg_metric_find("ece")->higher_is_better);
    assert_false(mg_metric_find("mce")->higher_is_better);
    assert_true(mg_metric_has_task(mg_metric_find("ece"), MG_TASK_MULTICLASS));
    assert_false(mg_metric_has_task(mg_metric_find("calibration_slope"), MG_TASK_MULTICLASS));
    assert_string_equal(mg_metric_json_path(mg_metric_find("ece")), "calibration.ece");
    assert_string_equal(mg_metric_json_path(mg_metric_find("calibration_slope")),
                        "calibration.slope");
    assert_null(mg_metric_json_path(mg_metric_find("accuracy")));
    double ideal = -1;
    assert_true(mg_metric_ideal(mg_metric_find("calibration_slope"), &ideal));
    assert_true(ideal == 1);
    assert_true(mg_metric_ideal(mg_metric_find("calibration_intercept"), &ideal));
    assert_true(ideal == 0);
    assert_false(mg_metric_ideal(mg_metric_find("ece"), &ideal));
    /* every registered metric of a task is found in its evaluation */
    mg_evaluation e;
    memset(&e, 0, sizeof e);
    e.task = MG_TASK_BINARY;
    mg_value v;
    assert_int_equal(mg_evaluation_metric(&e, "calibration_intercept", &v), 0);
    e.task = MG_TASK_MULTICLASS;
    assert_int_equal(mg_evaluation_metric(&e, "mce", &v), 0);
    assert_int_equal(mg_evaluation_metric(&e, "calibration_slope", &v), -1);
    e.task = MG_TASK_REGRESSION;
    assert_int_equal(mg_evaluation_metric(&e, "ece", &v), -1);
}

static void did_you_mean(void **state) {
    (void)state;
    assert_string_equal(mg_metric_closest("acuracy", MG_TASK_AUTO), "accuracy");
    assert_string_equal(mg_metric_closest("accuarcy", MG_TASK_AUTO), "accuracy"); /* a swap */
    assert_string_equal(mg_metric_closest("roc-auc", MG_TASK_AUTO), "roc_auc");
    assert_string_equal(mg_metric_closest("F1_Macro", MG_TASK_MULTICLASS), "f1_macro");
    assert_string_equal(mg_metric_closest("rmse_", MG_TASK_REGRESSION), "rmse");
    assert_null(mg_metric_closest("zzz", MG_TASK_AUTO));
    assert_null(mg_metric_closest("auc", MG_TASK_AUTO)); /* 4 edits from roc_auc: too far */
    assert_null(mg_metric_closest("precison", MG_TASK_REGRESSION)); /* not a regression metric */
    const char *opts[] = {"model", "test-data", "output", NULL};
    assert_string_equal(mg_closest_name("modle", opts, 4), "model");
    assert_string_equal(mg_closest_name("test_data", opts, 4), "test-data");
    assert_null(mg_closest_name("x", opts, 4));
    assert_null(mg_closest_name("", opts, 4));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_matches_metrics_json),
        cmocka_unit_test(directions_and_intervals),
        cmocka_unit_test(did_you_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
