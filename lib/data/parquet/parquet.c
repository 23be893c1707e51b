/* parquet.c - the Parquet reader's entry points: checks the footer, maps the
 * schema's flat columns to table columns, decodes the used column chunks of
 * all row groups in parallel and merges their dictionaries and null bitmaps. */
#include "data/data.h"
#include "data/parquet/pq.h"

#include <pthread.h>

/* Decoded columns may not exceed this many bytes, nor PQ_ROWS_RATIO times the
 * file's size when above it: a footer cannot make the reader allocate memory
 * that its data could never fill. Rows are bounded the same way: above
 * PQ_ROWS_FLOOR, at most PQ_ROWS_PER_BYTE rows per byte of the file. A test
 * set's prediction or score column alone takes a byte or more per row once
 * compressed, and bit-packed 0/1 columns take an eighth of a byte; only a
 * file whose every column is long runs of one value reaches 64 rows per byte
 * (a 600 KB file claiming 150 million rows holds 250). docs/security.md. */
#define PQ_DECODED_FLOOR ((uint64_t)256 << 20)
#define PQ_ROWS_RATIO 4096
#define PQ_ROWS_FLOOR ((int64_t)1 << 20)
#define PQ_ROWS_PER_BYTE 64
#define PQ_MAX_DEPTH 64

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

mg_status mg__pq_open(const uint8_t *data, size_t size, const char *source, pq_meta *m,
                      mg_error *err) {
    memset(m, 0, sizeof *m);
    if (size < 12 || memcmp(data, "PAR1", 4) != 0)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte 0: not a Parquet file (expected the magic PAR1 and at least 12 "
                        "bytes)",
                        source);
    if (memcmp(data + size - 4, "PARE", 4) == 0)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: byte %zu: Parquet file with an encrypted footer (magic PARE); "
                        "modelgate does not decrypt Parquet, write the test set unencrypted",
                        source, size - 4);
    if (memcmp(data + size - 4, "PAR1", 4) != 0)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte %zu: Parquet file does not end with PAR1 (truncated?)", source,
                        size - 4);
    uint32_t flen = le32(data + size - 8);
    if (flen > size - 12)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte %zu: footer length %" PRIu32 " exceeds the file", source,
                        size - 8, flen);
    size_t start = size - 8 - flen;
    MG_TRY(mg__pq_meta_parse(data, start, size - 8, source, m, err));
    if (m->nschema < 1 || m->schema[0].num_children < 0)
        return mg__fail(err, MG_ERR_FORMAT, "%s: byte %zu: Parquet footer without a schema", source,
                        start);
    if (m->num_rows < 0)
        return mg__fail(err, MG_ERR_FORMAT, "%s: byte %zu: negative row count in the footer",
                        source, start);
    int64_t sum = 0;
    for (int r = 0; r < m->nrg; r++) {
        if (m->rgs[r].num_rows < 0 || m->rgs[r].num_rows > INT64_MAX - sum)
            return mg__fail(err, MG_ERR_FORMAT, "%s: byte %zu: row group %d has a bad row count",
                            source, start, r);
        sum += m->rgs[r].num_rows;
    }
    if (sum != m->num_rows)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte %zu: row groups hold %" PRId64
                        " rows but the footer says %" PRId64,
                        source, start, sum, m->num_rows);
    return MG_OK;
}

/* ---- schema ------------------------------------------------------------------ */

typedef struct leaf {
    int idx;     /* schema element */
    char *path;  /* dotted */
    char *top;   /* top-level field name */
    bool nested; /* inside a group or repeated */
} leaf;

typedef struct schema_walk {
    const pq_meta *m;
    const char *source;
    int next;
    leaf *leaves;
    int nleaves;
} schema_walk;

