/* rows.c - the rows of a shard and the canonical order of a run's rows (the
 * order every result is computed in, so that merged shards equal the whole
 * run exactly). */
#include "internal.h"
#include "modelgate/shard.h"
#include "util/sort.h"

int mg_shard_parse(const char *text, int *index, int *count, const char **why) {
    const char *slash = text != NULL ? strchr(text, '/') : NULL;
    int64_t k, n;
    if (slash == NULL || mg_parse_int64(text, (size_t)(slash - text), &k) != 0 ||
        mg_parse_int64(slash + 1, strlen(slash + 1), &n) != 0) {
        *why = "expected K/N, the 0-based shard K of N shards (0/4 to 3/4)";
        return -1;
    }
    if (n < 1 || n > MG_SHARD_MAX) {
        *why = "N must be 1 to 100000";
        return -1;
    }
    if (k < 0 || k >= n) {
        *why = "K must be 0 to N-1 (shards are numbered from 0, like JOB_COMPLETION_INDEX)";
        return -1;
    }
    *index = (int)k;
    *count = (int)n;
    return 0;
}

void mg_shard_range(int64_t n, int index, int count, int64_t *lo, int64_t *hi) {
    /* n <= 2^53 rows and count <= 1e5: no overflow in 128 bits. */
    *lo = (int64_t)((__int128)n * index / count);
    *hi = (int64_t)((__int128)n * (index + 1) / count);
}

/* Copies row `from` of src to row `to` of dst (same type; dst's bitmap set
 * when src has one). */
static void copy_cell(const mg_column *src, int64_t from, mg_column *dst, int64_t to) {
    switch (src->type) {
    case MG_TYPE_F64: dst->f64[to] = src->f64[from]; break;
    case MG_TYPE_I64: dst->i64[to] = src->i64[from]; break;
    case MG_TYPE_BOOL: dst->b[to] = src->b[from]; break;
    case MG_TYPE_STR: dst->codes[to] = src->codes[from]; break;
    }
    if (dst->valid != NULL) {
        uint8_t bit = (uint8_t)(1u << (to & 7));
        if (mg_column_is_null(src, from))
            dst->valid[to >> 3] &= (uint8_t)~bit;
        else
            dst->valid[to >> 3] |= bit;
    }
}

/* A new column of src's name, type and dictionary with rows src[rows[i]]
 * (rows NULL: lo..lo+n). */
static mg_status gather(const mg_column *src, const int64_t *rows, int64_t lo, int64_t n,
                        mg_column *dst, mg_error *err) {
    MG_TRY(mg__column_init(dst, src->name, src->type, n, err));
    if (src->valid != NULL) {
        size_t bytes = (size_t)(n + 7) / 8;
        dst->valid = mg__calloc(bytes ? bytes : 1, 1);
        if (dst->valid == NULL)
            return mg__nomem(err, "a column");
    }
    if (src->type == MG_TYPE_STR) {
        dst->dict = mg__calloc((size_t)(src->ndict > 0 ? src->ndict : 1), sizeof *dst->dict);
        if (dst->dict == NULL)
            return mg__nomem(err, "a column");
        for (int32_t k = 0; k < src->ndict; k++) {
            if ((dst->dict[k] = mg__strdup(src->dict[k])) == NULL)
                return mg__nomem(err, "a column");
            dst->ndict = k + 1;
        }
    }
    for (int64_t i = 0; i < n; i++)
        copy_cell(src, rows != NULL ? rows[i] : lo + i, dst, i);
    if (dst->valid != NULL) {
        dst->null_count = 0;
        for (int64_t i = 0; i < n; i++)
            dst->null_count += mg_column_is_null(dst, i);
    }
    return MG_OK;
}

mg_status mg_table_keep_rows(mg_table *table, int64_t lo, int64_t hi, mg_error *err) {
    for (int c = 0; c < table->ncols; c++) {
        mg_column col;
        mg_status st = gather(&table->cols[c], NULL, lo, hi - lo, &col, err);
        if (st != MG_OK) {
            mg__column_release(&col);
            return st;
        }
        mg__column_release(&table->cols[c]);
        table->cols[c] = col;
    }
    table->nrows = hi - lo;
    return MG_OK;
}

