/* archive.c - `registry export` and `registry import`: a model's events
 * (events.jsonl, hashes and all) and every blob they name, in a tar written
 * and read through libarchive; an import checks every digest and the chain
 * before it changes anything. */
#define _GNU_SOURCE
#include "registry/registry_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

#define PREFIX "modelgate-registry/"

static json_t *str_or_null(const char *s) {
    return s ? json_string(s) : json_null();
}

static json_t *event_json(const mg__event *e) {
    json_t *o = json_object();
    json_object_set_new(o, "name", str_or_null(e->name));
    json_object_set_new(o, "n", json_integer(e->n));
    json_object_set_new(o, "action", str_or_null(e->action));
    json_object_set_new(o, "version", json_integer(e->version));
    json_object_set_new(o, "from_version", json_integer(e->from_version));
    json_object_set_new(o, "stage", str_or_null(e->stage));
    json_object_set_new(o, "digest", str_or_null(e->digest));
    json_object_set_new(o, "filename", str_or_null(e->filename));
    json_object_set_new(o, "size", json_integer(e->size));
    json_object_set_new(o, "meta", str_or_null(e->meta));
    json_object_set_new(o, "who", str_or_null(e->who));
    json_object_set_new(o, "at", str_or_null(e->at));
    json_object_set_new(o, "why", str_or_null(e->why));
    json_object_set_new(o, "evidence_sha256", str_or_null(e->evidence_sha256));
    json_object_set_new(o, "signature_sha256", str_or_null(e->signature_sha256));
    json_object_set_new(o, "signer", str_or_null(e->signer));
    json_object_set_new(o, "prev_hash", json_string(e->prev_hash));
    json_object_set_new(o, "hash", json_string(e->hash));
    return o;
}

static char *get_str(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? mg__strdup(json_string_value(v)) : NULL;
}

