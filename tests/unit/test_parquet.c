/* test_parquet.c - the Parquet reader: Thrift decoding, each encoding and
 * codec on hand-built bytes, the apache/parquet-testing conformance files
 * (value by value against their *_expect.csv, first values checked by hand
 * against their .md notes elsewhere), the refused files, part directories and
 * mutated files that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "data/data.h"
#include "data/parquet/pq.h"

#define PQ_DIR MG_SOURCE_DIR "/tests/data/parquet-testing/data/"
#define PQ_BAD MG_SOURCE_DIR "/tests/data/parquet-testing/bad_data/"

/* ---- thrift ------------------------------------------------------------------ */

static void thrift_skips_unknown_fields(void **state) {
    (void)state;
    /* struct { 1: i32 = -3, 7: struct { 1: list<i32>[1,2], 2: map<string,i64>{"k": 5},
     *          3: struct { 1: bool true } }, 8: binary "hi", 40: i64 = 300 (long form) } */
    const uint8_t b[] = {0x15, 0x05,                        /* field 1 i32 zigzag(-3)=5 */
                         0x6c,                              /* field 7 struct */
                         0x19, 0x25, 0x02, 0x04,            /* field 1 list<i32> 2: 1, 2 */
                         0x1b, 0x01, 0x86, 0x01, 'k', 0x0a, /* field 2 map 1 string->i64 */
                         0x1c, 0x11, 0x00,                  /* field 3 struct {1: true} */
                         0x00,                              /* end of field 7 */
                         0x18, 0x02, 'h',  'i',             /* field 8 binary */
                         0x06, 0x50, 0xd8, 0x04,            /* field 40 i64 (long form) = 300 */
                         0x00};
    mg__tr t;
    mg__tr_init(&t, b, 0, sizeof b);
    int16_t last = 0, id;
    int ft;
    int32_t v1 = 0;
    int64_t v40 = 0;
    char s[3] = {0};
    assert_true(mg__tr_enter(&t));
    while (mg__tr_field(&t, &last, &id, &ft)) {
        if (id == 1)
            v1 = mg__tr_i32(&t);
        else if (id == 8) {
            uint32_t n;
            const uint8_t *p = mg__tr_binary(&t, &n);
            assert_int_equal(n, 2);
            memcpy(s, p, 2);
        } else if (id == 40)
            v40 = mg__tr_i64(&t);
        else
            mg__tr_skip(&t, ft);
    }
    assert_false(t.bad);
    assert_int_equal(v1, -3);
    assert_string_equal(s, "hi");
    assert_int_equal(v40, 300);
    assert_int_equal(mg__tr_offset(&t), sizeof b);

    /* truncated: the string claims more bytes than remain */
    const uint8_t trunc[] = {0x18, 0x09, 'a'};
    mg__tr_init(&t, trunc, 0, sizeof trunc);
    last = 0;
    while (mg__tr_field(&t, &last, &id, &ft))
        mg__tr_skip(&t, ft);
    assert_true(t.bad);
    assert_int_equal(t.bad_off, 2);

    /* deep nesting is refused, not recursed without end */
    uint8_t deep[200];
    memset(deep, 0x1c, sizeof deep);
    mg__tr_init(&t, deep, 0, sizeof deep);
    mg__tr_skip(&t, MG__TT_STRUCT);
    assert_true(t.bad);
}

/* ---- encodings --------------------------------------------------------------- */

