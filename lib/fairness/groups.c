/* groups.c - turns protected attribute columns into row-to-group indexes:
 * one group per distinct value (sorted), nulls as a group of their own, and
 * the combination of several attributes for intersectional groups. */
#include "fairness/fairness_internal.h"

void mg__fair_values_free(char **values, int nparts) {
    if (values == NULL)
        return;
    for (int p = 0; p < nparts; p++)
        free(values[p]);
    free(values);
}

void mg__fair_index_release(mg__fair_index *ix) {
    free(ix->gid);
    if (ix->names != NULL)
        for (int g = 0; g < ix->ngroups; g++)
            free(ix->names[g]);
    free(ix->names);
    if (ix->values != NULL)
        for (int g = 0; g < ix->ngroups; g++)
            mg__fair_values_free(ix->values[g], ix->nparts);
    free(ix->values);
    memset(ix, 0, sizeof *ix);
}

/* Sorting dictionary codes by their strings. */
typedef struct code_sort {
    char **dict;
} code_sort;
static _Thread_local const code_sort *sort_ctx;

static int cmp_code(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return strcmp(sort_ctx->dict[x], sort_ctx->dict[y]);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Names the groups 0..k-1 and appends the null group when the column has
 * nulls; returns the null group's index through *null_gid. */
static mg_status alloc_names(mg__fair_index *ix, int64_t k, bool has_null, int64_t max_groups,
                             const char *attr, mg_error *err) {
    int64_t groups = k + (has_null ? 1 : 0);
    if (max_groups > 0 && groups > max_groups)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "protected attribute '%s' has %" PRId64 " distinct groups, more than "
                        "the cap of %" PRId64 " (--max-groups; see docs/security.md)",
                        attr, groups, max_groups);
    if (groups > INT32_MAX - 1)
        return mg__fail(err, MG_ERR_UNSUPPORTED, "protected attribute '%s' has too many groups",
                        attr);
    ix->ngroups = (int)groups;
    ix->names = mg__calloc((size_t)(ix->ngroups > 0 ? ix->ngroups : 1), sizeof *ix->names);
    ix->values = mg__calloc((size_t)(ix->ngroups > 0 ? ix->ngroups : 1), sizeof *ix->values);
    if (ix->names == NULL || ix->values == NULL)
        return mg__nomem(err, "the group names");
    if (has_null && (ix->names[k] = mg__strdup(MG_FAIRNESS_NULL_GROUP)) == NULL)
        return mg__nomem(err, "the group names");
    return MG_OK;
}

static mg_status index_strings(const mg_column *col, int64_t max_groups, mg__fair_index *ix,
                               mg_error *err) {
    int32_t k = col->ndict;
    if (max_groups > 0 && (int64_t)k + (col->null_count > 0) > max_groups)
        return alloc_names(ix, k, col->null_count > 0, max_groups, col->name, err);
    int32_t *order = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *order);
    int32_t *rank = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *rank);
    if (order == NULL || rank == NULL) {
        free(order);
        free(rank);
        return mg__nomem(err, "the group index");
    }
    for (int32_t c = 0; c < k; c++)
        order[c] = c;
    code_sort ctx = {col->dict};
    sort_ctx = &ctx;
    qsort(order, (size_t)k, sizeof *order, cmp_code);
    for (int32_t r = 0; r < k; r++)
        rank[order[r]] = r;
    mg_status st = alloc_names(ix, k, col->null_count > 0, max_groups, col->name, err);
    for (int32_t r = 0; r < k && st == MG_OK; r++)
        if ((ix->names[r] = mg__strdup(col->dict[order[r]])) == NULL)
            st = mg__nomem(err, "the group names");
    for (int64_t i = 0; i < col->nrows && st == MG_OK; i++)
        ix->gid[i] = mg_column_is_null(col, i) ? k : rank[col->codes[i]];
    free(order);
    free(rank);
    return st;
}

static int64_t *find_i64(const int64_t *vals, int64_t k, int64_t v) {
    return bsearch(&v, vals, (size_t)k, sizeof *vals, cmp_i64);
}

static mg_status index_ints(const mg_column *col, int64_t max_groups, mg__fair_index *ix,
                            mg_error *err) {
    size_t n = (size_t)col->nrows;
    int64_t *vals = mg__malloc_array(n > 0 ? n : 1, sizeof *vals);
    if (vals == NULL)
        return mg__nomem(err, "the group index");
    int64_t k = 0;
    for (int64_t i = 0; i < col->nrows; i++)
        if (!mg_column_is_null(col, i))
            vals[k++] = col->i64[i];
    qsort(vals, (size_t)k, sizeof *vals, cmp_i64);
    int64_t u = 0;
    for (int64_t i = 0; i < k; i++)
        if (u == 0 || vals[u - 1] != vals[i])
            vals[u++] = vals[i];
    mg_status st = MG_OK;
    if (u > INT32_MAX - 1)
        st = mg__fail(err, MG_ERR_DATA, "protected attribute '%s' has too many distinct values",
                      col->name);
    if (st == MG_OK)
        st = alloc_names(ix, u, col->null_count > 0, max_groups, col->name, err);
    for (int64_t r = 0; r < u && st == MG_OK; r++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, vals[r]);
        if ((ix->names[r] = mg__strdup(buf)) == NULL)
            st = mg__nomem(err, "the group names");
    }
    for (int64_t i = 0; i < col->nrows && st == MG_OK; i++)
        ix->gid[i] = mg_column_is_null(col, i) ? (int32_t)u
                                               : (int32_t)(find_i64(vals, u, col->i64[i]) - vals);
    free(vals);
    return st;
}

