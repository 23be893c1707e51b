/* csv_chunk.c - the two passes of the CSV reader over one chunk of records:
 * pass one infers column types and checks the structure, pass two writes the
 * values. Both read fields in place; only fields with "" escapes are copied,
 * into one scratch buffer per chunk. */
#include "data/csv.h"

#include <sys/mman.h>

const uint8_t mg__csv_class[256] = {
    ['\r'] = CSV_UNQUOTED_STOP,
    ['\n'] = CSV_UNQUOTED_STOP | CSV_QUOTED_STOP,
    ['"'] = CSV_UNQUOTED_STOP | CSV_QUOTED_STOP,
    ['\0'] = CSV_UNQUOTED_STOP | CSV_QUOTED_STOP,
};

const char *mg__csv_delim_name(char delim) {
    switch (delim) {
    case '\t': return "a tab";
    case ';': return "';'";
    case '|': return "'|'";
    default: return "','";
    }
}

const char *mg__csv_unescape(const csv_field *f, mg__buf *scratch, size_t *len) {
    scratch->len = 0;
    if (!mg__buf_reserve(scratch, f->len))
        return NULL;
    char *o = scratch->data;
    const char *s = f->s, *e = f->s + f->len;
    /* Inside an escaped field every '"' is the first of a pair. */
    while (s < e) {
        char ch = *s++;
        *o++ = ch;
        if (ch == '"')
            s++;
    }
    *len = (size_t)(o - scratch->data);
    return scratch->data;
}

bool mg__csv_rest_blank(const char *p, const char *end, const char **nonblank) {
    if (p < *nonblank)
        return false;
    while (p < end && (*p == '\n' || *p == '\r'))
        p++;
    if (p == end)
        return true;
    *nonblank = p;
    return false;
}

void mg__csv_release(const csv_plan *plan, const char **from, const char *to) {
    size_t page = plan->release_page;
    if (page == 0)
        return;
    uintptr_t lo = ((uintptr_t)*from + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t hi = (uintptr_t)to & ~(uintptr_t)(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
    if (hi > (uintptr_t)*from)
        *from = (const char *)hi;
}

const char *mg__csv_place(const csv_plan *plan, int64_t line, int field, char *buf, size_t cap) {
    if (plan->names != NULL && field < plan->nfile)
        snprintf(buf, cap, "%s:%" PRId64 ":%d (column '%s')", plan->source, line, field + 1,
                 plan->names[field]);
    else
        snprintf(buf, cap, "%s:%" PRId64 ":%d", plan->source, line, field + 1);
    return buf;
}

static mg_status fault_message(const csv_plan *plan, const csv_fault *fault, int field,
                               mg_error *err) {
    char place[600];
    mg__csv_place(plan, fault->line, field, place, sizeof place);
    switch (fault->kind) {
    case CSV_FAULT_UNTERMINATED:
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: quoted field opened here is never closed; expected a closing '\"' "
                        "before the end of the file",
                        place);
    case CSV_FAULT_STRAY_QUOTE:
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: '\"' inside an unquoted field; expected the whole field in quotes, "
                        "with each '\"' in it doubled",
                        place);
    case CSV_FAULT_AFTER_QUOTE: {
        uint8_t ch = (uint8_t)*fault->at;
        if (ch > ' ' && ch < 0x7f)
            return mg__fail(err, MG_ERR_FORMAT,
                            "%s: '%c' after the closing quote; expected %s or the end of the line",
                            place, ch, mg__csv_delim_name(plan->delim));
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: byte 0x%02x after the closing quote; expected %s or the end of the "
                        "line",
                        place, ch, mg__csv_delim_name(plan->delim));
    }
    case CSV_FAULT_NUL:
        return mg__fail(err, MG_ERR_FORMAT, "%s: NUL byte at byte offset %zu; expected text", place,
                        (size_t)(fault->at - plan->data));
    case CSV_FAULT_BARE_CR:
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: carriage return not followed by a line feed; expected LF or CRLF "
                        "line endings",
                        place);
    case CSV_FAULT_NONE: break;
    }
    return mg__fail(err, MG_ERR_INTERNAL, "%s: CSV fault of unknown kind", place);
}

