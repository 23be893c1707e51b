/* csv.c - the CSV reader (RFC 4180) into an mg_table: header and column
 * selection, splitting large inputs into chunks at record boundaries outside
 * quotes, the two parallel passes (csv_chunk.c) and merging their results so
 * that the table equals the one a single-threaded parse gives. */
#include "data/csv.h"
#include "data/data.h"

#include <limits.h>
#include <unistd.h>

/* Inputs larger than this are parsed in parallel. */
#define CSV_PARALLEL_MIN ((size_t)8 << 20)
/* Parallel chunks are at least this large. */
#define CSV_CHUNK_MIN ((size_t)1 << 20)

typedef struct csv_read {
    csv_plan plan;
    mg__progress progress;
    csv_chunk *chunks;
    int nchunks;
    int threads;
    mg_column *cols;
    const mg_read_options *opts;
    mg_error *err;
} csv_read;

static void read_release(csv_read *r) {
    csv_plan *p = &r->plan;
    if (p->names != NULL)
        for (int j = 0; j < p->nfile; j++)
            free(p->names[j]);
    free(p->names);
    free(p->sel);
    free(p->out_field);
    free(p->forced);
    free(p->redo);
    for (int i = 0; i < r->nchunks; i++) {
        csv_chunk *c = &r->chunks[i];
        free(c->infer);
        free(c->bad);
        if (c->nulls != NULL)
            for (int o = 0; o < p->nout; o++)
                free(c->nulls[o].v);
        free(c->nulls);
        if (c->dicts != NULL)
            for (int o = 0; o < p->nout; o++)
                mg__csv_dict_release(&c->dicts[o]);
        free(c->dicts);
        mg__buf_release(&c->scratch);
    }
    free(r->chunks);
    if (r->cols != NULL)
        for (int o = 0; o < p->nout; o++)
            mg__column_release(&r->cols[o]);
    free(r->cols);
}

/* ---- header and column selection ---------------------------------------- */

char mg__csv_delim_guess(const char *name) {
    static const char cands[] = {'\t', ';', '|'};
    char best = 0;
    size_t most = 0;
    for (size_t k = 0; k < sizeof cands; k++) {
        size_t n = 0;
        for (const char *c = name; *c; c++)
            n += *c == cands[k];
        if (n > most) {
            most = n;
            best = cands[k];
        }
    }
    return best;
}

/* The delimiter of opts (0 = ','), or MG_ERR_USAGE for one modelgate does not
 * take. */
static mg_status pick_delim(const mg_read_options *opts, const char *source, char *out,
                            mg_error *err) {
    char d = opts->delimiter ? opts->delimiter : ',';
    if (d != ',' && d != ';' && d != '\t' && d != '|')
        return mg__fail(err, MG_ERR_USAGE,
                        "%s: delimiter byte 0x%02x is not one of ',', ';', tab or '|'", source,
                        (unsigned)(uint8_t)d);
    *out = d;
    return MG_OK;
}

static mg_status read_header(csv_read *r, const char *body, const char **after,
                             int64_t *after_line) {
    csv_plan *p = &r->plan;
    csv_scan sc = {body, p->end, 1, p->delim};
    csv_field f;
    csv_fault fault;
    mg__buf scratch = {0};
    csv_dict seen = {0};
    int cap = 0, rc;
    mg_status st = MG_OK;
    do {
        rc = csv_next_field(&sc, &f, &fault);
        if (rc == CSV_ERROR) {
            st = mg__csv_fault_error(p, &fault, p->nfile, r->err);
            break;
        }
        const char *s = f.s;
        size_t len = f.len;
        if (f.escaped && (s = mg__csv_unescape(&f, &scratch, &len)) == NULL) {
            st = mg__nomem(r->err, "a CSV header");
            break;
        }
        if (len == 0) {
            mg__fail(r->err, MG_ERR_FORMAT,
                     "%s:%" PRId64 ":%d: header field %d is empty; expected a column name",
                     p->source, f.line, p->nfile + 1, p->nfile + 1);
            st = mg__error_at(r->err, p->source, f.line, p->nfile + 1, -1);
            break;
        }
        int32_t known = seen.n; /* a name already seen keeps its code below this */
        int32_t code = mg__csv_dict_code(&seen, s, len);
        if (code < 0) {
            st = mg__nomem(r->err, "the CSV header");
            break;
        }
        if (code < known) {
            st = mg__fail(r->err, MG_ERR_FORMAT,
                          "%s:%" PRId64 ":%d (column '%s'): duplicate column name, column %d "
                          "has it too; expected unique names in the header",
                          p->source, f.line, p->nfile + 1, seen.strs[code], (int)code + 1);
            mg__error_at(r->err, p->source, f.line, p->nfile + 1, -1);
            break;
        }
        if (p->nfile == cap) {
            cap = cap ? cap * 2 : 16;
            char **names = mg__realloc_array(p->names, (size_t)cap, sizeof *names);
            if (names == NULL) {
                st = mg__nomem(r->err, "the CSV header");
                break;
            }
            p->names = names;
        }
        if ((p->names[p->nfile] = mg__strndup(s, len)) == NULL) {
            st = mg__nomem(r->err, "the CSV header");
            break;
        }
        p->nfile++;
    } while (rc == CSV_MORE);
    mg__buf_release(&scratch);
    mg__csv_dict_release(&seen);
    *after = sc.p;
    *after_line = sc.line;
    return st;
}

