/* poisson.c - exact Poisson draws for the bootstrap over aggregated counts
 * (see poisson.h for the algorithms and their sources). */
#include "stats/poisson.h"

#include <math.h>

/* Below this lambda, inversion (expected lambda + 1 steps); PTRS above, as
 * NumPy does. */
#define INVERSION_MAX 10.0

/* log(k!) for the PTRS acceptance test: tabulated below 20, Stirling's
 * series with four terms above (truncation error below 1/(1188 x^9) < 2e-15
 * for x = k + 1 >= 21; NumPy's random_loggam uses the same series). Avoids
 * lgamma(), which writes the global signgam and is not thread-safe. */
static double log_factorial(int64_t k) {
    static const double small[20] = {0.0,
                                     0.0,
                                     0.693147180559945,
                                     1.7917594692280554,
                                     3.178053830347945,
                                     4.787491742782047,
                                     6.579251212010102,
                                     8.525161361065415,
                                     10.604602902745249,
                                     12.801827480081467,
                                     15.104412573075514,
                                     17.502307845873887,
                                     19.987214495661885,
                                     22.55216385312342,
                                     25.191221182738683,
                                     27.89927138384089,
                                     30.671860106080672,
                                     33.50507345013689,
                                     36.39544520803305,
                                     39.339884187199495};
    if (k < 20)
        return small[k];
    double x = (double)k + 1; /* log Gamma(x) */
    double x2 = 1.0 / (x * x);
    double series = (((-1.0 / 1680 * x2 + 1.0 / 1260) * x2 - 1.0 / 360) * x2 + 1.0 / 12) / x;
    return (x - 0.5) * log(x) - x + 0.91893853320467274 /* log(2 pi) / 2 */ + series;
}

static int64_t inversion(uint64_t *state, double lambda, double p0) {
    double u = mg__rng_uniform(state);
    double p = p0, cdf = p0;
    int64_t k = 0;
    /* The tail beyond where cdf stops growing has probability below 1e-16;
     * the bound on k only guards against an endless loop. */
    while (u >= cdf && k < 1000) {
        k++;
        p *= lambda / (double)k;
        if (p <= 0)
            break;
        cdf += p;
    }
    return k;
}

static int64_t ptrs(uint64_t *state, double lambda) {
    double slam = sqrt(lambda), loglam = log(lambda);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = mg__rng_uniform(state) - 0.5;
        double v = mg__rng_uniform(state);
        double us = 0.5 - fabs(u);
        double kd = floor((2 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr)
            return (int64_t)kd;
        if (kd < 0 || (us < 0.013 && v > us))
            continue;
        int64_t k = (int64_t)kd;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
            -lambda + (double)k * loglam - log_factorial(k))
            return k;
    }
}

int64_t mg__poisson(uint64_t *state, double lambda) {
    if (!(lambda > 0))
        return 0;
    if (lambda < INVERSION_MAX)
        return inversion(state, lambda, exp(-lambda));
    return ptrs(state, lambda);
}

int64_t mg__poisson_count(uint64_t *state, int64_t n) {
    /* exp(-n) for n = 0..9, so that the small cells (most cells of a score's
     * rank buckets) draw without a call to exp(). */
    static const double e[10] = {1.0,
                                 0.36787944117144233,
                                 0.1353352832366127,
                                 0.049787068367863944,
                                 0.01831563888873418,
                                 0.006737946999085467,
                                 0.0024787521766663585,
                                 0.0009118819655545162,
                                 0.00033546262790251185,
                                 0.00012340980408667956};
    if (n <= 0)
        return 0;
    if (n < 10)
        return inversion(state, (double)n, e[n]);
    return ptrs(state, (double)n);
}
