/* stats.h - statistics behind the gates (DESIGN §8): distributions, intervals
 * and tests. Pure functions on numbers; nothing here allocates unless noted. */
#ifndef MODELGATE_STATS_H
#define MODELGATE_STATS_H

#include "modelgate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Standard normal CDF and its inverse (p in (0, 1); full double precision). */
MG_API double mg_norm_cdf(double x);
MG_API double mg_norm_ppf(double p);

/* Regularized incomplete beta I_x(a, b) and upper incomplete gamma Q(a, x). */
MG_API double mg_betainc(double a, double b, double x);
MG_API double mg_gammaincc(double a, double x);

/* Binomial(n, p): P[X <= k] and P[X > k], accurate in the tails. */
MG_API double mg_binom_cdf(int64_t k, int64_t n, double p);
MG_API double mg_binom_sf(int64_t k, int64_t n, double p);

/* Chi-square survival function P[X > x] with df degrees of freedom. */
MG_API double mg_chi2_sf(double x, double df);

/* A two-sided interval at `level` (e.g. 0.95). */
typedef struct mg_interval {
    double low, high, level;
    const char *method; /* static name: "wilson", "clopper_pearson", ... */
} mg_interval;

/* Wilson score interval for `successes` out of `n` trials (n > 0; both may be
 * weighted, fractional counts). Returns -1 when n <= 0, else 0. */
MG_API int mg_wilson_interval(double successes, double n, double level, mg_interval *out);

/* Quantile of the Beta(a, b) distribution: the x in [0, 1] with
 * I_x(a, b) = p. Returns NaN when a or b is not positive or p is outside
 * [0, 1]. Accurate to a few ulps relative to x, also deep in the tails. */
MG_API double mg_beta_ppf(double p, double a, double b);

/* Clopper-Pearson ("exact") interval for k successes in n trials, from the
 * beta quantiles: low = B^-1(alpha/2; k, n-k+1), high = B^-1(1-alpha/2; k+1,
 * n-k), with low = 0 when k = 0 and high = 1 when k = n. Returns -1 when
 * n <= 0, k is outside [0, n] or level is outside (0, 1), else 0. */
MG_API int mg_clopper_pearson_interval(int64_t k, int64_t n, double level, mg_interval *out);

/* ---- paired tests: a candidate ("new") against a baseline on the same rows */

/* The difference new - baseline of one metric with its interval and test. */
typedef struct mg_paired_test {
    double value; /* point estimate of new - baseline */
    double ci_low, ci_high;
    double level;
    double p_value;        /* two-sided, null hypothesis: no difference */
    double statistic;      /* z (delong, paired_z), chi-square (mcnemar_chi2), the smaller
                            * discordant count (mcnemar_exact); NaN for the bootstrap */
    const char *test;      /* static: "mcnemar_exact", "mcnemar_chi2", "delong",
                            * "paired_bootstrap", "paired_z" (compare on many rows,
                            * docs/statistics.md) */
    const char *ci_method; /* static: "newcombe_paired", "delong", "bootstrap_percentile",
                            * "normal_influence" */
} mg_paired_test;

/* The normal (z) test of a difference `delta` whose variance is `var`, at
 * `level`: out's value, level, statistic delta / sqrt(var), two-sided
 * p-value and interval delta -/+ z sqrt(var) clamped to [low, high]. A
 * variance not above `zero_var` (rounding error, or none) is no spread: the
 * statistic is NaN, the p-value 1 when delta is 0 and 0 otherwise, the
 * interval the point. The caller sets test and ci_method. */
MG_API void mg_paired_z_fill(double delta, double var, double zero_var, double level, double low,
                             double high, mg_paired_test *out);

/* McNemar's test of paired correctness. The rows split into four counts:
 * correct for both models, for the new model only, for the baseline only,
 * for neither; the accuracy difference is (new_only - baseline_only) / n.
 * When the discordant rows number under 50 the test is the exact two-sided
 * binomial test of new_only out of the discordant rows at p = 1/2
 * ("mcnemar_exact"), else the continuity-corrected chi-square
 * max(0, |b - c| - 1)^2 / (b + c) with one degree of freedom ("mcnemar_chi2").
 * The interval is Newcombe's hybrid score interval for paired proportions
 * (Newcombe 1998, method 10), built from the Wilson intervals of both
 * accuracies. Returns -1 on a negative count, no rows, or level outside
 * (0, 1), else 0. */
MG_API int mg_mcnemar_test(int64_t both, int64_t new_only, int64_t baseline_only, int64_t neither,
                           double level, mg_paired_test *out);

/* ROC AUC with DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988),
 * computed from midranks in O(n log n) (Sun & Xu 2014). Ties count half. */
typedef struct mg_auc_estimate {
    double auc;
    double variance; /* DeLong's variance of the AUC estimate */
    mg_interval ci;  /* auc +- z * sqrt(variance), clipped to [0, 1]; "delong" */
    int64_t positives, negatives;
} mg_auc_estimate;

