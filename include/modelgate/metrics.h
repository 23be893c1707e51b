/* metrics.h - classification and regression metrics (DESIGN §7).
 *
 * scikit-learn's definitions are the reference. An undefined value is never a
 * silent 0: it is an mg_value whose `null_reason` says why (a static string).
 * Weights are optional everywhere (NULL = every row weighs 1); a weight must be
 * finite and >= 0.
 */
#ifndef MODELGATE_METRICS_H
#define MODELGATE_METRICS_H

#include "modelgate.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A metric value, or null: when null_reason != NULL the value is undefined and
 * `v` is meaningless. null_reason points to static storage. */
typedef struct mg_value {
    double v;
    const char *null_reason;
} mg_value;

/* A defined value; a NaN or infinite v (an overflow or 0/0 that a formula
 * did not foresee) becomes null with a reason, so no gate ever compares a
 * NaN and no null is left without its reason. */
static inline mg_value mg_value_of(double v) {
    mg_value r = {v, NULL};
    if (v != v || v - v != 0) { /* NaN or infinite, without needing <math.h> */
        r.v = 0.0;
        r.null_reason = "undefined: the computation gave no finite number (an overflow or 0/0)";
    }
    return r;
}
static inline mg_value mg_value_null(const char *reason) {
    mg_value r = {0.0, reason};
    return r;
}

/* Binary classification at a decision threshold: a row is predicted positive
 * when score > threshold (as scikit-learn's and XGBoost's predict do at 0.5). */
typedef struct mg_binary_metrics {
    int64_t n;             /* rows */
    double weight_sum;     /* total weight (n without weights) */
    double threshold;      /* the decision threshold the counts were taken at */
    double tp, fp, tn, fn; /* weighted confusion counts at the threshold */
    mg_value accuracy, balanced_accuracy, precision, recall, f1, specificity, mcc;
    mg_value roc_auc, pr_auc, log_loss, brier;
} mg_binary_metrics;

/* Computes every binary metric into *out (plain values, nothing to free).
 * y[i] is 1 for the positive class, 0 otherwise; score[i] is the
 * positive-class probability in [0, 1]; w is NULL or n weights.
 * @return MG_OK, or MG_ERR_DATA naming the row ("row N" = index + 1, the N-th
 * data row) for a y other than 0/1, a NaN or out-of-range score, or a negative,
 * NaN or infinite weight; also for n == 0 or weights that sum to zero.
 * MG_ERR_USAGE for a NaN threshold, MG_ERR_NOMEM when the sort buffers cannot
 * be allocated. ROC AUC and PR AUC share one radix sort (O(n), about 32 bytes
 * of scratch per row with weights, 16 without). */
MG_API mg_status mg_binary_metrics_compute(const uint8_t *y, const double *score, const double *w,
                                           int64_t n, double threshold, mg_binary_metrics *out,
                                           mg_error *err);

/* One curve for plots: `points` of scikit-learn's `of` points, in
 * scikit-learn's order. ROC (roc_curve, drop_intermediate=True): x = fpr,
 * y = tpr, by descending threshold from the added first point (0, 0) whose
 * threshold is +inf (scikit-learn 1.2 writes max + 1 there, 1.3+ inf).
 * Precision-recall (precision_recall_curve): x = recall, y = precision, by
 * ascending threshold, ending at the added point recall 0, precision 1 whose
 * threshold is NaN (scikit-learn gives it none). A threshold t means: the
 * rows with score >= t are predicted positive. */
typedef struct mg_curve {
    int64_t points;          /* kept points */
    int64_t of;              /* scikit-learn's number of points */
    double *x, *y;           /* `points` each; owned */
    double *threshold;       /* `points`; owned; +inf / NaN as said above */
    const char *null_reason; /* static; set (points 0, arrays NULL) when undefined */
} mg_curve;

/* The ROC and precision-recall curves of a binary evaluation. */
typedef struct mg_binary_curves {
    mg_curve roc, pr;
} mg_binary_curves;

/* Computes scikit-learn's ROC curve (roc_curve with drop_intermediate=True)
 * and precision-recall curve (precision_recall_curve) exactly, rows of zero
 * weight left out as scikit-learn does; when a curve has more than
 * max_points (>= 2) points, keeps its first and last point and the
 * max_points - 2 or fewer interior points that the Ramer-Douglas-Peucker
 * simplification keeps longest (each point's importance is its distance to
 * the chord of the segment it splits, capped by its parents'; the kept set is
 * RDP's result at the largest tolerance that leaves at most max_points), so
 * every kept point is one of scikit-learn's and the polyline stays within
 * that tolerance of the full curve, corners first. The ROC curve is null
 * when either class has no weight; the PR curve when the positives have none.
 * Inputs and errors as mg_binary_metrics_compute; MG_ERR_USAGE for
 * max_points < 2. On success *out owns the arrays (mg_binary_curves_release);
 * O(n) sort plus O(d log d) for d distinct scores in the usual case. */