mg_status mg_table_select(const mg_table *table, const char *const *names, int n, mg_table **out,
                          mg_error *err) {
    *out = NULL;
    mg_table *t = mg__calloc(1, sizeof *t);
    if (t == NULL || (t->cols = mg__calloc((size_t)(n > 0 ? n : 1), sizeof *t->cols)) == NULL ||
        (t->source = mg__strdup(table->source != NULL ? table->source : "")) == NULL) {
        mg_table_free(t);
        return mg__nomem(err, "the kept columns");
    }
    t->nrows = table->nrows;
    for (int i = 0; i < n; i++) {
        const mg_column *src = mg_table_column(table, names[i]);
        if (src == NULL || mg_table_column(t, names[i]) != NULL)
            continue;
        mg_status st = gather(src, NULL, 0, table->nrows, &t->cols[t->ncols], err);
        t->ncols++;
        if (st != MG_OK) {
            mg_table_free(t);
            return st;
        }
    }
    *out = t;
    return MG_OK;
}

/* ---- the canonical order ------------------------------------------------ */

typedef struct canon_ctx {
    const mg_targets *t;
    const mg_table *cols;
    const mg_targets *paired;
} canon_ctx;

static int cmp_double(double a, double b) {
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    uint64_t x, y; /* equal values (0.0 and -0.0): by their bits */
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x < y ? -1 : x > y;
}

static int cmp_int(int64_t a, int64_t b) {
    return a < b ? -1 : a > b;
}

static int cmp_cell(const mg_column *c, int64_t a, int64_t b) {
    int na = mg_column_is_null(c, a), nb = mg_column_is_null(c, b);
    if (na || nb)
        return nb - na; /* nulls first */
    switch (c->type) {
    case MG_TYPE_F64: return cmp_double(c->f64[a], c->f64[b]);
    case MG_TYPE_I64: return cmp_int(c->i64[a], c->i64[b]);
    case MG_TYPE_BOOL: return cmp_int(c->b[a], c->b[b]);
    case MG_TYPE_STR: return strcmp(c->dict[c->codes[a]], c->dict[c->codes[b]]);
    }
    return 0;
}

/* The targets and weight of rows a and b of t. */
static int cmp_targets(const mg_targets *t, int64_t a, int64_t b) {
    int r = 0;
    switch (t->task) {
    case MG_TASK_BINARY:
        if ((r = cmp_double(t->score[a], t->score[b])) != 0 || (r = cmp_int(t->y[a], t->y[b])) != 0)
            return r;
        break;
    case MG_TASK_MULTICLASS:
        if ((r = cmp_int(t->yc[a], t->yc[b])) != 0 || (r = cmp_int(t->pred[a], t->pred[b])) != 0)
            return r;
        for (int k = 0; t->proba != NULL && k < t->nclasses; k++)
            if ((r = cmp_double(t->proba[a * t->nclasses + k], t->proba[b * t->nclasses + k])) !=
                0)
                return r;
        break;
    case MG_TASK_REGRESSION:
        if ((r = cmp_double(t->pr[a], t->pr[b])) != 0 || (r = cmp_double(t->yr[a], t->yr[b])) != 0)
            return r;
        break;
    default: break;
    }
    if (t->w != NULL && (r = cmp_double(t->w[a], t->w[b])) != 0)
        return r;
    return 0;
}

static int cmp_rows(const canon_ctx *x, int64_t a, int64_t b) {
    int r = cmp_targets(x->t, a, b);
    if (r != 0 || (x->paired != NULL && (r = cmp_targets(x->paired, a, b)) != 0))
        return r;
    for (int c = 0; x->cols != NULL && c < x->cols->ncols; c++)
        if ((r = cmp_cell(&x->cols->cols[c], a, b)) != 0)
            return r;
    return 0;
}

static _Thread_local const canon_ctx *canon_current;

static int cmp_index(const void *pa, const void *pb) {
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return cmp_rows(canon_current, a, b);
}

/* Sorts a run of rows with equal primary keys. A binary task's run (hard
 * predictions make runs of millions) is split by label in one stable pass
 * when its scores are bitwise equal; what is still tied then (weights,
 * columns, a paired model) is sorted whole. */
