/* model_predict.c - a test driver: opens a model through mg_model_open,
 * predicts every row of a test-data file through mg_model_predict, and prints
 * the outputs (one row per line, values with 17 significant digits), so that
 * end-to-end tests can compare any backend with its reference runtime.
 *
 *   model_predict MODEL DATA [LABEL]     LABEL (default "label") is not a feature */
#include "modelgate/latency.h"
#include "modelgate/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: model_predict MODEL DATA [LABEL]\n");
        return 2;
    }
    mg_error err;
    mg_error_clear(&err);
    mg_model *m = NULL;
    mg_table *t = NULL;
    double *rows = NULL, *out = NULL;
    int nf = 0, rc = 2;
    mg_feature_roles roles;
    memset(&roles, 0, sizeof roles);
    roles.label = argc > 3 ? argv[3] : "label";
    if (mg_model_open(argv[1], NULL, &m, &err) != MG_OK ||
        mg_table_read(argv[2], NULL, &t, &err) != MG_OK ||
        mg_latency_rows_from_table(t, m, &roles, &rows, &nf, &err) != MG_OK)
        goto done;
    int k = mg_model_describe(m)->noutputs > 0 ? mg_model_describe(m)->noutputs : 1;
    out = malloc((size_t)t->nrows * (size_t)k * sizeof *out);
    if (out == NULL || mg_model_predict(m, rows, t->nrows, nf, out, &err) != MG_OK)
        goto done;
    for (int64_t r = 0; r < t->nrows; r++)
        for (int c = 0; c < k; c++)
            printf("%.17g%c", out[r * k + c], c + 1 == k ? '\n' : ',');
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "model_predict: %s\n", err.text);
    free(out);
    free(rows);
    mg_table_free(t);
    mg_model_free(m);
    return rc;
}
