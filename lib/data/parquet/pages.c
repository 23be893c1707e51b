/* pages.c - decodes one column chunk: walks its pages (dictionary, data v1 and
 * v2), checks CRCs, decompresses, decodes definition levels and values and
 * writes them into the table's column at the chunk's row offset. */
#include "data/parquet/pq.h"

#include <zlib.h>

/* A page may not claim more than this, nor more than its compressed size
 * times PQ_MAX_RATIO (when above PQ_RATIO_FLOOR). */
#define PQ_MAX_PAGE ((int64_t)1 << 30)
#define PQ_RATIO_FLOOR ((int64_t)1 << 24)
#define PQ_MAX_RATIO 4096

typedef struct chunk {
    const uint8_t *file;
    size_t size;
    const char *source;
    const pq_colspec *spec;
    const pq_chunk *cm;
    pq_part *part;
    size_t elem; /* bytes per output value */
    pq_phys phys;
    uint32_t *u32; /* definition levels */
    size_t u32_cap;
    uint32_t *idx; /* dictionary indices, RLE booleans */
    size_t idx_cap;
    uint8_t *page; /* decompressed page */
    size_t page_cap;
    uint8_t *arena; /* bytes rebuilt by DELTA_BYTE_ARRAY or BYTE_STREAM_SPLIT */
    uint8_t *dict;  /* dictionary values in the output type */
    int32_t ndict;
    bool has_dict;
    int64_t done; /* rows written */
    size_t page_off;
} chunk;

static mg_status fail_at(chunk *c, mg_error *err, size_t off, const char *why) {
    return mg__fail(err, MG_ERR_FORMAT, "%s: column '%s': byte %zu: %s", c->source, c->spec->name,
                    off, why);
}

static bool reserve_phys(chunk *c, size_t n) {
    if (n <= c->phys.cap && c->phys.cap > 0)
        return true;
    size_t cap = n < 1024 ? 1024 : n;
    free(c->phys.iv);
    free(c->phys.dv);
    free(c->phys.bv);
    free(c->phys.sv);
    memset(&c->phys, 0, sizeof c->phys);
    switch (c->spec->phys) {
    case PQ_BOOLEAN: c->phys.bv = mg__malloc_array(cap, 1); break;
    case PQ_INT32:
    case PQ_INT64: c->phys.iv = mg__malloc_array(cap, sizeof(int64_t)); break;
    case PQ_FLOAT:
    case PQ_DOUBLE: c->phys.dv = mg__malloc_array(cap, sizeof(double)); break;
    default: c->phys.sv = mg__malloc_array(cap, sizeof(pq_slice)); break;
    }
    if (c->phys.iv == NULL && c->phys.dv == NULL && c->phys.bv == NULL && c->phys.sv == NULL)
        return false;
    c->phys.cap = cap;
    return true;
}

static bool reserve_u32(uint32_t **buf, size_t *cap, size_t n) {
    if (n <= *cap && *cap > 0)
        return true;
    size_t want = n < 1024 ? 1024 : n;
    uint32_t *p = mg__realloc_array(*buf, want, sizeof *p);
    if (p == NULL)
        return false;
    *buf = p;
    *cap = want;
    return true;
}

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Fixed-width slices (FLBA, INT96) over [p, p+len). */
static const char *fixed_slices(const uint8_t *p, size_t len, size_t width, pq_slice *out,
                                size_t n) {
    if (width == 0 || n > len / width)
        return "fixed-length values run past the page";
    for (size_t i = 0; i < n; i++)
        out[i].p = p + i * width, out[i].len = (uint32_t)width;
    return NULL;
}

/* Little-endian fixed-width bytes into the phys arrays. */
static void load_numbers(chunk *c, const uint8_t *p, size_t n) {
    switch (c->spec->phys) {
    case PQ_INT32:
        for (size_t i = 0; i < n; i++)
            c->phys.iv[i] = (int32_t)le32(p + 4 * i);
        break;
    case PQ_INT64:
        for (size_t i = 0; i < n; i++) {
            uint64_t v = (uint64_t)le32(p + 8 * i) | (uint64_t)le32(p + 8 * i + 4) << 32;
            c->phys.iv[i] = (int64_t)v;
        }
        break;
    case PQ_FLOAT:
        for (size_t i = 0; i < n; i++) {
            uint32_t bits = le32(p + 4 * i);
            float fv;
            memcpy(&fv, &bits, sizeof fv);
            c->phys.dv[i] = fv;
        }
        break;
    case PQ_DOUBLE: memcpy(c->phys.dv, p, n * 8); break;
    default: break;
    }
}