/* "expected one of 'a', 'b', ..." for a column the header lacks. */
static mg_status no_such_column(const csv_plan *p, const char *what, const char *name,
                                mg_error *err) {
    mg__buf list = {0};
    for (int j = 0; j < p->nfile && list.len < 300; j++)
        mg__buf_printf(&list, "%s'%s'", j ? ", " : "", p->names[j]);
    if (list.len >= 300)
        mg__buf_puts(&list, ", ...");
    char guess = p->nfile == 1 ? mg__csv_delim_guess(p->names[0]) : 0;
    mg_status st;
    if (guess != 0 && guess != p->delim)
        st = mg__fail(err, MG_ERR_DATA,
                      "%s:1: %s '%s' is not in the header, whose one column '%.40s%s' looks "
                      "separated by %s, not %s; set the delimiter (--delimiter) to read it",
                      p->source, what, name, p->names[0], strlen(p->names[0]) > 40 ? "..." : "",
                      mg__csv_delim_name(guess), mg__csv_delim_name(p->delim));
    else
        st = mg__fail(err, MG_ERR_DATA, "%s:1: %s '%s' is not in the header; expected one of %s",
                      p->source, what, name, list.data ? list.data : "");
    mg__buf_release(&list);
    return st;
}

static int header_index(const csv_plan *p, const char *name) {
    for (int j = 0; j < p->nfile; j++)
        if (strcmp(p->names[j], name) == 0)
            return j;
    return -1;
}

static mg_status select_columns(csv_read *r, const mg_read_options *opts) {
    csv_plan *p = &r->plan;
    p->sel = mg__malloc_array((size_t)p->nfile, sizeof *p->sel);
    p->out_field = mg__malloc_array((size_t)p->nfile, sizeof *p->out_field);
    p->forced = mg__malloc_array((size_t)p->nfile, sizeof *p->forced);
    if (p->sel == NULL || p->out_field == NULL || p->forced == NULL)
        return mg__nomem(r->err, "the CSV column plan");
    for (int j = 0; j < p->nfile; j++)
        p->sel[j] = opts->columns == NULL ? 0 : -1;
    for (int k = 0; opts->columns != NULL && k < opts->ncolumns; k++) {
        int j = header_index(p, opts->columns[k]);
        if (j < 0)
            return no_such_column(p, "column", opts->columns[k], r->err);
        p->sel[j] = 0;
    }
    p->nout = 0;
    for (int j = 0; j < p->nfile; j++)
        if (p->sel[j] == 0) {
            p->forced[p->nout] = -1;
            p->out_field[p->nout] = j;
            p->sel[j] = p->nout++;
        }
    for (int k = 0; k < opts->noverrides; k++) {
        const mg_type_override *ov = &opts->overrides[k];
        int j = header_index(p, ov->column);
        if (j < 0)
            return no_such_column(p, "type override column", ov->column, r->err);
        if ((int)ov->type < MG_TYPE_F64 || (int)ov->type > MG_TYPE_STR)
            return mg__fail(r->err, MG_ERR_USAGE,
                            "%s: type override for column '%s': type %d "
                            "is not a column type",
                            p->source, ov->column, (int)ov->type);
        if (p->sel[j] >= 0)
            p->forced[p->sel[j]] = (int8_t)ov->type;
    }
    return MG_OK;
}

/* ---- chunks --------------------------------------------------------------- */

