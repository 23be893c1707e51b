/* stats.c - latency statistics: nearest-rank percentiles, distribution-free
 * order-statistic bounds of quantiles and the Mann-Whitney U test. */
#include "internal.h"
#include "modelgate/latency.h"
#include "modelgate/stats.h"

#include <math.h>

/* ceil(q * n) with a relative tolerance, so that 0.99 * 300 (which is not
 * exactly 297 in binary) still names rank 297. */
static int64_t rank_of(double q, int64_t n) {
    double x = q * (double)n;
    int64_t k = (int64_t)ceil(x - 1e-9 * fmax(1.0, x));
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return k;
}

double mg_quantile_nearest_rank(const double *sorted, int64_t n, double q) {
    if (n < 1)
        return NAN; /* no samples: undefined, never sorted[-1] */
    return sorted[rank_of(q, n) - 1];
}

int64_t mg_quantile_upper_rank(int64_t n, double q, double conf) {
    if (n < 1 || !(q > 0 && q < 1) || !(conf > 0 && conf < 1))
        return 0;
    /* P[Bin(n, q) <= k-1] grows with k; find the first k where it reaches conf. */
    if (mg_binom_cdf(n - 1, n, q) < conf)
        return 0;
    int64_t lo = 1, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (mg_binom_cdf(mid - 1, n, q) >= conf)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int64_t mg_quantile_lower_rank(int64_t n, double q, double conf) {
    if (n < 1 || !(q > 0 && q < 1) || !(conf > 0 && conf < 1))
        return 0;
    /* P[Bin(n, q) >= k] = P[Bin > k-1] falls with k; find the last k where it holds. */
    if (mg_binom_sf(0, n, q) < conf)
        return 0;
    int64_t lo = 1, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (mg_binom_sf(mid - 1, n, q) >= conf)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int64_t mg_quantile_upper_min_samples(double q, double conf) {
    if (!(q > 0 && q < 1) || !(conf > 0 && conf < 1))
        return 0;
    /* 1 - q^n >= conf  <=>  n >= log(1 - conf) / log(q); step to be exact at the edge. */
    int64_t n = (int64_t)floor(log1p(-conf) / log(q));
    if (n < 1)
        n = 1;
    while (n > 1 && mg_quantile_upper_rank(n - 1, q, conf) != 0)
        n--;
    while (mg_quantile_upper_rank(n, q, conf) == 0)
        n++;
    return n;
}

void mg_latency_summarize(const double *sorted_ms, int64_t n, mg_latency_summary *out) {
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n < 1)
        return;
    double sum = 0;
    for (int64_t i = 0; i < n; i++)
        sum += sorted_ms[i];
    double mean = sum / (double)n, ss = 0;
    for (int64_t i = 0; i < n; i++)
        ss += (sorted_ms[i] - mean) * (sorted_ms[i] - mean);
    out->total_ms = sum;
    out->mean_ms = mean;
    out->stddev_ms = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    out->min_ms = sorted_ms[0];
    out->max_ms = sorted_ms[n - 1];
    out->p50_ms = mg_quantile_nearest_rank(sorted_ms, n, 0.50);
    out->p90_ms = mg_quantile_nearest_rank(sorted_ms, n, 0.90);
    out->p95_ms = mg_quantile_nearest_rank(sorted_ms, n, 0.95);
    out->p99_ms = mg_quantile_nearest_rank(sorted_ms, n, 0.99);
    out->p999_ms = mg_quantile_nearest_rank(sorted_ms, n, 0.999);
}

typedef struct tagged {
    double v;
    bool from_x;
} tagged;

static int cmp_tagged(const void *a, const void *b) {
    double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
    return (x > y) - (x < y);
}

mg_status mg_mann_whitney_u(const double *x, int64_t nx, const double *y, int64_t ny, double *u,
                            double *p, mg_error *err) {
    if (nx < 1 || ny < 1)
        return mg__fail(err, MG_ERR_USAGE,
                        "Mann-Whitney U test: both samples need values (%" PRId64 " and %" PRId64
                        " given)",
                        nx, ny);
    int64_t n = nx + ny;
    tagged *all = mg__malloc_array((size_t)n, sizeof *all);
    if (all == NULL)
        return mg__nomem(err, "the Mann-Whitney ranks");
    for (int64_t i = 0; i < n; i++) {
        all[i].from_x = i < nx;
        all[i].v = i < nx ? x[i] : y[i - nx];
        if (isnan(all[i].v)) {
            free(all);
            return mg__fail(err, MG_ERR_USAGE, "Mann-Whitney U test: value %" PRId64 " is NaN",
                            i + 1);
        }
    }
    qsort(all, (size_t)n, sizeof *all, cmp_tagged);
    /* Midranks for ties; the tie term sum(t^3 - t) corrects the variance. */
    double rank_x = 0, tie_term = 0;
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j + 1 < n && all[j + 1].v == all[i].v)
            j++;
        double mid = (double)(i + j) / 2 + 1, t = (double)(j - i + 1);
        for (int64_t k = i; k <= j; k++)
            if (all[k].from_x)
                rank_x += mid;
        tie_term += t * t * t - t;
        i = j + 1;
    }
    free(all);
    double dnx = (double)nx, dny = (double)ny, dn = (double)n;
    double u1 = rank_x - dnx * (dnx + 1) / 2, u2 = dnx * dny - u1;
    double mu = dnx * dny / 2;
    double s = sqrt(dnx * dny / 12 * ((dn + 1) - tie_term / (dn * (dn - 1))));
    double num = fmax(u1, u2) - mu - 0.5;
    double pv;
    if (s > 0)
        pv = 2 * mg_norm_cdf(-num / s);
    else
        pv = 1; /* every value ties: nothing tells the samples apart */
    *u = u1;
    *p = pv > 1 ? 1 : (pv < 0 ? 0 : pv);
    return MG_OK;
}