static size_t phys_width(const pq_colspec *s) {
    switch (s->phys) {
    case PQ_INT32:
    case PQ_FLOAT: return 4;
    case PQ_INT64:
    case PQ_DOUBLE: return 8;
    case PQ_INT96: return 12;
    case PQ_FLBA: return (size_t)s->type_length;
    default: return 0;
    }
}

/* Decodes n values of a non-dictionary encoding into c->phys. */
static const char *decode_values(chunk *c, int enc, const uint8_t *p, size_t len, size_t n) {
    const pq_colspec *s = c->spec;
    size_t w = phys_width(s);
    free(c->arena);
    c->arena = NULL;
    switch (enc) {
    case PQ_ENC_PLAIN:
        switch (s->phys) {
        case PQ_BOOLEAN: return mg__pq_plain_bool(p, len, c->phys.bv, n);
        case PQ_BYTE_ARRAY: return mg__pq_plain_bytes(p, len, c->phys.sv, n);
        case PQ_INT96:
        case PQ_FLBA: return fixed_slices(p, len, w, c->phys.sv, n);
        default:
            if (n > len / w)
                return "PLAIN values run past the page";
            load_numbers(c, p, n);
            return NULL;
        }
    case PQ_ENC_RLE: {
        if (s->phys != PQ_BOOLEAN)
            return "RLE value encoding on a non-boolean column";
        if (len < 4 || le32(p) > len - 4)
            return "RLE boolean length prefix runs past the page";
        if (!reserve_u32(&c->idx, &c->idx_cap, n))
            return "out of memory";
        const char *why = mg__pq_rle_decode(p + 4, le32(p), 1, c->idx, n);
        for (size_t i = 0; why == NULL && i < n; i++)
            c->phys.bv[i] = (uint8_t)c->idx[i];
        return why;
    }
    case PQ_ENC_DELTA_BINARY_PACKED: {
        if (s->phys != PQ_INT32 && s->phys != PQ_INT64)
            return "DELTA_BINARY_PACKED on a non-integer column";
        size_t used;
        return mg__pq_delta_binary(p, len, (int)w, c->phys.iv, n, &used);
    }
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        if (s->phys != PQ_BYTE_ARRAY)
            return "DELTA_LENGTH_BYTE_ARRAY on a non-byte-array column";
        return mg__pq_delta_length(p, len, c->phys.sv, n);
    case PQ_ENC_DELTA_BYTE_ARRAY: {
        if (s->phys != PQ_BYTE_ARRAY && s->phys != PQ_FLBA)
            return "DELTA_BYTE_ARRAY on a non-byte-array column";
        const char *why = mg__pq_delta_bytes(p, len, c->phys.sv, n, &c->arena);
        for (size_t i = 0; why == NULL && s->phys == PQ_FLBA && i < n; i++)
            if (c->phys.sv[i].len != w)
                why = "DELTA_BYTE_ARRAY value of the wrong fixed length";
        return why;
    }
    case PQ_ENC_BYTE_STREAM_SPLIT: {
        if (w == 0 || s->phys == PQ_INT96)
            return "BYTE_STREAM_SPLIT on a column of variable width";
        if (n > len / w)
            return "BYTE_STREAM_SPLIT values run past the page";
        c->arena = mg__malloc_array(n ? n : 1, w);
        if (c->arena == NULL)
            return "out of memory";
        const char *why = mg__pq_byte_stream_split(p, len, w, c->arena, n);
        if (why != NULL)
            return why;
        if (s->phys == PQ_FLBA)
            return fixed_slices(c->arena, n * w, w, c->phys.sv, n);
        load_numbers(c, c->arena, n);
        return NULL;
    }
    default: return "unknown value encoding";
    }
}

/* Converts the decoded phys values into the output array at dst. */
static const char *convert(chunk *c, size_t n, void *dst) {
    return mg__pq_convert(c->spec, &c->phys, n, dst, &c->part->pool, &c->part->u64_high);
}

