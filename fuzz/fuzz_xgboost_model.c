/* fuzz_xgboost_model.c - libFuzzer target: the XGBoost model check and loader
 * on arbitrary bytes.
 *
 * The structure check runs on every input as JSON, UBJSON and legacy binary
 * alike (it must end in OK or an error with a message, never a crash, a read
 * outside the buffer, a leak or a large allocation). The oracle beyond that:
 * whatever modelgate accepts, libxgboost must load and predict with, on rows
 * of zeros, NaNs and mixed values, without crashing or hanging - which is what
 * the check is for. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/backend.h"
#include "model/xgboost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FEATURES 4096
#define FUZZ_MAX_OUTPUTS 1024
#define FUZZ_ROWS 3

static void check_any(const uint8_t *data, size_t size, mg__xgb_format fmt) {
    mg_error err;
    memset(&err, 0, sizeof err);
    if (mg__xgb_check_structure("fuzz", data, size, fmt, &err) != MG_OK && err.text[0] == '\0')
        abort(); /* a refusal says why */
}

static void load_and_predict(const uint8_t *data, size_t size, mg__xgb_format fmt) {
    mg_model_options opts;
    memset(&opts, 0, sizeof opts);
    opts.threads = 1;
    mg_model *m = mg__model_new(&mg__xgboost_backend, "fuzz", &opts);
    if (m == NULL)
        return;
    mg_error err;
    memset(&err, 0, sizeof err);
    if (mg__xgboost_open(m, "fuzz", data, size, (int)fmt, &err) != MG_OK) {
        if (err.text[0] == '\0')
            abort();
        mg_model_free(m);
        return;
    }
    const mg_model_info *info = mg_model_describe(m);
    int nf = info->nfeatures, k = info->noutputs;
    if (nf >= 0 && nf <= FUZZ_MAX_FEATURES && k >= 1 && k <= FUZZ_MAX_OUTPUTS) {
        double *rows = calloc((size_t)FUZZ_ROWS * (size_t)(nf > 0 ? nf : 1), sizeof *rows);
        double *out = calloc((size_t)FUZZ_ROWS * (size_t)k, sizeof *out);
        if (rows != NULL && out != NULL) {
            for (int j = 0; j < nf; j++) {
                rows[nf + j] = NAN;
                rows[2 * nf + j] = (j % 3 == 0) ? -1e30 : (double)j * 0.5;
            }
            if (m->backend->predict(m, rows, FUZZ_ROWS, nf, out, &err) != MG_OK && err.text[0] == '\0')
                abort();
        }
        free(rows);
        free(out);
    }
    mg_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_any(data, size, MG__XGB_JSON);
    check_any(data, size, MG__XGB_UBJ);
    check_any(data, size, MG__XGB_BINARY);
    mg__xgb_format fmt = mg__xgb_detect(data, size);
    if (fmt != MG__XGB_NONE)
        load_and_predict(data, size, fmt);
    return 0;
}
