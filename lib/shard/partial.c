/* partial.c - the partial result file of one shard (format in
 * modelgate/shard.h and docs/scale.md): writing it, reading it back with
 * every field checked, and merging partials into one run's rows. */
#include "internal.h"
#include "modelgate/shard.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MAGIC[8] = {'M', 'G', 'P', 'A', 'R', 'T', '\r', '\n'};

void mg_partial_release(mg_partial *p) {
    free(p->command);
    for (int i = 0; p->options != NULL && i < p->noptions; i++)
        free(p->options[i]);
    free(p->options);
    free(p->data_path);
    free(p->data_sha256);
    free(p->model_arg);
    free(p->model_sha256);
    free(p->policy_sha256);
    mg_targets_release(&p->targets);
    mg_table_free(p->columns);
    memset(p, 0, sizeof *p);
}

/* ---- writing ------------------------------------------------------------ */

static void put_u8(mg__buf *b, unsigned v) {
    uint8_t c = (uint8_t)v;
    mg__buf_append(b, &c, 1);
}

static void put_u32(mg__buf *b, uint32_t v) {
    uint8_t c[4];
    for (int i = 0; i < 4; i++)
        c[i] = (uint8_t)(v >> (8 * i));
    mg__buf_append(b, c, 4);
}

static void put_u64(mg__buf *b, uint64_t v) {
    uint8_t c[8];
    for (int i = 0; i < 8; i++)
        c[i] = (uint8_t)(v >> (8 * i));
    mg__buf_append(b, c, 8);
}

static void put_f64(mg__buf *b, double d) {
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put_u64(b, v);
}

static void put_str(mg__buf *b, const char *s) {
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    mg__buf_append(b, s, n);
}

static void put_optstr(mg__buf *b, const char *s) {
    put_u8(b, s != NULL);
    if (s != NULL)
        put_str(b, s);
}

static void put_f64s(mg__buf *b, const double *a, int64_t n) {
    if (!mg__buf_reserve(b, (size_t)n * 8))
        return;
    for (int64_t i = 0; i < n; i++)
        put_f64(b, a[i]);
}

static void put_i32s(mg__buf *b, const int32_t *a, int64_t n) {
    if (!mg__buf_reserve(b, (size_t)n * 4))
        return;
    for (int64_t i = 0; i < n; i++)
        put_u32(b, (uint32_t)a[i]);
}

static void put_targets(mg__buf *b, const mg_targets *t) {
    put_u32(b, (uint32_t)t->task);
    put_str(b, t->task_reason);
    put_u64(b, (uint64_t)t->n);
    put_u8(b, t->w != NULL);
    put_u32(b, (uint32_t)t->w_exp2);
    put_f64(b, t->threshold);
    put_f64(b, t->decision_threshold);
    put_optstr(b, t->positive_label);
    put_optstr(b, t->negative_label);
    put_str(b, t->positive_reason);
    put_u32(b, (uint32_t)t->nclasses);
    for (int k = 0; k < t->nclasses; k++)
        put_str(b, t->class_labels[k]);
    if (t->w != NULL)
        put_f64s(b, t->w, t->n);
    switch (t->task) {
    case MG_TASK_BINARY:
        mg__buf_append(b, t->y, (size_t)t->n);
        put_f64s(b, t->score, t->n);
        break;
    case MG_TASK_MULTICLASS:
        put_i32s(b, t->yc, t->n);
        put_i32s(b, t->pred, t->n);
        put_u8(b, t->proba != NULL);
        if (t->proba != NULL)
            put_f64s(b, t->proba, t->n * t->nclasses);
        break;
    case MG_TASK_REGRESSION:
        put_f64s(b, t->yr, t->n);
        put_f64s(b, t->pr, t->n);
        break;
    default: break;
    }
}

static void put_column(mg__buf *b, const mg_column *c) {
    put_str(b, c->name);
    put_u8(b, (unsigned)c->type);
    put_u8(b, c->valid != NULL);
    if (c->valid != NULL)
        mg__buf_append(b, c->valid, (size_t)(c->nrows + 7) / 8);
    switch (c->type) {
    case MG_TYPE_F64: put_f64s(b, c->f64, c->nrows); break;
    case MG_TYPE_I64:
        for (int64_t i = 0; i < c->nrows; i++)
            put_u64(b, (uint64_t)c->i64[i]);
        break;
    case MG_TYPE_BOOL: mg__buf_append(b, c->b, (size_t)c->nrows); break;
    case MG_TYPE_STR:
        put_u32(b, (uint32_t)c->ndict);
        for (int32_t k = 0; k < c->ndict; k++)
            put_str(b, c->dict[k]);
        put_i32s(b, c->codes, c->nrows);
        break;
    }
}

mg_status mg_partial_encode(const mg_partial *p, char **out, size_t *len, mg_error *err) {
    *out = NULL;
    *len = 0;
    mg__buf body = {0};
    put_str(&body, p->command != NULL ? p->command : "");
    put_u32(&body, (uint32_t)p->noptions);
    for (int i = 0; i < p->noptions; i++)
        put_str(&body, p->options[i]);
    put_u32(&body, (uint32_t)p->shard_index);
    put_u32(&body, (uint32_t)p->shard_count);
    put_optstr(&body, p->data_path);
    put_optstr(&body, p->data_sha256);
    put_optstr(&body, p->model_arg);
    put_optstr(&body, p->model_sha256);
    put_optstr(&body, p->policy_sha256);
    put_targets(&body, &p->targets);
    int ncols = p->columns != NULL ? p->columns->ncols : 0;
    put_u32(&body, (uint32_t)ncols);
    for (int c = 0; c < ncols; c++)
        put_column(&body, &p->columns->cols[c]);
    mg__buf file = {0};
    if (!body.failed) {
        mg__buf_append(&file, MAGIC, sizeof MAGIC);
        put_u32(&file, MG_PARTIAL_VERSION);
        put_u64(&file, body.len);
        mg__buf_append(&file, body.data, body.len);
        char hex[65];
        mg__sha256_hex(body.data, body.len, hex);
        uint8_t raw[32];
        for (int i = 0; i < 32; i++) {
            unsigned v;
            sscanf(hex + 2 * i, "%2x", &v);
            raw[i] = (uint8_t)v;
        }
        mg__buf_append(&file, raw, sizeof raw);
    }
    bool failed = body.failed || file.failed;
    mg__buf_release(&body);
    if (failed) {
        mg__buf_release(&file);
        return mg__nomem(err, "the partial result");
    }
    *len = file.len;
    *out = mg__buf_detach(&file);
    return *out != NULL ? MG_OK : mg__nomem(err, "the partial result");
}

