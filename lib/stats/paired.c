/* paired.c - tests for two models scored on the same rows: McNemar's test of
 * paired correctness with Newcombe's interval, and Holm's correction for
 * several tests at once. */
#include "internal.h"
#include "modelgate/stats.h"

#include <math.h>

/* Below this many discordant pairs the chi-square approximation is poor and
 * the exact binomial test is used (DESIGN §8). */
#define MCNEMAR_EXACT_BELOW 50

/* Newcombe (1998), "Improved confidence intervals for the difference between
 * binomial proportions based on paired data", method 10: combines the Wilson
 * intervals of the two marginal proportions, corrected for their correlation
 * phi. a, b, c, d: both correct, new only, baseline only, neither. */
static void newcombe_paired(double a, double b, double c, double d, double level,
                            mg_paired_test *out) {
    double n = a + b + c + d;
    double p1 = (a + b) / n, p2 = (a + c) / n;
    mg_interval w1, w2;
    mg_wilson_interval(a + b, n, level, &w1);
    mg_wilson_interval(a + c, n, level, &w2);
    double denom = (a + b) * (c + d) * (a + c) * (b + d);
    double phi = denom > 0 ? (a * d - b * c) / sqrt(denom) : 0.0;
    double dl1 = p1 - w1.low, du1 = w1.high - p1;
    double dl2 = p2 - w2.low, du2 = w2.high - p2;
    double lower = dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2;
    double upper = du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2;
    double delta = p1 - p2;
    out->ci_low = fmax(-1.0, delta - sqrt(fmax(0.0, lower)));
    out->ci_high = fmin(1.0, delta + sqrt(fmax(0.0, upper)));
    out->ci_method = "newcombe_paired";
}

int mg_mcnemar_test(int64_t both, int64_t new_only, int64_t baseline_only, int64_t neither,
                    double level, mg_paired_test *out) {
    if (both < 0 || new_only < 0 || baseline_only < 0 || neither < 0 || both > INT64_MAX / 4 ||
        new_only > INT64_MAX / 4 || baseline_only > INT64_MAX / 4 || neither > INT64_MAX / 4 ||
        !(level > 0 && level < 1))
        return -1;
    int64_t n = both + new_only + baseline_only + neither;
    if (n == 0)
        return -1;
    int64_t discordant = new_only + baseline_only;
    out->value = (double)(new_only - baseline_only) / (double)n;
    out->level = level;
    if (discordant < MCNEMAR_EXACT_BELOW) {
        /* Binomial(discordant, 1/2) is symmetric: the two-sided p-value is
         * twice the smaller tail, at most 1. */
        int64_t k = new_only < baseline_only ? new_only : baseline_only;
        double p = discordant == 0 ? 1.0 : 2 * mg_binom_cdf(k, discordant, 0.5);
        out->p_value = fmin(1.0, p);
        out->statistic = (double)k;
        out->test = "mcnemar_exact";
    } else {
        double diff = fabs((double)(new_only - baseline_only)) - 1;
        double chi2 = diff > 0 ? diff * diff / (double)discordant : 0.0;
        out->p_value = mg_chi2_sf(chi2, 1);
        out->statistic = chi2;
        out->test = "mcnemar_chi2";
    }
    newcombe_paired((double)both, (double)new_only, (double)baseline_only, (double)neither, level,
                    out);
    return 0;
}

/* Sorts indices by p-value ascending (insertion sort: m is a handful of
 * gates or groups, and the order must be stable for equal p-values). */
int mg_holm_adjust(const double *p, int m, double *adjusted) {
    if (m <= 0)
        return 0;
    int *order = mg__malloc_array((size_t)m, sizeof *order);
    double *sorted = mg__malloc_array((size_t)m, sizeof *sorted);
    if (order == NULL || sorted == NULL) {
        free(order);
        free(sorted);
        return -1;
    }
    int bad = 0;
    for (int i = 0; i < m; i++) {
        if (isnan(p[i]))
            bad = 1;
        order[i] = i;
        sorted[i] = p[i];
    }
    for (int i = 1; i < m && !bad; i++) {
        int oi = order[i];
        int j = i;
        for (; j > 0 && p[order[j - 1]] > p[oi]; j--)
            order[j] = order[j - 1];
        order[j] = oi;
    }
    /* adjusted_(k) = max over j <= k of min(1, (m - j) * p_(j)) */
    double running = 0;
    for (int k = 0; k < m && !bad; k++) {
        double v = fmin(1.0, (double)(m - k) * sorted[order[k]]);
        running = fmax(running, v);
        adjusted[order[k]] = running;
    }
    free(order);
    free(sorted);
    return bad ? -1 : 0;
}

void mg_paired_z_fill(double delta, double var, double zero_var, double level, double low,
                      double high, mg_paired_test *out) {
    out->value = delta;
    out->level = level;
    if (!(var > zero_var)) {
        out->statistic = NAN;
        out->p_value = delta == 0 ? 1.0 : 0.0;
        out->ci_low = out->ci_high = delta;
        return;
    }
    double se = sqrt(var), z = mg_norm_ppf(1 - (1 - level) / 2);
    out->statistic = delta / se;
    out->p_value = erfc(fabs(out->statistic) / sqrt(2.0));
    out->ci_low = fmax(low, delta - z * se);
    out->ci_high = fmin(high, delta + z * se);
}
