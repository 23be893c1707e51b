/* sort.c - LSD radix sort of 64-bit keys with an optional double payload: the
 * one O(n) sort behind ROC AUC, average precision and the median, so that
 * 10M-row test sets cost a few passes over memory instead of n log n compares. */
#include "metrics_internal.h"

#define DIGIT_BITS 16
#define DIGITS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)
#define BUCKETS ((size_t)1 << DIGIT_BITS)
/* Below this many keys the histograms cost more than an insertion sort. */
#define SMALL_SORT 64

static void insertion_sort(uint64_t *keys, double *payload, size_t n) {
    for (size_t i = 1; i < n; i++) {
        uint64_t k = keys[i];
        double p = payload ? payload[i] : 0.0;
        size_t j = i;
        for (; j > 0 && keys[j - 1] > k; j--) {
            keys[j] = keys[j - 1];
            if (payload)
                payload[j] = payload[j - 1];
        }
        keys[j] = k;
        if (payload)
            payload[j] = p;
    }
}

/* Sorts keys (and payload) using key_tmp and pay_tmp (n each; pay_tmp only
 * with a payload) as the other buffer; the result is in keys. */
static mg_status radix_sort_with(uint64_t *keys, double *payload, size_t n, uint64_t *key_tmp,
                                 double *pay_tmp, mg_error *err) {
    if (n < SMALL_SORT) {
        insertion_sort(keys, payload, n);
        return MG_OK;
    }
    size_t *count = mg__calloc(DIGITS * BUCKETS, sizeof *count);
    if (count == NULL)
        return mg__nomem(err, "sort buffers");
    /* All histograms in one read of the keys. */
    for (size_t i = 0; i < n; i++) {
        uint64_t k = keys[i];
        for (int d = 0; d < DIGITS; d++)
            count[(size_t)d * BUCKETS + ((k >> (d * DIGIT_BITS)) & (BUCKETS - 1))]++;
    }
    uint64_t *src = keys, *dst = key_tmp;
    double *psrc = payload, *pdst = pay_tmp;
    for (int d = 0; d < DIGITS; d++) {
        size_t *c = count + (size_t)d * BUCKETS;
        int shift = d * DIGIT_BITS;
        /* A digit that every key shares leaves the order as it is. */
        if (c[(src[0] >> shift) & (BUCKETS - 1)] == n)
            continue;
        size_t pos = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t t = c[b];
            c[b] = pos;
            pos += t;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = c[(src[i] >> shift) & (BUCKETS - 1)]++;
            dst[at] = src[i];
            if (psrc)
                pdst[at] = psrc[i];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
        double *pt = psrc;
        psrc = pdst;
        pdst = pt;
    }
    if (src != keys) {
        memcpy(keys, src, n * sizeof *keys);
        if (payload)
            memcpy(payload, psrc, n * sizeof *payload);
    }
    free(count);
    return MG_OK;
}

static mg_status radix_sort_serial(uint64_t *keys, double *payload, size_t n, mg_error *err) {
    if (n < SMALL_SORT) {
        insertion_sort(keys, payload, n);
        return MG_OK;
    }
    uint64_t *key_tmp = mg__malloc_array(n, sizeof *key_tmp);
    double *pay_tmp = payload ? mg__malloc_array(n, sizeof *pay_tmp) : NULL;
    mg_status st = key_tmp == NULL || (payload != NULL && pay_tmp == NULL)
                       ? mg__nomem(err, "sort buffers")
                       : radix_sort_with(keys, payload, n, key_tmp, pay_tmp, err);
    free(key_tmp);
    free(pay_tmp);
    return st;
}

/* Two halves sorted on two threads, then merged: the sort is the longest
 * step of a large evaluation, and the second core is otherwise idle then. */
#define PARALLEL_MIN ((size_t)1 << 18)

typedef struct halves {
    uint64_t *keys, *kout;
    double *payload, *pout;
    size_t n, mid;
    mg_error errs[2];
} halves;

/* Each half uses its half of the merge's output as its other buffer, so
 * that the parallel sort needs one n-sized buffer, as the serial one. */
static mg_status sort_half(void *ctx, int i) {
    halves *h = ctx;
    size_t lo = i == 0 ? 0 : h->mid, len = i == 0 ? h->mid : h->n - h->mid;
    return radix_sort_with(h->keys + lo, h->payload ? h->payload + lo : NULL, len, h->kout + lo,
                           h->pout ? h->pout + lo : NULL, &h->errs[i]);
}

mg_status mg__radix_sort(uint64_t *keys, double *payload, size_t n, mg_error *err) {
    /* Keys already ascending (rows in canonical order give sorted scores)
     * cost one read instead of the sort's passes. */
    size_t sorted = 1;
    while (sorted < n && keys[sorted - 1] <= keys[sorted])
        sorted++;
    if (sorted >= n)
        return MG_OK;
    if (n < PARALLEL_MIN || mg__cpu_count() < 2)
        return radix_sort_serial(keys, payload, n, err);
    uint64_t *kout = mg__malloc_array(n, sizeof *kout);
    double *pout = payload ? mg__malloc_array(n, sizeof *pout) : NULL;
    if (kout == NULL || (payload != NULL && pout == NULL)) {
        free(kout);
        free(pout);
        return mg__nomem(err, "sort buffers");
    }
    halves h = {.keys = keys, .kout = kout, .payload = payload, .pout = pout, .n = n, .mid = n / 2};
    mg_status st = mg__parallel_for(2, 2, sort_half, &h);
    if (st != MG_OK) {
        free(kout);
        free(pout);
        if (err != NULL)
            *err = h.errs[0].status != MG_OK ? h.errs[0] : h.errs[1];
        return st;
    }
    /* Stable merge: on equal keys the first half goes first. */
    size_t a = 0, b = h.mid, o = 0;
    while (a < h.mid && b < n) {
        size_t from = keys[b] < keys[a] ? b++ : a++;
        kout[o] = keys[from];
        if (payload)
            pout[o] = payload[from];
        o++;
    }
    for (; a < h.mid; a++, o++) {
        kout[o] = keys[a];
        if (payload)
            pout[o] = payload[a];
    }
    for (; b < n; b++, o++) {
        kout[o] = keys[b];
        if (payload)
            pout[o] = payload[b];
    }
    memcpy(keys, kout, n * sizeof *keys);
    if (payload)
        memcpy(payload, pout, n * sizeof *payload);
    free(kout);
    free(pout);
    return MG_OK;
}

/* Puts into v[k] the value an ascending sort of v[lo..hi] would put there,
 * with v[lo..k) <= v[k] <= v(k..hi] (Hoare's selection; no NaN in v). */
void mg__select_kth(double *v, int64_t lo, int64_t hi, int64_t k) {
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}
