/* calibration.c - reliability diagrams, expected and maximum calibration
 * error (Guo et al. 2017, "On Calibration of Modern Neural Networks"), and
 * the calibration slope and intercept (Cox 1958; the logistic recalibration
 * fit). The bins are sklearn.calibration.calibration_curve's: the same
 * edges, the same membership rule (low < s <= high), empty bins left out;
 * docs/calibration.md has the definitions. */
#include "metrics_internal.h"
#include "modelgate/stats.h"

/* logit is taken of p clipped to [LOGIT_EPS, 1 - LOGIT_EPS]. */
/* The logistic fit memoises per distinct score from this many rows, for up
 * to this many distinct scores (and an eighth of the rows). */
#define MEMO_MIN_ROWS 100000
#define MEMO_MAX ((int64_t)1 << 16) /* 2 MB of cells: in cache, or the lookups cost more */
#define LOGIT_EPS 1e-15
#define DEFAULT_BINS MG__CALIBRATION_BINS

const char *mg_calibration_strategy_name(mg_calibration_strategy s) {
    return s == MG_CALIBRATION_QUANTILE ? "quantile" : "uniform";
}

/* Weighted sums of one bin. */
typedef struct bin_acc {
    double w, w2, ws, wh; /* weight, squared weight, weight * score, weight * hit */
    int64_t rows;
} bin_acc;

static void acc_add(bin_acc *a, double w, double s, int hit) {
    a->w += w;
    a->w2 += w * w;
    a->ws += w * s;
    if (hit)
        a->wh += w;
    a->rows++;
}

/* ECE and MCE over the bins of positive weight. */
static void errors_of(const bin_acc *acc, int nb, mg_value *ece, mg_value *mce) {
    double total = 0, sum = 0, worst = 0;
    for (int b = 0; b < nb; b++)
        total += acc[b].w;
    if (!(total > 0)) {
        *ece = *mce = mg_value_null("undefined: no rows of positive weight");
        return;
    }
    for (int b = 0; b < nb; b++) {
        if (!(acc[b].w > 0))
            continue;
        double gap = fabs(acc[b].wh / acc[b].w - acc[b].ws / acc[b].w);
        sum += acc[b].w / total * gap;
        if (gap > worst)
            worst = gap;
    }
    *ece = mg_value_of(sum);
    *mce = mg_value_of(worst);
}

/* numpy.linspace(0, 1, nb + 1)[i], as calibration_curve's uniform edges. */
static inline double uniform_edge(int i, int nb) {
    /* mg_histogram_edge's expression, inlined: it is taken twice per row */
    return i >= nb ? 1.0 : (double)i * (1.0 / (double)nb);
}

/* calibration_curve's bin: searchsorted(inner edges, s, side='left'), i.e.
 * the number of inner edges below s. */
static int uniform_bin(double s, int nb) {
    int b = (int)(s * (double)nb);
    if (b > nb - 1)
        b = nb - 1;
    if (b < 0)
        b = 0;
    while (b > 0 && s <= uniform_edge(b, nb))
        b--;
    while (b < nb - 1 && s > uniform_edge(b + 1, nb))
        b++;
    return b;
}