/* y[i] is 1 for the positive class, 0 otherwise; scores must not be NaN.
 * Sample weights are not supported by DeLong's method: weighted data needs
 * the bootstrap. Errors (MG_ERR_DATA): fewer than two rows of either class
 * (the variance is undefined), a NaN score (naming row i + 1). */
MG_API mg_status mg_delong_auc(const uint8_t *y, const double *score, int64_t n, double level,
                               mg_auc_estimate *out, mg_error *err);

/* The paired DeLong test of two correlated AUCs on the same rows: value =
 * AUC(score_new) - AUC(score_base), z = value / sqrt(var(new) + var(base) -
 * 2 cov), two-sided normal p-value, interval value +- z_{level} * se. When the
 * difference has no variance (e.g. identical rankings) the interval is
 * [value, value], p is 1 for equal AUCs and 0 otherwise, statistic NaN.
 * Either AUC estimate may be returned through auc_new and auc_base (both may
 * be NULL). Same errors as mg_delong_auc. */
MG_API mg_status mg_delong_paired(const uint8_t *y, const double *score_new,
                                  const double *score_base, int64_t n, double level,
                                  mg_paired_test *out, mg_auc_estimate *auc_new,
                                  mg_auc_estimate *auc_base, mg_error *err);

/* Holm's step-down adjustment of m p-values: adjusted[i] is the smallest
 * family-wise level at which hypothesis i is rejected (monotone, at most 1).
 * p and adjusted may be the same array. Returns -1 on a NaN p-value or when
 * memory runs out, else 0. */
MG_API int mg_holm_adjust(const double *p, int m, double *adjusted);

/* ---- the Poisson bootstrap ------------------------------------------------
 *
 * Each replicate gives every row a weight drawn from Poisson(1) (Hanley &
 * MacGibbon's Poisson bootstrap: the multinomial resample of n rows without a
 * fixed n). The weight of a row is a pure function of (seed, replicate, row)
 * through a counter-based generator, so results are reproducible from the
 * seed and do not depend on the number of threads or on the order in which a
 * statistic visits the rows (a statistic may walk rows sorted by score). */