mg_status mg__csv_fault_error(const csv_plan *plan, const csv_fault *fault, int field,
                              mg_error *err) {
    fault_message(plan, fault, field, err);
    return mg__error_at(err, plan->source, fault->line, field + 1,
                        fault->at != NULL ? (int64_t)(fault->at - plan->data) : -1);
}

/* ---- values ------------------------------------------------------------- */

static inline void trim(const char **s, size_t *len) {
    const char *p = *s, *e = *s + *len;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *s = p;
    *len = (size_t)(e - p);
}

static inline char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_nan_word(const char *s, size_t len) {
    if (len == 4 && (s[0] == '+' || s[0] == '-')) {
        s++;
        len--;
    }
    return len == 3 && lower(s[0]) == 'n' && lower(s[1]) == 'a' && lower(s[2]) == 'n';
}

static const char *const default_na[] = {
    "",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A",  "NA",       "NULL", "NaN",    "None",     "n/a",  "nan",  "null",
};

const char *const *mg__csv_default_na(int *n) {
    *n = (int)(sizeof default_na / sizeof default_na[0]);
    return default_na;
}

void mg__csv_na_init(csv_na *na, const char *const *words, int n) {
    if (words == NULL)
        words = mg__csv_default_na(&n);
    memset(na, 0, sizeof *na);
    na->words = words;
    na->n = n;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(words[i]);
        if (len == 0) {
            na->empty = true;
        } else if (len < 64) {
            uint8_t c = (uint8_t)words[i][0];
            na->lens |= UINT64_C(1) << len;
            na->first[c >> 3] |= (uint8_t)(1u << (c & 7));
        }
    }
}

/* 1 for true, 0 for false (any case), -1 otherwise. */
static int parse_bool(const char *s, size_t len) {
    static const char t[] = "true", f[] = "false";
    const char *w = len == 4 ? t : len == 5 ? f : NULL;
    if (w == NULL)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (lower(s[i]) != w[i])
            return -1;
    return len == 4;
}

static bool ieq_word(const char *s, size_t len, const char *word, size_t wlen) {
    if (len != wlen)
        return false;
    for (size_t i = 0; i < len; i++)
        if (lower(s[i]) != word[i])
            return false;
    return true;
}

/* Whether mg_parse_double accepts [s, s+len): the same grammar, without the
 * conversion, so that the first pass does not convert every float twice. */
static bool is_number(const char *s, size_t len) {
    size_t i = 0, digits = 0;
    if (len > 0 && (s[0] == '+' || s[0] == '-'))
        i++;
    size_t start = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return ieq_word(s + start, len - start, "inf", 3) ||
               ieq_word(s + start, len - start, "infinity", 8) ||
               ieq_word(s + start, len - start, "nan", 3);
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e0)
            return false;
    }
    return i == len;
}

static const char *type_expectation(mg_type type) {
    switch (type) {
    case MG_TYPE_F64: return "a decimal number";
    case MG_TYPE_I64: return "a base-10 integer that fits in 64 bits";
    case MG_TYPE_BOOL: return "true or false";
    case MG_TYPE_STR: return "text";
    }
    return "a value";
}

/* The byte offset of a field's text in the file (an unescaped field points
 * into it; an unescaped copy does not: -1). */
static int64_t field_offset(const csv_plan *plan, const csv_field *f) {
    uintptr_t s = (uintptr_t)f->s;
    if (s >= (uintptr_t)plan->data && s <= (uintptr_t)plan->end)
        return (int64_t)(f->s - plan->data);
    return -1;
}

static mg_status bad_forced(const csv_plan *plan, csv_chunk *c, const csv_field *f, int field,
                            mg_type type) {
    char place[600];
    mg__csv_place(plan, f->line, field, place, sizeof place);
    int shown = f->len > 40 ? 40 : (int)f->len;
    mg__fail(&c->err, MG_ERR_DATA,
             "%s: '%.*s%s' is not a valid %s; expected %s (the column's type is overridden to %s)",
             place, shown, f->s, f->len > 40 ? "..." : "", mg_type_name(type),
             type_expectation(type), mg_type_name(type));
    return mg__error_at(&c->err, plan->source, f->line, field + 1, field_offset(plan, f));
}

