/* test_compare.c - lib/compare: the regression rules on hand-made
 * comparisons, the binary fast path of the bootstrap against a full
 * evaluation per replicate, and the alignment checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "compare/compare_internal.h"
#include "stats/poisson.h"

static mg_metric_delta delta(const char *metric, double new_v, double base_v, double lo,
                             double hi) {
    mg_metric_delta d;
    memset(&d, 0, sizeof d);
    d.metric = metric;
    d.lower_is_better = mg_metric_lower_is_better(metric);
    d.new_value = mg_value_of(new_v);
    d.base_value = mg_value_of(base_v);
    d.delta = mg_value_of(new_v - base_v);
    d.has_test = !isnan(lo);
    d.test.value = new_v - base_v;
    d.test.ci_low = lo;
    d.test.ci_high = hi;
    d.test.level = 0.95;
    d.test.test = "paired_bootstrap";
    d.test_null_reason = d.has_test ? NULL : "no interval here";
    return d;
}

static mg_verdict verdict(const mg_comparison *c, const char *metric, mg_rule_kind kind,
                          double threshold, int use_interval, double *value) {
    mg_compare_rule rule = {metric, kind, threshold, NULL};
    mg_rule_result r;
    mg_error err;
    assert_int_equal(mg_compare_rule_check(c, &rule, use_interval, &r, &err), MG_OK);
    if (value != NULL)
        *value = r.value;
    return r.verdict;
}

static void rules_point_and_interval(void **state) {
    (void)state;
    mg_metric_delta d[5] = {
        delta("accuracy", 0.90, 0.905, -0.012, 0.002), /* -0.005 */
        delta("log_loss", 0.30, 0.32, -0.03, -0.01),   /* lower is better: +0.02 */
        delta("roc_auc", 0.80, 0.0, NAN, NAN),
        delta("f1", 0.5, 0.6, -0.2, -0.05),
        delta("brier", 0.1, 0.0, NAN, NAN),
    };
    mg_comparison c;
    memset(&c, 0, sizeof c);
    c.task = MG_TASK_BINARY;
    c.options.level = 0.95;
    c.deltas = d;
    c.ndeltas = 5;
    double v;
    /* point: -0.005 >= -0.01 passes, >= 0 fails */
    assert_int_equal(verdict(&c, "accuracy", MG_RULE_MIN_CHANGE, -0.01, 0, &v), MG_VERDICT_PASS);
    assert_true(fabs(v + 0.005) < 1e-12);
    assert_int_equal(verdict(&c, "accuracy", MG_RULE_MIN_CHANGE, 0, 0, NULL), MG_VERDICT_FAIL);
    /* interval [-0.012, 0.002]: margin -0.01 straddled, -0.02 cleared, 0.005 missed */
    assert_int_equal(verdict(&c, "accuracy", MG_RULE_MIN_CHANGE, -0.01, 1, NULL),
                     MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(verdict(&c, "accuracy", MG_RULE_MIN_CHANGE, -0.02, 1, NULL), MG_VERDICT_PASS);
    assert_int_equal(verdict(&c, "accuracy", MG_RULE_MIN_CHANGE, 0.005, 1, NULL), MG_VERDICT_FAIL);
    /* log loss fell by 0.02: an improvement of +0.02, interval [0.01, 0.03] */
    assert_int_equal(verdict(&c, "log_loss", MG_RULE_MIN_CHANGE, 0.015, 0, &v), MG_VERDICT_PASS);
    assert_true(fabs(v - 0.02) < 1e-12);
    assert_int_equal(verdict(&c, "log_loss", MG_RULE_MIN_CHANGE, 0.005, 1, NULL), MG_VERDICT_PASS);
    assert_int_equal(verdict(&c, "log_loss", MG_RULE_MIN_CHANGE, 0.015, 1, NULL),
                     MG_VERDICT_INCONCLUSIVE);
    /* relative: -0.1 / 0.6 = -1/6 for f1 */
    assert_int_equal(verdict(&c, "f1", MG_RULE_MIN_RELATIVE_CHANGE, -0.2, 0, &v), MG_VERDICT_PASS);
    assert_true(fabs(v + 1.0 / 6) < 1e-12);
    assert_int_equal(verdict(&c, "f1", MG_RULE_MIN_RELATIVE_CHANGE, -0.1, 0, NULL),
                     MG_VERDICT_FAIL);
    assert_int_equal(verdict(&c, "f1", MG_RULE_MIN_RELATIVE_CHANGE, -0.05, 1, NULL),
                     MG_VERDICT_FAIL); /* interval [-1/3, -1/12] below -0.05 */
    /* a zero baseline has no relative change; no interval is inconclusive */
    assert_int_equal(verdict(&c, "brier", MG_RULE_MIN_RELATIVE_CHANGE, 0, 0, NULL),
                     MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(verdict(&c, "roc_auc", MG_RULE_MIN_CHANGE, 0, 1, NULL),
                     MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(verdict(&c, "roc_auc", MG_RULE_MIN_CHANGE, 0, 0, NULL), MG_VERDICT_PASS);
    /* a metric the task lacks is a usage error naming the task's metrics */
    mg_compare_rule bad = {"rmse", MG_RULE_MIN_CHANGE, 0, NULL};
    mg_rule_result r;
    mg_error err;
    assert_int_equal(mg_compare_rule_check(&c, &bad, 0, &r, &err), MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "min_change: 'rmse' is not a binary metric (one of: accuracy, "));
    /* the caller's name for the rule, when it gives one */
    bad.origin = "gates.regression.rmse.min_change";
    assert_int_equal(mg_compare_rule_check(&c, &bad, 0, &r, &err), MG_ERR_USAGE);
    assert_int_equal(strncmp(err.text, "gates.regression.rmse.min_change: 'rmse' is not", 47), 0);
    /* the overall verdict is mg_verdict_worse's (tests/unit/test_gate.c) */
}

/* Binary targets over arrays owned by the test (never released). */
static mg_targets binary_targets(int64_t n, uint8_t *y, double *score, double *w) {
    mg_targets t;
    memset(&t, 0, sizeof t);
    t.task = MG_TASK_BINARY;
    t.n = n;
    t.y = y;
    t.score = score;
    t.w = w;
    t.threshold = 0.5;
    return t;
}

static void fast_path_equals_full_evaluation(void **state) {
    (void)state;
    enum { N = 257 };
    uint8_t y[N];
    double a[N], b[N], w[N];
    for (int i = 0; i < N; i++) {
        y[i] = (uint8_t)((i * 7 + 3) % 5 < 2);
        a[i] = (double)((i * 37) % 21) / 20; /* ties, 0 and 1 */
        b[i] = (double)((i * 53 + 11) % 101) / 100;
        w[i] = 0.5 + (double)(i % 4) / 4;
    }
    for (int weighted = 0; weighted < 2; weighted++) {
        mg_targets ta = binary_targets(N, y, a, weighted ? w : NULL);
        mg_targets tb = binary_targets(N, y, b, weighted ? w : NULL);
        const mg_targets *both[2] = {&ta, &tb};
        mg_compare_options o = {.level = 0.95, .replicates = 40, .seed = 3, .threads = 2};
        mg_bootstrap fast, full;
        mg_error err;
        assert_int_equal(mg__bootstrap_metrics(both, 2, &o, 0, &fast, &err), MG_OK);
        assert_int_equal(mg__bootstrap_metrics(both, 2, &o, 1, &full, &err), MG_OK);
        assert_int_equal(fast.nstats, 22);
        for (int i = 0; i < 40 * 22; i++) {
            double x = fast.samples[i], z = full.samples[i];
            if (isnan(z)) {
                assert_true(isnan(x));
                continue;
            }
            if (!(fabs(x - z) <= 1e-12 * fmax(1, fabs(z)))) {
                print_error("replicate %d, stat %d (weighted %d): fast %.17g, full %.17g\n", i / 22,
                            i % 22, weighted, x, z);
                fail();
            }
        }
        mg_bootstrap_release(&fast);
        mg_bootstrap_release(&full);
    }
}

/* evaluate --confidence for a binary model without sample weights draws one
 * Poisson(n) per (score, label) bucket instead of one Poisson(1) per row: the
 * same distribution of every metric, different draws. Weights of 1 give the
 * same metrics through the per-row path, so with B = 2000 replicates each the
 * two sets of percentile intervals must agree within the Monte Carlo error:
 * an endpoint at quantile p has standard error about sqrt(p(1-p)/B) /
 * phi(z_p) times the replicates' standard deviation (width / (2 z_p), near
 * normal here); the tolerance is 6 standard errors of the difference of two
 * independent runs. Scores repeat (41 values), so buckets hold many rows.
 * Fixed seeds: deterministic. */
static void bucket_intervals_match_rows(void **state) {
    (void)state;
    enum { N = 4000, B = 2000 };
    uint8_t *y = calloc(N, 1);
    double *sc = calloc(N, sizeof *sc), *w = calloc(N, sizeof *w);
    for (int i = 0; i < N; i++) {
        sc[i] = (double)((i * 7919) % 41) / 40;
        y[i] = (uint8_t)((double)((i * 104729) % 1000) < 150 + 700 * sc[i]);
        w[i] = 1.0;
    }
    mg_targets tb = binary_targets(N, y, sc, NULL), tr = binary_targets(N, y, sc, w);
    mg_evaluation eb, er;
    mg_error err;
    assert_int_equal(mg_evaluation_compute(&tb, &eb, &err), MG_OK);
    assert_int_equal(mg_evaluation_compute(&tr, &er, &err), MG_OK);
    mg_compare_options o = {.level = 0.95, .replicates = B, .seed = 11, .threads = 2};
    mg_metric_interval *ib = NULL, *ir = NULL;
    int nb = 0, nr = 0;
    assert_int_equal(mg_evaluation_intervals(&tb, &eb, &o, &ib, &nb, &err), MG_OK);
    assert_int_equal(mg_evaluation_intervals(&tr, &er, &o, &ir, &nr, &err), MG_OK);
    assert_int_equal(nb, nr);
    double p = 0.025, z = 1.959963984540054, phi = exp(-z * z / 2) / sqrt(2 * M_PI);
    double se_per_sd = sqrt(p * (1 - p) / B) / phi;
    int compared = 0, identical = 0;
    for (int k = 0; k < nb; k++) {
        assert_string_equal(ib[k].metric, ir[k].metric);
        assert_null(ib[k].null_reason);
        assert_null(ir[k].null_reason);
        if (strcmp(ib[k].ci.method, "bootstrap_percentile") != 0 ||
            strcmp(ir[k].ci.method, "bootstrap_percentile") != 0)
            continue; /* roc_auc: DeLong without weights */
        double sd = (ir[k].ci.high - ir[k].ci.low) / (2 * z);
        double tol = 6 * sqrt(2.0) * se_per_sd * sd;
        assert_true(sd > 1e-4);
        if (!(fabs(ib[k].ci.low - ir[k].ci.low) <= tol &&
              fabs(ib[k].ci.high - ir[k].ci.high) <= tol)) {
            print_error("%s: buckets [%.6f, %.6f], rows [%.6f, %.6f], tolerance %.6f\n",
                        ib[k].metric, ib[k].ci.low, ib[k].ci.high, ir[k].ci.low, ir[k].ci.high,
                        tol);
            fail();
        }
        identical += ib[k].ci.low == ir[k].ci.low && ib[k].ci.high == ir[k].ci.high;
        compared++;
    }
    /* balanced_accuracy, f1, mcc, pr_auc, log_loss, brier, ece, mce */
    assert_int_equal(compared, 8);
    assert_true(identical < compared); /* the two paths really drew differently */
    free(ib);
    free(ir);
    mg_evaluation_release(&eb);
    mg_evaluation_release(&er);
    free(y);
    free(sc);
    free(w);
}

/* The bucket walk against the definitions, replicate by replicate: the
 * bucket weights are rebuilt from their documented draws (buckets in
 * descending score, negatives before positives, one mg__poisson_count per
 * bucket from the replicate key's stream), then the ROC AUC as the share of
 * (positive, negative) weight pairs ranked right (ties half, O(B^2)), the
 * average precision as the weighted mean over positives of the precision at
 * their score, and the log loss; with and without the AUC's sum. */
static void bucket_walk_definitions(void **state) {
    (void)state;
    enum { N = 600, R = 40, S = 13 };
    uint8_t y[N];
    double sc[N];
    for (int i = 0; i < N; i++) {
        sc[i] = (double)((i * 7919) % S) / (S - 1);
        y[i] = (uint8_t)((i * 104729) % 1000 < 200 + 600 * sc[i]);
    }
    sc[0] = 1.0; /* a score with positives only */
    y[0] = 1;
    mg_targets t = binary_targets(N, y, sc, NULL);
    mg_bootstrap_options bo = {.replicates = R, .seed = 5, .threads = 2};
    mg_bootstrap with, without;
    mg_error err;
    assert_int_equal(mg__bootstrap_buckets(&t, &bo, 1, &with, &err), MG_OK);
    assert_int_equal(mg__bootstrap_buckets(&t, &bo, 0, &without, &err), MG_OK);
    /* buckets: score s = (S - 1 - g) / (S - 1) descending, label 0 then 1 */
    int64_t cnt[S][2] = {{0}};
    for (int i = 0; i < N; i++)
        cnt[S - 1 - (int)lround(sc[i] * (S - 1))][y[i]]++;
    for (int r = 0; r < R; r++) {
        uint64_t rng = mg_bootstrap_key(5, r);
        double wt[S][2];
        for (int g = 0; g < S; g++)
            for (int c = 0; c < 2; c++)
                wt[g][c] = cnt[g][c] > 0 ? (double)mg__poisson_count(&rng, cnt[g][c]) : 0;
        double good = 0, pairs = 0, pos = 0, apsum = 0, tp = 0, fp = 0, loss = 0, total = 0;
        for (int g = 0; g < S; g++) {
            double s = (double)(S - 1 - g) / (S - 1);
            for (int h = 0; h < S; h++) {
                good += wt[g][1] * wt[h][0] * (g < h ? 1.0 : g == h ? 0.5 : 0.0);
                pairs += wt[g][1] * wt[h][0];
            }
            tp += wt[g][1];
            fp += wt[g][0];
            pos += wt[g][1];
            if (wt[g][1] > 0)
                apsum += wt[g][1] * tp / (tp + fp);
            double cs = fmin(fmax(s, DBL_EPSILON), 1 - DBL_EPSILON);
            loss += wt[g][1] * -log(cs) + wt[g][0] * -log(1 - cs);
            total += wt[g][0] + wt[g][1];
        }
        const double *v = with.samples + (size_t)r * MG__BUCKET_STATS;
        const double *u = without.samples + (size_t)r * MG__BUCKET_STATS;
        assert_true(fabs(v[7] - good / pairs) < 1e-12);
        assert_true(isnan(u[7]));
        assert_true(fabs(v[8] - apsum / pos) < 1e-12);
        assert_true(fabs(v[9] - loss / total) < 1e-12);
        for (int k = 0; k < MG__BUCKET_STATS; k++)
            if (k != 7)
                assert_true(memcmp(&v[k], &u[k], sizeof v[k]) == 0);
    }
    mg_bootstrap_release(&with);
    mg_bootstrap_release(&without);
}

static void regression_fast_path(void **state) {
    (void)state;
    enum { N = 203 };
    double y[N], a[N], b[N], w[N];
    for (int i = 0; i < N; i++) {
        y[i] = 1000 + (double)((i * 17) % 23); /* a large offset: R^2 must not cancel */
        a[i] = y[i] + (double)((i * 7) % 9 - 4) / 4;
        b[i] = y[i] + (double)((i * 5) % 11 - 3) / 3;
        w[i] = 0.25 + (double)(i % 3) / 2;
    }
    for (int weighted = 0; weighted < 2; weighted++) {
        mg_targets ta, tb;
        memset(&ta, 0, sizeof ta);
        ta.task = MG_TASK_REGRESSION;
        ta.n = N;
        ta.yr = y;
        ta.pr = a;
        ta.w = weighted ? w : NULL;
        tb = ta;
        tb.pr = b;
        const mg_targets *both[2] = {&ta, &tb};
        mg_compare_options o = {.level = 0.95, .replicates = 30, .seed = 9, .threads = 2};
        mg_bootstrap fast, full;
        mg_error err;
        assert_int_equal(mg__bootstrap_metrics(both, 2, &o, 0, &fast, &err), MG_OK);
        assert_int_equal(mg__bootstrap_metrics(both, 2, &o, 1, &full, &err), MG_OK);
        assert_int_equal(fast.nstats, 14);
        for (int r = 0; r < 30; r++) {
            uint64_t key = mg_bootstrap_key(9, r);
            for (int s = 0; s < 14; s++) {
                double x = fast.samples[r * 14 + s], z = full.samples[r * 14 + s];
                if (s / 2 == 5) {
                    /* max_error: the largest error among the rows drawn */
                    const double *pred = s % 2 ? b : a;
                    z = 0;
                    for (int i = 0; i < N; i++)
                        if (mg_bootstrap_weight(key, i) > 0 && (!weighted || w[i] > 0))
                            z = fmax(z, fabs(pred[i] - y[i]));
                }
                if (!(fabs(x - z) <= 1e-10 * fmax(1, fabs(z)))) {
                    print_error("replicate %d, stat %d (weighted %d): fast %.17g, full %.17g\n", r,
                                s, weighted, x, z);
                    fail();
                }
            }
        }
        mg_bootstrap_release(&fast);
        mg_bootstrap_release(&full);
    }
}

static void misaligned_targets(void **state) {
    (void)state;
    uint8_t y1[4] = {1, 0, 1, 0}, y2[4] = {1, 0, 0, 0};
    double s[4] = {0.9, 0.2, 0.6, 0.4};
    mg_targets a = binary_targets(4, y1, s, NULL), b = binary_targets(4, y2, s, NULL);
    mg_comparison c;
    mg_error err;
    assert_int_equal(mg_comparison_compute(&a, &b, NULL, &c, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "row 3: the label or weight differs between the new model's "
                                  "and the baseline's data");
    b = binary_targets(3, y1, s, NULL);
    assert_int_equal(mg_comparison_compute(&a, &b, NULL, &c, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "has 4 rows but the baseline 3"));
}

static void compare_identical_models(void **state) {
    (void)state;
    enum { N = 120 };
    uint8_t y[N];
    double s[N];
    for (int i = 0; i < N; i++) {
        y[i] = (uint8_t)(i % 3 == 0);
        s[i] = (double)((i * 29) % 50) / 49;
    }
    mg_targets a = binary_targets(N, y, s, NULL);
    mg_comparison c;
    mg_error err;
    mg_compare_options o = {.replicates = 50, .seed = 1};
    assert_int_equal(mg_comparison_compute(&a, &a, &o, &c, &err), MG_OK);
    assert_true(c.options.level == 0.95);
    /* every difference is 0: McNemar has no discordant rows, DeLong no variance */
    const mg_metric_delta *acc = mg_comparison_delta(&c, "accuracy");
    assert_string_equal(acc->test.test, "mcnemar_exact");
    assert_true(acc->delta.v == 0 && acc->test.p_value == 1);
    const mg_metric_delta *auc = mg_comparison_delta(&c, "roc_auc");
    assert_string_equal(auc->test.test, "delong");
    assert_true(auc->test.p_value == 1 && auc->test.ci_low == 0 && auc->test.ci_high == 0);
    const mg_metric_delta *f1 = mg_comparison_delta(&c, "f1");
    assert_string_equal(f1->test.test, "paired_bootstrap");
    assert_true(f1->test.ci_low == 0 && f1->test.ci_high == 0 && f1->test.p_value == 1);
    assert_null(mg_comparison_delta(&c, "rmse"));
    mg_comparison_release(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules_point_and_interval),
        cmocka_unit_test(fast_path_equals_full_evaluation),
        cmocka_unit_test(regression_fast_path),
        cmocka_unit_test(bucket_intervals_match_rows),
        cmocka_unit_test(bucket_walk_definitions),
        cmocka_unit_test(misaligned_targets),
        cmocka_unit_test(compare_identical_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