static void rle_hybrid_runs(void **state) {
    (void)state;
    uint32_t out[24];
    /* RLE run of 5 x 3 (width 2), then bit-packed group of 8: 0..3,0..3 */
    const uint8_t d[] = {0x0a, 0x03, 0x03, 0xe4, 0xe4};
    assert_null(mg__pq_rle_decode(d, sizeof d, 2, out, 13));
    const uint32_t want[13] = {3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    assert_memory_equal(out, want, sizeof want);
    /* bit width 0: every value 0, no bytes needed */
    for (int i = 0; i < 24; i++)
        out[i] = 9;
    assert_null(mg__pq_rle_decode(NULL, 0, 0, out, 24));
    for (int i = 0; i < 24; i++)
        assert_int_equal(out[i], 0);
    /* a wider 20-bit run value and a too-short stream */
    const uint8_t w[] = {0x04, 0x45, 0x23, 0x01};
    assert_null(mg__pq_rle_decode(w, sizeof w, 20, out, 2));
    assert_int_equal(out[0], 0x12345);
    assert_int_equal(out[1], 0x12345);
    assert_non_null(mg__pq_rle_decode(w, sizeof w, 20, out, 3));
    /* run value wider than the bit width */
    const uint8_t bad[] = {0x02, 0x05};
    assert_non_null(mg__pq_rle_decode(bad, sizeof bad, 2, out, 1));
}

static void booleans_plain(void **state) {
    (void)state;
    uint8_t out[10];
    const uint8_t d[] = {0x2d, 0x02}; /* 1,0,1,1,0,1,0,0, 0,1 */
    assert_null(mg__pq_plain_bool(d, 2, out, 10));
    const uint8_t want[10] = {1, 0, 1, 1, 0, 1, 0, 0, 0, 1};
    assert_memory_equal(out, want, 10);
    assert_non_null(mg__pq_plain_bool(d, 1, out, 10));
}

static void delta_binary_packed(void **state) {
    (void)state;
    /* block 128, 4 miniblocks, 5 values, first 7; deltas 1,2,3,4: min_delta 1,
     * widths [2,0,0,0], miniblock 0 holds 0,1,2,3 (then zero padding to 32 values) */
    uint8_t d[64] = {0x80, 0x01, 0x04, 0x05, 0x0e, 0x02, 0x02, 0x00, 0x00, 0x00, 0xe4};
    int64_t out[5];
    size_t used;
    assert_null(mg__pq_delta_binary(d, 11 + 7, 8, out, 5, &used));
    const int64_t want[5] = {7, 8, 10, 13, 17};
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(used, 11 + 7);

    /* wrap-around: INT64_MAX then min_delta +2 wraps to INT64_MIN + 1 */
    uint8_t w[32] = {0x80, 0x01, 0x04, 0x02};
    size_t n = 4;
    uint64_t zz = UINT64_MAX - 1; /* zigzag(INT64_MAX) */
    while (zz >= 0x80) {
        w[n++] = (uint8_t)(zz | 0x80);
        zz >>= 7;
    }
    w[n++] = (uint8_t)zz;
    w[n++] = 0x04; /* min delta zigzag(2) */
    memset(w + n, 0, 4);
    n += 4;
    int64_t o2[2];
    assert_null(mg__pq_delta_binary(w, n, 8, o2, 2, &used));
    assert_true(o2[0] == INT64_MAX);
    assert_true(o2[1] == INT64_MIN + 1);
    /* the same stream as int32 wraps in 32 bits */
    assert_null(mg__pq_delta_binary(w, n, 4, o2, 2, &used));
    assert_int_equal(o2[0], -1);
    assert_int_equal(o2[1], 1);

    /* a block size that is not a multiple of 128 is refused */
    const uint8_t bad[] = {0x40, 0x04, 0x01, 0x00};
    assert_non_null(mg__pq_delta_binary(bad, sizeof bad, 8, out, 1, &used));
}

/* DELTA_BINARY_PACKED of n small non-negative constants: all deltas 0. */
static size_t delta_const(uint8_t *p, int n, int first) {
    size_t k = 0;
    p[k++] = 0x80, p[k++] = 0x01, p[k++] = 0x04, p[k++] = (uint8_t)n, p[k++] = (uint8_t)(2 * first);
    if (n > 1) {
        p[k++] = 0x00; /* min delta 0 */
        memset(p + k, 0, 4);
        k += 4;
    }
    return k;
}

static void delta_byte_arrays(void **state) {
    (void)state;
    uint8_t d[128];
    /* DELTA_LENGTH_BYTE_ARRAY: lengths 3,3 then "foobar" */
    size_t k = delta_const(d, 2, 3);
    memcpy(d + k, "foobar", 6);
    pq_slice s[2];
    assert_null(mg__pq_delta_length(d, k + 6, s, 2));
    assert_int_equal(s[0].len, 3);
    assert_memory_equal(s[0].p, "foo", 3);
    assert_memory_equal(s[1].p, "bar", 3);
    assert_non_null(mg__pq_delta_length(d, k + 5, s, 2));

    /* DELTA_BYTE_ARRAY: "apple", "applesauce", "apricot": prefixes 0,5,2 */
    uint8_t e[128];
    size_t n = 0;
    /* prefix lengths 0,5,2: first 0, deltas 5,-3: min -3 (zz 5), packed 8,0 width 4 */
    const uint8_t pre[] = {0x80, 0x01, 0x04, 0x03, 0x00, 0x05, 0x04, 0x00, 0x00, 0x00, 0x08};
    memcpy(e, pre, sizeof pre);
    n = sizeof pre;
    memset(e + n, 0, 15); /* rest of the 32-value miniblock at width 4 */
    n += 15;
    /* suffix lengths 5,5,5 */
    n += delta_const(e + n, 3, 5);
    memcpy(e + n, "applesaucericot", 15);
    n += 15;
    pq_slice v[3];
    uint8_t *arena;
    const char *why = mg__pq_delta_bytes(e, n, v, 3, &arena);
    assert_null(why);
    assert_int_equal(v[1].len, 10);
    assert_memory_equal(v[0].p, "apple", 5);
    assert_memory_equal(v[1].p, "applesauce", 10);
    assert_int_equal(v[2].len, 7);
    assert_memory_equal(v[2].p, "apricot", 7);
    free(arena);
}

static void byte_stream_split(void **state) {
    (void)state;
    float f[3] = {1.5f, -2.25f, 1e30f};
    uint8_t raw[12], split[12], back[12];
    memcpy(raw, f, 12);
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 4; b++)
            split[b * 3 + i] = raw[i * 4 + b];
    assert_null(mg__pq_byte_stream_split(split, 12, 4, back, 3));
    assert_memory_equal(back, raw, 12);
    /* 3-byte fixed-length values */
    const uint8_t s3[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
    uint8_t o3[6];
    assert_null(mg__pq_byte_stream_split(s3, 6, 3, o3, 2));
    assert_memory_equal(o3, "acebdf", 6);
    assert_non_null(mg__pq_byte_stream_split(s3, 5, 3, o3, 2));
}

static void plain_byte_arrays(void **state) {
    (void)state;
    const uint8_t d[] = {2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0, 9, 0, 0, 0, 'x'};
    pq_slice s[3];
    assert_null(mg__pq_plain_bytes(d, 10, s, 2));
    assert_int_equal(s[0].len, 2);
    assert_int_equal(s[1].len, 0);
    assert_non_null(mg__pq_plain_bytes(d, sizeof d, s, 3));
}

/* ---- codecs ------------------------------------------------------------------ */

static void codecs_round_trip(void **state) {
    (void)state;
    char text[4000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)("modelgate parquet "[i % 18] + (i / 500));
    size_t n = sizeof text;
    uint8_t out[4000];
    uint8_t comp[8192];

    size_t clen = sizeof comp;
    assert_int_equal(snappy_compress(text, n, (char *)comp, &clen), SNAPPY_OK);
    assert_null(mg__pq_decompress(PQ_CODEC_SNAPPY, comp, clen, out, n));
    assert_memory_equal(out, text, n);
    assert_non_null(mg__pq_decompress(PQ_CODEC_SNAPPY, comp, clen, out, n - 1));

    clen = ZSTD_compress(comp, sizeof comp, text, n, 3);
    assert_false(ZSTD_isError(clen));
    assert_null(mg__pq_decompress(PQ_CODEC_ZSTD, comp, clen, out, n));
    assert_memory_equal(out, text, n);

    int l = LZ4_compress_default(text, (char *)comp + 8, (int)n, (int)sizeof comp - 8);
    assert_true(l > 0);
    assert_null(mg__pq_decompress(PQ_CODEC_LZ4_RAW, comp + 8, (size_t)l, out, n));
    assert_memory_equal(out, text, n);
    /* the same block as LZ4 (raw fallback), then Hadoop-framed */
    memset(out, 0, n);
    assert_null(mg__pq_decompress(PQ_CODEC_LZ4, comp + 8, (size_t)l, out, n));
    assert_memory_equal(out, text, n);
    const uint8_t hdr[8] = {0,
                            0,
                            (uint8_t)(n >> 8),
                            (uint8_t)n,
                            (uint8_t)(l >> 24),
                            (uint8_t)(l >> 16),
                            (uint8_t)(l >> 8),
                            (uint8_t)l};
    memcpy(comp, hdr, 8);
    memset(out, 0, n);
    assert_null(mg__pq_decompress(PQ_CODEC_LZ4, comp, (size_t)l + 8, out, n));
    assert_memory_equal(out, text, n);
    /* and as an LZ4 frame */
    clen = LZ4F_compressFrame(comp, sizeof comp, text, n, NULL);
    assert_false(LZ4F_isError(clen));
    memset(out, 0, n);
    assert_null(mg__pq_decompress(PQ_CODEC_LZ4, comp, clen, out, n));
    assert_memory_equal(out, text, n);

    /* gzip: two members back to back, as some writers emit */
    size_t half = n / 2, total = 0;
    for (int m = 0; m < 2; m++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *)text + (m ? half : 0);
        z.avail_in = (uInt)(m ? n - half : half);
        z.next_out = comp + total;
        z.avail_out = (uInt)(sizeof comp - total);
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        total = sizeof comp - z.avail_out;
        deflateEnd(&z);
    }
    memset(out, 0, n);
    assert_null(mg__pq_decompress(PQ_CODEC_GZIP, comp, total, out, n));
    assert_memory_equal(out, text, n);
    assert_non_null(mg__pq_decompress(PQ_CODEC_GZIP, comp, total - 3, out, n));

    /* brotli: "hello hello hello hello brotli" compressed by the reference encoder */
    const uint8_t br[] = {0x1b, 0x1d, 0x00, 0xf8, 0x8d, 0x94, 0x6e, 0xde, 0x44, 0x55,
                          0x86, 0xd6, 0x6c, 0x20, 0x69, 0x6f, 0xd3, 0x10, 0x49, 0xe6,
                          0xa9, 0x03, 0x52, 0x1a, 0xf1, 0x78, 0xd1, 0x0c};
    assert_null(mg__pq_decompress(PQ_CODEC_BROTLI, br, sizeof br, out, 30));
    assert_memory_equal(out, "hello hello hello hello brotli", 30);

    assert_non_null(mg__pq_decompress(PQ_CODEC_LZO, comp, 4, out, 4));
}

