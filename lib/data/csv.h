/* csv.h - internals of the CSV reader shared by lib/data/csv*.c: the field
 * tokenizer (inline, it is the hot loop), string dictionaries, and the
 * per-chunk state of the two-pass parse (infer types, then fill columns). */
#ifndef MG_CSV_H
#define MG_CSV_H

#include "internal.h"

#include <stdatomic.h>

/* ---- tokenizer ------------------------------------------------------------ */

/* Why a field could not be read. */
typedef enum csv_fault_kind {
    CSV_FAULT_NONE = 0,
    CSV_FAULT_UNTERMINATED, /* a quoted field runs to the end of the data */
    CSV_FAULT_STRAY_QUOTE,  /* '"' inside an unquoted field */
    CSV_FAULT_AFTER_QUOTE,  /* something other than the delimiter or a line end after a closing quote */
    CSV_FAULT_NUL,          /* a NUL byte */
    CSV_FAULT_BARE_CR       /* '\r' not followed by '\n' outside quotes */
} csv_fault_kind;

typedef struct csv_fault {
    csv_fault_kind kind;
    int64_t line;   /* physical line of the fault (of the opening quote if unterminated) */
    const char *at; /* the offending byte */
} csv_fault;

/* A cursor over the data; `line` is the 1-based physical line of `p`;
 * `delim` separates fields (',' unless mg_read_options.delimiter says). */
typedef struct csv_scan {
    const char *p;
    const char *end;
    int64_t line;
    char delim;
} csv_scan;

/* One field: the bytes between the quotes for a quoted field, still escaped
 * (`escaped` says it holds "" pairs). */
typedef struct csv_field {
    const char *s;
    size_t len;
    int64_t line; /* where the field starts */
    bool quoted;
    bool escaped;
} csv_field;

enum { CSV_MORE = 0, CSV_LAST = 1, CSV_ERROR = -1 };

/* Byte classes: 1 ends an unquoted field, 2 matters inside quotes. The
 * delimiter is not in the table: it is compared separately. */
extern const uint8_t mg__csv_class[256];
#define CSV_UNQUOTED_STOP 1
#define CSV_QUOTED_STOP 2

/* Word-at-a-time search for the bytes that stop a field: fields are short,
 * and a byte loop pays a mispredicted branch at the end of each one. The
 * lowest flagged byte of csv_zero_bytes is exact (borrows only run upward),
 * which is all csv_skip needs. */
#define CSV_ONES UINT64_C(0x0101010101010101)
static inline uint64_t csv_zero_bytes(uint64_t v) {
    return (v - CSV_ONES) & ~v & (CSV_ONES << 7);
}

/* First byte at or after p that is NUL, '"', '\n', or (when unquoted) `delim`
 * or '\r'; `end` when there is none. */
static inline const char *csv_skip(const char *p, const char *end, bool unquoted, char delim) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t m = csv_zero_bytes(w) | csv_zero_bytes(w ^ (CSV_ONES * '"')) |
                     csv_zero_bytes(w ^ (CSV_ONES * '\n'));
        if (unquoted)
            m |= csv_zero_bytes(w ^ (CSV_ONES * (uint8_t)delim)) |
                 csv_zero_bytes(w ^ (CSV_ONES * '\r'));
        if (m != 0)
            return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    uint8_t stop = unquoted ? CSV_UNQUOTED_STOP : CSV_QUOTED_STOP;
    while (p < end && !(mg__csv_class[(uint8_t)*p] & stop) && !(unquoted && *p == delim))
        p++;
    return p;
}

/* Reads the field at sc->p and its terminator. Returns CSV_MORE when the
 * delimiter follows, CSV_LAST at a line end or the end of the data, CSV_ERROR with
 * *fault filled otherwise. */
