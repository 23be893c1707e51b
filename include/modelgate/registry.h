/* registry.h - the embedded model registry (DESIGN §12).
 *
 * A registry is a directory holding registry.db (SQLite, WAL) and
 * content-addressed blobs under blobs/sha256/<2>/<62>. A model version is a
 * blob plus metadata; stages (staging, production, ...) point at versions.
 * Every push, promote, rollback and trusted key is an append-only event; each
 * event of a model carries the hash of the model's previous event, so that
 * mg_registry_verify detects an edited, deleted or reordered event as well as
 * a tampered blob. Promotion requires evidence: a gate.json whose verdict is
 * pass and whose provenance.model_sha256 is the version's digest, signed with
 * a trusted Ed25519 key when the registry trusts any.
 *
 * Errors: MG_ERR_USAGE for unknown names, versions, stages and refused
 * promotions (the message names the condition), MG_ERR_IO for files that
 * cannot be read or written, MG_ERR_DATA for a registry that fails its checks
 * (a blob whose digest differs, a broken chain), MG_ERR_FORMAT for malformed
 * evidence, keys or archives. Private keys are never copied into messages.
 */
#ifndef MODELGATE_REGISTRY_H
#define MODELGATE_REGISTRY_H

#include "modelgate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mg_registry mg_registry;

/* The registry directory to use: `flag` when not NULL, else
 * $MODELGATE_REGISTRY when set and non-empty, else ".modelgate/registry".
 * Returns a borrowed string (flag, the environment, or static storage). */
MG_API const char *mg_registry_locate(const char *flag);

/* Opens the registry in `dir`, creating it (and its parents) when `create` is
 * non-zero, migrating an older schema to the current one. A missing registry
 * with create == 0 is MG_ERR_USAGE naming the directory; a schema newer than
 * this modelgate is MG_ERR_UNSUPPORTED. On success *out is new: caller frees
 * with mg_registry_close. */
MG_API mg_status mg_registry_open(const char *dir, int create, mg_registry **out, mg_error *err);

/* Closes the registry; NULL is fine. */
MG_API void mg_registry_close(mg_registry *reg);

/* Who acts: $GITHUB_ACTOR when set, else the login name, else the uid as
 * text. Static storage (or the environment's). */
MG_API const char *mg_registry_who(void);

/* One version of a model. Strings are owned by the struct: release with
 * mg_registry_version_release. */
typedef struct mg_registry_version {
    char *name;
    int64_t version;  /* 1, 2, ... per model */
    char digest[65];  /* sha256 of the model file, lowercase hex */
    char *filename;   /* the pushed file's base name */
    int64_t size;     /* bytes */
    char *meta_json;  /* {"k": "v", ...} from --meta */
    char *created_at; /* UTC, ISO 8601 */
    char *created_by;
} mg_registry_version;

MG_API void mg_registry_version_release(mg_registry_version *v);

/* Pushes the model file at `path` as the next version of `name` (a name of
 * letters, digits, '.', '_' and '-'). `meta` holds nmeta "key=value" strings.
 * `why` may be NULL. The blob is written (temporary file, fsync, rename,
 * directory fsync) before the version and its event are committed in one
 * transaction. On success fills *out (caller releases). */
MG_API mg_status mg_registry_push(mg_registry *reg, const char *name, const char *path,
                                  const char *const *meta, int nmeta, const char *why,
                                  mg_registry_version *out, mg_error *err);

/* Looks up a version: by `stage` when non-NULL, else by `version` when > 0,
 * else the latest. Unknown names, versions and empty stages are MG_ERR_USAGE.
 * On success fills *out (caller releases). */
MG_API mg_status mg_registry_resolve(mg_registry *reg, const char *name, const char *stage,
                                     int64_t version, mg_registry_version *out, mg_error *err);

/* Checks the blob of `v` against its digest and returns its path in *path
 * (new string; caller frees with free()). A missing blob is MG_ERR_IO, a
 * blob whose content differs from the digest MG_ERR_DATA. */
MG_API mg_status mg_registry_blob(mg_registry *reg, const mg_registry_version *v, char **path,
                                  mg_error *err);

/* Writes the verified model into `outdir` (created when missing) under its
 * original file name, and meta.json beside it, each through a temporary file
 * renamed into place. */
MG_API mg_status mg_registry_fetch(mg_registry *reg, const mg_registry_version *v,
                                   const char *outdir, mg_error *err);

/* Resolves a model argument "registry:NAME@STAGE", "registry:NAME@vN" or
 * "registry:NAME" (latest) in the registry mg_registry_locate(NULL) names,
 * verifies the blob, and returns its path in *path (new string) and the
 * version in *out (caller releases both). */
MG_API mg_status mg_registry_resolve_arg(const char *arg, char **path, mg_registry_version *out,
                                         mg_error *err);

