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
    double *ae, *sq, *ape; /* |e|, e^2, |e| / max(|y|, eps) in that order */
    double *yc;            /* label minus the full-data mean, for R^2 without cancellation */
    double *base;          /* sample weights in that order, or NULL */
} ranked_errors;

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
    double mean = 0, total = 0;
    for (int64_t i = 0; i < n; i++) {
        double w = t->w != NULL ? t->w[i] : 1.0;
        mean += w * t->yr[i];
        total += w;
        abs_err[i] = fabs(t->pr[i] - t->yr[i]);
    }
    mean = total > 0 ? mean / total : 0;
    mg_status st = mg__sort_by_score(abs_err, n, r->row);
    free(abs_err);
    if (st != MG_OK) {
        ranked_errors_release(r);
        return mg__nomem(err, "regression bootstrap");
    }
    for (int64_t k = 0; k < n; k++) {
        int64_t i = r->row[k];
        double e = t->pr[i] - t->yr[i];
        r->ae[k] = fabs(e);
        r->sq[k] = e * e;
        r->ape[k] = fabs(e) / fmax(fabs(t->yr[i]), DBL_EPSILON);
        r->yc[k] = t->yr[i] - mean;
        if (r->base != NULL)
            r->base[k] = t->w[i];
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
    v[0] = ae / total;
    v[1] = sq / total;
    v[2] = sqrt(v[1]);
    double ss_tot = syy - sy * sy / total;
    if (r->n >= 2 && ymax > ymin && ss_tot > 0)
        v[3] = 1 - sq / ss_tot;
    v[4] = ape / total;
    v[5] = max_err;
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
    v[6] = r->ae[at];
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