static int edges_bin(double s, const double *edges, int nb) {
    int lo = 0, hi = nb - 1; /* count the inner edges edges[1..nb-1] below s */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (edges[mid + 1] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* numpy.percentile(sorted[0..m), q * 100) with its default 'linear' method,
 * operation for operation, so that the edges are the same doubles. */
static double percentile_linear(const double *sorted, int64_t m, double q) {
    double virt = (double)(m - 1) * q;
    if (virt >= (double)(m - 1))
        return sorted[m - 1];
    double prev = floor(virt);
    int64_t i = (int64_t)prev;
    double gamma = virt - prev;
    double a = sorted[i], b = sorted[i + 1], diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/* Top-label view of a multiclass row: confidence max_k p_k and whether the
 * first maximum is the true class. */
static double top_label(const double *p, int k, int32_t y, int *hit) {
    int best = 0;
    for (int c = 1; c < k; c++)
        if (p[c] > p[best])
            best = c;
    *hit = best == y;
    return p[best];
}

/* The rows as (confidence, hit): binary score and label, or top label. */
typedef struct rows_view {
    const uint8_t *y;
    const double *score;
    const int32_t *yc;
    const double *proba;
    int k;
    const double *w;
    int64_t n;
} rows_view;

static double row_at(const rows_view *v, int64_t i, int *hit) {
    if (v->proba != NULL)
        return top_label(v->proba + (size_t)i * (size_t)v->k, v->k, v->yc[i], hit);
    *hit = v->y[i] != 0;
    return v->score[i];
}

/* Sorts v[0..m) ascending (values in [0, 1], as the rows check): the radix
 * sort of their bit patterns, O(m), instead of a comparison sort (the
 * quantile edges of a 10M-row test set cost a second under qsort). The same
 * doubles come out, -0.0 as 0.0. */
static mg_status sort_unit(double *v, int64_t m, mg_error *err) {
    /* the keys take the doubles' place (memcpy: no aliasing of types) */
    for (int64_t i = 0; i < m; i++) {
        uint64_t k = mg__nonneg_key(v[i]);
        memcpy(&v[i], &k, sizeof k);
    }
    uint64_t *keys = (uint64_t *)(void *)v;
    MG_TRY(mg__radix_sort(keys, NULL, (size_t)m, err));
    for (int64_t i = 0; i < m; i++) {
        uint64_t k;
        memcpy(&k, &v[i], sizeof k);
        double d = mg__nonneg_from_key(k);
        memcpy(&v[i], &d, sizeof d);
    }
    return MG_OK;
}

static mg_status reliability(const rows_view *v, int nb, mg_calibration_strategy strategy,
                             double level, const uint64_t *sorted_keys, mg_reliability *out,
                             mg_error *err) {
    out->strategy = strategy;
    out->nbins = nb;
    double *edges = mg__malloc_array((size_t)nb + 1, sizeof *edges);
    bin_acc *acc = mg__calloc((size_t)nb, sizeof *acc);
    double *sorted = NULL;
    mg_status st = MG_OK;
    if (edges == NULL || acc == NULL) {
        st = mg__nomem(err, "the reliability bins");
        goto done;
    }
    if (strategy == MG_CALIBRATION_UNIFORM) {
        for (int i = 0; i <= nb; i++)
            edges[i] = uniform_edge(i, nb);
    } else {
        sorted = mg__malloc_array((size_t)v->n, sizeof *sorted);
        if (sorted == NULL) {
            st = mg__nomem(err, "the sorted scores");
            goto done;
        }
        int64_t m = 0;
        if (sorted_keys != NULL && v->w == NULL && v->proba == NULL) {
            /* the scores in order, off the keys sorted for the AUCs */
            for (int64_t i = 0; i < v->n; i++)
                sorted[m++] = mg__nonneg_from_key(sorted_keys[i] >> 1);
        } else {
            for (int64_t i = 0; i < v->n; i++) {
                int hit;
                double s = row_at(v, i, &hit);
                if (v->w == NULL || v->w[i] != 0)
                    sorted[m++] = s;
            }
            if (m > 0 && (st = sort_unit(sorted, m, err)) != MG_OK)
                goto done;
        }
        if (m == 0) {
            out->ece = out->mce = mg_value_null("undefined: no rows of positive weight");
            goto done;
        }
        for (int i = 0; i <= nb; i++) {
            /* calibration_curve: percentile(linspace(0, 1, nb + 1) * 100) */
            double q = uniform_edge(i, nb) * 100.0 / 100.0;
            edges[i] = percentile_linear(sorted, m, q);
        }
    }
    for (int64_t i = 0; i < v->n; i++) {
        int hit;
        double s = row_at(v, i, &hit);
        int b = strategy == MG_CALIBRATION_UNIFORM ? uniform_bin(s, nb) : edges_bin(s, edges, nb);
        acc_add(&acc[b], v->w ? v->w[i] : 1.0, s, hit);
    }
    errors_of(acc, nb, &out->ece, &out->mce);
    int nonempty = 0;
    for (int b = 0; b < nb; b++)
        nonempty += acc[b].w > 0;
    out->bins = mg__calloc((size_t)(nonempty > 0 ? nonempty : 1), sizeof *out->bins);
    if (out->bins == NULL) {
        st = mg__nomem(err, "the reliability bins");
        goto done;
    }
    for (int b = 0; b < nb; b++) {
        if (!(acc[b].w > 0))
            continue;
        mg_reliability_bin *r = &out->bins[out->nonempty++];
        r->low = edges[b];
        r->high = edges[b + 1];
        r->mean_score = acc[b].ws / acc[b].w;
        r->observed_rate = acc[b].wh / acc[b].w;
        r->weight = acc[b].w;
        r->count = acc[b].rows;
        /* Kish's effective sample size: the count itself without weights */
        double n_eff = acc[b].w * acc[b].w / acc[b].w2;
        mg_interval ci;
        if (mg_wilson_interval(r->observed_rate * n_eff, n_eff, level, &ci) == 0) {
            r->ci_low = ci.low;
            r->ci_high = ci.high;
        } else {
            r->ci_low = r->ci_high = NAN;
        }
    }
done:
    free(edges);
    free(acc);
    free(sorted);
    return st;
}

static double logit_clipped(double p) {
    if (p < LOGIT_EPS)
        p = LOGIT_EPS;
    if (p > 1 - LOGIT_EPS)
        p = 1 - LOGIT_EPS;
    return log(p) - log1p(-p);
}

/* Distinct scores, for test sets with many ties (scores written with 3 or 4
 * decimals, a tree model's leaf sums): each Newton step then takes exp and
 * log1p once per distinct score instead of once per row, and the rows look
 * their values up. The sums still run over the rows in row order, with the same doubles,
 * so the fit is the same. */
typedef struct fit_cell {
    double x, mu, t_pos, t_neg; /* logit; mean; a positive's and a negative's -log-likelihood */
} fit_cell;

typedef struct fit_memo {
    int32_t *id;    /* row -> distinct score (rows of zero weight: unused) */
    double *x;      /* the distinct scores' logits */
    fit_cell *cell; /* their values at the current (a, b) */
    int64_t nd;
} fit_memo;

static void memo_release(fit_memo *m) {
    free(m->id);
    free(m->x);
    free(m->cell);
    memset(m, 0, sizeof *m);
}

/* The distinct scores of the rows of nonzero weight, by an open-addressing
 * hash of their bits; false (m released) when there are more than `limit`
 * or no memory. */
static bool memo_build(const double *score, const double *w, int64_t n, int64_t limit,
                       fit_memo *m) {
    memset(m, 0, sizeof *m);
    size_t slots = 2;
    int shift = 63;
    while (slots < (size_t)limit * 2) {
        slots <<= 1;
        shift--;
    }
    uint64_t *key = mg__malloc_array(slots, sizeof *key);
    int32_t *at = mg__malloc_array(slots, sizeof *at);
    m->id = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *m->id);
    m->x = mg__malloc_array((size_t)(limit > 0 ? limit : 1), sizeof *m->x);
    bool ok = key != NULL && at != NULL && m->id != NULL && m->x != NULL;
    for (size_t k = 0; ok && k < slots; k++)
        at[k] = -1;
    for (int64_t i = 0; ok && i < n; i++) {
        if (w != NULL && w[i] == 0)
            continue;
        double s = score[i] + 0.0; /* -0.0 as 0.0: the same logit */
        uint64_t bits;
        memcpy(&bits, &s, sizeof bits);
        size_t k = (size_t)((bits * 0x9E3779B97F4A7C15ULL) >> shift); /* Fibonacci hashing */
        while (at[k] >= 0 && key[k] != bits)
            k = (k + 1) & (slots - 1);
        if (at[k] < 0) {
            if (m->nd == limit) {
                ok = false;
                break;
            }
            key[k] = bits;
            at[k] = (int32_t)m->nd;
            m->x[m->nd++] = logit_clipped(s);
        }
        m->id[i] = at[k];
    }
    free(key);
    free(at);
    if (ok)
        m->cell = mg__malloc_array((size_t)(m->nd > 0 ? m->nd : 1), sizeof *m->cell);
    if (!ok || m->cell == NULL) {
        memo_release(m);
        return false;
    }
    return true;
}

/* One row's terms at z = a + b x: exp(-|z|) gives both the mean (1 / (1 +
 * e) or e / (1 + e)) and the log-likelihood terms (log1pexp's two branches
 * are |z|-or-0 plus log1p(e)), the same doubles as 1 / (1 + exp(-z)) and
 * log1pexp(+-z). */
static inline fit_cell fit_terms(double x, double a, double b) {
    double z = a + b * x;
    double e = exp(-fabs(z)), l1 = log1p(e);
    fit_cell c = {x, z >= 0 ? 1 / (1 + e) : e / (1 + e), z < 0 ? -z + l1 : l1,
                  z > 0 ? z + l1 : l1};
    return c;
}

/* Log-likelihood, gradient and Hessian of label ~ sigmoid(a + b x) at (a, b),
 * x = logit(score): from the memo of distinct scores, from xs (the logits,
 * taken once by logistic_fit) or, both NULL, computed here. */
typedef struct fit_pass {
    double ll, g0, g1, h00, h01, h11;
} fit_pass;

static fit_pass fit_eval(const uint8_t *y, const double *score, const double *xs,
                         const fit_memo *memo, const double *w, int64_t n, double a, double b) {
    fit_pass f = {0};
    mg__sum ll = {0, 0};
    for (int64_t d = 0; memo != NULL && d < memo->nd; d++)
        memo->cell[d] = fit_terms(memo->x[d], a, b);
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0)
            continue;
        fit_cell c = memo != NULL ? memo->cell[memo->id[i]]
                                  : fit_terms(xs != NULL ? xs[i] : logit_clipped(score[i]), a, b);
        double x = c.x, mu = c.mu;
        double r = (y[i] ? 1.0 : 0.0) - mu, v = mu * (1 - mu);
        /* log1pexp(-z) for a positive, log1pexp(z) for a negative */
        mg__sum_add(&ll, -wi * (y[i] ? c.t_pos : c.t_neg));
        f.g0 += wi * r;
        f.g1 += wi * r * x;
        f.h00 += wi * v;
        f.h01 += wi * v * x;
        f.h11 += wi * v * x * x;
    }
    f.ll = mg__sum_value(&ll);
    return f;
}

