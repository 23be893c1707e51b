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

/* One point of the ROC and precision-recall curves: the rows with
 * score >= threshold are predicted positive. */
typedef struct mg_curve_point {
    double threshold;
    double fpr, tpr;  /* ROC coordinates: FP / N and TP / P */
    double precision; /* TP / (TP + FP); recall is tpr */
} mg_curve_point;

/* ROC and precision-recall curves of a binary evaluation, for plots. */
typedef struct mg_binary_curves {
    int64_t npoints;
    mg_curve_point *points;  /* by descending threshold; owned */
    const char *null_reason; /* static; set (with npoints 0) when P or N is 0 */
} mg_binary_curves;

/* Computes the curves through every distinct score taken as a threshold, from
 * the highest down (scikit-learn's roc_curve with drop_intermediate=False,
 * without its extra first point at (0, 0)), keeping at most max_points (>= 2)
 * evenly spaced by index, always the first and the last. Inputs and errors as
 * mg_binary_metrics_compute. On success *out owns `points`: release with
 * mg_binary_curves_release; a curve of one class only has no points and a
 * null_reason. */
MG_API mg_status mg_binary_curves_compute(const uint8_t *y, const double *score, const double *w,
                                          int64_t n, int64_t max_points, mg_binary_curves *out,
                                          mg_error *err);

/* Frees c->points (not c); safe on a zeroed struct. */
MG_API void mg_binary_curves_release(mg_binary_curves *c);

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
