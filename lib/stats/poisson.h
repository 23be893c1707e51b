/* poisson.h - Poisson(lambda) draws from a seeded SplitMix64 stream, for the
 * bootstrap over aggregated counts (mg__ tier).
 *
 * Why aggregated counts: the Poisson bootstrap gives every row a Poisson(1)
 * weight. When a statistic depends on the rows only through the total weight
 * of a few cells of rows that contribute identically (same group, label and
 * prediction; same score and label), only each cell's total weight matters,
 * and the sum of n independent Poisson(1) weights is Poisson(n). Drawing one
 * Poisson(n) per cell per replicate is therefore exactly the same distribution
 * of the statistic as n per-row draws, at the cost of one draw per cell. The
 * draws differ from the per-row path's, so the intervals move within their
 * Monte Carlo error, not more. */
#ifndef MG_STATS_POISSON_H
#define MG_STATS_POISSON_H

#include <stdint.h>

/* SplitMix64 (Steele, Lea and Flood 2014): advances *state and returns 64
 * uniform bits. */
static inline uint64_t mg__rng_next(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A uniform double in [0, 1) with 53 random bits. */
static inline double mg__rng_uniform(uint64_t *state) {
    return (double)(mg__rng_next(state) >> 11) * 0x1.0p-53;
}

/* One Poisson(lambda) draw (lambda >= 0; 0 gives 0) from the stream *state.
 * lambda < 10: inversion by sequential search from one uniform; lambda >= 10:
 * PTRS, Hörmann's transformed rejection with squeeze (W. Hörmann, "The
 * transformed rejection method for generating Poisson random variables",
 * Insurance: Mathematics and Economics 12 (1993) 39-45; the same constants as
 * NumPy's random_poisson_ptrs), which takes about 1.1 pairs of uniforms per
 * draw whatever lambda is. Both are exact (up to double rounding). The result
 * is a pure function of the stream, so it is reproducible from the seed. */
int64_t mg__poisson(uint64_t *state, double lambda);

/* The same for an integer lambda = n (a cell's row count): for n < 10,
 * inversion of one 64-bit uniform against the CDF tabulated in 64-bit fixed
 * point (no division, no exp; the most common case of score buckets), PTRS
 * from 10. Same distribution as mg__poisson(state, (double)n) (to 2^-64). */
int64_t mg__poisson_count(uint64_t *state, int64_t n);

/* The tabulated CDFs behind mg__poisson_count for n < MG__POISSON_TABLE_MAX:
 * floor(2^64 P[Poisson(n) <= k]) from mg__poisson_cdf64[mg__poisson_cdf_start[n - 1]]
 * to before mg__poisson_cdf64[mg__poisson_cdf_start[n]]. */
#define MG__POISSON_TABLE_MAX 10
extern const uint64_t mg__poisson_cdf64[];
extern const int mg__poisson_cdf_start[MG__POISSON_TABLE_MAX];

/* mg__poisson_count from the stream state `state`, the advanced state in
 * *next. */
int64_t mg__poisson_count_from(uint64_t state, int64_t n, uint64_t *next);

/* A guide table (Chen and Asau 1974) over the top MG__POISSON_GUIDE_BITS bits
 * u' of the uniform u: cell[n - 1][u'] is the draw for the smallest u of the
 * cell, plus MG__POISSON_GUIDE_EXACT when every u of the cell gives that same
 * draw (the cell holds no CDF step); otherwise the search for u starts there. */
#define MG__POISSON_GUIDE_BITS 10
#define MG__POISSON_GUIDE_EXACT 0x80
typedef struct mg__poisson_guide {
    uint8_t cell[MG__POISSON_TABLE_MAX - 1][1 << MG__POISSON_GUIDE_BITS];
} mg__poisson_guide;
void mg__poisson_guide_init(mg__poisson_guide *g);

/* The inversion of the uniform u for Poisson(n), 0 < n < MG__POISSON_TABLE_MAX:
 * the number of tabulated CDF values at or below u, found from the guide. */
static inline int64_t mg__poisson_invert(const mg__poisson_guide *g, int64_t n, uint64_t u) {
    unsigned e = g->cell[n - 1][u >> (64 - MG__POISSON_GUIDE_BITS)];
    if (e & MG__POISSON_GUIDE_EXACT)
        return e ^ MG__POISSON_GUIDE_EXACT;
    const uint64_t *c = mg__poisson_cdf64 + mg__poisson_cdf_start[n - 1];
    int m = mg__poisson_cdf_start[n] - mg__poisson_cdf_start[n - 1];
    int k = (int)e;
    while (k < m && u >= c[k])
        k++;
    return k;
}

/* mg__poisson_count with the guide table: the same function of the stream
 * (the same draw for every u, the same uniforms consumed), inlined. */
static inline int64_t mg__poisson_count_guided(const mg__poisson_guide *g, uint64_t *state,
                                               int64_t n) {
    if (n > 0 && n < MG__POISSON_TABLE_MAX)
        return mg__poisson_invert(g, n, mg__rng_next(state));
    /* The stream passes by value so that the caller's state can stay in a
     * register (its address is never taken on the fast path). */
    uint64_t next;
    int64_t k = mg__poisson_count_from(*state, n, &next);
    *state = next;
    return k;
}

#endif
