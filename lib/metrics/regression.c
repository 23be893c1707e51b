/* regression.c - regression metrics: one pass for the weighted means, a
 * second for R²'s total sum of squares, and a radix sort of the absolute
 * errors for the median. Definitions follow scikit-learn 1.2 (docs/metrics.md). */
#include <float.h>

#include "metrics_internal.h"

/* The regression metrics are computed on scaled values so that a finite answer
 * stays finite even when a square (or a difference) of the inputs would
 * overflow: labels and predictions are scaled by a power of two 2^-k that
 * brings the largest |label| or |prediction| below 1, weights by 2^-kw that
 * brings the largest weight below 1, and the squared errors once more by the
 * largest scaled error. Scaling by a power of two is exact (short of
 * subnormals), so ordinary inputs give the same bits as the plain formulas. A
 * result that truly exceeds the largest double is null with this reason. */
#define OVERFLOW_REASON "undefined: the value exceeds the largest double (about 1.8e308)"

/* The exponent e with |x| < 2^e (0 for x == 0). */
static int exponent_above(double x) {
    int e = 0;
    (void)frexp(x, &e);
    return e;
}

/* x 2^-k. A multiplication by a normal power of two is exact (and rounds like
 * ldexp when the result is subnormal), so ldexp is needed only when 2^-k
 * itself is not a normal double; the multiplication keeps the passes fast. */
typedef struct scale {
    int k;
    double f; /* 2^-k, or 0 when that is not a normal double */
} scale;

static scale scale_by(int k) {
    scale s = {k, k >= -1021 && k <= 1021 ? ldexp(1.0, -k) : 0};
    return s;
}

static inline double down(double x, scale s) {
    return s.f != 0 ? x * s.f : ldexp(x, -s.k);
}

static mg_value scaled_value(double v, int exp2, const char *reason) {
    double r = ldexp(v, exp2);
    return isfinite(r) ? mg_value_of(r) : mg_value_null(reason);
}

/* scikit-learn's median_absolute_error: np.median without weights; with
 * weights _weighted_percentile(50): the first sorted error at which the
 * running (plain, left-to-right) sum of weights reaches half the total.
 * Works on the scaled errors; k scales the result back. */