/* ---- reading ------------------------------------------------------------ */

typedef struct reader {
    const uint8_t *p;
    size_t len, pos; /* pos within the body */
    size_t base;     /* the body's offset in the file */
    const char *path;
    mg_error *err;
    mg_status st;
} reader;

static bool fail_at(reader *r, const char *what) {
    if (r->st == MG_OK)
        r->st = mg__fail(r->err, MG_ERR_DATA, "%s: %s at byte %zu (a modelgate partial result)",
                         r->path, what, r->base + r->pos);
    return false;
}

static bool need(reader *r, size_t n) {
    if (r->st != MG_OK)
        return false;
    if (n > r->len - r->pos)
        return fail_at(r, "truncated");
    return true;
}

static uint8_t get_u8(reader *r) {
    if (!need(r, 1))
        return 0;
    return r->p[r->pos++];
}

static uint32_t get_u32(reader *r) {
    if (!need(r, 4))
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)r->p[r->pos + (size_t)i] << (8 * i);
    r->pos += 4;
    return v;
}

static uint64_t get_u64(reader *r) {
    if (!need(r, 8))
        return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
    r->pos += 8;
    return v;
}

static double get_f64(reader *r) {
    uint64_t v = get_u64(r);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

/* A new string, or NULL with r->st set. */
static char *get_str(reader *r) {
    uint32_t n = get_u32(r);
    if (!need(r, n))
        return NULL;
    if (memchr(r->p + r->pos, '\0', n) != NULL) {
        fail_at(r, "a string holds a NUL byte");
        return NULL;
    }
    char *s = mg__malloc((size_t)n + 1);
    if (s == NULL) {
        if (r->st == MG_OK)
            r->st = mg__nomem(r->err, "a partial result");
        return NULL;
    }
    memcpy(s, r->p + r->pos, n);
    s[n] = '\0';
    r->pos += n;
    return s;
}

/* A flag byte: 0 or 1, anything else is malformed. */
static bool get_flag(reader *r) {
    uint8_t v = get_u8(r);
    if (v > 1)
        fail_at(r, "a flag byte that is not 0 or 1");
    return v == 1;
}

static char *get_optstr(reader *r) {
    return get_flag(r) ? get_str(r) : NULL;
}

static void *alloc_rows(reader *r, int64_t n, size_t size) {
    if (!need(r, (size_t)n * size))
        return NULL;
    void *a = mg__malloc_array((size_t)(n > 0 ? n : 1), size);
    if (a == NULL && r->st == MG_OK)
        r->st = mg__nomem(r->err, "a partial result");
    return a;
}

static double *get_f64s(reader *r, int64_t n) {
    double *a = alloc_rows(r, n, 8);
    for (int64_t i = 0; a != NULL && i < n; i++)
        a[i] = get_f64(r);
    return a;
}

static int32_t *get_i32s(reader *r, int64_t n, int32_t limit, const char *what) {
    int32_t *a = alloc_rows(r, n, 4);
    for (int64_t i = 0; a != NULL && i < n; i++) {
        a[i] = (int32_t)get_u32(r);
        if (a[i] < 0 || a[i] >= limit) {
            fail_at(r, what);
            break;
        }
    }
    return a;
}

static bool check_finite(reader *r, const double *a, int64_t n, bool nonneg, const char *what) {
    for (int64_t i = 0; a != NULL && i < n; i++)
        if (!isfinite(a[i]) || (nonneg && a[i] < 0))
            return fail_at(r, what);
    return true;
}

static void copy_text(char *dst, size_t cap, char *src) {
    snprintf(dst, cap, "%s", src != NULL ? src : "");
    free(src);
}

static void get_targets(reader *r, mg_targets *t) {
    uint32_t task = get_u32(r);
    if (r->st == MG_OK && (task < MG_TASK_BINARY || task > MG_TASK_REGRESSION)) {
        fail_at(r, "an unknown task");
        return;
    }
    t->task = (mg_task)task;
    copy_text(t->task_reason, sizeof t->task_reason, get_str(r));
    uint64_t n = get_u64(r);
    if (r->st == MG_OK && (n < 1 || n > (uint64_t)INT64_MAX / 16)) {
        fail_at(r, "a row count out of range");
        return;
    }
    t->n = (int64_t)n;
    bool has_w = get_flag(r);
    t->w_exp2 = (int)(int32_t)get_u32(r);
    t->threshold = get_f64(r);
    t->decision_threshold = get_f64(r);
    t->positive_label = get_optstr(r);
    t->negative_label = get_optstr(r);
    copy_text(t->positive_reason, sizeof t->positive_reason, get_str(r));
    uint32_t k = get_u32(r);
    if (r->st != MG_OK)
        return;
    if (k > 1000000 || (t->task == MG_TASK_MULTICLASS && k < 2)) {
        fail_at(r, "a class count out of range");
        return;
    }
    if (t->task == MG_TASK_BINARY && (t->positive_label == NULL || t->negative_label == NULL)) {
        fail_at(r, "a binary task without its labels");
        return;
    }
    if (k > 0 && (t->class_labels = mg__calloc(k, sizeof *t->class_labels)) == NULL) {
        r->st = mg__nomem(r->err, "a partial result");
        return;
    }
    for (uint32_t c = 0; c < k && r->st == MG_OK; c++) {
        t->class_labels[c] = get_str(r);
        t->nclasses = (int)c + 1;
    }
    if (has_w && (t->w = get_f64s(r, t->n)) != NULL)
        check_finite(r, t->w, t->n, true, "a negative or non-finite weight");
    switch (t->task) {
    case MG_TASK_BINARY:
        if ((t->y = alloc_rows(r, t->n, 1)) != NULL) {
            memcpy(t->y, r->p + r->pos, (size_t)t->n);
            r->pos += (size_t)t->n;
            for (int64_t i = 0; i < t->n; i++)
                if (t->y[i] > 1) {
                    fail_at(r, "a binary label that is not 0 or 1");
                    break;
                }
        }
        if ((t->score = get_f64s(r, t->n)) != NULL)
            for (int64_t i = 0; i < t->n; i++)
                if (isnan(t->score[i])) {
                    fail_at(r, "a NaN score");
                    break;
                }
        break;
    case MG_TASK_MULTICLASS:
        t->yc = get_i32s(r, t->n, t->nclasses, "a class index out of range");
        t->pred = get_i32s(r, t->n, t->nclasses, "a class index out of range");
        if (get_flag(r) && (int64_t)t->nclasses <= INT64_MAX / t->n &&
            (t->proba = get_f64s(r, t->n * t->nclasses)) != NULL)
            check_finite(r, t->proba, t->n * t->nclasses, true, "a probability out of range");
        break;
    case MG_TASK_REGRESSION:
        if ((t->yr = get_f64s(r, t->n)) != NULL)
            check_finite(r, t->yr, t->n, false, "a non-finite label");
        if ((t->pr = get_f64s(r, t->n)) != NULL)
            check_finite(r, t->pr, t->n, false, "a non-finite prediction");
        break;
    default: break;
    }
}

static void get_column(reader *r, mg_column *c, int64_t n) {
    char *name = get_str(r);
    unsigned type = get_u8(r);
    if (r->st != MG_OK) {
        free(name);
        return;
    }
    if (type > MG_TYPE_STR) {
        free(name);
        fail_at(r, "an unknown column type");
        return;
    }
    mg_status st = mg__column_init(c, name, (mg_type)type, n, r->err);
    free(name);
    if (st != MG_OK) {
        r->st = st;
        return;
    }
    if (get_flag(r)) {
        size_t bytes = (size_t)(n + 7) / 8;
        if ((c->valid = alloc_rows(r, (int64_t)bytes, 1)) == NULL)
            return;
        memcpy(c->valid, r->p + r->pos, bytes);
        r->pos += bytes;
        for (int64_t i = 0; i < n; i++)
            c->null_count += mg_column_is_null(c, i);
    }
    switch (c->type) {
    case MG_TYPE_F64:
        if (!need(r, (size_t)n * 8))
            return;
        for (int64_t i = 0; i < n; i++) {
            c->f64[i] = get_f64(r);
            if (isnan(c->f64[i]) && !mg_column_is_null(c, i)) {
                fail_at(r, "a NaN value");
                return;
            }
        }
        break;
    case MG_TYPE_I64:
        if (!need(r, (size_t)n * 8))
            return;
        for (int64_t i = 0; i < n; i++)
            c->i64[i] = (int64_t)get_u64(r);
        break;
    case MG_TYPE_BOOL:
        if (need(r, (size_t)n)) {
            memcpy(c->b, r->p + r->pos, (size_t)n);
            r->pos += (size_t)n;
            for (int64_t i = 0; i < n; i++)
                if (c->b[i] > 1 && !mg_column_is_null(c, i)) {
                    fail_at(r, "a boolean that is not 0 or 1");
                    return;
                }
        }
        break;
    case MG_TYPE_STR: {
        uint32_t k = get_u32(r);
        if (r->st != MG_OK)
            return;
        if (k > (uint32_t)INT32_MAX - 1 || k > r->len - r->pos) {
            fail_at(r, "a dictionary size out of range");
            return;
        }
        if ((c->dict = mg__calloc(k > 0 ? k : 1, sizeof *c->dict)) == NULL) {
            r->st = mg__nomem(r->err, "a partial result");
            return;
        }
        for (uint32_t j = 0; j < k && r->st == MG_OK; j++) {
            c->dict[j] = get_str(r);
            c->ndict = (int32_t)j + 1;
        }
        free(c->codes);
        c->codes = get_i32s(r, n, c->ndict > 0 ? c->ndict : 1, "a string code out of range");
        break;
    }
    }
}

/* Reads up to n bytes from fd (to its end); returns the count, or -1 with errno. */
static int64_t read_upto(int fd, uint8_t *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (int64_t)got;
}

/* A piped partial (a pipe, FIFO or socket): its header first, so that a body
 * length beyond what memory may hold is refused before any of it is read;
 * then at most the announced bytes and one more (mg_partial_decode says what
 * is wrong with a short or long file). */
static mg_status read_piped(int fd, const char *path, mg_partial *out, mg_error *err) {
    uint8_t head[20];
    int64_t got = read_upto(fd, head, sizeof head);
    if (got < 0)
        return mg__fail(err, MG_ERR_IO, "%s: read failed: %s", path, strerror(errno));
    if (got < (int64_t)sizeof head || memcmp(head, MAGIC, sizeof MAGIC) != 0 ||
        (head[8] | head[9] << 8 | head[10] << 16 | (uint32_t)head[11] << 24) != MG_PARTIAL_VERSION)
        return mg_partial_decode(head, (size_t)got, path, out, err);
    uint64_t blen = 0;
    for (int i = 0; i < 8; i++)
        blen |= (uint64_t)head[12 + i] << (8 * i);
    const uint64_t cap = MG_DEFAULT_MAX_INPUT_BYTES;
    if (blen > cap - 52 || blen > SIZE_MAX - 64)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: the header at byte 12 announces %" PRIu64
                        " bytes of body, more than a piped partial result may hold (%" PRIu64
                        " bytes, held in memory); give the partial as a regular file",
                        path, blen, cap);
    size_t want = (size_t)(20 + blen + 32 + 1), size = 20, room = 0;
    uint8_t *buf = NULL;
    mg_status st = MG_OK;
    for (;;) {
        if (size >= room) {
            size_t next = room < ((size_t)1 << 16) ? ((size_t)1 << 16) : room * 2;
            next = next > want ? want : next;
            if (next <= room)
                break; /* the announced bytes and one more: decode says it is too long */
            uint8_t *p = mg__realloc_array(buf, next, 1);
            if (p == NULL) {
                st = mg__nomem(err, path);
                break;
            }
            if (buf == NULL)
                memcpy(p, head, sizeof head);
            buf = p;
            room = next;
        }
        int64_t r = read_upto(fd, buf + size, room - size);
        if (r < 0) {
            st = mg__fail(err, MG_ERR_IO, "%s: read failed after %zu bytes: %s", path, size,
                          strerror(errno));
            break;
        }
        size += (size_t)r;
        if (size < room)
            break; /* the end of the stream */
    }
    if (st == MG_OK)
        st = mg_partial_decode(buf, size, path, out, err);
    free(buf);
    return st;
}

