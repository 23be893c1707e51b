/* slicing.c - row-to-slice codes from a column of the test data: one slice per
 * value, per quantile bucket (pandas.qcut's rule) or per given bucket, and the
 * crossing of two slicings. Taken before the table is dropped. */
#include "metrics_internal.h"
#include "modelgate/slices.h"

void mg_slicing_release(mg_slicing *s) {
    free(s->name);
    free(s->columns[0]);
    free(s->columns[1]);
    free(s->code);
    free(s->parts);
    for (int i = 0; i < s->ntexts; i++)
        free(s->texts[i]);
    free(s->texts);
    memset(s, 0, sizeof *s);
}

/* Integer slice columns spanning fewer values than this get a lookup table. */
#define INT_TABLE_MAX ((uint64_t)1 << 16)

/* Maps a double to a key with the same order (for the radix sort). */
static uint64_t order_key(double d) {
    uint64_t bits;
    d += 0.0;
    memcpy(&bits, &d, sizeof bits);
    return bits >> 63 ? ~bits : bits | 0x8000000000000000ULL;
}

static double from_order_key(uint64_t k) {
    uint64_t bits = k >> 63 ? k & 0x7FFFFFFFFFFFFFFFULL : ~k;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* numpy's linear interpolation (_lerp in numpy 1.24's quantile): from the
 * upper end when t >= 0.5, so that the result is exact at both ends. */