typedef struct seg_count {
    const char *from, *to;
    size_t quotes, newlines;
    const csv_plan *plan; /* for mg__csv_release */
} seg_count;

/* Number of bytes of w equal to the byte repeated in `pattern`. Exact, unlike
 * csv_zero_bytes: no borrow crosses bytes. */
static inline size_t count_bytes(uint64_t w, uint64_t pattern) {
    const uint64_t low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    uint64_t v = w ^ pattern;
    uint64_t zero = ~(((v & low7) + low7) | v | low7);
    return (size_t)(((zero >> 7) * CSV_ONES) >> 56);
}

static mg_status count_task(void *ctx, int i) {
    seg_count *s = &((seg_count *)ctx)[i];
    size_t q = 0, nl = 0;
    const char *p = s->from, *kept = s->from;
    while (s->to - p >= 8) {
        /* 1 MiB at a time, given back once counted (when the plan says so) */
        const char *stop = s->to - p >= ((ptrdiff_t)1 << 20) + 8 ? p + ((size_t)1 << 20) : s->to;
        for (; stop - p >= 8; p += 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            q += count_bytes(w, CSV_ONES * '"');
            nl += count_bytes(w, CSV_ONES * '\n');
        }
        mg__csv_release(s->plan, &kept, p);
    }
    for (; p < s->to; p++) {
        q += *p == '"';
        nl += *p == '\n';
    }
    s->quotes = q;
    s->newlines = nl;
    return MG_OK;
}

/* Splits [body, end) into about body/chunk_bytes chunks that start right after
 * a line feed outside quotes. The quote parity at each cut comes from counting
 * quotes before it: in a well-formed file it is the in-quotes state, and a file
 * where it is not has a quote fault before the cut, which the chunk holding
 * that fault reports first. */
static mg_status plan_chunks(csv_read *r, const char *body, int64_t body_line, size_t chunk_bytes,
                             bool count_lines) {
    size_t len = (size_t)(r->plan.end - body);
    size_t n = 1;
    if (chunk_bytes > 0 && len > chunk_bytes)
        n = (len + chunk_bytes - 1) / chunk_bytes;
    if (n > 4096)
        n = 4096;
    r->chunks = mg__calloc(n, sizeof *r->chunks);
    if (r->chunks == NULL)
        return mg__nomem(r->err, "CSV chunks");
    r->nchunks = (int)n;
    r->chunks[0].start = body;
    r->chunks[0].line0 = body_line;
    int64_t end_line = -1; /* physical line of the end of the data, when counted */
    if (n > 1 || count_lines) {
        seg_count *segs = mg__calloc(n, sizeof *segs);
        if (segs == NULL)
            return mg__nomem(r->err, "CSV chunks");
        for (size_t i = 0; i < n; i++) {
            segs[i].from = body + len / n * i;
            segs[i].to = i + 1 == n ? r->plan.end : body + len / n * (i + 1);
            segs[i].plan = &r->plan;
        }
        mg_status st = mg__parallel_for((int)n, r->threads, count_task, segs);
        if (st != MG_OK) {
            free(segs);
            return mg__fail(r->err, st, "%s: could not run the parse threads", r->plan.source);
        }
        size_t quotes = 0;
        int64_t line = body_line;
        for (size_t i = 1; i < n; i++) {
            quotes += segs[i - 1].quotes;
            line += (int64_t)segs[i - 1].newlines;
            const char *p = segs[i].from;
            if (r->chunks[i - 1].start > p) {
                /* The previous scan ran past this cut: the first record
                 * boundary after it is the same, and scanning again would
                 * make a long quoted field cost once per chunk. */
                r->chunks[i].start = r->chunks[i - 1].start;
                r->chunks[i].line0 = r->chunks[i - 1].line0;
                continue;
            }
            bool inside = quotes & 1;
            int64_t l = line;
            for (; p < r->plan.end; p++) {
                if (*p == '"')
                    inside = !inside;
                else if (*p == '\n') {
                    l++;
                    if (!inside) {
                        p++;
                        break;
                    }
                }
            }
            r->chunks[i].start = p;
            r->chunks[i].line0 = l;
        }
        end_line = line + (int64_t)segs[n - 1].newlines;
        free(segs);
    }
    for (size_t i = 0; i < n; i++)
        r->chunks[i].end = i + 1 == n ? r->plan.end : r->chunks[i + 1].start;
    /* A record ends at a line feed of its chunk, or at the end of the data:
     * a chunk holds at most its line feeds (+ 1 for the last) rows. */
    int64_t ub0 = 0;
    for (size_t i = 0; i < n; i++) {
        csv_chunk *c = &r->chunks[i];
        c->ub = end_line < 0     ? -1
                : i + 1 == n ? end_line - c->line0 + 1
                             : r->chunks[i + 1].line0 - c->line0;
        c->ub0 = ub0;
        ub0 += c->ub;
    }
    for (size_t i = 0; i < n; i++) {
        csv_chunk *c = &r->chunks[i];
        c->index = (int)i;
        c->infer = mg__calloc((size_t)r->plan.nout, sizeof *c->infer);
        if (c->infer == NULL)
            return mg__nomem(r->err, "CSV chunks");
    }
    return MG_OK;
}

