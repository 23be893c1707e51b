/* metrics_internal.h - pieces shared by the metric files (the mg__ tier):
 * compensated sums, input validation, the radix sort and the ranking metrics
 * (ROC AUC, average precision) that binary and one-vs-rest multiclass share. */
#ifndef MG_METRICS_INTERNAL_H
#define MG_METRICS_INTERNAL_H

#include <math.h>

#include "internal.h"
#include "modelgate/evaluate.h"
#include "modelgate/metrics.h"
#include "modelgate/slices.h"

/* Neumaier-compensated running sum: totals over 10M+ rows stay accurate to a
 * few ulps, which keeps them within 1e-9 of scikit-learn's pairwise sums. */
typedef struct mg__sum {
    double s, c;
} mg__sum;

static inline void mg__sum_add(mg__sum *a, double x) {
    double t = a->s + x;
    if (fabs(a->s) >= fabs(x))
        a->c += (a->s - t) + x;
    else
        a->c += (x - t) + a->s;
    a->s = t;
}

static inline double mg__sum_value(const mg__sum *a) {
    return a->s + a->c;
}

/* Checks that every weight is finite and >= 0 and that not all are zero
 * (said only when every weight is exactly 0). Sets *exp2 to 0 when the
 * largest weight lies in [2^-64, 2^64], else to the power of two that puts it
 * in [0.5, 1), and *sum to the total of the
 * weights scaled by 2^-exp2 (n and 0 when w is NULL): callers compute with
 * w[i] 2^-exp2, so neither 1e-200 nor 1e300 weights underflow or overflow,
 * and report weighted totals times 2^exp2. Errors name the row. */
mg_status mg__weights_check(const double *w, int64_t n, double *sum, int *exp2, mg_error *err);

/* A weight scaled by mg__weights_check's 2^-exp2 (exp2 is 0 but for extreme weights). */
static inline double mg__wscale(double w, int exp2) {
    return exp2 == 0 ? w : ldexp(w, -exp2);
}

/* Checks binary inputs: y[i] is 0 or 1, score[i] in [0, 1] (not NaN). */
mg_status mg__binary_rows_check(const uint8_t *y, const double *score, int64_t n, mg_error *err);

/* Sort key of a probability in [0, 1] with a one-bit class flag below it: the
 * sign and top exponent bit of a double in [0, 2) are zero, so shifting its
 * bits left by one loses nothing and keeps the order, and the flag only
 * orders rows of equal score. -0.0 is folded into +0.0. */
static inline uint64_t mg__score_key(double score, int positive) {
    if (score == 0)
        score = 0.0;
    uint64_t bits;
    memcpy(&bits, &score, sizeof bits);
    return (bits << 1) | (uint64_t)(positive != 0);
}

/* Sort key of a non-negative double (including +inf): its bits order like
 * the value. -0.0 is folded into +0.0. */
