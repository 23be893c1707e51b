/* encodings.c - Parquet's value encodings: PLAIN, the RLE/bit-packed hybrid
 * (levels, dictionary indices, booleans), DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Each
 * decoder reads only inside [p, p+len) and returns a reason on bad input. */
#include "data/parquet/pq.h"

/* Cap on the bytes DELTA_BYTE_ARRAY may rebuild from shared prefixes. */
#define PQ_PREFIX_ARENA_MAX ((size_t)1 << 30)

static uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads a ULEB128 varint; false when it runs off the end or past 64 bits. */
static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Bit-packed values (LSB first) starting at bit `bit` of p, which holds at
 * least (bit + width*n + 7)/8 bytes; width <= 64. */
static uint64_t unpack_one(const uint8_t *p, size_t nbytes, uint64_t bit, int width) {
    uint64_t v = 0;
    int got = 0;
    size_t byte = (size_t)(bit >> 3);
    int shift = (int)(bit & 7);
    while (got < width && byte < nbytes) {
        uint64_t b = (uint64_t)(p[byte] >> shift);
        v |= b << got;
        got += 8 - shift;
        shift = 0;
        byte++;
    }
    return width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

/* Unpacks `take` values of bit-packed groups (8 values in `width` bytes
 * each); the data holds ceil(take/8) whole groups. */
static void unpack_groups(const uint8_t *p, int width, uint32_t *out, size_t take) {
    uint32_t mask = width == 32 ? UINT32_MAX : (UINT32_C(1) << width) - 1;
    for (size_t g = 0; g * 8 < take; g++) {
        /* a padded copy of the group lets every value be one 64-bit load */
        uint8_t buf[40] = {0};
        memcpy(buf, p + g * (size_t)width, (size_t)width);
        size_t n = take - g * 8 < 8 ? take - g * 8 : 8;
        for (size_t i = 0; i < n; i++) {
            size_t bit = i * (size_t)width;
            uint64_t w;
            memcpy(&w, buf + (bit >> 3), 8);
            out[g * 8 + i] = (uint32_t)(w >> (bit & 7)) & mask;
        }
    }
}

const char *mg__pq_rle_decode(const uint8_t *p, size_t len, int bit_width, uint32_t *out,
                              size_t n) {
    if (bit_width < 0 || bit_width > 32)
        return "RLE bit width above 32";
    if (bit_width == 0) {
        /* every value is 0 and the runs carry no bytes */
        memset(out, 0, n * sizeof *out);
        return NULL;
    }
    const uint8_t *end = p + len;
    size_t done = 0;
    size_t vbytes = (size_t)(bit_width + 7) / 8;
    while (done < n) {
        uint64_t h;
        if (!varint(&p, end, &h))
            return "RLE/bit-packed data ends before all values";
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups > (uint64_t)(end - p) / (uint64_t)bit_width)
                return "bit-packed run longer than its data";
            size_t nbytes = (size_t)groups * (size_t)bit_width;
            size_t count = (size_t)groups * 8;
            size_t take = count < n - done ? count : n - done;
            unpack_groups(p, bit_width, out + done, take);
            p += nbytes;
            done += take;
        } else {
            uint64_t count = h >> 1;
            if ((size_t)(end - p) < vbytes)
                return "RLE run value runs past the data";
            uint32_t v = 0;
            for (size_t k = 0; k < vbytes; k++)
                v |= (uint32_t)p[k] << (8 * k);
            p += vbytes;
            if (bit_width < 32 && v >> bit_width)
                return "RLE run value wider than the bit width";
            size_t take = count < n - done ? (size_t)count : n - done;
            for (size_t i = 0; i < take; i++)
                out[done + i] = v;
            done += take;
        }
    }
    return NULL;
}

const char *mg__pq_plain_bool(const uint8_t *p, size_t len, uint8_t *out, size_t n) {
    if (len < (n + 7) / 8)
        return "PLAIN booleans run past the page";
    for (size_t i = 0; i < n; i++)
        out[i] = (p[i >> 3] >> (i & 7)) & 1;
    return NULL;
}

const char *mg__pq_plain_fixed(const uint8_t *p, size_t len, size_t width, uint8_t *out, size_t n) {
    if (width != 0 && n > len / width)
        return "PLAIN values run past the page";
    if (n > 0 && width > 0)
        memcpy(out, p, n * width);
    return NULL;
}

const char *mg__pq_plain_bytes(const uint8_t *p, size_t len, pq_slice *out, size_t n) {
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        if (len - off < 4)
            return "PLAIN byte array length runs past the page";
        uint32_t l = load_le32(p + off);
        off += 4;
        if (l > len - off)
            return "PLAIN byte array runs past the page";
        out[i].p = p + off;
        out[i].len = l;
        off += l;
    }
    return NULL;
}