static mg_status read_dictionary(chunk *c, const pq_page_header *h, const uint8_t *p, size_t len,
                                 mg_error *err) {
    if (c->has_dict)
        return fail_at(c, err, c->page_off, "a second dictionary page in the column chunk");
    if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY)
        return fail_at(c, err, c->page_off, "dictionary page not PLAIN-encoded");
    size_t w = phys_width(c->spec);
    size_t min_size = c->spec->phys == PQ_BOOLEAN ? 0 : c->spec->phys == PQ_BYTE_ARRAY ? 4 : w;
    if (h->num_values < 0 || (min_size > 0 && (size_t)h->num_values > len / min_size) ||
        (min_size == 0 && (size_t)h->num_values > len * 8))
        return fail_at(c, err, c->page_off, "dictionary page entry count does not fit the page");
    size_t n = (size_t)h->num_values;
    if (!reserve_phys(c, n) || (c->dict = mg__malloc_array(n ? n : 1, c->elem)) == NULL)
        return mg__nomem(err, "a Parquet dictionary");
    const char *why = decode_values(c, PQ_ENC_PLAIN, p, len, n);
    if (why == NULL)
        why = convert(c, n, c->dict);
    if (why != NULL)
        return fail_at(c, err, c->page_off, why);
    c->ndict = (int32_t)n;
    c->has_dict = true;
    return MG_OK;
}

/* Writes nn dictionary-coded values (indices in [p, p+len)) at dst. */
static const char *gather_dict(chunk *c, const uint8_t *p, size_t len, size_t nn, uint8_t *dst) {
    if (!c->has_dict)
        return "dictionary-encoded page without a dictionary page";
    if (len < 1)
        return "dictionary index bit width missing";
    if (!reserve_u32(&c->idx, &c->idx_cap, nn))
        return "out of memory";
    const char *why = mg__pq_rle_decode(p + 1, len - 1, p[0], c->idx, nn);
    if (why != NULL)
        return why;
    uint32_t nd = (uint32_t)c->ndict;
    for (size_t i = 0; i < nn; i++)
        if (c->idx[i] >= nd)
            return "dictionary index out of range";
    switch (c->elem) {
    case 8:
        for (size_t i = 0; i < nn; i++)
            memcpy(dst + 8 * i, c->dict + 8 * (size_t)c->idx[i], 8);
        break;
    case 4: {
        const int32_t *d = (const int32_t *)(const void *)c->dict;
        int32_t *o = (int32_t *)(void *)dst;
        for (size_t i = 0; i < nn; i++)
            o[i] = d[c->idx[i]];
        break;
    }
    default:
        for (size_t i = 0; i < nn; i++)
            dst[i] = c->dict[c->idx[i]];
        break;
    }
    return NULL;
}

/* Spreads nn values at the front of [dst, dst+n) over the valid rows (levels
 * in c->u32), back to front so it works in place; marks the nulls. */
static mg_status spread_nulls(chunk *c, uint8_t *dst, size_t n, size_t nn, mg_error *err) {
    pq_part *part = c->part;
    if (part->valid == NULL) {
        size_t bytes = (size_t)(part->nrows + 7) / 8;
        part->valid = mg__malloc(bytes ? bytes : 1);
        if (part->valid == NULL)
            return mg__nomem(err, "a null bitmap");
        memset(part->valid, 0xff, bytes);
    }
    size_t e = c->elem, j = nn;
    for (size_t i = n; i-- > 0;) {
        int64_t row = c->done + (int64_t)i;
        if (c->u32[i]) {
            j--;
            if (j != i)
                memcpy(dst + i * e, dst + j * e, e);
        } else {
            memset(dst + i * e, 0, e);
            part->valid[row >> 3] &= (uint8_t) ~(1u << (row & 7));
            part->nulls++;
        }
    }
    return MG_OK;
}

/* Decodes the definition levels of n rows; *nn gets the non-null count. */
static const char *read_levels(chunk *c, const uint8_t *p, size_t len, int enc, size_t n,
                               size_t *nn) {
    if (!reserve_u32(&c->u32, &c->u32_cap, n))
        return "out of memory";
    const char *why;
    if (enc == PQ_ENC_BIT_PACKED) {
        /* the deprecated encoding packs levels MSB first */
        if (len < (n + 7) / 8)
            return "BIT_PACKED definition levels run past the page";
        for (size_t i = 0; i < n; i++)
            c->u32[i] = (p[i >> 3] >> (7 - (i & 7))) & 1;
        why = NULL;
    } else {
        why = mg__pq_rle_decode(p, len, 1, c->u32, n);
    }
    size_t count = 0;
    for (size_t i = 0; why == NULL && i < n; i++)
        count += c->u32[i];
    *nn = count;
    return why;
}

