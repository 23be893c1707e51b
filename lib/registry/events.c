/* events.c - the append-only events, their per-model hash chain, the replay
 * that derives versions and stages from them, and `registry verify`. */
#include "registry/registry_internal.h"

#include <openssl/evp.h>

void mg__event_release(mg__event *e) {
    char **s[] = {
        &e->name, &e->action, &e->stage, &e->digest,          &e->filename,         &e->meta,
        &e->who,  &e->at,     &e->why,   &e->evidence_sha256, &e->signature_sha256, &e->signer};
    for (size_t i = 0; i < MG_ARRAY_LEN(s); i++) {
        free(*s[i]);
        *s[i] = NULL;
    }
}

/* Length-prefixed fields, so that no choice of values can make two different
 * events serialise alike; absent values are "-". */
static void put_str(mg__buf *b, const char *s) {
    if (s == NULL)
        mg__buf_puts(b, "-;");
    else
        mg__buf_printf(b, "%zu:%s;", strlen(s), s);
}

static void put_int(mg__buf *b, int64_t v) {
    mg__buf_printf(b, "%" PRId64 ";", v);
}

void mg__event_hash(const mg__event *e, char out[65]) {
    mg__buf b = {0};
    mg__buf_puts(&b, "modelgate-event-1;");
    put_str(&b, e->name);
    put_int(&b, e->n);
    put_str(&b, e->action);
    put_int(&b, e->version);
    put_int(&b, e->from_version);
    put_str(&b, e->stage);
    put_str(&b, e->digest);
    put_str(&b, e->filename);
    put_int(&b, e->size);
    put_str(&b, e->meta);
    put_str(&b, e->who);
    put_str(&b, e->at);
    put_str(&b, e->why);
    put_str(&b, e->evidence_sha256);
    put_str(&b, e->signature_sha256);
    put_str(&b, e->signer);
    put_str(&b, e->prev_hash);
    if (b.failed)
        memset(out, '0', 64), out[64] = '\0';
    else
        mg__sha256_hex(b.data, b.len, out);
    mg__buf_release(&b);
}

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

