/* test_metrics.c - binary, multiclass and regression metrics on small cases
 * computed by hand (the arithmetic is in the comments), every undefined case,
 * the input errors, and the radix sort behind AUC and the median. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "metrics/metrics_internal.h"
#include "modelgate/metrics.h"

#define EPS 1e-12

static void assert_value(mg_value v, double expected) {
    if (v.null_reason != NULL)
        fail_msg("expected %.17g, got null (%s)", expected, v.null_reason);
    if (fabs(v.v - expected) > EPS * fmax(1.0, fabs(expected)))
        fail_msg("expected %.17g, got %.17g", expected, v.v);
}

static void assert_undefined(mg_value v, const char *reason_part) {
    if (v.null_reason == NULL)
        fail_msg("expected null (%s), got %.17g", reason_part, v.v);
    if (strstr(v.null_reason, reason_part) == NULL)
        fail_msg("null reason \"%s\" lacks \"%s\"", v.null_reason, reason_part);
}

/* ---- binary ---------------------------------------------------------------- */

/*  row    1    2    3    4    5    6
 *  y      1    1    0    1    0    0
 *  score 0.9  0.4  0.6  0.7  0.2  0.4     predicted (> 0.5): 1 0 1 1 0 0
 * TP = rows 1,4 = 2; FN = row 2 = 1; FP = row 3 = 1; TN = rows 5,6 = 2. */
static const uint8_t Y6[] = {1, 1, 0, 1, 0, 0};
static const double S6[] = {0.9, 0.4, 0.6, 0.7, 0.2, 0.4};

static void binary_unweighted(void **state) {
    (void)state;
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(Y6, S6, NULL, 6, 0.5, &m, &err), MG_OK);
    assert_int_equal(m.n, 6);
    assert_true(m.weight_sum == 6 && m.threshold == 0.5);
    assert_true(m.tp == 2 && m.fn == 1 && m.fp == 1 && m.tn == 2);
    assert_value(m.accuracy, 4.0 / 6);    /* (TP + TN) / n */
    assert_value(m.precision, 2.0 / 3);   /* 2 / (2 + 1) */
    assert_value(m.recall, 2.0 / 3);      /* 2 / (2 + 1) */
    assert_value(m.specificity, 2.0 / 3); /* 2 / (2 + 1) */
    assert_value(m.f1, 2.0 / 3);          /* 2*2 / (2*2 + 1 + 1) */
    assert_value(m.balanced_accuracy, 2.0 / 3);
    assert_value(m.mcc, 1.0 / 3); /* (2*2 - 1*1) / sqrt(3*3*3*3) = 3/9 */
    /* Positives 0.9, 0.7, 0.4 against negatives 0.6, 0.4, 0.2: 0.9 and 0.7
     * beat all three (3 + 3); 0.4 beats 0.2 and ties 0.4 (1 + 0.5), so
     * 7.5 / 9 pairs. */
    assert_value(m.roc_auc, 7.5 / 9);
    /* Thresholds 0.9: P=1 R=1/3; 0.7: P=1 R=2/3; 0.6: no recall step;
     * 0.4: TP=3 FP=2, P=3/5 R=1. AP = 1/3 + 1/3 + 1/3 * 3/5 = 13/15. */
    assert_value(m.pr_auc, 13.0 / 15);
    /* -mean log of the true class's probability: .9 .4 (1-.6) .7 (1-.2) (1-.4) */
    assert_value(m.log_loss,
                 -(log(0.9) + log(0.4) + log(0.4) + log(0.7) + log(0.8) + log(0.6)) / 6);
    /* (.1² + .6² + .6² + .3² + .2² + .4²) / 6 = 1.02 / 6 */
    assert_value(m.brier, 1.02 / 6);
}

static void binary_weighted(void **state) {
    (void)state;
    /* Weights 2 1 1 0 3 1 (W = 8): TP = 2 (row 1) + 0 (row 4); FN = 1; FP = 1;
     * TN = 3 + 1 = 4. */
    const double w[] = {2, 1, 1, 0, 3, 1};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(Y6, S6, w, 6, 0.5, &m, &err), MG_OK);
    assert_true(m.weight_sum == 8);
    assert_true(m.tp == 2 && m.fn == 1 && m.fp == 1 && m.tn == 4);
    assert_value(m.accuracy, 6.0 / 8);
    assert_value(m.precision, 2.0 / 3);
    assert_value(m.recall, 2.0 / 3);
    assert_value(m.specificity, 4.0 / 5);
    assert_value(m.f1, 4.0 / 6);
    assert_value(m.balanced_accuracy, (2.0 / 3 + 4.0 / 5) / 2);
    assert_value(m.mcc, 7.0 / 15); /* (2*4 - 1*1) / sqrt(3*3*5*5) */
    /* Positive weight 2 at 0.9 beats all negative weight 5 (10); weight 1 at
     * 0.4 beats 3 at 0.2 and ties 1 at 0.4 (3.5); the weight-0 positive adds
     * nothing. 13.5 / (3 * 5). */
    assert_value(m.roc_auc, 13.5 / 15);
    /* 0.9: P=1, R=2/3; 0.7 adds no positive weight; 0.4: P=3/5, R=1. */
    assert_value(m.pr_auc, 2.0 / 3 + 1.0 / 3 * 3.0 / 5);
    assert_value(m.log_loss, -(2 * log(0.9) + log(0.4) + log(0.4) + 3 * log(0.8) + log(0.6)) / 8);
    assert_value(m.brier, (2 * 0.01 + 0.36 + 0.36 + 3 * 0.04 + 0.16) / 8);
}