mg_status mg_partial_read(const char *path, mg_partial *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->shard_index = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
        mg_status s = read_piped(fd, path, out, err);
        close(fd);
        return s;
    }
    if (fd >= 0)
        close(fd);
    /* A regular file is mapped: its size bounds the body before any is read. */
    mg__file f;
    MG_TRY(mg__file_map(path, &f, err));
    mg_status s = mg_partial_decode(f.data, f.size, path, out, err);
    mg__file_unmap(&f);
    return s;
}

mg_status mg_partial_decode(const void *data, size_t size, const char *path, mg_partial *out,
                            mg_error *err) {
    memset(out, 0, sizeof *out);
    out->shard_index = -1;
    struct {
        const void *data;
        size_t size;
    } f = {data, size};
    const uint8_t *d = (const uint8_t *)f.data;
    mg_status st = MG_OK;
    if (f.size < 20 || memcmp(d, MAGIC, sizeof MAGIC) != 0) {
        st = mg__fail(err, MG_ERR_DATA,
                      "%s: not a modelgate partial result (it does not start with MGPART; write "
                      "one with --partial)",
                      path);
        goto done;
    }
    uint32_t version = (uint32_t)d[8] | (uint32_t)d[9] << 8 | (uint32_t)d[10] << 16 |
                       (uint32_t)d[11] << 24;
    if (version != MG_PARTIAL_VERSION) {
        st = mg__fail(err, MG_ERR_DATA,
                      "%s: partial result format version %u; this modelgate reads version %d "
                      "(write every partial and merge with the same modelgate)",
                      path, version, MG_PARTIAL_VERSION);
        goto done;
    }
    uint64_t blen = 0;
    for (int i = 0; i < 8; i++)
        blen |= (uint64_t)d[12 + i] << (8 * i);
    if (blen > f.size - 20 || f.size - 20 - blen < 32) {
        st = mg__fail(err, MG_ERR_DATA,
                      "%s: truncated at byte %zu (the header announces %" PRIu64
                      " bytes of body and a 32-byte checksum)",
                      path, f.size, blen);
        goto done;
    }
    if (f.size - 20 - blen != 32) {
        st = mg__fail(err, MG_ERR_DATA, "%s: %zu unexpected bytes after the checksum at byte %zu",
                      path, (size_t)(f.size - 20 - blen - 32), (size_t)(20 + blen + 32));
        goto done;
    }
    char hex[65];
    mg__sha256_hex(d + 20, (size_t)blen, hex);
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        if (d[20 + blen + (uint64_t)i] != (uint8_t)v) {
            st = mg__fail(err, MG_ERR_DATA,
                          "%s: damaged: the checksum at byte %" PRIu64
                          " does not match the body",
                          path, (uint64_t)(20 + blen));
            goto done;
        }
    }
    reader r = {.p = d + 20, .len = (size_t)blen, .base = 20, .path = path, .err = err};
    out->version = (int)version;
    out->command = get_str(&r);
    uint32_t nopt = get_u32(&r);
    if (r.st == MG_OK && nopt > r.len - r.pos)
        fail_at(&r, "an option count out of range");
    if (r.st == MG_OK && (out->options = mg__calloc(nopt > 0 ? nopt : 1, sizeof *out->options)) == NULL)
        r.st = mg__nomem(err, "a partial result");
    for (uint32_t i = 0; i < nopt && r.st == MG_OK; i++) {
        out->options[i] = get_str(&r);
        out->noptions = (int)i + 1;
    }
    out->shard_index = (int)(int32_t)get_u32(&r);
    out->shard_count = (int)(int32_t)get_u32(&r);
    if (r.st == MG_OK &&
        (out->shard_count < 0 || out->shard_count > MG_SHARD_MAX ||
         (out->shard_count == 0 && out->shard_index != -1) ||
         (out->shard_count > 0 && (out->shard_index < 0 || out->shard_index >= out->shard_count))))
        fail_at(&r, "a shard K/N out of range");
    out->data_path = get_optstr(&r);
    out->data_sha256 = get_optstr(&r);
    out->model_arg = get_optstr(&r);
    out->model_sha256 = get_optstr(&r);
    out->policy_sha256 = get_optstr(&r);
    if (r.st == MG_OK)
        get_targets(&r, &out->targets);
    uint32_t ncols = get_u32(&r);
    if (r.st == MG_OK && ncols > 10000)
        fail_at(&r, "a column count out of range");
    if (r.st == MG_OK) {
        out->columns = mg__calloc(1, sizeof *out->columns);
        if (out->columns == NULL ||
            (out->columns->cols = mg__calloc(ncols > 0 ? ncols : 1, sizeof(mg_column))) == NULL ||
            (out->columns->source = mg__strdup(path)) == NULL)
            r.st = mg__nomem(err, "a partial result");
        else
            out->columns->nrows = out->targets.n;
    }
    for (uint32_t c = 0; c < ncols && r.st == MG_OK; c++) {
        out->columns->ncols = (int)c + 1;
        get_column(&r, &out->columns->cols[c], out->targets.n);
    }
    if (r.st == MG_OK && r.pos != r.len)
        fail_at(&r, "unexpected bytes after the last column");
    st = r.st;
