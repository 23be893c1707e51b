/* sort.c - the one sort behind ROC AUC statistics: row indices by score, in
 * linear time, so that sorting a million scores costs milliseconds. */
#include "util/sort.h"

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6 /* 6 * 11 >= 64 */

typedef struct keyed {
    uint64_t key;
    int64_t row;
} keyed;

/* Maps a double to an unsigned key with the same order: flip every bit of a
 * negative number, only the sign bit of a positive one. */
static uint64_t order_key(double d) {
    uint64_t bits;
    d += 0.0; /* -0.0 becomes 0.0 */
    memcpy(&bits, &d, sizeof bits);
    return bits >> 63 ? ~bits : bits | 0x8000000000000000ULL;
}

mg_status mg__sort_by_score(const double *score, int64_t n, int64_t *order) {
    if (n <= 0)
        return MG_OK;
    /* Scores already ascending (a run's rows are in canonical order,
     * docs/scale.md): the stable order is the rows' own, in one pass. */
    int64_t sorted = 1;
    while (sorted < n && score[sorted - 1] <= score[sorted])
        sorted++;
    if (sorted == n) {
        for (int64_t k = 0; k < n; k++)
            order[k] = k;
        return MG_OK;
    }
    keyed *a = mg__malloc_array((size_t)n, sizeof *a);
    keyed *b = mg__malloc_array((size_t)n, sizeof *b);
    uint64_t(*counts)[RADIX_SIZE] = mg__calloc(RADIX_PASSES, sizeof *counts);
    if (a == NULL || b == NULL || counts == NULL) {
        free(a);
        free(b);
        free(counts);
        return MG_ERR_NOMEM;
    }
    for (int64_t i = 0; i < n; i++) {
        a[i].key = order_key(score[i]);
        a[i].row = i;
        for (int p = 0; p < RADIX_PASSES; p++)
            counts[p][(a[i].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        /* A digit shared by every key leaves the order as it is. */
        if (counts[p][(a[0].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)] == (uint64_t)n)
            continue;
        uint64_t sum = 0;
        uint64_t start[RADIX_SIZE];
        for (unsigned d = 0; d < RADIX_SIZE; d++) {
            start[d] = sum;
            sum += counts[p][d];
        }
        for (int64_t i = 0; i < n; i++)
            b[start[(a[i].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++] = a[i];
        keyed *t = a;
        a = b;
        b = t;
    }
    for (int64_t i = 0; i < n; i++)
        order[i] = a[i].row;
    free(a);
    free(b);
    free(counts);
    return MG_OK;
}
