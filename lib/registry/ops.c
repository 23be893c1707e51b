/* ops.c - push, resolve, fetch, promote, rollback and trust: each write is
 * one BEGIN IMMEDIATE transaction that appends its event and applies it. */
#define _GNU_SOURCE
#include "modelgate/io.h"
#include "registry/registry_internal.h"

#include <errno.h>
#include <jansson.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

void mg_registry_version_release(mg_registry_version *v) {
    if (v == NULL)
        return;
    free(v->name);
    free(v->filename);
    free(v->meta_json);
    free(v->created_at);
    free(v->created_by);
    memset(v, 0, sizeof *v);
}

static mg_status check_name(const mg_registry *reg, const char *what, const char *s,
                            mg_error *err) {
    if (!mg__registry_name_ok(s))
        return mg__fail(err, MG_ERR_USAGE,
                        "%s: %s '%s' is not valid (letters, digits, '.', '_' and '-', not "
                        "starting with '.' or '-', at most 128)",
                        reg->dir, what, s ? s : "");
    return MG_OK;
}

static mg_status meta_json(const char *const *meta, int nmeta, char **out, mg_error *err) {
    json_t *o = json_object();
    if (o == NULL)
        return mg__nomem(err, "metadata");
    for (int i = 0; i < nmeta; i++) {
        const char *eq = strchr(meta[i], '=');
        if (eq == NULL || eq == meta[i]) {
            json_decref(o);
            return mg__fail(err, MG_ERR_USAGE, "metadata '%s' is not KEY=VALUE", meta[i]);
        }
        char *key = mg__strndup(meta[i], (size_t)(eq - meta[i]));
        json_t *val = json_string(eq + 1);
        if (key == NULL || val == NULL || json_object_set_new(o, key, val) != 0) {
            free(key);
            json_decref(o);
            return mg__fail(err, MG_ERR_USAGE, "metadata '%s' is not valid UTF-8 text", meta[i]);
        }
        free(key);
    }
    *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return *out ? MG_OK : mg__nomem(err, "metadata");
}

static mg_status fill_version(sqlite3_stmt *s, mg_registry_version *v, mg_error *err) {
    memset(v, 0, sizeof *v);
    v->name = mg__sql_text(s, 0);
    v->version = sqlite3_column_int64(s, 1);
    const unsigned char *d = sqlite3_column_text(s, 2);
    snprintf(v->digest, sizeof v->digest, "%s", d ? (const char *)d : "");
    v->filename = mg__sql_text(s, 3);
    v->size = sqlite3_column_int64(s, 4);
    v->meta_json = mg__sql_text(s, 5);
    v->created_at = mg__sql_text(s, 6);
    v->created_by = mg__sql_text(s, 7);
    if (!v->name || !v->filename || !v->meta_json || !v->created_at || !v->created_by) {
        mg_registry_version_release(v);
        return mg__nomem(err, "a version");
    }
    return MG_OK;
}

static const char version_cols[] =
    "name, version, digest, filename, size, meta, created_at, created_by";