/* Newton's method from (0, 1) (perfect calibration), halving a step that
 * lowers the likelihood; converged when the full Newton step is below 1e-10
 * relative to the parameters. Each Newton step re-reads the logits: taken
 * once per distinct score when there are at most an eighth as many as rows,
 * else once per row when there is memory for them. */
static void logistic_fit(const uint8_t *y, const double *score, const double *w, int64_t n,
                         mg_value *slope, mg_value *intercept) {
    double pos = 0, neg = 0, xmin = INFINITY, xmax = -INFINITY;
    double pos_min = INFINITY, pos_max = -INFINITY, neg_min = INFINITY, neg_max = -INFINITY;
    fit_memo memo_store, *memo = NULL;
    int64_t limit = n / 8 < MEMO_MAX ? n / 8 : MEMO_MAX;
    if (n >= MEMO_MIN_ROWS && memo_build(score, w, n, limit, &memo_store))
        memo = &memo_store;
    double *xs = memo != NULL ? NULL : mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *xs);
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0)
            continue;
        double x = memo != NULL ? memo->x[memo->id[i]] : logit_clipped(score[i]);
        if (xs != NULL)
            xs[i] = x;
        if (y[i]) {
            pos += wi;
            pos_min = x < pos_min ? x : pos_min;
            pos_max = x > pos_max ? x : pos_max;
        } else {
            neg += wi;
            neg_min = x < neg_min ? x : neg_min;
            neg_max = x > neg_max ? x : neg_max;
        }
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
    }
    const char *why = NULL;
    if (!(pos > 0) || !(neg > 0))
        why = "undefined: the labels have one class only, so no logistic fit exists";
    else if (!(xmax > xmin))
        why = "undefined: every score is the same, so logit(p) has no spread to fit a slope on";
    else if (neg_max < pos_min || pos_max < neg_min)
        /* Complete separation: the likelihood has no maximum (the slope runs
         * off to infinity), whatever a finite number of steps reaches. */
        why = "undefined: the score separates the classes completely, so the logistic fit has "
              "no maximum";
    double a = 0, b = 1, step_a = 0, step_b = 0, t = 1;
    bool converged = false;
    fit_pass f = why ? (fit_pass){0} : fit_eval(y, score, xs, memo, w, n, a, b);
    for (int it = 0; why == NULL && it < 200 && !converged; it++) {
        double det = f.h00 * f.h11 - f.h01 * f.h01;
        if (!(det > 0) || !isfinite(det))
            break;
        step_a = (f.h11 * f.g0 - f.h01 * f.g1) / det;
        step_b = (f.h00 * f.g1 - f.h01 * f.g0) / det;
        if (fabs(step_a) <= 1e-10 * (1 + fabs(a)) && fabs(step_b) <= 1e-10 * (1 + fabs(b))) {
            a += step_a;
            b += step_b;
            converged = true;
            break;
        }
        for (t = 1; t > 1e-10; t /= 2) {
            fit_pass g = fit_eval(y, score, xs, memo, w, n, a + t * step_a, b + t * step_b);
            if (g.ll >= f.ll - 1e-12 * fabs(f.ll)) {
                a += t * step_a;
                b += t * step_b;
                f = g;
                break;
            }
        }
        if (!(t > 1e-10) || fabs(b) > 1e8 || fabs(a) > 1e8)
            break;
    }
    if (why == NULL && !converged)
        why = "undefined: the logistic fit of the label on logit(score) did not converge (the "
              "score separates the classes, or nearly)";
    free(xs);
    if (memo != NULL)
        memo_release(memo);
    if (why != NULL) {
        *slope = *intercept = mg_value_null(why);
        return;
    }
    *slope = mg_value_of(b);
    *intercept = mg_value_of(a);
}

