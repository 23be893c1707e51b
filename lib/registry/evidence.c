/* evidence.c - what a promotion must show: a passing gate.json for the very
 * model, signed by a trusted Ed25519 key when the registry trusts any; and
 * the detached signatures themselves (mg_sign_file). */
#define _GNU_SOURCE
#include "modelgate/io.h"
#include "registry/registry_internal.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

static char *sig_path(const char *path) {
    mg__buf b = {0};
    mg__buf_printf(&b, "%s.sig", path);
    return mg__buf_detach(&b);
}

/* The first trusted key whose signature `sig` of data verifies; fills its
 * fingerprint. Returns 1 when one does, 0 when none, -1 on a database error. */
static int trusted_signer(mg_registry *reg, const void *data, size_t len, const unsigned char *sig,
                          size_t siglen, char signer[65], int *nkeys) {
    sqlite3_stmt *s = NULL;
    *nkeys = 0;
    if (sqlite3_prepare_v2(reg->db, "SELECT fingerprint, pem FROM trusted_keys ORDER BY 1", -1, &s,
                           NULL) != SQLITE_OK)
        return -1;
    int found = 0, rc;
    while (!found && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        (*nkeys)++;
        if (sig == NULL)
            continue;
        const char *pem = (const char *)sqlite3_column_text(s, 1);
        BIO *in = pem ? BIO_new_mem_buf(pem, -1) : NULL;
        EVP_PKEY *k = in ? PEM_read_bio_PUBKEY(in, NULL, NULL, NULL) : NULL;
        BIO_free(in);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (k != NULL && ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
            EVP_DigestVerify(ctx, sig, siglen, data, len) == 1) {
            found = 1;
            snprintf(signer, 65, "%s", (const char *)sqlite3_column_text(s, 0));
        }
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_free(k);
    }
    sqlite3_finalize(s);
    return found;
}