/* ---- conformance files ------------------------------------------------------- */

static mg_table *read_ok(const char *path, const char *const *cols, int ncols) {
    mg_read_options o = {.columns = cols, .ncolumns = ncols, .threads = 3};
    mg_table *t = NULL;
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_table_read(path, &o, &t, &err);
    if (st != MG_OK)
        fail_msg("%s: %s", path, err.text);
    return t;
}

static void expect_refused(const char *path, const char *const *cols, int ncols,
                           const char *fragment) {
    mg_read_options o = {.columns = cols, .ncolumns = ncols};
    mg_table *t = NULL;
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_table_read(path, &o, &t, &err);
    assert_int_not_equal(st, MG_OK);
    assert_null(t);
    if (strstr(err.text, fragment) == NULL)
        fail_msg("%s: message '%s' lacks '%s'", path, err.text, fragment);
    /* every refusal names the file */
    const char *base = strrchr(path, '/');
    assert_non_null(strstr(err.text, base + 1));
}

/* Splits one CSV record (RFC 4180) at *p; fields get NUL-terminated copies in
 * buf, quoted[i] says whether the field was quoted. Returns the field count. */
static int csv_record(const char **p, char *buf, char **fields, bool *quoted, int max) {
    int n = 0;
    const char *s = *p;
    char *o = buf;
    while (*s && n < max) {
        fields[n] = o;
        quoted[n] = false;
        if (*s == '"') {
            quoted[n] = true;
            s++;
            while (*s && !(*s == '"' && s[1] != '"')) {
                if (*s == '"')
                    s++;
                *o++ = *s++;
            }
            if (*s == '"')
                s++;
        } else {
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                *o++ = *s++;
        }
        *o++ = '\0';
        n++;
        if (*s == ',') {
            s++;
            continue;
        }
        while (*s == '\r' || *s == '\n')
            s++;
        break;
    }
    *p = s;
    return n;
}

