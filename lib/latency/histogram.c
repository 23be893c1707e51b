/* histogram.c - latencies in log-spaced bins, for the plots of the reports
 * (latency.json "histogram"). */
#include "internal.h"
#include "modelgate/latency.h"

#include <math.h>

int mg_latency_histogram(const double *sorted_ms, int64_t n, int nbins, double *edges,
                         int64_t *counts, bool *log_scale) {
    if (n < 1 || nbins < 1 || nbins > MG_LATENCY_HISTOGRAM_MAX_BINS)
        return 0;
    double lo = sorted_ms[0], hi = sorted_ms[n - 1];
    *log_scale = lo > 0;
    if (!(hi > lo)) {
        edges[0] = lo;
        edges[1] = hi;
        counts[0] = n;
        return 1;
    }
    double llo = *log_scale ? log(lo) : lo, lhi = *log_scale ? log(hi) : hi;
    edges[0] = lo;
    for (int i = 1; i < nbins; i++) {
        double t = llo + (double)i * (lhi - llo) / (double)nbins;
        edges[i] = *log_scale ? exp(t) : t;
    }
    edges[nbins] = hi;
    /* rounding could put two interior edges out of order: keep them monotone */
    for (int i = 1; i <= nbins; i++)
        if (edges[i] < edges[i - 1])
            edges[i] = edges[i - 1];
    memset(counts, 0, (size_t)nbins * sizeof *counts);
    int b = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = sorted_ms[i];
        while (b < nbins - 1 && x >= edges[b + 1])
            b++;
        counts[b]++;
    }
    return nbins;
}
