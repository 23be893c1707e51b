/* override.c - type overrides for Parquet (mg_read_options.overrides): a
 * column read with the file's type becomes the type the user asked for,
 * refusing any value that does not convert exactly (a float with a fraction as int, "abc" as
 * float). */
#include "data/parquet/pq.h"

#include <math.h>
#include <strings.h>

static mg_status bad_value(const char *source, const mg_column *col, int64_t row, mg_type to,
                           mg_error *err) {
    char text[96];
    mg_column_format(col, row, text, sizeof text);
    return mg__fail(err, MG_ERR_DATA, "%s: column '%s': row %" PRId64 ": value '%s' is not %s %s",
                    source, col->name, row + 1, text, to == MG_TYPE_I64 ? "an" : "a",
                    mg_type_name(to));
}

/* Strings to bool: true/false/1/0, any letter case. */
static int parse_bool(const char *s, uint8_t *out) {
    if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
        return *out = 1, 0;
    if (strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0)
        return *out = 0, 0;
    return -1;
}

/* The value of row i as `to`; false when it does not convert exactly. */
static bool convert_value(const mg_column *c, int64_t i, mg_type to, double *f, int64_t *n,
                          uint8_t *b) {
    double x = 0;
    const char *s = c->type == MG_TYPE_STR ? c->dict[c->codes[i]] : NULL;
    if (s != NULL) {
        switch (to) {
        case MG_TYPE_F64: return mg_parse_double(s, strlen(s), f) == 0;
        case MG_TYPE_I64: return mg_parse_int64(s, strlen(s), n) == 0;
        case MG_TYPE_BOOL: return parse_bool(s, b) == 0;
        case MG_TYPE_STR: return true;
        }
        return false;
    }
    if (c->type == MG_TYPE_I64 && to == MG_TYPE_I64)
        return *n = c->i64[i], true;
    mg_column_number(c, i, &x);
    switch (to) {
    case MG_TYPE_F64: *f = x; return true;
    case MG_TYPE_I64:
        if (c->type == MG_TYPE_I64)
            return *n = c->i64[i], true;
        if (!(x == floor(x)) || x < -9223372036854775808.0 || x >= 9223372036854775808.0)
            return false;
        *n = (int64_t)x;
        return true;
    case MG_TYPE_BOOL:
        if (x != 0 && x != 1)
            return false;
        *b = x == 1;
        return true;
    case MG_TYPE_STR: return true;
    }
    return false;
}

static mg_status to_strings(const mg_column *c, mg_column *out, mg_error *err) {
    pq_pool pool = {0};
    char text[96];
    mg_status st = MG_OK;
    for (int64_t i = 0; i < c->nrows && st == MG_OK; i++) {
        if (mg_column_is_null(c, i))
            continue;
        const char *s = c->type == MG_TYPE_STR ? c->dict[c->codes[i]]
                                               : mg_column_format(c, i, text, sizeof text);
        out->codes[i] = mg__pq_pool_intern(&pool, (const uint8_t *)s, strlen(s));
        if (out->codes[i] < 0)
            st = mg__nomem(err, "a string dictionary");
    }
    if (st == MG_OK && pool.n > 0) {
        out->dict = mg__calloc((size_t)pool.n, sizeof *out->dict);
        for (int32_t k = 0; out->dict != NULL && k < pool.n; k++) {
            out->dict[k] = mg__strdup(pool.bytes.data + pool.off[k]);
            out->ndict = k + 1;
            if (out->dict[k] == NULL)
                break;
        }
        if (out->dict == NULL || out->dict[pool.n - 1] == NULL)
            st = mg__nomem(err, "a string dictionary");
    }
    mg__pq_pool_release(&pool);
    return st;
}

static mg_status convert_column(const char *source, mg_column *c, mg_type to, mg_error *err) {
    if (c->type == to)
        return MG_OK;
    mg_column out;
    MG_TRY(mg__column_init(&out, c->name, to, c->nrows, err));
    mg_status st = MG_OK;
    if (to == MG_TYPE_STR) {
        st = to_strings(c, &out, err);
    } else {
        for (int64_t i = 0; i < c->nrows && st == MG_OK; i++) {
            if (mg_column_is_null(c, i))
                continue;
            double f = 0;
            int64_t n = 0;
            uint8_t b = 0;
            if (!convert_value(c, i, to, &f, &n, &b))
                st = bad_value(source, c, i, to, err);
            else if (to == MG_TYPE_F64)
                out.f64[i] = f;
            else if (to == MG_TYPE_I64)
                out.i64[i] = n;
            else
                out.b[i] = b;
        }
    }
    if (st != MG_OK) {
        mg__column_release(&out);
        return st;
    }
    /* the nulls stay: hand the bitmap over */
    out.valid = c->valid;
    out.null_count = c->null_count;
    c->valid = NULL;
    mg__column_release(c);
    *c = out;
    return MG_OK;
}

mg_status mg__pq_apply_overrides(mg_table *t, const mg_read_options *opts, mg_error *err) {
    for (int k = 0; k < opts->noverrides; k++) {
        const mg_type_override *o = &opts->overrides[k];
        mg_column *c = mg_table_column(t, o->column);
        if (c == NULL) {
            if (opts->columns != NULL)
                continue; /* a column the command does not read */
            return mg__fail(err, MG_ERR_DATA, "%s: no column '%s' (named by a type override)",
                            t->source, o->column);
        }
        MG_TRY(convert_column(t->source, c, o->type, err));
    }
    return MG_OK;
}
