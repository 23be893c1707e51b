/* modelgate.h - public core of libmodelgate: status codes, errors, the typed
 * columnar table and reading test data into it.
 *
 * Conventions (see each declaration):
 *   - Every fallible function returns an mg_status; 0 (MG_OK) is success. On
 *     failure it fills the caller's mg_error with one line that names the file
 *     and the place (row/column, byte offset, key) and what was expected.
 *   - The library never prints, never exits and never aborts on bad input.
 *   - "Caller frees with X" marks a new object; "borrowed" marks a pointer that
 *     stays owned by its container and lives as long as it does.
 */
#ifndef MODELGATE_H
#define MODELGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MG_BUILDING_LIBRARY)
#define MG_API __attribute__((visibility("default")))
#else
#define MG_API
#endif

#define MG_VERSION "0.1.0"

/* ---- status and errors ------------------------------------------------ */

typedef enum mg_status {
    MG_OK = 0,
    MG_ERR_USAGE,       /* the caller passed an invalid argument or option */
    MG_ERR_IO,          /* a file could not be opened, read or written */
    MG_ERR_FORMAT,      /* malformed input data (CSV, Parquet, model file) */
    MG_ERR_DATA,        /* well-formed data with the wrong content (types, values) */
    MG_ERR_UNSUPPORTED, /* valid input that modelgate refuses to handle */
    MG_ERR_MODEL,       /* a model could not be loaded or failed to predict */
    MG_ERR_NOMEM,       /* out of memory */
    MG_ERR_INTERNAL     /* a bug in modelgate */
} mg_status;

#define MG_ERROR_TEXT_MAX 1024

/* Where in an input an error was found, as jansson's json_error_t gives it,
 * for a program that points at the place (an editor, a CI annotation)
 * without parsing `text`. Fields that do not apply are "" / 0 / -1. */
typedef struct mg_error_place {
    char source[256]; /* the file (path as given); "" when the error has no place */
    int64_t line;     /* 1-based line of the file (CSV: physical line), 0 = unknown */
    int64_t column;   /* 1-based column (CSV: field number), 0 = unknown */
    int64_t offset;   /* byte offset from the start of the file, -1 = unknown */
} mg_error_place;

/* The error of the most recent failing call: status, one line of text that
 * already names the place, and the place as data. */
typedef struct mg_error {
    mg_status status;
    char text[MG_ERROR_TEXT_MAX];
    mg_error_place place;
} mg_error;

/* A short, static name for a status ("bad input format", ...). */
MG_API const char *mg_strerror(mg_status status);

/* Resets err to MG_OK with an empty text. */
MG_API void mg_error_clear(mg_error *err);

/* Library version string (MG_VERSION); static storage. */
MG_API const char *mg_version(void);

/* Provenance: what every output file records about its inputs (its
 * "provenance" object). Strings are borrowed; a NULL digest is written as
 * null. The baseline fields are for files that compare two models
 * (comparison.json, latency.json with a baseline); NULL elsewhere. */
/* How messages name where an input came from: by default the command line's
 * flags ("--classes"); a policy run names its keys and their places
 * ("modelgate.yml:7:3 data.classes"). Borrowed; a NULL member, or a NULL
 * pointer to the struct, names the flag. */
typedef struct mg_input_names {
    const char *label, *task, *positive_label, *classes, *features, *ignore;
} mg_input_names;

typedef struct mg_provenance {
    const char *data_path;    /* the test data; NULL for synthetic rows */
    const char *data_sha256;  /* may be NULL */
    const char *model_arg;    /* the model (the candidate when there are two) */
    const char *model_sha256; /* may be NULL */
    const char *baseline_arg;
    const char *baseline_sha256;
} mg_provenance;

/* The decision of a gate (DESIGN §4): pass, fail, or inconclusive when the
 * data are too few (or a value is undefined) to decide either way. */
typedef enum mg_verdict {
    MG_VERDICT_PASS = 0,
    MG_VERDICT_FAIL,
    MG_VERDICT_INCONCLUSIVE
} mg_verdict;

/* "pass", "fail", "inconclusive"; static storage. */
MG_API const char *mg_verdict_name(mg_verdict v);

/* ---- the table ---------------------------------------------------------- */

typedef enum mg_type {
    MG_TYPE_F64 = 0, /* double */
    MG_TYPE_I64,     /* int64_t */
    MG_TYPE_BOOL,    /* uint8_t, 0 or 1 */
    MG_TYPE_STR      /* int32_t codes into a dictionary of distinct strings */
} mg_type;

/* Name of a type as used in messages and `--column-type` ("float", "int",
 * "bool", "string"). */
MG_API const char *mg_type_name(mg_type type);

/* One column. Exactly one of the value arrays is set, by type. `valid` is a
 * bitmap (bit i of byte i/8 set = row i holds a value); NULL means no nulls.
 * Values at null rows are unspecified (0 in practice). For strings, `codes[i]`
 * indexes `dict` (ndict distinct strings, NUL-terminated, in first-seen
 * order). Everything is owned by the table. */