static void sort_run(const canon_ctx *x, int64_t *run, int64_t len, bool more) {
    const mg_targets *t = x->t;
    bool same = t->task == MG_TASK_BINARY;
    for (int64_t k = 1; same && k < len; k++)
        same = memcmp(&t->score[run[k]], &t->score[run[0]], sizeof(double)) == 0;
    int64_t *tmp = same ? mg__malloc_array((size_t)len, sizeof *tmp) : NULL;
    if (tmp == NULL) {
        qsort(run, (size_t)len, sizeof *run, cmp_index);
        return;
    }
    int64_t neg = 0, at = 0;
    for (int64_t k = 0; k < len; k++)
        neg += t->y[run[k]] == 0;
    int64_t pos = neg;
    for (int64_t k = 0; k < len; k++)
        tmp[t->y[run[k]] == 0 ? at++ : pos++] = run[k];
    memcpy(run, tmp, (size_t)len * sizeof *run);
    free(tmp);
    if (more) {
        if (neg > 1)
            qsort(run, (size_t)neg, sizeof *run, cmp_index);
        if (len - neg > 1)
            qsort(run + neg, (size_t)(len - neg), sizeof *run, cmp_index);
    }
}

/* Maps a double to an unsigned key of the same order (-0.0 with 0.0). */
static uint64_t order_key(double d) {
    uint64_t bits;
    d += 0.0;
    memcpy(&bits, &d, sizeof bits);
    return bits >> 63 ? ~bits : bits | 0x8000000000000000ULL;
}

#define CANON_BITS 16
#define CANON_PASSES 4 /* 4 * 16 = 64 */

/* The order of d as cmp_double has it (-0.0 before 0.0; no NaN). */
static uint64_t total_key(double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits >> 63 ? ~bits : bits | 0x8000000000000000ULL;
}

/* order[0..n) = the rows sorted by key, ties in row order: an LSD radix sort
 * of the row indexes alone (16 bytes a row, where sorting (key, row) pairs
 * takes 32), reading each key through its row. Scores already ascending cost
 * one pass. With `given`, order already holds the rows in the order ties
 * keep (a sort by lesser keys), and the keys are taken as cmp_double orders
 * them (-0.0 before 0.0). Returns false out of memory. */
static bool sort_by_key(const double *key, int64_t n, int64_t *order, bool given) {
    uint64_t (*key_of)(double) = given ? total_key : order_key;
    if (!given) {
        int64_t sorted = 1;
        while (sorted < n && key[sorted - 1] <= key[sorted])
            sorted++;
        for (int64_t i = 0; i < n; i++)
            order[i] = i;
        if (sorted >= n)
            return true;
    }
    int64_t *tmp = mg__malloc_array((size_t)n, sizeof *tmp);
    uint64_t(*counts)[1u << CANON_BITS] = mg__calloc(CANON_PASSES, sizeof *counts);
    if (tmp == NULL || counts == NULL) {
        free(tmp);
        free(counts);
        return false;
    }
    const uint64_t mask = (1u << CANON_BITS) - 1;
    for (int64_t i = 0; i < n; i++) {
        uint64_t k = key_of(key[i]);
        for (int p = 0; p < CANON_PASSES; p++)
            counts[p][(k >> (p * CANON_BITS)) & mask]++;
    }
    uint64_t first = key_of(key[0]);
    int64_t *a = order, *b = tmp;
    for (int p = 0; p < CANON_PASSES; p++) {
        if (counts[p][(first >> (p * CANON_BITS)) & mask] == (uint64_t)n)
            continue; /* a digit every key shares */
        uint64_t sum = 0;
        for (size_t d = 0; d <= mask; d++) {
            uint64_t c = counts[p][d];
            counts[p][d] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t r = a[i];
            b[counts[p][(key_of(key[r]) >> (p * CANON_BITS)) & mask]++] = r;
        }
        int64_t *t = a;
        a = b;
        b = t;
    }
    if (a != order)
        memcpy(order, a, (size_t)n * sizeof *order);
    free(tmp);
    free(counts);
    return true;
}

/* The primary key the radix sort orders by; ties are then sorted whole. */
static double primary(const mg_targets *t, int64_t i) {
    switch (t->task) {
    case MG_TASK_BINARY: return t->score[i];
    case MG_TASK_MULTICLASS:
        /* The first class's probability spreads the rows (the class pair
         * alone would leave runs of n/k^2 rows to the comparison sort). */
        return t->proba != NULL ? t->proba[i * t->nclasses]
                                : (double)t->yc[i] * (t->nclasses + 1) + t->pred[i];
    case MG_TASK_REGRESSION: return t->pr[i];
    default: return 0;
    }
}