static mg_status infer_task(void *ctx, int i) {
    csv_read *r = ctx;
    return mg__csv_chunk_infer(&r->plan, &r->chunks[i]);
}

static mg_status fill_task(void *ctx, int i) {
    csv_read *r = ctx;
    csv_chunk *c = &r->chunks[i];
    if (c->dicts == NULL && (c->dicts = mg__calloc((size_t)r->plan.nout, sizeof *c->dicts)) == NULL)
        return c->status = mg__nomem(&c->err, "CSV dictionaries");
    return mg__csv_chunk_fill(&r->plan, c);
}

/* Rows of each chunk read to guess the column types for the single pass. */
#define CSV_GUESS_ROWS 1000

static mg_status guess_task(void *ctx, int i) {
    csv_read *r = ctx;
    mg__csv_chunk_guess(&r->plan, &r->chunks[i], CSV_GUESS_ROWS);
    return MG_OK;
}

static mg_status both_task(void *ctx, int i) {
    csv_read *r = ctx;
    csv_chunk *c = &r->chunks[i];
    size_t nout = (size_t)r->plan.nout;
    c->dicts = mg__calloc(nout, sizeof *c->dicts);
    c->bad = mg__calloc(nout, sizeof *c->bad);
    c->nulls = mg__calloc(nout, sizeof *c->nulls);
    if (c->dicts == NULL || c->bad == NULL || c->nulls == NULL)
        return c->status = mg__nomem(&c->err, "CSV chunk state");
    return mg__csv_chunk_both(&r->plan, c);
}

/* Runs a pass over every chunk. The first failing chunk in file order names
 * the first bad line. */
static mg_status run_pass(csv_read *r, mg__task_fn fn) {
    atomic_init(&r->plan.first_failed, INT_MAX);
    mg_status ran = mg__parallel_for(r->nchunks, r->threads, fn, r);
    for (int i = 0; i < r->nchunks; i++)
        if (r->chunks[i].status != MG_OK) {
            if (r->err != NULL)
                *r->err = r->chunks[i].err;
            return r->chunks[i].status;
        }
    if (ran != MG_OK)
        return mg__fail(r->err, ran, "%s: could not run the parse threads", r->plan.source);
    return MG_OK;
}

/* ---- between and after the passes ---------------------------------------- */

static mg_type merged_type(const csv_read *r, int o, int64_t *nulls, int64_t *nans) {
    csv_infer m = {true, true, true, false, 0, 0};
    for (int i = 0; i < r->nchunks; i++) {
        const csv_infer *s = &r->chunks[i].infer[o];
        m.can_bool &= s->can_bool;
        m.can_int &= s->can_int;
        m.can_float &= s->can_float;
        m.seen |= s->seen;
        m.nulls += s->nulls;
        m.nans += s->nans;
    }
    *nulls = m.nulls;
    *nans = m.nans;
    if (r->plan.forced[o] >= 0)
        return (mg_type)r->plan.forced[o];
    if (!m.seen)
        return MG_TYPE_F64;
    return m.can_bool    ? MG_TYPE_BOOL
           : m.can_int   ? MG_TYPE_I64
           : m.can_float ? MG_TYPE_F64
                         : MG_TYPE_STR;
}