/* The version row; MG_ERR_USAGE when absent. */
static mg_status get_version(mg_registry *reg, const char *name, int64_t version,
                             mg_registry_version *out, mg_error *err) {
    char sql[256];
    snprintf(sql, sizeof sql,
             version > 0 ? "SELECT %s FROM versions WHERE name = ? AND version = ?"
                         : "SELECT %s FROM versions WHERE name = ? ORDER BY version DESC LIMIT 1",
             version_cols);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(reg->db, sql, -1, &s, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot read a version");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int64(s, 2, version);
    int rc = sqlite3_step(s);
    mg_status st = MG_OK;
    if (rc == SQLITE_ROW)
        st = fill_version(s, out, err);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        return st;
    if (rc != SQLITE_DONE)
        return mg__sql_fail(reg, err, "cannot read a version");
    if (version > 0) {
        mg_registry_version latest;
        if (get_version(reg, name, 0, &latest, err) != MG_OK)
            return err->status;
        mg__fail(err, MG_ERR_USAGE,
                 "%s: model '%s' has no version %" PRId64 " (latest is v%" PRId64 ")", reg->dir,
                 name, version, latest.version);
        mg_registry_version_release(&latest);
        return MG_ERR_USAGE;
    }
    return mg__fail(err, MG_ERR_USAGE, "%s: no model named '%s'", reg->dir, name);
}

/* The versions `stage` held, newest first: top[0] current, top[1] previous
 * (0 when none). */
static mg_status stage_top(mg_registry *reg, const char *name, const char *stage, int64_t top[2],
                           mg_error *err) {
    top[0] = top[1] = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(reg->db,
                           "SELECT version FROM stages WHERE name = ? AND stage = ? ORDER BY "
                           "position DESC LIMIT 2",
                           -1, &s, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot read a stage");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, stage, -1, SQLITE_STATIC);
    int rc, i = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && i < 2)
        top[i++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return mg__sql_fail(reg, err, "cannot read a stage");
    return MG_OK;
}

/* 1 when some model of the registry has ever had `stage` point at a
 * version: a stage name in use, not a typo. */
static int stage_known(mg_registry *reg, const char *stage) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM stages WHERE stage = ? LIMIT 1", -1, &s,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(s, 1, stage, -1, SQLITE_STATIC);
    int known = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return known;
}

/* The stages any model of the registry uses, comma-separated into buf
 * ("" when none). */
static void stages_in_use(mg_registry *reg, char *buf, size_t cap) {
    buf[0] = '\0';
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(reg->db, "SELECT DISTINCT stage FROM stages ORDER BY stage", -1, &s,
                           NULL) != SQLITE_OK)
        return;
    size_t len = 0;
    while (sqlite3_step(s) == SQLITE_ROW && len < cap) {
        const char *stage = (const char *)sqlite3_column_text(s, 0);
        int k = snprintf(buf + len, cap - len, "%s%s", len > 0 ? ", " : "", stage ? stage : "");
        if (k > 0)
            len += (size_t)k;
    }
    sqlite3_finalize(s);
}

mg_status mg_registry_resolve(mg_registry *reg, const char *name, const char *stage,
                              int64_t version, mg_registry_version *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    MG_TRY(check_name(reg, "model name", name, err));
    if (stage == NULL)
        return get_version(reg, name, version, out, err);
    MG_TRY(check_name(reg, "stage", stage, err));
    int64_t top[2];
    MG_TRY(stage_top(reg, name, stage, top, err));
    if (top[0] == 0) {
        mg_registry_version any;
        MG_TRY(get_version(reg, name, 0, &any, err)); /* names an unknown model */
        mg_registry_version_release(&any);
        if (strcmp(stage, "production") != 0 && strcmp(stage, "staging") != 0 &&
            !stage_known(reg, stage)) {
            char used[200];
            stages_in_use(reg, used, sizeof used);
            return mg__fail(err, MG_ERR_USAGE,
                            "%s: stage '%s' of model '%s' holds no version, and no model has "
                            "that stage (a misspelt stage? in use: %s)",
                            reg->dir, stage, name, used[0] ? used : "none yet");
        }
        return mg__fail(err, MG_ERR_USAGE,
                        "%s: stage '%s' of model '%s' holds no version (promote one first)",
                        reg->dir, stage, name);
    }
    return get_version(reg, name, top[0], out, err);
}

mg_status mg_registry_blob(mg_registry *reg, const mg_registry_version *v, char **path,
                           mg_error *err) {
    *path = NULL;
    mg_error e;
    if (mg__blob_check(reg, v->digest, &e) != MG_OK)
        return mg__fail(err, e.status, "%s@v%" PRId64 ": %s", v->name, v->version, e.text);
    *path = mg__blob_path(reg, v->digest);
    return *path ? MG_OK : mg__nomem(err, "a path");
}

