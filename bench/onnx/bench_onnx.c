/* bench_onnx.c - modelgate side of the ONNX benchmark (not a test): single-row
 * latency of mg_model_predict on one thread, batch throughput on THREADS
 * threads, and the largest difference from ONNX Runtime's outputs.
 *
 * cc -O2 -Iinclude bench/onnx/bench_onnx.c build/libmodelgate.so -lm -o bench_onnx
 * ./bench_onnx DIR ROWS THREADS SAMPLES   (DIR from make_model.py; ort_p1.f32 optional) */
#include "modelgate/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { F = 20 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void *slurp(const char *dir, const char *name, size_t bytes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    void *p = malloc(bytes);
    if (p != NULL && fread(p, 1, bytes, f) != bytes) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: bench_onnx DIR ROWS THREADS SAMPLES\n");
        return 2;
    }
    const char *dir = argv[1];
    long n = strtol(argv[2], NULL, 10), s = strtol(argv[4], NULL, 10);
    int threads = (int)strtol(argv[3], NULL, 10);
    double *x = slurp(dir, "X.f64", (size_t)n * F * sizeof(double));
    float *ort = slurp(dir, "ort_p1.f32", (size_t)n * sizeof(float));
    double *out = malloc((size_t)n * sizeof(double));
    double *t = malloc((size_t)s * sizeof(double));
    char path[4096];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    mg_error err;
    mg_error_clear(&err);
    mg_model_options o1 = {0}, ot = {0};
    o1.threads = 1;
    ot.threads = threads;
    mg_model *m1 = NULL, *mt = NULL;
    if (x == NULL || out == NULL || t == NULL || mg_model_open(path, &o1, &m1, &err) != MG_OK ||
        mg_model_open(path, &ot, &mt, &err) != MG_OK) {
        fprintf(stderr, "bench_onnx: %s\n", err.text[0] ? err.text : "cannot read the inputs");
        return 2;
    }
    double v;
    for (long i = 0; i < 200; i++)
        mg_model_predict(m1, x + (i % n) * F, 1, F, &v, &err);
    for (long i = 0; i < s; i++) {
        double t0 = now();
        mg_model_predict(m1, x + (i % n) * F, 1, F, &v, &err);
        t[i] = (now() - t0) * 1e6;
    }
    qsort(t, (size_t)s, sizeof *t, cmp);
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        for (long r0 = 0; r0 < n; r0 += 65536) {
            long nr = n - r0 < 65536 ? n - r0 : 65536;
            if (mg_model_predict(mt, x + r0 * F, nr, F, out + r0, &err) != MG_OK) {
                fprintf(stderr, "bench_onnx: %s\n", err.text);
                return 2;
            }
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    double maxdiff = -1;
    for (long i = 0; ort != NULL && i < n; i++) {
        double d = fabs(out[i] - (double)ort[i]);
        maxdiff = d > maxdiff ? d : maxdiff;
    }
    printf("{\"runtime\": \"modelgate\", \"single_row_p50_us\": %.3f, \"single_row_p99_us\": %.3f, "
           "\"batch_rows_per_s\": %.0f, \"threads\": %d, \"max_abs_diff_vs_ort\": %.3g}\n",
           t[s / 2], t[(long)(s * 0.99)], (double)n / best, threads, maxdiff);
    mg_model_free(m1);
    mg_model_free(mt);
    free(x);
    free(ort);
    free(out);
    free(t);
    return 0;
}