static double lerp(double a, double b, double t) {
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/* np.quantile(sorted[0..n), q) with the default linear method. */
static double quantile(const double *sorted, int64_t n, double q) {
    double virt = (double)(n - 1) * q;
    double lo = floor(virt);
    if (lo < 0)
        lo = 0;
    if (lo >= (double)(n - 1))
        return sorted[n - 1];
    int64_t i = (int64_t)lo;
    return lerp(sorted[i], sorted[i + 1], virt - lo);
}

/* Index k of the bucket (e[k], e[k+1]] holding x, the first closed below;
 * -1 below e[0], nedges - 1 above the last edge. */
static int bucket_of(const double *e, int nedges, double x) {
    if (x < e[0])
        return -1;
    if (x > e[nedges - 1])
        return nedges - 1;
    if (isnan(x)) /* the search below, as it ends for a NaN */
        return nedges - 2;
    /* the first edge index >= x in 1..nedges-1 (searchsorted left), without
     * branches: the rows' values come in no order, so a branch per step
     * would be mispredicted half the time */
    const double *base = e + 1;
    int len = nedges - 1;
    while (len > 1) {
        int half = len / 2;
        base = base[half] < x ? base + half : base;
        len -= half;
    }
    return (int)(base - e) + (*base < x) - 1;
}

static mg_status too_many(mg_error *err, const char *name, int64_t k) {
    return mg__fail(err, MG_ERR_UNSUPPORTED,
                    "slicing '%s' has %" PRId64 " slices, more than the %d allowed", name, k,
                    MG_SLICE_MAX_SLICES);
}

/* Allocates the parts of k slices of one column. */
static mg_status alloc_slices(mg_slicing *s, int64_t k, mg_error *err) {
    if (k > MG_SLICE_MAX_SLICES)
        return too_many(err, s->name, k);
    s->nslices = (int)k;
    s->parts = mg__calloc((size_t)(k > 0 ? k : 1), sizeof *s->parts);
    return s->parts != NULL ? MG_OK : mg__nomem(err, "the slices");
}

/* Drops the slices that no row falls in, keeping the order. */
static mg_status compact(mg_slicing *s, mg_error *err) {
    int64_t *count = mg__calloc((size_t)(s->nslices > 0 ? s->nslices : 1), sizeof *count);
    int32_t *map = mg__malloc_array((size_t)(s->nslices > 0 ? s->nslices : 1), sizeof *map);
    if (count == NULL || map == NULL) {
        free(count);
        free(map);
        return mg__nomem(err, "the slices");
    }
    for (int64_t i = 0; i < s->nrows; i++)
        count[s->code[i]]++;
    int k = 0;
    for (int c = 0; c < s->nslices; c++) {
        map[c] = k;
        if (count[c] > 0) {
            for (int p = 0; p < s->ncolumns; p++)
                s->parts[(size_t)k * (size_t)s->ncolumns + (size_t)p] =
                    s->parts[(size_t)c * (size_t)s->ncolumns + (size_t)p];
            k++;
        }
    }
    for (int64_t i = 0; k < s->nslices && i < s->nrows; i++) /* none empty: nothing moves */
        s->code[i] = map[s->code[i]];
    s->nslices = k;
    free(count);
    free(map);
    return MG_OK;
}

static int cmp_str_idx_ctx(const char *const *dict, int32_t a, int32_t b) {
    return strcmp(dict[a], dict[b]);
}

/* Strings: slices in byte order of the values, nulls last. */
static mg_status by_strings(const mg_column *col, mg_slicing *s, mg_error *err) {
    int32_t k = col->ndict;
    bool nulls = col->null_count > 0;
    MG_TRY(alloc_slices(s, (int64_t)k + nulls, err));
    int32_t *order = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *order);
    int32_t *rank = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *rank);
    s->texts = mg__calloc((size_t)(k > 0 ? k : 1), sizeof *s->texts);
    if (order == NULL || rank == NULL || s->texts == NULL) {
        free(order);
        free(rank);
        return mg__nomem(err, "the slices");
    }
    /* the values in byte order: a bottom-up merge sort of the codes */
    for (int32_t c = 0; c < k; c++)
        order[c] = c;
    int32_t *tmp = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *tmp);
    if (tmp == NULL) {
        free(order);
        free(rank);
        return mg__nomem(err, "the slices");
    }
    for (int32_t width = 1; width < k; width *= 2) {
        for (int32_t lo = 0; lo < k; lo += 2 * width) {
            int32_t mid = lo + width < k ? lo + width : k, hi = lo + 2 * width < k ? lo + 2 * width : k;
            int32_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                tmp[o++] = cmp_str_idx_ctx((const char *const *)col->dict, order[a], order[b]) <= 0
                               ? order[a++]
                               : order[b++];
            while (a < mid)
                tmp[o++] = order[a++];
            while (b < hi)
                tmp[o++] = order[b++];
        }
        memcpy(order, tmp, (size_t)k * sizeof *order);
    }
    free(tmp);
    mg_status st = MG_OK;
    for (int32_t r = 0; r < k && st == MG_OK; r++) {
        rank[order[r]] = r;
        s->texts[r] = mg__strdup(col->dict[order[r]]);
        if (s->texts[r] == NULL)
            st = mg__nomem(err, "the slices");
        s->ntexts = r + 1;
        s->parts[r].kind = MG_SLICE_PART_STRING;
        s->parts[r].text = s->texts[r];
    }
    if (nulls)
        s->parts[k].kind = MG_SLICE_PART_NULL;
    for (int64_t i = 0; i < s->nrows && st == MG_OK; i++)
        s->code[i] = mg_column_is_null(col, i) ? k : rank[col->codes[i]];
    free(order);
    free(rank);
    return st;
}

static mg_status by_bools(const mg_column *col, mg_slicing *s, mg_error *err) {
    MG_TRY(alloc_slices(s, 3, err));
    for (int v = 0; v < 2; v++) {
        s->parts[v].kind = MG_SLICE_PART_BOOL;
        s->parts[v].number = v;
    }
    s->parts[2].kind = MG_SLICE_PART_NULL;
    for (int64_t i = 0; i < s->nrows; i++)
        s->code[i] = mg_column_is_null(col, i) ? 2 : (col->b[i] != 0);
    return MG_OK;
}

static double value_at(const mg_column *col, int64_t i) {
    return col->type == MG_TYPE_F64 ? col->f64[i] : (double)col->i64[i];
}

/* The index of the first of parts[0..distinct) whose number is >= x (the
 * part of value x; the distinct values are ascending). */
