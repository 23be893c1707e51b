/* delong.c - DeLong's variance of the ROC AUC and the paired DeLong test of
 * two correlated AUCs, in O(n log n) from one sort per model (Sun & Xu 2014:
 * the structural components follow from midranks, here from counts of the
 * other class below and tied with each row). */
#include "stats_internal.h"
#include "modelgate/stats.h"

#include <math.h>

/* Structural components: v[i] = share of negatives scored below positive row
 * i (ties half), or for a negative row the share of positives scored above
 * it (ties half). The AUC is the mean of v over the positives. */
static mg_status components(const uint8_t *y, const double *score, int64_t n, int64_t npos,
                            int64_t nneg, double *v, double *auc, mg_error *err) {
    int64_t *order = mg__malloc_array((size_t)n, sizeof *order);
    if (order == NULL)
        return mg__nomem(err, "DeLong ranks");
    if (mg__sort_by_score(score, n, order) != MG_OK) {
        free(order);
        return mg__nomem(err, "DeLong ranks");
    }
    int64_t pos_below = 0, neg_below = 0;
    double sum = 0;
    for (int64_t start = 0; start < n;) {
        int64_t end = start;
        int64_t p = 0, q = 0;
        while (end < n && score[order[end]] == score[order[start]]) {
            if (y[order[end]])
                p++;
            else
                q++;
            end++;
        }
        double v_pos = ((double)neg_below + 0.5 * (double)q) / (double)nneg;
        double v_neg = ((double)(npos - pos_below - p) + 0.5 * (double)p) / (double)npos;
        for (int64_t k = start; k < end; k++) {
            int64_t i = order[k];
            v[i] = y[i] ? v_pos : v_neg;
        }
        sum += (double)p * v_pos;
        pos_below += p;
        neg_below += q;
        start = end;
    }
    free(order);
    *auc = sum / (double)npos;
    return MG_OK;
}

static mg_status check_input(const uint8_t *y, const double *const *scores, int nscores, int64_t n,
                             int64_t *npos, int64_t *nneg, mg_error *err) {
    int64_t p = 0;
    for (int64_t i = 0; i < n; i++) {
        p += y[i] != 0;
        for (int s = 0; s < nscores; s++)
            if (isnan(scores[s][i]))
                return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": the score is NaN", i + 1);
    }
    *npos = p;
    *nneg = n - p;
    if (*npos < 2 || *nneg < 2)
        return mg__fail(err, MG_ERR_DATA,
                        "DeLong's variance needs at least two rows of each class; got %" PRId64
                        " positive and %" PRId64 " negative",
                        *npos, *nneg);
    return MG_OK;
}

/* Sample covariance (n - 1 in the denominator, as DeLong) of a and b over
 * the rows of class `cls`. */
static double class_cov(const uint8_t *y, const double *a, const double *b, int64_t n, int cls,
                        int64_t count) {
    double ma = 0, mb = 0;
    for (int64_t i = 0; i < n; i++)
        if ((y[i] != 0) == cls) {
            ma += a[i];
            mb += b[i];
        }
    ma /= (double)count;
    mb /= (double)count;
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        if ((y[i] != 0) == cls)
            s += (a[i] - ma) * (b[i] - mb);
    return s / (double)(count - 1);
}

static double delong_var(const uint8_t *y, const double *a, const double *b, int64_t n,
                         int64_t npos, int64_t nneg) {
    return class_cov(y, a, b, n, 1, npos) / (double)npos +
           class_cov(y, a, b, n, 0, nneg) / (double)nneg;
}

static void fill_estimate(double auc, double var, int64_t npos, int64_t nneg, double level,
                          mg_auc_estimate *out) {
    double z = mg_norm_ppf(1 - (1 - level) / 2);
    double se = sqrt(fmax(0.0, var));
    out->auc = auc;
    out->variance = var;
    out->ci.low = fmax(0.0, auc - z * se);
    out->ci.high = fmin(1.0, auc + z * se);
    out->ci.level = level;
    out->ci.method = "delong";
    out->positives = npos;
    out->negatives = nneg;
}

mg_status mg_delong_auc(const uint8_t *y, const double *score, int64_t n, double level,
                        mg_auc_estimate *out, mg_error *err) {
    if (!(level > 0 && level < 1))
        return mg__fail(err, MG_ERR_USAGE, "confidence level %g is outside (0, 1)", level);
    int64_t npos, nneg;
    MG_TRY(check_input(y, &score, 1, n, &npos, &nneg, err));
    double *v = mg__malloc_array((size_t)n, sizeof *v);
    if (v == NULL)
        return mg__nomem(err, "DeLong components");
    double auc;
    mg_status st = components(y, score, n, npos, nneg, v, &auc, err);
    if (st == MG_OK)
        fill_estimate(auc, delong_var(y, v, v, n, npos, nneg), npos, nneg, level, out);
    free(v);
    return st;
}

mg_status mg_delong_paired(const uint8_t *y, const double *score_new, const double *score_base,
                           int64_t n, double level, mg_paired_test *out, mg_auc_estimate *auc_new,
                           mg_auc_estimate *auc_base, mg_error *err) {
    if (!(level > 0 && level < 1))
        return mg__fail(err, MG_ERR_USAGE, "confidence level %g is outside (0, 1)", level);
    int64_t npos, nneg;
    const double *scores[2] = {score_new, score_base};
    MG_TRY(check_input(y, scores, 2, n, &npos, &nneg, err));
    double *va = mg__malloc_array((size_t)n, sizeof *va);
    double *vb = mg__malloc_array((size_t)n, sizeof *vb);
    mg_status st = MG_OK;
    double a = 0, b = 0;
    if (va == NULL || vb == NULL)
        st = mg__nomem(err, "DeLong components");
    if (st == MG_OK)
        st = components(y, score_new, n, npos, nneg, va, &a, err);
    if (st == MG_OK)
        st = components(y, score_base, n, npos, nneg, vb, &b, err);
    if (st == MG_OK) {
        double vaa = delong_var(y, va, va, n, npos, nneg);
        double vbb = delong_var(y, vb, vb, n, npos, nneg);
        double vab = delong_var(y, va, vb, n, npos, nneg);
        double var = vaa + vbb - 2 * vab;
        out->test = "delong";
        out->ci_method = "delong";
        /* Rounding can leave a tiny positive variance for identical rankings;
         * anything at the scale of rounding error counts as zero. */
        mg_paired_z_fill(a - b, var, 1e-14 * (vaa + vbb), level, -1.0, 1.0, out);
        if (auc_new != NULL)
            fill_estimate(a, vaa, npos, nneg, level, auc_new);
        if (auc_base != NULL)
            fill_estimate(b, vbb, npos, nneg, level, auc_base);
    }
    free(va);
    free(vb);
    return st;
}