static void binary_threshold_and_clipping(void **state) {
    (void)state;
    /* A score equal to the threshold is predicted negative; scores 0 and 1
     * are clipped to eps and 1-eps for log loss. */
    const uint8_t y[] = {1, 0, 1};
    const double s[] = {0.5, 0.0, 1.0};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 3, 0.5, &m, &err), MG_OK);
    assert_true(m.tp == 1 && m.fn == 1 && m.tn == 1 && m.fp == 0);
    /* -(log .5 + log(1 - eps) + log(1 - eps)) / 3 */
    assert_value(m.log_loss, -(log(0.5) + 2 * log(1 - DBL_EPSILON)) / 3);
    /* All wrong with certainty: -log(eps) per row. */
    const double s_bad[] = {0.0, 1.0, 0.0};
    assert_int_equal(mg_binary_metrics_compute(y, s_bad, NULL, 3, 0.5, &m, &err), MG_OK);
    assert_value(m.log_loss, -log(DBL_EPSILON));
    assert_value(m.accuracy, 0);
    assert_value(m.roc_auc, 0); /* both positives score below the negative */
}

static void binary_only_negatives(void **state) {
    (void)state;
    /* y 0 0 0, scores .2 .7 .4: TP = FN = 0, FP = 1, TN = 2. */
    const uint8_t y[] = {0, 0, 0};
    const double s[] = {0.2, 0.7, 0.4};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 3, 0.5, &m, &err), MG_OK);
    assert_value(m.accuracy, 2.0 / 3);
    assert_value(m.precision, 0); /* 0 / 1: defined, the one positive call is wrong */
    assert_undefined(m.recall, "no rows of the positive class");
    assert_value(m.f1, 0); /* 2*0 / (0 + 1 + 0) */
    assert_value(m.specificity, 2.0 / 3);
    assert_undefined(m.balanced_accuracy, "no rows of the positive class");
    assert_undefined(m.mcc, "no rows of the positive class");
    assert_undefined(m.roc_auc, "no rows of the positive class");
    assert_undefined(m.pr_auc, "no rows of the positive class");
    assert_value(m.brier, (0.04 + 0.49 + 0.16) / 3);
}

static void binary_only_positives(void **state) {
    (void)state;
    /* y 1 1, scores .8 .3: TP = 1, FN = 1. */
    const uint8_t y[] = {1, 1};
    const double s[] = {0.8, 0.3};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 2, 0.5, &m, &err), MG_OK);
    assert_value(m.precision, 1);
    assert_value(m.recall, 0.5);
    assert_undefined(m.specificity, "no rows of the negative class");
    assert_undefined(m.balanced_accuracy, "no rows of the negative class");
    assert_undefined(m.mcc, "no rows of the negative class");
    assert_undefined(m.roc_auc, "no rows of the negative class");
    /* Precision is 1 at both thresholds, so AP = 1/2 * 1 + 1/2 * 1. */
    assert_value(m.pr_auc, 1);
}

static void binary_no_predicted_positives(void **state) {
    (void)state;
    /* y 1 0, scores .3 .1: TP = 0, FN = 1, FP = 0, TN = 1. */
    const uint8_t y[] = {1, 0};
    const double s[] = {0.3, 0.1};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 2, 0.5, &m, &err), MG_OK);
    assert_undefined(m.precision, "no rows are predicted positive");
    assert_value(m.recall, 0);
    assert_value(m.f1, 0); /* 0 / (0 + 0 + 1): a model that never says yes scores 0 */
    assert_undefined(m.mcc, "no rows are predicted positive");
    assert_value(m.roc_auc, 1);
    assert_value(m.balanced_accuracy, 0.5); /* (0 + 1) / 2 */
    /* All predicted positive instead: MCC's other marginal is zero. */
    const double hi[] = {0.9, 0.8};
    assert_int_equal(mg_binary_metrics_compute(y, hi, NULL, 2, 0.5, &m, &err), MG_OK);
    assert_undefined(m.mcc, "no rows are predicted negative");
    assert_value(m.precision, 0.5);
}

static void binary_f1_undefined(void **state) {
    (void)state;
    /* No positive rows and none predicted positive: 2TP + FP + FN = 0. */
    const uint8_t y[] = {0, 0};
    const double s[] = {0.1, 0.2};
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 2, 0.5, &m, &err), MG_OK);
    assert_undefined(m.f1, "none predicted positive");
    assert_undefined(m.precision, "no rows are predicted positive");
    assert_value(m.accuracy, 1);
    /* Positive rows that weigh nothing count as no positive rows. */
    const uint8_t y2[] = {1, 0};
    const double w[] = {0, 1};
    assert_int_equal(mg_binary_metrics_compute(y2, s, w, 2, 0.5, &m, &err), MG_OK);
    assert_undefined(m.recall, "no rows of the positive class");
    assert_undefined(m.roc_auc, "no rows of the positive class");
}