static void compare_expect_csv(const char *parquet, const char *csv) {
    mg_table *t = read_ok(parquet, NULL, 0);
    mg__file f;
    mg_error err;
    assert_int_equal(mg__file_map(csv, &f, &err), MG_OK);
    char *text = mg__strndup(f.data, f.size);
    mg__file_unmap(&f);
    char *buf = malloc(strlen(text) + 1);
    char *fields[128];
    bool quoted[128];
    const char *p = text;
    int nh = csv_record(&p, buf, fields, quoted, 128);
    assert_int_equal(nh, t->ncols);
    int64_t row = 0;
    char cell[128];
    while (*p) {
        int nf = csv_record(&p, buf, fields, quoted, 128);
        assert_int_equal(nf, t->ncols);
        assert_true(row < t->nrows);
        for (int c = 0; c < nf; c++) {
            const mg_column *col = &t->cols[c];
            if (!quoted[c] && fields[c][0] == '\0') {
                if (!mg_column_is_null(col, row))
                    fail_msg("%s row %ld column %s: expected null", parquet, (long)row, col->name);
                continue;
            }
            mg_column_format(col, row, cell, sizeof cell);
            if (strcmp(cell, fields[c]) != 0)
                fail_msg("%s row %ld column %s: got '%s', expected '%s'", parquet, (long)row,
                         col->name, cell, fields[c]);
        }
        row++;
    }
    assert_int_equal(row, t->nrows);
    free(buf);
    free(text);
    mg_table_free(t);
}

static void conformance_expect_csv(void **state) {
    (void)state;
    const char *names[] = {"delta_binary_packed", "delta_byte_array",
                           "delta_encoding_optional_column", "delta_encoding_required_column"};
    for (size_t i = 0; i < MG_ARRAY_LEN(names); i++) {
        char pq[512], csv[512];
        snprintf(pq, sizeof pq, PQ_DIR "%s.parquet", names[i]);
        snprintf(csv, sizeof csv, PQ_DIR "%s_expect.csv", names[i]);
        compare_expect_csv(pq, csv);
    }
}

static const mg_column *col_of(const mg_table *t, const char *name, mg_type type) {
    const mg_column *c = mg_table_column(t, name);
    if (c == NULL)
        fail_msg("no column %s", name);
    if (c->type != type)
        fail_msg("column %s is %s", name, mg_type_name(c->type));
    return c;
}

static void conformance_alltypes(void **state) {
    (void)state;
    /* the Impala alltypes files: 8 rows of ids 4,5,6,7,2,3,0,1 (2 rows in the
     * dictionary and snappy variants), timestamps as INT96 */
    const char *files[] = {"alltypes_plain.parquet", "alltypes_plain.snappy.parquet",
                           "alltypes_dictionary.parquet"};
    const int64_t ids[3][8] = {{4, 5, 6, 7, 2, 3, 0, 1}, {6, 7}, {0, 1}};
    const int64_t rows[3] = {8, 2, 2};
    for (int k = 0; k < 3; k++) {
        char path[512];
        snprintf(path, sizeof path, PQ_DIR "%s", files[k]);
        mg_table *t = read_ok(path, NULL, 0);
        assert_int_equal(t->nrows, rows[k]);
        assert_int_equal(t->ncols, 11);
        const mg_column *id = col_of(t, "id", MG_TYPE_I64);
        const mg_column *b = col_of(t, "bool_col", MG_TYPE_BOOL);
        const mg_column *fl = col_of(t, "float_col", MG_TYPE_F64);
        const mg_column *db = col_of(t, "double_col", MG_TYPE_F64);
        const mg_column *s = col_of(t, "string_col", MG_TYPE_STR);
        const mg_column *ts = col_of(t, "timestamp_col", MG_TYPE_I64);
        for (int64_t i = 0; i < t->nrows; i++) {
            assert_int_equal(id->i64[i], ids[k][i]);
            assert_int_equal(b->b[i], ids[k][i] % 2 == 0);
            assert_true(fl->f64[i] == (ids[k][i] % 2 ? (double)1.1f : 0.0));
            assert_true(db->f64[i] == (ids[k][i] % 2 ? 10.1 : 0.0));
            assert_string_equal(mg_column_string(s, i), ids[k][i] % 2 ? "1" : "0");
        }
        /* id 0 is 2009-01-01 00:00:00 UTC, id 1 a minute later */
        for (int64_t i = 0; i < t->nrows; i++)
            if (id->i64[i] <= 1)
                assert_true(ts->i64[i] == INT64_C(1230768000000000) + id->i64[i] * 60000000);
        mg_table_free(t);
    }
    /* column selection keeps the file's order and decodes only those */
    const char *want[] = {"string_col", "id"};
    mg_table *t = read_ok(PQ_DIR "alltypes_tiny_pages_plain.parquet", want, 2);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->cols[0].name, "id");
    assert_int_equal(t->nrows, 7300);
    mg_table *u = read_ok(PQ_DIR "alltypes_tiny_pages.parquet", want, 2);
    for (int64_t i = 0; i < t->nrows; i++) {
        assert_int_equal(t->cols[0].i64[i], u->cols[0].i64[i]);
        assert_string_equal(mg_column_string(&t->cols[1], i), mg_column_string(&u->cols[1], i));
    }
    mg_table_free(t);
    mg_table_free(u);
}

