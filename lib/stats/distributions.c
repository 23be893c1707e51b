/* distributions.c - regularized incomplete beta and gamma functions and the
 * binomial and chi-square distributions built on them. */
#include "internal.h"
#include "modelgate/stats.h"

#include <float.h>
#include <math.h>

#define CF_MAX_ITER 10000
#define CF_EPS 1e-16
#define CF_TINY 1e-300

/* Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a+1)/(a+b+2). */
static double beta_cf(double a, double b, double x) {
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < CF_TINY)
        d = CF_TINY;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= CF_MAX_ITER; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < CF_TINY)
            d = CF_TINY;
        c = 1 + aa / c;
        if (fabs(c) < CF_TINY)
            c = CF_TINY;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < CF_TINY)
            d = CF_TINY;
        c = 1 + aa / c;
        if (fabs(c) < CF_TINY)
            c = CF_TINY;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < CF_EPS)
            break;
    }
    return h;
}

double mg_betainc(double a, double b, double x) {
    if (!(a > 0) || !(b > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lfront) * beta_cf(a, b, x) / a;
    return 1 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

/* P(a, x) by its series, for x < a + 1. */
static double gamma_series(double a, double x) {
    double sum = 1 / a, del = sum, ap = a;
    for (int n = 0; n < CF_MAX_ITER; n++) {
        ap += 1;
        del *= x / ap;
        sum += del;
        if (fabs(del) < fabs(sum) * CF_EPS)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) by its continued fraction, for x >= a + 1. */
static double gamma_cf(double a, double x) {
    double b = x + 1 - a, c = 1 / CF_TINY, d = 1 / b, h = d;
    for (int i = 1; i <= CF_MAX_ITER; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < CF_TINY)
            d = CF_TINY;
        c = b + an / c;
        if (fabs(c) < CF_TINY)
            c = CF_TINY;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < CF_EPS)
            break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double mg_gammaincc(double a, double x) {
    if (!(a > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 1;
    if (x < a + 1)
        return 1 - gamma_series(a, x);
    return gamma_cf(a, x);
}

double mg_binom_cdf(int64_t k, int64_t n, double p) {
    if (n < 0 || !(p >= 0 && p <= 1))
        return NAN;
    if (k < 0)
        return 0;
    if (k >= n)
        return 1;
    if (p == 0)
        return 1;
    if (p == 1)
        return 0;
    /* P[X <= k] = I_{1-p}(n - k, k + 1) */
    return mg_betainc((double)(n - k), (double)(k + 1), 1 - p);
}

double mg_binom_sf(int64_t k, int64_t n, double p) {
    if (n < 0 || !(p >= 0 && p <= 1))
        return NAN;
    if (k < 0)
        return 1;
    if (k >= n)
        return 0;
    if (p == 0)
        return 0;
    if (p == 1)
        return 1;
    /* P[X > k] = I_p(k + 1, n - k) */
    return mg_betainc((double)(k + 1), (double)(n - k), p);
}

double mg_chi2_sf(double x, double df) {
    if (!(df > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 1;
    return mg_gammaincc(df / 2, x / 2);
}