done:
    return st;
}

/* ---- merging ------------------------------------------------------------ */

static bool same_str(const char *a, const char *b) {
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static const char *or_none(const char *s) {
    return s != NULL ? s : "(none)";
}

/* The length of the name of a recorded option "--name=value" or "--name". */
static size_t opt_name_len(const char *o) {
    const char *eq = strchr(o, '=');
    return eq != NULL ? (size_t)(eq - o) : strlen(o);
}

/* The values of option `name` (namelen bytes) in p, as "--name V1,V2" (a
 * flag as "--name"), or "none": a new string, NULL out of memory. */
static char *opt_values(const mg_partial *p, const char *name, size_t namelen) {
    mg__buf b = {0};
    int found = 0;
    for (int i = 0; i < p->noptions; i++) {
        const char *o = p->options[i];
        if (opt_name_len(o) != namelen || memcmp(o, name, namelen) != 0)
            continue;
        if (found++ == 0)
            mg__buf_printf(&b, "%.*s", (int)namelen, name);
        if (o[namelen] == '=')
            mg__buf_printf(&b, "%s%s", found > 1 ? "," : " ", o + namelen + 1);
    }
    if (found == 0)
        mg__buf_printf(&b, "none");
    return mg__buf_detach(&b);
}

/* The options of b (path pb) are those of a (path pa): by name, each
 * option's values in order. */
static mg_status same_options(const mg_partial *a, const char *pa, const mg_partial *b,
                              const char *pb, mg_error *err) {
    bool equal = a->noptions == b->noptions;
    for (int i = 0; equal && i < a->noptions; i++)
        equal = strcmp(a->options[i], b->options[i]) == 0;
    if (equal)
        return MG_OK;
    for (int side = 0; side < 2; side++) {
        const mg_partial *p = side == 0 ? a : b;
        for (int i = 0; i < p->noptions; i++) {
            const char *name = p->options[i];
            size_t len = opt_name_len(name);
            char *x = opt_values(a, name, len), *y = opt_values(b, name, len);
            if (x == NULL || y == NULL) {
                free(x);
                free(y);
                return mg__nomem(err, "a message");
            }
            if (strcmp(x, y) != 0) {
                mg_status st = mg__fail(err, MG_ERR_DATA,
                         "%s: written with other options than %s (%s has %s where %s has %s); "
                         "give every shard the same options",
                         pb, pa, pb, y, pa, x);
                free(x);
                free(y);
                return st;
            }
            free(x);
            free(y);
        }
    }
    return mg__fail(err, MG_ERR_DATA,
                    "%s: written with its options in another order than %s; give every shard "
                    "the same options",
                    pb, pa);
}

/* Whether p was written with option --name (name with its dashes). */
static bool has_option(const mg_partial *p, const char *name) {
    size_t len = strlen(name);
    for (int i = 0; i < p->noptions; i++)
        if (opt_name_len(p->options[i]) == len && memcmp(p->options[i], name, len) == 0)
            return true;
    return false;
}

/* The labels that p's rows hold, as text into buf: "labels 'P' (positive)
 * and 'N'", "only label 'P' (positive)", "only label 'N' (negative; ...)" or
 * "no rows". A label no row holds (a shard of one label value) is not named
 * (a label of a shard's own making, not the data's). *one is set when the
 * rows hold one label. */
static void labels_held(const mg_partial *p, char *buf, size_t cap, bool *one) {
    const mg_targets *t = &p->targets;
    bool seen[2] = {false, false};
    for (int64_t i = 0; t->y != NULL && i < t->n && !(seen[0] && seen[1]); i++)
        seen[t->y[i] != 0] = true;
    *one = seen[0] != seen[1];
    if (seen[0] && seen[1])
        snprintf(buf, cap, "labels '%s' (positive) and '%s'", or_none(t->positive_label),
                 or_none(t->negative_label));
    else if (seen[1])
        snprintf(buf, cap, "only label '%s' (positive)", or_none(t->positive_label));
    else if (seen[0])
        snprintf(buf, cap, "only label '%s' (not the positive label '%s')",
                 or_none(t->negative_label), or_none(t->positive_label));
    else
        snprintf(buf, cap, "no rows");
}

/* The message of two binary partials whose labels differ. */
static mg_status labels_differ(const mg_partial *a, const char *pa, const mg_partial *b,
                               const char *pb, mg_error *err) {
    char la[300], lb[300];
    bool one_a, one_b;
    labels_held(a, la, sizeof la, &one_a);
    labels_held(b, lb, sizeof lb, &one_b);
    const char *hint;
    if ((one_a || one_b) && !has_option(a, "--classes"))
        hint = "a shard that holds one label value merges when every shard is given --classes "
               "naming both labels";
    else if (one_a || one_b)
        hint = "--classes must name both labels as the label column writes them";
    else if (!has_option(a, "--positive-label"))
        hint = "every shard must hold the same two labels, or give --positive-label";
    else
        hint = "every shard must hold the same two labels";
    return mg__fail(err, MG_ERR_DATA, "%s holds %s, but %s holds %s (%s)", pb, lb, pa, la, hint);
}

/* Checks that part b (path pb) can merge with part a (path pa). */
static mg_status compatible(const mg_partial *a, const char *pa, const mg_partial *b,
                            const char *pb, mg_error *err) {
    if (!same_str(a->command, b->command))
        return mg__fail(err, MG_ERR_DATA, "%s: a partial of `%s`, but %s is one of `%s`", pb,
                        b->command, pa, a->command);
    if (!same_str(a->model_sha256, b->model_sha256) || !same_str(a->model_arg, b->model_arg))
        return mg__fail(err, MG_ERR_DATA,
                        "%s: another model (%s, sha256 %s) than %s (%s, sha256 %s); merge the "
                        "partials of one model",
                        pb, or_none(b->model_arg), or_none(b->model_sha256), pa,
                        or_none(a->model_arg), or_none(a->model_sha256));
    if (!same_str(a->policy_sha256, b->policy_sha256))
        return mg__fail(err, MG_ERR_DATA,
                        "%s: another policy (sha256 %s) than %s (sha256 %s); merge the partials "
                        "of one policy",
                        pb, or_none(b->policy_sha256), pa, or_none(a->policy_sha256));
    MG_TRY(same_options(a, pa, b, pb, err));
    const mg_targets *s = &a->targets, *t = &b->targets;
    if (s->task != t->task)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: a %s task, but %s is %s (give every shard the same --task)", pb,
                        mg_task_name(t->task), pa, mg_task_name(s->task));
    if (!same_str(s->positive_label, t->positive_label) ||
        !same_str(s->negative_label, t->negative_label))
        return labels_differ(a, pa, b, pb, err);
    bool classes = s->nclasses == t->nclasses;
    for (int k = 0; classes && k < s->nclasses; k++)
        classes = strcmp(s->class_labels[k], t->class_labels[k]) == 0;
    if (!classes)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: %d classes, other than the %d of %s (each shard must hold every "
                        "class, or give the model's --classes)",
                        pb, t->nclasses, s->nclasses, pa);
    if (memcmp(&s->threshold, &t->threshold, sizeof s->threshold) != 0 ||
        memcmp(&s->decision_threshold, &t->decision_threshold, sizeof s->threshold) != 0) {
        char x[40], y[40];
        mg_format_double(t->decision_threshold, y, sizeof y);
        mg_format_double(s->decision_threshold, x, sizeof x);
        return mg__fail(err, MG_ERR_DATA, "%s: decision threshold %s, but %s has %s", pb, y, pa,
                        x);
    }
    if ((s->w == NULL) != (t->w == NULL))
        return mg__fail(err, MG_ERR_DATA, "%s: %s, but %s is %s", pb,
                        t->w ? "weighted" : "unweighted", pa, s->w ? "weighted" : "unweighted");
    if (s->w_exp2 != t->w_exp2)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: weights scaled by 2^%d, but %s's by 2^%d (weights beyond 2^64 or "
                        "below 2^-64 of different size per shard cannot be merged exactly)",
                        pb, t->w_exp2, pa, s->w_exp2);
    if ((s->proba == NULL) != (t->proba == NULL))
        return mg__fail(err, MG_ERR_DATA, "%s: %s probabilities, but %s %s", pb,
                        t->proba ? "holds" : "holds no", pa, s->proba ? "does" : "does not");
    int nc = a->columns->ncols;
    if (nc != b->columns->ncols)
        return mg__fail(err, MG_ERR_DATA, "%s: %d kept columns, but %s has %d", pb,
                        b->columns->ncols, pa, nc);
    for (int c = 0; c < nc; c++) {
        const mg_column *x = &a->columns->cols[c], *y = &b->columns->cols[c];
        if (strcmp(x->name, y->name) != 0 || x->type != y->type)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: column '%s' (%s), but %s has '%s' (%s) (give --column-type so "
                            "that every shard reads it as one type)",
                            pb, y->name, mg_type_name(y->type), pa, x->name,
                            mg_type_name(x->type));
    }
    return MG_OK;
}