static void conformance_types(void **state) {
    (void)state;
    /* INT96 from Spark, values from int96_from_spark.md */
    mg_table *t = read_ok(PQ_DIR "int96_from_spark.parquet", NULL, 0);
    const mg_column *a = col_of(t, "a", MG_TYPE_I64);
    const int64_t want96[6] = {1704141296123456,
                               1704070800000000,
                               253402225200000000,
                               1735599600000000,
                               0,
                               INT64_C(9089380393200000000)};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(mg_column_is_null(a, i), i == 4);
        if (i != 4)
            assert_true(a->i64[i] == want96[i]);
    }
    assert_int_equal(a->null_count, 1);
    mg_table_free(t);

    /* decimals of every storage hold 1.00 .. 24.00 */
    const char *dec[] = {"int32_decimal.parquet", "int64_decimal.parquet",
                         "byte_array_decimal.parquet", "fixed_length_decimal.parquet",
                         "fixed_length_decimal_legacy.parquet"};
    for (size_t k = 0; k < MG_ARRAY_LEN(dec); k++) {
        char path[512];
        snprintf(path, sizeof path, PQ_DIR "%s", dec[k]);
        t = read_ok(path, NULL, 0);
        const mg_column *v = col_of(t, "value", MG_TYPE_F64);
        assert_int_equal(t->nrows, 24);
        for (int i = 0; i < 24; i++)
            assert_true(v->f64[i] == i + 1);
        mg_table_free(t);
    }

    /* FLOAT16 */
    t = read_ok(PQ_DIR "float16_nonzeros_and_nans.parquet", NULL, 0);
    const mg_column *x = col_of(t, "x", MG_TYPE_F64);
    assert_true(mg_column_is_null(x, 0));
    assert_true(x->f64[1] == 1.0 && x->f64[2] == -2.0 && isnan(x->f64[3]));
    assert_true(x->f64[6] == 0.0 && signbit(x->f64[6]) && x->f64[7] == 2.0);
    mg_table_free(t);

    /* fixed-length bytes as 0x + hex, descending 1000..1 with nulls (see the .md) */
    t = read_ok(PQ_DIR "fixed_length_byte_array.parquet", NULL, 0);
    const mg_column *fb = col_of(t, "flba_field", MG_TYPE_STR);
    assert_int_equal(t->nrows, 1000);
    assert_int_equal(fb->null_count, 105);
    assert_string_equal(mg_column_string(fb, 0), "0x000003e8");
    mg_table_free(t);

    /* int32 with whole pages of nulls: 275 nulls in 1000 rows (see the .md) */
    t = read_ok(PQ_DIR "int32_with_null_pages.parquet", NULL, 0);
    const mg_column *ic = col_of(t, "int32_field", MG_TYPE_I64);
    assert_int_equal(ic->null_count, 275);
    for (int i = 200; i < 300; i++)
        assert_true(mg_column_is_null(ic, i));
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < 1000; i++)
        if (!mg_column_is_null(ic, i)) {
            lo = ic->i64[i] < lo ? ic->i64[i] : lo;
            hi = ic->i64[i] > hi ? ic->i64[i] : hi;
        }
    assert_true(lo == -2136906554 && hi == 2145722375);
    mg_table_free(t);

    /* binary values: UTF-8 without NUL verbatim, others 0x + hex */
    t = read_ok(PQ_DIR "binary.parquet", NULL, 0);
    assert_string_equal(mg_column_string(&t->cols[0], 0), "0x00");
    assert_string_equal(mg_column_string(&t->cols[0], 1), "\x01");
    assert_string_equal(mg_column_string(&t->cols[0], 11), "\x0b");
    mg_table_free(t);

    /* RLE booleans with nulls */
    t = read_ok(PQ_DIR "rle_boolean_encoding.parquet", NULL, 0);
    const mg_column *rb = col_of(t, "datatype_boolean", MG_TYPE_BOOL);
    assert_int_equal(t->nrows, 68);
    assert_true(rb->b[0] == 1 && rb->b[1] == 0 && mg_column_is_null(rb, 2) && rb->b[3] == 1);
    mg_table_free(t);
}

