/* regression.c - regression metrics: one pass for the weighted means, a
 * second for R²'s total sum of squares, and a radix sort of the absolute
 * errors for the median. Definitions follow scikit-learn 1.2 (docs/metrics.md). */
#include <float.h>

#include "metrics_internal.h"

/* scikit-learn's median_absolute_error: np.median without weights; with
 * weights _weighted_percentile(50): the first sorted error at which the
 * running (plain, left-to-right) sum of weights reaches half the total. */
static mg_status median_abs_error(const double *y, const double *pred, const double *w, int64_t n,
                                  mg_value *out, mg_error *err) {
    size_t un = (size_t)n;
    uint64_t *keys = mg__malloc_array(un, sizeof *keys);
    double *wsort = w ? mg__malloc_array(un, sizeof *wsort) : NULL;
    if (keys == NULL || (w != NULL && wsort == NULL)) {
        free(keys);
        free(wsort);
        return mg__nomem(err, "the absolute errors");
    }
    for (size_t i = 0; i < un; i++) {
        keys[i] = mg__nonneg_key(fabs(pred[i] - y[i]));
        if (wsort)
            wsort[i] = w[i];
    }
    mg_status st = mg__radix_sort(keys, wsort, un, err);
    if (st == MG_OK && w == NULL) {
        double hi = mg__nonneg_from_key(keys[un / 2]);
        *out = mg_value_of(un % 2 ? hi : (mg__nonneg_from_key(keys[un / 2 - 1]) + hi) / 2);
    } else if (st == MG_OK) {
        double total = 0;
        for (size_t i = 0; i < un; i++)
            total += wsort[i];
        double half = 0.5 * total, cdf = 0;
        size_t at = un - 1;
        for (size_t i = 0; i < un; i++) {
            cdf += wsort[i];
            if (cdf >= half) {
                at = i;
                break;
            }
        }
        *out = mg_value_of(mg__nonneg_from_key(keys[at]));
    }
    free(keys);
    free(wsort);
    return st;
}

mg_status mg_regression_metrics_compute(const double *y, const double *pred, const double *w,
                                        int64_t n, mg_regression_metrics *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    if (n <= 0)
        return mg__fail(err, MG_ERR_DATA, "no rows to evaluate");
    double weight_sum;
    MG_TRY(mg__weights_check(w, n, &weight_sum, err));
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": label %g is not a finite number",
                            i + 1, y[i]);
        if (!isfinite(pred[i]))
            return mg__fail(err, MG_ERR_DATA,
                            "row %" PRId64 ": prediction %g is not a finite number", i + 1,
                            pred[i]);
    }

    mg__sum abs_err = {0, 0}, sq_err = {0, 0}, pct_err = {0, 0}, label = {0, 0};
    double max_err = 0, first = 0;
    int have_first = 0, constant = 1;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0, e = pred[i] - y[i], ae = fabs(e);
        mg__sum_add(&abs_err, wi * ae);
        mg__sum_add(&sq_err, wi * e * e);
        mg__sum_add(&pct_err, wi * (ae / fmax(fabs(y[i]), DBL_EPSILON)));
        mg__sum_add(&label, wi * y[i]);
        if (ae > max_err)
            max_err = ae;
        /* Rows of zero weight do not count towards R²'s variance. */
        if (wi > 0) {
            if (have_first && y[i] != first)
                constant = 0;
            first = y[i];
            have_first = 1;
        }
    }
    out->n = n;
    out->weight_sum = weight_sum;
    double mse = mg__sum_value(&sq_err) / weight_sum;
    out->mae = mg_value_of(mg__sum_value(&abs_err) / weight_sum);
    out->mse = mg_value_of(mse);
    out->rmse = mg_value_of(sqrt(mse));
    out->mape = mg_value_of(mg__sum_value(&pct_err) / weight_sum);
    out->max_error = mg_value_of(max_err);

    if (n < 2) {
        out->r2 = mg_value_null("undefined: needs at least two rows");
    } else if (constant) {
        out->r2 = mg_value_null("undefined: the label is constant (zero variance)");
    } else {
        double mean = mg__sum_value(&label) / weight_sum;
        mg__sum total = {0, 0};
        for (int64_t i = 0; i < n; i++) {
            double d = y[i] - mean;
            mg__sum_add(&total, (w ? w[i] : 1.0) * d * d);
        }
        double ss_tot = mg__sum_value(&total);
        out->r2 = ss_tot > 0 ? mg_value_of(1 - mg__sum_value(&sq_err) / ss_tot)
                             : mg_value_null("undefined: the label is constant (zero variance)");
    }
    return median_abs_error(y, pred, w, n, &out->median_absolute_error, err);
}