static void binary_errors(void **state) {
    (void)state;
    mg_binary_metrics m;
    mg_error err;
    const uint8_t y[] = {1, 0, 1};
    const double nan_s[] = {0.1, 0.2, NAN};
    assert_int_equal(mg_binary_metrics_compute(y, nan_s, NULL, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3"));
    const double big[] = {0.1, 1.5, 0.2};
    assert_int_equal(mg_binary_metrics_compute(y, big, NULL, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: score 1.5"));
    const double neg_s[] = {-0.01, 0.5, 0.2};
    assert_int_equal(mg_binary_metrics_compute(y, neg_s, NULL, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 1"));
    const double s[] = {0.1, 0.2, 0.3};
    const double neg_w[] = {1, -1, 1};
    assert_int_equal(mg_binary_metrics_compute(y, s, neg_w, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: weight -1"));
    const double nan_w[] = {1, 1, NAN};
    assert_int_equal(mg_binary_metrics_compute(y, s, nan_w, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3"));
    const double inf_w[] = {INFINITY, 1, 1};
    assert_int_equal(mg_binary_metrics_compute(y, s, inf_w, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 1"));
    const double zero_w[] = {0, 0, 0};
    assert_int_equal(mg_binary_metrics_compute(y, s, zero_w, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "weights of all 3 rows are zero"));
    const uint8_t bad_y[] = {1, 2, 0};
    assert_int_equal(mg_binary_metrics_compute(bad_y, s, NULL, 3, 0.5, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: label 2"));
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 0, 0.5, &m, &err), MG_ERR_DATA);
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, 3, NAN, &m, &err), MG_ERR_USAGE);
}

/* Y6/S6 in calibration_curve's 10 uniform bins (low < s <= high): 0.2 in
 * (0.1, 0.2], both 0.4 in (0.3, 0.4] (one positive), 0.6 in (0.5, 0.6],
 * 0.7 in (0.6, 0.7], 0.9 in (0.8, 0.9]. Gaps |rate - mean|: 0.2, 0.1, 0.6,
 * 0.3, 0.1, so ECE = (0.2 + 2 * 0.1 + 0.6 + 0.3 + 0.1) / 6 and MCE = 0.6. */
static void calibration_bins(void **state) {
    (void)state;
    mg_calibration c;
    mg_error err;
    assert_int_equal(mg_calibration_compute(Y6, S6, NULL, 6, 10, 0.95, &c, &err), MG_OK);
    assert_int_equal(c.uniform.nonempty, 5);
    assert_value(c.uniform.ece, 1.4 / 6);
    assert_value(c.uniform.mce, 0.6);
    const double mean[] = {0.2, 0.4, 0.6, 0.7, 0.9}, rate[] = {0, 0.5, 0, 1, 1};
    const int64_t count[] = {1, 2, 1, 1, 1};
    for (int b = 0; b < 5; b++) {
        assert_value(mg_value_of(c.uniform.bins[b].mean_score), mean[b]);
        assert_value(mg_value_of(c.uniform.bins[b].observed_rate), rate[b]);
        assert_int_equal(c.uniform.bins[b].count, count[b]);
        assert_true(c.uniform.bins[b].ci_low <= rate[b] && rate[b] <= c.uniform.bins[b].ci_high);
    }
    assert_true(c.uniform.bins[0].low == 0.1 && c.uniform.bins[0].high == 0.2);
    /* Wilson at 95% for 1 of 2: 0.5 -+ ... = [0.0945, 0.9055] */
    assert_true(fabs(c.uniform.bins[1].ci_low - 0.094531205734230) < 1e-12);
    /* the summary the gates read is the same number */
    mg_calibration_metrics cm;
    mg_calibration_metrics_compute(Y6, S6, NULL, NULL, 0, NULL, 6, &cm);
    assert_true(cm.ece.v == c.uniform.ece.v && cm.mce.v == c.uniform.mce.v);
    assert_null(c.slope.null_reason);
    assert_true(cm.calibration_slope.v == c.slope.v);
    mg_calibration_release(&c);
    /* Quantile edges of 6 scores {0.2, 0.4, 0.4, 0.6, 0.7, 0.9} at 0, 10, ...
     * 100%: 0.2, 0.3, 0.4, 0.4, 0.4, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9; the
     * non-empty bins: 0.2 | 0.4 0.4 | 0.6 | 0.7 | 0.9. */
    assert_int_equal(mg_calibration_compute(Y6, S6, NULL, 6, 10, 0.95, &c, &err), MG_OK);
    assert_int_equal(c.quantile.nonempty, 5);
    assert_int_equal(c.quantile.bins[1].count, 2);
    assert_value(c.quantile.ece, 1.4 / 6);
    mg_calibration_release(&c);
    /* one class: errors defined, no fit */
    const uint8_t ones[] = {1, 1, 1};
    assert_int_equal(mg_calibration_compute(ones, S6, NULL, 3, 10, 0.95, &c, &err), MG_OK);
    assert_undefined(c.slope, "one class");
    assert_null(c.uniform.ece.null_reason);
    mg_calibration_release(&c);
    /* separated classes: the fit does not converge */
    const uint8_t ys[] = {0, 0, 1, 1};
    const double ss[] = {0.1, 0.2, 0.8, 0.9};
    assert_int_equal(mg_calibration_compute(ys, ss, NULL, 4, 10, 0.95, &c, &err), MG_OK);
    assert_undefined(c.intercept, "separates the classes");
    mg_calibration_release(&c);
    assert_int_equal(mg_calibration_compute(Y6, S6, NULL, 6, 0, 0.95, &c, &err), MG_ERR_USAGE);
    assert_int_equal(mg_calibration_compute(Y6, S6, NULL, 6, 10, 1.0, &c, &err), MG_ERR_USAGE);
    const double bad[] = {0.1, 0.2, 2.0};
    assert_int_equal(mg_calibration_compute(Y6, bad, NULL, 3, 10, 0.95, &c, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3"));
    /* top label: confidences 0.7 (right), 0.5 (wrong), 0.9 (right) */
    const int32_t yc[] = {0, 2, 1};
    const double p[] = {0.7, 0.2, 0.1, 0.5, 0.3, 0.2, 0.05, 0.9, 0.05};
    assert_int_equal(mg_calibration_top_label_compute(yc, p, NULL, 3, 3, 10, 0.95, &c, &err),
                     MG_OK);
    assert_int_equal(c.uniform.nonempty, 3);
    assert_value(c.uniform.ece, (0.5 + 0.3 + 0.1) / 3);
    assert_value(c.uniform.mce, 0.5);
    assert_undefined(c.slope, "binary");
    mg_calibration_release(&c);
}

/* Y6/S6: distinct scores from the top, with cumulative TP/FP (P = N = 3):
 *   0.9: 1/0 -> tpr 1/3 fpr 0   precision 1
 *   0.7: 2/0 -> tpr 2/3 fpr 0   precision 1
 *   0.6: 2/1 -> tpr 2/3 fpr 1/3 precision 2/3
 *   0.4: 3/2 -> tpr 1   fpr 2/3 precision 3/5
 *   0.2: 3/3 -> tpr 1   fpr 1   precision 1/2
 * roc_curve(drop_intermediate=True) drops none of them (no two equal steps
 * in a row) and puts (0, 0) at +inf first; precision_recall_curve lists them
 * by ascending threshold and ends at recall 0, precision 1. */
static int cmp_dbl(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Quantile bin edges on large inputs, where they come from a histogram of
 * the scores (many distinct scores) or from a selection over a copy (three
 * scores shared by millions of rows): each nonempty bin's edges are two
 * consecutive edges numpy.percentile's 'linear' method gives on the fully
 * sorted scores, computed here with qsort. */
static void calibration_quantile_edges_large(void **state) {
    (void)state;
    const int64_t sizes[] = {(int64_t)1 << 21, 3000000};
    for (int c = 0; c < 2; c++) {
        int64_t n = sizes[c];
        double *score = malloc((size_t)n * sizeof *score);
        double *sorted = malloc((size_t)n * sizeof *sorted);
        uint8_t *y = malloc((size_t)n);
        assert_non_null(score);
        assert_non_null(sorted);
        assert_non_null(y);
        for (int64_t i = 0; i < n; i++) {
            uint64_t h = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
            score[i] = c == 0 ? (double)(h % 1000000 + 1) / 1e6 : 0.25 * (double)(1 + h % 3);
            y[i] = (uint8_t)((h >> 20) & 1);
            sorted[i] = score[i];
        }
        qsort(sorted, (size_t)n, sizeof *sorted, cmp_dbl);
        double edges[11];
        for (int k = 0; k <= 10; k++) {
            double q = (k >= 10 ? 1.0 : (double)k * (1.0 / 10.0)) * 100.0 / 100.0;
            double virt = (double)(n - 1) * q;
            if (virt >= (double)(n - 1)) {
                edges[k] = sorted[n - 1];
                continue;
            }
            double prev = floor(virt), gamma = virt - prev;
            double a = sorted[(int64_t)prev], b = sorted[(int64_t)prev + 1];
            edges[k] = gamma >= 0.5 ? b - (b - a) * (1 - gamma) : a + (b - a) * gamma;
        }
        mg_calibration cal;
        mg_error err = {0};
        assert_int_equal(mg_calibration_bins_compute(y, score, NULL, n, 10, 0.95, &cal, &err),
                         MG_OK);
        assert_true(cal.quantile.nonempty >= (c == 0 ? 10 : 3));
        int64_t rows = 0;
        for (int b = 0; b < cal.quantile.nonempty; b++) {
            const mg_reliability_bin *r = &cal.quantile.bins[b];
            bool found = false;
            for (int k = 0; k < 10 && !found; k++)
                found = r->low == edges[k] && r->high == edges[k + 1];
            assert_true(found);
            rows += r->count;
        }
        assert_int_equal(rows, n);
        if (c == 0)
            for (int b = 0; b < 10; b++)
                assert_true(cal.quantile.bins[b].low == edges[b] &&
                            cal.quantile.bins[b].high == edges[b + 1]);
        mg_calibration_release(&cal);
        free(score);
        free(sorted);
        free(y);
    }
}

static void binary_curves(void **state) {
    (void)state;
    mg_binary_curves c;
    mg_error err;
    assert_int_equal(mg_binary_curves_compute(Y6, S6, NULL, 6, 100, &c, &err), MG_OK);
    assert_null(c.roc.null_reason);
    assert_int_equal(c.roc.points, 6);
    assert_int_equal(c.roc.of, 6);
    const double thr[] = {INFINITY, 0.9, 0.7, 0.6, 0.4, 0.2};
    const double tpr[] = {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1};
    const double fpr[] = {0, 0, 0, 1.0 / 3, 2.0 / 3, 1};
    for (int i = 0; i < 6; i++) {
        assert_true(c.roc.threshold[i] == thr[i]);
        assert_value(mg_value_of(c.roc.y[i]), tpr[i]);
        assert_value(mg_value_of(c.roc.x[i]), fpr[i]);
    }
    assert_int_equal(c.pr.points, 6);
    const double pthr[] = {0.2, 0.4, 0.6, 0.7, 0.9};
    const double prec[] = {0.5, 3.0 / 5, 2.0 / 3, 1, 1, 1};
    const double rec[] = {1, 1, 2.0 / 3, 2.0 / 3, 1.0 / 3, 0};
    for (int i = 0; i < 6; i++) {
        assert_value(mg_value_of(c.pr.y[i]), prec[i]);
        assert_value(mg_value_of(c.pr.x[i]), rec[i]);
        if (i < 5)
            assert_true(c.pr.threshold[i] == pthr[i]);
    }
    assert_true(isnan(c.pr.threshold[5]));
    mg_binary_curves_release(&c);
    /* Three points of six: the ends and the one farthest from their chord
     * (0, 0)-(1, 1): (0, 2/3) at 0.7 (distance 2/3 / sqrt 2; (1/3, 2/3) is
     * at 1/3 / sqrt 2). */
    assert_int_equal(mg_binary_curves_compute(Y6, S6, NULL, 6, 3, &c, &err), MG_OK);
    assert_int_equal(c.roc.points, 3);
    assert_int_equal(c.roc.of, 6);
    assert_true(isinf(c.roc.threshold[0]) && c.roc.threshold[1] == 0.7 &&
                c.roc.threshold[2] == 0.2);
    assert_int_equal(c.pr.points, 3);
    mg_binary_curves_release(&c);
    /* Weights 2 1 1 0 3 1 (P = 3, N = 5): the row at 0.7 weighs 0 and is
     * left out as scikit-learn does, so 0.7 is no threshold. */
    const double w[] = {2, 1, 1, 0, 3, 1};
    assert_int_equal(mg_binary_curves_compute(Y6, S6, w, 6, 100, &c, &err), MG_OK);
    assert_int_equal(c.pr.of, 5);
    assert_true(c.roc.threshold[1] == 0.9 && c.roc.threshold[2] == 0.6);
    assert_value(mg_value_of(c.roc.y[1]), 2.0 / 3);
    assert_value(mg_value_of(c.roc.x[3]), 2.0 / 5); /* 0.4: FP = 1 + 1 */
    mg_binary_curves_release(&c);
    /* One class: no ROC curve; the PR curve needs positives only. */
    const uint8_t ones[] = {1, 1};
    assert_int_equal(mg_binary_curves_compute(ones, S6, NULL, 2, 100, &c, &err), MG_OK);
    assert_int_equal(c.roc.points, 0);
    assert_undefined(mg_value_null(c.roc.null_reason), "no rows of the negative class");
    assert_null(c.pr.null_reason);
    assert_int_equal(c.pr.points, 3);
    mg_binary_curves_release(&c);
    const uint8_t zeros[] = {0, 0};
    assert_int_equal(mg_binary_curves_compute(zeros, S6, NULL, 2, 100, &c, &err), MG_OK);
    assert_undefined(mg_value_null(c.pr.null_reason), "no rows of the positive class");
    mg_binary_curves_release(&c);
    assert_int_equal(mg_binary_curves_compute(Y6, S6, NULL, 6, 1, &c, &err), MG_ERR_USAGE);
    const double bad[] = {0.1, 0.2, 2.0};
    assert_int_equal(mg_binary_curves_compute(Y6, bad, NULL, 3, 10, &c, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3"));
}

/* ---- multiclass ------------------------------------------------------------ */

static void multiclass_predicted(void **state) {
    (void)state;
    /*  y    0 0 1 1 2 2 2
     *  pred 0 1 1 1 2 0 2
     * confusion (row = true): [1 1 0] [0 2 0] [1 0 2]; trace 5 of 7.
     * class 0: TP 1, predicted 2, support 2: P .5,  R .5,  F1 2/(2+2) = .5
     * class 1: TP 2, predicted 3, support 2: P 2/3, R 1,   F1 4/(2+3) = .8
     * class 2: TP 2, predicted 2, support 3: P 1,   R 2/3, F1 4/(3+2) = .8 */
    const int32_t y[] = {0, 0, 1, 1, 2, 2, 2};
    const int32_t pred[] = {0, 1, 1, 1, 2, 0, 2};
    mg_multiclass_metrics m;
    mg_error err;
    assert_int_equal(mg_multiclass_metrics_compute(y, pred, NULL, NULL, 7, 3, &m, &err), MG_OK);
    const double cm[] = {1, 1, 0, 0, 2, 0, 1, 0, 2};
    for (int i = 0; i < 9; i++)
        assert_true(m.confusion[i] == cm[i]);
    assert_value(m.accuracy, 5.0 / 7);
    assert_value(m.per_class[0].precision, 0.5);
    assert_value(m.per_class[1].precision, 2.0 / 3);
    assert_value(m.per_class[2].recall, 2.0 / 3);
    assert_value(m.per_class[1].f1, 0.8);
    assert_true(m.per_class[2].support == 3);
    assert_value(m.precision_macro, (0.5 + 2.0 / 3 + 1) / 3); /* 13/18 */
    assert_value(m.recall_macro, (0.5 + 1 + 2.0 / 3) / 3);
    assert_value(m.balanced_accuracy, 13.0 / 18);
    assert_value(m.f1_macro, (0.5 + 0.8 + 0.8) / 3);
    assert_value(m.precision_weighted, (2 * 0.5 + 2 * 2.0 / 3 + 3 * 1) / 7); /* 16/21 */
    assert_value(m.recall_weighted, 5.0 / 7);                                /* (1+2+2)/7 */
    assert_value(m.f1_weighted, (2 * 0.5 + 2 * 0.8 + 3 * 0.8) / 7);          /* 5/7 */
    assert_value(m.precision_micro, 5.0 / 7);
    assert_value(m.recall_micro, 5.0 / 7);
    assert_value(m.f1_micro, 5.0 / 7);
    assert_undefined(m.roc_auc_ovr, "no class probabilities");
    assert_undefined(m.log_loss, "no class probabilities");
    mg_multiclass_metrics_release(&m);

    /* Weights 1 2 1 1 1 1 0: row 2 (true 0, predicted 1) counts twice and
     * row 7 not at all. Confusion [1 2 0] [0 2 0] [1 0 1], W = 7, trace 4. */
    const double w[] = {1, 2, 1, 1, 1, 1, 0};
    assert_int_equal(mg_multiclass_metrics_compute(y, pred, NULL, w, 7, 3, &m, &err), MG_OK);
    assert_true(m.confusion[1] == 2 && m.confusion[8] == 1);
    assert_value(m.accuracy, 4.0 / 7);
    /* class 0: P 1/2, R 1/3; class 1: P 2/4, R 1; class 2: P 1, R 1/2 */
    assert_value(m.recall_macro, (1.0 / 3 + 1 + 0.5) / 3);
    assert_value(m.precision_macro, (0.5 + 0.5 + 1) / 3);
    assert_true(m.per_class[0].support == 3);
    mg_multiclass_metrics_release(&m);
}

static void multiclass_probabilities(void **state) {
    (void)state;
    /* y = 0 1 2 1; argmax: 0, 1, 1, 0 (row 4 ties .4/.4: the first wins). */
    const int32_t y[] = {0, 1, 2, 1};
    const double p[] = {0.7, 0.2, 0.1, /**/ 0.1, 0.6, 0.3, /**/ 0.2, 0.5, 0.3, /**/ 0.4, 0.4, 0.2};
    mg_multiclass_metrics m;
    mg_error err;
    assert_int_equal(mg_multiclass_metrics_compute(y, NULL, p, NULL, 4, 3, &m, &err), MG_OK);
    assert_value(m.accuracy, 0.5);
    /* -mean log p(true): .7 .6 .3 .4 */
    assert_value(m.log_loss, -(log(0.7) + log(0.6) + log(0.3) + log(0.4)) / 4);
    /* One vs rest. class 0: .7 beats .1 .2 .4 -> 1. class 1: positives .6, .4
     * against .2, .5: .6 beats both, .4 beats .2 -> 3/4. class 2: .3 beats
     * .1 .2 and ties .3 -> 2.5/3. Macro: (1 + 3/4 + 5/6) / 3 = 31/36. */
    assert_value(m.roc_auc_ovr, 31.0 / 36);
    /* Class 2 is never predicted: its precision is undefined, and so are the
     * macro and (as it has a row) weighted precision. */
    assert_undefined(m.per_class[2].precision, "no rows are predicted as this class");
    assert_undefined(m.precision_macro, "undefined for some class");
    assert_undefined(m.precision_weighted, "undefined for some class");
    /* recall: 1, 1/2, 0; F1: 2/(1+2), 2/(2+2), 0/(1+0) */
    assert_value(m.recall_macro, 0.5);
    assert_value(m.f1_macro, (2.0 / 3 + 0.5 + 0) / 3);
    assert_value(m.per_class[2].f1, 0);
    mg_multiclass_metrics_release(&m);

    /* Rows that do not sum to 1 are renormalised after clipping, as in
     * scikit-learn: [.2 .2 0] -> [.2 .2 eps] / (.4 + eps). */
    const int32_t y1[] = {0, 1};
    const double q[] = {0.2, 0.2, 0.0, /**/ 0.0, 1.0, 0.0};
    assert_int_equal(mg_multiclass_metrics_compute(y1, NULL, q, NULL, 2, 3, &m, &err), MG_OK);
    double row2 = (1 - DBL_EPSILON) / (1 - DBL_EPSILON + 2 * DBL_EPSILON);
    assert_value(m.log_loss, -(log(0.2 / (0.4 + DBL_EPSILON)) + log(row2)) / 2);
    mg_multiclass_metrics_release(&m);
}

static void multiclass_class_without_rows(void **state) {
    (void)state;
    /* y 0 1 0, pred 0 1 2: class 2 has no rows (support 0), one prediction.
     * recall 1/2, 1, undefined; precision 1, 1, 0/1 = 0; F1 2/3, 1, 0. */
    const int32_t y[] = {0, 1, 0};
    const int32_t pred[] = {0, 1, 2};
    mg_multiclass_metrics m;
    mg_error err;
    assert_int_equal(mg_multiclass_metrics_compute(y, pred, NULL, NULL, 3, 3, &m, &err), MG_OK);
    assert_undefined(m.per_class[2].recall, "no rows of this class");
    assert_undefined(m.recall_macro, "undefined for some class");
    assert_undefined(m.balanced_accuracy, "undefined for some class");
    assert_value(m.recall_weighted, (2 * 0.5 + 1 * 1) / 3.0);
    assert_value(m.precision_macro, 2.0 / 3);
    assert_value(m.f1_macro, (2.0 / 3 + 1 + 0) / 3);
    mg_multiclass_metrics_release(&m);

    /* With probabilities, class 2's one-vs-rest AUC has no positives. */
    const double p[] = {0.6, 0.3, 0.1, /**/ 0.2, 0.7, 0.1, /**/ 0.5, 0.1, 0.4};
    assert_int_equal(mg_multiclass_metrics_compute(y, NULL, p, NULL, 3, 3, &m, &err), MG_OK);
    assert_undefined(m.roc_auc_ovr, "undefined for some class");
    /* A class with neither rows nor predictions: F1 undefined too. */
    assert_undefined(m.per_class[2].f1, "no rows of this class and none predicted");
    assert_undefined(m.f1_macro, "undefined for some class");
    assert_value(m.f1_weighted, 1); /* both supported classes are perfect */
    mg_multiclass_metrics_release(&m);
}

static void multiclass_errors(void **state) {
    (void)state;
    mg_multiclass_metrics m;
    mg_error err;
    const int32_t y[] = {0, 1, 2};
    const int32_t pred[] = {0, 1, 1};
    assert_int_equal(mg_multiclass_metrics_compute(y, pred, NULL, NULL, 3, 2, &m, &err),
                     MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3: class 2"));
    const int32_t bad_pred[] = {0, -1, 1};
    assert_int_equal(mg_multiclass_metrics_compute(y, bad_pred, NULL, NULL, 3, 3, &m, &err),
                     MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: predicted class -1"));
    const double p[] = {0.5, 0.5, 0, /**/ 0.2, -0.1, 0.9, /**/ 0, 0, 1};
    assert_int_equal(mg_multiclass_metrics_compute(y, NULL, p, NULL, 3, 3, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: probability -0.1 of class 1"));
    const double pn[] = {0.5, 0.5, 0, /**/ 0.2, 0.1, 0.7, /**/ 0, NAN, 1};
    assert_int_equal(mg_multiclass_metrics_compute(y, NULL, pn, NULL, 3, 3, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3"));
    const double w[] = {1, 1, -2};
    assert_int_equal(mg_multiclass_metrics_compute(y, pred, NULL, w, 3, 3, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3: weight -2"));
    assert_int_equal(mg_multiclass_metrics_compute(y, NULL, NULL, NULL, 3, 3, &m, &err),
                     MG_ERR_USAGE);
    assert_int_equal(mg_multiclass_metrics_compute(y, pred, NULL, NULL, 3, 1, &m, &err),
                     MG_ERR_USAGE);
    /* Failures leave nothing to release; releasing is still safe. */
    assert_null(m.per_class);
    mg_multiclass_metrics_release(&m);
}

/* ---- regression ------------------------------------------------------------ */

static void regression_values(void **state) {
    (void)state;
    /* y 3 -0.5 2 7, pred 2 0 2 8: errors -1 .5 0 1, |e| 1 .5 0 1. */
    const double y[] = {3, -0.5, 2, 7};
    const double p[] = {2, 0, 2, 8};
    mg_regression_metrics m;
    mg_error err;
    assert_int_equal(mg_regression_metrics_compute(y, p, NULL, 4, &m, &err), MG_OK);
    assert_value(m.mae, 2.5 / 4);
    assert_value(m.mse, 2.25 / 4); /* 1 + .25 + 0 + 1 */
    assert_value(m.rmse, 0.75);
    /* mean 11.5/4 = 2.875; SS_tot = .125² + 3.375² + .875² + 4.125² = 29.1875 */
    assert_value(m.r2, 1 - 2.25 / 29.1875);
    assert_value(m.mape, (1.0 / 3 + 0.5 / 0.5 + 0 + 1.0 / 7) / 4); /* 31/84 */
    assert_value(m.max_error, 1);
    assert_value(m.median_absolute_error, 0.75); /* sorted 0 .5 1 1: (.5 + 1) / 2 */

    /* Weights 1 2 1 0 (W = 4). MAE (1 + 2*.5) / 4; MSE (1 + 2*.25) / 4;
     * weighted mean y = (3 - 1 + 2) / 4 = 1, SS_tot = 1*2² + 2*1.5² + 1*1² = 9.5,
     * R² = 1 - 1.5/9.5 = 16/19; MAPE (1/3 + 2*1) / 4 = 7/12; max error stays
     * unweighted (1); median: sorted |e| 0 .5 1 1 with weights 1 2 1 0 has
     * cumulative 1 3 4 4, first >= 4/2 at .5. */
    const double w[] = {1, 2, 1, 0};
    assert_int_equal(mg_regression_metrics_compute(y, p, w, 4, &m, &err), MG_OK);
    assert_value(m.mae, 0.5);
    assert_value(m.mse, 0.375);
    assert_value(m.r2, 16.0 / 19);
    assert_value(m.mape, 7.0 / 12);
    assert_value(m.max_error, 1);
    assert_value(m.median_absolute_error, 0.5);
}

static void regression_edges(void **state) {
    (void)state;
    mg_regression_metrics m;
    mg_error err;
    /* A zero label divides by float64 eps: |eps - 0| / eps = 1; row 2 is exact. */
    const double yz[] = {0, 1};
    const double pz[] = {DBL_EPSILON, 1};
    assert_int_equal(mg_regression_metrics_compute(yz, pz, NULL, 2, &m, &err), MG_OK);
    assert_value(m.mape, 0.5);
    assert_value(m.median_absolute_error, DBL_EPSILON / 2);
    /* Constant label: R² has no variance to explain. */
    const double yc[] = {2, 2, 2};
    const double pc[] = {1, 2, 3};
    assert_int_equal(mg_regression_metrics_compute(yc, pc, NULL, 3, &m, &err), MG_OK);
    assert_undefined(m.r2, "constant");
    assert_value(m.mse, 2.0 / 3);
    /* Constant among the rows that carry weight. */
    const double y3[] = {2, 5, 2};
    const double w3[] = {1, 0, 1};
    assert_int_equal(mg_regression_metrics_compute(y3, pc, w3, 3, &m, &err), MG_OK);
    assert_undefined(m.r2, "constant");
    /* max error ignores weights: row 2's |2 - 5| = 3 counts at weight 0. */
    assert_value(m.max_error, 3);
    /* One row. */
    assert_int_equal(mg_regression_metrics_compute(yc, pc, NULL, 1, &m, &err), MG_OK);
    assert_undefined(m.r2, "at least two rows");
    assert_value(m.median_absolute_error, 1);
}

static void regression_errors(void **state) {
    (void)state;
    mg_regression_metrics m;
    mg_error err;
    const double y[] = {1, NAN, 3};
    const double p[] = {1, 2, INFINITY};
    const double ok[] = {1, 2, 3};
    assert_int_equal(mg_regression_metrics_compute(y, ok, NULL, 3, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: label"));
    assert_int_equal(mg_regression_metrics_compute(ok, p, NULL, 3, &m, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 3: prediction"));
    assert_int_equal(mg_regression_metrics_compute(ok, ok, NULL, 0, &m, &err), MG_ERR_DATA);
}

/* ---- the sort -------------------------------------------------------------- */

static uint64_t next_random(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void radix_sort_moves_payload(void **state) {
    (void)state;
    size_t sizes[] = {0, 1, 5, 63, 64, 1000, 100000, 300001};
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t t = 0; t < MG_ARRAY_LEN(sizes); t++) {
        size_t n = sizes[t];
        uint64_t *keys = mg__malloc_array(n + 1, sizeof *keys);
        double *pay = mg__malloc_array(n + 1, sizeof *pay);
        assert_non_null(keys);
        assert_non_null(pay);
        for (size_t i = 0; i < n; i++) {
            /* Scores with many ties, packed like the AUC keys; the payload
             * remembers the key so that we can see it travelled along. */
            double s = (double)(next_random(&x) % 101) / 100;
            keys[i] = mg__score_key(s, (int)(next_random(&x) & 1));
            pay[i] = (double)keys[i];
        }
        /* The sum and xor of the keys: a sort moves keys, it never loses or
         * repeats one. */
        uint64_t sum = 0, xr = 0;
        for (size_t i = 0; i < n; i++) {
            sum += keys[i];
            xr ^= keys[i] * 0x9E3779B97F4A7C15ull;
        }
        mg_error err;
        assert_int_equal(mg__radix_sort(keys, pay, n, &err), MG_OK);
        uint64_t sum2 = 0, xr2 = 0;
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                assert_true(keys[i - 1] <= keys[i]);
            assert_true(pay[i] == (double)keys[i]);
            sum2 += keys[i];
            xr2 ^= keys[i] * 0x9E3779B97F4A7C15ull;
        }
        assert_true(sum == sum2 && xr == xr2);
        /* Keys that share every high digit exercise the skipped passes. */
        for (size_t i = 0; i < n; i++)
            keys[i] = next_random(&x) & 0xFFFF;
        assert_int_equal(mg__radix_sort(keys, NULL, n, &err), MG_OK);
        for (size_t i = 1; i < n; i++)
            assert_true(keys[i - 1] <= keys[i]);
        free(keys);
        free(pay);
    }
    /* The packing keeps the order of scores, and -0.0 sorts as 0. */
    assert_true(mg__score_key(0.25, 1) < mg__score_key(0.5, 0));
    assert_true(mg__score_key(-0.0, 0) == mg__score_key(0.0, 0));
    assert_true(mg__score_key(1.0, 0) > mg__score_key(0.9999999999999999, 1));
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Large enough for the radix path: ROC AUC against the O(n²) pair count and
 * average precision against a scan of every distinct threshold. */
static void binary_against_brute_force(void **state) {
    (void)state;
    enum { N = 3000 };
    static uint8_t y[N];
    static double s[N], w[N];
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        y[i] = (next_random(&x) % 5) == 0;
        s[i] = (double)(next_random(&x) % 41) / 40; /* 41 distinct scores: many ties */
        w[i] = (double)(next_random(&x) % 7) / 2;   /* 0 .. 3, some zero */
    }
    double pos = 0, neg = 0, pairs = 0;
    for (int i = 0; i < N; i++) {
        if (y[i])
            pos += w[i];
        else
            neg += w[i];
    }
    for (int i = 0; i < N; i++) {
        if (!y[i])
            continue;
        for (int j = 0; j < N; j++)
            if (!y[j])
                pairs += w[i] * w[j] * (s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0);
    }
    double ap = 0, recall_prev = 0;
    for (int t = 40; t >= 0; t--) {
        double thr = (double)t / 40, tp = 0, fp = 0;
        for (int i = 0; i < N; i++)
            if (s[i] >= thr && y[i])
                tp += w[i];
            else if (s[i] >= thr)
                fp += w[i];
        if (tp + fp > 0) {
            ap += (tp / pos - recall_prev) * tp / (tp + fp);
            recall_prev = tp / pos;
        }
    }
    mg_binary_metrics m;
    mg_error err;
    assert_int_equal(mg_binary_metrics_compute(y, s, w, N, 0.5, &m, &err), MG_OK);
    assert_value(m.roc_auc, pairs / (pos * neg));
    assert_value(m.pr_auc, ap);
    assert_int_equal(mg_binary_metrics_compute(y, s, NULL, N, 0.5, &m, &err), MG_OK);
    double upos = 0;
    for (int i = 0; i < N; i++)
        upos += y[i];
    assert_true(m.tp + m.fn == upos);
}

/* The median through the radix sort against qsort: odd and even counts. */
static void regression_median_against_qsort(void **state) {
    (void)state;
    enum { N = 2001 };
    static double y[N], p[N], ae[N];
    uint64_t x = 777;
    for (int i = 0; i < N; i++) {
        y[i] = (double)(next_random(&x) % 100000) / 7 - 5000;
        p[i] = y[i] + ((double)(next_random(&x) % 20001) - 10000) / 3;
        ae[i] = fabs(p[i] - y[i]);
    }
    qsort(ae, N, sizeof *ae, cmp_double);
    mg_regression_metrics m;
    mg_error err;
    assert_int_equal(mg_regression_metrics_compute(y, p, NULL, N, &m, &err), MG_OK);
    assert_value(m.median_absolute_error, ae[N / 2]);
    assert_value(m.max_error, ae[N - 1]);
    /* Drop the last row: the even count averages the two middle errors. */
    for (int i = 0; i < N - 1; i++)
        ae[i] = fabs(p[i] - y[i]);
    qsort(ae, N - 1, sizeof *ae, cmp_double);
    assert_int_equal(mg_regression_metrics_compute(y, p, NULL, N - 1, &m, &err), MG_OK);
    assert_value(m.median_absolute_error, (ae[(N - 1) / 2 - 1] + ae[(N - 1) / 2]) / 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binary_unweighted),
        cmocka_unit_test(binary_weighted),
        cmocka_unit_test(binary_threshold_and_clipping),
        cmocka_unit_test(binary_only_negatives),
        cmocka_unit_test(binary_only_positives),
        cmocka_unit_test(binary_no_predicted_positives),
        cmocka_unit_test(binary_f1_undefined),
        cmocka_unit_test(binary_errors),
        cmocka_unit_test(binary_curves),
        cmocka_unit_test(calibration_quantile_edges_large),
        cmocka_unit_test(calibration_bins),
        cmocka_unit_test(multiclass_predicted),
        cmocka_unit_test(multiclass_probabilities),
        cmocka_unit_test(multiclass_class_without_rows),
        cmocka_unit_test(multiclass_errors),
        cmocka_unit_test(regression_values),
        cmocka_unit_test(regression_edges),
        cmocka_unit_test(regression_errors),
        cmocka_unit_test(radix_sort_moves_payload),
        cmocka_unit_test(binary_against_brute_force),
        cmocka_unit_test(regression_median_against_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
