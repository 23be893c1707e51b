/* metrics_alone.c - "the metrics alone" of `make bench` (bench/README.md):
 *
 *   bench_metrics FILE.csv [REPS]
 *
 * Reads the label and score columns (the first two) of a bench_gen CSV into
 * memory with a plain loop (not timed), then times mg_binary_metrics_compute
 * (every binary metric, ROC and PR AUC included) on them REPS times (default
 * 3) and prints one JSON line: {"rows": N, "ms": MEDIAN, "cpu_ms": MEDIAN,
 * "accuracy": A, "roc_auc": R} (ms: wall time; cpu_ms: the process's CPU time,
 * every thread, steadier on a shared machine). With `cat FILE > /dev/null` this gives the floor
 * that evaluate on the CSV is measured against. Exit 2 on a file it cannot read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modelgate/metrics.h"

static double now_ms(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + 1e-6 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_metrics FILE.csv [REPS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1 || reps > 100)
        reps = 3;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        fprintf(stderr, "bench_metrics: %s: cannot open\n", argv[1]);
        return 2;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *y = malloc(cap);
    double *score = malloc(cap * sizeof *score);
    char line[256];
    if (y == NULL || score == NULL || fgets(line, sizeof line, f) == NULL) { /* header */
        fprintf(stderr, "bench_metrics: %s: empty or out of memory\n", argv[1]);
        return 2;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (n == cap) {
            cap *= 2;
            uint8_t *y2 = realloc(y, cap);
            double *s2 = realloc(score, cap * sizeof *score);
            if (y2 == NULL || s2 == NULL) {
                fprintf(stderr, "bench_metrics: out of memory\n");
                return 2;
            }
            y = y2;
            score = s2;
        }
        char *comma = strchr(line, ',');
        if (comma == NULL || (line[0] != '0' && line[0] != '1')) {
            fprintf(stderr, "bench_metrics: %s: row %zu is not label,score,...\n", argv[1], n + 1);
            return 2;
        }
        y[n] = (uint8_t)(line[0] - '0');
        score[n] = strtod(comma + 1, NULL);
        n++;
    }
    fclose(f);
    double *ms = malloc((size_t)reps * sizeof *ms), *cpu = malloc((size_t)reps * sizeof *cpu);
    if (ms == NULL || cpu == NULL)
        return 2;
    mg_binary_metrics m;
    mg_error err;
    for (int r = 0; r < reps; r++) {
        double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        if (mg_binary_metrics_compute(y, score, NULL, (int64_t)n, 0.5, &m, &err) != MG_OK) {
            fprintf(stderr, "bench_metrics: %s\n", err.text);
            return 2;
        }
        ms[r] = now_ms(CLOCK_MONOTONIC) - t0;
        cpu[r] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
    qsort(cpu, (size_t)reps, sizeof *cpu, cmp_double);
    printf("{\"rows\": %zu, \"ms\": %.1f, \"cpu_ms\": %.1f, \"accuracy\": %.12g, \"roc_auc\": "
           "%.12g}\n",
           n, ms[reps / 2], cpu[reps / 2], m.accuracy.v, m.roc_auc.v);
    free(ms);
    free(cpu);
    free(y);
    free(score);
    return 0;
}
