/* registry_internal.h - what the files of lib/registry share: the open
 * registry, durable files, blobs, events and their hash chain. */
#ifndef MG_REGISTRY_INTERNAL_H
#define MG_REGISTRY_INTERNAL_H

#include "internal.h"
#include "modelgate/registry.h"

#include <sqlite3.h>

struct mg_registry {
    char *dir;
    char *db_path;
    sqlite3 *db;
};

/* The current schema version (PRAGMA user_version). */
#define MG__REGISTRY_SCHEMA 1

/* ---- files (store.c) ---- */

/* mkdir -p. */
mg_status mg__mkdirs(const char *path, mg_error *err);
/* The blob path of a digest (new string), or NULL when memory ran out. */
char *mg__blob_path(const mg_registry *reg, const char *digest);
/* Stores bytes as a blob (skipped when a blob with the right content is
 * there already); fills digest. */
mg_status mg__blob_put(mg_registry *reg, const void *data, size_t len, char digest[65],
                       mg_error *err);
/* Checks that the blob of digest exists and hashes to it. */
mg_status mg__blob_check(const mg_registry *reg, const char *digest, mg_error *err);
/* Current UTC time, ISO 8601 with milliseconds. */
void mg__utc_now(char out[32]);
/* Whether a model or stage name is acceptable. */
bool mg__registry_name_ok(const char *s);

/* ---- SQL helpers (store.c) ---- */
mg_status mg__sql_fail(mg_registry *reg, mg_error *err, const char *what);
mg_status mg__sql_exec(mg_registry *reg, const char *sql, mg_error *err);
mg_status mg__sql_begin(mg_registry *reg, mg_error *err); /* BEGIN IMMEDIATE */
void mg__sql_rollback(mg_registry *reg);
mg_status mg__sql_commit(mg_registry *reg, mg_error *err);
char *mg__sql_text(sqlite3_stmt *s, int col); /* new string or NULL */

/* ---- events (events.c) ---- */

/* An event as stored; strings owned when filled by mg__event_read. */
typedef struct mg__event {
    int64_t seq;
    char *name;
    int64_t n; /* position in its model's chain, 1-based */
    char *action;
    int64_t version, from_version;
    char *stage, *digest, *filename;
    int64_t size;
    char *meta, *who, *at, *why, *evidence_sha256, *signature_sha256, *signer;
    char prev_hash[65], hash[65];
} mg__event;

void mg__event_release(mg__event *e);
/* The hash of an event (over every field but seq and hash). */
void mg__event_hash(const mg__event *e, char out[65]);
/* Appends an event to its model's chain: fills n, prev_hash, hash (and at and
 * who when NULL); must be inside a write transaction. */
mg_status mg__event_append(mg_registry *reg, mg__event *e, mg_error *err);
/* Inserts an event exactly as given (n, hashes), inside a transaction. */
mg_status mg__event_insert(mg_registry *reg, const mg__event *e, mg_error *err);
/* Applies an event to the versions and stages tables. */
mg_status mg__event_apply(mg_registry *reg, const mg__event *e, mg_error *err);
/* Reads the events of `name` (NULL = every event) in seq order into a new
 * array (*out, *n); release each and free the array. */
mg_status mg__events_load(mg_registry *reg, const char *name, mg__event **out, int64_t *n,
                          mg_error *err);

/* ---- evidence (evidence.c) ---- */

/* Checks gate.json at path against digest and, when the registry trusts keys,
 * its signature path.sig. Fills the evidence and signature digests (the
 * signature's "" when unsigned) and the signer's fingerprint ("" when none),
 * storing the files as blobs. */
mg_status mg__evidence_check(mg_registry *reg, const char *path, const char *digest,
                             char evidence_sha[65], char signature_sha[65], char signer[65],
                             mg_error *err);

#endif