mg_status mg_registry_push(mg_registry *reg, const char *name, const char *path,
                           const char *const *meta, int nmeta, const char *why,
                           mg_registry_version *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    MG_TRY(check_name(reg, "model name", name, err));
    char *meta_text = NULL;
    MG_TRY(meta_json(meta, nmeta, &meta_text, err));
    mg__file f;
    mg_status st = mg__file_map(path, &f, err);
    if (st != MG_OK) {
        free(meta_text);
        return st;
    }
    if (f.size == 0) {
        mg__file_unmap(&f);
        free(meta_text);
        return mg__fail(err, MG_ERR_DATA, "%s: empty; a model version is a model file", path);
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    mg__event e = {0};
    char digest[65];
    st = mg__blob_put(reg, f.data, f.size, digest, err);
    e.size = (int64_t)f.size;
    mg__file_unmap(&f);
    if (st != MG_OK) {
        free(meta_text);
        return st;
    }
    e.name = mg__strdup(name);
    e.action = mg__strdup("push");
    e.digest = mg__strdup(digest);
    e.filename = mg__strdup(base[0] ? base : "model");
    e.meta = meta_text;
    e.why = why ? mg__strdup(why) : NULL;
    if (!e.name || !e.action || !e.digest || !e.filename || (why && !e.why)) {
        mg__event_release(&e);
        return mg__nomem(err, "an event");
    }
    st = mg__sql_begin(reg, err);
    if (st == MG_OK) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(reg->db,
                               "SELECT coalesce(max(version), 0) + 1 FROM versions WHERE name = ?",
                               -1, &s, NULL) != SQLITE_OK) {
            st = mg__sql_fail(reg, err, "cannot number the version");
        } else {
            sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
            if (sqlite3_step(s) == SQLITE_ROW)
                e.version = sqlite3_column_int64(s, 0);
            else
                st = mg__sql_fail(reg, err, "cannot number the version");
        }
        sqlite3_finalize(s);
        if (st == MG_OK)
            st = mg__event_append(reg, &e, err);
        if (st == MG_OK)
            st = mg__sql_commit(reg, err);
        else
            mg__sql_rollback(reg);
    }
    int64_t version = e.version;
    mg__event_release(&e);
    if (st != MG_OK)
        return st;
    return get_version(reg, name, version, out, err);
}

mg_status mg_registry_fetch(mg_registry *reg, const mg_registry_version *v, const char *outdir,
                            mg_error *err) {
    char *blob = NULL;
    MG_TRY(mg_registry_blob(reg, v, &blob, err));
    mg__file f;
    mg_status st = mg__file_map(blob, &f, err);
    free(blob);
    if (st != MG_OK)
        return st;
    /* The bytes read must be the bytes checked. */
    char got[65];
    mg__sha256_hex(f.data, f.size, got);
    if (strcmp(got, v->digest) != 0) {
        mg__file_unmap(&f);
        return mg__fail(err, MG_ERR_DATA, "%s@v%" PRId64 ": blob changed while being read", v->name,
                        v->version);
    }
    st = mg__mkdirs(outdir, err);
    size_t dlen = strlen(outdir);
    while (dlen > 1 && outdir[dlen - 1] == '/')
        dlen--;
    mg__buf p = {0};
    mg__buf_printf(&p, "%.*s/%s", (int)dlen, outdir, v->filename);
    char *target = mg__buf_detach(&p);
    if (st == MG_OK)
        st = target ? mg_write_file(target, f.data, f.size, err) : mg__nomem(err, "a path");
    free(target);
    mg__file_unmap(&f);
    if (st != MG_OK)
        return st;
    json_t *meta = json_loads(v->meta_json, 0, NULL);
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:o}", "name", v->name, "version",
                          (json_int_t)v->version, "sha256", v->digest, "filename", v->filename,
                          "size", (json_int_t)v->size, "created_at", v->created_at, "created_by",
                          v->created_by, "meta", meta ? meta : json_object());
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (text == NULL)
        return mg__nomem(err, "meta.json");
    mg__buf mp = {0};
    mg__buf_printf(&mp, "%.*s/meta.json", (int)dlen, outdir);
    char *mpath = mg__buf_detach(&mp);
    mg__buf body = {0};
    mg__buf_puts(&body, text);
    mg__buf_puts(&body, "\n");
    free(text);
    st = mpath && !body.failed ? mg_write_file(mpath, body.data, body.len, err)
                               : mg__nomem(err, "meta.json");
    free(mpath);
    mg__buf_release(&body);
    return st;
}