const char *mg__pq_delta_binary(const uint8_t *p, size_t len, int width, int64_t *out, size_t n,
                                size_t *used) {
    const uint8_t *start = p, *end = p + len;
    uint64_t block, nmini, total, zz;
    if (!varint(&p, end, &block) || !varint(&p, end, &nmini) || !varint(&p, end, &total) ||
        !varint(&p, end, &zz))
        return "DELTA_BINARY_PACKED header runs past the page";
    if (block == 0 || block % 128 != 0 || block > (1u << 20) || nmini == 0 || block % nmini != 0 ||
        (block / nmini) % 32 != 0)
        return "DELTA_BINARY_PACKED block size or miniblock count is invalid";
    if (total < n)
        return "DELTA_BINARY_PACKED holds fewer values than the page";
    uint64_t per_mini = block / nmini;
    /* Wrap-around arithmetic in uint64: int32 columns truncate afterwards. */
    uint64_t value = (uint64_t)((int64_t)(zz >> 1) ^ -(int64_t)(zz & 1));
    uint64_t done = 0;
    if (total > 0) {
        if (n > 0)
            out[0] = width == 4 ? (int64_t)(int32_t)(uint32_t)value : (int64_t)value;
        done = 1;
    }
    while (done < total) {
        uint64_t mz;
        if (!varint(&p, end, &mz))
            return "DELTA_BINARY_PACKED block header runs past the page";
        uint64_t min_delta = (uint64_t)((int64_t)(mz >> 1) ^ -(int64_t)(mz & 1));
        if ((uint64_t)(end - p) < nmini)
            return "DELTA_BINARY_PACKED bit widths run past the page";
        const uint8_t *widths = p;
        p += nmini;
        for (uint64_t m = 0; m < nmini && done < total; m++) {
            int w = widths[m];
            if (w > 64)
                return "DELTA_BINARY_PACKED miniblock bit width above 64";
            size_t nbytes = (size_t)(per_mini * (uint64_t)w / 8);
            if ((size_t)(end - p) < nbytes)
                return "DELTA_BINARY_PACKED miniblock runs past the page";
            uint64_t take = total - done < per_mini ? total - done : per_mini;
            if (done < n) {
                for (uint64_t i = 0; i < take; i++) {
                    uint64_t d = w ? unpack_one(p, nbytes, i * (uint64_t)w, w) : 0;
                    value += min_delta + d;
                    if (done + i < n)
                        out[done + i] =
                            width == 4 ? (int64_t)(int32_t)(uint32_t)value : (int64_t)value;
                }
            }
            done += take;
            p += nbytes;
        }
    }
    *used = (size_t)(p - start);
    return NULL;
}

const char *mg__pq_delta_length(const uint8_t *p, size_t len, pq_slice *out, size_t n) {
    int64_t *lens = mg__malloc_array(n ? n : 1, sizeof *lens);
    if (lens == NULL)
        return "out of memory for DELTA_LENGTH_BYTE_ARRAY lengths";
    size_t used;
    const char *why = mg__pq_delta_binary(p, len, 4, lens, n, &used);
    size_t off = used;
    for (size_t i = 0; why == NULL && i < n; i++) {
        if (lens[i] < 0 || (uint64_t)lens[i] > len - off) {
            why = "DELTA_LENGTH_BYTE_ARRAY value runs past the page";
            break;
        }
        out[i].p = p + off;
        out[i].len = (uint32_t)lens[i];
        off += (size_t)lens[i];
    }
    free(lens);
    return why;
}

const char *mg__pq_delta_bytes(const uint8_t *p, size_t len, pq_slice *out, size_t n,
                               uint8_t **arena) {
    *arena = NULL;
    int64_t *pre = mg__malloc_array(n ? n : 1, sizeof *pre);
    pq_slice *suf = mg__malloc_array(n ? n : 1, sizeof *suf);
    const char *why = NULL;
    size_t used = 0;
    if (pre == NULL || suf == NULL)
        why = "out of memory for DELTA_BYTE_ARRAY";
    if (why == NULL)
        why = mg__pq_delta_binary(p, len, 4, pre, n, &used);
    if (why == NULL)
        why = mg__pq_delta_length(p + used, len - used, suf, n);
    /* Sizes first, so that the arena is allocated once and checked. */
    size_t total = 0;
    int64_t prev = 0;
    for (size_t i = 0; why == NULL && i < n; i++) {
        if (pre[i] < 0 || pre[i] > prev) {
            why = "DELTA_BYTE_ARRAY prefix longer than the previous value";
            break;
        }
        prev = pre[i] + suf[i].len;
        if (prev > UINT32_MAX || (size_t)prev > PQ_PREFIX_ARENA_MAX - total) {
            why = "DELTA_BYTE_ARRAY values rebuild to more than 1 GiB";
            break;
        }
        total += (size_t)prev;
    }
    uint8_t *a = NULL;
    if (why == NULL && (a = mg__malloc(total ? total : 1)) == NULL)
        why = "out of memory for DELTA_BYTE_ARRAY values";
    size_t off = 0;
    for (size_t i = 0; why == NULL && i < n; i++) {
        uint8_t *dst = a + off;
        if (pre[i] > 0)
            memcpy(dst, out[i - 1].p, (size_t)pre[i]);
        if (suf[i].len)
            memcpy(dst + pre[i], suf[i].p, suf[i].len);
        out[i].p = dst;
        out[i].len = (uint32_t)(pre[i] + suf[i].len);
        off += out[i].len;
    }
    free(pre);
    free(suf);
    if (why != NULL)
        free(a);
    else
        *arena = a;
    return why;
}

const char *mg__pq_byte_stream_split(const uint8_t *p, size_t len, size_t width, uint8_t *out,
                                     size_t n) {
    if (width == 0 || n > len / width)
        return "BYTE_STREAM_SPLIT values run past the page";
    /* The page may hold more values than wanted (stream k starts at k*total). */
    size_t total = len / width;
    for (size_t k = 0; k < width; k++) {
        const uint8_t *s = p + k * total;
        for (size_t i = 0; i < n; i++)
            out[i * width + k] = s[i];
    }
    return NULL;
}