static int32_t distinct_index(const mg_slice_part *parts, int64_t distinct, double x) {
    int64_t lo = 0, hi = distinct - 1;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (parts[mid].number < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int32_t)lo;
}

/* Numbers: the sorted non-null values decide between one slice per value,
 * given edges and quantile buckets. */
static mg_status by_numbers(const mg_column *col, const mg_slice_options *opts, mg_slicing *s,
                            mg_error *err) {
    int64_t n = s->nrows, m = 0;
    int bins = opts != NULL && opts->bins > 0 ? opts->bins : MG_SLICE_BINS_DEFAULT;
    const mg_slice_edges *given = NULL;
    for (int e = 0; opts != NULL && e < opts->nedges; e++)
        if (strcmp(opts->edges[e].column, col->name) == 0)
            given = &opts->edges[e];
    uint64_t *keys = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *keys);
    if (keys == NULL)
        return mg__nomem(err, "the slice values");
    int64_t imin = INT64_MAX, imax = INT64_MIN;
    for (int64_t i = 0; i < n; i++)
        if (!mg_column_is_null(col, i)) {
            keys[m++] = order_key(value_at(col, i));
            if (col->type == MG_TYPE_I64) {
                imin = col->i64[i] < imin ? col->i64[i] : imin;
                imax = col->i64[i] > imax ? col->i64[i] : imax;
            }
        }
    /* Integers of a narrow range (ages, counts, years): the code of every
     * value in [imin, imax] taken once, then one lookup per row. */
    int32_t *table = NULL;
    if (col->type == MG_TYPE_I64 && m > 0 && (uint64_t)imax - (uint64_t)imin < INT_TABLE_MAX)
        table = mg__malloc_array((size_t)((uint64_t)imax - (uint64_t)imin + 1), sizeof *table);
    mg_status st = mg__radix_sort(keys, NULL, (size_t)m, err);
    if (st != MG_OK) {
        free(keys);
        return st;
    }
    double *sorted = (double *)keys; /* same size: converted in place */
    for (int64_t i = 0; i < m; i++)
        sorted[i] = from_order_key(keys[i]);
    int64_t distinct = 0;
    for (int64_t i = 0; i < m; i++)
        distinct += i == 0 || sorted[i] != sorted[i - 1];
    double *edges = NULL;
    int nedges = 0;
    if (given != NULL) {
        s->method = "edges";
        nedges = given->nedges;
        edges = mg__malloc_array((size_t)nedges, sizeof *edges);
        if (edges != NULL)
            memcpy(edges, given->edges, (size_t)nedges * sizeof *edges);
    } else if (distinct > bins) {
        s->method = "quantile";
        edges = mg__malloc_array((size_t)bins + 1, sizeof *edges);
        double step = 1.0 / (double)bins; /* np.linspace(0, 1, bins + 1) */
        for (int k = 0; edges != NULL && k <= bins; k++) {
            double q = k == bins ? 1.0 : (double)k * step;
            double v = quantile(sorted, m, q);
            if (nedges == 0 || v != edges[nedges - 1]) /* duplicates='drop' */
                edges[nedges++] = v;
        }
        if (edges != NULL && nedges < 2) { /* cannot happen with > bins distinct values */
            edges[1] = edges[0];
            nedges = 2;
        }
    }
    if (given != NULL || distinct > bins) {
        if (edges == NULL) {
            free(keys);
            return mg__nomem(err, "the slice edges");
        }
        /* slice 0: below the first edge; 1..k: the buckets; k+1: above the
         * last edge; k+2: null (the empty ones are dropped afterwards) */
        int64_t k = nedges - 1;
        st = alloc_slices(s, k + 3, err);
        for (int64_t b = 0; b < k && st == MG_OK; b++) {
            s->parts[b + 1] = (mg_slice_part){
                MG_SLICE_PART_BUCKET, NULL, 0, edges[b], edges[b + 1], b == 0, true};
        }
        if (st == MG_OK) {
            s->parts[0] =
                (mg_slice_part){MG_SLICE_PART_BUCKET, NULL, 0, -INFINITY, edges[0], false, false};
            s->parts[k + 1] = (mg_slice_part){
                MG_SLICE_PART_BUCKET, NULL, 0, edges[nedges - 1], INFINITY, false, false};
            s->parts[k + 2].kind = MG_SLICE_PART_NULL;
            for (int64_t v = imin; table != NULL && v <= imax; v++)
                table[v - imin] = (int32_t)(bucket_of(edges, nedges, (double)v) + 1);
            for (int64_t i = 0; i < n; i++)
                s->code[i] = mg_column_is_null(col, i) ? (int32_t)(k + 2)
                             : table != NULL
                                 ? table[col->i64[i] - imin]
                                 : (int32_t)(bucket_of(edges, nedges, value_at(col, i)) + 1);
        }
    } else {
        s->method = "values";
        st = alloc_slices(s, distinct + 1, err);
        int64_t u = 0;
        for (int64_t i = 0; i < m && st == MG_OK; i++)
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                s->parts[u].kind = MG_SLICE_PART_NUMBER;
                s->parts[u++].number = sorted[i];
            }
        if (st == MG_OK) {
            s->parts[distinct].kind = MG_SLICE_PART_NULL;
            for (int64_t v = imin; table != NULL && v <= imax; v++) {
                table[v - imin] = distinct_index(s->parts, distinct, (double)v);
            }
            for (int64_t i = 0; i < n; i++) {
                if (mg_column_is_null(col, i)) {
                    s->code[i] = (int32_t)distinct;
                    continue;
                }
                if (table != NULL) {
                    s->code[i] = table[col->i64[i] - imin];
                    continue;
                }
                s->code[i] = distinct_index(s->parts, distinct, value_at(col, i));
            }
        }
    }
    free(table);
    free(edges);
    free(keys);
    return st;
}