static inline int csv_next_field(csv_scan *sc, csv_field *f, csv_fault *fault) {
    const char *p = sc->p, *end = sc->end;
    f->line = sc->line;
    if (p < end && *p == '"') {
        const char *open = p;
        int64_t open_line = sc->line;
        bool escaped = false;
        const char *s = ++p;
        for (;;) {
            p = csv_skip(p, end, false, sc->delim);
            if (p >= end) {
                *fault = (csv_fault){CSV_FAULT_UNTERMINATED, open_line, open};
                return CSV_ERROR;
            }
            if (*p == '\n') {
                sc->line++;
                p++;
            } else if (*p == '\0') {
                *fault = (csv_fault){CSV_FAULT_NUL, sc->line, p};
                return CSV_ERROR;
            } else if (p + 1 < end && p[1] == '"') {
                escaped = true;
                p += 2;
            } else {
                break;
            }
        }
        f->s = s;
        f->len = (size_t)(p - s);
        f->quoted = true;
        f->escaped = escaped;
        p++;
    } else {
        const char *s = p;
        p = csv_skip(p, end, true, sc->delim);
        f->s = s;
        f->len = (size_t)(p - s);
        f->quoted = false;
        f->escaped = false;
    }
    if (p >= end) {
        sc->p = p;
        return CSV_LAST;
    }
    if (*p == sc->delim) {
        sc->p = p + 1;
        return CSV_MORE;
    }
    switch (*p) {
    case '\n':
        sc->line++;
        sc->p = p + 1;
        return CSV_LAST;
    case '\r':
        if (p + 1 < end && p[1] == '\n') {
            sc->line++;
            sc->p = p + 2;
            return CSV_LAST;
        }
        *fault = (csv_fault){CSV_FAULT_BARE_CR, sc->line, p};
        return CSV_ERROR;
    case '\0': *fault = (csv_fault){CSV_FAULT_NUL, sc->line, p}; return CSV_ERROR;
    case '"': *fault = (csv_fault){CSV_FAULT_STRAY_QUOTE, sc->line, p}; return CSV_ERROR;
    default: *fault = (csv_fault){CSV_FAULT_AFTER_QUOTE, sc->line, p}; return CSV_ERROR;
    }
}

/* Writes the unescaped bytes of a quoted field with "" pairs into scratch and
 * returns them (not NUL-terminated; length in *len). NULL when out of memory. */
const char *mg__csv_unescape(const csv_field *f, mg__buf *scratch, size_t *len);

/* "','", "';'", "'|'" or "a tab": the delimiter as messages name it. */
const char *mg__csv_delim_name(char delim);

/* The delimiter a one-column header looks like it was written with ('\t',
 * ';' or '|', the most frequent of them in `name`), or 0. */
char mg__csv_delim_guess(const char *name);

/* ---- string dictionary ---------------------------------------------------- */

/* Distinct strings in first-seen order with a hash index. Strings are owned
 * copies (NUL-terminated) until taken by mg__csv_dict_take. */
#define CSV_DICT_SHORT 64
typedef struct csv_dict {
    char **strs;
    uint32_t *lens;
    uint32_t *hashes;
    int32_t n, cap;
    int32_t *slots; /* index + 1, 0 = empty */
    uint32_t nslots;
    /* Strings of at most 8 bytes seen lately, by their bytes as one word
     * (direct-mapped): a column of a few short categories costs a compare
     * per cell instead of a hash and a memcmp. */
    struct {
        uint64_t word;
        int32_t code;
        uint32_t len1; /* length + 1; 0 = empty entry */
    } in_short[CSV_DICT_SHORT];
} csv_dict;

/* Code of [s, s+len) in d, inserting a copy when new. Returns -1 when out of
 * memory or past INT32_MAX distinct strings. */
int32_t mg__csv_dict_code(csv_dict *d, const char *s, size_t len);
/* Moves the strings out (caller frees each and the array); d keeps none. */
char **mg__csv_dict_take(csv_dict *d, int32_t *n);
void mg__csv_dict_release(csv_dict *d);

/* ---- missing-value spellings --------------------------------------------- */

/* The cell texts read as null (mg_read_options.na_values, or pandas'
 * defaults), compared with a cell after trimming spaces and tabs. A quoted
 * cell with "" escapes holds a '"' and matches none. `first` (a bitset of
 * first bytes) and `lens` (a bitset of lengths below 64) reject most cells
 * before any comparison. */
typedef struct csv_na {
    const char *const *words;
    int n;
    bool empty; /* '' is in the list */
    uint64_t lens;
    uint8_t first[32];
} csv_na;

/* Builds the matcher over `words` (borrowed, kept by pointer; NULL = pandas'
 * defaults, see mg__csv_default_na). Words longer than 63 bytes match nothing
 * and are refused by the caller. */
void mg__csv_na_init(csv_na *na, const char *const *words, int n);

/* pandas' default na_values (pandas 2: includes "None"), in the order of
 * docs/data.md; *n receives the count. */
const char *const *mg__csv_default_na(int *n);

static inline bool csv_is_na(const csv_na *na, const char *s, size_t len) {
    if (len == 0)
        return na->empty;
    if (len >= 64 || !((na->lens >> len) & 1) ||
        !((na->first[(uint8_t)s[0] >> 3] >> ((uint8_t)s[0] & 7)) & 1))
        return false;
    for (int i = 0; i < na->n; i++)
        if (strlen(na->words[i]) == len && memcmp(na->words[i], s, len) == 0)
            return true;
    return false;
}

