/* bootstrap.c - decides the gated fairness measures on bootstrap evidence:
 * Poisson(1) row weights (seeded per replicate, so the result does not depend
 * on the thread count), drawn per joint cell when that is exact (below), the
 * same measure recomputed on every replicate,
 * percentile intervals, one-sided bootstrap p-values for "inside the band"
 * and "outside the band", and Holm's step-down across the tests. */
#include "fairness/fairness_internal.h"
#include "stats/poisson.h"

#include <math.h>

typedef struct test_ref {
    int attr;
    mg_fairness_measure m;
} test_ref;

typedef struct boot_ctx {
    const mg_fairness *f;
    const mg_targets *t;
    const mg__fair_index *ix;
    const test_ref *tests;
    int ntests;
    int B;
    bool **include;  /* per attribute */
    double *lo, *hi; /* ntests * B */
    uint8_t *state;  /* 0 inside the band, 1 outside, 2 undefined */
    double cdf[16];
    /* The attributes that hold a gated measure, and per row the slot of its
     * group in the flat accumulator of each (slot 0 is the whole data set). */
    int *used;
    int nused;
    size_t *offset; /* per used attribute: its first group's slot */
    size_t nslots;
    uint8_t *cell; /* binary: 2*y + predicted, per row */
    /* Binary without sample weights: every statistic is a function of the
     * weight totals of the joint cells (confusion cell, group of each used
     * attribute), and the total of a cell's n Poisson(1) row weights is
     * Poisson(n). So a replicate draws one Poisson(n) per joint cell instead
     * of one Poisson(1) per row: the same distribution, exactly, at the cost
     * of njoint draws. jcell[j] is joint cell j's confusion cell, jslot[j *
     * nused + u] its slot in used attribute u, jcount[j] its rows. */
    size_t njoint; /* 0: the per-row path */
    uint8_t *jcell;
    size_t *jslot;
    int64_t *jcount;
    mg__progress progress; /* replicates done */
} boot_ctx;

static uint64_t splitmix64(uint64_t *x) {
    return mg__rng_next(x);
}

/* cdf[k] = P[Poisson(1) <= k] for k = 0..15. */
static void poisson_init(double cdf[16]) {
    double p = exp(-1.0), c = 0;
    for (int k = 0; k < 16; k++) {
        c += p;
        cdf[k] = c;
        p /= (k + 1);
    }
}

static int poisson1(uint64_t *state, const double cdf[16]) {
    double u = (double)(splitmix64(state) >> 11) * 0x1.0p-53;
    int k = 0;
    while (k < 15 && u >= cdf[k])
        k++;
    return k;
}