static mg_status make_columns(csv_read *r, int64_t nrows) {
    csv_plan *p = &r->plan;
    r->cols = mg__calloc((size_t)p->nout, sizeof *r->cols);
    if (r->cols == NULL)
        return mg__nomem(r->err, "columns");
    for (int o = 0; o < p->nout; o++) {
        int64_t nulls, nans;
        mg_type type = merged_type(r, o, &nulls, &nans);
        if (type != MG_TYPE_STR)
            nulls += nans; /* a NaN is missing in a column of numbers */
        MG_TRY(mg__column_init(&r->cols[o], p->names[p->out_field[o]], type, nrows, r->err));
        if (nulls > 0) {
            size_t bytes = (size_t)(nrows + 7) / 8;
            r->cols[o].valid = mg__malloc(bytes);
            if (r->cols[o].valid == NULL)
                return mg__nomem(r->err, "a null bitmap");
            memset(r->cols[o].valid, 0xff, bytes);
            r->cols[o].null_count = nulls;
        }
    }
    p->cols = r->cols;
    return MG_OK;
}

/* One dictionary per string column in file order of first appearance: the
 * chunks' dictionaries are merged in chunk order and their codes remapped. */
static mg_status merge_dicts(csv_read *r) {
    for (int o = 0; o < r->plan.nout; o++) {
        mg_column *col = &r->cols[o];
        if (col->type != MG_TYPE_STR)
            continue;
        if (r->nchunks == 1) {
            col->dict = mg__csv_dict_take(&r->chunks[0].dicts[o], &col->ndict);
            continue;
        }
        csv_dict all = {0};
        for (int i = 0; i < r->nchunks; i++) {
            csv_chunk *c = &r->chunks[i];
            csv_dict *d = &c->dicts[o];
            if (d->n == 0)
                continue;
            int32_t *remap = mg__malloc_array((size_t)d->n, sizeof *remap);
            if (remap == NULL) {
                mg__csv_dict_release(&all);
                return mg__nomem(r->err, "a dictionary");
            }
            bool identity = true;
            for (int32_t k = 0; k < d->n; k++) {
                remap[k] = mg__csv_dict_code(&all, d->strs[k], d->lens[k]);
                if (remap[k] < 0) {
                    free(remap);
                    mg__csv_dict_release(&all);
                    return mg__fail(r->err, MG_ERR_NOMEM,
                                    "%s: column '%s': out of memory or more than 2^31 distinct "
                                    "strings",
                                    r->plan.source, col->name);
                }
                identity &= remap[k] == k;
            }
            if (!identity) {
                int32_t *codes = col->codes + c->row0;
                for (int64_t k = 0; k < c->nrows; k++)
                    codes[k] = remap[codes[k]];
            }
            free(remap);
            mg__csv_dict_release(d);
        }
        col->dict = mg__csv_dict_take(&all, &col->ndict);
    }
    return MG_OK;
}

/* After the single pass: a column whose guessed type is its inferred type
 * and that every chunk could hold keeps its values, moved from the chunks'
 * upper-bound offsets to their rows; any other is made again with its
 * inferred type and marked for the fill pass. Sets *redo when one is. */
static mg_status settle_column(csv_read *r, int o, int64_t nrows, bool *redo) {
    csv_plan *p = &r->plan;
    mg_column *col = &r->cols[o];
    int64_t nulls, nans;
    mg_type type = merged_type(r, o, &nulls, &nans);
    if (type != MG_TYPE_STR)
        nulls += nans; /* a NaN is missing in a column of numbers */
    bool again = type != col->type;
    int64_t listed = 0;
    for (int i = 0; i < r->nchunks && !again; i++) {
        const csv_chunk *c = &r->chunks[i];
        again = c->bad[o] || c->overflow;
        listed += (int64_t)c->nulls[o].n;
    }
    if (!again && listed != nulls)
        again = true; /* cannot happen: the pass saw the nulls it counted */
    if (again) {
        mg__column_release(col);
        MG_TRY(mg__column_init(col, p->names[p->out_field[o]], type, nrows, r->err));
        for (int i = 0; i < r->nchunks; i++)
            if (r->chunks[i].dicts != NULL)
                mg__csv_dict_release(&r->chunks[i].dicts[o]);
        p->redo[o] = true;
        *redo = true;
    } else {
        size_t es = mg__type_width(type);
        char *base = mg__column_values(col);
        for (int i = 0; i < r->nchunks; i++) {
            const csv_chunk *c = &r->chunks[i];
            if (c->ub0 != c->row0 && c->nrows > 0)
                memmove(base + (size_t)c->row0 * es, base + (size_t)c->ub0 * es,
                        (size_t)c->nrows * es);
        }
        col->nrows = nrows;
    }
    if (nulls > 0) {
        size_t bytes = (size_t)(nrows + 7) / 8;
        col->valid = mg__malloc(bytes);
        if (col->valid == NULL)
            return mg__nomem(r->err, "a null bitmap");
        memset(col->valid, 0xff, bytes);
        col->null_count = nulls;
        for (int i = 0; i < r->nchunks && !again; i++) {
            const csv_chunk *c = &r->chunks[i];
            for (size_t k = 0; k < c->nulls[o].n; k++) {
                int64_t row = c->row0 + c->nulls[o].v[k];
                col->valid[row >> 3] &= (uint8_t) ~(1u << (row & 7));
            }
        }
    }
    return MG_OK;
}

