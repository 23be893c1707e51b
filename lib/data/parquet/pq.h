/* pq.h - internals of the Parquet reader shared by the files of this folder:
 * the bounds-checked Thrift cursor, the decoded footer, page decoding and the
 * value decoders. Nothing here is visible outside lib/data/parquet. */
#ifndef MG_DATA_PQ_H
#define MG_DATA_PQ_H

#include "internal.h"

/* ---- Thrift compact protocol --------------------------------------------- */

/* A cursor over [base+start, end). Every read checks the bounds; the first
 * failure sets `bad` and its byte offset (relative to the file), after which
 * all reads return zeros so that loops end. */
typedef struct mg__tr {
    const uint8_t *base; /* start of the file: offsets in errors are from here */
    const uint8_t *p, *end;
    int depth;
    bool bad;
    size_t bad_off;
    const char *bad_what;
} mg__tr;

enum {
    MG__TT_STOP = 0,
    MG__TT_TRUE = 1,
    MG__TT_FALSE = 2,
    MG__TT_I8 = 3,
    MG__TT_I16 = 4,
    MG__TT_I32 = 5,
    MG__TT_I64 = 6,
    MG__TT_DOUBLE = 7,
    MG__TT_BINARY = 8,
    MG__TT_LIST = 9,
    MG__TT_SET = 10,
    MG__TT_MAP = 11,
    MG__TT_STRUCT = 12
};

void mg__tr_init(mg__tr *t, const uint8_t *base, size_t start, size_t end);
void mg__tr_error(mg__tr *t, const char *what);
size_t mg__tr_offset(const mg__tr *t);
/* Next field of the current struct: returns false at STOP (or on error);
 * *id and *type describe the field. *last is the previous id (start at 0). */
bool mg__tr_field(mg__tr *t, int16_t *last, int16_t *id, int *type);
int8_t mg__tr_i8(mg__tr *t);
int64_t mg__tr_i64(mg__tr *t);
int32_t mg__tr_i32(mg__tr *t);
/* A value of a field typed `type` read as a boolean (field or list element). */
bool mg__tr_bool(mg__tr *t, int type);
/* Binary/string: returns a pointer into the buffer and its length. */
const uint8_t *mg__tr_binary(mg__tr *t, uint32_t *len);
/* List/set header: element type and count (count checked against the bytes left). */
uint32_t mg__tr_list(mg__tr *t, int *elem_type);
/* Skips a value of the given type, nested structs/lists/maps included. */
void mg__tr_skip(mg__tr *t, int type);
/* Struct nesting guard: false (and an error) when too deep. */
bool mg__tr_enter(mg__tr *t);
void mg__tr_leave(mg__tr *t);

/* ---- the footer ------------------------------------------------------------ */

enum { PQ_BOOLEAN, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE, PQ_BYTE_ARRAY, PQ_FLBA };
enum { PQ_REQUIRED, PQ_OPTIONAL, PQ_REPEATED };
enum {
    PQ_ENC_PLAIN = 0,
    PQ_ENC_PLAIN_DICTIONARY = 2,
    PQ_ENC_RLE = 3,
    PQ_ENC_BIT_PACKED = 4,
    PQ_ENC_DELTA_BINARY_PACKED = 5,
    PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQ_ENC_DELTA_BYTE_ARRAY = 7,
    PQ_ENC_RLE_DICTIONARY = 8,
    PQ_ENC_BYTE_STREAM_SPLIT = 9
};
enum {
    PQ_CODEC_UNCOMPRESSED = 0,
    PQ_CODEC_SNAPPY = 1,
    PQ_CODEC_GZIP = 2,
    PQ_CODEC_LZO = 3,
    PQ_CODEC_BROTLI = 4,
    PQ_CODEC_LZ4 = 5,
    PQ_CODEC_ZSTD = 6,
    PQ_CODEC_LZ4_RAW = 7
};

/* What a leaf column means, from the logical or converted type. */
typedef enum pq_kind {
    PQ_K_PLAIN = 0, /* no annotation that changes the value */
    PQ_K_STRING,    /* UTF8/STRING/ENUM/JSON */
    PQ_K_INT,       /* INTEGER(bits, signed) */
    PQ_K_DECIMAL,
    PQ_K_DATE,
    PQ_K_TIME,
    PQ_K_TIMESTAMP,
    PQ_K_FLOAT16,
    PQ_K_UUID,
    PQ_K_NESTED /* LIST/MAP annotations */
} pq_kind;

