/* exact.c - the beta quantile and the Clopper-Pearson interval built on it. */
#include "internal.h"
#include "modelgate/stats.h"

#include <float.h>
#include <math.h>

#define PPF_MAX_ITER 300

/* Density of Beta(a, b) at x in (0, 1), from logs to survive extreme a, b. */
static double beta_pdf(double x, double a, double b, double lbeta) {
    return exp((a - 1) * log(x) + (b - 1) * log1p(-x) - lbeta);
}

/* Newton's method on I_x(a, b) - p, kept inside a bracket that shrinks with
 * every evaluation; a step that leaves the bracket is replaced by a bisection
 * (geometric towards 0, where tail quantiles live, so tiny x keep their
 * relative precision). */
double mg_beta_ppf(double p, double a, double b) {
    if (!(a > 0) || !(b > 0) || !(p >= 0 && p <= 1))
        return NAN;
    if (p == 0)
        return 0;
    if (p == 1)
        return 1;
    double lbeta = lgamma(a) + lgamma(b) - lgamma(a + b);
    double lo = 0, hi = 1, x = a / (a + b);
    for (int it = 0; it < PPF_MAX_ITER; it++) {
        double f = mg_betainc(a, b, x) - p;
        if (f == 0)
            return x;
        if (f < 0)
            lo = x;
        else
            hi = x;
        if (hi - lo <= 2 * DBL_EPSILON * x)
            return x;
        double d = beta_pdf(x, a, b, lbeta);
        double next = d > 0 && isfinite(d) ? x - f / d : NAN;
        if (!(next > lo && next < hi)) {
            if (lo == 0)
                next = hi / 16;
            else if (hi == 1)
                next = lo + (1 - lo) / 2;
            else if (hi / lo > 4)
                next = sqrt(lo * hi);
            else
                next = lo + (hi - lo) / 2;
        }
        if (fabs(next - x) <= 4 * DBL_EPSILON * x)
            return next;
        x = next;
    }
    return x;
}

int mg_clopper_pearson_interval(int64_t k, int64_t n, double level, mg_interval *out) {
    if (n <= 0 || k < 0 || k > n || !(level > 0 && level < 1))
        return -1;
    double alpha = 1 - level;
    out->low = k == 0 ? 0.0 : mg_beta_ppf(alpha / 2, (double)k, (double)(n - k + 1));
    out->high = k == n ? 1.0 : mg_beta_ppf(1 - alpha / 2, (double)(k + 1), (double)(n - k));
    out->level = level;
    out->method = "clopper_pearson";
    return 0;
}