static mg_status walk_children(schema_walk *w, int parent, const char *prefix, const char *top,
                               bool nested, int depth, mg_error *err) {
    if (depth > PQ_MAX_DEPTH)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte %zu: Parquet schema nested more than %d levels", w->source,
                        w->m->footer_off, PQ_MAX_DEPTH);
    int32_t nchild = w->m->schema[parent].num_children;
    for (int32_t k = 0; k < nchild; k++) {
        if (w->next >= w->m->nschema)
            return mg__fail(err, MG_ERR_FORMAT,
                            "%s: byte %zu: Parquet schema element '%s' claims more children "
                            "than the schema holds",
                            w->source, w->m->footer_off, w->m->schema[parent].name);
        int i = w->next++;
        const pq_schema_el *e = &w->m->schema[i];
        mg__buf path = {0};
        if (prefix != NULL) {
            mg__buf_puts(&path, prefix);
            mg__buf_puts(&path, ".");
        }
        mg__buf_puts(&path, e->name);
        mg__buf_append(&path, "", 0);
        if (path.failed) {
            mg__buf_release(&path);
            return mg__nomem(err, "a column path");
        }
        char *p = mg__buf_detach(&path);
        bool is_nested = nested || e->repetition == PQ_REPEATED || e->kind == PQ_K_NESTED;
        mg_status st = MG_OK;
        if (e->num_children < 0) {
            st = mg__fail(err, MG_ERR_FORMAT,
                          "%s: byte %zu: Parquet schema element '%s' has %d children", w->source,
                          w->m->footer_off, p, (int)e->num_children);
        } else if (e->num_children > 0 || e->type < 0) {
            st = walk_children(w, i, p, top ? top : p, true, depth + 1, err);
        } else {
            leaf *l = &w->leaves[w->nleaves++];
            l->idx = i;
            l->path = p;
            l->top = mg__strdup(top ? top : e->name);
            l->nested = is_nested;
            p = NULL;
            if (l->top == NULL)
                st = mg__nomem(err, "a column name");
        }
        free(p);
        MG_TRY(st);
    }
    return MG_OK;
}

static void leaves_free(leaf *l, int n) {
    for (int i = 0; i < n; i++) {
        free(l[i].path);
        free(l[i].top);
    }
    free(l);
}

/* Maps a flat leaf to its column spec. */
static mg_status make_spec(const pq_meta *m, const leaf *l, const char *source, pq_colspec *s,
                           mg_error *err) {
    const pq_schema_el *e = &m->schema[l->idx];
    memset(s, 0, sizeof *s);
    s->name = l->path;
    s->leaf = l->idx;
    s->phys = e->type;
    s->type_length = e->type_length;
    s->max_def = e->repetition == PQ_OPTIONAL ? 1 : 0;
    s->scale = e->scale;
    pq_kind k = e->kind;
    switch (e->type) {
    case PQ_BOOLEAN: s->type = MG_TYPE_BOOL, s->conv = PQ_CV_BOOL; break;
    case PQ_INT32:
    case PQ_INT64:
        s->type = MG_TYPE_I64, s->conv = PQ_CV_I64;
        if (k == PQ_K_DECIMAL)
            s->type = MG_TYPE_F64, s->conv = PQ_CV_DEC_INT;
        else if (k == PQ_K_INT && !e->is_signed)
            s->conv = e->type == PQ_INT32 ? PQ_CV_U32 : PQ_CV_U64;
        else if ((k == PQ_K_TIMESTAMP || k == PQ_K_TIME) && e->unit == 1)
            s->conv = PQ_CV_MUL1000;
        else if ((k == PQ_K_TIMESTAMP || k == PQ_K_TIME) && e->unit == 3)
            s->conv = PQ_CV_DIV1000;
        break;
    case PQ_INT96: s->type = MG_TYPE_I64, s->conv = PQ_CV_INT96; break;
    case PQ_FLOAT:
    case PQ_DOUBLE: s->type = MG_TYPE_F64, s->conv = PQ_CV_F64; break;
    case PQ_BYTE_ARRAY:
        s->type = k == PQ_K_DECIMAL ? MG_TYPE_F64 : MG_TYPE_STR;
        s->conv = k == PQ_K_DECIMAL ? PQ_CV_DEC_BYTES : PQ_CV_STR;
        break;
    case PQ_FLBA:
        if (e->type_length <= 0 || e->type_length > (1 << 20))
            return mg__fail(err, MG_ERR_FORMAT,
                            "%s: column '%s': fixed_len_byte_array length %d is invalid", source,
                            l->path, (int)e->type_length);
        s->type = MG_TYPE_STR, s->conv = PQ_CV_HEX;
        if (k == PQ_K_DECIMAL)
            s->type = MG_TYPE_F64, s->conv = PQ_CV_DEC_BYTES;
        else if (k == PQ_K_FLOAT16 && e->type_length == 2)
            s->type = MG_TYPE_F64, s->conv = PQ_CV_FLOAT16;
        else if (k == PQ_K_UUID && e->type_length == 16)
            s->conv = PQ_CV_UUID;
        break;
    default:
        return mg__fail(err, MG_ERR_FORMAT, "%s: column '%s': unknown Parquet physical type %d",
                        source, l->path, e->type);
    }
    return MG_OK;
}

