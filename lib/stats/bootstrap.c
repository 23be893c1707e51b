/* bootstrap.c - the seeded, multi-threaded Poisson bootstrap: replicate
 * engine, percentile intervals, the paired difference, and the ROC AUC over a
 * fixed score order. */
#include "stats_internal.h"
#include "modelgate/stats.h"

#include <math.h>
#include <stdatomic.h>

/* Replicates are cut into more chunks than threads so that a slow chunk does
 * not leave a core idle; the result never depends on the chunking. */
#define CHUNKS_PER_THREAD 4

void mg_bootstrap_weights(uint64_t key, const double *base, int64_t n, double *w) {
    int64_t pairs = n / 2;
    for (int64_t j = 0; j < pairs; j++) {
        uint64_t h = mg_bootstrap_mix64(key + ((uint64_t)j + 1) * 0x9e3779b97f4a7c15ULL);
        w[2 * j] = mg_bootstrap_poisson((uint32_t)h);
        w[2 * j + 1] = mg_bootstrap_poisson((uint32_t)(h >> 32));
    }
    if (n & 1)
        w[n - 1] = mg_bootstrap_weight(key, n - 1);
    if (base != NULL)
        for (int64_t i = 0; i < n; i++)
            w[i] *= base[i];
}

typedef struct run {
    const mg_bootstrap_options *opts;
    int nstats, nchunks;
    mg_bootstrap_fn fn;
    mg_weighted_stat_fn wfn;
    void *ctx;
    int64_t n;
    const double *base;
    double *samples;
    atomic_int failed_replicate; /* first replicate whose statistic failed, or -1 */
} run;

static mg_status run_chunk(void *arg, int chunk) {
    run *r = arg;
    int reps = r->opts->replicates;
    int from = (int)((int64_t)reps * chunk / r->nchunks);
    int to = (int)((int64_t)reps * (chunk + 1) / r->nchunks);
    double *w = NULL;
    if (r->wfn != NULL && from < to) {
        w = mg__malloc_array((size_t)(r->n > 0 ? r->n : 1), sizeof *w);
        if (w == NULL)
            return MG_ERR_NOMEM;
    }
    mg_status st = MG_OK;
    for (int rep = from; rep < to && st == MG_OK; rep++) {
        uint64_t key = mg_bootstrap_key(r->opts->seed, rep);
        double *out = r->samples + (size_t)rep * (size_t)r->nstats;
        if (r->wfn != NULL) {
            mg_bootstrap_weights(key, r->base, r->n, w);
            st = r->wfn(r->ctx, w, r->n, out);
        } else {
            st = r->fn(r->ctx, key, out);
        }
        if (st != MG_OK) {
            int expected = -1;
            atomic_compare_exchange_strong(&r->failed_replicate, &expected, rep);
        }
    }
    free(w);
    return st;
}

static mg_status run_all(run *r, mg_bootstrap *out, mg_error *err) {
    const mg_bootstrap_options *o = r->opts;
    out->replicates = 0;
    out->nstats = r->nstats;
    out->samples = NULL;
    if (o->replicates < 1 || r->nstats < 1)
        return mg__fail(err, MG_ERR_USAGE, "the bootstrap needs at least one replicate, got %d",
                        o->replicates);
    double *samples = mg__malloc_array((size_t)o->replicates * (size_t)r->nstats, sizeof *samples);
    if (samples == NULL)
        return mg__nomem(err, "bootstrap replicates");
    int threads = o->threads > 0 ? o->threads : mg__cpu_count();
    r->samples = samples;
    r->nchunks = threads * CHUNKS_PER_THREAD;
    if (r->nchunks > o->replicates)
        r->nchunks = o->replicates;
    atomic_init(&r->failed_replicate, -1);
    mg_status st = mg__parallel_for(r->nchunks, threads, run_chunk, r);
    if (st != MG_OK) {
        free(samples);
        if (st == MG_ERR_NOMEM)
            return mg__nomem(err, "bootstrap weights");
        return mg__fail(err, st, "bootstrap replicate %d: the statistic failed (%s)",
                        atomic_load(&r->failed_replicate) + 1, mg_strerror(st));
    }
    out->replicates = o->replicates;
    out->samples = samples;
    return MG_OK;
}