static mg_status check_edges(const mg_slice_options *opts, mg_error *err) {
    for (int e = 0; opts != NULL && e < opts->nedges; e++) {
        const mg_slice_edges *g = &opts->edges[e];
        if (g->nedges < 2)
            return mg__fail(err, MG_ERR_USAGE, "--slice-edges %s: at least two edges are needed",
                            g->column);
        for (int k = 0; k < g->nedges; k++)
            if (!isfinite(g->edges[k]) || (k > 0 && !(g->edges[k] > g->edges[k - 1])))
                return mg__fail(err, MG_ERR_USAGE,
                                "--slice-edges %s: the edges must be finite and strictly "
                                "ascending",
                                g->column);
    }
    return MG_OK;
}

mg_status mg_slicing_from_column(const mg_table *table, const char *column,
                                 const mg_slice_options *opts, mg_slicing *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    MG_TRY(check_edges(opts, err));
    const mg_column *col = mg_table_column(table, column);
    if (col == NULL)
        return mg__fail(err, MG_ERR_DATA, "%s: no column '%s' (a slice column)", table->source,
                        column);
    out->ncolumns = 1;
    out->nrows = table->nrows;
    out->name = mg__strdup(column);
    out->columns[0] = mg__strdup(column);
    out->code = mg__malloc_array((size_t)(table->nrows > 0 ? table->nrows : 1), sizeof *out->code);
    mg_status st = MG_OK;
    if (out->name == NULL || out->columns[0] == NULL || out->code == NULL)
        st = mg__nomem(err, "the slices");
    else if (col->type == MG_TYPE_STR) {
        out->method = "values";
        st = by_strings(col, out, err);
    } else if (col->type == MG_TYPE_BOOL) {
        out->method = "values";
        st = by_bools(col, out, err);
    } else
        st = by_numbers(col, opts, out, err);
    if (st == MG_OK)
        st = compact(out, err);
    if (st != MG_OK)
        mg_slicing_release(out);
    return st;
}