static bool wanted(const mg_read_options *opts, const char *name) {
    for (int i = 0; i < opts->ncolumns; i++)
        if (strcmp(opts->columns[i], name) == 0)
            return true;
    return false;
}

/* Picks the leaves to read: the requested flat columns in file order (or all
 * flat columns); refuses a requested nested one and names a missing one. */
static mg_status select_columns(const leaf *lv, int nl, const char *source,
                                const mg_read_options *opts, int *sel, int *nsel, mg_error *err) {
    *nsel = 0;
    const char *first_nested = NULL;
    for (int i = 0; i < nl; i++) {
        bool want = opts->columns == NULL || wanted(opts, lv[i].path) || wanted(opts, lv[i].top);
        if (!want)
            continue;
        if (lv[i].nested) {
            if (opts->columns != NULL) {
                const char *nm = wanted(opts, lv[i].path) ? lv[i].path : lv[i].top;
                return mg__fail(err, MG_ERR_UNSUPPORTED,
                                "%s: column '%s' is nested (struct/list/map); modelgate reads flat "
                                "columns only",
                                source, nm);
            }
            if (first_nested == NULL)
                first_nested = lv[i].path;
            continue;
        }
        sel[(*nsel)++] = i;
    }
    if (opts->columns == NULL && *nsel == 0 && first_nested != NULL)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: column '%s' is nested (struct/list/map) and the file has no flat "
                        "column; modelgate reads flat columns only",
                        source, first_nested);
    for (int r = 0; opts->columns != NULL && r < opts->ncolumns; r++) {
        bool found = false;
        for (int i = 0; i < nl && !found; i++)
            found = strcmp(lv[i].path, opts->columns[r]) == 0 ||
                    strcmp(lv[i].top, opts->columns[r]) == 0;
        if (!found)
            return mg__fail(err, MG_ERR_DATA, "%s: no column '%s' in the Parquet file", source,
                            opts->columns[r]);
    }
    return MG_OK;
}

/* ---- decoding in parallel ------------------------------------------------------ */

typedef struct read_ctx {
    const uint8_t *data;
    size_t size;
    const char *source;
    const pq_meta *m;
    const int *chunk_index; /* per selected column: its position in a row group */
    const pq_colspec *specs;
    int ncols;
    pq_part *parts; /* [rg * ncols + col] */
    pthread_mutex_t lock;
    int err_task;
    mg_error err;
    mg__progress *progress; /* compressed bytes of the chunks read */
} read_ctx;

static mg_status read_task(void *arg, int i) {
    read_ctx *x = arg;
    int rg = i / x->ncols, col = i % x->ncols;
    const pq_rowgroup *g = &x->m->rgs[rg];
    mg_error e;
    mg_error_clear(&e);
    mg_status st;
    int ci = x->chunk_index[col];
    if (ci >= g->ncols)
        st = mg__fail(&e, MG_ERR_FORMAT, "%s: column '%s': row group %d has only %d column chunks",
                      x->source, x->specs[col].name, rg, g->ncols);
    else
        st = mg__pq_read_chunk(x->data, x->size, x->source, &g->cols[ci], &x->specs[col],
                               &x->parts[i], &e);
    if (st == MG_OK && ci < g->ncols)
        mg__progress_add(x->progress, g->cols[ci].total_compressed);
    if (st != MG_OK) {
        pthread_mutex_lock(&x->lock);
        if (x->err_task < 0 || i < x->err_task) {
            x->err_task = i;
            x->err = e;
        }
        pthread_mutex_unlock(&x->lock);
    }
    return st;
}

