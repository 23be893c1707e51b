/* interval.c - confidence intervals for proportions. */
#include "internal.h"
#include "modelgate/stats.h"

#include <math.h>

int mg_wilson_interval(double successes, double n, double level, mg_interval *out) {
    if (!(n > 0) || !(level > 0 && level < 1))
        return -1;
    double z = mg_norm_ppf(1 - (1 - level) / 2);
    double p = successes / n;
    if (p < 0)
        p = 0;
    if (p > 1)
        p = 1;
    double z2 = z * z;
    double denom = 1 + z2 / n;
    double center = (p + z2 / (2 * n)) / denom;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
    out->low = fmax(0.0, center - half);
    out->high = fmin(1.0, center + half);
    out->level = level;
    out->method = "wilson";
    return 0;
}
