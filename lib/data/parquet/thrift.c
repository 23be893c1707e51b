/* thrift.c - a bounds-checked decoder of the Thrift compact protocol, the
 * encoding of Parquet's footer and page headers. Unknown fields, nested
 * structs, lists and maps included, are skipped so that newer writers work. */
#include "data/parquet/pq.h"

#define TR_MAX_DEPTH 48

void mg__tr_init(mg__tr *t, const uint8_t *base, size_t start, size_t end) {
    memset(t, 0, sizeof *t);
    t->base = base;
    t->p = base + start;
    t->end = base + end;
}

size_t mg__tr_offset(const mg__tr *t) {
    return (size_t)(t->p - t->base);
}

void mg__tr_error(mg__tr *t, const char *what) {
    if (t->bad)
        return;
    t->bad = true;
    t->bad_off = mg__tr_offset(t);
    t->bad_what = what;
    t->p = t->end; /* every later read fails fast */
}

static uint8_t tr_byte(mg__tr *t) {
    if (t->p >= t->end) {
        mg__tr_error(t, "Thrift data runs past its end");
        return 0;
    }
    return *t->p++;
}

int8_t mg__tr_i8(mg__tr *t) {
    return (int8_t)tr_byte(t);
}

static uint64_t tr_varint(mg__tr *t) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b = tr_byte(t);
        if (t->bad)
            return 0;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    mg__tr_error(t, "Thrift varint longer than 10 bytes");
    return 0;
}

static int64_t zigzag(uint64_t v) {
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int64_t mg__tr_i64(mg__tr *t) {
    return zigzag(tr_varint(t));
}

int32_t mg__tr_i32(mg__tr *t) {
    int64_t v = mg__tr_i64(t);
    if (v < INT32_MIN || v > INT32_MAX) {
        mg__tr_error(t, "Thrift i32 out of range");
        return 0;
    }
    return (int32_t)v;
}

bool mg__tr_bool(mg__tr *t, int type) {
    if (type == MG__TT_TRUE)
        return true;
    if (type == MG__TT_FALSE)
        return false;
    /* list elements carry the value in a byte of their own */
    return tr_byte(t) == 1;
}

const uint8_t *mg__tr_binary(mg__tr *t, uint32_t *len) {
    uint64_t n = tr_varint(t);
    if (t->bad || n > (uint64_t)(t->end - t->p)) {
        mg__tr_error(t, "Thrift string longer than the bytes left");
        *len = 0;
        return t->p;
    }
    const uint8_t *s = t->p;
    t->p += n;
    *len = (uint32_t)n;
    return s;
}

uint32_t mg__tr_list(mg__tr *t, int *elem_type) {
    uint8_t h = tr_byte(t);
    uint64_t n = h >> 4;
    *elem_type = h & 0x0f;
    if (n == 15)
        n = tr_varint(t);
    /* every element takes at least one byte */
    if (t->bad || n > (uint64_t)(t->end - t->p)) {
        mg__tr_error(t, "Thrift list longer than the bytes left");
        return 0;
    }
    return (uint32_t)n;
}

bool mg__tr_field(mg__tr *t, int16_t *last, int16_t *id, int *type) {
    uint8_t h = tr_byte(t);
    if (t->bad || h == 0)
        return false;
    int delta = h >> 4;
    *type = h & 0x0f;
    if (delta != 0) {
        *id = (int16_t)(*last + delta);
    } else {
        int64_t v = mg__tr_i64(t);
        if (v < INT16_MIN || v > INT16_MAX) {
            mg__tr_error(t, "Thrift field id out of range");
            return false;
        }
        *id = (int16_t)v;
    }
    *last = *id;
    return !t->bad;
}

bool mg__tr_enter(mg__tr *t) {
    if (++t->depth > TR_MAX_DEPTH) {
        mg__tr_error(t, "Thrift structs nested too deeply");
        return false;
    }
    return true;
}

void mg__tr_leave(mg__tr *t) {
    t->depth--;
}

void mg__tr_skip(mg__tr *t, int type) {
    switch (type) {
    case MG__TT_TRUE:
    case MG__TT_FALSE: return;
    case MG__TT_I8: tr_byte(t); return;
    case MG__TT_I16:
    case MG__TT_I32:
    case MG__TT_I64: tr_varint(t); return;
    case MG__TT_DOUBLE:
        if (t->end - t->p < 8)
            mg__tr_error(t, "Thrift double runs past its end");
        else
            t->p += 8;
        return;
    case MG__TT_BINARY: {
        uint32_t len;
        mg__tr_binary(t, &len);
        return;
    }
    case MG__TT_LIST:
    case MG__TT_SET: {
        int et;
        uint32_t n = mg__tr_list(t, &et);
        if (!mg__tr_enter(t))
            return;
        for (uint32_t i = 0; i < n && !t->bad; i++) {
            if (et == MG__TT_TRUE || et == MG__TT_FALSE)
                tr_byte(t);
            else
                mg__tr_skip(t, et);
        }
        mg__tr_leave(t);
        return;
    }
    case MG__TT_MAP: {
        uint64_t n = tr_varint(t);
        if (n == 0)
            return;
        uint8_t kv = tr_byte(t);
        if (t->bad || n > (uint64_t)(t->end - t->p)) {
            mg__tr_error(t, "Thrift map longer than the bytes left");
            return;
        }
        if (!mg__tr_enter(t))
            return;
        for (uint64_t i = 0; i < n && !t->bad; i++) {
            int kt = kv >> 4, vt = kv & 0x0f;
            if (kt == MG__TT_TRUE || kt == MG__TT_FALSE)
                tr_byte(t);
            else
                mg__tr_skip(t, kt);
            if (vt == MG__TT_TRUE || vt == MG__TT_FALSE)
                tr_byte(t);
            else
                mg__tr_skip(t, vt);
        }
        mg__tr_leave(t);
        return;
    }
    case MG__TT_STRUCT: {
        if (!mg__tr_enter(t))
            return;
        int16_t last = 0, id;
        int ft;
        while (mg__tr_field(t, &last, &id, &ft))
            mg__tr_skip(t, ft);
        mg__tr_leave(t);
        return;
    }
    default: mg__tr_error(t, "unknown Thrift type"); return;
    }
}