/* Global dictionary in first-seen row order; codes rewritten in place. */
static mg_status merge_strings(mg_column *col, pq_part *parts, int nparts, int stride,
                               mg_error *err) {
    pq_pool global = {0};
    mg_status st = MG_OK;
    for (int k = 0; k < nparts && st == MG_OK; k++) {
        pq_part *p = &parts[(size_t)k * (size_t)stride];
        int32_t *remap = mg__malloc_array(p->pool.n ? (size_t)p->pool.n : 1, sizeof *remap);
        if (remap == NULL) {
            st = mg__nomem(err, "a string dictionary");
            break;
        }
        for (int32_t j = 0; j < p->pool.n; j++)
            remap[j] = -1;
        int32_t *codes = p->dst;
        for (int64_t r = 0; r < p->nrows; r++) {
            if (p->valid != NULL && !((p->valid[r >> 3] >> (r & 7)) & 1))
                continue;
            int32_t local = codes[r];
            if (remap[local] < 0) {
                remap[local] = mg__pq_pool_intern(
                    &global, (const uint8_t *)p->pool.bytes.data + p->pool.off[local],
                    p->pool.len[local]);
                if (remap[local] < 0) {
                    st = mg__nomem(err, "a string dictionary");
                    break;
                }
            }
            codes[r] = remap[local];
        }
        free(remap);
        mg__pq_pool_release(&p->pool);
    }
    if (st == MG_OK && global.n > 0) {
        col->dict = mg__calloc((size_t)global.n, sizeof *col->dict);
        if (col->dict == NULL)
            st = mg__nomem(err, "a string dictionary");
        for (int32_t j = 0; st == MG_OK && j < global.n; j++) {
            col->dict[j] = mg__strndup(global.bytes.data + global.off[j], global.len[j]);
            col->ndict = j + 1;
            if (col->dict[j] == NULL)
                st = mg__nomem(err, "a string dictionary");
        }
    }
    mg__pq_pool_release(&global);
    return st;
}

static mg_status finish_column(mg_column *col, pq_part *parts, int nrg, int stride, mg_error *err) {
    bool any_null = false, u64_high = false;
    for (int r = 0; r < nrg; r++) {
        any_null |= parts[(size_t)r * (size_t)stride].valid != NULL;
        u64_high |= parts[(size_t)r * (size_t)stride].u64_high;
    }
    if (any_null) {
        for (int r = 0; r < nrg; r++) {
            pq_part *p = &parts[(size_t)r * (size_t)stride];
            if (p->valid == NULL)
                continue;
            for (int64_t i = 0; i < p->nrows; i++)
                if (!((p->valid[i >> 3] >> (i & 7)) & 1))
                    MG_TRY(mg__column_set_null(col, p->row0 + i, err));
        }
    }
    if (u64_high) {
        /* An unsigned 64-bit value above INT64_MAX: the whole column becomes
         * float, in place (both types take 8 bytes). */
        double *f = (double *)(void *)col->i64;
        for (int64_t i = 0; i < col->nrows; i++) {
            double d = (double)(uint64_t)col->i64[i];
            memcpy(&f[i], &d, sizeof d);
        }
        col->f64 = f;
        col->i64 = NULL;
        col->type = MG_TYPE_F64;
    }
    if (col->type == MG_TYPE_STR)
        MG_TRY(merge_strings(col, parts, nrg, stride, err));
    return MG_OK;
}

