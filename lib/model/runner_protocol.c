/* runner_protocol.c - argv splitting and the runner protocol's frames
 * (little-endian, length-prefixed; see docs/runner-protocol.md). */
#include "model/runner_protocol.h"

#include <math.h>

/* ---- argv --------------------------------------------------------------- */

void mg__argv_free(char **argv) {
    for (char **a = argv; a != NULL && *a != NULL; a++)
        free(*a);
    free(argv);
}

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

mg_status mg__split_command(const char *cmd, char ***argv_out, int *argc_out, mg_error *err) {
    *argv_out = NULL;
    *argc_out = 0;
    char **argv = NULL;
    int argc = 0;
    mg__buf word = {0};
    const char *p = cmd;
    mg_status st = MG_OK;
    for (;;) {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        word.len = 0;
        mg__buf_reserve(&word, 1);
        while (*p != '\0' && !is_space(*p)) {
            char c = *p++;
            if (c == '\'') {
                const char *end = strchr(p, '\'');
                if (end == NULL) {
                    st = mg__fail(err, MG_ERR_USAGE, "cmd:%s: unterminated ' quote", cmd);
                    goto done;
                }
                mg__buf_append(&word, p, (size_t)(end - p));
                p = end + 1;
            } else if (c == '"') {
                while (*p != '"') {
                    if (*p == '\0') {
                        st = mg__fail(err, MG_ERR_USAGE, "cmd:%s: unterminated \" quote", cmd);
                        goto done;
                    }
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    mg__buf_append(&word, p++, 1);
                }
                p++;
            } else if (c == '\\') {
                if (*p == '\0') {
                    st = mg__fail(err, MG_ERR_USAGE, "cmd:%s: a trailing backslash escapes nothing",
                                  cmd);
                    goto done;
                }
                mg__buf_append(&word, p++, 1);
            } else {
                mg__buf_append(&word, &c, 1);
            }
        }
        char **grown = mg__realloc_array(argv, (size_t)argc + 2, sizeof *argv);
        if (grown == NULL) {
            st = mg__nomem(err, "the runner's arguments");
            goto done;
        }
        argv = grown;
        argv[argc] = word.failed ? NULL : mg__strndup(word.data, word.len);
        argv[argc + 1] = NULL;
        if (argv[argc] == NULL) {
            st = mg__nomem(err, "the runner's arguments");
            goto done;
        }
        argc++;
    }
    if (argc == 0)
        st = mg__fail(err, MG_ERR_USAGE,
                      "model cmd:%s: expected a program after cmd: (cmd:PROGRAM ARGS...)", cmd);
done:
    mg__buf_release(&word);
    if (st != MG_OK) {
        mg__argv_free(argv);
        return st;
    }
    *argv_out = argv;
    *argc_out = argc;
    return MG_OK;
}

/* ---- frames ------------------------------------------------------------- */

void mg__frame_put_u32(mg__buf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    mg__buf_append(b, x, 4);
}

void mg__frame_put_str(mg__buf *b, const char *s) {
    size_t n = strlen(s);
    mg__frame_put_u32(b, (uint32_t)n);
    mg__buf_append(b, s, n);
}

void mg__frame_header(mg__buf *b, const char tag[4], uint32_t len) {
    mg__buf_append(b, tag, 4);
    mg__frame_put_u32(b, len);
}

void mg__frame_hello(mg__buf *b) {
    mg__frame_header(b, "HELO", 4);
    mg__frame_put_u32(b, MG__RUNNER_PROTOCOL_VERSION);
}

void mg__frame_cols(mg__buf *b, const char *const *names, int n) {
    size_t len = 8;
    for (int i = 0; names != NULL && i < n; i++)
        len += 4 + strlen(names[i]);
    mg__frame_header(b, "COLS", (uint32_t)len);
    mg__frame_put_u32(b, (uint32_t)n);
    mg__frame_put_u32(b, names != NULL ? (uint32_t)n : 0);
    for (int i = 0; names != NULL && i < n; i++)
        mg__frame_put_str(b, names[i]);
}