/* One pass over the data where the column types can be guessed: the types
 * the first rows of each chunk suggest, columns allocated for the most rows
 * the chunks' line feeds allow, and a pass that infers, checks and writes at
 * once (the same checks and errors as the two passes). A column that turns
 * out to have another type is filled by a second pass of its own. */
static mg_status read_single(csv_read *r, int64_t *nrows_out) {
    csv_plan *p = &r->plan;
    int64_t ub_total = 0;
    for (int i = 0; i < r->nchunks; i++)
        ub_total += r->chunks[i].ub;
    mg_status ran = mg__parallel_for(r->nchunks, r->threads, guess_task, r);
    if (ran != MG_OK)
        return mg__fail(r->err, ran, "%s: could not run the parse threads", p->source);
    r->cols = mg__calloc((size_t)p->nout, sizeof *r->cols);
    p->redo = mg__calloc((size_t)p->nout, sizeof *p->redo);
    if (r->cols == NULL || p->redo == NULL)
        return mg__nomem(r->err, "columns");
    for (int o = 0; o < p->nout; o++) {
        int64_t nulls, nans;
        mg_type guess = merged_type(r, o, &nulls, &nans);
        MG_TRY(mg__column_init(&r->cols[o], p->names[p->out_field[o]], guess, ub_total, r->err));
    }
    p->cols = r->cols;
    MG_TRY(run_pass(r, both_task));
    int64_t nrows = 0;
    for (int i = 0; i < r->nchunks; i++) {
        r->chunks[i].row0 = nrows;
        nrows += r->chunks[i].nrows;
    }
    *nrows_out = nrows;
    MG_TRY(mg__check_rows(p->source, nrows, r->opts, r->err));
    bool redo = false;
    for (int o = 0; o < p->nout; o++)
        MG_TRY(settle_column(r, o, nrows, &redo));
    if (redo)
        MG_TRY(run_pass(r, fill_task));
    return MG_OK;
}