static mg_status decode_table(const uint8_t *data, size_t size, const char *source,
                              const pq_meta *m, const pq_colspec *specs, const int *chunk_index,
                              int ncols, const mg_read_options *opts, mg_table *t,
                              mg_error *err) {
    int threads = opts->threads;
    uint64_t row_bytes = 0;
    for (int c = 0; c < ncols; c++)
        row_bytes += specs[c].type == MG_TYPE_BOOL ? 1 : specs[c].type == MG_TYPE_STR ? 4 : 8;
    uint64_t limit = (uint64_t)size * PQ_ROWS_RATIO;
    if (limit < PQ_DECODED_FLOOR)
        limit = PQ_DECODED_FLOOR;
    if (m->num_rows > INT32_MAX || (row_bytes > 0 && (uint64_t)m->num_rows > limit / row_bytes))
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte %zu: footer claims %" PRId64
                        " rows, implausible for a file of %zu bytes",
                        source, size - 8, m->num_rows, size);
    if (m->num_rows > PQ_ROWS_FLOOR && (uint64_t)m->num_rows / PQ_ROWS_PER_BYTE >= size)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: byte %zu: footer claims %" PRId64 " rows in %zu bytes, more than "
                        "%d rows per byte of the file: refused as a decompression bomb "
                        "(see docs/security.md)",
                        source, size - 8, m->num_rows, size, PQ_ROWS_PER_BYTE);
    t->nrows = m->num_rows;
    t->cols = mg__calloc(ncols ? (size_t)ncols : 1, sizeof *t->cols);
    if (t->cols == NULL)
        return mg__nomem(err, "table columns");
    for (int c = 0; c < ncols; c++) {
        MG_TRY(mg__column_init(&t->cols[c], specs[c].name, specs[c].type, m->num_rows, err));
        t->ncols = c + 1;
    }
    size_t ntasks = (size_t)m->nrg * (size_t)ncols;
    if (ntasks == 0)
        return MG_OK;
    if (ntasks > INT32_MAX)
        return mg__fail(err, MG_ERR_FORMAT, "%s: too many row groups and columns", source);
    pq_part *parts = mg__calloc(ntasks, sizeof *parts);
    if (parts == NULL)
        return mg__nomem(err, "row group parts");
    int64_t row0 = 0;
    for (int r = 0; r < m->nrg; r++) {
        for (int c = 0; c < ncols; c++) {
            pq_part *p = &parts[(size_t)r * (size_t)ncols + (size_t)c];
            size_t elem = specs[c].type == MG_TYPE_BOOL ? 1 : specs[c].type == MG_TYPE_STR ? 4 : 8;
            p->row0 = row0;
            p->nrows = m->rgs[r].num_rows;
            p->dst = (uint8_t *)mg__column_values(&t->cols[c]) + (size_t)row0 * elem;
        }
        row0 += m->rgs[r].num_rows;
    }
    int64_t total = 0;
    for (int r = 0; r < m->nrg; r++)
        for (int c = 0; c < ncols; c++)
            if (chunk_index[c] < m->rgs[r].ncols)
                total += m->rgs[r].cols[chunk_index[c]].total_compressed;
    mg__progress progress;
    mg__progress_init(&progress, opts->progress, opts->progress_ctx, total);
    read_ctx x = {.data = data,
                  .progress = &progress,
                  .size = size,
                  .source = source,
                  .m = m,
                  .chunk_index = chunk_index,
                  .specs = specs,
                  .ncols = ncols,
                  .parts = parts,
                  .err_task = -1};
    pthread_mutex_init(&x.lock, NULL);
    mg_status st = mg__parallel_for((int)ntasks, threads, read_task, &x);
    pthread_mutex_destroy(&x.lock);
    if (st != MG_OK) {
        if (x.err_task >= 0)
            *err = x.err;
        else
            st = mg__nomem(err, "Parquet decoding threads");
    }
    for (int c = 0; st == MG_OK && c < ncols; c++)
        st = finish_column(&t->cols[c], parts + c, m->nrg, ncols, err);
    if (st == MG_OK)
        mg__progress_done(&progress);
    for (size_t i = 0; i < ntasks; i++) {
        free(parts[i].valid);
        mg__pq_pool_release(&parts[i].pool);
    }
    free(parts);
    return st;
}

