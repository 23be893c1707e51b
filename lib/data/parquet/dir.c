/* dir.c - a directory of Parquet part files (Spark, Hive, Dask output) read
 * as one table: parts sorted by name, one schema, dictionaries merged. */
#include "data/data.h"
#include "data/parquet/pq.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A part file: *.parquet, or any regular file starting with PAR1; never the
 * markers and checksums writers leave beside them (_SUCCESS, .crc, hidden). */
static bool is_part(const char *dir, const char *name) {
    if (name[0] == '.' || name[0] == '_' || ends_with(name, ".crc"))
        return false;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return false;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    if (ends_with(name, ".parquet"))
        return true;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char magic[4];
    bool par = fread(magic, 1, 4, f) == 4 && memcmp(magic, "PAR1", 4) == 0;
    fclose(f);
    return par;
}

static mg_status list_parts(const char *dir, char ***names, int *n, mg_error *err) {
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return mg__fail(err, MG_ERR_IO, "%s: cannot open the directory: %s", dir, strerror(errno));
    int cap = 0;
    mg_status st = MG_OK;
    struct dirent *e;
    while (st == MG_OK && (e = readdir(d)) != NULL) {
        if (!is_part(dir, e->d_name))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = mg__realloc_array(*names, (size_t)cap, sizeof *p);
            if (p == NULL) {
                st = mg__nomem(err, "the part file list");
                break;
            }
            *names = p;
        }
        if (((*names)[*n] = mg__strdup(e->d_name)) == NULL)
            st = mg__nomem(err, "the part file list");
        else
            (*n)++;
    }
    closedir(d);
    if (st == MG_OK && *n == 0)
        st = mg__fail(err, MG_ERR_DATA,
                      "%s: the directory holds no Parquet part files (*.parquet or files "
                      "starting with PAR1)",
                      dir);
    if (st == MG_OK)
        qsort(*names, (size_t)*n, sizeof **names, by_name);
    return st;
}

static size_t elem_size(mg_type t) {
    return t == MG_TYPE_BOOL ? 1 : t == MG_TYPE_STR ? 4 : 8;
}

static void *values_of(mg_column *c) {
    switch (c->type) {
    case MG_TYPE_F64: return c->f64;
    case MG_TYPE_I64: return c->i64;
    case MG_TYPE_BOOL: return c->b;
    case MG_TYPE_STR: return c->codes;
    }
    return NULL;
}

/* Appends the rows of `part` to column `dst` at row0, re-coding strings
 * through the pool that becomes dst's dictionary. */
static mg_status append_column(mg_column *dst, pq_pool *pool, mg_column *src, int64_t row0,
                               mg_error *err) {
    size_t e = elem_size(src->type);
    if (src->nrows > 0)
        memcpy((uint8_t *)values_of(dst) + (size_t)row0 * e, values_of(src),
               (size_t)src->nrows * e);
    for (int64_t i = 0; i < src->nrows; i++)
        if (mg_column_is_null(src, i))
            MG_TRY(mg__column_set_null(dst, row0 + i, err));
    if (src->type != MG_TYPE_STR)
        return MG_OK;
    int32_t *remap = mg__malloc_array(src->ndict ? (size_t)src->ndict : 1, sizeof *remap);
    if (remap == NULL)
        return mg__nomem(err, "a string dictionary");
    mg_status st = MG_OK;
    for (int32_t k = 0; k < src->ndict && st == MG_OK; k++) {
        remap[k] = mg__pq_pool_intern(pool, (const uint8_t *)src->dict[k], strlen(src->dict[k]));
        if (remap[k] < 0)
            st = mg__nomem(err, "a string dictionary");
    }
    for (int64_t i = 0; st == MG_OK && i < src->nrows; i++)
        if (!mg_column_is_null(src, i))
            dst->codes[row0 + i] = remap[src->codes[i]];
    free(remap);
    return st;
}