static mg_status read_csv(csv_read *r, const mg_read_options *opts, size_t chunk_bytes,
                          mg_table **out) {
    csv_plan *p = &r->plan;
    MG_TRY(pick_delim(opts, p->source, &p->delim, r->err));
    const char *body = p->data;
    if ((size_t)(p->end - body) >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
        body += 3;
    const char *nonblank = body;
    if (mg__csv_rest_blank(body, p->end, &nonblank))
        return mg__fail(r->err, MG_ERR_FORMAT, "%s:1: empty file, expected a header row",
                        p->source);
    for (int k = 0; opts->na_values != NULL && k < opts->nna_values; k++) {
        const char *w = opts->na_values[k];
        size_t wl = strlen(w);
        char bad[] = {'"', p->delim, '\r', '\n', '\0'};
        if (wl > 63 || strpbrk(w, bad) != NULL ||
            (wl > 0 && (w[0] == ' ' || w[0] == '\t' || w[wl - 1] == ' ' || w[wl - 1] == '\t')))
            return mg__fail(r->err, MG_ERR_USAGE,
                            "%s: missing-value word '%.63s%s' could never match a cell; expected "
                            "at most 63 bytes without '\"', %s, line ends or blanks at either end",
                            p->source, w, wl > 63 ? "..." : "", mg__csv_delim_name(p->delim));
    }
    mg__csv_na_init(&p->na, opts->na_values, opts->na_values != NULL ? opts->nna_values : 0);
    int64_t body_line;
    MG_TRY(read_header(r, body, &body, &body_line));
    MG_TRY(select_columns(r, opts));

    r->threads = opts->threads > 0 ? opts->threads : mg__cpu_count();
    if (chunk_bytes == 0 && r->threads > 1 && (size_t)(p->end - body) > CSV_PARALLEL_MIN) {
        size_t n = (size_t)r->threads * 4;
        chunk_bytes = (size_t)(p->end - body) / n + 1;
        if (chunk_bytes < CSV_CHUNK_MIN)
            chunk_bytes = CSV_CHUNK_MIN;
    }
    MG_TRY(plan_chunks(r, body, body_line, chunk_bytes, true));
    /* One pass when the columns for the most rows the line feeds allow are
     * within the row cap; else (a file of many quoted line feeds, near the
     * cap) the rows are counted first. */
    int64_t ub_total = 0;
    for (int i = 0; i < r->nchunks; i++)
        ub_total += r->chunks[i].ub;
    bool single = ub_total <= mg__max_rows(opts);
    mg__progress_init(&r->progress, opts->progress, opts->progress_ctx,
                      (single ? 1 : 2) * (p->end - body));
    p->progress = &r->progress;

    int64_t nrows = 0;
    r->opts = opts;
    if (single) {
        MG_TRY(read_single(r, &nrows));
    } else {
        MG_TRY(run_pass(r, infer_task));
        for (int i = 0; i < r->nchunks; i++) {
            r->chunks[i].row0 = nrows;
            nrows += r->chunks[i].nrows;
        }
        MG_TRY(mg__check_rows(p->source, nrows, opts, r->err));
        MG_TRY(make_columns(r, nrows));
        MG_TRY(run_pass(r, fill_task));
    }
    MG_TRY(merge_dicts(r));
    mg__progress_done(&r->progress);

    mg_table *t = mg__calloc(1, sizeof *t);
    if (t == NULL || (t->source = mg__strdup(p->source)) == NULL) {
        free(t);
        return mg__nomem(r->err, "a table");
    }
    t->nrows = nrows;
    t->ncols = p->nout;
    t->cols = r->cols;
    r->cols = NULL;
    *out = t;
    return MG_OK;
}

mg_status mg__csv_read(const char *data, size_t len, const char *source,
                       const mg_read_options *opts, size_t chunk_bytes, mg_table **out,
                       mg_error *err) {
    *out = NULL;
    mg_read_options defaults = {0};
    csv_read r = {0};
    r.plan.data = data;
    r.plan.end = data + len;
    r.plan.source = source != NULL ? source : "<memory>";
    r.err = err;
    mg_status st = read_csv(&r, opts != NULL ? opts : &defaults, chunk_bytes, out);
    read_release(&r);
    return st;
}

mg_status mg__csv_read_mapped(const char *data, size_t len, const char *source,
                              const mg_read_options *opts, mg_table **out, mg_error *err) {
    *out = NULL;
    mg_read_options defaults = {0};
    csv_read r = {0};
    r.plan.data = data;
    r.plan.end = data + len;
    r.plan.source = source != NULL ? source : "<memory>";
    long page = sysconf(_SC_PAGESIZE);
    r.plan.release_page = page > 0 && (page & (page - 1)) == 0 ? (size_t)page : 0;
    r.err = err;
    mg_status st = read_csv(&r, opts != NULL ? opts : &defaults, 0, out);
    read_release(&r);
    return st;
}

mg_status mg__csv_header(const char *data, size_t len, const char *source,
                         const mg_read_options *opts, char ***names, int *n, mg_error *err) {
    *names = NULL;
    *n = 0;
    mg_read_options defaults = {0};
    csv_read r = {0};
    r.plan.data = data;
    r.plan.end = data + len;
    r.plan.source = source;
    r.err = err;
    mg_status st = pick_delim(opts != NULL ? opts : &defaults, source, &r.plan.delim, err);
    const char *body = data;
    if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
        body += 3;
    const char *nonblank = body;
    if (st == MG_OK && mg__csv_rest_blank(body, r.plan.end, &nonblank))
        st = mg__fail(err, MG_ERR_FORMAT, "%s:1: empty file, expected a header row", source);
    int64_t line;
    if (st == MG_OK)
        st = read_header(&r, body, &body, &line);
    if (st == MG_OK) {
        *names = r.plan.names;
        *n = r.plan.nfile;
        r.plan.names = NULL;
    }
    read_release(&r);
    return st;
}

mg_status mg_csv_read_buffer(const char *data, size_t len, const char *source,
                             const mg_read_options *opts, mg_table **out, mg_error *err) {
    return mg__csv_read(data, len, source, opts, 0, out, err);
}