static mg_status check_args(int nbins, double level, mg_error *err) {
    if (nbins < 1 || nbins > MG_CALIBRATION_MAX_BINS)
        return mg__fail(err, MG_ERR_USAGE, "calibration bins: %d is not in 1..%d", nbins,
                        MG_CALIBRATION_MAX_BINS);
    if (!(level > 0 && level < 1))
        return mg__fail(err, MG_ERR_USAGE, "calibration: confidence level %g is outside (0, 1)",
                        level);
    return MG_OK;
}

static mg_status both_strategies(const rows_view *v, int nbins, double level,
                                 const uint64_t *sorted, mg_calibration *out, mg_error *err) {
    mg_status st = reliability(v, nbins, MG_CALIBRATION_UNIFORM, level, NULL, &out->uniform, err);
    if (st == MG_OK)
        st = reliability(v, nbins, MG_CALIBRATION_QUANTILE, level, sorted, &out->quantile, err);
    if (st != MG_OK)
        mg_calibration_release(out);
    return st;
}

mg_status mg_calibration_bins_compute(const uint8_t *y, const double *score, const double *w,
                                      int64_t n, int nbins, double level, mg_calibration *out,
                                      mg_error *err) {
    return mg__calibration_bins_compute_sorted(y, score, w, n, nbins, level, NULL, out, err);
}