/* Checks the shard numbers: the same N, every K once; without --shard, no
 * test data twice. */
static mg_status shards_cover(const mg_partial *parts, const char *const *paths, int n,
                              mg_error *err) {
    int count = parts[0].shard_count;
    for (int i = 0; i < n; i++) {
        if (parts[i].shard_count != count) {
            if (count == 0 || parts[i].shard_count == 0)
                return mg__fail(err, MG_ERR_DATA,
                                "%s: %s --shard, but %s was %s (use --shard K/N for every shard "
                                "or for none)",
                                paths[i], parts[i].shard_count ? "written with" : "written without",
                                paths[0], count ? "with it" : "without it");
            return mg__fail(err, MG_ERR_DATA, "%s: shard %d/%d, but %s is one of %d shards",
                            paths[i], parts[i].shard_index, parts[i].shard_count, paths[0], count);
        }
        for (int j = 0; j < i; j++) {
            /* --shard K/N cuts one file: every shard read the same one. */
            if (count > 0 && !same_str(parts[i].data_sha256, parts[j].data_sha256))
                return mg__fail(err, MG_ERR_DATA,
                                "%s: shard %d/%d of other test data (sha256 %.12s...) than %s "
                                "(sha256 %.12s...); the shards of --shard K/N must all cut the "
                                "same file",
                                paths[i], parts[i].shard_index, count,
                                or_none(parts[i].data_sha256), paths[j],
                                or_none(parts[j].data_sha256));
            if (count > 0 && parts[j].shard_index == parts[i].shard_index)
                return mg__fail(err, MG_ERR_DATA, "%s: shard %d/%d given twice (also %s)",
                                paths[i], parts[i].shard_index, count, paths[j]);
            if (count == 0 && parts[i].data_sha256 != NULL && parts[j].data_sha256 != NULL &&
                strcmp(parts[i].data_sha256, parts[j].data_sha256) == 0)
                return mg__fail(err, MG_ERR_DATA,
                                "%s: the same test data (sha256 %.12s...) as %s: a shard given "
                                "twice",
                                paths[i], parts[i].data_sha256, paths[j]);
        }
    }
    if (count > 0 && n != count) {
        int missing = 0;
        for (int k = 0; k < count; k++) {
            bool found = false;
            for (int i = 0; i < n && !found; i++)
                found = parts[i].shard_index == k;
            if (!found) {
                missing = k;
                break;
            }
        }
        return mg__fail(err, MG_ERR_DATA,
                        "%s: one of %d shards, but %d partials were given (shard %d/%d is "
                        "missing)",
                        paths[0], count, n, missing, count);
    }
    return MG_OK;
}