static mg_status replicate(void *vctx, int r) {
    boot_ctx *c = vctx;
    const mg_fairness *f = c->f;
    const mg_targets *t = c->t;
    /* Four weighted sums per slot: the confusion cells (binary) or w, w|e|,
     * w*e^2, w*prediction (regression), as in mg__fair_sums.s. */
    double *acc = mg__calloc(c->nslots * 4, sizeof *acc);
    mg__fair_sums *sums = mg__calloc(c->nslots, sizeof *sums);
    if (acc == NULL || sums == NULL) {
        free(acc);
        free(sums);
        return MG_ERR_NOMEM;
    }
    uint64_t rng = f->opts.seed ^ ((uint64_t)r * 0xd1b54a32d192ed03ull);
    splitmix64(&rng);
    bool binary = t->task == MG_TASK_BINARY;
    for (size_t j = 0; j < c->njoint; j++) {
        double k = (double)mg__poisson_count(&rng, c->jcount[j]);
        if (k == 0)
            continue;
        size_t cell = c->jcell[j];
        acc[cell] += k;
        for (int u = 0; u < c->nused; u++)
            acc[c->jslot[j * (size_t)c->nused + (size_t)u] * 4 + cell] += k;
    }
    for (int64_t i = 0; c->njoint == 0 && i < t->n; i++) {
        int k = poisson1(&rng, c->cdf);
        if (k == 0)
            continue;
        double wi = (t->w ? t->w[i] : 1.0) * k;
        if (binary) {
            int cell = c->cell[i];
            acc[cell] += wi;
            for (int u = 0; u < c->nused; u++)
                acc[(c->offset[u] + (size_t)c->ix[c->used[u]].gid[i]) * 4 + (size_t)cell] += wi;
        } else {
            double e = t->pr[i] - t->yr[i];
            double v[4] = {wi, wi * fabs(e), wi * e * e, wi * t->pr[i]};
            for (int u = -1; u < c->nused; u++) {
                size_t at = u < 0 ? 0 : c->offset[u] + (size_t)c->ix[c->used[u]].gid[i];
                for (int j = 0; j < 4; j++)
                    acc[at * 4 + (size_t)j] += v[j];
            }
        }
    }
    for (size_t q = 0; q < c->nslots; q++)
        for (int j = 0; j < 4; j++)
            sums[q].s[j] = acc[q * 4 + (size_t)j];
    const mg__fair_sums *all = &sums[0];
    double th = f->opts.threshold;
    for (int k = 0; k < c->ntests; k++) {
        const mg_fairness_attr *at = &f->attrs[c->tests[k].attr];
        mg_disparity d;
        memset(&d, 0, sizeof d);
        size_t first = 0;
        for (int u = 0; u < c->nused; u++)
            if (c->used[u] == c->tests[k].attr)
                first = c->offset[u];
        mg__fair_measure(c->tests[k].m, f->opts.method, sums + first, c->include[c->tests[k].attr],
                         at->ngroups, all, at->reference, &d);
        size_t slot = (size_t)k * (size_t)c->B + (size_t)r;
        if (d.ratio.null_reason != NULL || d.ratio_max.null_reason != NULL) {
            c->state[slot] = 2;
            continue;
        }
        c->lo[slot] = d.ratio.v;
        c->hi[slot] = d.ratio_max.v;
        c->state[slot] = d.ratio.v >= th && d.ratio_max.v <= 1 / th ? 0 : 1;
    }
    free(acc);
    free(sums);
    mg__progress_add(&c->progress, 1);
    return MG_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile interval (linear interpolation between order statistics). */
static void percentile(double *v, int n, double level, mg_interval *out) {
    out->level = level;
    out->method = "bootstrap_percentile";
    if (n == 0) {
        out->low = out->high = NAN;
        return;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double q[2] = {(1 - level) / 2, 1 - (1 - level) / 2};
    double *res[2] = {&out->low, &out->high};
    for (int j = 0; j < 2; j++) {
        double pos = q[j] * (n - 1);
        int i = (int)floor(pos);
        double frac = pos - i;
        *res[j] = i + 1 < n ? v[i] + frac * (v[i + 1] - v[i]) : v[n - 1];
    }
}

void mg__holm_adjust(double *p, int m) {
    int *order = mg__malloc_array((size_t)(m > 0 ? m : 1), sizeof *order);
    if (order == NULL) {
        for (int i = 0; i < m; i++) /* Bonferroni: never less conservative than Holm */
            p[i] = fmin(1.0, p[i] * m);
        return;
    }
    for (int i = 0; i < m; i++)
        order[i] = i;
    for (int i = 1; i < m; i++) /* insertion sort: m is a handful of tests */
        for (int j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--) {
            int x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    double running = 0;
    for (int i = 0; i < m; i++) {
        double adj = fmin(1.0, p[order[i]] * (m - i));
        running = fmax(running, adj);
        p[order[i]] = running;
    }
    free(order);
}

/* The joint cells with at least one row, when the statistic depends on the
 * rows only through them (binary, no sample weights) and their codes fit a
 * dense table of at most max(n, 2^16) entries (4 x the product of the used
 * attributes' group counts); else leaves njoint at 0 (the per-row path). */
static mg_status joint_cells(boot_ctx *c, const mg_targets *t) {
    if (t->task != MG_TASK_BINARY || t->w != NULL || c->cell == NULL)
        return MG_OK;
    size_t limit = t->n > (1 << 16) ? (size_t)t->n : (size_t)1 << 16;
    size_t ncodes = 4;
    for (int u = 0; u < c->nused; u++) {
        size_t g = (size_t)c->ix[c->used[u]].ngroups;
        if (g == 0 || ncodes > limit / g)
            return MG_OK;
        ncodes *= g;
    }
    int64_t *count = mg__calloc(ncodes, sizeof *count);
    if (count == NULL)
        return MG_ERR_NOMEM;
    for (int64_t i = 0; i < t->n; i++) {
        size_t code = 0;
        for (int u = c->nused - 1; u >= 0; u--)
            code = code * (size_t)c->ix[c->used[u]].ngroups + (size_t)c->ix[c->used[u]].gid[i];
        count[code * 4 + c->cell[i]]++;
    }
    size_t nj = 0;
    for (size_t q = 0; q < ncodes; q++)
        nj += count[q] > 0;
    size_t nu = (size_t)(c->nused > 0 ? c->nused : 1);
    c->jcell = mg__malloc_array(nj > 0 ? nj : 1, sizeof *c->jcell);
    c->jcount = mg__malloc_array(nj > 0 ? nj : 1, sizeof *c->jcount);
    c->jslot = mg__malloc_array((nj > 0 ? nj : 1) * nu, sizeof *c->jslot);
    if (c->jcell == NULL || c->jcount == NULL || c->jslot == NULL) {
        free(count);
        return MG_ERR_NOMEM;
    }
    size_t j = 0;
    for (size_t q = 0; q < ncodes; q++) {
        if (count[q] == 0)
            continue;
        c->jcell[j] = (uint8_t)(q % 4);
        c->jcount[j] = count[q];
        size_t rest = q / 4;
        for (int u = 0; u < c->nused; u++) {
            size_t g = (size_t)c->ix[c->used[u]].ngroups;
            c->jslot[j * (size_t)c->nused + (size_t)u] = c->offset[u] + rest % g;
            rest /= g;
        }
        j++;
    }
    free(count);
    c->njoint = nj;
    return MG_OK;
}

mg_status mg__fair_bootstrap(mg_fairness *f, const mg_targets *t, const mg__fair_index *ix,
                             mg_error *err) {
    int ntests = 0;
    for (int a = 0; a < f->nattrs; a++)
        for (int m = 0; m < MG_FAIR_NMEASURES; m++)
            ntests += f->attrs[a].has_measure[m] && f->attrs[a].measures[m].gated;
    if (ntests == 0)
        return MG_OK;
    int B = f->opts.bootstrap_samples;
    boot_ctx c = {.f = f, .t = t, .ix = ix, .ntests = ntests, .B = B};
    poisson_init(c.cdf);
    test_ref *tests = mg__calloc((size_t)ntests, sizeof *tests);
    c.include = mg__calloc((size_t)f->nattrs, sizeof *c.include);
    c.lo = mg__malloc_array((size_t)ntests * (size_t)B, sizeof *c.lo);
    c.hi = mg__malloc_array((size_t)ntests * (size_t)B, sizeof *c.hi);
    c.state = mg__calloc((size_t)ntests * (size_t)B, 1);
    double *p_fail = mg__calloc((size_t)ntests, sizeof *p_fail);
    double *p_pass = mg__calloc((size_t)ntests, sizeof *p_pass);
    mg_status st = MG_OK;
    if (tests == NULL || c.include == NULL || c.lo == NULL || c.hi == NULL || c.state == NULL ||
        p_fail == NULL || p_pass == NULL)
        st = mg__nomem(err, "the fairness bootstrap");
    for (int a = 0; a < f->nattrs && st == MG_OK; a++) {
        const mg_fairness_attr *at = &f->attrs[a];
        if ((c.include[a] = mg__calloc((size_t)at->ngroups + 1, sizeof **c.include)) == NULL)
            st = mg__nomem(err, "the fairness bootstrap");
        for (int g = 0; g < at->ngroups && st == MG_OK; g++)
            c.include[a][g] = !at->groups[g].excluded;
    }
    c.used = mg__calloc((size_t)f->nattrs, sizeof *c.used);
    c.offset = mg__calloc((size_t)f->nattrs, sizeof *c.offset);
    if (t->task == MG_TASK_BINARY)
        c.cell = mg__malloc_array((size_t)t->n, 1);
    if (st == MG_OK &&
        (c.used == NULL || c.offset == NULL || (t->task == MG_TASK_BINARY && c.cell == NULL)))
        st = mg__nomem(err, "the fairness bootstrap");
    if (st == MG_OK) {
        c.nslots = 1;
        for (int a = 0; a < f->nattrs; a++) {
            bool gated = false;
            for (int m = 0; m < MG_FAIR_NMEASURES; m++)
                gated = gated || (f->attrs[a].has_measure[m] && f->attrs[a].measures[m].gated);
            if (!gated)
                continue;
            c.used[c.nused] = a;
            c.offset[c.nused++] = c.nslots;
            c.nslots += (size_t)ix[a].ngroups;
        }
        for (int64_t i = 0; c.cell != NULL && i < t->n; i++)
            c.cell[i] = (uint8_t)(2 * (t->y[i] != 0) + (t->score[i] > t->threshold));
        if (joint_cells(&c, t) != MG_OK)
            st = mg__nomem(err, "the fairness bootstrap");
    }
    if (st == MG_OK) {
        int k = 0;
        for (int a = 0; a < f->nattrs; a++)
            for (int m = 0; m < MG_FAIR_NMEASURES; m++)
                if (f->attrs[a].has_measure[m] && f->attrs[a].measures[m].gated)
                    tests[k++] = (test_ref){a, (mg_fairness_measure)m};
        c.tests = tests;
        mg__progress_init(&c.progress, f->opts.progress, f->opts.progress_ctx, B);
        if (mg__parallel_for(B, f->opts.threads, replicate, &c) != MG_OK)
            st = mg__nomem(err, "a bootstrap replicate");
        else
            mg__progress_done(&c.progress);
    }
    double alpha = 1 - f->opts.confidence;
    for (int k = 0; k < ntests && st == MG_OK; k++) {
        mg_disparity *d = &f->attrs[tests[k].attr].measures[tests[k].m];
        const uint8_t *s = c.state + (size_t)k * (size_t)B;
        double *lo = c.lo + (size_t)k * (size_t)B, *hi = c.hi + (size_t)k * (size_t)B;
        int64_t inside = 0, outside = 0, undefined = 0;
        int defined = 0;
        for (int r = 0; r < B; r++) {
            inside += s[r] == 0;
            outside += s[r] == 1;
            undefined += s[r] == 2;
            if (s[r] != 2) {
                lo[defined] = lo[r];
                hi[defined] = hi[r];
                defined++;
            }
        }
        /* An undefined replicate counts against both claims. */
        p_fail[k] = (1.0 + (double)(inside + undefined)) / (B + 1.0);
        p_pass[k] = (1.0 + (double)(outside + undefined)) / (B + 1.0);
        d->undefined_replicates = undefined;
        d->has_ci = true;
        percentile(lo, defined, f->opts.confidence, &d->ratio_ci);
        percentile(hi, defined, f->opts.confidence, &d->ratio_max_ci);
    }
    if (st == MG_OK) {
        mg__holm_adjust(p_fail, ntests);
        mg__holm_adjust(p_pass, ntests);
        for (int k = 0; k < ntests; k++) {
            mg_disparity *d = &f->attrs[tests[k].attr].measures[tests[k].m];
            d->p_fail = p_fail[k];
            d->p_pass = p_pass[k];
            if (d->ratio.null_reason != NULL || d->ratio_max.null_reason != NULL)
                continue; /* the point verdict (inconclusive, with its reason) stands */
            if (p_fail[k] <= alpha) {
                d->verdict = MG_VERDICT_FAIL;
                d->reason = "the bootstrap shows the ratio outside the band (Holm-adjusted)";
            } else if (p_pass[k] <= alpha) {
                d->verdict = MG_VERDICT_PASS;
                d->reason = NULL;
            } else {
                d->verdict = MG_VERDICT_INCONCLUSIVE;
                d->reason = "the bootstrap cannot tell whether the ratio lies inside the band "
                            "at this confidence (Holm-adjusted)";
            }
        }
    }
    for (int a = 0; c.include != NULL && a < f->nattrs; a++)
        free(c.include[a]);
    free(c.include);
    free(c.used);
    free(c.offset);
    free(c.cell);
    free(c.jcell);
    free(c.jslot);
    free(c.jcount);
    free(tests);
    free(c.lo);
    free(c.hi);
    free(c.state);
    free(p_fail);
    free(p_pass);
    return st;
}