mg_status mg_registry_resolve_arg(const char *arg, char **path, mg_registry_version *out,
                                  mg_error *err) {
    *path = NULL;
    memset(out, 0, sizeof *out);
    if (strncmp(arg, "registry:", 9) != 0)
        return mg__fail(err, MG_ERR_USAGE, "model %s: not a registry:NAME@STAGE argument", arg);
    char *name = mg__strdup(arg + 9);
    if (name == NULL)
        return mg__nomem(err, "a name");
    char *at = strchr(name, '@');
    const char *stage = NULL;
    int64_t version = 0;
    if (at != NULL) {
        *at = '\0';
        const char *sel = at + 1;
        if (sel[0] == 'v' && sel[1] >= '0' && sel[1] <= '9') {
            char *end = NULL;
            long long n = strtoll(sel + 1, &end, 10);
            if (*end != '\0' || n <= 0) {
                mg__fail(err, MG_ERR_USAGE, "model %s: '%s' is neither a stage nor a version vN",
                         arg, sel);
                free(name);
                return MG_ERR_USAGE;
            }
            version = n;
        } else {
            stage = sel;
        }
    }
    mg_registry *reg = NULL;
    const char *dir = mg_registry_locate(NULL);
    mg_status st = mg_registry_open(dir, 0, &reg, err);
    if (st == MG_OK)
        st = mg_registry_resolve(reg, name, stage, version, out, err);
    if (st == MG_OK) {
        st = mg_registry_blob(reg, out, path, err);
        if (st != MG_OK)
            mg_registry_version_release(out);
    }
    if (st != MG_OK && err->text[0] != '\0' && strstr(err->text, arg) == NULL) {
        char msg[MG_ERROR_TEXT_MAX];
        memcpy(msg, err->text, sizeof msg);
        mg__fail(err, st, "model %s: %s", arg, msg);
    }
    mg_registry_close(reg);
    free(name);
    return st;
}

int mg_registry_arg_missing(const char *arg) {
    if (strncmp(arg, "registry:", 9) != 0)
        return 0;
    /* Missing means a first model: no registry yet (its folder does not
     * exist), or no version of this model, or a model whose stage has never
     * been given a version (pushed, never promoted) when the stage is one in
     * use or a usual one (staging, production). A registry that exists but
     * does not open (a file, a damaged database), a name that is not valid,
     * an unknown version, or a stage no model has ever used (a typo) is not
     * missing: opening the model says why. */
    char name[256];
    size_t len = strcspn(arg + 9, "@");
    if (len == 0 || len >= sizeof name)
        return 0;
    memcpy(name, arg + 9, len);
    name[len] = '\0';
    if (!mg__registry_name_ok(name))
        return 0;
    const char *stage = arg[9 + len] == '@' ? arg + 9 + len + 1 : NULL;
    if (stage != NULL && stage[0] == 'v' && stage[1] >= '0' && stage[1] <= '9')
        stage = NULL; /* a version: it exists or it is an error */
    const char *dir = mg_registry_locate(NULL);
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT;
    mg_registry *reg = NULL;
    mg_error e;
    mg_error_clear(&e);
    if (mg_registry_open(dir, 0, &reg, &e) != MG_OK)
        return 0;
    mg_registry_version v;
    int missing = mg_registry_resolve(reg, name, NULL, 0, &v, &e) != MG_OK;
    if (!missing) {
        mg_registry_version_release(&v);
        int64_t top[2];
        if (stage != NULL && mg__registry_name_ok(stage) &&
            stage_top(reg, name, stage, top, &e) == MG_OK && top[0] == 0 &&
            (strcmp(stage, "production") == 0 || strcmp(stage, "staging") == 0 ||
             stage_known(reg, stage)))
            missing = 2;
    }
    mg_registry_close(reg);
    return missing;
}

