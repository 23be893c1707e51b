/* convert.c - from Parquet's physical values to the table's types: integer
 * widths and signedness, decimals (as doubles with the scale applied), dates,
 * timestamps (microseconds since the Unix epoch, INT96 included), FLOAT16,
 * and byte strings interned into a per-chunk pool. */
#include "data/parquet/pq.h"

#include <math.h>

/* ---- the string pool ----------------------------------------------------- */

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

void mg__pq_pool_release(pq_pool *p) {
    mg__buf_release(&p->bytes);
    free(p->off);
    free(p->len);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

static bool pool_rehash(pq_pool *p) {
    size_t ns = p->nslots ? p->nslots * 2 : 64;
    int32_t *slots = mg__calloc(ns, sizeof *slots);
    if (slots == NULL)
        return false;
    for (int32_t k = 0; k < p->n; k++) {
        size_t h = (size_t)hash_bytes((const uint8_t *)p->bytes.data + p->off[k], p->len[k]);
        size_t i = h & (ns - 1);
        while (slots[i] != 0)
            i = (i + 1) & (ns - 1);
        slots[i] = k + 1;
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = ns;
    return true;
}

/* Code of the string [s, s+n) in the pool, added when new; -1 when out of memory. */
int32_t mg__pq_pool_intern(pq_pool *p, const uint8_t *s, size_t n) {
    if ((size_t)p->n * 2 >= p->nslots && !pool_rehash(p))
        return -1;
    size_t i = (size_t)hash_bytes(s, n) & (p->nslots - 1);
    while (p->slots[i] != 0) {
        int32_t k = p->slots[i] - 1;
        if (p->len[k] == n && memcmp(p->bytes.data + p->off[k], s, n) == 0)
            return k;
        i = (i + 1) & (p->nslots - 1);
    }
    if (p->n == INT32_MAX - 1)
        return -1;
    if (p->n == p->cap) {
        int32_t cap = p->cap ? p->cap * 2 : 64;
        size_t *off = mg__realloc_array(p->off, (size_t)cap, sizeof *off);
        if (off == NULL)
            return -1;
        p->off = off;
        uint32_t *len = mg__realloc_array(p->len, (size_t)cap, sizeof *len);
        if (len == NULL)
            return -1;
        p->len = len;
        p->cap = cap;
    }
    p->off[p->n] = p->bytes.len;
    p->len[p->n] = (uint32_t)n;
    mg__buf_append(&p->bytes, s, n);
    mg__buf_append(&p->bytes, "", 1);
    if (p->bytes.failed)
        return -1;
    p->slots[i] = p->n + 1;
    return p->n++;
}

/* ---- strings ----------------------------------------------------------------- */

/* True when [s, s+n) is well-formed UTF-8 without NUL bytes (which the
 * table's NUL-terminated strings cannot hold). */
static bool is_text(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0)
            k = 1, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            k = 2, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            k = 3, cp = c & 0x07;
        else
            return false;
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

static int32_t intern_hex(pq_pool *pool, const uint8_t *s, size_t n, bool uuid) {
    static const char digits[] = "0123456789abcdef";
    char small[128];
    size_t cap = 2 + 2 * n + 4;
    char *buf = cap <= sizeof small ? small : mg__malloc(cap);
    if (buf == NULL)
        return -1;
    size_t o = 0;
    if (!uuid) {
        buf[o++] = '0';
        buf[o++] = 'x';
    }
    for (size_t i = 0; i < n; i++) {
        if (uuid && (i == 4 || i == 6 || i == 8 || i == 10))
            buf[o++] = '-';
        buf[o++] = digits[s[i] >> 4];
        buf[o++] = digits[s[i] & 15];
    }
    int32_t code = mg__pq_pool_intern(pool, (const uint8_t *)buf, o);
    if (buf != small)
        free(buf);
    return code;
}

/* ---- numbers ------------------------------------------------------------------- */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* unscaled * 10^-scale, correctly rounded: exact operands divide exactly
 * rounded; otherwise through decimal text. */
static double decimal_value(i128 v, int32_t scale) {
    if (scale >= 0 && scale <= 22 && v >= -(INT64_C(1) << 53) && v <= (INT64_C(1) << 53))
        return (double)(int64_t)v / pow10_exact[scale];
    char text[80];
    char digits[48];
    u128 mag = v < 0 ? (u128)0 - (u128)v : (u128)v;
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag != 0);
    int o = 0;
    if (v < 0)
        text[o++] = '-';
    while (nd > 0)
        text[o++] = digits[--nd];
    o += snprintf(text + o, sizeof text - (size_t)o, "e%d", (int)-scale);
    double d = 0;
    mg_parse_double(text, (size_t)o, &d);
    return d;
}

/* Big-endian two's complement of any length, as long as it fits 128 bits. */
static bool decimal_bytes(const uint8_t *s, size_t n, int32_t scale, double *out) {
    if (n == 0) {
        *out = 0;
        return true;
    }
    uint8_t sign = (s[0] & 0x80) ? 0xff : 0x00;
    while (n > 16) {
        if (s[0] != sign)
            return false;
        s++, n--;
    }
    u128 u = sign ? ~(u128)0 : 0;
    for (size_t i = 0; i < n; i++)
        u = u << 8 | s[i];
    *out = decimal_value((i128)u, scale);
    return true;
}

static double half_to_double(uint16_t h) {
    int exp = (h >> 10) & 0x1f;
    int mant = h & 0x3ff;
    double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exp == 0)
        return sign * ldexp((double)mant, -24);
    if (exp == 31)
        return mant ? NAN : sign * INFINITY;
    return sign * ldexp((double)(mant | 0x400), exp - 25);
}