static mg_status median_abs_error(const double *y, const double *pred, const double *w, int k,
                                  int kw, int64_t n, mg_value *out, mg_error *err) {
    size_t un = (size_t)n;
    uint64_t *keys = mg__malloc_array(un, sizeof *keys);
    double *wsort = w ? mg__malloc_array(un, sizeof *wsort) : NULL;
    if (keys == NULL || (w != NULL && wsort == NULL)) {
        free(keys);
        free(wsort);
        return mg__nomem(err, "the absolute errors");
    }
    scale sk = scale_by(k), sw = scale_by(kw);
    for (size_t i = 0; i < un; i++) {
        keys[i] = mg__nonneg_key(fabs(down(pred[i], sk) - down(y[i], sk)));
        if (wsort)
            wsort[i] = down(w[i], sw);
    }
    mg_status st = mg__radix_sort(keys, wsort, un, err);
    if (st == MG_OK && w == NULL) {
        double hi = mg__nonneg_from_key(keys[un / 2]);
        double m = un % 2 ? hi : (mg__nonneg_from_key(keys[un / 2 - 1]) + hi) / 2;
        *out = scaled_value(m, k, OVERFLOW_REASON);
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
        *out = scaled_value(mg__nonneg_from_key(keys[at]), k, OVERFLOW_REASON);
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
    int wexp;
    MG_TRY(mg__weights_check(w, n, &weight_sum, &wexp, err));
    weight_sum = ldexp(weight_sum, wexp);
    double max_in = 0, max_y = 0, max_w = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": label %g is not a finite number",
                            i + 1, y[i]);
        if (!isfinite(pred[i]))
            return mg__fail(err, MG_ERR_DATA,
                            "row %" PRId64 ": prediction %g is not a finite number", i + 1,
                            pred[i]);
        max_y = fmax(max_y, fabs(y[i]));
        max_in = fmax(max_in, fmax(fabs(y[i]), fabs(pred[i])));
        if (w)
            max_w = fmax(max_w, w[i]);
    }
    /* Scaled: e = (pred - y) 2^-k lies in (-2, 2), a weight in [0, 1). */
    int k = exponent_above(max_in), kw = w ? exponent_above(max_w) : 0;
    scale sk = scale_by(k), sw = scale_by(kw);

    mg__sum abs_err = {0, 0}, pct_err = {0, 0}, wsum = {0, 0};
    double max_err = 0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? down(w[i], sw) : 1.0;
        double ae = fabs(down(pred[i], sk) - down(y[i], sk));
        mg__sum_add(&wsum, wi);
        mg__sum_add(&abs_err, wi * ae);
        /* |pred - y| / max(|y|, eps) = (ae / max(|y|, eps)) 2^k: the quotient
         * stays below 2 / eps. */
        mg__sum_add(&pct_err, wi * (ae / fmax(fabs(y[i]), DBL_EPSILON)));
        if (ae > max_err)
            max_err = ae;
    }
    double ws = mg__sum_value(&wsum);
    /* Squares scaled once more by the largest scaled error 2^j. */
    int j = exponent_above(max_err);
    scale sj = scale_by(j);
    mg__sum sq_err = {0, 0};
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? down(w[i], sw) : 1.0;
        double e = down(down(pred[i], sk) - down(y[i], sk), sj);
        mg__sum_add(&sq_err, wi * e * e);
    }
    double sq = mg__sum_value(&sq_err);
    out->n = n;
    out->weight_sum = weight_sum;
    out->mae = scaled_value(mg__sum_value(&abs_err) / ws, k, OVERFLOW_REASON);
    out->mse = scaled_value(sq / ws, 2 * (j + k), OVERFLOW_REASON);
    out->rmse = scaled_value(sqrt(sq / ws), j + k, OVERFLOW_REASON);
    out->mape = scaled_value(mg__sum_value(&pct_err) / ws, k, OVERFLOW_REASON);
    out->max_error = scaled_value(max_err, k, OVERFLOW_REASON);

    /* Rows of zero weight do not count towards R²'s variance. */
    double first = 0;
    int have_first = 0, constant = 1;
    for (int64_t i = 0; i < n && constant; i++) {
        if (w == NULL || w[i] > 0) {
            if (have_first && y[i] != first)
                constant = 0;
            first = y[i];
            have_first = 1;
        }
    }
    if (n < 2) {
        out->r2 = mg_value_null("undefined: needs at least two rows");
    } else if (constant) {
        out->r2 = mg_value_null("undefined: the label is constant (zero variance)");
    } else {
        /* The labels get their own scale 2^ky and their deviations from the
         * mean one more, 2^jd, so a spread far below the predictions' size
         * does not underflow. */
        int ky = exponent_above(max_y);
        scale sy = scale_by(ky);
        mg__sum label = {0, 0};
        for (int64_t i = 0; i < n; i++)
            mg__sum_add(&label, (w ? down(w[i], sw) : 1.0) * down(y[i], sy));
        double mean = mg__sum_value(&label) / ws, max_d = 0;
        for (int64_t i = 0; i < n; i++)
            if (w == NULL || w[i] > 0)
                max_d = fmax(max_d, fabs(down(y[i], sy) - mean));
        int jd = exponent_above(max_d);
        scale sd = scale_by(jd);
        mg__sum total = {0, 0};
        for (int64_t i = 0; i < n; i++) {
            double d = down(down(y[i], sy) - mean, sd);
            mg__sum_add(&total, (w ? down(w[i], sw) : 1.0) * d * d);
        }
        double ss_tot = mg__sum_value(&total);
        if (!(ss_tot > 0)) {
            out->r2 = mg_value_null("undefined: the label is constant (zero variance)");
        } else {
            /* SS_res / SS_tot = (sq / ss_tot) 2^(2(j + k) - 2(jd + ky)). */
            double ratio = ldexp(sq / ss_tot, 2 * (j + k) - 2 * (jd + ky));
            out->r2 = isfinite(ratio)
                          ? mg_value_of(1 - ratio)
                          : mg_value_null("undefined: the residual sum of squares exceeds the "
                                          "label's variance by more than the largest double, so "
                                          "R² is below -1.8e308");
        }
    }
    return median_abs_error(y, pred, w, k, kw, n, &out->median_absolute_error, err);
}