static char **strs_dup(char *const *s, int n) {
    char **d = mg__calloc((size_t)(n > 0 ? n : 1), sizeof *d);
    for (int i = 0; d != NULL && i < n; i++)
        if ((d[i] = mg__strdup(s[i])) == NULL) {
            for (int j = 0; j < i; j++)
                free(d[j]);
            free(d);
            return NULL;
        }
    return d;
}

static char *opt_dup(const char *s, bool *ok) {
    if (s == NULL)
        return NULL;
    char *d = mg__strdup(s);
    *ok &= d != NULL;
    return d;
}

static double *cat_f64(const mg_partial *parts, int n, size_t off, int64_t width, int64_t total) {
    double *d = mg__malloc_array((size_t)(total * width > 0 ? total * width : 1), sizeof *d);
    int64_t at = 0;
    for (int i = 0; d != NULL && i < n; i++) {
        const double *src = *(double *const *)((const char *)&parts[i].targets + off);
        memcpy(d + at, src, (size_t)(parts[i].targets.n * width) * sizeof *d);
        at += parts[i].targets.n * width;
    }
    return d;
}

static int32_t *cat_i32(const mg_partial *parts, int n, size_t off, int64_t total) {
    int32_t *d = mg__malloc_array((size_t)(total > 0 ? total : 1), sizeof *d);
    int64_t at = 0;
    for (int i = 0; d != NULL && i < n; i++) {
        const int32_t *src = *(int32_t *const *)((const char *)&parts[i].targets + off);
        memcpy(d + at, src, (size_t)parts[i].targets.n * sizeof *d);
        at += parts[i].targets.n;
    }
    return d;
}