mg_status mg__evidence_check(mg_registry *reg, const char *path, const char *digest,
                             char evidence_sha[65], char signature_sha[65], char signer[65],
                             mg_error *err) {
    evidence_sha[0] = signature_sha[0] = signer[0] = '\0';
    mg__file f;
    MG_TRY(mg__file_map(path, &f, err));
    json_error_t je;
    json_t *root = json_loadb(f.data, f.size, 0, &je);
    mg_status st = MG_OK;
    if (root == NULL) {
        st = mg__fail(err, MG_ERR_FORMAT, "evidence %s: not JSON (line %d, column %d, byte %d: %s)",
                      path, je.line, je.column, je.position, je.text);
    } else if (!json_is_object(root)) {
        st = mg__fail(err, MG_ERR_FORMAT, "evidence %s: not a gate.json object", path);
    } else {
        json_t *verdict = json_object_get(root, "verdict");
        json_t *prov = json_object_get(root, "provenance");
        json_t *msha = json_is_object(prov) ? json_object_get(prov, "model_sha256") : NULL;
        /* comparison.json names the candidate as new_model_sha256: its rules
         * are evidence about the new model. */
        if (msha == NULL && json_is_object(prov))
            msha = json_object_get(prov, "new_model_sha256");
        json_t *gates = json_object_get(root, "gates");
        if (json_is_true(json_object_get(root, "skipped")))
            st = mg__fail(err, MG_ERR_USAGE,
                          "evidence %s is a comparison that was skipped (no baseline): it "
                          "decided nothing",
                          path);
        else if (json_is_array(gates) && json_array_size(gates) == 0)
            st = mg__fail(err, MG_ERR_USAGE,
                          "evidence %s decided no gate (its \"gates\" are empty): give the "
                          "command the gates the model must pass (--min, --max, rules)",
                          path);
        else if (!json_is_string(verdict))
            st = mg__fail(err, MG_ERR_USAGE, "evidence %s has no \"verdict\" (not a gate.json)",
                          path);
        else if (strcmp(json_string_value(verdict), "pass") != 0)
            st = mg__fail(err, MG_ERR_USAGE, "evidence %s: verdict is \"%s\", not \"pass\"", path,
                          json_string_value(verdict));
        else if (!json_is_string(msha))
            st = mg__fail(err, MG_ERR_USAGE,
                          "evidence %s has no provenance.model_sha256 (nor new_model_sha256), so "
                          "it names no model",
                          path);
        else if (strcmp(json_string_value(msha), digest) != 0)
            st = mg__fail(err, MG_ERR_USAGE,
                          "evidence %s is for another model: provenance.model_sha256 is %.12s..., "
                          "the version's digest is %.12s...",
                          path, json_string_value(msha), digest);
    }
    json_decref(root);
    /* Signature: required when the registry trusts keys. */
    char *sp = st == MG_OK ? sig_path(path) : NULL;
    mg__file sf = {0};
    bool have_sig = false;
    if (st == MG_OK && sp == NULL)
        st = mg__nomem(err, "a path");
    if (st == MG_OK) {
        mg_error ignored;
        have_sig = access(sp, F_OK) == 0 && mg__file_map(sp, &sf, &ignored) == MG_OK;
        int nkeys = 0;
        int ok =
            trusted_signer(reg, f.data, f.size, have_sig ? (const unsigned char *)sf.data : NULL,
                           have_sig ? sf.size : 0, signer, &nkeys);
        if (ok < 0)
            st = mg__sql_fail(reg, err, "cannot read the trusted keys");
        else if (nkeys > 0 && !have_sig)
            st = mg__fail(err, MG_ERR_USAGE,
                          "evidence %s is not signed: the registry trusts %d key%s and %s is "
                          "missing (sign it with --sign-key)",
                          path, nkeys, nkeys == 1 ? "" : "s", sp);
        else if (nkeys > 0 && !ok)
            st = mg__fail(err, MG_ERR_USAGE,
                          "evidence %s: signature %s is not a valid signature of the file by any "
                          "of the %d trusted key%s",
                          path, sp, nkeys, nkeys == 1 ? "" : "s");
    }
    /* Keep the evidence (and its signature) for whoever audits later. */
    if (st == MG_OK)
        st = mg__blob_put(reg, f.data, f.size, evidence_sha, err);
    if (st == MG_OK && have_sig)
        st = mg__blob_put(reg, sf.data, sf.size, signature_sha, err);
    if (have_sig)
        mg__file_unmap(&sf);
    free(sp);
    mg__file_unmap(&f);
    return st;
}

/* An encrypted key is refused rather than prompting on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) {
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

mg_status mg_sign_file(const char *path, const char *key, mg_error *err) {
    mg__file kf;
    MG_TRY(mg__file_map(key, &kf, err));
    BIO *in = BIO_new_mem_buf(kf.data, (int)kf.size);
    EVP_PKEY *k = in ? PEM_read_bio_PrivateKey(in, NULL, no_passphrase, NULL) : NULL;
    BIO_free(in);
    mg__file_unmap(&kf);
    if (k == NULL)
        return mg__fail(err, MG_ERR_FORMAT,
                        "signing key %s: not an unencrypted PEM private key (openssl genpkey "
                        "-algorithm ed25519 -out KEY.pem)",
                        key);
    if (EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        return mg__fail(err, MG_ERR_UNSUPPORTED, "signing key %s: not an Ed25519 key", key);
    }
    mg__file f;
    mg_status st = mg__file_map(path, &f, err);
    if (st != MG_OK) {
        EVP_PKEY_free(k);
        return st;
    }
    unsigned char sig[64];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)f.data, f.size) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    mg__file_unmap(&f);
    if (!ok)
        return mg__fail(err, MG_ERR_INTERNAL, "%s: libcrypto could not sign the file", path);
    char *sp = sig_path(path);
    if (sp == NULL)
        return mg__nomem(err, "a path");
    st = mg_write_file(sp, sig, siglen, err);
    free(sp);
    return st;
}