static int64_t floor_div1000(int64_t v) {
    int64_t q = v / 1000;
    return (v % 1000 < 0) ? q - 1 : q;
}

const char *mg__pq_convert(const pq_colspec *spec, const pq_phys *in, size_t n, void *dst,
                           pq_pool *pool, bool *u64_high) {
    double *f = dst;
    int64_t *i64 = dst;
    uint8_t *b = dst;
    int32_t *codes = dst;
    if (n == 0)
        return NULL;
    switch (spec->conv) {
    case PQ_CV_BOOL: memcpy(b, in->bv, n); return NULL;
    case PQ_CV_I64: memcpy(i64, in->iv, n * sizeof *i64); return NULL;
    case PQ_CV_U32:
        for (size_t i = 0; i < n; i++)
            i64[i] = (int64_t)(uint32_t)in->iv[i];
        return NULL;
    case PQ_CV_U64:
        for (size_t i = 0; i < n; i++) {
            i64[i] = in->iv[i];
            if (in->iv[i] < 0)
                *u64_high = true;
        }
        return NULL;
    case PQ_CV_MUL1000:
        for (size_t i = 0; i < n; i++)
            if (__builtin_mul_overflow(in->iv[i], 1000, &i64[i]))
                return "millisecond value out of the range of microseconds in 64 bits";
        return NULL;
    case PQ_CV_DIV1000:
        for (size_t i = 0; i < n; i++)
            i64[i] = floor_div1000(in->iv[i]);
        return NULL;
    case PQ_CV_F64: memcpy(f, in->dv, n * sizeof *f); return NULL;
    case PQ_CV_DEC_INT:
        for (size_t i = 0; i < n; i++)
            f[i] = decimal_value(in->iv[i], spec->scale);
        return NULL;
    case PQ_CV_DEC_BYTES:
        for (size_t i = 0; i < n; i++)
            if (!decimal_bytes(in->sv[i].p, in->sv[i].len, spec->scale, &f[i]))
                return "decimal value wider than 128 bits";
        return NULL;
    case PQ_CV_INT96:
        for (size_t i = 0; i < n; i++) {
            const uint8_t *s = in->sv[i].p;
            uint64_t nanos = 0;
            for (int k = 7; k >= 0; k--)
                nanos = nanos << 8 | s[k];
            int32_t jd = (int32_t)((uint32_t)s[8] | (uint32_t)s[9] << 8 | (uint32_t)s[10] << 16 |
                                   (uint32_t)s[11] << 24);
            /* Spark computes day * 86400e6 + nanos / 1000 wrapping in 64 bits
             * for dates past the year 294247; so do Arrow and DuckDB. */
            uint64_t days = (uint64_t)((int64_t)jd - 2440588);
            int64_t us =
                (int64_t)(days * UINT64_C(86400000000) + (uint64_t)((int64_t)nanos / 1000));
            i64[i] = us;
        }
        return NULL;
    case PQ_CV_FLOAT16:
        for (size_t i = 0; i < n; i++)
            f[i] = half_to_double((uint16_t)(in->sv[i].p[0] | in->sv[i].p[1] << 8));
        return NULL;
    case PQ_CV_STR:
    case PQ_CV_HEX:
    case PQ_CV_UUID:
        for (size_t i = 0; i < n; i++) {
            const pq_slice *s = &in->sv[i];
            int32_t c;
            if (spec->conv == PQ_CV_STR && is_text(s->p, s->len))
                c = mg__pq_pool_intern(pool, s->p, s->len);
            else
                c = intern_hex(pool, s->p, s->len, spec->conv == PQ_CV_UUID);
            if (c < 0)
                return "out of memory for strings";
            codes[i] = c;
        }
        return NULL;
    }
    return "unknown conversion";
}