static bool parses_as(mg_type type, const char *s, size_t len) {
    int64_t i;
    switch (type) {
    case MG_TYPE_F64: return is_number(s, len);
    case MG_TYPE_I64: return mg_parse_int64(s, len, &i) == 0;
    case MG_TYPE_BOOL: return parse_bool(s, len) >= 0;
    case MG_TYPE_STR: return true;
    }
    return false;
}

static mg_status infer_value(const csv_plan *plan, csv_chunk *c, int o, int field,
                             const csv_field *f) {
    csv_infer *st = &c->infer[o];
    const char *s = f->s;
    size_t len = f->len;
    trim(&s, &len);
    /* An escaped field holds a '"', so it is neither null nor a number. */
    if (!f->escaped && csv_is_na(&plan->na, s, len)) {
        st->nulls++;
        return MG_OK;
    }
    if (!f->escaped && is_nan_word(s, len)) {
        st->nans++; /* null or text: the column's type decides (make_columns) */
        return MG_OK;
    }
    st->seen = true;
    int forced = plan->forced[o];
    if (forced >= 0) {
        if (forced != MG_TYPE_STR && (f->escaped || !parses_as((mg_type)forced, s, len)))
            return c->status = bad_forced(plan, c, f, field, (mg_type)forced);
        return MG_OK;
    }
    if (!(st->can_bool | st->can_int | st->can_float))
        return MG_OK;
    if (f->escaped) {
        st->can_bool = st->can_int = st->can_float = false;
        return MG_OK;
    }
    if (st->can_bool && parse_bool(s, len) < 0)
        st->can_bool = false;
    if (st->can_int) {
        int64_t v;
        if (mg_parse_int64(s, len, &v) == 0)
            return MG_OK;
        st->can_int = false;
    }
    if (st->can_float && !is_number(s, len))
        st->can_float = false;
    return MG_OK;
}

/* Writes the dictionary code of string field f (unescaped, untrimmed) at
 * row of text column o; on failure sets and returns c->status. */
static mg_status put_string(const csv_plan *plan, csv_chunk *c, int o, int64_t row,
                            const csv_field *f) {
    mg_column *col = &plan->cols[o];
    const char *s = f->s;
    size_t len = f->len;
    if (f->escaped && (s = mg__csv_unescape(f, &c->scratch, &len)) == NULL)
        return c->status = mg__nomem(&c->err, "a CSV field");
    int32_t code = mg__csv_dict_code(&c->dicts[o], s, len);
    if (code < 0)
        return c->status = mg__fail(&c->err, MG_ERR_NOMEM,
                                    "%s: column '%s': out of memory or more than 2^31 "
                                    "distinct strings",
                                    plan->source, col->name);
    col->codes[row] = code;
    return MG_OK;
}

static mg_status fill_value(const csv_plan *plan, csv_chunk *c, int o, int64_t row,
                            const csv_field *f) {
    mg_column *col = &plan->cols[o];
    const char *s = f->s;
    size_t len = f->len;
    trim(&s, &len);
    if (!f->escaped && (csv_is_na(&plan->na, s, len) ||
                        (col->type != MG_TYPE_STR && is_nan_word(s, len)))) {
        if (col->valid == NULL)
            return c->status = mg__fail(&c->err, MG_ERR_INTERNAL,
                                        "%s: null in column '%s' missed by the first pass",
                                        plan->source, col->name);
        /* Chunks share the bitmap bytes at their edges. */
        __atomic_fetch_and(&col->valid[row >> 3], (uint8_t) ~(1u << (row & 7)), __ATOMIC_RELAXED);
        return MG_OK;
    }
    bool ok = true;
    switch (col->type) {
    case MG_TYPE_F64: ok = mg_parse_double(s, len, &col->f64[row]) == 0; break;
    case MG_TYPE_I64: ok = mg_parse_int64(s, len, &col->i64[row]) == 0; break;
    case MG_TYPE_BOOL: {
        int b = parse_bool(s, len);
        ok = b >= 0;
        col->b[row] = (uint8_t)(b > 0);
        break;
    }
    case MG_TYPE_STR:
        if (put_string(plan, c, o, row, f) != MG_OK)
            return c->status;
        break;
    }
    if (!ok)
        return c->status = mg__fail(&c->err, MG_ERR_INTERNAL,
                                    "%s: column '%s' row %" PRId64
                                    ": value changed type between the passes",
                                    plan->source, col->name, row);
    return MG_OK;
}