typedef struct pq_schema_el {
    char *name;
    int type; /* -1 for groups */
    int32_t type_length;
    int repetition; /* -1 when absent (the root) */
    int32_t num_children;
    pq_kind kind;
    int unit; /* timestamps/times: 1 millis, 2 micros, 3 nanos */
    int bits; /* integers: 8, 16, 32, 64 */
    bool is_signed;
    int32_t scale, precision;
} pq_schema_el;

typedef struct pq_chunk {
    int type;
    int codec;
    int64_t num_values;
    int64_t total_compressed;
    int64_t data_page_offset;
    int64_t dictionary_page_offset; /* 0 when absent */
    bool encrypted;
    char *path; /* dotted path_in_schema */
} pq_chunk;

typedef struct pq_rowgroup {
    int64_t num_rows;
    int ncols;
    pq_chunk *cols;
} pq_rowgroup;

typedef struct pq_meta {
    int nschema;
    pq_schema_el *schema;
    int64_t num_rows;
    int nrg;
    pq_rowgroup *rgs;
    size_t footer_off; /* where FileMetaData starts in the file */
} pq_meta;

/* Parses FileMetaData from [start, end) of the file at base. */
mg_status mg__pq_meta_parse(const uint8_t *base, size_t start, size_t end, const char *source,
                            pq_meta *m, mg_error *err);
void mg__pq_meta_release(pq_meta *m);

typedef struct pq_page_header {
    int type; /* 0 data v1, 1 index, 2 dictionary, 3 data v2 */
    int32_t uncompressed_size, compressed_size;
    bool has_crc;
    uint32_t crc;
    int32_t num_values;
    int32_t num_nulls; /* v2 */
    int encoding;
    int def_encoding;
    int32_t def_len, rep_len; /* v2 */
    bool is_compressed;       /* v2 */
} pq_page_header;

mg_status mg__pq_page_header_parse(mg__tr *t, pq_page_header *h);

/* ---- codecs ---------------------------------------------------------------- */

/* Decompresses src into dst, which must come out exactly dst_len bytes.
 * Returns a static reason on failure, NULL on success. */
const char *mg__pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst,
                              size_t dst_len);
const char *mg__pq_codec_name(int codec);

/* ---- value decoders ---------------------------------------------------------- */

/* A string slice (into a page or dictionary buffer). */
typedef struct pq_slice {
    const uint8_t *p;
    uint32_t len;
} pq_slice;

/* Decoders return NULL on success or a static reason. `n` is the number of
 * values wanted; input is [p, p+len). */

/* RLE/bit-packed hybrid of `n` values of `bit_width` (0..32) into out. */
const char *mg__pq_rle_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out, size_t n);
/* PLAIN booleans (bit-packed LSB first). */
const char *mg__pq_plain_bool(const uint8_t *p, size_t len, uint8_t *out, size_t n);
/* PLAIN fixed-width values: copies n*width bytes. */
const char *mg__pq_plain_fixed(const uint8_t *p, size_t len, size_t width, uint8_t *out, size_t n);
/* PLAIN byte arrays: n length-prefixed slices. */
const char *mg__pq_plain_bytes(const uint8_t *p, size_t len, pq_slice *out, size_t n);
/* DELTA_BINARY_PACKED of int32 (width 4) or int64 (width 8) values. */
const char *mg__pq_delta_binary(const uint8_t *p, size_t len, int width, int64_t *out, size_t n,
                                size_t *used);
/* DELTA_LENGTH_BYTE_ARRAY: slices point into the input. */
const char *mg__pq_delta_length(const uint8_t *p, size_t len, pq_slice *out, size_t n);
/* DELTA_BYTE_ARRAY: values are rebuilt into *arena (n slices point into it;
 * the caller frees *arena). */
const char *mg__pq_delta_bytes(const uint8_t *p, size_t len, pq_slice *out, size_t n,
                               uint8_t **arena);