static bool permute_double(double **a, const int64_t *order, int64_t n, int64_t width) {
    if (*a == NULL)
        return true;
    double *b = mg__malloc_array((size_t)(n * width > 0 ? n * width : 1), sizeof *b);
    if (b == NULL)
        return false;
    for (int64_t i = 0; i < n; i++)
        memcpy(&b[i * width], &(*a)[order[i] * width], (size_t)width * sizeof *b);
    free(*a);
    *a = b;
    return true;
}

static bool permute_i32(int32_t **a, const int64_t *order, int64_t n) {
    if (*a == NULL)
        return true;
    int32_t *b = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *b);
    if (b == NULL)
        return false;
    for (int64_t i = 0; i < n; i++)
        b[i] = (*a)[order[i]];
    free(*a);
    *a = b;
    return true;
}

static bool permute_u8(uint8_t **a, const int64_t *order, int64_t n) {
    if (*a == NULL)
        return true;
    uint8_t *b = mg__malloc((size_t)(n > 0 ? n : 1));
    if (b == NULL)
        return false;
    for (int64_t i = 0; i < n; i++)
        b[i] = (*a)[order[i]];
    free(*a);
    *a = b;
    return true;
}

/* Renumbers a string column's dictionary in first-seen order. */
static mg_status renumber(mg_column *c, mg_error *err) {
    int32_t *map = mg__malloc_array((size_t)(c->ndict > 0 ? c->ndict : 1), sizeof *map);
    char **dict = mg__calloc((size_t)(c->ndict > 0 ? c->ndict : 1), sizeof *dict);
    if (map == NULL || dict == NULL) {
        free(map);
        free(dict);
        return mg__nomem(err, "a column's dictionary");
    }
    for (int32_t k = 0; k < c->ndict; k++)
        map[k] = -1;
    int32_t next = 0;
    for (int64_t i = 0; i < c->nrows; i++) {
        if (mg_column_is_null(c, i))
            continue;
        int32_t k = c->codes[i];
        if (map[k] < 0) {
            map[k] = next;
            dict[next++] = c->dict[k];
            c->dict[k] = NULL;
        }
        c->codes[i] = map[k];
    }
    for (int64_t i = 0; i < c->nrows; i++)
        if (mg_column_is_null(c, i))
            c->codes[i] = 0;
    for (int32_t k = 0; k < c->ndict; k++)
        free(c->dict[k]); /* entries no row uses */
    free(c->dict);
    c->dict = dict;
    c->ndict = next;
    free(map);
    return MG_OK;
}

static bool permute_targets(mg_targets *t, const int64_t *order, int64_t n) {
    if (t->score_borrowed && t->score != NULL) {
        /* the table's column, still the table's: permute a copy */
        double *own = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *own);
        if (own == NULL)
            return false;
        memcpy(own, t->score, (size_t)n * sizeof *own);
        t->score = own;
        t->score_borrowed = false;
    }
    return permute_double(&t->w, order, n, 1) && permute_double(&t->score, order, n, 1) &&
           permute_double(&t->proba, order, n, t->nclasses) &&
           permute_double(&t->yr, order, n, 1) && permute_double(&t->pr, order, n, 1) &&
           permute_u8(&t->y, order, n) && permute_i32(&t->yc, order, n) &&
           permute_i32(&t->pred, order, n);
}

/* Rows of a binary task without weights or a paired model whose kept
 * columns are all text, booleans or integers of few values: the rest of the row after
 * its score is one small integer, sec[i] = the label, then each column's
 * rank (null first, then strcmp's order of its text, false before true, an
 * integer's offset from the column's least), in
 * mixed radix. One counting sort by it, then the radix sort by score, give
 * cmp_rows' order with no comparison sort. false (nothing done) when the
 * rows do not qualify or memory is short. */
