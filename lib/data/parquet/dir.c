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

/* A Hive-style partition folder (`key=value`): the key and the value, with
 * Hive's %XX escapes decoded, in *key and *value (owned). 0 when the name is
 * one, -1 when it is not, -2 when out of memory. */
static int hex_digit(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static char *unescape(const char *s, size_t n) {
    char *r = mg__malloc_array(n + 1, 1);
    if (r == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
        int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
        if (s[i] == '%' && hi >= 0 && lo >= 0 && (hi << 4 | lo) != 0) {
            r[k++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            r[k++] = s[i];
        }
    }
    r[k] = '\0';
    return r;
}

static int partition_name(const char *name, char **key, char **value) {
    const char *eq = strchr(name, '=');
    if (eq == NULL || eq == name)
        return -1;
    *key = unescape(name, (size_t)(eq - name));
    *value = unescape(eq + 1, strlen(eq + 1));
    if (*key == NULL || *value == NULL) {
        free(*key);
        free(*value);
        *key = *value = NULL;
        return -2;
    }
    return 0;
}

/* The part files found under the directory: their paths relative to it and
 * the values of the partition folders above them, in the order of `keys`. */
typedef struct part_list {
    char **names;
    char ***values; /* values[k][j]: part k's value of keys[j] */
    int n, cap;
    char **keys;
    int nkeys; /* -1 until the first part file fixes the partition keys */
} part_list;

static void part_list_release(part_list *l) {
    for (int k = 0; k < l->n; k++) {
        free(l->names[k]);
        for (int j = 0; l->values[k] != NULL && j < l->nkeys; j++)
            free(l->values[k][j]);
        free(l->values[k]);
    }
    free(l->names);
    free(l->values);
    for (int j = 0; j < l->nkeys; j++)
        free(l->keys[j]);
    free(l->keys);
    memset(l, 0, sizeof *l);
}

/* The partition folders on the way down from the top directory. */
typedef struct part_path {
    char *key[32];
    char *value[32];
    int depth;
} part_path;

static mg_status add_part(const char *top, part_list *l, const char *rel, const part_path *pp,
                          mg_error *err) {
    if (l->nkeys < 0) {
        l->keys = mg__calloc(pp->depth ? (size_t)pp->depth : 1, sizeof *l->keys);
        if (l->keys == NULL)
            return mg__nomem(err, "the partition keys");
        for (l->nkeys = 0; l->nkeys < pp->depth; l->nkeys++)
            if ((l->keys[l->nkeys] = mg__strdup(pp->key[l->nkeys])) == NULL)
                return mg__nomem(err, "the partition keys");
    }
    bool same = pp->depth == l->nkeys;
    for (int j = 0; same && j < pp->depth; j++)
        same = strcmp(pp->key[j], l->keys[j]) == 0;
    if (!same)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: part file '%s' lies under partition folders with other keys than "
                        "'%s' (every part needs the same key=value folders, in the same order)",
                        top, rel, l->names[0]);
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **names = mg__realloc_array(l->names, (size_t)cap, sizeof *names);
        if (names == NULL)
            return mg__nomem(err, "the part file list");
        l->names = names;
        char ***values = mg__realloc_array(l->values, (size_t)cap, sizeof *values);
        if (values == NULL)
            return mg__nomem(err, "the part file list");
        l->values = values;
        l->cap = cap;
    }
    l->names[l->n] = mg__strdup(rel);
    l->values[l->n] = mg__calloc(pp->depth ? (size_t)pp->depth : 1, sizeof **l->values);
    l->n++;
    if (l->names[l->n - 1] == NULL || l->values[l->n - 1] == NULL)
        return mg__nomem(err, "the part file list");
    for (int j = 0; j < pp->depth; j++)
        if ((l->values[l->n - 1][j] = mg__strdup(pp->value[j])) == NULL)
            return mg__nomem(err, "the part file list");
    return MG_OK;
}

