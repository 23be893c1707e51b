/* rows.c - the request rows of a benchmark: the model's features gathered
 * from the test data into one dense row-major matrix. */
#include "internal.h"
#include "modelgate/latency.h"

#include <math.h>

static bool in_list(const char *name, const char *const *list, int n) {
    for (int i = 0; i < n; i++)
        if (list[i] != NULL && strcmp(list[i], name) == 0)
            return true;
    return false;
}

static bool has_role(const char *name, const mg_feature_roles *r) {
    if (r == NULL)
        return false;
    return (r->label && strcmp(r->label, name) == 0) ||
           (r->weight && strcmp(r->weight, name) == 0) || (r->id && strcmp(r->id, name) == 0) ||
           in_list(name, r->protected_attrs, r->nprotected) || in_list(name, r->ignore, r->nignore);
}

mg_status mg_latency_rows_from_table(const mg_table *t, const mg_model *model,
                                     const mg_feature_roles *roles, double **rows_out, int *nf_out,
                                     mg_error *err) {
    *rows_out = NULL;
    *nf_out = 0;
    const mg_model_info *info = mg_model_describe(model);
    if (t->nrows < 1)
        return mg__fail(err, MG_ERR_DATA, "%s: no rows to send as requests", t->source);
    int cap = info->feature_names != NULL ? info->nfeatures : t->ncols;
    int *idx = mg__malloc_array((size_t)(cap > 0 ? cap : 1), sizeof *idx);
    if (idx == NULL)
        return mg__nomem(err, "feature indexes");
    int n = 0;
    mg_status st = MG_OK;
    if (info->feature_names != NULL) {
        for (int f = 0; f < info->nfeatures && st == MG_OK; f++) {
            idx[n++] = mg_table_column_index(t, info->feature_names[f]);
            if (idx[n - 1] < 0)
                st = mg__fail(err, MG_ERR_DATA,
                              "%s: the model needs feature '%s', which the test data does not have",
                              t->source, info->feature_names[f]);
        }
    } else {
        for (int c = 0; c < t->ncols; c++)
            if (!has_role(t->cols[c].name, roles))
                idx[n++] = c;
        if (info->nfeatures >= 0 && n != info->nfeatures)
            st = mg__fail(err, MG_ERR_DATA,
                          "%s: the model expects %d features but the test data has %d feature "
                          "columns (all but label, weight, id and --ignore)",
                          t->source, info->nfeatures, n);
    }
    for (int f = 0; f < n && st == MG_OK; f++)
        if (t->cols[idx[f]].type == MG_TYPE_STR)
            st = mg__fail(err, MG_ERR_DATA,
                          "%s: column '%s' holds strings but the model takes numbers; encode it "
                          "or list it in --ignore",
                          t->source, t->cols[idx[f]].name);
    double *rows = NULL;
    if (st == MG_OK) {
        rows = mg__malloc_array((size_t)t->nrows * (size_t)(n > 0 ? n : 1), sizeof *rows);
        if (rows == NULL)
            st = mg__nomem(err, "the request rows");
    }
    for (int f = 0; st == MG_OK && f < n; f++) {
        const mg_column *col = &t->cols[idx[f]];
        for (int64_t r = 0; r < t->nrows; r++) {
            double v;
            if (mg_column_number(col, r, &v) != 0)
                v = NAN;
            rows[r * n + f] = v;
        }
    }
    free(idx);
    if (st != MG_OK) {
        free(rows);
        return st;
    }
    *rows_out = rows;
    *nf_out = n;
    return MG_OK;
}