static bool rows_push(csv_rows *r, int64_t row) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        int64_t *v = mg__realloc_array(r->v, cap, sizeof *v);
        if (v == NULL)
            return false;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = row;
    return true;
}

/* The single pass's write of a value at row c->ub0 + local, in the column's
 * type (a guess until every chunk is read): the same reading as fill_value.
 * A value the type cannot hold marks the column bad for this chunk (the
 * column is filled again later with its inferred type). */
static mg_status spec_value(const csv_plan *plan, csv_chunk *c, int o, int64_t local,
                            const csv_field *f) {
    if (c->bad[o])
        return MG_OK;
    mg_column *col = &plan->cols[o];
    const char *s = f->s;
    size_t len = f->len;
    trim(&s, &len);
    if (!f->escaped && (csv_is_na(&plan->na, s, len) ||
                        (col->type != MG_TYPE_STR && is_nan_word(s, len)))) {
        if (!rows_push(&c->nulls[o], local))
            c->bad[o] = true;
        return MG_OK;
    }
    int64_t row = c->ub0 + local;
    bool ok = !f->escaped;
    switch (col->type) {
    case MG_TYPE_F64: ok = ok && mg_parse_double(s, len, &col->f64[row]) == 0; break;
    case MG_TYPE_I64: ok = ok && mg_parse_int64(s, len, &col->i64[row]) == 0; break;
    case MG_TYPE_BOOL: {
        int b = ok ? parse_bool(s, len) : -1;
        ok = b >= 0;
        col->b[row] = (uint8_t)(b > 0);
        break;
    }
    case MG_TYPE_STR:
        if (put_string(plan, c, o, row, f) != MG_OK)
            return c->status;
        ok = true;
        break;
    }
    if (!ok)
        c->bad[o] = true;
    return MG_OK;
}

/* ---- the record loop shared by both passes ----------------------------- */

static mg_status ragged(const csv_plan *plan, csv_chunk *c, int nfields, int64_t line,
                        const csv_field *last) {
    if (nfields == 1 && last->len == 0 && !last->quoted)
        return c->status = mg__fail(&c->err, MG_ERR_FORMAT,
                                    "%s:%" PRId64 ": blank line; expected %d fields as in the "
                                    "header (blank lines are allowed only at the end)",
                                    plan->source, line, plan->nfile);
    char place[600];
    int field = nfields < plan->nfile ? nfields : plan->nfile;
    mg__csv_place(plan, line, field, place, sizeof place);
    mg__fail(&c->err, MG_ERR_FORMAT, "%s: row has %d field%s, expected %d as in the header",
             place, nfields, nfields == 1 ? "" : "s", plan->nfile);
    return c->status = mg__error_at(&c->err, plan->source, line, field + 1, -1);
}

enum { SCAN_INFER, SCAN_FILL, SCAN_BOTH, SCAN_GUESS };

