/* fuzz_partial.c - libFuzzer target: the partial result reader
 * (lib/shard/partial.c, `modelgate merge`) on arbitrary bytes.
 *
 * The first byte picks what the rest is: even, a whole file; odd, a body
 * that gets a valid header and checksum (so that mutations reach the fields
 * behind the SHA-256). Oracles beyond "no crash, no read outside the buffer, no leak": a refused
 * input has a message naming the source; an accepted one encodes back to the
 * very same bytes, and merging it with itself is refused (a shard given
 * twice) or, for a partial of no shard and no data digest, gives twice its
 * rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "modelgate/shard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static int check(const uint8_t *data, size_t size);

/* data (the first byte dropped), or a file around it as a body: a new
 * buffer into *out. */
static uint8_t *input(const uint8_t *data, size_t size, size_t *len) {
    if (size == 0 || !(data[0] & 1)) {
        uint8_t *b = malloc(size > 1 ? size - 1 : 1);
        if (b != NULL && size > 1)
            memcpy(b, data + 1, size - 1);
        *len = size > 1 ? size - 1 : 0;
        return b;
    }
    size_t body = size - 1;
    uint8_t *b = malloc(20 + body + 32);
    if (b == NULL)
        return NULL;
    memcpy(b, "MGPART\r\n", 8);
    b[8] = MG_PARTIAL_VERSION;
    b[9] = b[10] = b[11] = 0;
    for (int i = 0; i < 8; i++)
        b[12 + i] = (uint8_t)((uint64_t)body >> (8 * i));
    memcpy(b + 20, data + 1, body);
    char hex[65];
    mg__sha256_hex(b + 20, body, hex);
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        b[20 + body + (size_t)i] = (uint8_t)v;
    }
    *len = 20 + body + 32;
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t raw_size) {
    size_t size = 0;
    uint8_t *data = input(raw, raw_size, &size);
    if (data == NULL)
        return 0;
    int rc = check(data, size);
    free(data);
    return rc;
}

static int check(const uint8_t *data, size_t size) {
    mg_partial p;
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_partial_decode(data, size, "fuzz.mgp", &p, &err);
    if (st != MG_OK) {
        if (strstr(err.text, "fuzz.mgp") == NULL && st != MG_ERR_NOMEM)
            abort();
        mg_partial_release(&p);
        return 0;
    }
    char *again = NULL;
    size_t len = 0;
    if (mg_partial_encode(&p, &again, &len, &err) == MG_OK &&
        (len != size || memcmp(again, data, size) != 0))
        abort();
    free(again);
    mg_partial two[2] = {p, p};
    const char *paths[2] = {"a.mgp", "b.mgp"};
    mg_partial merged;
    st = mg_partials_merge(two, paths, 2, &merged, &err);
    if (st == MG_OK && merged.targets.n != 2 * p.targets.n)
        abort();
    if (st == MG_OK && (p.shard_count > 0 || p.data_sha256 != NULL))
        abort();
    mg_partial_release(&merged);
    mg_partial_release(&p);
    return 0;
}
