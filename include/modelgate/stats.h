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

#ifdef __cplusplus
}
#endif

#endif