mg_status mg_slicing_cross(const mg_slicing *a, const mg_slicing *b, mg_slicing *out,
                           mg_error *err) {
    memset(out, 0, sizeof *out);
    if (a->nrows != b->nrows || a->ncolumns != 1 || b->ncolumns != 1)
        return mg__fail(err, MG_ERR_USAGE, "crossed slicings need two single columns of one table");
    int64_t k = (int64_t)a->nslices * b->nslices;
    size_t nl = strlen(a->name) + strlen(b->name) + 3;
    out->name = mg__malloc(nl);
    if (out->name != NULL)
        snprintf(out->name, nl, "%s\xC3\x97%s", a->name, b->name); /* U+00D7 */
    out->method = "crossed";
    out->ncolumns = 2;
    out->nrows = a->nrows;
    out->columns[0] = mg__strdup(a->name);
    out->columns[1] = mg__strdup(b->name);
    out->code = mg__malloc_array((size_t)(a->nrows > 0 ? a->nrows : 1), sizeof *out->code);
    int ntexts = a->ntexts + b->ntexts;
    out->texts = mg__calloc((size_t)(ntexts > 0 ? ntexts : 1), sizeof *out->texts);
    mg_status st = MG_OK;
    if (out->name == NULL || out->columns[0] == NULL || out->columns[1] == NULL ||
        out->code == NULL || out->texts == NULL) {
        mg_slicing_release(out);
        return mg__nomem(err, "the crossed slices");
    }
    /* every combination, then the empty ones dropped; at most that many rows */
    if (k > MG_SLICE_MAX_SLICES && k > a->nrows)
        st = too_many(err, out->name, k);
    /* Copy the texts so the crossed slicing owns what its parts borrow. */
    for (int i = 0; i < a->ntexts && st == MG_OK; i++) {
        out->texts[out->ntexts] = mg__strdup(a->texts[i]);
        if (out->texts[out->ntexts++] == NULL)
            st = mg__nomem(err, "the crossed slices");
    }
    for (int i = 0; i < b->ntexts && st == MG_OK; i++) {
        out->texts[out->ntexts] = mg__strdup(b->texts[i]);
        if (out->texts[out->ntexts++] == NULL)
            st = mg__nomem(err, "the crossed slices");
    }
    int32_t *pair = NULL;
    int64_t *seen = NULL;
    int kk = 0;
    if (st == MG_OK && k <= (int64_t)INT32_MAX) {
        /* number the combinations that occur, in (a, b) order */
        seen = mg__calloc((size_t)(k > 0 ? k : 1), sizeof *seen);
        pair = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *pair);
        if (seen == NULL || pair == NULL)
            st = mg__nomem(err, "the crossed slices");
        for (int64_t i = 0; st == MG_OK && i < a->nrows; i++)
            seen[(int64_t)a->code[i] * b->nslices + b->code[i]] = 1;
        for (int64_t c = 0; st == MG_OK && c < k; c++)
            if (seen[c]) {
                pair[c] = kk++;
            }
        if (st == MG_OK && kk > MG_SLICE_MAX_SLICES)
            st = too_many(err, out->name, kk);
        if (st == MG_OK) {
            out->nslices = kk;
            out->parts = mg__calloc((size_t)(kk > 0 ? kk : 1) * 2, sizeof *out->parts);
            if (out->parts == NULL)
                st = mg__nomem(err, "the crossed slices");
        }
        for (int64_t c = 0; st == MG_OK && c < k; c++)
            if (seen[c]) {
                mg_slice_part pa = a->parts[c / b->nslices], pb = b->parts[c % b->nslices];
                /* re-point the texts into our copies */
                for (int t = 0; pa.text != NULL && t < a->ntexts; t++)
                    if (pa.text == a->texts[t])
                        pa.text = out->texts[t];
                for (int t = 0; pb.text != NULL && t < b->ntexts; t++)
                    if (pb.text == b->texts[t])
                        pb.text = out->texts[a->ntexts + t];
                out->parts[(size_t)pair[c] * 2] = pa;
                out->parts[(size_t)pair[c] * 2 + 1] = pb;
            }
        for (int64_t i = 0; st == MG_OK && i < a->nrows; i++)
            out->code[i] = pair[(int64_t)a->code[i] * b->nslices + b->code[i]];
    } else if (st == MG_OK) {
        st = too_many(err, out->name, k);
    }
    free(seen);
    free(pair);
    if (st != MG_OK)
        mg_slicing_release(out);
    return st;
}