static mg_status walk(const char *top, const char *rel, part_path *pp, part_list *l,
                      mg_error *err) {
    mg__buf path = {0};
    mg__buf_printf(&path, "%s%s%s", top, *rel ? "/" : "", rel);
    if (path.failed)
        return mg__nomem(err, "a path");
    DIR *d = opendir(path.data);
    if (d == NULL) {
        mg_status st = mg__fail(err, MG_ERR_IO, "%s: cannot open the directory: %s", path.data,
                                strerror(errno));
        mg__buf_release(&path);
        return st;
    }
    /* Entries sorted by name, so that parts come in one order everywhere. */
    char **entries = NULL;
    int n = 0, cap = 0;
    mg_status st = MG_OK;
    struct dirent *e;
    while (st == MG_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_' || ends_with(e->d_name, ".crc"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = mg__realloc_array(entries, (size_t)cap, sizeof *p);
            if (p == NULL) {
                st = mg__nomem(err, "the part file list");
                break;
            }
            entries = p;
        }
        if ((entries[n] = mg__strdup(e->d_name)) == NULL)
            st = mg__nomem(err, "the part file list");
        else
            n++;
    }
    closedir(d);
    if (st == MG_OK && n > 0) /* an empty folder has no list to sort (qsort(NULL) is UB) */
        qsort(entries, (size_t)n, sizeof *entries, by_name);
    for (int i = 0; st == MG_OK && i < n; i++) {
        mg__buf sub = {0};
        mg__buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", entries[i]);
        if (sub.failed) {
            st = mg__nomem(err, "a path");
            break;
        }
        char full[4096];
        struct stat sb;
        bool dir = snprintf(full, sizeof full, "%s/%s", top, sub.data) < (int)sizeof full &&
                   stat(full, &sb) == 0 && S_ISDIR(sb.st_mode);
        if (dir) {
            char *key = NULL, *value = NULL;
            int r = partition_name(entries[i], &key, &value);
            if (r == -2)
                st = mg__nomem(err, "a partition key");
            else if (r == -1 || pp->depth == (int)MG_ARRAY_LEN(pp->key))
                st = mg__fail(err, MG_ERR_UNSUPPORTED,
                              "%s: folder '%s' is not a Hive partition folder (key=value); "
                              "modelgate does not skip it silently: move it out or read the "
                              "part files it holds as their own directory",
                              top, sub.data);
            else {
                pp->key[pp->depth] = key;
                pp->value[pp->depth] = value;
                pp->depth++;
                st = walk(top, sub.data, pp, l, err);
                pp->depth--;
                key = value = NULL;
                free(pp->key[pp->depth]);
                free(pp->value[pp->depth]);
            }
            free(key);
            free(value);
        } else if (is_part(path.data, entries[i])) {
            st = add_part(top, l, sub.data, pp, err);
        }
        mg__buf_release(&sub);
    }
    for (int i = 0; i < n; i++)
        free(entries[i]);
    free(entries);
    mg__buf_release(&path);
    return st;
}

static mg_status list_parts(const char *dir, part_list *l, mg_error *err) {
    memset(l, 0, sizeof *l);
    l->nkeys = -1;
    part_path pp = {.depth = 0};
    mg_status st = walk(dir, "", &pp, l, err);
    if (l->nkeys < 0)
        l->nkeys = 0;
    if (st == MG_OK && l->n == 0)
        st = mg__fail(err, MG_ERR_DATA,
                      "%s: the directory holds no Parquet part files (*.parquet or files "
                      "starting with PAR1)",
                      dir);
    return st;
}

/* Appends the rows of `part` to column `dst` at row0, re-coding strings
 * through the pool that becomes dst's dictionary. */