static mg_status scan_chunk(const csv_plan *plan, csv_chunk *c, int mode, int64_t limit) {
    const bool fill = mode == SCAN_FILL, both = mode == SCAN_BOTH, guess = mode == SCAN_GUESS;
    csv_scan sc = {c->start, plan->end, c->line0, plan->delim};
    csv_field f;
    csv_fault fault;
    int64_t rows = 0;
    const char *reported = c->start; /* bytes up to here are in plan->progress */
    const char *kept = c->start;     /* pages before this are given back */
    const int nfile = plan->nfile;
    const int *sel = plan->sel;
    c->nonblank = c->start;
    while (sc.p < c->end) {
        if ((*sc.p == '\n' || *sc.p == '\r') && mg__csv_rest_blank(sc.p, plan->end, &c->nonblank))
            break;
        if (fill && rows == c->nrows)
            break; /* more rows than the first pass saw: reported below, never written */
        if (guess && rows == limit)
            return MG_OK;
        if (both && rows == c->ub)
            c->overflow = true; /* no room: the fill pass writes every column */
        int j = 0, r;
        int64_t extra_line = 0;
        do {
            r = csv_next_field(&sc, &f, &fault);
            if (r == CSV_ERROR)
                return c->status = mg__csv_fault_error(plan, &fault, j, &c->err);
            if (j < nfile) {
                int o = sel[j];
                if (o >= 0) {
                    if (fill) {
                        if (plan->redo == NULL || plan->redo[o])
                            MG_TRY(fill_value(plan, c, o, c->row0 + rows, &f));
                    } else {
                        MG_TRY(infer_value(plan, c, o, j, &f));
                        if (both && !c->overflow)
                            MG_TRY(spec_value(plan, c, o, rows, &f));
                    }
                }
            } else if (j == nfile) {
                extra_line = f.line;
            }
            j++;
        } while (r == CSV_MORE);
        if (j != nfile) {
            /* A short row is reported where it ends; a long one at its first extra field. */
            int64_t line = j > nfile ? extra_line : sc.p[-1] == '\n' ? sc.line - 1 : sc.line;
            return ragged(plan, c, j, line, &f);
        }
        rows++;
        if (!guess && (rows & 4095) == 0) {
            if (atomic_load_explicit(&plan->first_failed, memory_order_relaxed) < c->index)
                return MG_OK; /* an earlier chunk failed; this one's result is not used */
            mg__progress_add(plan->progress, sc.p - reported);
            reported = sc.p;
            mg__csv_release(plan, &kept, sc.p);
        }
    }
    if (guess)
        return MG_OK;
    mg__progress_add(plan->progress, c->end - reported);
    mg__csv_release(plan, &kept, sc.p < c->end ? sc.p : c->end);
    if (fill &&
        (rows != c->nrows || (sc.p < c->end && !mg__csv_rest_blank(sc.p, plan->end, &c->nonblank))))
        return c->status = mg__fail(&c->err, MG_ERR_INTERNAL,
                                    "%s: chunk at byte %zu has %" PRId64
                                    " rows in the second pass, %" PRId64 " in the first",
                                    plan->source, (size_t)(c->start - plan->data), rows, c->nrows);
    c->nrows = rows;
    return MG_OK;
}

static void note_failure(csv_plan *plan, int index) {
    int seen = atomic_load_explicit(&plan->first_failed, memory_order_relaxed);
    while (index < seen && !atomic_compare_exchange_weak(&plan->first_failed, &seen, index)) {
    }
}

static mg_status run_chunk(csv_plan *plan, csv_chunk *c, int mode) {
    mg_status st = scan_chunk(plan, c, mode, 0);
    if (st != MG_OK)
        note_failure(plan, c->index);
    return st;
}

static void infer_reset(const csv_plan *plan, csv_chunk *c) {
    for (int o = 0; o < plan->nout; o++)
        c->infer[o] = (csv_infer){true, true, true, false, 0, 0};
}

mg_status mg__csv_chunk_infer(csv_plan *plan, csv_chunk *c) {
    infer_reset(plan, c);
    return run_chunk(plan, c, SCAN_INFER);
}

void mg__csv_chunk_guess(csv_plan *plan, csv_chunk *c, int64_t rows) {
    infer_reset(plan, c);
    (void)scan_chunk(plan, c, SCAN_GUESS, rows);
    c->status = MG_OK;
    c->err = (mg_error){0};
}

mg_status mg__csv_chunk_both(csv_plan *plan, csv_chunk *c) {
    infer_reset(plan, c);
    return run_chunk(plan, c, SCAN_BOTH);
}

mg_status mg__csv_chunk_fill(csv_plan *plan, csv_chunk *c) {
    return run_chunk(plan, c, SCAN_FILL);
}