static inline uint64_t mg__nonneg_key(double v) {
    if (v == 0)
        v = 0.0;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static inline double mg__nonneg_from_key(uint64_t bits) {
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Sorts keys[0..n) ascending, moving payload[i] (may be NULL) with keys[i].
 * LSD radix sort on 16-bit digits, O(n); needs n extra keys (and payloads) of
 * scratch memory. Fails only on allocation. */
/* One row's term of log_loss, as scikit-learn computes it: clip p to
 * [eps, 1-eps], form the row [1-p, p], renormalise it and take -log of the
 * true class's entry. Shared with the bootstrap's ranked pass (lib/stats). */
double mg__row_log_loss(int positive, double p);

mg_status mg__radix_sort(uint64_t *keys, double *payload, size_t n, mg_error *err);

/* Puts into v[k] the value an ascending sort of v[lo..hi] would put there,
 * with v[lo..k) <= v[k] <= v(k..hi], in O(hi - lo) expected steps (Hoare's
 * selection); v must hold no NaN. */
void mg__select_kth(double *v, int64_t lo, int64_t hi, int64_t k);

/* ROC AUC and average precision of rows given as mg__score_key keys (flag =
 * positive) and their weights (NULL = 1 each). Sorts keys and w in place and
 * scales w by a power of two (so w must be scratch the caller can lose).
 * ROC AUC is null when either class has zero total weight; average precision
 * when the positives have zero total weight. */
mg_status mg__ranking_metrics(uint64_t *keys, double *w, size_t n, mg_value *roc_auc,
                              mg_value *average_precision, mg_error *err);

/* A distinct score of a binary task and the total weight of its positive
 * and of its negative rows (all weights times one power of two). */
typedef struct mg__score_run {
    double score, pos, neg;
} mg__score_run;

/* The distinct scores in ascending order, for the calibration fit to sum
 * over them instead of over every row: kept only from MG__RUNS_FROM rows and
 * when there are at most a quarter as many distinct scores as rows (else
 * run stays NULL). The caller frees run. */
#define MG__RUNS_FROM 65536
typedef struct mg__score_runs {
    mg__score_run *run;
    int64_t n;
} mg__score_runs;

/* mg__ranking_metrics that also fills *runs (when runs is not NULL) as
 * described above; no memory for them leaves runs->run NULL. */
mg_status mg__ranking_metrics_runs(uint64_t *keys, double *w, size_t n, mg_value *roc_auc,
                                   mg_value *average_precision, mg__score_runs *runs,
                                   mg_error *err);

/* mg__ranking_metrics of keys already sorted ascending (w, if any, in the
 * keys' order; scaled in place as there), filling *runs as
 * mg__ranking_metrics_runs does (runs may be NULL). */
void mg__ranking_metrics_sorted(const uint64_t *keys, double *w, size_t n, mg_value *roc_auc,
                                mg_value *average_precision, mg__score_runs *runs);

/* mg_binary_metrics_compute with the rows' mg__score_key keys already sorted
 * ascending (sorted: n keys, borrowed; NULL = sort here). Without weights
 * only (with w the keys are ignored and the rows sorted here): the slices'
 * sort serves the overall ROC AUC and average precision. It also fills
 * *runs (NULL = not wanted; see mg__score_runs); the caller frees
 * runs->run, also when an error is returned. */
mg_status mg__binary_metrics_compute_sorted(const uint8_t *y, const double *score, const double *w,
                                            int64_t n, double threshold, const uint64_t *sorted,
                                            mg_binary_metrics *out, mg__score_runs *runs,
                                            mg_error *err);

/* mg_evaluation_compute with the binary rows' keys already sorted (as
 * mg__binary_metrics_compute_sorted; NULL = sort here). */
mg_status mg__evaluation_compute_sorted(const mg_targets *t, const uint64_t *sorted,
                                        mg_evaluation *out, mg_error *err);

/* mg_binary_curves_compute and mg_calibration_bins_compute walking the rows'
 * mg__score_key keys already sorted ascending (borrowed; NULL, or weights,
 * = sort here): the sort behind the AUCs serves the curves' points and the
 * quantile bins' edges. */
mg_status mg__binary_curves_compute_sorted(const uint8_t *y, const double *score, const double *w,
                                           int64_t n, int64_t max_points, const uint64_t *sorted,
                                           mg_binary_curves *out, mg_error *err);
mg_status mg__calibration_bins_compute_sorted(const uint8_t *y, const double *score,
                                              const double *w, int64_t n, int nbins, double level,
                                              const uint64_t *sorted, mg_calibration *out,
                                              mg_error *err);

/* mg_operating_points_compute walking the rows' mg__score_key keys sorted
 * ascending (borrowed) when there are no weights; order and sorted NULL =
 * sort here. */
mg_status mg__operating_points_compute_sorted(const mg_targets *t, const int64_t *order,
                                              const uint64_t *sorted, mg_operating_point *points,
                                              int n, double level, mg_error *err);

/* The rows' mg__score_key keys sorted ascending into *sorted (n of them,
 * freed by the caller). */
mg_status mg__score_keys_sorted(const mg_targets *t, uint64_t **sorted, mg_error *err);

/* mg_slices_compute (order NULL) that also hands over the rows' mg__score_key
 * keys sorted ascending (n of them, *sorted freed by the caller) when it
 * sorted them without weights; *sorted is NULL otherwise. */
mg_status mg__slices_compute_keys(const mg_targets *t, const mg_slicing *slicings, int n,
                                  int64_t min_size, double level, mg_slice_report *reports,
                                  uint64_t **sorted, mg_error *err);

/* mg_calibration_errors in two steps, for a caller that sums the bins
 * itself (the bootstrap over score buckets): the bin (0..MG__CALIBRATION_BINS
 * - 1) of a binary score, and ECE and MCE from the bins' sums of weight,
 * weight * score and weight * hit. */
#define MG__CALIBRATION_BINS 10
int mg__calibration_bin(double score);
void mg__calibration_errors_of(const double *w, const double *ws, const double *wh, mg_value *ece,
                               mg_value *mce);

/* mg_calibration_metrics_compute with the calibration fit's sums on
 * `threads` threads (0 = every CPU; the result does not depend on it), and
 * over the distinct scores of `runs` (the same rows' mg__score_runs) when
 * runs and runs->run are not NULL. */
void mg__calibration_metrics_threads(const uint8_t *y, const double *score, const int32_t *yc,
                                     const double *proba, int k, const double *w, int64_t n,
                                     int threads, const mg__score_runs *runs,
                                     mg_calibration_metrics *out);

/* Fills the threshold metrics of m (accuracy ... mcc) from its confusion
 * counts and weight_sum, as mg_binary_metrics_compute does (slices reuse it). */
void mg__binary_derive(mg_binary_metrics *m);

/* The registry entry of an operating point's name ("recall_at_precision_0.9",
 * "precision_at_recall_R", "tpr_at_fpr_F" families), or NULL. */
struct mg_metric_def;
const struct mg_metric_def *mg__operating_point_def(const char *name);

/* The reasons shared by several metrics. */
#define MG__NO_POSITIVE_ROWS "undefined: no rows of the positive class"
#define MG__NO_NEGATIVE_ROWS "undefined: no rows of the negative class"

#endif