static _Thread_local char **dict_ctx;

static int cmp_dict(const void *a, const void *b) {
    return strcmp(dict_ctx[*(const int32_t *)a], dict_ctx[*(const int32_t *)b]);
}

/* Column c of every part, concatenated; string dictionaries concatenated,
 * then equal strings given one code. */
static mg_status cat_column(const mg_partial *parts, int n, int c, int64_t total, mg_column *out,
                            mg_error *err) {
    const mg_column *first = &parts[0].columns->cols[c];
    MG_TRY(mg__column_init(out, first->name, first->type, total, err));
    bool nulls = false;
    int64_t ndict = 0;
    for (int i = 0; i < n; i++) {
        nulls |= parts[i].columns->cols[c].valid != NULL;
        ndict += parts[i].columns->cols[c].ndict;
    }
    if (ndict > INT32_MAX - 1)
        return mg__fail(err, MG_ERR_UNSUPPORTED, "column '%s': too many distinct strings",
                        first->name);
    if (nulls) {
        size_t bytes = (size_t)(total + 7) / 8;
        if ((out->valid = mg__malloc(bytes ? bytes : 1)) == NULL)
            return mg__nomem(err, "a column");
        memset(out->valid, 0xff, bytes ? bytes : 1);
    }
    if (first->type == MG_TYPE_STR &&
        (out->dict = mg__calloc((size_t)(ndict > 0 ? ndict : 1), sizeof *out->dict)) == NULL)
        return mg__nomem(err, "a column");
    int64_t at = 0;
    int32_t dict_at = 0;
    for (int i = 0; i < n; i++) {
        const mg_column *src = &parts[i].columns->cols[c];
        for (int32_t k = 0; k < src->ndict; k++) {
            if ((out->dict[dict_at + k] = mg__strdup(src->dict[k])) == NULL)
                return mg__nomem(err, "a column");
            out->ndict = dict_at + k + 1;
        }
        for (int64_t r = 0; r < src->nrows; r++) {
            int64_t to = at + r;
            switch (src->type) {
            case MG_TYPE_F64: out->f64[to] = src->f64[r]; break;
            case MG_TYPE_I64: out->i64[to] = src->i64[r]; break;
            case MG_TYPE_BOOL: out->b[to] = src->b[r]; break;
            case MG_TYPE_STR: out->codes[to] = src->codes[r] + dict_at; break;
            }
            if (mg_column_is_null(src, r)) {
                out->valid[to >> 3] &= (uint8_t)~(1u << (to & 7));
                out->null_count++;
            }
        }
        at += src->nrows;
        dict_at += src->ndict;
    }
    if (first->type != MG_TYPE_STR || out->ndict < 2)
        return MG_OK;
    /* One code per distinct string: the first of its equal run in sorted order. */
    int32_t *idx = mg__malloc_array((size_t)out->ndict, sizeof *idx);
    int32_t *map = mg__malloc_array((size_t)out->ndict, sizeof *map);
    if (idx == NULL || map == NULL) {
        free(idx);
        free(map);
        return mg__nomem(err, "a column");
    }
    for (int32_t k = 0; k < out->ndict; k++)
        idx[k] = k;
    dict_ctx = out->dict;
    qsort(idx, (size_t)out->ndict, sizeof *idx, cmp_dict);
    dict_ctx = NULL;
    for (int32_t k = 0; k < out->ndict; k++)
        map[idx[k]] = k > 0 && strcmp(out->dict[idx[k]], out->dict[idx[k - 1]]) == 0
                          ? map[idx[k - 1]]
                          : idx[k];
    for (int64_t r = 0; r < total; r++)
        out->codes[r] = map[out->codes[r]];
    free(idx);
    free(map);
    return MG_OK; /* mg_rows_canonicalize renumbers and drops the unused entries */
}