/* SplitMix64's finalizer: a bijection of 64-bit words with full avalanche. */
static inline uint64_t mg_bootstrap_mix64(uint64_t z) {
    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
/* The key of one replicate's stream of weights. */
static inline uint64_t mg_bootstrap_key(uint64_t seed, int64_t replicate) {
    return mg_bootstrap_mix64(mg_bootstrap_mix64(seed) ^
                              ((uint64_t)replicate + 1) * 0x9e3779b97f4a7c15ULL);
}

/* Poisson(1) count from 32 uniform bits, by inversion against the CDF scaled
 * to 2^32 (counts above 12 have probability below 1e-9 and are cut at 12). */
static inline unsigned mg_bootstrap_poisson(uint32_t u) {
    static const uint32_t cdf[12] = {0x5e2d58d8u, 0xbc5ab1b1u, 0xeb715e1du, 0xfb239797u,
                                     0xff1025f5u, 0xffd90f3bu, 0xfffa8b71u, 0xffff540cu,
                                     0xffffed1fu, 0xfffffe21u, 0xffffffd4u, 0xfffffffcu};
    /* Counts of 4 or more are rare (1.9%): branch-free for the common ones. */
    unsigned k = (u >= cdf[0]) + (u >= cdf[1]) + (u >= cdf[2]) + (u >= cdf[3]);
    if (u >= cdf[3])
        for (int i = 4; i < 12 && u >= cdf[i]; i++)
            k++;
    return k;
}

/* The Poisson(1) weight of `row` in the replicate whose key is `key`. Rows
 * 2j and 2j+1 share one 64-bit draw (low and high halves). */
static inline unsigned mg_bootstrap_weight(uint64_t key, int64_t row) {
    uint64_t h = mg_bootstrap_mix64(key + ((uint64_t)(row >> 1) + 1) * 0x9e3779b97f4a7c15ULL);
    return mg_bootstrap_poisson((uint32_t)(row & 1 ? h >> 32 : h));
}

/* Fills w[0..n) with the weights of the replicate `key`, multiplied by
 * base[i] when base is not NULL (sample weights). */
MG_API void mg_bootstrap_weights(uint64_t key, const double *base, int64_t n, double *w);

typedef struct mg_bootstrap_options {
    int replicates; /* >= 1; 1000 is a common choice */
    uint64_t seed;
    int threads; /* 0 = every CPU */
    /* When not NULL: called with the replicates done so far and the total
     * (`done` never decreases; a last call has done == total), from the
     * worker threads but never by two at once; it must return quickly
     * without calling the library. The CLI draws its progress bar here. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} mg_bootstrap_options;

/* A statistic evaluated on one replicate: writes its nstats values to out
 * (NaN where undefined on this resample, e.g. an AUC with one class). It
 * draws row weights itself with mg_bootstrap_weight(key, row). Called from
 * several threads at once: it must not modify ctx. A non-OK status stops the
 * run, which returns it with a message naming the replicate. */
typedef mg_status (*mg_bootstrap_fn)(void *ctx, uint64_t key, double *out);

/* A statistic of weighted rows: w holds the n row weights of the replicate
 * (Poisson counts times the sample weights). Same rules as mg_bootstrap_fn. */
typedef mg_status (*mg_weighted_stat_fn)(void *ctx, const double *w, int64_t n, double *out);

/* The replicate values: samples[r * nstats + s]. Owned: mg_bootstrap_release. */
typedef struct mg_bootstrap {
    int replicates, nstats;
    double *samples;
} mg_bootstrap;

/* Runs the bootstrap of a statistic that draws its own weights. */
MG_API mg_status mg_bootstrap_run(const mg_bootstrap_options *opts, int nstats, mg_bootstrap_fn fn,
                                  void *ctx, mg_bootstrap *out, mg_error *err);

/* Runs the bootstrap of a statistic given as a function of row weights;
 * `base` is NULL or n sample weights. Uses n doubles of scratch per thread. */
MG_API mg_status mg_bootstrap_run_weighted(const mg_bootstrap_options *opts, int64_t n,
                                           const double *base, int nstats, mg_weighted_stat_fn fn,
                                           void *ctx, mg_bootstrap *out, mg_error *err);

/* Frees the samples (not b); safe on a zeroed struct. */
MG_API void mg_bootstrap_release(mg_bootstrap *b);

/* Share of replicates where statistic `stat` is undefined (NaN). Intervals
 * are refused when it exceeds this limit, because dropping those replicates
 * would bias the interval. */
#define MG_BOOTSTRAP_MAX_UNDEFINED 0.05

/* Percentile interval of statistic `stat`: the (1-level)/2 and (1+level)/2
 * quantiles of its defined replicate values, interpolated linearly between
 * order statistics (numpy's default). Method "bootstrap_percentile". Returns
 * -1 when more than MG_BOOTSTRAP_MAX_UNDEFINED of the replicates are
 * undefined or fewer than two are defined, else 0. */
MG_API int mg_bootstrap_interval(const mg_bootstrap *b, int stat, double level, mg_interval *out);

/* The paired bootstrap of a difference: per replicate d = samples[stat_new] -
 * samples[stat_base]; value = `estimate` (the difference on the full data);
 * interval = percentile interval of d; p-value = min(1, 2 * min(#{d <= 0} + 1,
 * #{d >= 0} + 1) / (B + 1)) over the B defined replicates. Test
 * "paired_bootstrap". Returns -1 as mg_bootstrap_interval does. */
MG_API int mg_bootstrap_paired(const mg_bootstrap *b, int stat_new, int stat_base, double estimate,
                               double level, mg_paired_test *out);

/* Binary scores sorted once, so that every replicate's confusion counts, ROC
 * AUC, average precision, log loss and Brier score are one pass over a fixed
 * order with new weights, instead of a sort per replicate. */
typedef struct mg_ranked_scores {
    int64_t n;
    uint32_t *row;  /* original row of each rank (descending score) */
    uint8_t *flags; /* bit 0: positive; bit 1: last row of its group of tied
                     * scores; bit 2: predicted positive (score > threshold) */
    double *base;   /* sample weights in rank order, or NULL */
    int64_t npred;  /* rows predicted positive: the first npred ranks */
    double *loss;   /* per-row log loss and squared error in rank order */
    double *sq;
} mg_ranked_scores;

/* Sorts `score` (probabilities of the positive class, no NaN; n <= 2^32 - 1)
 * with the labels y (1 = positive) and optional sample weights w; a row is
 * predicted positive when its score exceeds `threshold`. The per-row log loss
 * clips scores to [eps, 1 - eps] (eps = DBL_EPSILON) as scikit-learn does.
 * Release with mg_ranked_scores_release. */
MG_API mg_status mg_ranked_scores_init(const uint8_t *y, const double *score, const double *w,
                                       int64_t n, double threshold, mg_ranked_scores *out,
                                       mg_error *err);
MG_API void mg_ranked_scores_release(mg_ranked_scores *r);

/* Weighted figures of one replicate. */
typedef struct mg_ranked_stats {
    double pos, neg;        /* total weight of each class */
    double tp, fp;          /* weight predicted positive, by class */
    double auc;             /* ROC AUC, ties half; NaN when a class has no weight */
    double ap;              /* average precision (step-wise, as scikit-learn); NaN
                             * without positive weight; only with MG_RANKED_AP */
    double log_loss, brier; /* weighted means; only with MG_RANKED_LOSSES */
} mg_ranked_stats;

#define MG_RANKED_AP 1
#define MG_RANKED_LOSSES 2

/* Evaluates the replicate *key, or the full data (every row weighs its
 * sample weight) when key is NULL. `what` adds MG_RANKED_AP and/or
 * MG_RANKED_LOSSES to the counts and AUC (the others are NaN). */
MG_API void mg_ranked_evaluate(const mg_ranked_scores *r, const uint64_t *key, int what,
                               mg_ranked_stats *out);

/* The ROC AUC alone, as mg_ranked_evaluate computes it. */
MG_API double mg_ranked_auc(const mg_ranked_scores *r, const uint64_t *key);

#ifdef __cplusplus
}
#endif

#endif