static int64_t get_int(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int event_from_json(json_t *o, mg__event *e) {
    memset(e, 0, sizeof *e);
    if (!json_is_object(o))
        return -1;
    e->name = get_str(o, "name");
    e->n = get_int(o, "n");
    e->action = get_str(o, "action");
    e->version = get_int(o, "version");
    e->from_version = get_int(o, "from_version");
    e->stage = get_str(o, "stage");
    e->digest = get_str(o, "digest");
    e->filename = get_str(o, "filename");
    e->size = get_int(o, "size");
    e->meta = get_str(o, "meta");
    e->who = get_str(o, "who");
    e->at = get_str(o, "at");
    e->why = get_str(o, "why");
    e->evidence_sha256 = get_str(o, "evidence_sha256");
    e->signature_sha256 = get_str(o, "signature_sha256");
    e->signer = get_str(o, "signer");
    json_t *p = json_object_get(o, "prev_hash"), *h = json_object_get(o, "hash");
    if (!json_is_string(p) || !json_is_string(h) || e->name == NULL || e->action == NULL ||
        e->who == NULL || e->at == NULL)
        return -1;
    snprintf(e->prev_hash, 65, "%s", json_string_value(p));
    snprintf(e->hash, 65, "%s", json_string_value(h));
    return 0;
}

static mg_status add_entry(struct archive *a, const char *name, const void *data, size_t len,
                           const char *path, mg_error *err) {
    struct archive_entry *en = archive_entry_new();
    if (en == NULL)
        return mg__nomem(err, "a tar entry");
    archive_entry_set_pathname(en, name);
    archive_entry_set_size(en, (la_int64_t)len);
    archive_entry_set_filetype(en, AE_IFREG);
    archive_entry_set_perm(en, 0644);
    mg_status st = MG_OK;
    if (archive_write_header(a, en) != ARCHIVE_OK ||
        (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len))
        st = mg__fail(err, MG_ERR_IO, "%s: cannot write %s: %s", path, name,
                      archive_error_string(a));
    archive_entry_free(en);
    return st;
}

static mg_status add_blob(mg_registry *reg, struct archive *a, const char *digest, const char *path,
                          mg_error *err) {
    if (digest == NULL || digest[0] == '\0')
        return MG_OK;
    MG_TRY(mg__blob_check(reg, digest, err));
    char *bp = mg__blob_path(reg, digest);
    if (bp == NULL)
        return mg__nomem(err, "a path");
    mg__file f;
    mg_status st = mg__file_map(bp, &f, err);
    free(bp);
    if (st != MG_OK)
        return st;
    char name[160];
    snprintf(name, sizeof name, PREFIX "blobs/sha256/%.2s/%s", digest, digest + 2);
    st = add_entry(a, name, f.data, f.size, path, err);
    mg__file_unmap(&f);
    return st;
}

mg_status mg_registry_export(mg_registry *reg, const char *name, const char *path, int64_t *nevents,
                             mg_error *err) {
    mg__event *ev = NULL;
    int64_t n = 0;
    MG_TRY(mg__sql_exec(reg, "BEGIN", err)); /* one snapshot */
    mg_status st = mg__events_load(reg, name, &ev, &n, err);
    mg__sql_rollback(reg);
    if (st != MG_OK)
        return st;
    if (n == 0) {
        free(ev);
        return mg__fail(err, MG_ERR_USAGE, "%s: no model named '%s'", reg->dir, name);
    }
    mg__buf jl = {0};
    for (int64_t i = 0; i < n; i++) {
        json_t *o = event_json(&ev[i]);
        char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (line == NULL) {
            jl.failed = true;
            break;
        }
        mg__buf_puts(&jl, line);
        mg__buf_puts(&jl, "\n");
        free(line);
    }
    mg__buf tp = {0};
    mg__buf_printf(&tp, "%s.tmp.XXXXXX", path);
    char *tmp = mg__buf_detach(&tp);
    int fd = tmp && !jl.failed ? mkstemp(tmp) : -1;
    struct archive *a = NULL;
    if (tmp == NULL || jl.failed)
        st = mg__nomem(err, "the export");
    else if (fd < 0)
        st = mg__fail(err, MG_ERR_IO, "%s: cannot create a temporary file: %s", path,
                      strerror(errno));
    else if ((a = archive_write_new()) == NULL ||
             archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
             archive_write_open_fd(a, fd) != ARCHIVE_OK)
        st = mg__fail(err, MG_ERR_IO, "%s: cannot start the tar: %s", path,
                      a ? archive_error_string(a) : "out of memory");
    if (st == MG_OK)
        st = add_entry(a, PREFIX "events.jsonl", jl.data, jl.len, path, err);
    for (int64_t i = 0; st == MG_OK && i < n; i++) {
        if (strcmp(ev[i].action, "push") == 0)
            st = add_blob(reg, a, ev[i].digest, path, err);
        if (st == MG_OK)
            st = add_blob(reg, a, ev[i].evidence_sha256, path, err);
        if (st == MG_OK)
            st = add_blob(reg, a, ev[i].signature_sha256, path, err);
    }
    if (a != NULL) {
        if (archive_write_close(a) != ARCHIVE_OK && st == MG_OK)
            st = mg__fail(err, MG_ERR_IO, "%s: cannot finish the tar: %s", path,
                          archive_error_string(a));
        archive_write_free(a);
    }
    if (fd >= 0) {
        if (st == MG_OK && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
            st = mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        if (st == MG_OK && rename(tmp, path) != 0)
            st = mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        if (st != MG_OK)
            unlink(tmp);
    }
    free(tmp);
    mg__buf_release(&jl);
    for (int64_t i = 0; i < n; i++)
        mg__event_release(&ev[i]);
    free(ev);
    if (st == MG_OK && nevents)
        *nevents = n;
    return st;
}

typedef struct blob_in {
    char digest[65];
    char *data;
    size_t len;
} blob_in;

typedef struct import_state {
    mg__event *ev;
    int64_t nev;
    blob_in *blobs;
    int nblobs;
} import_state;

static void import_release(import_state *s) {
    for (int64_t i = 0; i < s->nev; i++)
        mg__event_release(&s->ev[i]);
    free(s->ev);
    for (int i = 0; i < s->nblobs; i++)
        free(s->blobs[i].data);
    free(s->blobs);
}

static mg_status parse_events(const char *path, const char *text, size_t len, import_state *s,
                              mg_error *err) {
    size_t pos = 0;
    int line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line++;
        if (end > pos) {
            json_error_t je;
            json_t *o = json_loadb(text + pos, end - pos, 0, &je);
            mg__event *g = mg__realloc_array(s->ev, (size_t)s->nev + 1, sizeof *g);
            if (g == NULL) {
                json_decref(o);
                return mg__nomem(err, "events");
            }
            s->ev = g;
            int bad = event_from_json(o, &s->ev[s->nev]);
            s->nev++;
            json_decref(o);
            if (bad)
                return mg__fail(err, MG_ERR_FORMAT, "%s: events.jsonl line %d is not an event",
                                path, line);
        }
        pos = end + 1;
    }
    return MG_OK;
}

static bool blob_known(mg_registry *reg, const import_state *s, const char *digest) {
    if (digest == NULL || digest[0] == '\0')
        return true;
    for (int i = 0; i < s->nblobs; i++)
        if (strcmp(s->blobs[i].digest, digest) == 0)
            return true;
    mg_error ignored;
    return mg__blob_check(reg, digest, &ignored) == MG_OK;
}

mg_status mg_registry_import(mg_registry *reg, const char *path, char **name, int64_t *nevents,
                             mg_error *err) {
    *name = NULL;
    import_state s = {0};
    struct archive *a = archive_read_new();
    if (a == NULL)
        return mg__nomem(err, "a tar reader");
    archive_read_support_format_tar(a);
    mg_status st = MG_OK;
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
        st = mg__fail(err, MG_ERR_IO, "%s: cannot read: %s", path, archive_error_string(a));
    bool have_events = false;
    struct archive_entry *en;
    while (st == MG_OK) {
        int r = archive_read_next_header(a, &en);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            st = mg__fail(err, MG_ERR_FORMAT, "%s: not a registry export: %s", path,
                          archive_error_string(a));
            break;
        }
        const char *ename = archive_entry_pathname(en);
        la_int64_t size = archive_entry_size(en);
        if (archive_entry_filetype(en) != AE_IFREG || size < 0)
            continue;
        char *data = mg__malloc((size_t)size + 1);
        if (data == NULL) {
            st = mg__nomem(err, ename);
            break;
        }
        la_ssize_t got = size > 0 ? archive_read_data(a, data, (size_t)size) : 0;
        if (got != size) {
            free(data);
            st = mg__fail(err, MG_ERR_FORMAT, "%s: entry %s is truncated", path, ename);
            break;
        }
        data[size] = '\0';
        const char *bp = PREFIX "blobs/sha256/";
        if (strcmp(ename, PREFIX "events.jsonl") == 0) {
            st = parse_events(path, data, (size_t)size, &s, err);
            have_events = true;
            free(data);
        } else if (strncmp(ename, bp, strlen(bp)) == 0 && strlen(ename) == strlen(bp) + 65 &&
                   ename[strlen(bp) + 2] == '/') {
            blob_in b;
            snprintf(b.digest, sizeof b.digest, "%.2s%s", ename + strlen(bp),
                     ename + strlen(bp) + 3);
            char got_sha[65];
            mg__sha256_hex(data, (size_t)size, got_sha);
            if (strcmp(got_sha, b.digest) != 0) {
                free(data);
                st = mg__fail(err, MG_ERR_DATA, "%s: blob %s was altered: its content hashes to %s",
                              path, ename, got_sha);
                break;
            }
            blob_in *g = mg__realloc_array(s.blobs, (size_t)s.nblobs + 1, sizeof *g);
            if (g == NULL) {
                free(data);
                st = mg__nomem(err, "blobs");
                break;
            }
            s.blobs = g;
            b.data = data;
            b.len = (size_t)size;
            s.blobs[s.nblobs++] = b;
        } else {
            free(data);
            st = mg__fail(err, MG_ERR_FORMAT, "%s: unexpected entry %s (not a registry export)",
                          path, ename);
        }
    }
    archive_read_free(a);
    if (st == MG_OK && (!have_events || s.nev == 0))
        st = mg__fail(err, MG_ERR_FORMAT, "%s: holds no " PREFIX "events.jsonl", path);
    /* The chain of the archive, from its first event. */
    const char *zero = "0000000000000000000000000000000000000000000000000000000000000000";
    for (int64_t i = 0; st == MG_OK && i < s.nev; i++) {
        mg__event *e = &s.ev[i];
        char want[65];
        mg__event_hash(e, want);
        if (strcmp(e->name, s.ev[0].name) != 0 || !mg__registry_name_ok(e->name) || e->n != i + 1 ||
            strcmp(e->prev_hash, i == 0 ? zero : s.ev[i - 1].hash) != 0)
            st = mg__fail(err, MG_ERR_DATA,
                          "%s: events.jsonl line %" PRId64 " does not follow the line before it "
                          "(broken chain)",
                          path, i + 1);
        else if (strcmp(want, e->hash) != 0)
            st = mg__fail(err, MG_ERR_DATA,
                          "%s: events.jsonl line %" PRId64 " was edited (its hash does not match)",
                          path, i + 1);
        else if ((strcmp(e->action, "push") == 0 && !blob_known(reg, &s, e->digest)) ||
                 !blob_known(reg, &s, e->evidence_sha256) ||
                 !blob_known(reg, &s, e->signature_sha256))
            st = mg__fail(err, MG_ERR_DATA, "%s: event %" PRId64 " names a blob the archive lacks",
                          path, i + 1);
    }
    for (int i = 0; st == MG_OK && i < s.nblobs; i++) {
        char d[65];
        st = mg__blob_put(reg, s.blobs[i].data, s.blobs[i].len, d, err);
    }
    int64_t added = 0;
    if (st == MG_OK)
        st = mg__sql_begin(reg, err);
    if (st == MG_OK) {
        mg__event *have = NULL;
        int64_t nhave = 0;
        st = mg__events_load(reg, s.ev[0].name, &have, &nhave, err);
        for (int64_t i = 0; st == MG_OK && i < nhave; i++)
            if (i >= s.nev || strcmp(have[i].hash, s.ev[i].hash) != 0)
                st = mg__fail(err, MG_ERR_DATA,
                              "%s: this registry's history of '%s' differs from the archive's at "
                              "event #%" PRId64 "; refusing to merge them",
                              path, s.ev[0].name, i + 1);
        for (int64_t i = nhave; st == MG_OK && i < s.nev; i++) {
            st = mg__event_insert(reg, &s.ev[i], err);
            if (st == MG_OK)
                st = mg__event_apply(reg, &s.ev[i], err);
            added++;
        }
        for (int64_t i = 0; i < nhave; i++)
            mg__event_release(&have[i]);
        free(have);
        if (st == MG_OK)
            st = mg__sql_commit(reg, err);
        else
            mg__sql_rollback(reg);
    }
    if (st == MG_OK) {
        *name = mg__strdup(s.ev[0].name);
        if (nevents)
            *nevents = added;
    }
    import_release(&s);
    return st;
}