mg_status mg__parquet_columns(const char *data, size_t size, const char *source,
                              mg_column_schema **cols, int *n, mg_error *err) {
    pq_meta m;
    mg_status st = mg__pq_open((const uint8_t *)data, size, source, &m, err);
    schema_walk w = {.m = &m, .source = source, .next = 1};
    if (st == MG_OK) {
        w.leaves = mg__calloc((size_t)m.nschema, sizeof *w.leaves);
        if (w.leaves == NULL)
            st = mg__nomem(err, "the Parquet schema");
    }
    if (st == MG_OK)
        st = walk_children(&w, 0, NULL, NULL, false, 0, err);
    mg_column_schema *c = NULL;
    if (st == MG_OK) {
        c = mg__realloc_array(*cols, (size_t)(*n + w.nleaves + 1), sizeof *c);
        if (c == NULL)
            st = mg__nomem(err, "the column list");
        else
            *cols = c;
    }
    for (int i = 0; st == MG_OK && i < w.nleaves; i++) {
        const leaf *l = &w.leaves[i];
        const char *name = l->nested ? l->top : l->path;
        bool dup = false;
        for (int k = 0; k < *n && l->nested; k++)
            dup |= strcmp(c[k].name, name) == 0;
        if (dup)
            continue; /* a nested field is listed once, by its top-level name */
        pq_colspec spec;
        int type = -1;
        if (!l->nested) {
            st = make_spec(&m, l, source, &spec, err);
            type = (int)spec.type;
        }
        if (st == MG_OK && (c[*n].name = mg__strdup(name)) == NULL)
            st = mg__nomem(err, "the column list");
        if (st == MG_OK) {
            c[*n].type = type;
            c[*n].nested = l->nested;
            (*n)++;
        }
    }
    if (w.leaves != NULL)
        leaves_free(w.leaves, w.nleaves);
    mg__pq_meta_release(&m);
    return st;
}

mg_status mg__parquet_read_buffer(const char *data, size_t size, const char *source,
                                  const mg_read_options *opts, mg_table **out, mg_error *err) {
    *out = NULL;
    mg_read_options defaults = {0};
    if (opts == NULL)
        opts = &defaults;
    const uint8_t *d = (const uint8_t *)data;
    pq_meta m;
    mg_status st = mg__pq_open(d, size, source, &m, err);
    schema_walk w = {.m = &m, .source = source, .next = 1};
    int *sel = NULL;
    pq_colspec *specs = NULL;
    mg_table *t = NULL;
    if (st == MG_OK) {
        w.leaves = mg__calloc((size_t)m.nschema, sizeof *w.leaves);
        sel = mg__calloc((size_t)m.nschema, sizeof *sel);
        specs = mg__calloc((size_t)m.nschema, sizeof *specs);
        t = mg__calloc(1, sizeof *t);
        if (w.leaves == NULL || sel == NULL || specs == NULL || t == NULL ||
            (t->source = mg__strdup(source)) == NULL)
            st = mg__nomem(err, "the Parquet schema");
    }
    if (st == MG_OK)
        st = walk_children(&w, 0, NULL, NULL, false, 0, err);
    if (st == MG_OK && w.next != m.nschema)
        st = mg__fail(err, MG_ERR_FORMAT,
                      "%s: byte %zu: Parquet schema has %d elements outside the tree of the root",
                      source, m.footer_off, m.nschema - w.next);
    for (int r = 0; st == MG_OK && r < m.nrg; r++)
        if (m.rgs[r].ncols != w.nleaves)
            st = mg__fail(err, MG_ERR_FORMAT,
                          "%s: byte %zu: row group %d has %d column chunks, the schema %d columns",
                          source, m.footer_off, r, m.rgs[r].ncols, w.nleaves);
    int nsel = 0;
    if (st == MG_OK)
        st = select_columns(w.leaves, w.nleaves, source, opts, sel, &nsel, err);
    for (int c = 0; st == MG_OK && c < nsel; c++)
        st = make_spec(&m, &w.leaves[sel[c]], source, &specs[c], err);
    if (st == MG_OK)
        st = mg__check_rows(source, m.num_rows, opts, err);
    if (st == MG_OK)
        st = decode_table(d, size, source, &m, specs, sel, nsel, opts, t, err);
    if (st == MG_OK)
        st = mg__pq_apply_overrides(t, opts, err);
    if (st == MG_OK) {
        *out = t;
        t = NULL;
    }
    mg_table_free(t);
    if (w.leaves != NULL)
        leaves_free(w.leaves, w.nleaves);
    free(sel);
    free(specs);
    mg__pq_meta_release(&m);
    return st;
}