mg_status mg_registry_promote(mg_registry *reg, const char *name, int64_t version,
                              const char *stage, const char *evidence, const char *why,
                              mg_error *err) {
    MG_TRY(check_name(reg, "model name", name, err));
    MG_TRY(check_name(reg, "stage", stage, err));
    if (evidence == NULL)
        return mg__fail(err, MG_ERR_USAGE,
                        "promote %s v%" PRId64 " to %s refused: no evidence (--evidence "
                        "gate.json whose verdict is pass for this model)",
                        name, version, stage);
    MG_TRY(mg__sql_begin(reg, err));
    mg_registry_version v;
    mg_status st = get_version(reg, name, version, &v, err);
    if (st != MG_OK) {
        mg__sql_rollback(reg);
        return st;
    }
    mg__event e = {0};
    char ev_sha[65], sig_sha[65], signer[65];
    st = mg__evidence_check(reg, evidence, v.digest, ev_sha, sig_sha, signer, err);
    if (st != MG_OK) {
        char msg[MG_ERROR_TEXT_MAX];
        memcpy(msg, err->text, sizeof msg);
        mg__fail(err, st, "promote %s v%" PRId64 " to %s refused: %s", name, version, stage, msg);
    }
    int64_t top[2] = {0, 0};
    if (st == MG_OK)
        st = stage_top(reg, name, stage, top, err);
    if (st == MG_OK) {
        e.name = mg__strdup(name);
        e.action = mg__strdup("promote");
        e.version = version;
        e.from_version = top[0];
        e.stage = mg__strdup(stage);
        e.digest = mg__strdup(v.digest);
        e.why = why ? mg__strdup(why) : NULL;
        e.evidence_sha256 = mg__strdup(ev_sha);
        e.signature_sha256 = sig_sha[0] ? mg__strdup(sig_sha) : NULL;
        e.signer = signer[0] ? mg__strdup(signer) : NULL;
        if (!e.name || !e.action || !e.stage || !e.digest || !e.evidence_sha256)
            st = mg__nomem(err, "an event");
    }
    if (st == MG_OK)
        st = mg__event_append(reg, &e, err);
    if (st == MG_OK)
        st = mg__sql_commit(reg, err);
    else
        mg__sql_rollback(reg);
    mg__event_release(&e);
    mg_registry_version_release(&v);
    return st;
}