/* Whether `arg`, a registry: argument, names a baseline that does not exist
 * yet, as a first run without a baseline meets: 1 when the registry does not
 * hold the model at all (no registry yet, or no version of that model); 2
 * when it holds the model but `arg`'s stage has never been given a version
 * (pushed, never promoted), the stage being production, staging or one some
 * model of the registry uses. 0 otherwise: an unknown version, a stage no
 * model has used (a typo), a registry that does not open, or a model that
 * resolves are for opening the model to report or use, never a silent "no
 * baseline". */
MG_API int mg_registry_arg_missing(const char *arg);

/* Points `stage` of `name` at `version`, after checking the evidence: the
 * gate.json at `evidence` must parse, have "verdict": "pass", and have
 * provenance.model_sha256 equal to the version's digest; when the registry
 * trusts keys, `evidence`.sig must be a valid Ed25519 signature of the file by
 * one of them. A refusal is MG_ERR_USAGE naming the failed condition. The
 * evidence (and signature) are kept as blobs; the event records their
 * digests and the signer's key fingerprint. */
MG_API mg_status mg_registry_promote(mg_registry *reg, const char *name, int64_t version,
                                     const char *stage, const char *evidence, const char *why,
                                     mg_error *err);

/* Moves `stage` of `name` back to the version it held before its current one
 * (promotions and rollbacks form a stack); records it as an event. *from and
 * *to receive the versions. A stage with no previous version is MG_ERR_USAGE. */
MG_API mg_status mg_registry_rollback(mg_registry *reg, const char *name, const char *stage,
                                      const char *why, int64_t *from, int64_t *to, mg_error *err);

/* Trusts the Ed25519 public key in the PEM file `pubkey` (a private key is
 * refused, and never echoed). Writes its fingerprint (sha256 of the DER
 * public key, hex) into fingerprint. Trusting a key again is a no-op. */
MG_API mg_status mg_registry_trust_add(mg_registry *reg, const char *pubkey, char fingerprint[65],
                                       mg_error *err);

/* One row of mg_registry_list: the latest version of a model and its stages
 * ("production=v3,staging=v4", "" when none). Borrowed for the callback. */
typedef struct mg_registry_entry {
    const char *name;
    int64_t versions; /* count = latest version number */
    const char *latest_digest;
    const char *stages;
} mg_registry_entry;

typedef void (*mg_registry_entry_fn)(void *ctx, const mg_registry_entry *e);
MG_API mg_status mg_registry_list(mg_registry *reg, mg_registry_entry_fn fn, void *ctx,
                                  mg_error *err);

/* One event. Strings are borrowed for the callback; absent ones are NULL and
 * absent numbers 0. */
typedef struct mg_registry_event {
    int64_t seq; /* registry-wide order */
    const char *name;
    const char *action; /* "push", "promote", "rollback", "trust" */
    int64_t version;
    int64_t from_version; /* rollback and promote: what the stage held before */
    const char *stage;
    const char *digest; /* the model version's digest (trust: the key fingerprint) */
    const char *who, *at, *why;
    const char *evidence_sha256, *signer;
    const char *hash;
} mg_registry_event;

typedef void (*mg_registry_event_fn)(void *ctx, const mg_registry_event *e);

/* The events of `name` in order (unknown name: MG_ERR_USAGE). */
MG_API mg_status mg_registry_history(mg_registry *reg, const char *name, mg_registry_event_fn fn,
                                     void *ctx, mg_error *err);

/* Checks the whole registry: every event's hash and its link to the previous
 * event of its model, that the versions and stages equal a replay of the
 * events, and every blob against its digest. Each problem goes to `problem`
 * (one line, may be NULL); counts go to *events and *blobs (may be NULL).
 * Returns MG_OK when nothing is wrong, MG_ERR_DATA (err = the first problem)
 * otherwise. */
MG_API mg_status mg_registry_verify(mg_registry *reg, void (*problem)(void *ctx, const char *line),
                                    void *ctx, int64_t *events, int64_t *blobs, mg_error *err);

/* Writes model `name` (its events and every blob they name) to a tar file at
 * `path` (temporary file renamed into place). *nevents receives the count. */
MG_API mg_status mg_registry_export(mg_registry *reg, const char *name, const char *path,
                                    int64_t *nevents, mg_error *err);

/* Imports a tar written by mg_registry_export: checks every blob against its
 * digest and the events' hash chain, then appends the events this registry
 * lacks. A model whose history here differs from the archive's is refused
 * (MG_ERR_DATA). *name (new string, caller frees) and *nevents (events
 * added) describe what was imported. */
MG_API mg_status mg_registry_import(mg_registry *reg, const char *path, char **name,
                                    int64_t *nevents, mg_error *err);

/* Signs the file at `path` with the Ed25519 private key in the PEM file
 * `key` and writes the detached 64-byte signature (the raw form of
 * `openssl pkeyutl -sign -rawin`) to `path`.sig through a temporary file.
 * The key never appears in a message. */
MG_API mg_status mg_sign_file(const char *path, const char *key, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
