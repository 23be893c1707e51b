/* bench_predict.c - times mg_model_predict on rows held in memory: rows per
 * second of a model, and the cost per call at a given batch size. Not a test.
 *
 * cc -O2 -Iinclude bench/models/bench_predict.c build/libmodelgate.so -o bench_predict
 * ./bench_predict MODEL ROWS.f64 NFEATURES BATCH THREADS [MAXROWS] [CHECK.f64] */
#include "modelgate/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: bench_predict MODEL ROWS.f64 NFEATURES BATCH THREADS [MAXROWS] "
                        "[CHECK.f64]\n");
        return 2;
    }
    int nf = (int)strtol(argv[3], NULL, 10);
    long batch = strtol(argv[4], NULL, 10);
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL)
        return 2;
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    long n = bytes / 8 / nf;
    if (argc > 6 && strtol(argv[6], NULL, 10) < n)
        n = strtol(argv[6], NULL, 10);
    double *rows = malloc((size_t)n * (size_t)nf * 8);
    if (rows == NULL || fread(rows, 8, (size_t)n * (size_t)nf, f) != (size_t)n * (size_t)nf)
        return 2;
    fclose(f);
    mg_model_options opts = {.threads = (int)strtol(argv[5], NULL, 10)};
    mg_model *m;
    mg_error err;
    if (mg_model_open(argv[1], &opts, &m, &err) != MG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 2;
    }
    int k = mg_model_describe(m)->noutputs;
    double *out = malloc((size_t)n * (size_t)k * 8);
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        double t = now();
        for (long r0 = 0; r0 < n; r0 += batch) {
            long nr = n - r0 < batch ? n - r0 : batch;
            if (mg_model_predict(m, rows + r0 * nf, nr, nf, out + r0 * k, &err) != MG_OK) {
                fprintf(stderr, "%s\n", err.text);
                return 2;
            }
        }
        t = now() - t;
        best = t < best ? t : best;
    }
    long calls = (n + batch - 1) / batch;
    printf("%s: %ld rows, batch %ld: %.3f s = %.0f rows/s, %.1f us per call\n", argv[1], n, batch,
           best, (double)n / best, best / (double)calls * 1e6);
    if (argc > 7) {
        FILE *c = fopen(argv[7], "rb");
        double worst = 0, v;
        for (long i = 0; c != NULL && i < n && fread(&v, 8, 1, c) == 1; i++)
            worst = fabs(v - out[i]) > worst ? fabs(v - out[i]) : worst;
        if (c != NULL)
            fclose(c);
        printf("  max |modelgate - xgboost| = %g\n", worst);
    }
    mg_model_free(m);
    free(out);
    free(rows);
    return 0;
}