/* BYTE_STREAM_SPLIT of n values of `width` bytes. */
const char *mg__pq_byte_stream_split(const uint8_t *p, size_t len, size_t width, uint8_t *out,
                                     size_t n);

/* ---- decoding a column chunk ------------------------------------------------ */

/* How a leaf's physical values become the table's values. */
typedef enum pq_conv {
    PQ_CV_BOOL,
    PQ_CV_I64,       /* signed integers, dates */
    PQ_CV_U32,       /* unsigned 8/16/32-bit stored in INT32 */
    PQ_CV_U64,       /* unsigned 64-bit: i64 unless a value passes INT64_MAX */
    PQ_CV_MUL1000,   /* milliseconds to microseconds */
    PQ_CV_DIV1000,   /* nanoseconds to microseconds (floor) */
    PQ_CV_F64,       /* FLOAT, DOUBLE */
    PQ_CV_DEC_INT,   /* INT32/INT64 decimal */
    PQ_CV_DEC_BYTES, /* BYTE_ARRAY/FLBA decimal */
    PQ_CV_INT96,     /* Spark/Impala timestamps */
    PQ_CV_FLOAT16,
    PQ_CV_STR, /* byte arrays: verbatim when UTF-8 without NUL, else 0x + hex */
    PQ_CV_HEX, /* fixed-length bytes: 0x + hex */
    PQ_CV_UUID /* canonical 8-4-4-4-12 */
} pq_conv;

typedef struct pq_colspec {
    const char *name;
    int leaf; /* index in the schema */
    int phys;
    int32_t type_length;
    int max_def; /* 0 or 1: the reader takes flat columns only */
    mg_type type;
    pq_conv conv;
    int32_t scale;
} pq_colspec;

/* Distinct strings of one chunk, each NUL-terminated in `bytes`, deduplicated
 * through an open-addressing hash. */
typedef struct pq_pool {
    mg__buf bytes;
    size_t *off;
    uint32_t *len;
    int32_t n, cap;
    int32_t *slots; /* code + 1, 0 = empty */
    size_t nslots;
} pq_pool;

void mg__pq_pool_release(pq_pool *p);
/* Code of the string [s, s+n) in the pool, added when new; -1 when out of memory. */
int32_t mg__pq_pool_intern(pq_pool *p, const uint8_t *s, size_t n);

/* What one (row group, column) task produced: values written straight into
 * the column at rows [row0, row0+nrows); nulls in a chunk-local bitmap
 * (bit set = valid), string codes local to `pool`. */
typedef struct pq_part {
    int64_t row0, nrows;
    void *dst;      /* double/int64_t/uint8_t/int32_t array at row0 */
    uint8_t *valid; /* NULL: no nulls */
    int64_t nulls;
    pq_pool pool;
    bool u64_high; /* an unsigned 64-bit value exceeded INT64_MAX */
} pq_part;

/* Decoded physical values of one page, before conversion: int64 for
 * INT32/INT64, double for FLOAT/DOUBLE, bytes for BOOLEAN, slices for
 * BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY and INT96. */
typedef struct pq_phys {
    int64_t *iv;
    double *dv;
    uint8_t *bv;
    pq_slice *sv;
    size_t cap;
} pq_phys;

/* Converts n physical values into the table's type at dst. Returns NULL or a
 * static reason (a value out of range, out of memory). */
const char *mg__pq_convert(const pq_colspec *spec, const pq_phys *in, size_t n, void *dst,
                           pq_pool *pool, bool *u64_high);

/* Decodes the column chunk `cm` of the file [file, file+size) into part. */
mg_status mg__pq_read_chunk(const uint8_t *file, size_t size, const char *source,
                            const pq_chunk *cm, const pq_colspec *spec, pq_part *part,
                            mg_error *err);

/* ---- reading a file ---------------------------------------------------------- */

/* Converts the columns named by opts->overrides to their requested types;
 * a value that does not convert exactly is an error naming column and row. */
mg_status mg__pq_apply_overrides(mg_table *t, const mg_read_options *opts, mg_error *err);

/* Parses the footer of the Parquet file in [data, data+size). */
mg_status mg__pq_open(const uint8_t *data, size_t size, const char *source, pq_meta *m,
                      mg_error *err);

#endif