MG_API mg_status mg_binary_curves_compute(const uint8_t *y, const double *score, const double *w,
                                          int64_t n, int64_t max_points, mg_binary_curves *out,
                                          mg_error *err);

/* Frees the arrays of c (not c); safe on a zeroed struct. */
MG_API void mg_binary_curves_release(mg_binary_curves *c);

/* Equal-width histogram bins on [0, 1] (score_histogram in metrics.json):
 * edge i of nbins is numpy.linspace(0, 1, nbins + 1)[i] (i * (1 / nbins),
 * the last exactly 1); a value s in [0, 1] falls in bin b when
 * edge b <= s < edge b+1, the last bin closed: numpy.histogram's rule. */
MG_API double mg_histogram_edge(int i, int nbins);
MG_API int mg_histogram_bin(double s, int nbins);

/* How reliability bins are formed (sklearn.calibration.calibration_curve's
 * `strategy`). */
typedef enum mg_calibration_strategy {
    MG_CALIBRATION_UNIFORM = 0, /* "uniform": nbins equal-width bins on [0, 1] */
    MG_CALIBRATION_QUANTILE     /* "quantile": edges at the score quantiles (equal mass) */
} mg_calibration_strategy;

/* "uniform" or "quantile". */
MG_API const char *mg_calibration_strategy_name(mg_calibration_strategy s);

/* One bin of a reliability diagram. As in calibration_curve, a score s lies
 * in the bin when low < s <= high (the first bin also takes s == low). */
typedef struct mg_reliability_bin {
    double low, high;      /* edges */
    double mean_score;     /* weighted mean score (confidence) of its rows */
    double observed_rate;  /* weighted share of positive (correct) rows */
    double weight;         /* total weight (= count without weights) */
    int64_t count;         /* rows */
    double ci_low, ci_high; /* Wilson interval of observed_rate (Kish's effective n
                               with weights) at the level asked */
} mg_reliability_bin;

/* A reliability diagram and its calibration errors (Guo et al. 2017, "On
 * Calibration of Modern Neural Networks", eq. 3 and 5): ECE = sum over bins
 * of weight_b / W * |observed_rate_b - mean_score_b|, MCE = the largest
 * |observed_rate_b - mean_score_b|. */
typedef struct mg_reliability {
    mg_calibration_strategy strategy;
    int nbins;                  /* bins asked for */
    int nonempty;               /* bins with weight > 0: the entries of bins */
    mg_reliability_bin *bins;   /* ascending; owned; empty bins left out, as
                                   calibration_curve does */
    mg_value ece, mce;
} mg_reliability;

/* Calibration of a classifier (DESIGN §16). Binary: the positive-class
 * score against the label. Multiclass (top_label): the confidence max_k p_k
 * against "argmax (first maximum) == label". */
typedef struct mg_calibration {
    bool top_label;
    mg_reliability uniform, quantile;
    /* Logistic recalibration (Cox 1958): the unregularised logistic
     * regression of the label on logit(p) (p clipped to [1e-15, 1 - 1e-15]),
     * label ~ sigmoid(intercept + slope * logit(p)), fitted by Newton's
     * method (IRLS). Perfect calibration is slope 1, intercept 0. Null with
     * a reason for one class only, scores that are all equal, a fit that
     * does not converge (the score separates the classes), and multiclass. */
    mg_value slope, intercept;
} mg_calibration;

/* The most reliability bins a caller may ask for. */
#define MG_CALIBRATION_MAX_BINS 1000

/* Binary calibration: y[i] 1 for the positive class, score[i] its
 * probability, w NULL or n weights; nbins in 1..MG_CALIBRATION_MAX_BINS
 * (10 is the default everywhere); level in (0, 1) for the bins' Wilson
 * intervals. Uniform bins are edges i / nbins as numpy.linspace computes
 * them; quantile edges are numpy.percentile(score, linspace(0, 1, nbins+1)
 * * 100) over the rows of nonzero weight (unweighted quantiles, as
 * calibration_curve), so several edges may coincide on tied scores.
 * @return MG_OK with *out owning the bins (mg_calibration_release);
 * MG_ERR_DATA naming the row as mg_binary_metrics_compute;
 * MG_ERR_USAGE for nbins or level out of range; MG_ERR_NOMEM. */
MG_API mg_status mg_calibration_compute(const uint8_t *y, const double *score, const double *w,
                                        int64_t n, int nbins, double level, mg_calibration *out,
                                        mg_error *err);

/* mg_calibration_compute without the logistic recalibration fit (slope and
 * intercept null): the bins, ECE and MCE only, for a caller that has fitted
 * them already (metrics.json takes the evaluation's). Same arguments,
 * ownership and errors. */