#define SEC_MAX 65536
static bool sort_by_secondary(const mg_targets *t, const mg_table *cols, const mg_targets *paired,
                              int64_t *order) {
    int64_t n = t->n;
    if (t->task != MG_TASK_BINARY || t->w != NULL || paired != NULL || t->score == NULL || n < 2)
        return false;
    int64_t card = 2;
    int ncols = cols != NULL ? cols->ncols : 0;
    int64_t lo[64], width[64]; /* per column: its ranks are 0 (null) .. width - 1 */
    if (ncols > 64)
        return false;
    for (int c = 0; c < ncols; c++) {
        const mg_column *col = &cols->cols[c];
        lo[c] = 0;
        if (col->type == MG_TYPE_STR) {
            width[c] = col->ndict + 1;
        } else if (col->type == MG_TYPE_BOOL) {
            width[c] = 3;
        } else if (col->type == MG_TYPE_I64) {
            /* integers of a narrow range: the value's offset is its rank */
            int64_t mn = INT64_MAX, mx = INT64_MIN;
            for (int64_t i = 0; i < n; i++)
                if (!mg_column_is_null(col, i)) {
                    mn = col->i64[i] < mn ? col->i64[i] : mn;
                    mx = col->i64[i] > mx ? col->i64[i] : mx;
                }
            if (mn > mx)
                mn = mx = 0;
            if ((uint64_t)mx - (uint64_t)mn >= SEC_MAX) /* unsigned: no overflow */
                return false;
            lo[c] = mn;
            width[c] = mx - mn + 2;
        } else {
            return false;
        }
        if (card * width[c] > SEC_MAX)
            return false;
        card *= width[c];
    }
    uint16_t *sec = mg__malloc_array((size_t)n, sizeof *sec);
    int32_t **rank = mg__calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *rank);
    int64_t *counts = mg__calloc((size_t)card + 1, sizeof *counts);
    bool ok = sec != NULL && rank != NULL && counts != NULL;
    for (int c = 0; ok && c < ncols; c++) {
        const mg_column *col = &cols->cols[c];
        if (col->type != MG_TYPE_STR)
            continue;
        int32_t m = col->ndict;
        int32_t *by = mg__malloc_array((size_t)(m > 0 ? m : 1), sizeof *by);
        rank[c] = mg__malloc_array((size_t)(m > 0 ? m : 1), sizeof *rank[c]);
        if (by == NULL || rank[c] == NULL) {
            free(by);
            ok = false;
            break;
        }
        /* the dictionary's codes in strcmp order: insertion sort (few) */
        for (int32_t a = 0; a < m; a++) {
            int32_t b = a;
            for (; b > 0 && strcmp(col->dict[by[b - 1]], col->dict[a]) > 0; b--)
                by[b] = by[b - 1];
            by[b] = a;
        }
        for (int32_t r = 0; r < m; r++)
            rank[c][by[r]] = r + 1;
        free(by);
    }
    if (ok) {
        for (int64_t i = 0; i < n; i++) {
            int64_t v = t->y[i] != 0;
            for (int c = 0; c < ncols; c++) {
                const mg_column *col = &cols->cols[c];
                int64_t r = mg_column_is_null(col, i)       ? 0
                            : col->type == MG_TYPE_STR ? rank[c][col->codes[i]]
                            : col->type == MG_TYPE_I64 ? 1 + (col->i64[i] - lo[c])
                                                       : 1 + (col->b[i] != 0);
                v = v * width[c] + r;
            }
            sec[i] = (uint16_t)v;
            counts[v + 1]++;
        }
        for (int64_t v = 0; v < card; v++)
            counts[v + 1] += counts[v];
        for (int64_t i = 0; i < n; i++)
            order[counts[sec[i]]++] = i;
    }
    for (int c = 0; rank != NULL && c < ncols; c++)
        free(rank[c]);
    free(rank);
    free(counts);
    free(sec);
    return ok;
}