typedef struct mg_column {
    char *name;
    mg_type type;
    int64_t nrows;
    int64_t null_count;
    uint8_t *valid;
    double *f64;
    int64_t *i64;
    uint8_t *b;
    int32_t *codes;
    char **dict;
    int32_t ndict;
} mg_column;

/* A table of equally long columns, read from `source` (a path). */
typedef struct mg_table {
    char *source;
    int64_t nrows;
    int ncols;
    mg_column *cols;
} mg_table;

/* True when row i of col is null. */
static inline int mg_column_is_null(const mg_column *col, int64_t i) {
    return col->valid != NULL && !((col->valid[i >> 3] >> (i & 7)) & 1);
}

/* Numeric value of row i (f64, i64 or bool as 0/1). Returns 0 and sets *out on
 * success, -1 when the row is null or the column holds strings. */
MG_API int mg_column_number(const mg_column *col, int64_t i, double *out);

/* The string of row i: the dictionary entry for strings, NULL for a null row.
 * Numbers are not formatted here (see mg_column_format). Borrowed. */
MG_API const char *mg_column_string(const mg_column *col, int64_t i);

/* Writes row i of col as text into buf (cap bytes, always NUL-terminated):
 * strings verbatim, integers in decimal, doubles in shortest round-trip form,
 * booleans as "true"/"false", nulls as "". Returns buf. */
MG_API char *mg_column_format(const mg_column *col, int64_t i, char *buf, size_t cap);

/* Column by exact name, or NULL. Borrowed from the table. */
MG_API mg_column *mg_table_column(const mg_table *table, const char *name);

/* Index of the column by exact name, or -1. */
MG_API int mg_table_column_index(const mg_table *table, const char *name);

/* Frees the table and everything it owns; NULL is fine. */
MG_API void mg_table_free(mg_table *table);

/* ---- reading test data ------------------------------------------------- */

/* A per-column type override: the named column is read as `type`. */
typedef struct mg_type_override {
    const char *column;
    mg_type type;
} mg_type_override;

