/* codecs.c - page decompression with Debian's libraries: snappy, zlib (gzip,
 * concatenated members too), zstd, lz4 (raw blocks, Hadoop framing, frames)
 * and brotli. Every codec must produce exactly the page's stated size. */
#include "data/parquet/pq.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

const char *mg__pq_codec_name(int codec) {
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED: return "UNCOMPRESSED";
    case PQ_CODEC_SNAPPY: return "SNAPPY";
    case PQ_CODEC_GZIP: return "GZIP";
    case PQ_CODEC_LZO: return "LZO";
    case PQ_CODEC_BROTLI: return "BROTLI";
    case PQ_CODEC_LZ4: return "LZ4";
    case PQ_CODEC_ZSTD: return "ZSTD";
    case PQ_CODEC_LZ4_RAW: return "LZ4_RAW";
    }
    return "unknown";
}

static const char *inflate_all(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len) {
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 32: a zlib or gzip header, detected */
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return "gzip: cannot initialise zlib";
    const char *why = NULL;
    size_t in_done = 0, out_done = 0;
    /* Some writers emit several gzip members in one page; inflate them in turn. */
    while (why == NULL && in_done < src_len) {
        z.next_in = (Bytef *)(uintptr_t)(src + in_done);
        z.avail_in = (uInt)(src_len - in_done > UINT32_MAX ? UINT32_MAX : src_len - in_done);
        z.next_out = dst + out_done;
        z.avail_out = (uInt)(dst_len - out_done > UINT32_MAX ? UINT32_MAX : dst_len - out_done);
        uInt avail_in0 = z.avail_in, avail_out0 = z.avail_out;
        int rc = inflate(&z, Z_FINISH);
        in_done += avail_in0 - z.avail_in;
        out_done += avail_out0 - z.avail_out;
        if (rc == Z_STREAM_END) {
            if (in_done < src_len && inflateReset(&z) != Z_OK)
                why = "gzip: cannot reset zlib";
        } else if (rc == Z_BUF_ERROR && z.avail_out == 0) {
            why = "gzip: data inflates past the page size";
        } else {
            why = "gzip: corrupt deflate stream";
        }
    }
    inflateEnd(&z);
    if (why == NULL && out_done != dst_len)
        why = "gzip: data inflates to fewer bytes than the page size";
    return why;
}

static bool lz4_raw(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len) {
    if (src_len > INT32_MAX || dst_len > INT32_MAX)
        return false;
    int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
    return n >= 0 && (size_t)n == dst_len;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Hadoop's framing: blocks of [u32 BE decompressed][u32 BE compressed][lz4 block]. */
static bool lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len) {
    size_t in = 0, out = 0;
    while (in < src_len) {
        if (src_len - in < 8)
            return false;
        uint32_t dlen = be32(src + in), clen = be32(src + in + 4);
        in += 8;
        if (clen > src_len - in || dlen > dst_len - out)
            return false;
        if (!lz4_raw(src + in, clen, dst + out, dlen))
            return false;
        in += clen;
        out += dlen;
    }
    return out == dst_len;
}

static bool lz4_frame(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len) {
    LZ4F_dctx *ctx;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION)))
        return false;
    size_t in = 0, out = 0;
    bool ok = false;
    for (;;) {
        size_t in_len = src_len - in, out_len = dst_len - out;
        size_t rc = LZ4F_decompress(ctx, dst + out, &out_len, src + in, &in_len, NULL);
        if (LZ4F_isError(rc))
            break;
        in += in_len;
        out += out_len;
        if (rc == 0) {
            ok = in == src_len && out == dst_len;
            break;
        }
        if (in_len == 0 && out_len == 0)
            break; /* no progress: truncated or over-long */
    }
    LZ4F_freeDecompressionContext(ctx);
    return ok;
}

const char *mg__pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst,
                              size_t dst_len) {
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (src_len != dst_len)
            return "uncompressed page sizes disagree";
        if (dst_len)
            memcpy(dst, src, dst_len);
        return NULL;
    case PQ_CODEC_SNAPPY: {
        size_t n;
        if (snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK || n != dst_len)
            return "snappy: decompressed length differs from the page size";
        if (snappy_uncompress((const char *)src, src_len, (char *)dst, &n) != SNAPPY_OK ||
            n != dst_len)
            return "snappy: corrupt data";
        return NULL;
    }
    case PQ_CODEC_GZIP: return inflate_all(src, src_len, dst, dst_len);
    case PQ_CODEC_ZSTD: {
        size_t n = ZSTD_decompress(dst, dst_len, src, src_len);
        if (ZSTD_isError(n))
            return "zstd: corrupt data or wrong page size";
        return n == dst_len ? NULL : "zstd: decompressed length differs from the page size";
    }
    case PQ_CODEC_LZ4_RAW:
        return lz4_raw(src, src_len, dst, dst_len) ? NULL : "LZ4_RAW: corrupt data";
    case PQ_CODEC_LZ4:
        /* The LZ4 codec was written three ways over the years; try them as
         * parquet-mr and Arrow do. */
        if (lz4_hadoop(src, src_len, dst, dst_len) || lz4_raw(src, src_len, dst, dst_len) ||
            lz4_frame(src, src_len, dst, dst_len))
            return NULL;
        return "LZ4: corrupt data (neither Hadoop-framed, raw nor LZ4 frame)";
    case PQ_CODEC_BROTLI: {
        size_t n = dst_len;
        if (BrotliDecoderDecompress(src_len, src, &n, dst) != BROTLI_DECODER_RESULT_SUCCESS)
            return "brotli: corrupt data or wrong page size";
        return n == dst_len ? NULL : "brotli: decompressed length differs from the page size";
    }
    case PQ_CODEC_LZO: return "LZO compression is not supported (no LZO library in Debian's set)";
    }
    return "unknown compression codec";
}