mg_status mg__calibration_bins_compute_sorted(const uint8_t *y, const double *score,
                                              const double *w, int64_t n, int nbins, double level,
                                              const uint64_t *sorted, mg_calibration *out,
                                              mg_error *err) {
    memset(out, 0, sizeof *out);
    MG_TRY(check_args(nbins, level, err));
    if (n <= 0)
        return mg__fail(err, MG_ERR_DATA, "no rows to evaluate");
    double sum;
    int wexp;
    MG_TRY(mg__weights_check(w, n, &sum, &wexp, err));
    MG_TRY(mg__binary_rows_check(y, score, n, err));
    rows_view v = {.y = y, .score = score, .w = w, .n = n};
    MG_TRY(both_strategies(&v, nbins, level, sorted, out, err));
    out->slope = out->intercept = mg_value_null("undefined: not fitted");
    return MG_OK;
}

mg_status mg_calibration_compute(const uint8_t *y, const double *score, const double *w,
                                 int64_t n, int nbins, double level, mg_calibration *out,
                                 mg_error *err) {
    MG_TRY(mg_calibration_bins_compute(y, score, w, n, nbins, level, out, err));
    logistic_fit(y, score, w, n, &out->slope, &out->intercept);
    return MG_OK;
}

mg_status mg_calibration_top_label_compute(const int32_t *y, const double *proba,
                                           const double *w, int64_t n, int k, int nbins,
                                           double level, mg_calibration *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->top_label = true;
    MG_TRY(check_args(nbins, level, err));
    if (k < 2)
        return mg__fail(err, MG_ERR_USAGE, "top-label calibration needs at least 2 classes");
    if (n <= 0)
        return mg__fail(err, MG_ERR_DATA, "no rows to evaluate");
    double sum;
    int wexp;
    MG_TRY(mg__weights_check(w, n, &sum, &wexp, err));
    for (int64_t i = 0; i < n; i++) {
        if (y[i] < 0 || y[i] >= k)
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": class %d is not in 0..%d", i + 1,
                            (int)y[i], k - 1);
        for (int c = 0; c < k; c++) {
            double p = proba[(size_t)i * (size_t)k + (size_t)c];
            if (!(p >= 0 && p <= 1))
                return mg__fail(err, MG_ERR_DATA,
                                "row %" PRId64 ": probability %g is not in [0, 1]", i + 1, p);
        }
    }
    rows_view v = {.yc = y, .proba = proba, .k = k, .w = w, .n = n};
    MG_TRY(both_strategies(&v, nbins, level, NULL, out, err));
    out->slope = out->intercept =
        mg_value_null("undefined: the calibration slope and intercept are for binary tasks");
    return MG_OK;
}

