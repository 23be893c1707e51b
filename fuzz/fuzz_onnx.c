/* fuzz_onnx.c - libFuzzer target: the ONNX decoder and graph compiler on
 * arbitrary bytes, and a prediction when the bytes make a runnable model.
 *
 * Any input must end in a model or an error with a message, never a crash, a
 * read outside the buffer or a leak. The oracle beyond "no crash": a model that
 * opens predicts the same numbers on one thread as on several (rows split into
 * chunks run the whole graph independently), and an error always has a text. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/onnx/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ROWS = 1100 }; /* more than one 512-row chunk, so that threads split it */

static int run(mg_model *m, const double *rows, int nf, int threads, double *out) {
    mg_error err;
    mg_error_clear(&err);
    m->opts.threads = threads;
    mg_status st = m->backend->predict(m, rows, ROWS, nf, out, &err);
    if (st != MG_OK && err.text[0] == '\0')
        abort();
    return st == MG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mg_error err;
    mg_error_clear(&err);
    ox__max_elements = (int64_t)1 << 20;
    (void)mg__onnx_detect(data, size);
    mg_model *m = mg__model_new(&mg__onnx_backend, "fuzz.onnx", NULL);
    if (m == NULL)
        return 0;
    mg_status st = mg__onnx_open(m, "fuzz.onnx", data, size, &err);
    if (st != MG_OK) {
        if (err.text[0] == '\0')
            abort();
        mg_model_free(m);
        return 0;
    }
    int nf = m->info.nfeatures > 0 && m->info.nfeatures <= 64 ? m->info.nfeatures : 4;
    int k = m->info.noutputs > 0 ? m->info.noutputs : 1;
    double *rows = malloc((size_t)ROWS * (size_t)nf * sizeof *rows);
    double *a = malloc((size_t)ROWS * (size_t)k * sizeof *a);
    double *b = malloc((size_t)ROWS * (size_t)k * sizeof *b);
    if (rows != NULL && a != NULL && b != NULL) {
        for (int i = 0; i < ROWS * nf; i++)
            rows[i] = i % 11 == 0 ? NAN : (double)((i * 7) % 13) - 6;
        int ok1 = run(m, rows, nf, 1, a);
        int ok2 = run(m, rows, nf, 3, b);
        if (ok1 != ok2)
            abort();
        for (int i = 0; ok1 && i < ROWS * k; i++)
            if (memcmp(&a[i], &b[i], sizeof(double)) != 0 && !(isnan(a[i]) && isnan(b[i])))
                abort();
    }
    free(rows);
    free(a);
    free(b);
    mg_model_free(m);
    return 0;
}