static mg_status read_data_page(chunk *c, const pq_page_header *h, const uint8_t *raw,
                                mg_error *err) {
    const pq_colspec *s = c->spec;
    bool v2 = h->type == 3;
    if (h->num_values < 0 || h->num_values > c->part->nrows - c->done)
        return fail_at(c, err, c->page_off,
                       "data page holds more values than the row group's rows");
    size_t n = (size_t)h->num_values;
    size_t csize = (size_t)h->compressed_size, usize = (size_t)h->uncompressed_size;
    const uint8_t *levels = NULL, *values;
    size_t levels_len = 0, values_len;
    const char *why = NULL;
    if (v2) {
        if (h->def_len < 0 || h->rep_len < 0 || (size_t)h->def_len + (size_t)h->rep_len > csize ||
            (size_t)h->def_len + (size_t)h->rep_len > usize)
            return fail_at(c, err, c->page_off, "level lengths exceed the page");
        size_t lv = (size_t)h->rep_len + (size_t)h->def_len;
        levels = raw + h->rep_len;
        levels_len = (size_t)h->def_len;
        size_t vc = csize - lv, vu = usize - lv;
        values = raw + lv;
        if (vu == 0) {
            /* an all-null page may carry an empty compressed stream */
        } else if (h->is_compressed && c->cm->codec != PQ_CODEC_UNCOMPRESSED) {
            why = mg__pq_decompress(c->cm->codec, raw + lv, vc, c->page, vu);
            values = c->page;
        } else {
            if (vc != vu)
                why = "uncompressed page sizes disagree";
        }
        values_len = vu;
    } else {
        if (c->cm->codec != PQ_CODEC_UNCOMPRESSED) {
            why = mg__pq_decompress(c->cm->codec, raw, csize, c->page, usize);
            values = c->page;
        } else {
            if (csize != usize)
                why = "uncompressed page sizes disagree";
            values = raw;
        }
        values_len = usize;
        if (why == NULL && s->max_def > 0) {
            if (h->def_encoding == PQ_ENC_RLE) {
                if (values_len < 4 || le32(values) > values_len - 4)
                    return fail_at(c, err, c->page_off, "definition levels run past the page");
                levels = values + 4;
                levels_len = le32(values);
                values += 4 + levels_len;
                values_len -= 4 + levels_len;
            } else if (h->def_encoding == PQ_ENC_BIT_PACKED) {
                levels = values;
                levels_len = (n + 7) / 8;
                if (levels_len > values_len)
                    return fail_at(c, err, c->page_off, "definition levels run past the page");
                values += levels_len;
                values_len -= levels_len;
            } else {
                return fail_at(c, err, c->page_off, "unknown definition level encoding");
            }
        }
    }
    if (why != NULL)
        return fail_at(c, err, c->page_off, why);
    size_t nn = n;
    if (s->max_def > 0) {
        why = read_levels(c, levels, levels_len, v2 ? PQ_ENC_RLE : h->def_encoding, n, &nn);
        if (why != NULL)
            return fail_at(c, err, c->page_off, why);
    }
    uint8_t *dst = (uint8_t *)c->part->dst + (size_t)c->done * c->elem;
    if (nn > 0) {
        if (h->encoding == PQ_ENC_PLAIN_DICTIONARY || h->encoding == PQ_ENC_RLE_DICTIONARY) {
            why = gather_dict(c, values, values_len, nn, dst);
        } else if (h->encoding == PQ_ENC_PLAIN && ((s->phys == PQ_DOUBLE && s->conv == PQ_CV_F64) ||
                                                   (s->phys == PQ_INT64 && s->conv == PQ_CV_I64))) {
            /* the common case needs no conversion: straight into the column */
            if (nn > values_len / 8)
                why = "PLAIN values run past the page";
            else
                memcpy(dst, values, nn * 8);
        } else {
            if (!reserve_phys(c, nn))
                return mg__nomem(err, "Parquet page values");
            why = decode_values(c, h->encoding, values, values_len, nn);
            if (why == NULL)
                why = convert(c, nn, dst);
        }
        if (why != NULL)
            return fail_at(c, err, c->page_off, why);
    }
    if (nn < n)
        MG_TRY(spread_nulls(c, dst, n, nn, err));
    c->done += (int64_t)n;
    return MG_OK;
}