static void conformance_codecs_and_pages(void **state) {
    (void)state;
    /* the same 4 rows under three LZ4 framings */
    const char *lz4[] = {"hadoop_lz4_compressed.parquet", "non_hadoop_lz4_compressed.parquet",
                         "lz4_raw_compressed.parquet"};
    for (size_t k = 0; k < MG_ARRAY_LEN(lz4); k++) {
        char path[512];
        snprintf(path, sizeof path, PQ_DIR "%s", lz4[k]);
        mg_table *t = read_ok(path, NULL, 0);
        assert_int_equal(t->nrows, 4);
        assert_true(col_of(t, "c0", MG_TYPE_I64)->i64[0] == 1593604800);
        assert_string_equal(mg_column_string(col_of(t, "c1", MG_TYPE_STR), 1), "def");
        assert_true(col_of(t, "v11", MG_TYPE_F64)->f64[1] == 7.7);
        mg_table_free(t);
    }
    mg_table *t = read_ok(PQ_DIR "hadoop_lz4_compressed_larger.parquet", NULL, 0);
    assert_int_equal(t->nrows, 10000);
    /* the same 10000 UUID strings, Hadoop-framed LZ4 and LZ4_RAW */
    mg_table *u = read_ok(PQ_DIR "lz4_raw_compressed_larger.parquet", NULL, 0);
    assert_string_equal(mg_column_string(&t->cols[0], 0), "c7ce6bef-d5b0-4863-b199-8ea8c7fb117b");
    for (int64_t i = 0; i < 10000; i++)
        assert_string_equal(mg_column_string(&t->cols[0], i), mg_column_string(&u->cols[0], i));
    mg_table_free(t);
    mg_table_free(u);

    /* gzip with concatenated members: 1..513 */
    t = read_ok(PQ_DIR "concatenated_gzip_members.parquet", NULL, 0);
    assert_int_equal(t->nrows, 513);
    for (int i = 0; i < 513; i++)
        assert_int_equal(t->cols[0].i64[i], i + 1);
    mg_table_free(t);

    /* v2 pages (snappy), one of them holding a list column that is skipped */
    t = read_ok(PQ_DIR "datapage_v2.snappy.parquet", NULL, 0);
    assert_int_equal(t->nrows, 5);
    assert_int_equal(t->ncols, 4);
    assert_string_equal(mg_column_string(col_of(t, "a", MG_TYPE_STR), 0), "abc");
    assert_true(mg_column_is_null(col_of(t, "a", MG_TYPE_STR), 3));
    assert_int_equal(col_of(t, "b", MG_TYPE_I64)->i64[4], 5);
    assert_int_equal(col_of(t, "d", MG_TYPE_BOOL)->b[3], 0);
    mg_table_free(t);
    const char *e[] = {"e"};
    expect_refused(PQ_DIR "datapage_v2.snappy.parquet", e, 1, "column 'e' is nested");
    const char *missing[] = {"zz"};
    expect_refused(PQ_DIR "datapage_v2.snappy.parquet", missing, 1, "no column 'zz'");

    /* dictionary page offset written as 0 */
    t = read_ok(PQ_DIR "dict-page-offset-zero.parquet", NULL, 0);
    assert_int_equal(t->nrows, 39);
    assert_int_equal(t->cols[0].i64[0], 1552);
    mg_table_free(t);

    /* CRCs that match; more than 32767 pages in a chunk */
    const char *ok[] = {"datapage_v1-uncompressed-checksum.parquet",
                        "datapage_v1-snappy-compressed-checksum.parquet",
                        "plain-dict-uncompressed-checksum.parquet",
                        "rle-dict-snappy-checksum.parquet"};
    for (size_t k = 0; k < MG_ARRAY_LEN(ok); k++) {
        char path[512];
        snprintf(path, sizeof path, PQ_DIR "%s", ok[k]);
        t = read_ok(path, NULL, 0);
        assert_true(t->nrows == 5120 || t->nrows == 1000);
        mg_table_free(t);
    }
    t = read_ok(PQ_DIR "overflow_i16_page_cnt.parquet", NULL, 0);
    assert_int_equal(t->nrows, 40000);
    mg_table_free(t);

    /* empty pages and zero rows */
    t = read_ok(PQ_DIR "page_v2_empty_compressed.parquet", NULL, 0);
    assert_int_equal(t->nrows, 10);
    assert_int_equal(t->cols[0].null_count, 10);
    mg_table_free(t);
    t = read_ok(PQ_DIR "column_chunk_key_value_metadata.parquet", NULL, 0);
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 2);
    mg_table_free(t);

    /* BYTE_STREAM_SPLIT gives the same values as PLAIN, column by column */
    t = read_ok(PQ_DIR "byte_stream_split_extended.gzip.parquet", NULL, 0);
    assert_int_equal(t->ncols, 14);
    char x[64], y[64];
    for (int c = 0; c < 14; c += 2)
        for (int64_t i = 0; i < t->nrows; i++)
            assert_string_equal(mg_column_format(&t->cols[c], i, x, sizeof x),
                                mg_column_format(&t->cols[c + 1], i, y, sizeof y));
    mg_table_free(t);
    t = read_ok(PQ_DIR "byte_stream_split.zstd.parquet", NULL, 0);
    assert_true(t->cols[0].f64[0] == (double)1.7640524f); /* numpy seed 0 */
    mg_table_free(t);
}