/* ---- the parse ------------------------------------------------------------ */

/* What the values of one column seen so far can be. */
typedef struct csv_infer {
    bool can_bool, can_int, can_float, seen;
    int64_t nulls;
    /* NaN spelled in any case or sign but not a missing-value word: null in a
     * column of numbers (a NaN is never stored), text in a string column. */
    int64_t nans;
} csv_infer;

/* The parse of the whole input, shared by the chunk workers (read-only but
 * for first_failed). */
typedef struct csv_plan {
    const char *data; /* start of the data (byte offsets count from here) */
    const char *end;
    const char *source;
    char delim;      /* the field separator */
    int nfile;       /* fields in the header */
    char **names;    /* header names, nfile */
    int *sel;        /* per file field: output column or -1 */
    int nout;        /* selected columns */
    int *out_field;  /* per output column: its file field */
    int8_t *forced;  /* per output column: forced mg_type or -1 */
    csv_na na;       /* the cells read as null */
    mg_column *cols; /* per output column: allocated before the fill (see csv.c) */
    bool *redo;      /* per output column: filled by the fill pass; NULL = all */
    mg__progress *progress; /* bytes scanned, over both passes */
    /* The data is a read-only private file mapping: each pass gives back
     * the pages it has scanned (madvise MADV_DONTNEED drops them from this
     * process only; a later read faults them in again from the page cache),
     * so that the whole file is never resident at once. 0 = never. */
    size_t release_page;
    /* Index of the first chunk that failed in the current pass: later chunks
     * stop early, since an earlier error is the one reported. */
    atomic_int first_failed;
} csv_plan;

/* Rows of a chunk (0-based within it), as a growable array. */
typedef struct csv_rows {
    int64_t *v;
    size_t n, cap;
} csv_rows;

/* One chunk: the records starting in [start, end). */
typedef struct csv_chunk {
    int index;
    const char *start, *end;
    int64_t line0; /* physical line of start */
    int64_t nrows;
    int64_t row0;     /* first row in the table, set after the rows are counted */
    int64_t ub, ub0;  /* at most ub rows (its line feeds, + 1 for the last chunk);
                       * the single pass writes them from row ub0 of the columns */
    bool overflow;    /* more rows than ub (a file whose quotes fault) */
    bool *bad;        /* per output column: a value the column's type cannot hold */
    csv_rows *nulls;  /* per output column: the null rows, in the single pass */
    csv_infer *infer; /* per output column */
    csv_dict *dicts;  /* per output column (strings only) */
    mg__buf scratch;
    const char *nonblank; /* a byte known not to be a line end (blank-line cache) */
    mg_status status;
    mg_error err;
} csv_chunk;

/* Pass one over a chunk: counts rows, infers column types, validates forced
 * types and the structure. Fills c->status/c->err on the first fault. */
mg_status mg__csv_chunk_infer(csv_plan *plan, csv_chunk *c);
/* The types the first `rows` rows of a chunk suggest, into c->infer; a
 * fault ends the guess quietly (the full pass reports it). */
void mg__csv_chunk_guess(csv_plan *plan, csv_chunk *c, int64_t rows);
/* Pass one and the values at once: as mg__csv_chunk_infer, and writes each
 * value into plan->cols at row c->ub0 + its row in the chunk when the
 * column's type (the guess) holds it, else marks the column c->bad; null
 * rows go to c->nulls. */
mg_status mg__csv_chunk_both(csv_plan *plan, csv_chunk *c);
/* Pass two: writes the values of rows [c->row0, c->row0 + c->nrows) into
 * plan->cols (only the plan->redo ones when set); string codes are local
 * to c->dicts until remapped. */
mg_status mg__csv_chunk_fill(csv_plan *plan, csv_chunk *c);

/* Formats a tokenizer fault for field `field` (0-based) of the file. */
mg_status mg__csv_fault_error(const csv_plan *plan, const csv_fault *fault, int field,
                              mg_error *err);

/* Gives back the whole pages of the mapping in [*from, to) when
 * plan->release_page is set, and moves *from to the first one kept. */
void mg__csv_release(const csv_plan *plan, const char **from, const char *to);

/* Prefix "PATH:LINE:COL (column 'NAME')" for field (0-based) into buf. */
const char *mg__csv_place(const csv_plan *plan, int64_t line, int field, char *buf, size_t cap);

/* True when [p, end) holds only line ends. *nonblank caches the last byte
 * found not to be one, so that a run of blank lines is scanned once. */
bool mg__csv_rest_blank(const char *p, const char *end, const char **nonblank);

#endif