mg_status mg__frame_rows(mg__buf *b, const double *rows, int64_t nrows, int nfeatures,
                         mg_error *err) {
    uint64_t len = 8 + (uint64_t)nrows * (uint64_t)nfeatures * 8;
    if (len > UINT32_MAX)
        return mg__fail(err, MG_ERR_USAGE,
                        "a batch of %" PRId64 " rows of %d features is too large for one frame "
                        "(use a smaller --batch-size)",
                        nrows, nfeatures);
    if (!mg__buf_reserve(b, (size_t)len + MG__FRAME_HEADER_SIZE))
        return mg__nomem(err, "a batch frame");
    mg__frame_header(b, "ROWS", (uint32_t)len);
    mg__frame_put_u32(b, (uint32_t)nrows);
    mg__frame_put_u32(b, (uint32_t)nfeatures);
    uint8_t *dst = (uint8_t *)b->data + b->len;
    int64_t n = nrows * nfeatures;
    for (int64_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &rows[i], 8);
        for (int k = 0; k < 8; k++)
            dst[i * 8 + k] = (uint8_t)(u >> (8 * k));
    }
    b->len += (size_t)n * 8;
    return MG_OK;
}

/* Type codes of a TBLK column. */
enum { TBLK_F64 = 0, TBLK_I64 = 1, TBLK_BOOL = 2, TBLK_STR = 3 };

static void put_u64(uint8_t *dst, uint64_t u) {
    for (int k = 0; k < 8; k++)
        dst[k] = (uint8_t)(u >> (8 * k));
}

/* The payload bytes of one column of a TBLK frame. */
static uint64_t typed_column_size(const mg_column *c, int64_t r0, int64_t nrows) {
    uint64_t n = 2 + (c->null_count > 0 ? (uint64_t)nrows : 0);
    if (c->type == MG_TYPE_BOOL)
        return n + (uint64_t)nrows;
    if (c->type != MG_TYPE_STR)
        return n + 8 * (uint64_t)nrows;
    n += 4 * (uint64_t)nrows;
    for (int64_t i = r0; i < r0 + nrows; i++)
        if (!mg_column_is_null(c, i))
            n += strlen(c->dict[c->codes[i]]);
    return n;
}

mg_status mg__frame_typed_rows(mg__buf *b, const mg_table *t, const int *idx, int ncols, int64_t r0,
                               int64_t nrows, mg_error *err) {
    uint64_t len = 8;
    for (int j = 0; j < ncols; j++)
        len += typed_column_size(&t->cols[idx[j]], r0, nrows);
    if (len > UINT32_MAX)
        return mg__fail(err, MG_ERR_USAGE,
                        "a batch of %" PRId64 " rows of %d columns is too large for one frame "
                        "(use a smaller --batch-size)",
                        nrows, ncols);
    if (!mg__buf_reserve(b, (size_t)len + MG__FRAME_HEADER_SIZE))
        return mg__nomem(err, "a batch frame");
    mg__frame_header(b, "TBLK", (uint32_t)len);
    mg__frame_put_u32(b, (uint32_t)nrows);
    mg__frame_put_u32(b, (uint32_t)ncols);
    for (int j = 0; j < ncols; j++) {
        const mg_column *c = &t->cols[idx[j]];
        static const uint8_t code[] = {[MG_TYPE_F64] = TBLK_F64, [MG_TYPE_I64] = TBLK_I64,
                                       [MG_TYPE_BOOL] = TBLK_BOOL, [MG_TYPE_STR] = TBLK_STR};
        uint8_t head[2] = {code[c->type], c->null_count > 0};
        mg__buf_append(b, head, 2);
        uint8_t *dst = (uint8_t *)b->data + b->len;
        if (c->null_count > 0) {
            for (int64_t i = 0; i < nrows; i++)
                dst[i] = (uint8_t)mg_column_is_null(c, r0 + i);
            b->len += (size_t)nrows;
            dst += nrows;
        }
        switch (c->type) {
        case MG_TYPE_F64:
        case MG_TYPE_I64:
            for (int64_t i = 0; i < nrows; i++) {
                uint64_t u = 0;
                if (!mg_column_is_null(c, r0 + i))
                    memcpy(&u, c->type == MG_TYPE_F64 ? (const void *)&c->f64[r0 + i]
                                                      : (const void *)&c->i64[r0 + i],
                           8);
                put_u64(dst + 8 * i, u);
            }
            b->len += (size_t)nrows * 8;
            break;
        case MG_TYPE_BOOL:
            for (int64_t i = 0; i < nrows; i++)
                dst[i] = mg_column_is_null(c, r0 + i) ? 0 : (uint8_t)(c->b[r0 + i] != 0);
            b->len += (size_t)nrows;
            break;
        case MG_TYPE_STR:
            for (int64_t i = r0; i < r0 + nrows; i++)
                mg__frame_put_str(b, mg_column_is_null(c, i) ? "" : c->dict[c->codes[i]]);
            break;
        }
    }
    return MG_OK;
}