static mg_status index_bools(const mg_column *col, mg__fair_index *ix, mg_error *err) {
    bool seen[2] = {false, false};
    for (int64_t i = 0; i < col->nrows; i++)
        if (!mg_column_is_null(col, i))
            seen[col->b[i] != 0] = true;
    int rank[2], k = 0;
    for (int v = 0; v < 2; v++)
        rank[v] = seen[v] ? k++ : -1;
    MG_TRY(alloc_names(ix, k, col->null_count > 0, 0, col->name, err));
    for (int v = 0; v < 2; v++)
        if (seen[v] && (ix->names[rank[v]] = mg__strdup(v ? "true" : "false")) == NULL)
            return mg__nomem(err, "the group names");
    for (int64_t i = 0; i < col->nrows; i++)
        ix->gid[i] = mg_column_is_null(col, i) ? k : rank[col->b[i] != 0];
    return MG_OK;
}

/* One value per group of a single column: its name, or NULL for the missing
 * group (the last, when the column has nulls). */
static mg_status single_values(const mg_column *col, mg__fair_index *ix, mg_error *err) {
    ix->nparts = 1;
    for (int g = 0; g < ix->ngroups; g++) {
        bool missing = col->null_count > 0 && g == ix->ngroups - 1;
        ix->values[g] = mg__calloc(1, sizeof *ix->values[g]);
        if (ix->values[g] == NULL ||
            (!missing && (ix->values[g][0] = mg__strdup(ix->names[g])) == NULL))
            return mg__nomem(err, "the group values");
    }
    return MG_OK;
}

mg_status mg__fair_index_column(const mg_column *col, int64_t max_groups, mg__fair_index *out,
                                mg_error *err) {
    memset(out, 0, sizeof *out);
    if (col->type == MG_TYPE_F64)
        return mg__fail(err, MG_ERR_DATA,
                        "protected attribute '%s' holds floating-point numbers; expected "
                        "strings, integers or booleans (bin it into groups first)",
                        col->name);
    out->gid = mg__malloc_array((size_t)(col->nrows > 0 ? col->nrows : 1), sizeof *out->gid);
    if (out->gid == NULL)
        return mg__nomem(err, "the group index");
    mg_status st;
    switch (col->type) {
    case MG_TYPE_STR: st = index_strings(col, max_groups, out, err); break;
    case MG_TYPE_I64: st = index_ints(col, max_groups, out, err); break;
    default: st = index_bools(col, out, err); break;
    }
    if (st == MG_OK)
        st = single_values(col, out, err);
    if (st != MG_OK)
        mg__fair_index_release(out);
    return st;
}

mg_status mg__fair_index_combine(const mg__fair_index *parts, int nparts, int64_t nrows,
                                 int64_t max_groups, const char *attr, mg__fair_index *out,
                                 mg_error *err) {
    memset(out, 0, sizeof *out);
    size_t n = (size_t)(nrows > 0 ? nrows : 1);
    /* Mixed-radix keys keep the lexicographic order of the parts' groups. */
    int64_t *key = mg__malloc_array(n, sizeof *key);
    int64_t *uniq = mg__malloc_array(n, sizeof *uniq);
    out->gid = mg__malloc_array(n, sizeof *out->gid);
    mg_status st = MG_OK;
    if (key == NULL || uniq == NULL || out->gid == NULL)
        st = mg__nomem(err, "the intersectional groups");
    double space = 1;
    for (int p = 0; p < nparts; p++)
        space *= parts[p].ngroups;
    if (st == MG_OK && space > 9e18)
        st =
            mg__fail(err, MG_ERR_DATA, "too many intersectional groups (%.0f combinations)", space);
    int64_t u = 0;
    if (st == MG_OK) {
        for (int64_t i = 0; i < nrows; i++) {
            int64_t k = 0;
            for (int p = 0; p < nparts; p++)
                k = k * parts[p].ngroups + parts[p].gid[i];
            key[i] = uniq[i] = k;
        }
        qsort(uniq, (size_t)nrows, sizeof *uniq, cmp_i64);
        for (int64_t i = 0; i < nrows; i++)
            if (u == 0 || uniq[u - 1] != uniq[i])
                uniq[u++] = uniq[i];
        if (u > INT32_MAX - 1)
            st = mg__fail(err, MG_ERR_DATA, "too many intersectional groups");
    }
    if (st == MG_OK)
        st = alloc_names(out, u, false, max_groups, attr, err);
    out->nparts = nparts;
    for (int64_t r = 0; r < u && st == MG_OK; r++) {
        mg__buf name = {0};
        int64_t k = uniq[r], digit[64];
        for (int p = nparts - 1; p >= 0; p--) {
            digit[p] = k % parts[p].ngroups;
            k /= parts[p].ngroups;
        }
        for (int p = 0; p < nparts; p++) {
            if (p > 0)
                mg__buf_puts(&name, "|");
            mg__buf_puts(&name, parts[p].names[digit[p]]);
        }
        if ((out->names[r] = mg__buf_detach(&name)) == NULL)
            st = mg__nomem(err, "the group names");
        if (st == MG_OK && (out->values[r] = mg__calloc((size_t)nparts, sizeof(char *))) == NULL)
            st = mg__nomem(err, "the group values");
        for (int p = 0; p < nparts && st == MG_OK; p++) {
            const char *v = parts[p].values[digit[p]][0];
            if (v != NULL && (out->values[r][p] = mg__strdup(v)) == NULL)
                st = mg__nomem(err, "the group values");
        }
    }
    for (int64_t i = 0; i < nrows && st == MG_OK; i++)
        out->gid[i] = (int32_t)(find_i64(uniq, u, key[i]) - uniq);
    free(key);
    free(uniq);
    if (st != MG_OK)
        mg__fair_index_release(out);
    return st;
}