mg_status mg_registry_rollback(mg_registry *reg, const char *name, const char *stage,
                               const char *why, int64_t *from, int64_t *to, mg_error *err) {
    MG_TRY(check_name(reg, "model name", name, err));
    MG_TRY(check_name(reg, "stage", stage, err));
    MG_TRY(mg__sql_begin(reg, err));
    int64_t top[2];
    mg_registry_version v = {0};
    mg_status st = stage_top(reg, name, stage, top, err);
    if (st == MG_OK && top[0] == 0) {
        st = get_version(reg, name, 0, &v, err);
        mg_registry_version_release(&v);
        if (st == MG_OK)
            st = mg__fail(err, MG_ERR_USAGE,
                          "rollback refused: stage '%s' of model '%s' holds no version", stage,
                          name);
    } else if (st == MG_OK && top[1] == 0) {
        st = mg__fail(err, MG_ERR_USAGE,
                      "rollback refused: stage '%s' of model '%s' has no previous version (it "
                      "holds only v%" PRId64 ")",
                      stage, name, top[0]);
    }
    if (st == MG_OK)
        st = get_version(reg, name, top[1], &v, err);
    mg__event e = {0};
    if (st == MG_OK) {
        e.name = mg__strdup(name);
        e.action = mg__strdup("rollback");
        e.version = top[1];
        e.from_version = top[0];
        e.stage = mg__strdup(stage);
        e.digest = mg__strdup(v.digest);
        e.why = why ? mg__strdup(why) : NULL;
        if (!e.name || !e.action || !e.stage || !e.digest)
            st = mg__nomem(err, "an event");
    }
    if (st == MG_OK)
        st = mg__event_append(reg, &e, err);
    if (st == MG_OK)
        st = mg__sql_commit(reg, err);
    else
        mg__sql_rollback(reg);
    mg__event_release(&e);
    mg_registry_version_release(&v);
    if (st == MG_OK) {
        *from = top[0];
        *to = top[1];
    }
    return st;
}

mg_status mg_registry_trust_add(mg_registry *reg, const char *pubkey, char fingerprint[65],
                                mg_error *err) {
    fingerprint[0] = '\0';
    mg__file f;
    MG_TRY(mg__file_map(pubkey, &f, err));
    BIO *in = BIO_new_mem_buf(f.data, (int)f.size);
    EVP_PKEY *k = in ? PEM_read_bio_PUBKEY(in, NULL, NULL, NULL) : NULL;
    bool private_key = f.size > 0 && memmem(f.data, f.size, "PRIVATE KEY", 11) != NULL;
    BIO_free(in);
    mg__file_unmap(&f);
    if (k == NULL)
        return mg__fail(err, MG_ERR_FORMAT,
                        private_key ? "%s: holds a private key; trust its public key instead "
                                      "(openssl pkey -in KEY.pem -pubout -out KEY.pub)"
                                    : "%s: not a PEM public key",
                        pubkey);
    if (EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: not an Ed25519 key (openssl genpkey "
                        "-algorithm ed25519)",
                        pubkey);
    }
    unsigned char *der = NULL;
    int dlen = i2d_PUBKEY(k, &der);
    BIO *mem = BIO_new(BIO_s_mem());
    char *pem = NULL;
    if (dlen > 0 && mem != NULL && PEM_write_bio_PUBKEY(mem, k) == 1) {
        char *p = NULL;
        long n = BIO_get_mem_data(mem, &p);
        pem = mg__strndup(p, (size_t)n);
        mg__sha256_hex(der, (size_t)dlen, fingerprint);
    }
    OPENSSL_free(der);
    BIO_free(mem);
    EVP_PKEY_free(k);
    if (pem == NULL)
        return mg__nomem(err, "a key");
    mg_status st = mg__sql_begin(reg, err);
    if (st != MG_OK) {
        free(pem);
        return st;
    }
    sqlite3_stmt *s = NULL;
    int known = 0;
    if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM trusted_keys WHERE fingerprint = ?", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, fingerprint, -1, SQLITE_STATIC);
        known = sqlite3_step(s) == SQLITE_ROW;
    }
    sqlite3_finalize(s);
    mg__event e = {0};
    if (!known) {
        e.name = mg__strdup(".trust");
        e.action = mg__strdup("trust");
        e.digest = mg__strdup(fingerprint);
        e.meta = pem;
        pem = NULL;
        st = e.name && e.action && e.digest ? mg__event_append(reg, &e, err)
                                            : mg__nomem(err, "an event");
    }
    free(pem);
    mg__event_release(&e);
    if (st == MG_OK)
        st = mg__sql_commit(reg, err);
    else
        mg__sql_rollback(reg);
    return st;
}