typedef struct mg_read_options {
    /* Columns to read, by name; NULL reads every column. A named column that
     * the file lacks is an error naming it. Columns keep the file's order. */
    const char *const *columns;
    int ncolumns;
    /* Type overrides; a value that does not parse as the type is an error. */
    const mg_type_override *overrides;
    int noverrides;
    /* Worker threads for parsing large inputs; 0 picks the number of CPUs. */
    int threads;
    /* CSV only: the cell texts read as missing (null), compared with each cell
     * after trimming spaces and tabs; "" is the empty cell. NULL uses pandas'
     * read_csv defaults ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN",
     * "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN",
     * "None", "n/a", "nan", "null"); a non-NULL list replaces them (nna_values
     * may be 0: no cell is missing). Whatever the list, NaN in any case or sign
     * is missing in a column of numbers, since no NaN is stored as a value; in
     * a string column it is text unless listed. A word longer than 63 bytes,
     * with a '"', ',', line end, or leading or trailing blank is an MG_ERR_USAGE
     * error (it could never match). Borrowed for the call. */
    const char *const *na_values;
    int nna_values;
    /* An input that is not a regular file (a pipe, a FIFO, /dev/stdin) can
     * be read only once, so it is read whole into memory: at most this many
     * bytes (0 = MG_DEFAULT_MAX_INPUT_BYTES), else MG_ERR_UNSUPPORTED. Regular
     * files are mapped and not limited. */
    uint64_t max_input_bytes;
    /* When not NULL: 65 bytes that receive the SHA-256 (64 lowercase hex
     * digits + NUL) of the bytes read from a non-regular input - which the
     * caller cannot read a second time to hash - or "" for a regular file or
     * a folder (hash those with mg_file_sha256). */
    char *sha256_out;
    /* At most this many rows: a larger table is MG_ERR_UNSUPPORTED, refused
     * before its columns are allocated (Parquet: from the footer's count).
     * 0 picks MG_MAX_ROWS_DEFAULT; a negative value lifts the cap. */
    int64_t max_rows;
    /* CSV only: the byte between fields: ',' (0 means ','), ';', '\t' or '|';
     * any other is an MG_ERR_USAGE error. Quotes and line ends are as in
     * RFC 4180 whatever the delimiter. */
    char delimiter;
    /* When not NULL: called while the input is parsed with the work done so
     * far and the total (`done` never decreases; a last call has done ==
     * total). Units: bytes of a CSV file (each byte counts twice: the reader
     * makes two passes), compressed bytes of the column chunks read of a
     * Parquet file, part files of a folder. It may be called from the
     * reader's worker threads, but never by two at once, and must return
     * quickly without calling the library. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} mg_read_options;

/* The row cap that mg_read_options.max_rows = 0 picks (docs/security.md). */
#define MG_MAX_ROWS_DEFAULT INT64_C(100000000)

/* The default of mg_read_options.max_input_bytes: 4 GiB. */
#define MG_DEFAULT_MAX_INPUT_BYTES ((uint64_t)4 << 30)

/* Reads the test data at `path` (a CSV file, a Parquet file, or a directory of
 * Parquet part files; a pipe, FIFO or /dev/stdin is read once into memory
 * under opts->max_input_bytes; other character devices such as /dev/zero are
 * refused with MG_ERR_UNSUPPORTED), detecting the format from the content. `opts` may be
 * NULL for defaults. On success *out is a new table: caller frees with
 * mg_table_free. On failure *out is NULL and err names the file and place. */
MG_API mg_status mg_table_read(const char *path, const mg_read_options *opts, mg_table **out,
                               mg_error *err);

/* A column of test data as its header or schema declares it. */
typedef struct mg_column_schema {
    char *name; /* owned by the array (see mg_column_schemas_free) */
    /* The type the column is read as, or -1 when it is known only once the
     * rows are read (CSV infers types from the values). */
    int type;
    /* Parquet: a nested column (struct, list, map), which modelgate cannot
     * read; `name` is its top-level field. */
    int nested;
} mg_column_schema;

/* The column names (and, where the file declares them, types) of the test
 * data at `path`, without reading its rows: for CSV the header line (with
 * opts->delimiter), for a Parquet file its footer's schema, for a folder of
 * Parquet parts its first part's schema (the reader checks that every part
 * has the same). Only a regular file or a folder can be looked at before
 * being read: a pipe, FIFO or other device is MG_ERR_UNSUPPORTED (read it
 * once with mg_table_read, which names missing columns itself). Only
 * opts->delimiter is used; opts may be NULL. On success *cols is a new array
 * of *n columns in file order: caller frees with mg_column_schemas_free. On
 * failure *cols is NULL, *n is 0 and err names the file and place. */
MG_API mg_status mg_table_columns(const char *path, const mg_read_options *opts,
                                  mg_column_schema **cols, int *n, mg_error *err);

/* Frees an array from mg_table_columns and its names; NULL is fine. */
MG_API void mg_column_schemas_free(mg_column_schema *cols, int n);

/* When `name` is the only column of a CSV header and holds tabs, ';' or '|':
 * the delimiter it looks separated by (the most frequent of them), else 0.
 * A test set read with the wrong delimiter has such a header. */
MG_API char mg_csv_delimiter_guess(const char *name);

/* Reads CSV bytes (RFC 4180, header row) from memory; `source` names them in
 * errors. Same contract as mg_table_read. */
MG_API mg_status mg_csv_read_buffer(const char *data, size_t len, const char *source,
                                    const mg_read_options *opts, mg_table **out, mg_error *err);

/* Appends the columns of `extra` (a separate predictions file) to `base`,
 * pairing rows by order (id == NULL; the row counts must match) or by the
 * values of column `id`, which both tables hold (each id once in extra; every
 * base id found). `extra` stays owned by the caller. On failure base may hold
 * some of the new columns; free it. */
MG_API mg_status mg_table_attach(mg_table *base, const mg_table *extra, const char *id,
                                 mg_error *err);

/* SHA-256 of a file's bytes as 64 lowercase hex digits + NUL into out. */
MG_API mg_status mg_file_sha256(const char *path, char out[65], mg_error *err);

/* ---- number formatting ------------------------------------------------- */

/* Writes the shortest decimal text that reads back as exactly `v` (no locale,
 * '.' always the decimal point) into buf; cap >= 32. Non-finite values are
 * written as "nan", "inf" or "-inf": JSON writers must map them to null.
 * Returns the length written. */
MG_API int mg_format_double(double v, char *buf, size_t cap);

/* s[0..len) for a human-readable line (a terminal, a log): C0 controls
 * (newline and tab included), DEL, C1 controls and the bytes of invalid
 * UTF-8 as \xHH; valid printable UTF-8 as it is. Data interpolated into a
 * message can then neither start a line of its own nor drive the terminal.
 * Returns a new NUL-terminated string (caller frees with free()) and its
 * length in *out_len when not NULL; NULL when out of memory. */
MG_API char *mg_text_escape(const char *s, size_t len, size_t *out_len);

/* Parses a decimal number (optional sign, digits, '.', exponent; also "inf",
 * "nan") from [s, s+len) exactly, independent of the locale. Returns 0 and
 * sets *out when the whole range is a number, -1 otherwise. */
MG_API int mg_parse_double(const char *s, size_t len, double *out);

/* Parses a base-10 signed 64-bit integer occupying exactly [s, s+len).
 * Returns 0 on success, -1 on anything else (including overflow). */
MG_API int mg_parse_int64(const char *s, size_t len, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif
