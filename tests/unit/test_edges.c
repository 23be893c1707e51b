/* test_edges.c - numbers at the edges of a double in the library: regression
 * metrics whose inputs' squares overflow or underflow, weights that are all
 * tiny or all huge, and gates that must never decide on a NaN. Expected
 * values are worked out by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "modelgate/latency.h"
#include "modelgate/metrics.h"

static void assert_close(double got, double want, double rel) {
    if (!(fabs(got - want) <= rel * fabs(want))) {
        print_error("got %.17g, want %.17g\n", got, want);
        fail();
    }
}

/* y = 0.5, 1.5, 2.5 and one prediction of 1e200 (errors 1e200 - 0.5, 0.5,
 * 0.5): RMSE = sqrt((1e400 + ...) / 3) = 1e200 / sqrt(3) to 1e-16, MAE = 1e200
 * / 3, max_error 1e200, median 0.5; MSE (3.3e399) and R² (1 - 1e400 / 2) do
 * not fit a double: null with a reason. */
static void regression_overflow_stays_finite(void **state) {
    (void)state;
    const double y[] = {0.5, 1.5, 2.5}, p[] = {1e200, 2, 3};
    mg_regression_metrics m;
    mg_error err;
    assert_int_equal(mg_regression_metrics_compute(y, p, NULL, 3, &m, &err), MG_OK);
    assert_null(m.rmse.null_reason);
    assert_close(m.rmse.v, 1e200 / sqrt(3.0), 1e-15);
    assert_null(m.mae.null_reason);
    assert_close(m.mae.v, 1e200 / 3, 1e-15);
    assert_null(m.max_error.null_reason);
    assert_true(m.max_error.v == 1e200);
    assert_true(m.median_absolute_error.v == 0.5);
    assert_non_null(m.mse.null_reason);
    assert_non_null(strstr(m.mse.null_reason, "largest double"));
    assert_non_null(m.r2.null_reason);
    /* The same with weights of 1e300 (the sums of w e² are far past 1e308). */
    const double w[] = {1e300, 1e300, 1e300};
    assert_int_equal(mg_regression_metrics_compute(y, p, w, 3, &m, &err), MG_OK);
    assert_close(m.rmse.v, 1e200 / sqrt(3.0), 1e-15);
    assert_close(m.mae.v, 1e200 / 3, 1e-15);
    /* Differences that overflow: pred - y = 2e308 for one row of two. MAE =
     * 1e308 exactly; max_error 2e308 is past the largest double. */
    const double y2[] = {-1e308, 0}, p2[] = {1e308, 0};
    assert_int_equal(mg_regression_metrics_compute(y2, p2, NULL, 2, &m, &err), MG_OK);
    assert_null(m.mae.null_reason);
    assert_close(m.mae.v, 1e308, 1e-15);
    assert_non_null(m.max_error.null_reason);
    assert_close(m.rmse.v, sqrt(2.0) * 1e308, 1e-15); /* sqrt((2e308)² / 2) */
}

/* y = 1, 2, 3 (x 1e-200), pred = 1.5, 2, 2.5 (x 1e-200): MSE = 0.5/3 x 1e-400
 * underflows to 0 (its correctly rounded value), but RMSE = sqrt(1/6) x
 * 1e-200 and R² = 1 - 0.5 / 2 = 0.75 are ordinary numbers. */
static void regression_underflow_stays_defined(void **state) {
    (void)state;
    const double y[] = {1e-200, 2e-200, 3e-200}, p[] = {1.5e-200, 2e-200, 2.5e-200};
    mg_regression_metrics m;
    mg_error err;
    assert_int_equal(mg_regression_metrics_compute(y, p, NULL, 3, &m, &err), MG_OK);
    assert_null(m.rmse.null_reason);
    assert_close(m.rmse.v, sqrt(1.0 / 6) * 1e-200, 1e-14);
    assert_null(m.r2.null_reason);
    assert_close(m.r2.v, 0.75, 1e-14);
    assert_close(m.mae.v, 1e-200 / 3, 1e-14);
    /* scikit-learn divides by max(|y|, eps): every |y| here is below eps. */
    assert_close(m.mape.v, 1e-200 / 3 / DBL_EPSILON, 1e-14);
}

/* y = 0 1 0 1, scores 0.1 0.4 0.45 0.8: ROC AUC = 3 of 4 pairs ordered = 0.75;
 * at 0.5 only the last row is predicted positive: TP 1, FN 1, TN 2, FP 0,
 * MCC = (1x2 - 0) / sqrt(1 x 2 x 2 x 3) = 2 / sqrt(12). Any common weight
 * gives the same. */
static void binary_weights_tiny_or_huge(void **state) {
    (void)state;
    const uint8_t y[] = {0, 1, 0, 1};
    const double s[] = {0.1, 0.4, 0.45, 0.8};
    const double scales[] = {1, 1e-200, 1e300, 1e-310, 1e308};
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
        double w[4];
        for (int i = 0; i < 4; i++)
            w[i] = scales[k];
        mg_binary_metrics m;
        mg_error err;
        mg_status st = mg_binary_metrics_compute(y, s, w, 4, 0.5, &m, &err);
        if (st != MG_OK)
            print_error("weights %g: %s\n", scales[k], err.text);
        assert_int_equal(st, MG_OK);
        assert_null(m.roc_auc.null_reason);
        assert_close(m.roc_auc.v, 0.75, 1e-15);
        assert_null(m.mcc.null_reason);
        assert_close(m.mcc.v, 2 / sqrt(12.0), 1e-15);
        assert_close(m.accuracy.v, 0.75, 1e-15);
        assert_close(m.recall.v, 0.5, 1e-15);
    }
    /* All weights zero is an error, and only then. */
    const double zero[] = {0, 0, 0, 0};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, zero, 4, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "zero"));
}

static void values_are_never_nan(void **state) {
    (void)state;
    mg_value v = mg_value_of(NAN);
    assert_non_null(v.null_reason);
    v = mg_value_of(INFINITY);
    assert_non_null(v.null_reason);
    v = mg_value_of(-INFINITY);
    assert_non_null(v.null_reason);
    v = mg_value_of(1e308);
    assert_null(v.null_reason);
    assert_true(v.v == 1e308);
}

/* A latency gate without samples (the quantile is NaN) is inconclusive. */
static void latency_gate_without_samples(void **state) {
    (void)state;
    mg_latency_run run;
    memset(&run, 0, sizeof run);
    double none[1] = {0};
    run.sorted_ms = run.samples_ms = none;
    mg_latency_gate g;
    mg_latency_gate_quantile(&run, 0.99, "p99", "p99", 100, 0, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_INCONCLUSIVE);
    mg_latency_gate_quantile(&run, 0.99, "p99", "p99", 100, 0.95, 0.95, &g);
    assert_int_equal(g.verdict, MG_VERDICT_INCONCLUSIVE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(regression_overflow_stays_finite),
        cmocka_unit_test(regression_underflow_stays_defined),
        cmocka_unit_test(binary_weights_tiny_or_huge),
        cmocka_unit_test(values_are_never_nan),
        cmocka_unit_test(latency_gate_without_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
