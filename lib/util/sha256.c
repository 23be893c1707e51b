/* sha256.c - SHA-256 digests for provenance (data, models, policies), through
 * OpenSSL's libcrypto, which uses the CPU's SHA instructions where it has them:
 * hashing a test set must not cost more than reading it. */
#include "internal.h"

#include <openssl/evp.h>
#include <sys/mman.h>

static void to_hex(const unsigned char *md, char out[65]) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void mg__sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        memset(md, 0, sizeof md);
    to_hex(md, out);
}

mg_status mg__sha256_file(const char *path, char out[65], mg_error *err) {
    mg__file f;
    MG_TRY(mg__file_map(path, &f, err));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    /* In slices, so that a mapped file is read once, in order. A hashed slice
     * of a mapping is released at once (MADV_DONTNEED on a read-only private
     * file mapping only drops this process's page table entries; the page
     * cache keeps the data): without it the whole file would count in the
     * peak RSS a second time, beside the reader's own mapping. Slices start
     * at multiples of 16 MiB, so they are page-aligned. */
    for (size_t at = 0; ok && at < f.size; at += (size_t)1 << 24) {
        size_t n = f.size - at < ((size_t)1 << 24) ? f.size - at : (size_t)1 << 24;
        ok = EVP_DigestUpdate(ctx, f.data + at, n) == 1;
        if (f.mapped == 1)
            (void)madvise((char *)f.owned + at, n, MADV_DONTNEED);
    }
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
    EVP_MD_CTX_free(ctx);
    mg__file_unmap(&f);
    if (!ok)
        return mg__fail(err, MG_ERR_INTERNAL, "%s: the SHA-256 digest failed", path);
    to_hex(md, out);
    return MG_OK;
}

mg_status mg_file_sha256(const char *path, char out[65], mg_error *err) {
    return mg__sha256_file(path, out, err);
}
