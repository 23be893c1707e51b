/* store.c - the registry directory: opening registry.db (WAL, busy timeout,
 * schema migrations), durable writes, and content-addressed blobs. */
#define _GNU_SOURCE
#include "registry/registry_internal.h"
#include "modelgate/io.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *mg_registry_locate(const char *flag) {
    if (flag != NULL && flag[0] != '\0')
        return flag;
    const char *env = getenv("MODELGATE_REGISTRY");
    if (env != NULL && env[0] != '\0')
        return env;
    return ".modelgate/registry";
}

const char *mg_registry_who(void) {
    const char *actor = getenv("GITHUB_ACTOR");
    if (actor != NULL && actor[0] != '\0')
        return actor;
    struct passwd *pw = getpwuid(getuid());
    if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
        return pw->pw_name;
    const char *user = getenv("USER");
    if (user != NULL && user[0] != '\0')
        return user;
    static char uid[32];
    snprintf(uid, sizeof uid, "uid %u", (unsigned)getuid());
    return uid;
}

void mg__utc_now(char out[32]) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

bool mg__registry_name_ok(const char *s) {
    if (s == NULL || s[0] == '\0' || strlen(s) > 128 || s[0] == '.' || s[0] == '-')
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* ---- durable files ---- */

mg_status mg__mkdirs(const char *path, mg_error *err) {
    char *p = mg__strdup(path);
    if (p == NULL)
        return mg__nomem(err, "a path");
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                mg__fail(err, MG_ERR_IO, "%s: cannot create the directory: %s", p, strerror(errno));
                free(p);
                return MG_ERR_IO;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return MG_OK;
}


/* ---- blobs ---- */

char *mg__blob_path(const mg_registry *reg, const char *digest) {
    mg__buf b = {0};
    mg__buf_printf(&b, "%s/blobs/sha256/%.2s/%s", reg->dir, digest, digest + 2);
    return mg__buf_detach(&b);
}

static bool is_digest(const char *d) {
    if (d == NULL || strlen(d) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
            return false;
    return true;
}

mg_status mg__blob_check(const mg_registry *reg, const char *digest, mg_error *err) {
    if (!is_digest(digest))
        return mg__fail(err, MG_ERR_DATA, "%s: '%s' is not a sha256 digest", reg->db_path,
                        digest ? digest : "(null)");
    char *path = mg__blob_path(reg, digest);
    if (path == NULL)
        return mg__nomem(err, "a path");
    char got[65];
    mg_status st = mg__sha256_file(path, got, err);
    if (st == MG_OK && strcmp(got, digest) != 0)
        st = mg__fail(err, MG_ERR_DATA, "%s: content hashes to sha256 %s, not to its name %s", path,
                      got, digest);
    free(path);
    return st;
}

mg_status mg__blob_put(mg_registry *reg, const void *data, size_t len, char digest[65],
                       mg_error *err) {
    mg__sha256_hex(data, len, digest);
    mg_error ignored;
    if (mg__blob_check(reg, digest, &ignored) == MG_OK)
        return MG_OK;
    char *path = mg__blob_path(reg, digest);
    if (path == NULL)
        return mg__nomem(err, "a path");
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mg_status st = mg__mkdirs(path, err);
    *slash = '/';
    if (st == MG_OK)
        st = mg_write_file(path, data, len, err);
    free(path);
    return st;
}

/* ---- SQL ---- */

mg_status mg__sql_fail(mg_registry *reg, mg_error *err, const char *what) {
    int code = sqlite3_errcode(reg->db);
    mg_status st = code == SQLITE_BUSY || code == SQLITE_IOERR || code == SQLITE_FULL ||
                           code == SQLITE_CANTOPEN || code == SQLITE_READONLY
                       ? MG_ERR_IO
                   : code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? MG_ERR_DATA
                                                                     : MG_ERR_INTERNAL;
    return mg__fail(err, st, "%s: %s: %s", reg->db_path, what, sqlite3_errmsg(reg->db));
}

mg_status mg__sql_exec(mg_registry *reg, const char *sql, mg_error *err) {
    if (sqlite3_exec(reg->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "SQL failed");
    return MG_OK;
}

mg_status mg__sql_begin(mg_registry *reg, mg_error *err) {
    if (sqlite3_exec(reg->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return mg__sql_fail(reg, err, "cannot start a write transaction");
    return MG_OK;
}

void mg__sql_rollback(mg_registry *reg) {
    sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
}

mg_status mg__sql_commit(mg_registry *reg, mg_error *err) {
    if (sqlite3_exec(reg->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mg_status st = mg__sql_fail(reg, err, "cannot commit");
        mg__sql_rollback(reg);
        return st;
    }
    return MG_OK;
}

char *mg__sql_text(sqlite3_stmt *s, int col) {
    const unsigned char *t = sqlite3_column_text(s, col);
    return t == NULL ? NULL : mg__strdup((const char *)t);
}

/* ---- schema ---- */

/* Migration i brings the schema from version i to i + 1. Never edit one that
 * has shipped: add the next. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL, n INTEGER NOT NULL, action TEXT NOT NULL,"
    "  version INTEGER, from_version INTEGER, stage TEXT, digest TEXT, filename TEXT,"
    "  size INTEGER, meta TEXT, who TEXT NOT NULL, at TEXT NOT NULL, why TEXT,"
    "  evidence_sha256 TEXT, signature_sha256 TEXT, signer TEXT,"
    "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX events_by_name ON events(name, n);"
    "CREATE TABLE versions ("
    "  name TEXT NOT NULL, version INTEGER NOT NULL, digest TEXT NOT NULL,"
    "  filename TEXT NOT NULL, size INTEGER NOT NULL, meta TEXT NOT NULL,"
    "  created_at TEXT NOT NULL, created_by TEXT NOT NULL,"
    "  PRIMARY KEY (name, version));"
    "CREATE TABLE stages ("
    "  name TEXT NOT NULL, stage TEXT NOT NULL, position INTEGER NOT NULL,"
    "  version INTEGER NOT NULL, PRIMARY KEY (name, stage, position));"
    "CREATE TABLE trusted_keys (fingerprint TEXT PRIMARY KEY, pem TEXT NOT NULL);",
};

static mg_status migrate(mg_registry *reg, mg_error *err) {
    sqlite3_stmt *s = NULL;
    int have = -1;
    if (sqlite3_prepare_v2(reg->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        have = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (have < 0)
        return mg__sql_fail(reg, err, "cannot read the schema version");
    if (have > MG__REGISTRY_SCHEMA)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: schema version %d is newer than this modelgate's (%d); upgrade "
                        "modelgate",
                        reg->db_path, have, MG__REGISTRY_SCHEMA);
    if (have == MG__REGISTRY_SCHEMA)
        return MG_OK;
    MG_TRY(mg__sql_begin(reg, err));
    /* Another process may have migrated while this one waited for the lock. */
    have = -1;
    if (sqlite3_prepare_v2(reg->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        have = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    for (int v = have; v >= 0 && v < MG__REGISTRY_SCHEMA; v++) {
        if (sqlite3_exec(reg->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
            mg_status st = mg__sql_fail(reg, err, "schema migration failed");
            mg__sql_rollback(reg);
            return st;
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", MG__REGISTRY_SCHEMA);
    if (have < 0 || sqlite3_exec(reg->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        mg_status st = mg__sql_fail(reg, err, "cannot set the schema version");
        mg__sql_rollback(reg);
        return st;
    }
    return mg__sql_commit(reg, err);
}

mg_status mg_registry_open(const char *dir, int create, mg_registry **out, mg_error *err) {
    *out = NULL;
    mg_registry *reg = mg__calloc(1, sizeof *reg);
    if (reg == NULL)
        return mg__nomem(err, "a registry");
    reg->dir = mg__strdup(dir);
    mg__buf b = {0};
    mg__buf_printf(&b, "%s/registry.db", dir);
    reg->db_path = mg__buf_detach(&b);
    if (reg->dir == NULL || reg->db_path == NULL) {
        mg_registry_close(reg);
        return mg__nomem(err, "a registry");
    }
    struct stat st;
    if (stat(reg->db_path, &st) != 0) {
        if (!create) {
            mg__fail(err, MG_ERR_USAGE,
                     "%s: no registry here (push a model first, or pass --registry DIR or set "
                     "MODELGATE_REGISTRY)",
                     dir);
            mg_registry_close(reg);
            return MG_ERR_USAGE;
        }
        mg_status ms = mg__mkdirs(dir, err);
        if (ms != MG_OK) {
            mg_registry_close(reg);
            return ms;
        }
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(reg->db_path, &reg->db, flags, NULL) != SQLITE_OK) {
        mg_status s2 =
            reg->db != NULL ? mg__sql_fail(reg, err, "cannot open") : mg__nomem(err, "a database");
        mg_registry_close(reg);
        return s2 == MG_ERR_INTERNAL ? MG_ERR_IO : s2;
    }
    sqlite3_busy_timeout(reg->db, 60000);
    mg_status s = mg__sql_exec(reg, "PRAGMA journal_mode=WAL", err);
    if (s == MG_OK)
        s = mg__sql_exec(reg, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err);
    if (s == MG_OK)
        s = migrate(reg, err);
    if (s == MG_OK) {
        char *blobs = NULL;
        mg__buf bb = {0};
        mg__buf_printf(&bb, "%s/blobs/sha256", dir);
        blobs = mg__buf_detach(&bb);
        s = blobs == NULL ? mg__nomem(err, "a path") : mg__mkdirs(blobs, err);
        free(blobs);
    }
    if (s != MG_OK) {
        if (s == MG_ERR_INTERNAL)
            s = MG_ERR_DATA; /* not a database, or a broken one */
        err->status = s;
        mg_registry_close(reg);
        return s;
    }
    *out = reg;
    return MG_OK;
}

void mg_registry_close(mg_registry *reg) {
    if (reg == NULL)
        return;
    if (reg->db != NULL)
        sqlite3_close_v2(reg->db);
    free(reg->dir);
    free(reg->db_path);
    free(reg);
}