mg_status mg_partials_merge(const mg_partial *parts, const char *const *paths, int n,
                            mg_partial *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->shard_index = -1;
    if (n < 1)
        return mg__fail(err, MG_ERR_USAGE, "no partial results to merge");
    for (int i = 1; i < n; i++)
        MG_TRY(compatible(&parts[0], paths[0], &parts[i], paths[i], err));
    MG_TRY(shards_cover(parts, paths, n, err));
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        if (parts[i].targets.n > INT64_MAX / 16 - total)
            return mg__fail(err, MG_ERR_UNSUPPORTED, "too many rows to merge");
        total += parts[i].targets.n;
    }
    const mg_partial *p0 = &parts[0];
    const mg_targets *t0 = &p0->targets;
    bool ok = true;
    out->version = MG_PARTIAL_VERSION;
    out->command = opt_dup(p0->command, &ok);
    out->options = strs_dup(p0->options, p0->noptions);
    ok &= out->options != NULL;
    out->noptions = out->options != NULL ? p0->noptions : 0;
    out->model_arg = opt_dup(p0->model_arg, &ok);
    out->model_sha256 = opt_dup(p0->model_sha256, &ok);
    out->policy_sha256 = opt_dup(p0->policy_sha256, &ok);
    mg_targets *t = &out->targets;
    t->task = t0->task;
    memcpy(t->task_reason, t0->task_reason, sizeof t->task_reason);
    memcpy(t->positive_reason, t0->positive_reason, sizeof t->positive_reason);
    t->n = total;
    t->w_exp2 = t0->w_exp2;
    t->threshold = t0->threshold;
    t->decision_threshold = t0->decision_threshold;
    t->positive_label = opt_dup(t0->positive_label, &ok);
    t->negative_label = opt_dup(t0->negative_label, &ok);
    if (t0->nclasses > 0) {
        t->class_labels = strs_dup(t0->class_labels, t0->nclasses);
        ok &= t->class_labels != NULL;
        t->nclasses = t->class_labels != NULL ? t0->nclasses : 0;
    }
#define CAT_F64(field, width)                                                                      \
    if (ok && t0->field != NULL)                                                                   \
        ok &= (t->field = cat_f64(parts, n, offsetof(mg_targets, field), (width), total)) != NULL;
#define CAT_I32(field)                                                                             \
    if (ok && t0->field != NULL)                                                                   \
        ok &= (t->field = cat_i32(parts, n, offsetof(mg_targets, field), total)) != NULL;
    CAT_F64(w, 1)
    CAT_F64(score, 1)
    CAT_F64(proba, t0->nclasses)
    CAT_F64(yr, 1)
    CAT_F64(pr, 1)
    CAT_I32(yc)
    CAT_I32(pred)
#undef CAT_F64
#undef CAT_I32
    if (ok && t0->y != NULL) {
        ok &= (t->y = mg__malloc((size_t)total)) != NULL;
        int64_t at = 0;
        for (int i = 0; ok && i < n; i++) {
            memcpy(t->y + at, parts[i].targets.y, (size_t)parts[i].targets.n);
            at += parts[i].targets.n;
        }
    }
    /* --task auto counted the labels of one shard: the merged rows may hold
     * both where the first shard held one (as the whole run would say). */
    static const char one[] = "; the labels have 1 distinct value";
    size_t rlen = strlen(t->task_reason);
    if (ok && t->y != NULL && rlen >= sizeof one - 1 &&
        strcmp(t->task_reason + rlen - (sizeof one - 1), one) == 0) {
        bool seen[2] = {false, false};
        for (int64_t i = 0; i < total && !(seen[0] && seen[1]); i++)
            seen[t->y[i] != 0] = true;
        if (seen[0] && seen[1] && rlen - (sizeof one - 1) + 36 < sizeof t->task_reason)
            snprintf(t->task_reason + rlen - (sizeof one - 1), sizeof t->task_reason - rlen + (sizeof one - 1),
                     "; the labels have 2 distinct values");
    }
    if (!ok)
        return mg__nomem(err, "the merged rows");
    int nc = p0->columns->ncols;
    out->columns = mg__calloc(1, sizeof *out->columns);
    if (out->columns == NULL ||
        (out->columns->cols = mg__calloc((size_t)(nc > 0 ? nc : 1), sizeof(mg_column))) == NULL ||
        (out->columns->source = mg__strdup(paths[0])) == NULL)
        return mg__nomem(err, "the merged rows");
    out->columns->nrows = total;
    for (int c = 0; c < nc; c++) {
        out->columns->ncols = c + 1;
        MG_TRY(cat_column(parts, n, c, total, &out->columns->cols[c], err));
    }
    return mg_rows_canonicalize(t, out->columns, NULL, err);
}