mg_status mg__event_insert(mg_registry *reg, const mg__event *e, mg_error *err) {
    sqlite3_stmt *s = NULL;
    const char *sql =
        "INSERT INTO events (name, n, action, version, from_version, stage, digest, filename, "
        "size, meta, who, at, why, evidence_sha256, signature_sha256, signer, prev_hash, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(reg->db, sql, -1, &s, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot prepare an event");
    const char *texts[] = {e->name, e->action};
    sqlite3_bind_text(s, 1, texts[0], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, e->n);
    sqlite3_bind_text(s, 3, texts[1], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, e->version);
    sqlite3_bind_int64(s, 5, e->from_version);
    const char *rest[] = {e->stage, e->digest, e->filename};
    for (int i = 0; i < 3; i++)
        sqlite3_bind_text(s, 6 + i, rest[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, e->size);
    const char *more[] = {e->meta,  e->who, e->at, e->why, e->evidence_sha256, e->signature_sha256,
                          e->signer};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(s, 10 + i, more[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 17, e->prev_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 18, e->hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return mg__sql_fail(reg, err, "cannot append an event");
    return MG_OK;
}

mg_status mg__event_append(mg_registry *reg, mg__event *e, mg_error *err) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(reg->db,
                           "SELECT n, hash FROM events WHERE name = ? ORDER BY seq DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot read the last event");
    sqlite3_bind_text(s, 1, e->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    e->n = 1;
    snprintf(e->prev_hash, sizeof e->prev_hash, "%s", genesis);
    if (rc == SQLITE_ROW) {
        e->n = sqlite3_column_int64(s, 0) + 1;
        const unsigned char *h = sqlite3_column_text(s, 1);
        snprintf(e->prev_hash, sizeof e->prev_hash, "%s", h ? (const char *)h : "");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return mg__sql_fail(reg, err, "cannot read the last event");
    if (e->who == NULL && (e->who = mg__strdup(mg_registry_who())) == NULL)
        return mg__nomem(err, "an event");
    if (e->at == NULL) {
        char now[32];
        mg__utc_now(now);
        if ((e->at = mg__strdup(now)) == NULL)
            return mg__nomem(err, "an event");
    }
    mg__event_hash(e, e->hash);
    MG_TRY(mg__event_insert(reg, e, err));
    return mg__event_apply(reg, e, err);
}

/* Runs one statement with text/int parameters given as a format: 't' text,
 * 'i' int64. */
static int run(mg_registry *reg, const char *sql, const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(reg->db, sql, -1, &s, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 't')
            sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
    }
    va_end(ap);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Applies to the tables of `schema` ("main" or "temp"). */
static mg_status apply_to(mg_registry *reg, const mg__event *e, const char *schema, mg_error *err) {
    char sql[512];
    int rc = SQLITE_OK;
    if (strcmp(e->action, "push") == 0) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s.versions (name, version, digest, filename, size, meta, "
                 "created_at, created_by) VALUES (?,?,?,?,?,?,?,?)",
                 schema);
        rc = run(reg, sql, "tittittt", e->name, e->version, e->digest, e->filename, e->size,
                 e->meta ? e->meta : "{}", e->at, e->who);
    } else if (strcmp(e->action, "promote") == 0) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s.stages (name, stage, position, version) VALUES (?, ?, "
                 "(SELECT coalesce(max(position), 0) + 1 FROM %s.stages WHERE name = ? AND "
                 "stage = ?), ?)",
                 schema, schema);
        rc = run(reg, sql, "tttti", e->name, e->stage, e->name, e->stage, e->version);
    } else if (strcmp(e->action, "rollback") == 0) {
        snprintf(sql, sizeof sql,
                 "DELETE FROM %s.stages WHERE name = ? AND stage = ? AND position = (SELECT "
                 "max(position) FROM %s.stages WHERE name = ? AND stage = ?)",
                 schema, schema);
        rc = run(reg, sql, "tttt", e->name, e->stage, e->name, e->stage);
    } else if (strcmp(e->action, "trust") == 0) {
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO %s.trusted_keys (fingerprint, pem) VALUES (?, ?)", schema);
        rc = run(reg, sql, "tt", e->digest, e->meta ? e->meta : "");
    } else {
        return mg__fail(err, MG_ERR_DATA, "%s: event %" PRId64 " has an unknown action '%s'",
                        reg->db_path, e->seq, e->action);
    }
    if (rc != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot apply an event");
    return MG_OK;
}

mg_status mg__event_apply(mg_registry *reg, const mg__event *e, mg_error *err) {
    return apply_to(reg, e, "main", err);
}

mg_status mg__events_load(mg_registry *reg, const char *name, mg__event **out, int64_t *n,
                          mg_error *err) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    const char *sql =
        name ? "SELECT seq, name, n, action, version, from_version, stage, digest, filename, "
               "size, meta, who, at, why, evidence_sha256, signature_sha256, signer, prev_hash, "
               "hash FROM events WHERE name = ? ORDER BY seq"
             : "SELECT seq, name, n, action, version, from_version, stage, digest, filename, "
               "size, meta, who, at, why, evidence_sha256, signature_sha256, signer, prev_hash, "
               "hash FROM events ORDER BY seq";
    if (sqlite3_prepare_v2(reg->db, sql, -1, &s, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot read the events");
    if (name)
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    mg__event *ev = NULL;
    int64_t cnt = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            mg__event *g = mg__realloc_array(ev, (size_t)cap, sizeof *ev);
            if (g == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            ev = g;
        }
        mg__event *e = &ev[cnt++];
        memset(e, 0, sizeof *e);
        e->seq = sqlite3_column_int64(s, 0);
        e->name = mg__sql_text(s, 1);
        e->n = sqlite3_column_int64(s, 2);
        e->action = mg__sql_text(s, 3);
        e->version = sqlite3_column_int64(s, 4);
        e->from_version = sqlite3_column_int64(s, 5);
        e->stage = mg__sql_text(s, 6);
        e->digest = mg__sql_text(s, 7);
        e->filename = mg__sql_text(s, 8);
        e->size = sqlite3_column_int64(s, 9);
        e->meta = mg__sql_text(s, 10);
        e->who = mg__sql_text(s, 11);
        e->at = mg__sql_text(s, 12);
        e->why = mg__sql_text(s, 13);
        e->evidence_sha256 = mg__sql_text(s, 14);
        e->signature_sha256 = mg__sql_text(s, 15);
        e->signer = mg__sql_text(s, 16);
        const unsigned char *p = sqlite3_column_text(s, 17), *h = sqlite3_column_text(s, 18);
        snprintf(e->prev_hash, 65, "%s", p ? (const char *)p : "");
        snprintf(e->hash, 65, "%s", h ? (const char *)h : "");
        if (e->name == NULL)
            e->name = mg__strdup("");
        if (e->action == NULL)
            e->action = mg__strdup("");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        for (int64_t i = 0; i < cnt; i++)
            mg__event_release(&ev[i]);
        free(ev);
        return rc == SQLITE_NOMEM ? mg__nomem(err, "the events")
                                  : mg__sql_fail(reg, err, "cannot read the events");
    }
    *out = ev;
    *n = cnt;
    return MG_OK;
}

static void free_events(mg__event *ev, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        mg__event_release(&ev[i]);
    free(ev);
}

mg_status mg_registry_history(mg_registry *reg, const char *name, mg_registry_event_fn fn,
                              void *ctx, mg_error *err) {
    mg__event *ev;
    int64_t n;
    MG_TRY(mg__events_load(reg, name, &ev, &n, err));
    if (n == 0) {
        free(ev);
        return mg__fail(err, MG_ERR_USAGE, "%s: no model named '%s'", reg->dir, name);
    }
    for (int64_t i = 0; i < n; i++) {
        const mg__event *e = &ev[i];
        mg_registry_event pub = {
            e->seq, e->name, e->action, e->version,         e->from_version, e->stage, e->digest,
            e->who, e->at,   e->why,    e->evidence_sha256, e->signer,       e->hash};
        fn(ctx, &pub);
    }
    free_events(ev, n);
    return MG_OK;
}

mg_status mg_registry_list(mg_registry *reg, mg_registry_entry_fn fn, void *ctx, mg_error *err) {
    sqlite3_stmt *s = NULL;
    const char *sql =
        "SELECT v.name, v.version, v.digest, (SELECT group_concat(stage || '=v' || version, ',') "
        "FROM (SELECT st.stage, st.version FROM stages st WHERE st.name = v.name AND "
        "st.position = (SELECT max(position) FROM stages s2 WHERE s2.name = st.name AND "
        "s2.stage = st.stage) ORDER BY st.stage)) FROM versions v WHERE v.version = (SELECT "
        "max(version) FROM versions v2 WHERE v2.name = v.name) ORDER BY v.name";
    if (sqlite3_prepare_v2(reg->db, sql, -1, &s, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot list the models");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *stages = sqlite3_column_text(s, 3);
        mg_registry_entry e = {(const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
                               (const char *)sqlite3_column_text(s, 2),
                               stages ? (const char *)stages : ""};
        fn(ctx, &e);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return mg__sql_fail(reg, err, "cannot list the models");
    return MG_OK;
}

/* ---- verify ---- */

typedef struct problems {
    void (*fn)(void *ctx, const char *line);
    void *ctx;
    int count;
    mg_error first;
} problems;

static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *p, const char *fmt, ...) {
    char line[MG_ERROR_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (p->count++ == 0)
        mg__fail(&p->first, MG_ERR_DATA, "%s", line);
    if (p->fn)
        p->fn(p->ctx, line);
}

/* The rows of one table that the other lacks, as problems. */
static mg_status compare_table(mg_registry *reg, const char *table, const char *cols, problems *p,
                               mg_error *err) {
    const char *dirs[2][2] = {{"main", "temp"}, {"temp", "main"}};
    for (int d = 0; d < 2; d++) {
        char sql[512];
        snprintf(sql, sizeof sql, "SELECT %s FROM %s.%s EXCEPT SELECT %s FROM %s.%s", cols,
                 dirs[d][0], table, cols, dirs[d][1], table);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(reg->db, sql, -1, &s, NULL) != SQLITE_OK)
            return mg__sql_fail(reg, err, "cannot compare the tables with the events");
        while (sqlite3_step(s) == SQLITE_ROW) {
            const unsigned char *a = sqlite3_column_text(s, 0), *b = sqlite3_column_text(s, 1);
            problem(p,
                    "%s: %s row (%s, %s) %s; the events say otherwise (edited table or deleted "
                    "event)",
                    reg->db_path, table, a ? (const char *)a : "null", b ? (const char *)b : "null",
                    d == 0 ? "is not backed by the events" : "is missing");
        }
        sqlite3_finalize(s);
    }
    return MG_OK;
}

/* Checks each blob once: *seen holds the digests checked so far. */
static void check_blob(mg_registry *reg, const char *digest, const char *what, int64_t seq,
                       problems *p, const char **seen, int64_t *nblobs) {
    if (digest == NULL || digest[0] == '\0')
        return;
    for (int64_t i = 0; i < *nblobs; i++)
        if (strcmp(seen[i], digest) == 0)
            return;
    mg_error e;
    if (mg__blob_check(reg, digest, &e) != MG_OK)
        problem(p, "%s (the %s of event %" PRId64 ")", e.text, what, seq);
    seen[(*nblobs)++] = digest;
}

mg_status mg_registry_verify(mg_registry *reg, void (*fn)(void *ctx, const char *line), void *ctx,
                             int64_t *events, int64_t *blobs, mg_error *err) {
    problems p = {fn, ctx, 0, {.status = MG_OK}};
    mg__event *ev;
    int64_t n;
    /* One read transaction: a consistent snapshot while writers go on. */
    MG_TRY(mg__sql_exec(reg, "BEGIN", err));
    mg_status st = mg__events_load(reg, NULL, &ev, &n, err);
    if (st != MG_OK) {
        mg__sql_rollback(reg);
        return st;
    }
    /* The chain of each model, walked in seq order. */
    typedef struct head {
        const char *name;
        int64_t n;
        const char *hash;
    } head;
    head *heads = mg__calloc((size_t)(n > 0 ? n : 1), sizeof *heads);
    int nheads = 0;
    if (heads == NULL) {
        free_events(ev, n);
        mg__sql_rollback(reg);
        return mg__nomem(err, "the chains");
    }
    for (int64_t i = 0; i < n; i++) {
        mg__event *e = &ev[i];
        head *h = NULL;
        for (int k = 0; k < nheads; k++)
            if (strcmp(heads[k].name, e->name) == 0)
                h = &heads[k];
        if (h == NULL) {
            h = &heads[nheads++];
            h->name = e->name;
            h->n = 0;
            h->hash = genesis;
        }
        char want[65];
        mg__event_hash(e, want);
        if (strcmp(want, e->hash) != 0)
            problem(&p,
                    "%s: event %" PRId64 " (%s %s #%" PRId64 ") was edited: its content hashes "
                    "to %.12s, not to its recorded hash %.12s",
                    reg->db_path, e->seq, e->action, e->name, e->n, want, e->hash);
        if (e->n != h->n + 1 || strcmp(e->prev_hash, h->hash) != 0)
            problem(&p,
                    "%s: event %" PRId64 " (%s %s #%" PRId64 ") does not follow event #%" PRId64
                    " of '%s' (an event was deleted, inserted or reordered)",
                    reg->db_path, e->seq, e->action, e->name, e->n, h->n, e->name);
        h->n = e->n;
        h->hash = e->hash;
    }
    /* The tables must equal a replay of the events. */
    st = mg__sql_exec(reg,
                      "CREATE TEMP TABLE versions AS SELECT * FROM main.versions WHERE 0;"
                      "CREATE TEMP TABLE stages AS SELECT * FROM main.stages WHERE 0;"
                      "CREATE TEMP TABLE trusted_keys AS SELECT * FROM main.trusted_keys WHERE 0",
                      err);
    for (int64_t i = 0; st == MG_OK && i < n; i++) {
        mg_error ae;
        if (apply_to(reg, &ev[i], "temp", &ae) != MG_OK)
            problem(&p, "%s (replaying event %" PRId64 ")", ae.text, ev[i].seq);
    }
    if (st == MG_OK)
        st = compare_table(reg, "versions",
                           "name, version, digest, filename, size, meta, created_at, created_by",
                           &p, err);
    if (st == MG_OK)
        st = compare_table(reg, "stages", "name, stage, position, version", &p, err);
    if (st == MG_OK)
        st = compare_table(reg, "trusted_keys", "fingerprint, pem", &p, err);
    int64_t nblobs = 0;
    const char **seen = mg__calloc((size_t)(3 * n + 1), sizeof *seen);
    if (st == MG_OK && seen == NULL)
        st = mg__nomem(err, "the blob list");
    for (int64_t i = 0; st == MG_OK && i < n; i++) {
        if (strcmp(ev[i].action, "push") == 0)
            check_blob(reg, ev[i].digest, "model", ev[i].seq, &p, seen, &nblobs);
        check_blob(reg, ev[i].evidence_sha256, "evidence", ev[i].seq, &p, seen, &nblobs);
        check_blob(reg, ev[i].signature_sha256, "signature", ev[i].seq, &p, seen, &nblobs);
    }
    free(seen);
    sqlite3_exec(reg->db,
                 "DROP TABLE IF EXISTS temp.versions; DROP TABLE IF EXISTS temp.stages;"
                 "DROP TABLE IF EXISTS temp.trusted_keys",
                 NULL, NULL, NULL);
    mg__sql_rollback(reg);
    free(heads);
    free_events(ev, n);
    if (st != MG_OK)
        return st;
    if (events)
        *events = n;
    if (blobs)
        *blobs = nblobs;
    if (p.count > 0) {
        *err = p.first;
        return MG_ERR_DATA;
    }
    return MG_OK;
}