static void part_label(const mg_slice_part *p, mg__buf *b) {
    char x[40], y[40];
    switch (p->kind) {
    case MG_SLICE_PART_NULL: mg__buf_puts(b, "null"); break;
    case MG_SLICE_PART_STRING: mg__text_escape(b, p->text, strlen(p->text)); break;
    case MG_SLICE_PART_BOOL: mg__buf_puts(b, p->number != 0 ? "true" : "false"); break;
    case MG_SLICE_PART_NUMBER:
        mg_format_double(p->number, x, sizeof x);
        mg__buf_puts(b, x);
        break;
    case MG_SLICE_PART_BUCKET:
        if (isinf(p->low))
            snprintf(x, sizeof x, "-inf");
        else
            mg_format_double(p->low, x, sizeof x);
        if (isinf(p->high))
            snprintf(y, sizeof y, "inf");
        else
            mg_format_double(p->high, y, sizeof y);
        mg__buf_printf(b, "%s%s, %s%s", p->low_closed ? "[" : "(", x, y, p->high_closed ? "]" : ")");
        break;
    }
}

char *mg_slice_label(const mg_slicing *s, int i, char *buf, size_t cap) {
    mg__buf b = {0};
    for (int p = 0; p < s->ncolumns; p++) {
        if (p > 0)
            mg__buf_puts(&b, " \xC3\x97 ");
        part_label(&s->parts[(size_t)i * (size_t)s->ncolumns + (size_t)p], &b);
    }
    char *text = mg__buf_detach(&b);
    if (cap > 0) {
        snprintf(buf, cap, "%s", text != NULL ? text : "?");
    }
    free(text);
    return buf;
}

mg_status mg_slicings_build(const mg_table *table, const char *const *by, int nby,
                            const char *const *cross, int ncross, const mg_slice_options *opts,
                            mg_slicing **out, int *n, mg_error *err) {
    *out = NULL;
    *n = 0;
    if (nby + ncross == 0)
        return MG_OK;
    mg_slicing *sl = mg__calloc((size_t)(nby + ncross / 2), sizeof *sl);
    if (sl == NULL)
        return mg__nomem(err, "the slicings");
    int count = 0;
    mg_status st = MG_OK;
    for (int i = 0; i < nby && st == MG_OK; i++) {
        bool dup = false;
        for (int k = 0; k < i; k++)
            dup |= strcmp(by[k], by[i]) == 0;
        if (dup)
            continue;
        st = mg_slicing_from_column(table, by[i], opts, &sl[count], err);
        if (st == MG_OK)
            count++;
    }
    int alone = count;
    for (int i = 0; i + 1 < ncross && st == MG_OK; i += 2) {
        const mg_slicing *side[2] = {NULL, NULL};
        mg_slicing tmp[2];
        memset(tmp, 0, sizeof tmp);
        for (int h = 0; h < 2 && st == MG_OK; h++) {
            for (int k = 0; k < alone; k++)
                if (strcmp(sl[k].columns[0], cross[i + h]) == 0)
                    side[h] = &sl[k];
            if (side[h] == NULL) {
                st = mg_slicing_from_column(table, cross[i + h], opts, &tmp[h], err);
                side[h] = &tmp[h];
            }
        }
        if (st == MG_OK)
            st = mg_slicing_cross(side[0], side[1], &sl[count], err);
        if (st == MG_OK)
            count++;
        mg_slicing_release(&tmp[0]);
        mg_slicing_release(&tmp[1]);
    }
    if (st != MG_OK) {
        for (int i = 0; i < count; i++)
            mg_slicing_release(&sl[i]);
        free(sl);
        return st;
    }
    *out = sl;
    *n = count;
    return MG_OK;
}
