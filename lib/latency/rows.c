/* rows.c - the request rows of a benchmark: the model's features gathered
 * from the test data into one dense row-major matrix. */
#include "internal.h"
#include "modelgate/latency.h"

mg_status mg_latency_rows_from_table(const mg_table *t, const mg_model *model,
                                     const mg_feature_roles *roles, double **rows_out, int *nf_out,
                                     mg_error *err) {
    *rows_out = NULL;
    *nf_out = 0;
    if (t->nrows < 1)
        return mg__fail(err, MG_ERR_DATA, "%s: no rows to send as requests", t->source);
    return mg_model_feature_rows(model, t, roles, rows_out, nf_out, err);
}