MG_API mg_status mg_calibration_bins_compute(const uint8_t *y, const double *score,
                                             const double *w, int64_t n, int nbins,
                                             double level, mg_calibration *out, mg_error *err);

/* Top-label calibration of a multiclass classifier: y[i] in 0..k-1, proba
 * n*k row-major (each in [0, 1]); otherwise as mg_calibration_compute; the
 * slope and intercept are null. */
MG_API mg_status mg_calibration_top_label_compute(const int32_t *y, const double *proba,
                                                  const double *w, int64_t n, int k, int nbins,
                                                  double level, mg_calibration *out,
                                                  mg_error *err);

/* Frees the bins (not c); safe on a zeroed struct. */
MG_API void mg_calibration_release(mg_calibration *c);

/* The four calibration metrics of the metric registry, without the bins:
 * ece and mce of 10 uniform bins (the values of mg_calibration's `uniform`),
 * and the binary slope and intercept. O(n), no allocation. */
typedef struct mg_calibration_metrics {
    mg_value ece, mce, calibration_slope, calibration_intercept;
} mg_calibration_metrics;

/* ECE and MCE alone (10 uniform bins), as in mg_calibration_metrics: for the
 * bootstrap, which calls it once per replicate with its row weights w. */
MG_API void mg_calibration_errors(const uint8_t *y, const double *score, const int32_t *yc,
                                  const double *proba, int k, const double *w, int64_t n,
                                  mg_value *ece, mg_value *mce);

/* Binary (y, score) or, when proba != NULL, top-label multiclass (y given
 * as yc, k classes). Inputs are assumed checked (mg_binary_metrics_compute,
 * mg_multiclass_metrics_compute); an unusable input gives nulls. */
MG_API void mg_calibration_metrics_compute(const uint8_t *y, const double *score,
                                           const int32_t *yc, const double *proba, int k,
                                           const double *w, int64_t n,
                                           mg_calibration_metrics *out);

/* Per-class figures of a multiclass evaluation. */
typedef struct mg_class_metrics {
    mg_value precision, recall, f1;
    double support; /* weighted number of rows whose true class is this one */
} mg_class_metrics;

typedef struct mg_multiclass_metrics {
    int64_t n;
    int nclasses;
    double weight_sum;
    mg_value accuracy, balanced_accuracy;
    mg_value precision_macro, recall_macro, f1_macro;
    mg_value precision_weighted, recall_weighted, f1_weighted;
    mg_value precision_micro, recall_micro, f1_micro;
    mg_value roc_auc_ovr;        /* one-vs-rest macro; null without probabilities */
    mg_value log_loss;           /* null without probabilities */
    mg_class_metrics *per_class; /* nclasses entries; owned */
    double *confusion; /* nclasses * nclasses, row = true class, column = predicted; owned */
} mg_multiclass_metrics;

/* Computes every multiclass metric over classes 0..k-1 (k >= 2). y[i] is the
 * true class; pred[i] the predicted class, or pred == NULL to take the argmax
 * of proba (first maximum wins); proba is NULL or n*k row-major class
 * probabilities, each in [0, 1] (for log loss each row is clipped to
 * [eps, 1-eps] and renormalised, as scikit-learn's log_loss does). At least one
 * of pred and proba is required.
 * @return MG_OK with `out` owning per_class and confusion (release with
 * mg_multiclass_metrics_release); on failure `out` holds nothing to release.
 * MG_ERR_DATA names the row for a class outside 0..k-1, a NaN, negative or
 * above-1 probability, or a bad weight; MG_ERR_USAGE for k < 2 or neither
 * pred nor proba; MG_ERR_NOMEM on allocation failure. */
MG_API mg_status mg_multiclass_metrics_compute(const int32_t *y, const int32_t *pred,
                                               const double *proba, const double *w, int64_t n,
                                               int k, mg_multiclass_metrics *out, mg_error *err);

/* Frees the arrays inside m (not m itself); safe on a zeroed struct. */
MG_API void mg_multiclass_metrics_release(mg_multiclass_metrics *m);

typedef struct mg_regression_metrics {
    int64_t n;
    double weight_sum;
    mg_value mae, mse, rmse, r2, mape, max_error, median_absolute_error;
} mg_regression_metrics;

/* Computes every regression metric into *out (nothing to free). max_error is
 * unweighted, as in scikit-learn; the weighted median absolute error is
 * scikit-learn's _weighted_percentile (the first sorted error whose
 * cumulative weight reaches half the total), the unweighted one np.median.
 * @return MG_OK, or MG_ERR_DATA naming the row for a non-finite label or
 * prediction or a bad weight, and for n == 0; MG_ERR_NOMEM on allocation. */
MG_API mg_status mg_regression_metrics_compute(const double *y, const double *pred, const double *w,
                                               int64_t n, mg_regression_metrics *out,
                                               mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
