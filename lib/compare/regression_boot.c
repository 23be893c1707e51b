/* regression_boot.c - the bootstrap of every regression metric in one pass
 * per model and replicate, over the rows sorted once by absolute error (the
 * order the weighted median needs), instead of a full evaluation with a sort
 * per replicate. */
#include "compare_internal.h"

#include <float.h>
#include <math.h>

/* One model's rows in ascending order of absolute error. */
typedef struct ranked_errors {
    int64_t n;
    int64_t *row;
    /* Scaled so that no square overflows or underflows (as the metrics
     * library computes them): the error e is stored as e 2^-escale, the
     * label as y 2^-yscale; the results are scaled back at the end. */
    double *ae, *sq, *ape; /* |e|, e^2, |e| / max(|y|, eps) in that order (scaled) */
    double *yc;            /* label minus the full-data mean, for R^2 without cancellation */
    double *base;          /* sample weights in that order, or NULL */
    int escale, yscale;
} ranked_errors;

/* x 2^-k (exact; ldexp only when 2^-k is not a normal double). */
static double down(double x, int k) {
    return k >= -1021 && k <= 1021 ? x * ldexp(1.0, -k) : ldexp(x, -k);
}

static int exponent_above(double x) {
    int e = 0;
    (void)frexp(x, &e);
    return e;
}

static void ranked_errors_release(ranked_errors *r) {
    free(r->row);
    free(r->ae);
    free(r->sq);
    free(r->ape);
    free(r->yc);
    free(r->base);
    memset(r, 0, sizeof *r);
}

static mg_status ranked_errors_init(const mg_targets *t, ranked_errors *r, mg_error *err) {
    int64_t n = t->n;
    size_t cap = (size_t)(n > 0 ? n : 1);
    memset(r, 0, sizeof *r);
    r->n = n;
    r->row = mg__malloc_array(cap, sizeof *r->row);
    r->ae = mg__malloc_array(cap, sizeof *r->ae);
    r->sq = mg__malloc_array(cap, sizeof *r->sq);
    r->ape = mg__malloc_array(cap, sizeof *r->ape);
    r->yc = mg__malloc_array(cap, sizeof *r->yc);
    if (t->w != NULL)
        r->base = mg__malloc_array(cap, sizeof *r->base);
    double *abs_err = mg__malloc_array(cap, sizeof *abs_err);
    if (r->row == NULL || r->ae == NULL || r->sq == NULL || r->ape == NULL || r->yc == NULL ||
        (t->w != NULL && r->base == NULL) || abs_err == NULL) {
        free(abs_err);
        ranked_errors_release(r);
        return mg__nomem(err, "regression bootstrap");
    }
    double max_in = 0, max_y = 0;
    for (int64_t i = 0; i < n; i++) {
        max_y = fmax(max_y, fabs(t->yr[i]));
        max_in = fmax(max_in, fmax(max_y, fabs(t->pr[i])));
    }
    int k = exponent_above(max_in), ky = exponent_above(max_y);
    double mean = 0, total = 0, max_e = 0;
    for (int64_t i = 0; i < n; i++) {
        double w = t->w != NULL ? t->w[i] : 1.0;
        mean += w * down(t->yr[i], ky);
        total += w;
        abs_err[i] = fabs(down(t->pr[i], k) - down(t->yr[i], k));
        max_e = fmax(max_e, abs_err[i]);
    }
    mean = total > 0 ? mean / total : 0;
    int j = exponent_above(max_e);
    r->escale = j + k;
    r->yscale = ky;
    mg_status st = mg__sort_by_score(abs_err, n, r->row);
    free(abs_err);
    if (st != MG_OK) {
        ranked_errors_release(r);
        return mg__nomem(err, "regression bootstrap");
    }
    for (int64_t m = 0; m < n; m++) {
        int64_t i = r->row[m];
        double e = down(down(t->pr[i], k) - down(t->yr[i], k), j);
        r->ae[m] = fabs(e);
        r->sq[m] = e * e;
        r->ape[m] = fabs(e) / fmax(fabs(t->yr[i]), DBL_EPSILON);
        r->yc[m] = down(t->yr[i], ky) - mean;
        if (r->base != NULL)
            r->base[m] = t->w[i];
    }
    return MG_OK;
}