static void refusals(void **state) {
    (void)state;
    expect_refused(PQ_DIR "uniform_encryption.parquet.encrypted", NULL, 0, "encrypted footer");
    expect_refused(PQ_DIR "nested_structs.rust.parquet", NULL, 0, "is nested");
    const char *roll[] = {"roll_num"};
    expect_refused(PQ_DIR "nested_structs.rust.parquet", roll, 1, "column 'roll_num' is nested");
    expect_refused(PQ_DIR "nulls.snappy.parquet", NULL, 0, "column 'b_struct.b_c_int' is nested");
    expect_refused(PQ_DIR "nation.dict-malformed.parquet", NULL, 0, "column 'name': byte 421");
    expect_refused(PQ_DIR "datapage_v1-corrupt-checksum.parquet", NULL, 0,
                   "column 'a': byte 4: page CRC mismatch");
    expect_refused(PQ_DIR "rle-dict-uncompressed-corrupt-checksum.parquet", NULL, 0,
                   "column 'long_field': byte 4: page CRC mismatch");
    expect_refused(PQ_BAD "PARQUET-1481.parquet", NULL, 0, "byte 308: malformed Parquet footer");
    expect_refused(PQ_BAD "ARROW-RS-GH-6229-DICTHEADER.parquet", NULL, 0,
                   "column 'nation_key': byte");
    expect_refused(PQ_BAD "ARROW-RS-GH-6229-LEVELS.parquet", NULL, 0, "is nested");
    expect_refused(PQ_BAD "ARROW-GH-41321.parquet", NULL, 0, "column 'int64': byte 1313");
    expect_refused(PQ_BAD "ARROW-GH-41317.parquet", NULL, 0,
                   "column 'timestamp_us_no_tz': byte 2923");
    expect_refused(PQ_BAD "ARROW-GH-45185.parquet", NULL, 0, "column 'x.list.element' is nested");
    expect_refused(PQ_BAD "ARROW-GH-47662.parquet", NULL, 0, "column 'flba_field': byte 4");
    /* GH-43605 is a valid file (bit width 0 with a one-entry dictionary) that
     * crashed one reader; it reads as 21186 zeros */
    mg_table *t = read_ok(PQ_BAD "ARROW-GH-43605.parquet", NULL, 0);
    assert_int_equal(t->nrows, 21186);
    for (int64_t i = 0; i < t->nrows; i++)
        assert_int_equal(t->cols[0].i64[i], 0);
    mg_table_free(t);
}

static void type_overrides(void **state) {
    (void)state;
    /* alltypes_plain: string_col "0"/"1" as int, id as float, bool_col as string */
    const mg_type_override ov[] = {{"string_col", MG_TYPE_I64},
                                   {"id", MG_TYPE_F64},
                                   {"bool_col", MG_TYPE_STR},
                                   {"tinyint_col", MG_TYPE_BOOL}};
    mg_read_options o = {.overrides = ov, .noverrides = 4};
    mg_table *t = NULL;
    mg_error err;
    assert_int_equal(mg_table_read(PQ_DIR "alltypes_plain.parquet", &o, &t, &err), MG_OK);
    const mg_column *s = col_of(t, "string_col", MG_TYPE_I64);
    const mg_column *id = col_of(t, "id", MG_TYPE_F64);
    const mg_column *b = col_of(t, "bool_col", MG_TYPE_STR);
    const mg_column *ti = col_of(t, "tinyint_col", MG_TYPE_BOOL);
    const double ids[8] = {4, 5, 6, 7, 2, 3, 0, 1};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(s->i64[i], i % 2);
        assert_true(id->f64[i] == ids[i]);
        assert_string_equal(mg_column_string(b, i), i % 2 ? "false" : "true");
        assert_int_equal(ti->b[i], i % 2);
    }
    assert_int_equal(b->ndict, 2);
    mg_table_free(t);
    /* a value that does not convert is named */
    const mg_type_override bad[] = {{"date_string_col", MG_TYPE_F64}};
    mg_read_options ob = {.overrides = bad, .noverrides = 1};
    assert_int_equal(mg_table_read(PQ_DIR "alltypes_plain.parquet", &ob, &t, &err), MG_ERR_DATA);
    assert_non_null(
        strstr(err.text, "column 'date_string_col': row 1: value '03/01/09' is not a float"));
    const mg_type_override dbl[] = {{"double_col", MG_TYPE_I64}};
    mg_read_options od = {.overrides = dbl, .noverrides = 1};
    assert_int_equal(mg_table_read(PQ_DIR "alltypes_plain.parquet", &od, &t, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "row 2: value '10.1' is not an int"));
}

/* ---- part directories -------------------------------------------------------- */

