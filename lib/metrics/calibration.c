/* calibration.c - reliability diagrams, expected and maximum calibration
 * error (Guo et al. 2017, "On Calibration of Modern Neural Networks"), and
 * the calibration slope and intercept (Cox 1958; the logistic recalibration
 * fit). The bins are sklearn.calibration.calibration_curve's: the same
 * edges, the same membership rule (low < s <= high), empty bins left out;
 * docs/calibration.md has the definitions. */
#include "metrics_internal.h"
#include "modelgate/stats.h"

/* logit is taken of p clipped to [LOGIT_EPS, 1 - LOGIT_EPS]. */
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
    /* mg_histogram_edge, inline: uniform_bin calls it for every row */
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

/* The value at ascending position p, one of want[0..nw) (val holds them). */
static double order_stat(const int64_t *want, const double *val, int nw, int64_t p) {
    for (int k = 0; k < nw; k++)
        if (want[k] == p)
            return val[k];
    return NAN; /* not reached: the caller asks for positions it selected */
}

/* numpy.percentile(sorted[0..m), q * 100) with its default 'linear' method,
 * operation for operation, so that the edges are the same doubles; the
 * order statistics it reads are in want/val (see quantile_values). */
static double percentile_linear(const int64_t *want, const double *val, int nw, int64_t m,
                                double q) {
    double virt = (double)(m - 1) * q;
    if (virt >= (double)(m - 1))
        return order_stat(want, val, nw, m - 1);
    double prev = floor(virt);
    int64_t i = (int64_t)prev;
    double gamma = virt - prev;
    double a = order_stat(want, val, nw, i), b = order_stat(want, val, nw, i + 1), diff = b - a;
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

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Puts the order statistics at the ascending positions want[0..nw) (sorted,
 * distinct, inside [lo, hi]) in place, as a full sort would, in about
 * n log(nw) steps instead of a sort's n log n. */
static void select_many(double *v, int64_t lo, int64_t hi, const int64_t *want, int nw) {
    while (nw > 0) {
        int mid = nw / 2;
        int64_t k = want[mid];
        mg__select_kth(v, lo, hi, k);
        select_many(v, lo, k - 1, want, mid);
        lo = k + 1;
        want += mid + 1;
        nw -= mid + 1;
    }
}

/* Histogram buckets of the selection: the top 21 bits of a non-negative
 * double (its exponent and 9 bits of its mantissa). */
#define QSEL_SHIFT 43
#define QSEL_BUCKETS ((size_t)1 << (64 - QSEL_SHIFT))
/* At most this many wanted positions (and buckets) for the histogram path
 * (up to 62 bins); more take the copy. */
#define QSEL_TARGETS 127

/* The order statistics percentile_linear reads for nb quantile bins over
 * the scores of the rows of nonzero weight: *m of them; want[0..*nw) the
 * ascending positions (floor((m - 1) q) and the next for each edge), val
 * their values, as a full sort would give them. Two passes: a histogram of
 * the top bits of the scores, then the scores of the few buckets that hold
 * a wanted position, sorted. When those buckets hold too many scores (most
 * rows share a few values), a copy of the scores and Hoare's selection. */
static mg_status quantile_values(const rows_view *v, int nb, int64_t *m_out, int64_t *want,
                                 double *val, int *nw_out, mg_error *err) {
    int64_t m = 0;
    for (int64_t i = 0; i < v->n; i++)
        m += v->w == NULL || v->w[i] != 0;
    *m_out = m;
    *nw_out = 0;
    if (m == 0)
        return MG_OK;
    int nw = 0;
    for (int i = 0; i <= nb; i++) {
        double virt = (double)(m - 1) * (uniform_edge(i, nb) * 100.0 / 100.0);
        int64_t at = virt >= (double)(m - 1) ? m - 1 : (int64_t)floor(virt);
        for (int64_t p = at; p <= at + 1 && p < m; p++)
            if (nw == 0 || want[nw - 1] < p)
                want[nw++] = p;
    }
    *nw_out = nw;
    /* The bucket of each wanted position, and the rank in it. */
    uint32_t tb[QSEL_TARGETS];
    int64_t tbase[QSEL_TARGETS], tcount[QSEL_TARGETS], start[QSEL_TARGETS], fill[QSEL_TARGETS];
    int nt = 0, of[QSEL_TARGETS];
    int64_t collected = 0;
    uint32_t *hist = NULL;
    if (nw <= QSEL_TARGETS && m < (int64_t)UINT32_MAX &&
        (hist = mg__calloc(QSEL_BUCKETS, sizeof *hist)) != NULL) {
        for (int64_t i = 0; i < v->n; i++) {
            int hit;
            double s = row_at(v, i, &hit);
            if (v->w == NULL || v->w[i] != 0)
                hist[mg__nonneg_key(s) >> QSEL_SHIFT]++;
        }
        int64_t below = 0;
        int k = 0;
        for (size_t b = 0; b < QSEL_BUCKETS && k < nw; b++) {
            int64_t c = hist[b];
            if (c == 0 || want[k] >= below + c) {
                below += c;
                continue;
            }
            tb[nt] = (uint32_t)b;
            tbase[nt] = below;
            tcount[nt] = c;
            collected += c;
            while (k < nw && want[k] < below + c)
                of[k++] = nt;
            nt++;
            below += c;
        }
        free(hist);
    }
    double *pool = NULL;
    int16_t *slot = NULL;
    if (nt > 0 && (collected <= (int64_t)1 << 20 || collected <= m / 8)) {
        pool = mg__malloc_array((size_t)collected, sizeof *pool);
        slot = mg__malloc_array(QSEL_BUCKETS, sizeof *slot);
    }
    if (pool != NULL && slot != NULL) {
        for (size_t b = 0; b < QSEL_BUCKETS; b++)
            slot[b] = -1;
        int64_t at = 0;
        for (int t = 0; t < nt; t++) {
            slot[tb[t]] = (int16_t)t;
            start[t] = fill[t] = at;
            at += tcount[t];
        }
        for (int64_t i = 0; i < v->n; i++) {
            int hit;
            double s = row_at(v, i, &hit);
            if (v->w != NULL && v->w[i] == 0)
                continue;
            int t = slot[mg__nonneg_key(s) >> QSEL_SHIFT];
            if (t >= 0)
                pool[fill[t]++] = s;
        }
        for (int t = 0; t < nt; t++)
            qsort(pool + start[t], (size_t)tcount[t], sizeof *pool, cmp_double);
        for (int k = 0; k < nw; k++)
            val[k] = pool[start[of[k]] + (want[k] - tbase[of[k]])];
        free(pool);
        free(slot);
        return MG_OK;
    }
    free(pool);
    free(slot);
    double *sorted = mg__malloc_array((size_t)m, sizeof *sorted);
    if (sorted == NULL)
        return mg__nomem(err, "the sorted scores");
    int64_t j = 0;
    for (int64_t i = 0; i < v->n; i++) {
        int hit;
        double s = row_at(v, i, &hit);
        if (v->w == NULL || v->w[i] != 0)
            sorted[j++] = s;
    }
    select_many(sorted, 0, m - 1, want, nw);
    for (int k = 0; k < nw; k++)
        val[k] = sorted[want[k]];
    free(sorted);
    return MG_OK;
}

/* The order statistics of quantile_values read off keys sorted for the AUCs
 * (mg__score_keys_sorted: the score's mg__nonneg_key shifted left by one,
 * the label in the low bit), for unweighted binary rows: no pass over the
 * scores. */
static void quantile_values_sorted(const uint64_t *keys, int64_t n, int nb, int64_t *want,
                                   double *val, int *nw_out) {
    int nw = 0;
    for (int i = 0; i <= nb; i++) {
        double virt = (double)(n - 1) * (uniform_edge(i, nb) * 100.0 / 100.0);
        int64_t at = virt >= (double)(n - 1) ? n - 1 : (int64_t)floor(virt);
        for (int64_t p = at; p <= at + 1 && p < n; p++)
            if (nw == 0 || want[nw - 1] < p)
                want[nw++] = p;
    }
    for (int k = 0; k < nw; k++)
        val[k] = mg__nonneg_from_key(keys[want[k]] >> 1);
    *nw_out = nw;
}

static mg_status reliability(const rows_view *v, int nb, mg_calibration_strategy strategy,
                             double level, const uint64_t *sorted_keys, mg_reliability *out,
                             mg_error *err) {
    out->strategy = strategy;
    out->nbins = nb;
    double *edges = mg__malloc_array((size_t)nb + 1, sizeof *edges);
    bin_acc *acc = mg__calloc((size_t)nb, sizeof *acc);
    int64_t *want = NULL;
    double *val = NULL;
    mg_status st = MG_OK;
    if (edges == NULL || acc == NULL) {
        st = mg__nomem(err, "the reliability bins");
        goto done;
    }
    if (strategy == MG_CALIBRATION_UNIFORM) {
        for (int i = 0; i <= nb; i++)
            edges[i] = uniform_edge(i, nb);
    } else {
        int64_t m = 0;
        int nw = 0;
        want = mg__malloc_array(2 * ((size_t)nb + 1), sizeof *want);
        val = mg__malloc_array(2 * ((size_t)nb + 1), sizeof *val);
        if (want == NULL || val == NULL) {
            st = mg__nomem(err, "the quantile edges");
            goto done;
        }
        if (sorted_keys != NULL && v->w == NULL && v->proba == NULL && v->n > 0) {
            m = v->n;
            quantile_values_sorted(sorted_keys, v->n, nb, want, val, &nw);
        } else if ((st = quantile_values(v, nb, &m, want, val, &nw, err)) != MG_OK) {
            goto done;
        }
        if (m == 0) {
            out->ece = out->mce = mg_value_null("undefined: no rows of positive weight");
            goto done;
        }
        for (int i = 0; i <= nb; i++) {
            /* calibration_curve: percentile(linspace(0, 1, nb + 1) * 100) */
            double q = uniform_edge(i, nb) * 100.0 / 100.0;
            edges[i] = percentile_linear(want, val, nw, m, q);
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
    free(want);
    free(val);
    return st;
}

static double logit_clipped(double p) {
    if (p < LOGIT_EPS)
        p = LOGIT_EPS;
    if (p > 1 - LOGIT_EPS)
        p = 1 - LOGIT_EPS;
    return log(p) - log1p(-p);
}

/* Log-likelihood, gradient and Hessian of label ~ sigmoid(a + b x) at (a, b). */
typedef struct fit_pass {
    double ll, g0, g1, h00, h01, h11;
    /* ll is the exact sum (log1p), or, when not `exact`, the same sum with
     * log(1 + e) for log1p(e), within `bound` of the exact one. */
    bool exact;
    double bound;
} fit_pass;

/* The likelihood serves only to accept or halve a Newton step. log(1 + e)
 * costs about half of log1p(e); per row it differs from it by at most
 * 4e-16 + 4.4e-16 * the row's term (the rounding of 1 + e, one ulp of each
 * function, the rounding of the term), so the sums differ by at most about
 * 1e-15 * sum w (1 + term): `bound` takes ten times that. A step is decided
 * on the cheap sums when they are further apart than their bounds, and on
 * exact sums otherwise: the decisions, hence the fit, are those of the
 * exact sums. */
#define FIT_BOUND 1e-14

/* The rows of a logistic fit: labels, scores or their logits (xs, when not
 * NULL), weights (NULL = 1), and the threads that take the sums. Or, when
 * runs is not NULL, n distinct scores with their positive and negative
 * weights (runs[i]) and their logits xs[i] (y, score and w unused). */
typedef struct fit_rows {
    const uint8_t *y;
    const double *score, *xs, *w;
    const mg__score_run *runs;
    int64_t n;
    int threads; /* 0 = every CPU */
} fit_rows;

/* The sums are taken over fixed blocks of this many rows and the blocks'
 * sums are added in block order, whatever the number of threads: the fit is
 * the same doubles for any --threads. */
#define FIT_BLOCK ((int64_t)1 << 16)

/* The sums of rows [lo, hi) at (a, b); `bound` holds the rows' mass
 * sum w (1 + term) until fit_eval turns it into the bound. */
static fit_pass fit_block(const fit_rows *d, int64_t lo, int64_t hi, double a, double b,
                          bool exact) {
    const uint8_t *y = d->y;
    const double *score = d->score, *xs = d->xs, *w = d->w;
    fit_pass f = {0};
    f.exact = exact;
    double mass = 0;
    mg__sum ll = {0, 0};
    for (int64_t i = lo; d->runs != NULL && i < hi; i++) {
        /* a distinct score: the rows' terms, with their weights summed */
        double pw = d->runs[i].pos, nw = d->runs[i].neg, wi = pw + nw;
        if (wi == 0)
            continue;
        double x = xs[i], z = a + b * x;
        double e = exp(z >= 0 ? -z : z);
        double mu = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        double r = pw - wi * mu, v = mu * (1 - mu);
        double l1 = exact ? log1p(e) : log(1 + e);
        double nll1 = -z > 0 ? -z + l1 : l1, nll0 = z > 0 ? z + l1 : l1;
        mg__sum_add(&ll, -(pw * nll1 + nw * nll0));
        mass += pw * (1 + nll1) + nw * (1 + nll0);
        f.g0 += r;
        f.g1 += r * x;
        f.h00 += wi * v;
        f.h01 += wi * v * x;
        f.h11 += wi * v * x * x;
    }
    for (int64_t i = lo; d->runs == NULL && i < hi; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0)
            continue;
        double x = xs ? xs[i] : logit_clipped(score[i]), z = a + b * x;
        /* One exp serves the mean and the log-likelihood: with e = exp(-|z|),
         * sigmoid(z) is 1 / (1 + e) or e / (1 + e), and log1pexp(+-z) is
         * log1p(e), plus |z| on the side where the argument is positive:
         * the same operations as log1pexp() and the two-sided sigmoid. */
        double e = exp(z >= 0 ? -z : z);
        double mu = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        double r = (y[i] ? 1.0 : 0.0) - mu, v = mu * (1 - mu);
        double l1 = exact ? log1p(e) : log(1 + e);
        /* y = 1: log1pexp(-z), which is -z + log1p(e) when -z > 0;
         * y = 0: log1pexp(z), which is z + log1p(e) when z > 0. */
        double nll = y[i] ? (-z > 0 ? -z + l1 : l1) : (z > 0 ? z + l1 : l1);
        mg__sum_add(&ll, -wi * nll);
        mass += wi * (1 + nll);
        f.g0 += wi * r;
        f.g1 += wi * r * x;
        f.h00 += wi * v;
        f.h01 += wi * v * x;
        f.h11 += wi * v * x * x;
    }
    f.ll = mg__sum_value(&ll);
    f.bound = mass;
    return f;
}

typedef struct fit_job {
    const fit_rows *d;
    double a, b;
    bool exact;
    fit_pass *parts; /* one per block */
} fit_job;

static mg_status fit_task(void *ctx, int i) {
    fit_job *j = ctx;
    int64_t lo = (int64_t)i * FIT_BLOCK, hi = lo + FIT_BLOCK < j->d->n ? lo + FIT_BLOCK : j->d->n;
    j->parts[i] = fit_block(j->d, lo, hi, j->a, j->b, j->exact);
    return MG_OK;
}

/* Adds block p to the running sums of f (ll in acc). */
static void fit_merge(fit_pass *f, mg__sum *acc, const fit_pass *p) {
    mg__sum_add(acc, p->ll);
    f->bound += p->bound;
    f->g0 += p->g0;
    f->g1 += p->g1;
    f->h00 += p->h00;
    f->h01 += p->h01;
    f->h11 += p->h11;
}

/* The sums of every row at (a, b): the blocks on d->threads threads (when
 * `parts` has room for one fit_pass per block; else one after the other),
 * added in block order. */
static fit_pass fit_eval(const fit_rows *d, fit_pass *parts, double a, double b, bool exact) {
    int64_t nblocks = (d->n + FIT_BLOCK - 1) / FIT_BLOCK;
    if (nblocks <= 1) {
        fit_pass f = fit_block(d, 0, d->n, a, b, exact);
        f.bound = exact ? 0 : FIT_BOUND * f.bound;
        return f;
    }
    fit_pass f = {0};
    f.exact = exact;
    mg__sum acc = {0, 0};
    fit_job job = {.d = d, .a = a, .b = b, .exact = exact, .parts = parts};
    if (parts != NULL && mg__parallel_for((int)nblocks, d->threads, fit_task, &job) == MG_OK) {
        for (int64_t k = 0; k < nblocks; k++)
            fit_merge(&f, &acc, &parts[k]);
    } else {
        /* no memory for the threads: the same blocks in the same order */
        for (int64_t k = 0; k < nblocks; k++) {
            int64_t lo = k * FIT_BLOCK, hi = lo + FIT_BLOCK < d->n ? lo + FIT_BLOCK : d->n;
            fit_pass p = fit_block(d, lo, hi, a, b, exact);
            fit_merge(&f, &acc, &p);
        }
    }
    f.ll = mg__sum_value(&acc);
    f.bound = exact ? 0 : FIT_BOUND * f.bound;
    return f;
}

/* Whether the step to g keeps the likelihood of f (within 1e-12 of it), as
 * the exact sums say: from the cheap sums when their bounds decide it, else
 * from f and g evaluated again exactly (*f and *g are replaced; the
 * gradients and Hessians are the same doubles either way). */
static bool fit_accept(const fit_rows *d, fit_pass *parts, fit_pass *f, double fa, double fb,
                       fit_pass *g, double ga, double gb) {
    if (!f->exact || !g->exact) {
        double thr = f->ll - 1e-12 * fabs(f->ll);
        double slack = f->bound * (1 + 1e-12) + g->bound + 1e-15 * fabs(thr);
        if (g->ll - thr > slack)
            return true;
        if (thr - g->ll > slack)
            return false;
        if (!f->exact)
            *f = fit_eval(d, parts, fa, fb, true);
        if (!g->exact)
            *g = fit_eval(d, parts, ga, gb, true);
    }
    return g->ll >= f->ll - 1e-12 * fabs(f->ll);
}

/* Newton's method from (*a, *b), halving a step that lowers the likelihood;
 * converged when the full Newton step is below 1e-10 relative to the
 * parameters. Returns whether it converged; *a, *b hold the last iterate. */
static bool newton(const fit_rows *d, fit_pass *parts, double *pa, double *pb) {
    double a = *pa, b = *pb, step_a = 0, step_b = 0, t = 1;
    bool converged = false;
    fit_pass f = fit_eval(d, parts, a, b, false);
    for (int it = 0; it < 200 && !converged; it++) {
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
            double ga = a + t * step_a, gb = b + t * step_b;
            fit_pass g = fit_eval(d, parts, ga, gb, false);
            if (fit_accept(d, parts, &f, a, b, &g, ga, gb)) {
                a += t * step_a;
                b += t * step_b;
                f = g;
                break;
            }
        }
        if (!(t > 1e-10) || fabs(b) > 1e8 || fabs(a) > 1e8)
            break;
    }
    *pa = a;
    *pb = b;
    return converged;
}

/* From this many rows on (when the sums run over rows, not over distinct
 * scores), Newton starts from the fit of a sample of about FIT_SAMPLE rows
 * (every (n / FIT_SAMPLE)-th row) instead of from (0, 1): the start is then
 * close to the maximum, and the passes over every row fall from about six
 * to about four. The start changes only the last bits of the result (the
 * same maximum, the same stopping rule). */
#define FIT_SAMPLE_FROM ((int64_t)1 << 20)
#define FIT_SAMPLE ((int64_t)1 << 16)

/* The sample's fit as a start, when it converges; else (0, 1). */
static void fit_start(const fit_rows *d, double *a, double *b) {
    *a = 0;
    *b = 1;
    if (d->n < FIT_SAMPLE_FROM || d->runs != NULL) /* distinct scores: few enough */
        return;
    int64_t stride = d->n / FIT_SAMPLE, m = d->n / stride;
    uint8_t *ys = mg__malloc_array((size_t)m, sizeof *ys);
    double *xs = mg__malloc_array((size_t)m, sizeof *xs);
    double *ws = d->w ? mg__malloc_array((size_t)m, sizeof *ws) : NULL;
    if (ys != NULL && xs != NULL && (d->w == NULL || ws != NULL)) {
        for (int64_t k = 0; k < m; k++) {
            int64_t i = k * stride;
            ys[k] = d->y[i];
            xs[k] = d->xs ? d->xs[i] : logit_clipped(d->score[i]);
            if (ws != NULL)
                ws[k] = d->w[i];
        }
        fit_rows s = {.y = ys, .xs = xs, .w = ws, .n = m, .threads = 1};
        double sa = 0, sb = 1;
        if (newton(&s, NULL, &sa, &sb) && isfinite(sa) && isfinite(sb)) {
            *a = sa;
            *b = sb;
        }
    }
    free(ys);
    free(xs);
    free(ws);
}

/* The calibration slope and intercept: Newton's method (see newton) for
 * label ~ sigmoid(a + b logit(score)), on `threads` threads. */
static void logistic_fit(const uint8_t *y, const double *score, const double *w, int64_t n,
                         int threads, const mg__score_runs *runs, mg_value *slope,
                         mg_value *intercept) {
    /* logit(score) once per row (or distinct score) rather than once per row
     * and Newton step (the fit over rows still works without the array,
     * computing it each time). */
    const mg__score_run *run = runs != NULL ? runs->run : NULL;
    int64_t m = run != NULL ? runs->n : n;
    double *xs = mg__malloc_array((size_t)m, sizeof *xs);
    if (xs == NULL)
        run = NULL; /* the rows, then */
    double pos = 0, neg = 0, xmin = INFINITY, xmax = -INFINITY;
    double pos_min = INFINITY, pos_max = -INFINITY, neg_min = INFINITY, neg_max = -INFINITY;
    for (int64_t i = 0; run != NULL && i < m; i++) {
        double x = logit_clipped(run[i].score);
        xs[i] = x;
        if (run[i].pos > 0) {
            pos += run[i].pos;
            pos_min = x < pos_min ? x : pos_min;
            pos_max = x > pos_max ? x : pos_max;
        }
        if (run[i].neg > 0) {
            neg += run[i].neg;
            neg_min = x < neg_min ? x : neg_min;
            neg_max = x > neg_max ? x : neg_max;
        }
        if (run[i].pos > 0 || run[i].neg > 0) {
            xmin = x < xmin ? x : xmin;
            xmax = x > xmax ? x : xmax;
        }
    }
    for (int64_t i = 0; run == NULL && i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0)
            continue;
        double x = logit_clipped(score[i]);
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
    double a = 0, b = 1;
    if (why == NULL) {
        fit_rows d = {.y = y, .score = score, .xs = xs, .w = w, .n = n, .threads = threads};
        if (run != NULL)
            d = (fit_rows){.runs = run, .xs = xs, .n = m, .threads = threads};
        int64_t nblocks = (d.n + FIT_BLOCK - 1) / FIT_BLOCK;
        fit_pass *parts = nblocks > 1 ? mg__malloc_array((size_t)nblocks, sizeof *parts) : NULL;
        fit_start(&d, &a, &b);
        if (!newton(&d, parts, &a, &b))
            why = "undefined: the logistic fit of the label on logit(score) did not converge "
                  "(the score separates the classes, or nearly)";
        free(parts);
    }
    free(xs);
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

mg_status mg_calibration_compute(const uint8_t *y, const double *score, const double *w, int64_t n,
                                 int nbins, double level, mg_calibration *out, mg_error *err) {
    MG_TRY(mg_calibration_bins_compute(y, score, w, n, nbins, level, out, err));
    logistic_fit(y, score, w, n, 0, NULL, &out->slope, &out->intercept);
    return MG_OK;
}

mg_status mg_calibration_top_label_compute(const int32_t *y, const double *proba, const double *w,
                                           int64_t n, int k, int nbins, double level,
                                           mg_calibration *out, mg_error *err) {
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

void mg__calibration_metrics_threads(const uint8_t *y, const double *score, const int32_t *yc,
                                     const double *proba, int k, const double *w, int64_t n,
                                     int threads, const mg__score_runs *runs,
                                     mg_calibration_metrics *out) {
    mg_calibration_errors(y, score, yc, proba, k, w, n, &out->ece, &out->mce);
    if (proba == NULL)
        logistic_fit(y, score, w, n, threads, runs, &out->calibration_slope,
                     &out->calibration_intercept);
    else
        out->calibration_slope = out->calibration_intercept =
            mg_value_null("undefined: the calibration slope and intercept are for binary tasks");
}

void mg_calibration_metrics_compute(const uint8_t *y, const double *score, const int32_t *yc,
                                    const double *proba, int k, const double *w, int64_t n,
                                    mg_calibration_metrics *out) {
    mg__calibration_metrics_threads(y, score, yc, proba, k, w, n, 0, NULL, out);
}