static mg_status walk_pages(chunk *c, mg_error *err) {
    const pq_chunk *cm = c->cm;
    if (c->part->nrows == 0)
        return MG_OK; /* writers leave offsets of empty chunks at 0 */
    int64_t start = cm->data_page_offset;
    if (cm->dictionary_page_offset > 0 && (cm->dictionary_page_offset < start || start <= 0))
        start = cm->dictionary_page_offset;
    if (start < 4 || cm->total_compressed < 0 || (uint64_t)start > c->size ||
        (uint64_t)cm->total_compressed > c->size - (uint64_t)start)
        return fail_at(c, err, (size_t)(start < 0 ? 0 : start),
                       "column chunk lies outside the file");
    size_t pos = (size_t)start, end = pos + (size_t)cm->total_compressed;
    while (pos < end) {
        c->page_off = pos;
        mg__tr t;
        mg__tr_init(&t, c->file, pos, end);
        pq_page_header h;
        if (mg__pq_page_header_parse(&t, &h) != MG_OK)
            return fail_at(c, err, t.bad_off, t.bad_what ? t.bad_what : "malformed page header");
        size_t body = mg__tr_offset(&t);
        if (h.compressed_size < 0 || (size_t)h.compressed_size > end - body)
            return fail_at(c, err, pos, "page size runs past the column chunk");
        int64_t cap = (int64_t)h.compressed_size * PQ_MAX_RATIO;
        if (h.uncompressed_size < 0 || h.uncompressed_size > PQ_MAX_PAGE ||
            (h.uncompressed_size > PQ_RATIO_FLOOR && h.uncompressed_size > cap))
            return fail_at(c, err, pos, "implausible uncompressed page size");
        const uint8_t *raw = c->file + body;
        if (h.has_crc && (h.type == 0 || h.type == 2 || h.type == 3)) {
            uint32_t crc = (uint32_t)crc32(0L, raw, (uInt)h.compressed_size);
            if (crc != h.crc)
                return fail_at(c, err, pos, "page CRC mismatch (the file is corrupt)");
        }
        if ((size_t)h.uncompressed_size >= c->page_cap) {
            free(c->page);
            c->page_cap = 0;
            c->page = mg__malloc((size_t)h.uncompressed_size + 1);
            if (c->page == NULL)
                return mg__nomem(err, "a Parquet page");
            c->page_cap = (size_t)h.uncompressed_size + 1;
        }
        if (h.type == 2) {
            const uint8_t *p = raw;
            if (cm->codec != PQ_CODEC_UNCOMPRESSED) {
                const char *why = mg__pq_decompress(cm->codec, raw, (size_t)h.compressed_size,
                                                    c->page, (size_t)h.uncompressed_size);
                if (why != NULL)
                    return fail_at(c, err, pos, why);
                p = c->page;
            } else if (h.compressed_size != h.uncompressed_size) {
                return fail_at(c, err, pos, "uncompressed page sizes disagree");
            }
            MG_TRY(read_dictionary(c, &h, p, (size_t)h.uncompressed_size, err));
        } else if (h.type == 0 || h.type == 3) {
            MG_TRY(read_data_page(c, &h, raw, err));
        } else if (h.type != 1) {
            return fail_at(c, err, pos, "unknown page type");
        }
        pos = body + (size_t)h.compressed_size;
    }
    if (c->done != c->part->nrows)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: column '%s': byte %zu: column chunk holds %" PRId64
                        " values but its row group has %" PRId64 " rows",
                        c->source, c->spec->name, (size_t)start, c->done, c->part->nrows);
    return MG_OK;
}

mg_status mg__pq_read_chunk(const uint8_t *file, size_t size, const char *source,
                            const pq_chunk *cm, const pq_colspec *spec, pq_part *part,
                            mg_error *err) {
    chunk c = {.file = file, .size = size, .source = source, .spec = spec, .cm = cm, .part = part};
    c.elem = spec->type == MG_TYPE_BOOL ? 1 : spec->type == MG_TYPE_STR ? 4 : 8;
    mg_status st;
    if (cm->encrypted)
        st = mg__fail(err, MG_ERR_UNSUPPORTED,
                      "%s: column '%s': the column is encrypted; modelgate does not decrypt "
                      "Parquet, write the test set unencrypted",
                      source, spec->name);
    else if (cm->type != spec->phys)
        st = mg__fail(err, MG_ERR_FORMAT,
                      "%s: column '%s': column chunk type %d differs from the schema's %d", source,
                      spec->name, cm->type, spec->phys);
    else
        st = walk_pages(&c, err);
    free(c.phys.iv);
    free(c.phys.dv);
    free(c.phys.bv);
    free(c.phys.sv);
    free(c.u32);
    free(c.idx);
    free(c.page);
    free(c.arena);
    free(c.dict);
    return st;
}