mg_status mg_bootstrap_run(const mg_bootstrap_options *opts, int nstats, mg_bootstrap_fn fn,
                           void *ctx, mg_bootstrap *out, mg_error *err) {
    run r = {.opts = opts, .nstats = nstats, .fn = fn, .ctx = ctx};
    return run_all(&r, out, err);
}

mg_status mg_bootstrap_run_weighted(const mg_bootstrap_options *opts, int64_t n, const double *base,
                                    int nstats, mg_weighted_stat_fn fn, void *ctx,
                                    mg_bootstrap *out, mg_error *err) {
    run r = {.opts = opts, .nstats = nstats, .wfn = fn, .ctx = ctx, .n = n, .base = base};
    return run_all(&r, out, err);
}

void mg_bootstrap_release(mg_bootstrap *b) {
    free(b->samples);
    b->samples = NULL;
    b->replicates = 0;
}

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Linear interpolation between order statistics at position q * (m - 1)
 * (numpy.percentile's default, "linear"). */
static double quantile_sorted(const double *x, int m, double q) {
    double pos = q * (double)(m - 1);
    int lo = (int)floor(pos);
    if (lo >= m - 1)
        return x[m - 1];
    double frac = pos - lo;
    return x[lo] + frac * (x[lo + 1] - x[lo]);
}

/* Percentile interval of the defined values among v[0..m); -1 when too many
 * are undefined. */
static int percentile_interval(double *v, int m, double level, double *low, double *high) {
    int defined = 0;
    for (int i = 0; i < m; i++)
        if (!isnan(v[i]))
            v[defined++] = v[i];
    if (defined < 2 || (double)(m - defined) > MG_BOOTSTRAP_MAX_UNDEFINED * m)
        return -1;
    qsort(v, (size_t)defined, sizeof *v, cmp_double);
    *low = quantile_sorted(v, defined, (1 - level) / 2);
    *high = quantile_sorted(v, defined, (1 + level) / 2);
    return defined;
}

int mg_bootstrap_interval(const mg_bootstrap *b, int stat, double level, mg_interval *out) {
    if (stat < 0 || stat >= b->nstats || b->replicates < 1 || !(level > 0 && level < 1))
        return -1;
    double *v = mg__malloc_array((size_t)b->replicates, sizeof *v);
    if (v == NULL)
        return -1;
    for (int r = 0; r < b->replicates; r++)
        v[r] = b->samples[(size_t)r * (size_t)b->nstats + (size_t)stat];
    int got = percentile_interval(v, b->replicates, level, &out->low, &out->high);
    free(v);
    out->level = level;
    out->method = "bootstrap_percentile";
    return got < 0 ? -1 : 0;
}

int mg_bootstrap_paired(const mg_bootstrap *b, int stat_new, int stat_base, double estimate,
                        double level, mg_paired_test *out) {
    if (stat_new < 0 || stat_new >= b->nstats || stat_base < 0 || stat_base >= b->nstats ||
        b->replicates < 1 || !(level > 0 && level < 1))
        return -1;
    double *v = mg__malloc_array((size_t)b->replicates, sizeof *v);
    if (v == NULL)
        return -1;
    for (int r = 0; r < b->replicates; r++) {
        const double *row = b->samples + (size_t)r * (size_t)b->nstats;
        v[r] = row[stat_new] - row[stat_base];
    }
    int defined = percentile_interval(v, b->replicates, level, &out->ci_low, &out->ci_high);
    if (defined > 0) {
        int at_most = 0, at_least = 0;
        for (int i = 0; i < defined; i++) {
            at_most += v[i] <= 0;
            at_least += v[i] >= 0;
        }
        int tail = at_most < at_least ? at_most : at_least;
        out->p_value = fmin(1.0, 2.0 * (tail + 1) / (defined + 1));
    }
    free(v);
    out->value = estimate;
    out->level = level;
    out->statistic = NAN;
    out->test = "paired_bootstrap";
    out->ci_method = "bootstrap_percentile";
    return defined < 0 ? -1 : 0;
}

/* ---- ROC AUC over a fixed order ---------------------------------------- */

mg_status mg_ranked_scores_init(const uint8_t *y, const double *score, const double *w, int64_t n,
                                mg_ranked_scores *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 0 || n > (int64_t)UINT32_MAX)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%" PRId64 " rows: the ranked AUC handles at most 4294967295", n);
    for (int64_t i = 0; i < n; i++)
        if (isnan(score[i]))
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": the score is NaN", i + 1);
    out->n = n;
    out->row = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *out->row);
    out->flags = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *out->flags);
    if (w != NULL)
        out->base = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *out->base);
    if (out->row == NULL || out->flags == NULL || (w != NULL && out->base == NULL)) {
        mg_ranked_scores_release(out);
        return mg__nomem(err, "ranked scores");
    }
    int64_t *order = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *order);
    if (order == NULL || mg__sort_by_score(score, n, order) != MG_OK) {
        free(order);
        mg_ranked_scores_release(out);
        return mg__nomem(err, "ranked scores");
    }
    for (int64_t k = 0; k < n; k++)
        out->row[k] = (uint32_t)order[k];
    free(order);
    for (int64_t k = 0; k < n; k++) {
        uint32_t i = out->row[k];
        int last = k + 1 == n || score[out->row[k + 1]] != score[i];
        out->flags[k] = (uint8_t)((y[i] != 0) | (last << 1));
        if (w != NULL)
            out->base[k] = w[i];
    }
    return MG_OK;
}