mg_status mg_rows_canonicalize(mg_targets *t, mg_table *cols, mg_targets *paired, mg_error *err) {
    int64_t n = t->n;
    if (n <= 1 && cols == NULL)
        return MG_OK;
    int64_t *order = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *order);
    /* The primary key: the scores or predictions themselves, else (multiclass)
     * the first class's probability or a key of the two class indexes. */
    double *own_key = NULL;
    const double *key = t->task == MG_TASK_BINARY       ? t->score
                        : t->task == MG_TASK_REGRESSION ? t->pr
                                                        : NULL;
    if (order != NULL && key == NULL) {
        own_key = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *own_key);
        for (int64_t i = 0; own_key != NULL && i < n; i++)
            own_key[i] = primary(t, i);
        key = own_key;
    }
    bool whole = order != NULL && key != NULL && sort_by_secondary(t, cols, paired, order);
    if (order == NULL || key == NULL || !sort_by_key(key, n, order, whole)) {
        free(order);
        free(own_key);
        return mg__nomem(err, "the canonical order of the rows");
    }
    mg_status st = MG_OK;
    /* Runs of equal primary keys: sorted by the whole row (unless the
     * secondary key did it). */
    canon_ctx ctx = {t, cols, paired};
    canon_current = &ctx;
    bool more = t->w != NULL || (cols != NULL && cols->ncols > 0) || paired != NULL;
    for (int64_t i = 0; !whole && i < n;) {
        int64_t j = i + 1;
        while (j < n && key[order[j]] == key[order[i]])
            j++;
        if (j - i > 1)
            sort_run(&ctx, order + i, j - i, more);
        i = j;
    }
    canon_current = NULL;
    free(own_key);
    /* Permute; columns first into new columns so that a failure leaves
     * everything as it was. */
    mg_column *fresh = NULL;
    int ncols = cols != NULL ? cols->ncols : 0;
    if (ncols > 0 && (fresh = mg__calloc((size_t)ncols, sizeof *fresh)) == NULL) {
        free(order);
        return mg__nomem(err, "the canonical order of the rows");
    }
    for (int c = 0; c < ncols && st == MG_OK; c++)
        st = gather(&cols->cols[c], order, 0, n, &fresh[c], err);
    for (int c = 0; c < ncols && st == MG_OK; c++)
        if (fresh[c].type == MG_TYPE_STR)
            st = renumber(&fresh[c], err);
    /* Each permute_ frees the old array on success and keeps it on failure,
     * so t never holds a freed array (but may be partly permuted). */
    if (st == MG_OK && !(permute_targets(t, order, n) &&
                         (paired == NULL || permute_targets(paired, order, n))))
        st = mg__nomem(err, "the canonical order of the rows");
    free(order);
    if (st == MG_OK) {
        for (int c = 0; c < ncols; c++) {
            mg__column_release(&cols->cols[c]);
            cols->cols[c] = fresh[c];
        }
    } else {
        for (int c = 0; c < ncols; c++)
            mg__column_release(&fresh[c]);
    }
    free(fresh);
    return st;
}

static bool dup_array(void **dst, const void *src, size_t n, size_t size) {
    if (src == NULL)
        return true;
    *dst = mg__malloc_array(n > 0 ? n : 1, size);
    if (*dst == NULL)
        return false;
    memcpy(*dst, src, n * size);
    return true;
}

mg_status mg_targets_copy(const mg_targets *t, mg_targets *out, mg_error *err) {
    *out = *t;
    out->score_borrowed = false; /* the copy owns every array it has */
    out->w = out->score = out->proba = out->yr = out->pr = NULL;
    out->y = NULL;
    out->yc = out->pred = NULL;
    out->positive_label = out->negative_label = NULL;
    out->class_labels = NULL;
    out->nclasses = 0;
    size_t n = (size_t)(t->n > 0 ? t->n : 0);
    bool ok = dup_array((void **)&out->w, t->w, n, sizeof(double)) &&
              dup_array((void **)&out->score, t->score, n, sizeof(double)) &&
              dup_array((void **)&out->proba, t->proba, n * (size_t)t->nclasses, sizeof(double)) &&
              dup_array((void **)&out->yr, t->yr, n, sizeof(double)) &&
              dup_array((void **)&out->pr, t->pr, n, sizeof(double)) &&
              dup_array((void **)&out->y, t->y, n, 1) &&
              dup_array((void **)&out->yc, t->yc, n, sizeof(int32_t)) &&
              dup_array((void **)&out->pred, t->pred, n, sizeof(int32_t));
    if (ok && t->positive_label != NULL)
        ok = (out->positive_label = mg__strdup(t->positive_label)) != NULL;
    if (ok && t->negative_label != NULL)
        ok = (out->negative_label = mg__strdup(t->negative_label)) != NULL;
    if (ok && t->nclasses > 0) {
        ok = (out->class_labels = mg__calloc((size_t)t->nclasses, sizeof(char *))) != NULL;
        for (int k = 0; ok && k < t->nclasses; k++) {
            ok = (out->class_labels[k] = mg__strdup(t->class_labels[k])) != NULL;
            out->nclasses = k + 1;
        }
    }
    if (!ok) {
        mg_targets_release(out);
        return mg__nomem(err, "a copy of the targets");
    }
    out->nclasses = t->nclasses;
    return MG_OK;
}