void mg__frame_parse_header(const uint8_t in[MG__FRAME_HEADER_SIZE], char tag[5], uint32_t *len) {
    memcpy(tag, in, 4);
    tag[4] = '\0';
    *len = (uint32_t)in[4] | (uint32_t)in[5] << 8 | (uint32_t)in[6] << 16 | (uint32_t)in[7] << 24;
}

typedef struct reader {
    const uint8_t *p;
    size_t n, pos;
} reader;

static int get_u32(reader *r, uint32_t *v) {
    if (r->n - r->pos < 4)
        return -1;
    const uint8_t *q = r->p + r->pos;
    *v = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
    r->pos += 4;
    return 0;
}

static int get_strings(reader *r, char ***out, int *nout) {
    uint32_t n;
    if (get_u32(r, &n) != 0 || n > (r->n - r->pos) / 4)
        return -1;
    if (n == 0)
        return 0;
    char **v = mg__calloc(n, sizeof *v);
    if (v == NULL)
        return -1;
    *out = v;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        if (get_u32(r, &len) != 0 || len > r->n - r->pos)
            return -1;
        v[i] = mg__strndup((const char *)r->p + r->pos, len);
        if (v[i] == NULL)
            return -1;
        *nout = (int)i + 1;
        r->pos += len;
    }
    return 0;
}

void mg__runner_info_release(mg__runner_info *info) {
    for (int i = 0; i < info->nnames; i++)
        free(info->names[i]);
    free(info->names);
    for (int i = 0; i < info->nlabels; i++)
        free(info->labels[i]);
    free(info->labels);
    memset(info, 0, sizeof *info);
}