void mg_ranked_scores_release(mg_ranked_scores *r) {
    free(r->row);
    free(r->flags);
    free(r->base);
    memset(r, 0, sizeof *r);
}

/* Walks ranks upwards; at the end of each group of tied scores, its positive
 * weight earns the negative weight below it plus half the tied negatives.
 * Poisson counts are integers: without sample weights the sums are kept in
 * integers (twice the AUC numerator), whose one-cycle additions make this
 * loop about twice as fast as in doubles; they cannot overflow below
 * INT_AUC_MAX_ROWS rows since the total weight stays under 12 n. */
#define INT_AUC_MAX_ROWS ((int64_t)1 << 28)

static double ranked_auc_counts(const mg_ranked_scores *r, uint64_t key) {
    uint64_t below_neg = 0, total_pos = 0, grp_pos = 0, grp_all = 0, sum2 = 0;
    const uint32_t *row = r->row;
    const uint8_t *flags = r->flags;
    for (int64_t k = 0; k < r->n; k++) {
        uint64_t w = mg_bootstrap_weight(key, row[k]);
        grp_pos += w & (0 - (uint64_t)(flags[k] & 1));
        grp_all += w;
        if (flags[k] & 2) {
            uint64_t grp_neg = grp_all - grp_pos;
            sum2 += grp_pos * (2 * below_neg + grp_neg);
            below_neg += grp_neg;
            total_pos += grp_pos;
            grp_pos = grp_all = 0;
        }
    }
    if (total_pos == 0 || below_neg == 0)
        return NAN;
    return (double)sum2 / (2.0 * (double)total_pos * (double)below_neg);
}

double mg_ranked_auc(const mg_ranked_scores *r, const uint64_t *key) {
    if (key != NULL && r->base == NULL && r->n <= INT_AUC_MAX_ROWS)
        return ranked_auc_counts(r, *key);
    double below_neg = 0, total_pos = 0, grp_pos = 0, grp_neg = 0, sum = 0;
    const uint32_t *row = r->row;
    const uint8_t *flags = r->flags;
    for (int64_t k = 0; k < r->n; k++) {
        double w = key != NULL ? (double)mg_bootstrap_weight(*key, row[k]) : 1.0;
        if (r->base != NULL)
            w *= r->base[k];
        double pos = (double)(flags[k] & 1);
        grp_pos += w * pos;
        grp_neg += w - w * pos;
        if (flags[k] & 2) {
            sum += grp_pos * (below_neg + 0.5 * grp_neg);
            below_neg += grp_neg;
            total_pos += grp_pos;
            grp_pos = grp_neg = 0;
        }
    }
    if (!(total_pos > 0) || !(below_neg > 0))
        return NAN;
    return sum / (total_pos * below_neg);
}
