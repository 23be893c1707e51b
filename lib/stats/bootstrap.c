/* bootstrap.c - the seeded, multi-threaded Poisson bootstrap: replicate
 * engine, percentile intervals and the paired difference. */
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
    mg__bootstrap_batch_fn bfn;
    void *ctx;
    int64_t n;
    const double *base;
    double *samples;
    mg__progress progress;
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
    if (r->bfn != NULL) {
        for (int rep = from; rep < to && st == MG_OK; rep += MG__BOOTSTRAP_BATCH) {
            uint64_t keys[MG__BOOTSTRAP_BATCH];
            int count = to - rep < MG__BOOTSTRAP_BATCH ? to - rep : MG__BOOTSTRAP_BATCH;
            for (int i = 0; i < count; i++)
                keys[i] = mg_bootstrap_key(r->opts->seed, rep + i);
            st = r->bfn(r->ctx, keys, count, r->samples + (size_t)rep * (size_t)r->nstats);
            mg__progress_add(&r->progress, count);
            if (st != MG_OK) {
                int expected = -1;
                atomic_compare_exchange_strong(&r->failed_replicate, &expected, rep);
            }
        }
        return st;
    }
    for (int rep = from; rep < to && st == MG_OK; rep++) {
        uint64_t key = mg_bootstrap_key(r->opts->seed, rep);
        double *out = r->samples + (size_t)rep * (size_t)r->nstats;
        if (r->wfn != NULL) {
            mg_bootstrap_weights(key, r->base, r->n, w);
            st = r->wfn(r->ctx, w, r->n, out);
        } else {
            st = r->fn(r->ctx, key, out);
        }
        mg__progress_add(&r->progress, 1);
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
    mg__progress_init(&r->progress, o->progress, o->progress_ctx, o->replicates);
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
    mg__progress_done(&r->progress);
    return MG_OK;
}

mg_status mg_bootstrap_run(const mg_bootstrap_options *opts, int nstats, mg_bootstrap_fn fn,
                           void *ctx, mg_bootstrap *out, mg_error *err) {
    run r = {.opts = opts, .nstats = nstats, .fn = fn, .ctx = ctx};
    return run_all(&r, out, err);
}

mg_status mg__bootstrap_run_batch(const mg_bootstrap_options *opts, int nstats,
                                  mg__bootstrap_batch_fn fn, void *ctx, mg_bootstrap *out,
                                  mg_error *err) {
    run r = {.opts = opts, .nstats = nstats, .bfn = fn, .ctx = ctx};
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
