/* latency_stats.c - a test driver exposing libmodelgate's latency statistics
 * to tests/crosscheck/check_latency_stats.py, which checks them against scipy.
 *
 *   latency_stats summary Q CONF < samples   percentiles of the samples and the
 *                                            bounds of quantile Q at CONF
 *   latency_stats ranks N Q CONF             the bound ranks for n = 1..N
 *   latency_stats mwu NX < values            Mann-Whitney U of the first NX
 *                                            values against the rest
 * Numbers are printed with 17 significant digits, one "name value" per line. */
#include "modelgate/latency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double *read_values(int64_t *n) {
    int64_t cap = 1024;
    double *v = malloc((size_t)cap * sizeof *v);
    char line[128];
    *n = 0;
    while (v != NULL && fgets(line, sizeof line, stdin) != NULL) {
        size_t len = strcspn(line, "\r\n");
        if (len == 0)
            continue;
        if (*n == cap) {
            cap *= 2;
            double *grown = realloc(v, (size_t)cap * sizeof *v);
            if (grown == NULL) {
                free(v);
                return NULL;
            }
            v = grown;
        }
        if (mg_parse_double(line, len, &v[*n]) != 0) {
            fprintf(stderr, "latency_stats: not a number: %.*s\n", (int)len, line);
            free(v);
            return NULL;
        }
        (*n)++;
    }
    return v;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double number(const char *s) {
    double d = 0;
    if (mg_parse_double(s, strlen(s), &d) != 0) {
        fprintf(stderr, "latency_stats: not a number: %s\n", s);
        exit(2);
    }
    return d;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "summary") == 0) {
        double q = number(argv[2]), conf = number(argv[3]);
        int64_t n;
        double *v = read_values(&n);
        if (v == NULL || n == 0)
            return 2;
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        mg_latency_summary s;
        mg_latency_summarize(v, n, &s);
        printf("n %lld\nmin %.17g\nmax %.17g\nmean %.17g\nstddev %.17g\n", (long long)s.n, s.min_ms,
               s.max_ms, s.mean_ms, s.stddev_ms);
        printf("p50 %.17g\np90 %.17g\np95 %.17g\np99 %.17g\np999 %.17g\n", s.p50_ms, s.p90_ms,
               s.p95_ms, s.p99_ms, s.p999_ms);
        printf("q %.17g\n", mg_quantile_nearest_rank(v, n, q));
        int64_t up = mg_quantile_upper_rank(n, q, conf), lo = mg_quantile_lower_rank(n, q, conf);
        printf("upper_rank %lld\nlower_rank %lld\n", (long long)up, (long long)lo);
        if (up > 0)
            printf("upper %.17g\n", v[up - 1]);
        if (lo > 0)
            printf("lower %.17g\n", v[lo - 1]);
        printf("min_samples %lld\n", (long long)mg_quantile_upper_min_samples(q, conf));
        free(v);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "ranks") == 0) {
        long long nmax = (long long)number(argv[2]);
        double q = number(argv[3]), conf = number(argv[4]);
        for (long long n = 1; n <= nmax; n++)
            printf("%lld %lld %lld\n", n, (long long)mg_quantile_upper_rank(n, q, conf),
                   (long long)mg_quantile_lower_rank(n, q, conf));
        printf("min_samples %lld\n", (long long)mg_quantile_upper_min_samples(q, conf));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "mwu") == 0) {
        int64_t nx = (int64_t)number(argv[2]), n;
        double *v = read_values(&n);
        if (v == NULL || nx > n)
            return 2;
        double u, p;
        mg_error err;
        if (mg_mann_whitney_u(v, nx, v + nx, n - nx, &u, &p, &err) != MG_OK) {
            fprintf(stderr, "latency_stats: %s\n", err.text);
            free(v);
            return 2;
        }
        printf("u %.17g\np %.17g\n", u, p);
        free(v);
        return 0;
    }
    fprintf(stderr, "usage: latency_stats summary Q CONF | ranks N Q CONF | mwu NX\n");
    return 2;
}