void mg_calibration_release(mg_calibration *c) {
    if (c == NULL)
        return;
    free(c->uniform.bins);
    free(c->quantile.bins);
    c->uniform.bins = c->quantile.bins = NULL;
    c->uniform.nonempty = c->quantile.nonempty = 0;
}

int mg__calibration_bin(double score) {
    return uniform_bin(score, DEFAULT_BINS);
}

void mg__calibration_errors_of(const double *w, const double *ws, const double *wh, mg_value *ece,
                               mg_value *mce) {
    bin_acc acc[DEFAULT_BINS];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < DEFAULT_BINS; b++) {
        acc[b].w = w[b];
        acc[b].ws = ws[b];
        acc[b].wh = wh[b];
    }
    errors_of(acc, DEFAULT_BINS, ece, mce);
}

void mg_calibration_errors(const uint8_t *y, const double *score, const int32_t *yc,
                           const double *proba, int k, const double *w, int64_t n, mg_value *ece,
                           mg_value *mce) {
    rows_view v = {.y = y, .score = score, .yc = yc, .proba = proba, .k = k, .w = w, .n = n};
    bin_acc acc[DEFAULT_BINS];
    memset(acc, 0, sizeof acc);
    for (int64_t i = 0; i < n; i++) {
        int hit;
        double s = row_at(&v, i, &hit);
        acc_add(&acc[uniform_bin(s, DEFAULT_BINS)], w ? w[i] : 1.0, s, hit);
    }
    errors_of(acc, DEFAULT_BINS, ece, mce);
}

void mg_calibration_metrics_compute(const uint8_t *y, const double *score, const int32_t *yc,
                                    const double *proba, int k, const double *w, int64_t n,
                                    mg_calibration_metrics *out) {
    mg_calibration_errors(y, score, yc, proba, k, w, n, &out->ece, &out->mce);
    if (proba == NULL)
        logistic_fit(y, score, w, n, &out->calibration_slope, &out->calibration_intercept);
    else
        out->calibration_slope = out->calibration_intercept =
            mg_value_null("undefined: the calibration slope and intercept are for binary tasks");
}
