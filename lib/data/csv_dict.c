/* csv_dict.c - distinct strings of a column in first-seen order, indexed by an
 * open-addressing hash table so that each field costs one lookup. */
#include "data/csv.h"

static uint32_t hash_bytes(const char *s, size_t len) {
    /* FNV-1a, then a final mix so that the low bits used as slots are spread. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

static bool grow_slots(csv_dict *d) {
    uint32_t nslots = d->nslots ? d->nslots * 2 : 64;
    int32_t *slots = mg__calloc(nslots, sizeof *slots);
    if (slots == NULL)
        return false;
    for (int32_t k = 0; k < d->n; k++) {
        uint32_t i = d->hashes[k] & (nslots - 1);
        while (slots[i] != 0)
            i = (i + 1) & (nslots - 1);
        slots[i] = k + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return true;
}

static bool grow_entries(csv_dict *d) {
    if (d->cap >= INT32_MAX / 2)
        return false;
    int32_t cap = d->cap ? d->cap * 2 : 16;
    char **strs = mg__realloc_array(d->strs, (size_t)cap, sizeof *strs);
    if (strs == NULL)
        return false;
    d->strs = strs;
    uint32_t *lens = mg__realloc_array(d->lens, (size_t)cap, sizeof *lens);
    if (lens == NULL)
        return false;
    d->lens = lens;
    uint32_t *hashes = mg__realloc_array(d->hashes, (size_t)cap, sizeof *hashes);
    if (hashes == NULL)
        return false;
    d->hashes = hashes;
    d->cap = cap;
    return true;
}

static int32_t dict_code(csv_dict *d, const char *s, size_t len);

int32_t mg__csv_dict_code(csv_dict *d, const char *s, size_t len) {
    if (len > 8)
        return dict_code(d, s, len);
    uint64_t w = 0; /* the bytes, little end first (a memcpy of len bytes stalls the load) */
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)(uint8_t)s[i] << (8 * i);
    size_t at = (size_t)(((w ^ len) * UINT64_C(0x9E3779B97F4A7C15)) >> 58);
    if (d->in_short[at].len1 == len + 1 && d->in_short[at].word == w)
        return d->in_short[at].code;
    int32_t code = dict_code(d, s, len);
    if (code >= 0) {
        d->in_short[at].word = w;
        d->in_short[at].code = code;
        d->in_short[at].len1 = (uint32_t)len + 1;
    }
    return code;
}

static int32_t dict_code(csv_dict *d, const char *s, size_t len) {
    if (len > UINT32_MAX)
        return -1;
    uint32_t h = hash_bytes(s, len);
    if (d->nslots != 0) {
        uint32_t mask = d->nslots - 1;
        for (uint32_t i = h & mask; d->slots[i] != 0; i = (i + 1) & mask) {
            int32_t k = d->slots[i] - 1;
            if (d->hashes[k] == h && d->lens[k] == len && memcmp(d->strs[k], s, len) == 0)
                return k;
        }
    }
    /* New string: keep the table at most half full. */
    if ((uint32_t)d->n + 1 > d->nslots / 2 && !grow_slots(d))
        return -1;
    if (d->n == d->cap && !grow_entries(d))
        return -1;
    char *copy = mg__strndup(s, len);
    if (copy == NULL)
        return -1;
    int32_t k = d->n++;
    d->strs[k] = copy;
    d->lens[k] = (uint32_t)len;
    d->hashes[k] = h;
    uint32_t mask = d->nslots - 1;
    uint32_t i = h & mask;
    while (d->slots[i] != 0)
        i = (i + 1) & mask;
    d->slots[i] = k + 1;
    return k;
}

char **mg__csv_dict_take(csv_dict *d, int32_t *n) {
    char **strs = d->strs;
    *n = d->n;
    d->strs = NULL;
    d->n = d->cap = 0;
    mg__csv_dict_release(d);
    return strs;
}

void mg__csv_dict_release(csv_dict *d) {
    for (int32_t k = 0; k < d->n; k++)
        free(d->strs[k]);
    free(d->strs);
    free(d->lens);
    free(d->hashes);
    free(d->slots);
    memset(d, 0, sizeof *d);
}
