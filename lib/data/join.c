/* join.c - attach a separate predictions file to the test data, by row order
 * or by an id column. */
#include "internal.h"

#include <inttypes.h>

/* Key text of row i of an id column (strings verbatim, numbers formatted). */
static const char *key_of(const mg_column *col, int64_t i, char *buf, size_t cap) {
    if (mg_column_is_null(col, i))
        return NULL;
    return mg_column_format(col, i, buf, cap);
}

typedef struct key_index {
    int64_t *slot; /* row + 1, 0 = empty */
    size_t cap;
} key_index;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static mg_status copy_column(mg_column *dst, const mg_column *src, const int64_t *rows, int64_t n,
                             mg_error *err) {
    MG_TRY(mg__column_init(dst, src->name, src->type, n, err));
    if (src->type == MG_TYPE_STR) {
        dst->dict = mg__calloc((size_t)(src->ndict > 0 ? src->ndict : 1), sizeof(char *));
        if (dst->dict == NULL)
            return mg__nomem(err, "a dictionary");
        for (int32_t k = 0; k < src->ndict; k++) {
            dst->dict[k] = mg__strdup(src->dict[k]);
            if (dst->dict[k] == NULL)
                return mg__nomem(err, "a dictionary");
            dst->ndict = k + 1;
        }
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t r = rows ? rows[i] : i;
        if (mg_column_is_null(src, r)) {
            MG_TRY(mg__column_set_null(dst, i, err));
            continue;
        }
        switch (src->type) {
        case MG_TYPE_F64: dst->f64[i] = src->f64[r]; break;
        case MG_TYPE_I64: dst->i64[i] = src->i64[r]; break;
        case MG_TYPE_BOOL: dst->b[i] = src->b[r]; break;
        case MG_TYPE_STR: dst->codes[i] = src->codes[r]; break;
        }
    }
    return MG_OK;
}

mg_status mg_table_attach(mg_table *base, const mg_table *extra, const char *id, mg_error *err) {
    int64_t n = base->nrows;
    int64_t *rows = NULL;
    const mg_column *extra_id = NULL;
    if (id == NULL) {
        if (extra->nrows != n)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: has %lld rows but the test data %s has %lld; pair them by an id "
                            "column with --id",
                            extra->source, (long long)extra->nrows, base->source, (long long)n);
    } else {
        const mg_column *base_id = mg_table_column(base, id);
        extra_id = mg_table_column(extra, id);
        if (base_id == NULL || extra_id == NULL)
            return mg__fail(err, MG_ERR_DATA, "%s: no id column '%s'",
                            base_id == NULL ? base->source : extra->source, id);
        key_index ix = {0};
        ix.cap = 16;
        while (ix.cap < (size_t)extra->nrows * 2)
            ix.cap *= 2;
        ix.slot = mg__calloc(ix.cap, sizeof *ix.slot);
        rows = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *rows);
        if (ix.slot == NULL || rows == NULL) {
            free(ix.slot);
            free(rows);
            return mg__nomem(err, "an id index");
        }
        char a[256], b[256];
        mg_status st = MG_OK;
        for (int64_t r = 0; r < extra->nrows && st == MG_OK; r++) {
            const char *k = key_of(extra_id, r, a, sizeof a);
            if (k == NULL) {
                st = mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': id is missing",
                              extra->source, (long long)r + 1, id);
                break;
            }
            size_t h = (size_t)hash_str(k) & (ix.cap - 1);
            while (ix.slot[h] != 0) {
                if (strcmp(key_of(extra_id, ix.slot[h] - 1, b, sizeof b), k) == 0) {
                    st = mg__fail(err, MG_ERR_DATA,
                                  "%s: row %lld, column '%s': id '%s' appears "
                                  "twice",
                                  extra->source, (long long)r + 1, id, k);
                    break;
                }
                h = (h + 1) & (ix.cap - 1);
            }
            ix.slot[h] = r + 1;
        }
        for (int64_t r = 0; r < n && st == MG_OK; r++) {
            const char *k = key_of(base_id, r, a, sizeof a);
            if (k == NULL) {
                st = mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': id is missing",
                              base->source, (long long)r + 1, id);
                break;
            }
            size_t h = (size_t)hash_str(k) & (ix.cap - 1);
            rows[r] = -1;
            while (ix.slot[h] != 0) {
                if (strcmp(key_of(extra_id, ix.slot[h] - 1, b, sizeof b), k) == 0) {
                    rows[r] = ix.slot[h] - 1;
                    break;
                }
                h = (h + 1) & (ix.cap - 1);
            }
            if (rows[r] < 0)
                st = mg__fail(err, MG_ERR_DATA, "%s: row %lld: id '%s' has no prediction in %s",
                              base->source, (long long)r + 1, k, extra->source);
        }
        free(ix.slot);
        if (st != MG_OK) {
            free(rows);
            return st;
        }
    }
    int add = 0;
    for (int c = 0; c < extra->ncols; c++) {
        if (&extra->cols[c] == extra_id)
            continue;
        if (mg_table_column(base, extra->cols[c].name) != NULL) {
            free(rows);
            return mg__fail(err, MG_ERR_DATA, "%s: column '%s' is also in the test data %s",
                            extra->source, extra->cols[c].name, base->source);
        }
        add++;
    }
    mg_column *cols = mg__realloc_array(base->cols, (size_t)(base->ncols + add), sizeof *cols);
    if (cols == NULL) {
        free(rows);
        return mg__nomem(err, "columns");
    }
    base->cols = cols;
    mg_status st = MG_OK;
    for (int c = 0; c < extra->ncols && st == MG_OK; c++) {
        if (&extra->cols[c] == extra_id)
            continue;
        st = copy_column(&base->cols[base->ncols], &extra->cols[c], rows, n, err);
        base->ncols++;
    }
    free(rows);
    return st;
}