static mg_status append_column(mg_column *dst, pq_pool *pool, mg_column *src, int64_t row0,
                               mg_error *err) {
    size_t e = mg__type_width(src->type);
    if (src->nrows > 0)
        memcpy((uint8_t *)mg__column_values(dst) + (size_t)row0 * e, mg__column_values(src),
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

static mg_status concat(const char *dir, char **names, mg_table **parts, int nparts,
                        const mg_read_options *opts, mg_table *t, mg_error *err) {
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
    MG_TRY(mg__check_rows(dir, rows, opts, err));
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

/* True when opts reads column `name` (every column when opts->columns is NULL). */
static bool reads(const mg_read_options *opts, const char *name) {
    if (opts->columns == NULL)
        return true;
    for (int i = 0; i < opts->ncolumns; i++)
        if (strcmp(opts->columns[i], name) == 0)
            return true;
    return false;
}

static bool is_key(const part_list *l, const char *name) {
    for (int j = 0; j < l->nkeys; j++)
        if (strcmp(l->keys[j], name) == 0)
            return true;
    return false;
}

/* Appends the partition keys that opts reads as string columns: part k's
 * rows hold its folder's value, Hive's __HIVE_DEFAULT_PARTITION__ is null. */
static mg_status add_partition_columns(const char *dir, const part_list *l, mg_table **parts,
                                       const mg_read_options *opts, mg_table *t, mg_error *err) {
    for (int j = 0; j < l->nkeys; j++) {
        if (!reads(opts, l->keys[j]))
            continue;
        if (mg_table_column(t, l->keys[j]) != NULL)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: partition key '%s' is also a column of the part files", dir,
                            l->keys[j]);
        mg_column *cols = mg__realloc_array(t->cols, (size_t)t->ncols + 1, sizeof *cols);
        if (cols == NULL)
            return mg__nomem(err, "table columns");
        t->cols = cols;
        mg_column *col = &t->cols[t->ncols];
        mg_status st = mg__column_init(col, l->keys[j], MG_TYPE_STR, t->nrows, err);
        t->ncols++;
        MG_TRY(st);
        pq_pool pool = {0};
        int64_t row0 = 0;
        for (int k = 0; k < l->n && st == MG_OK; k++) {
            const char *v = l->values[k][j];
            int64_t n = parts[k]->nrows;
            if (strcmp(v, "__HIVE_DEFAULT_PARTITION__") == 0) {
                for (int64_t i = 0; i < n && st == MG_OK; i++)
                    st = mg__column_set_null(col, row0 + i, err);
            } else if (n > 0) {
                int32_t code = mg__pq_pool_intern(&pool, (const uint8_t *)v, strlen(v));
                if (code < 0)
                    st = mg__nomem(err, "a string dictionary");
                for (int64_t i = 0; i < n && st == MG_OK; i++)
                    col->codes[row0 + i] = code;
            }
            row0 += n;
        }
        if (st == MG_OK && pool.n > 0) {
            col->dict = mg__calloc((size_t)pool.n, sizeof *col->dict);
            for (int32_t k = 0; col->dict != NULL && k < pool.n; k++) {
                col->dict[k] = mg__strdup(pool.bytes.data + pool.off[k]);
                col->ndict = k + 1;
                if (col->dict[k] == NULL)
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
    part_list l;
    mg_status st = list_parts(dir, &l, err);
    /* The part files are read without the partition keys, which they lack. */
    const char **cols = NULL;
    mg_type_override *ovr = NULL, *povr = NULL;
    mg_read_options popts = *opts, kopts = {.columns = opts->columns};
    popts.progress = NULL; /* the folder reports whole parts */
    mg__progress progress;
    mg__progress_init(&progress, opts->progress, opts->progress_ctx, st == MG_OK ? l.n : 0);
    if (st == MG_OK && l.nkeys > 0) {
        cols = mg__calloc(opts->ncolumns ? (size_t)opts->ncolumns : 1, sizeof *cols);
        ovr = mg__calloc(opts->noverrides ? (size_t)opts->noverrides : 1, sizeof *ovr);
        povr = mg__calloc(opts->noverrides ? (size_t)opts->noverrides : 1, sizeof *povr);
        if (cols == NULL || ovr == NULL || povr == NULL)
            st = mg__nomem(err, "the column list");
        popts.ncolumns = popts.noverrides = 0;
        for (int i = 0; st == MG_OK && i < opts->ncolumns; i++)
            if (!is_key(&l, opts->columns[i]))
                cols[popts.ncolumns++] = opts->columns[i];
        if (opts->columns != NULL)
            popts.columns = cols;
        for (int i = 0; st == MG_OK && i < opts->noverrides; i++) {
            if (is_key(&l, opts->overrides[i].column))
                povr[kopts.noverrides++] = opts->overrides[i];
            else
                ovr[popts.noverrides++] = opts->overrides[i];
        }
        popts.overrides = ovr;
        kopts.overrides = povr;
        kopts.ncolumns = opts->ncolumns;
    }
    mg_table **parts = NULL;
    if (st == MG_OK && (parts = mg__calloc((size_t)l.n, sizeof *parts)) == NULL)
        st = mg__nomem(err, "part tables");
    for (int k = 0; st == MG_OK && k < l.n; k++) {
        mg__buf path = {0};
        mg__buf_printf(&path, "%s/%s", dir, l.names[k]);
        if (path.failed) {
            st = mg__nomem(err, "a path");
            break;
        }
        mg__file f;
        st = mg__file_map_capped(path.data, opts->max_input_bytes, &f, err);
        if (st == MG_OK) {
            st = mg__parquet_read_buffer(f.data, f.size, path.data, &popts, &parts[k], err);
            mg__file_unmap(&f);
            mg__progress_add(&progress, 1);
        }
        mg__buf_release(&path);
    }
    /* A requested key that the part files also hold: the part files were read
     * without it, so ask the first part for it alone. */
    for (int i = 0; st == MG_OK && l.nkeys > 0 && opts->columns != NULL && i < opts->ncolumns;
         i++) {
        if (!is_key(&l, opts->columns[i]))
            continue;
        mg_read_options one = {.columns = &opts->columns[i], .ncolumns = 1, .threads = 1};
        mg_table *probe = NULL;
        mg_error ignored;
        mg__buf path = {0};
        mg__buf_printf(&path, "%s/%s", dir, l.names[0]);
        mg__file f;
        if (path.failed)
            st = mg__nomem(err, "a path");
        else if ((st = mg__file_map(path.data, &f, err)) == MG_OK) {
            if (mg__parquet_read_buffer(f.data, f.size, path.data, &one, &probe, &ignored) == MG_OK)
                st = mg__fail(err, MG_ERR_DATA,
                              "%s: partition key '%s' is also a column of the part files", dir,
                              opts->columns[i]);
            mg_table_free(probe);
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
        st = concat(dir, l.names, parts, l.n, opts, t, err);
    if (st == MG_OK && l.nkeys > 0)
        st = add_partition_columns(dir, &l, parts, opts, t, err);
    if (st == MG_OK && kopts.noverrides > 0)
        st = mg__pq_apply_overrides(t, &kopts, err);
    if (st == MG_OK)
        mg__progress_done(&progress);
    if (st == MG_OK) {
        *out = t;
        t = NULL;
    }
    mg_table_free(t);
    for (int k = 0; parts != NULL && k < l.n; k++)
        mg_table_free(parts[k]);
    free(parts);
    free(cols);
    free(ovr);
    free(povr);
    part_list_release(&l);
    return st;
}

mg_status mg__parquet_dir_columns(const char *dir, const mg_read_options *opts,
                                  mg_column_schema **cols, int *n, mg_error *err) {
    part_list l;
    mg_status lst = list_parts(dir, &l, err);
    if (lst != MG_OK) {
        part_list_release(&l); /* what was listed before the refusal */
        return lst;
    }
    mg__buf path = {0};
    mg__buf_printf(&path, "%s/%s", dir, l.names[0]);
    mg_status st = path.failed ? mg__nomem(err, "a path") : MG_OK;
    mg__file f;
    if (st == MG_OK)
        st = mg__file_map_capped(path.data, opts->max_input_bytes, &f, err);
    if (st == MG_OK) {
        st = mg__parquet_columns(f.data, f.size, path.data, cols, n, err);
        mg__file_unmap(&f);
    }
    mg__buf_release(&path);
    /* The partition keys follow the part files' columns, as strings. */
    if (st == MG_OK && l.nkeys > 0) {
        mg_column_schema *all = mg__realloc_array(*cols, (size_t)(*n + l.nkeys), sizeof *all);
        if (all == NULL) {
            st = mg__nomem(err, "the column list");
        } else {
            *cols = all;
            for (int j = 0; j < l.nkeys && st == MG_OK; j++) {
                mg_column_schema *c = &all[*n];
                memset(c, 0, sizeof *c);
                c->type = MG_TYPE_STR;
                if ((c->name = mg__strdup(l.keys[j])) == NULL)
                    st = mg__nomem(err, "the column list");
                else
                    (*n)++;
            }
        }
        if (st != MG_OK) {
            mg_column_schemas_free(*cols, *n);
            *cols = NULL;
            *n = 0;
        }
    }
    part_list_release(&l);
    return st;
}