static void copy_file(const char *from, const char *to) {
    mg__file f;
    mg_error err;
    assert_int_equal(mg__file_map(from, &f, &err), MG_OK);
    FILE *o = fopen(to, "wb");
    assert_non_null(o);
    assert_int_equal(fwrite(f.data, 1, f.size, o), f.size);
    fclose(o);
    mg__file_unmap(&f);
}

static void part_directory(void **state) {
    (void)state;
    char dir[] = "/tmp/mg_pq_dirXXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/part-00001", dir); /* no extension: found by PAR1 */
    copy_file(PQ_DIR "alltypes_dictionary.parquet", p);
    snprintf(p, sizeof p, "%s/part-00000.parquet", dir);
    copy_file(PQ_DIR "alltypes_plain.parquet", p);
    const char *skip[] = {"_SUCCESS", ".part-00000.parquet.crc", "part-00000.parquet.crc"};
    for (size_t k = 0; k < MG_ARRAY_LEN(skip); k++) {
        snprintf(p, sizeof p, "%s/%s", dir, skip[k]);
        FILE *f = fopen(p, "wb");
        fputs("not parquet", f);
        fclose(f);
    }
    const char *cols[] = {"id", "string_col"};
    mg_table *t = read_ok(dir, cols, 2);
    assert_int_equal(t->nrows, 10);
    const int64_t ids[10] = {4, 5, 6, 7, 2, 3, 0, 1, 0, 1};
    for (int i = 0; i < 10; i++) {
        assert_int_equal(t->cols[0].i64[i], ids[i]);
        assert_string_equal(mg_column_string(&t->cols[1], i), ids[i] % 2 ? "1" : "0");
    }
    assert_int_equal(t->cols[1].ndict, 2);
    mg_table_free(t);
    /* a part with another schema is named */
    snprintf(p, sizeof p, "%s/part-00002.parquet", dir);
    copy_file(PQ_DIR "binary.parquet", p);
    expect_refused(dir, NULL, 0, "part file 'part-00002.parquet'");
    const char *rm[] = {"part-00000.parquet",      "part-00001",
                        "part-00002.parquet",      "_SUCCESS",
                        ".part-00000.parquet.crc", "part-00000.parquet.crc"};
    for (size_t k = 0; k < MG_ARRAY_LEN(rm); k++) {
        snprintf(p, sizeof p, "%s/%s", dir, rm[k]);
        unlink(p);
    }
    expect_refused(dir, NULL, 0, "no Parquet part files");
    rmdir(dir);
}

/* ---- robustness -------------------------------------------------------------- */

/* Mutated and truncated conformance files must fail with a message naming the
 * source, or read; never crash, hang or read outside the buffer (ASan). */
static void mutated_files_fail_cleanly(void **state) {
    (void)state;
    const char *files[] = {"alltypes_plain.parquet",
                           "datapage_v2.snappy.parquet",
                           "delta_encoding_optional_column.parquet",
                           "rle_boolean_encoding.parquet",
                           "byte_stream_split.zstd.parquet",
                           "int96_from_spark.parquet",
                           "fixed_length_decimal.parquet",
                           "hadoop_lz4_compressed.parquet"};
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    int failed = 0, read = 0;
    for (size_t k = 0; k < MG_ARRAY_LEN(files); k++) {
        char path[512];
        snprintf(path, sizeof path, PQ_DIR "%s", files[k]);
        mg__file f;
        mg_error err;
        assert_int_equal(mg__file_map(path, &f, &err), MG_OK);
        uint8_t *buf = malloc(f.size);
        for (int trial = 0; trial < 300; trial++) {
            memcpy(buf, f.data, f.size);
            size_t size = f.size;
            int flips = 1 + trial % 4;
            for (int m = 0; m < flips; m++) {
                rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                buf[rng % size] = (uint8_t)(rng >> 24);
            }
            if (trial % 10 == 9)
                size = 12 + rng % (size - 12);
            mg_table *t = NULL;
            mg_error_clear(&err);
            mg_status st =
                mg__parquet_read_buffer((const char *)buf, size, "mutant", NULL, &t, &err);
            if (st == MG_OK) {
                assert_non_null(t);
                read++;
            } else {
                assert_null(t);
                assert_true(st == MG_ERR_FORMAT || st == MG_ERR_UNSUPPORTED || st == MG_ERR_DATA);
                assert_non_null(strstr(err.text, "mutant"));
                failed++;
            }
            mg_table_free(t);
        }
        free(buf);
        mg__file_unmap(&f);
    }
    assert_true(failed > 0 && read > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thrift_skips_unknown_fields),
        cmocka_unit_test(rle_hybrid_runs),
        cmocka_unit_test(booleans_plain),
        cmocka_unit_test(delta_binary_packed),
        cmocka_unit_test(delta_byte_arrays),
        cmocka_unit_test(byte_stream_split),
        cmocka_unit_test(plain_byte_arrays),
        cmocka_unit_test(codecs_round_trip),
        cmocka_unit_test(conformance_expect_csv),
        cmocka_unit_test(conformance_alltypes),
        cmocka_unit_test(conformance_types),
        cmocka_unit_test(conformance_codecs_and_pages),
        cmocka_unit_test(refusals),
        cmocka_unit_test(type_overrides),
        cmocka_unit_test(part_directory),
        cmocka_unit_test(mutated_files_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