mg_status mg__frame_parse_info(const uint8_t *p, size_t n, const char *who, mg__runner_info *info,
                               mg_error *err) {
    memset(info, 0, sizeof *info);
    reader r = {p, n, 0};
    uint32_t version, kind, noutputs, nfeatures;
    if (get_u32(&r, &version) != 0 || get_u32(&r, &kind) != 0 || get_u32(&r, &noutputs) != 0 ||
        get_u32(&r, &nfeatures) != 0 || get_strings(&r, &info->names, &info->nnames) != 0 ||
        get_strings(&r, &info->labels, &info->nlabels) != 0)
        return mg__fail(err, MG_ERR_MODEL,
                        "runner %s: its INFO frame is malformed (byte %zu of %zu)", who, r.pos, n);
    info->version = version;
    info->noutputs = (int)noutputs;
    info->nfeatures = nfeatures == UINT32_MAX ? -1 : (int)nfeatures;
    if (version < MG__RUNNER_PROTOCOL_MIN || version > MG__RUNNER_PROTOCOL_VERSION)
        return mg__fail(err, MG_ERR_MODEL,
                        "runner %s: speaks protocol version %u, modelgate versions %u to %u", who,
                        version, MG__RUNNER_PROTOCOL_MIN, MG__RUNNER_PROTOCOL_VERSION);
    static const mg_output_kind kinds[] = {MG_OUTPUT_PROBABILITY, MG_OUTPUT_CLASS_PROBS,
                                           MG_OUTPUT_CLASS, MG_OUTPUT_VALUE};
    if (kind >= MG_ARRAY_LEN(kinds))
        return mg__fail(err, MG_ERR_MODEL, "runner %s: unknown output kind %u in its INFO frame",
                        who, kind);
    info->kind = kinds[kind];
    bool multi = info->kind == MG_OUTPUT_CLASS_PROBS;
    if ((multi && (noutputs < 2 || noutputs > 100000)) || (!multi && noutputs != 1))
        return mg__fail(err, MG_ERR_MODEL,
                        "runner %s: %u outputs per row does not fit output kind %u", who, noutputs,
                        kind);
    if (nfeatures != UINT32_MAX && nfeatures > INT32_MAX)
        return mg__fail(err, MG_ERR_MODEL, "runner %s: implausible feature count %u", who,
                        nfeatures);
    if (info->nnames != 0 && (info->nfeatures < 0 || info->nnames != info->nfeatures))
        return mg__fail(err, MG_ERR_MODEL, "runner %s: names %d features but says it takes %d", who,
                        info->nnames, info->nfeatures);
    if (info->nlabels != 0 && ((multi && info->nlabels != info->noutputs) ||
                               (info->kind == MG_OUTPUT_PROBABILITY && info->nlabels != 2) ||
                               info->kind == MG_OUTPUT_VALUE))
        return mg__fail(err, MG_ERR_MODEL,
                        "runner %s: %d class labels do not fit its outputs (kind %u, %u outputs)",
                        who, info->nlabels, kind, noutputs);
    if (r.pos != n)
        return mg__fail(err, MG_ERR_MODEL, "runner %s: %zu stray bytes after its INFO frame", who,
                        n - r.pos);
    return MG_OK;
}

static double get_f64(const uint8_t *q) {
    uint64_t u = 0;
    for (int b = 7; b >= 0; b--)
        u = (u << 8) | q[b];
    double v;
    memcpy(&v, &u, 8);
    return v;
}

mg_status mg__frame_parse_scores(const uint8_t *p, size_t n, const char *who, int64_t nrows, int k,
                                 double *out, double *compute_s, mg_error *err) {
    *compute_s = -1;
    reader r = {p, n, 0};
    uint32_t rows, cols;
    if (get_u32(&r, &rows) != 0 || get_u32(&r, &cols) != 0)
        return mg__fail(err, MG_ERR_MODEL, "runner %s: a SCOR frame of %zu bytes is too short", who,
                        n);
    if ((int64_t)rows != nrows || (int)cols != k)
        return mg__fail(err, MG_ERR_MODEL,
                        "runner %s: answered %u rows of %u values for a batch of %" PRId64
                        " rows of %d values",
                        who, rows, cols, nrows, k);
    uint64_t need = (uint64_t)rows * cols * 8;
    /* one optional float64 after the values: the runner's own compute time */
    bool timed = n - 8 == need + 8;
    if (n - 8 != need && !timed)
        return mg__fail(err, MG_ERR_MODEL,
                        "runner %s: its SCOR frame holds %zu bytes of values, %" PRIu64
                        " expected for %u rows of %u values (or 8 more with its compute time)",
                        who, n - 8, need, rows, cols);
    const uint8_t *q = p + 8;
    for (uint64_t i = 0; i < (uint64_t)rows * cols; i++)
        out[i] = get_f64(q + i * 8);
    if (timed) {
        double t = get_f64(q + need);
        if (!isfinite(t) || t < 0) {
            char text[40];
            mg_format_double(t, text, sizeof text);
            return mg__fail(err, MG_ERR_MODEL,
                            "runner %s: its SCOR frame reports a compute time of %s s (expected a "
                            "finite number of seconds >= 0)",
                            who, text);
        }
        *compute_s = t;
    }
    return MG_OK;
}
