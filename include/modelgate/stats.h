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
