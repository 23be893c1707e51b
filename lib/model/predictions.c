/* predictions.c - the "predictions" backend: column:NAME and columns:A,B,C
 * name test-data columns that already hold the model's outputs. */
#include "model/backend.h"

#include <math.h>

const mg__backend mg__predictions_backend = {"predictions", 0, NULL, NULL, NULL, NULL};

mg_status mg__predictions_open(const char *arg, mg_model *m, mg_error *err) {
    bool multi = strncmp(arg, "columns:", 8) == 0;
    const char *p = arg + (multi ? 8 : 7);
    int n = 0;
    char **cols = NULL;
    for (;;) {
        const char *comma = multi ? strchr(p, ',') : NULL;
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0)
            break;
        char **grown = mg__realloc_array(cols, (size_t)n + 1, sizeof *cols);
        if (grown == NULL)
            goto nomem;
        cols = grown;
        cols[n] = mg__strndup(p, len);
        if (cols[n] == NULL)
            goto nomem;
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    m->info.output_columns = cols;
    m->info.noutput_columns = n;
    if (n == 0 || (multi && *p == '\0' && n > 0 && p[-1] == ','))
        return mg__fail(err, MG_ERR_USAGE, "model %s: expected a column name after '%s'", arg,
                        multi ? "columns:" : "column:");
    if (multi && n < 2)
        return mg__fail(err, MG_ERR_USAGE,
                        "model %s: columns: needs one probability column per class (two or "
                        "more); use column:NAME for a single score",
                        arg);
    m->info.noutputs = n;
    m->info.kind = multi ? MG_OUTPUT_CLASS_PROBS : MG_OUTPUT_UNKNOWN;
    if (multi) {
        m->info.class_labels = mg__calloc((size_t)n, sizeof(char *));
        if (m->info.class_labels == NULL)
            return mg__nomem(err, "class labels");
        m->info.nclass_labels = n;
        for (int c = 0; c < n; c++) {
            /* A column named p_cat or proba_cat is class "cat"; else the column name. */
            const char *name = cols[c];
            const char *us = strchr(name, '_');
            m->info.class_labels[c] = mg__strdup(us && us[1] ? us + 1 : name);
            if (m->info.class_labels[c] == NULL)
                return mg__nomem(err, "class labels");
        }
    }
    return MG_OK;
nomem:
    m->info.output_columns = cols;
    m->info.noutput_columns = n;
    return mg__nomem(err, "column names");
}

mg_status mg__predictions_table(mg_model *m, const mg_table *t, double **out, mg_error *err) {
    int k = m->info.noutput_columns;
    double *res = mg__malloc_array((size_t)(t->nrows > 0 ? t->nrows : 1) * (size_t)k, sizeof *res);
    if (res == NULL)
        return mg__nomem(err, "predictions");
    for (int c = 0; c < k; c++) {
        const mg_column *col = mg_table_column(t, m->info.output_columns[c]);
        if (col == NULL) {
            free(res);
            return mg__fail(err, MG_ERR_DATA, "%s: no column '%s' (named by model %s)", t->source,
                            m->info.output_columns[c], m->arg);
        }
        if (col->type == MG_TYPE_STR) {
            free(res);
            return mg__fail(err, MG_ERR_DATA,
                            "%s: column '%s' holds strings, expected numeric scores", t->source,
                            col->name);
        }
        for (int64_t r = 0; r < t->nrows; r++) {
            double v;
            if (mg_column_number(col, r, &v) != 0) {
                free(res);
                return mg__fail(err, MG_ERR_DATA,
                                "%s: row %lld, column '%s': score is missing "
                                "(empty, NA or NaN)",
                                t->source, (long long)r + 1, col->name);
            }
            res[r * k + c] = v;
        }
    }
    *out = res;
    return MG_OK;
}