/* regression_metrics order: mae, mse, rmse, r2, mape, max_error,
 * median_absolute_error. max_error is the largest error among the rows the
 * replicate draws (weight > 0): the resample's own maximum. */
static void evaluate(const ranked_errors *r, uint64_t key, double *w, double *v) {
    double total = 0, ae = 0, sq = 0, ape = 0, sy = 0, syy = 0, max_err = 0;
    double ymin = INFINITY, ymax = -INFINITY;
    for (int64_t k = 0; k < r->n; k++) {
        double wk = mg_bootstrap_weight(key, r->row[k]);
        if (r->base != NULL)
            wk *= r->base[k];
        w[k] = wk;
        total += wk;
        ae += wk * r->ae[k];
        sq += wk * r->sq[k];
        ape += wk * r->ape[k];
        sy += wk * r->yc[k];
        syy += wk * r->yc[k] * r->yc[k];
        if (wk > 0) {
            max_err = r->ae[k]; /* ascending order: the last drawn row is the largest */
            ymin = fmin(ymin, r->yc[k]);
            ymax = fmax(ymax, r->yc[k]);
        }
    }
    for (int s = 0; s < 7; s++)
        v[s] = NAN;
    if (!(total > 0))
        return;
    int es = r->escale;
    v[0] = ldexp(ae / total, es);
    v[1] = ldexp(sq / total, 2 * es);
    v[2] = ldexp(sqrt(sq / total), es);
    double ss_tot = syy - sy * sy / total;
    if (r->n >= 2 && ymax > ymin && ss_tot > 0)
        v[3] = 1 - ldexp(sq / ss_tot, 2 * (es - r->yscale));
    v[4] = ldexp(ape / total, es);
    v[5] = ldexp(max_err, es);
    /* the weighted median as the metrics library defines it: the first error
     * at which the running weight reaches half the total */
    double half = 0.5 * total, cdf = 0;
    int64_t at = r->n - 1;
    for (int64_t k = 0; k < r->n; k++) {
        cdf += w[k];
        if (cdf >= half) {
            at = k;
            break;
        }
    }
    v[6] = ldexp(r->ae[at], es);
    /* A value past the largest double is undefined in this replicate, as
     * the point estimate is null: never an infinity in a percentile. */
    for (int s = 0; s < 7; s++)
        if (!isfinite(v[s]))
            v[s] = NAN;
}

typedef struct regression_ctx {
    ranked_errors r[2];
    int models;
} regression_ctx;

static mg_status regression_stat(void *arg, uint64_t key, double *out) {
    const regression_ctx *c = arg;
    double *w = mg__malloc_array((size_t)(c->r[0].n > 0 ? c->r[0].n : 1), sizeof *w);
    if (w == NULL)
        return MG_ERR_NOMEM;
    double v[7];
    for (int m = 0; m < c->models; m++) {
        evaluate(&c->r[m], key, w, v);
        for (int k = 0; k < 7; k++)
            out[k * c->models + m] = v[k];
    }
    free(w);
    return MG_OK;
}

mg_status mg__bootstrap_regression(const mg_targets *const *t, int models,
                                   const mg_bootstrap_options *bo, mg_bootstrap *out,
                                   mg_error *err) {
    regression_ctx c = {.models = models};
    mg_status st = MG_OK;
    for (int m = 0; m < models && st == MG_OK; m++)
        st = ranked_errors_init(t[m], &c.r[m], err);
    if (st == MG_OK)
        st = mg_bootstrap_run(bo, 7 * models, regression_stat, &c, out, err);
    for (int m = 0; m < models; m++)
        ranked_errors_release(&c.r[m]);
    return st;
}