static mg_status concat(const char *dir, char **names, mg_table **parts, int nparts, mg_table *t,
                        mg_error *err) {
    const mg_table *first = parts[0];
    int64_t rows = 0;
    for (int k = 0; k < nparts; k++) {
        const mg_table *p = parts[k];
        if (p->ncols != first->ncols)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: part file '%s' has %d columns, '%s' has %d (one schema needed)",
                            dir, names[k], p->ncols, names[0], first->ncols);
        for (int c = 0; c < p->ncols; c++)
            if (strcmp(p->cols[c].name, first->cols[c].name) != 0 ||
                p->cols[c].type != first->cols[c].type)
                return mg__fail(err, MG_ERR_DATA,
                                "%s: part file '%s': column %d is '%s' (%s), in '%s' it is '%s' "
                                "(%s) (one schema needed)",
                                dir, names[k], c + 1, p->cols[c].name,
                                mg_type_name(p->cols[c].type), names[0], first->cols[c].name,
                                mg_type_name(first->cols[c].type));
        rows += p->nrows;
    }
    t->nrows = rows;
    t->cols = mg__calloc(first->ncols ? (size_t)first->ncols : 1, sizeof *t->cols);
    if (t->cols == NULL)
        return mg__nomem(err, "table columns");
    for (int c = 0; c < first->ncols; c++) {
        mg_column *col = &t->cols[c];
        MG_TRY(mg__column_init(col, first->cols[c].name, first->cols[c].type, rows, err));
        t->ncols = c + 1;
        pq_pool pool = {0};
        int64_t row0 = 0;
        mg_status st = MG_OK;
        for (int k = 0; k < nparts && st == MG_OK; k++) {
            st = append_column(col, &pool, &parts[k]->cols[c], row0, err);
            row0 += parts[k]->nrows;
        }
        if (st == MG_OK && pool.n > 0) {
            col->dict = mg__calloc((size_t)pool.n, sizeof *col->dict);
            for (int32_t j = 0; col->dict != NULL && j < pool.n; j++) {
                col->dict[j] = mg__strdup(pool.bytes.data + pool.off[j]);
                col->ndict = j + 1;
                if (col->dict[j] == NULL)
                    break;
            }
            if (col->dict == NULL || col->ndict != pool.n || col->dict[pool.n - 1] == NULL)
                st = mg__nomem(err, "a string dictionary");
        }
        mg__pq_pool_release(&pool);
        MG_TRY(st);
    }
    return MG_OK;
}

mg_status mg__parquet_read_dir(const char *dir, const mg_read_options *opts, mg_table **out,
                               mg_error *err) {
    *out = NULL;
    char **names;
    int n;
    MG_TRY(list_parts(dir, &names, &n, err));
    mg_table **parts = mg__calloc((size_t)n, sizeof *parts);
    mg_status st = parts == NULL ? mg__nomem(err, "part tables") : MG_OK;
    mg_read_options part_opts = *opts;
    part_opts.progress = NULL; /* the folder reports whole parts */
    mg__progress progress;
    mg__progress_init(&progress, opts->progress, opts->progress_ctx, n);
    for (int k = 0; st == MG_OK && k < n; k++) {
        mg__buf path = {0};
        mg__buf_printf(&path, "%s/%s", dir, names[k]);
        if (path.failed) {
            st = mg__nomem(err, "a path");
            break;
        }
        mg__file f;
        st = mg__file_map_capped(path.data, opts->max_input_bytes, &f, err);
        if (st == MG_OK) {
            st = mg__parquet_read_buffer(f.data, f.size, path.data, &part_opts, &parts[k], err);
            mg__file_unmap(&f);
            mg__progress_add(&progress, 1);
        }
        mg__buf_release(&path);
    }
    mg_table *t = NULL;
    if (st == MG_OK) {
        t = mg__calloc(1, sizeof *t);
        if (t == NULL || (t->source = mg__strdup(dir)) == NULL)
            st = mg__nomem(err, "a table");
    }
    if (st == MG_OK)
        st = concat(dir, names, parts, n, t, err);
    if (st == MG_OK)
        mg__progress_done(&progress);
    if (st == MG_OK) {
        *out = t;
        t = NULL;
    }
    mg_table_free(t);
    for (int k = 0; k < n; k++) {
        if (parts != NULL)
            mg_table_free(parts[k]);
        free(names[k]);
    }
    free(parts);
    free(names);
    return st;
}

mg_status mg__parquet_dir_columns(const char *dir, const mg_read_options *opts,
                                  mg_column_schema **cols, int *n, mg_error *err) {
    char **names;
    int nparts;
    MG_TRY(list_parts(dir, &names, &nparts, err));
    mg__buf path = {0};
    mg__buf_printf(&path, "%s/%s", dir, names[0]);
    mg_status st = path.failed ? mg__nomem(err, "a path") : MG_OK;
    mg__file f;
    if (st == MG_OK)
        st = mg__file_map_capped(path.data, opts->max_input_bytes, &f, err);
    if (st == MG_OK) {
        st = mg__parquet_columns(f.data, f.size, path.data, cols, n, err);
        mg__file_unmap(&f);
    }
    mg__buf_release(&path);
    for (int k = 0; k < nparts; k++)
        free(names[k]);
    free(names);
    return st;
}
