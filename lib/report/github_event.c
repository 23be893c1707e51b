/* github_event.c - what the workflow's event payload says about the pull
 * request, and the hidden marker on a report's first line (github.h). */
#include "modelgate/github.h"
#include "util/internal.h"

#include <jansson.h>

#define MAX_EVENT_BYTES (64ull << 20)

static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int is_hex_sha(const char *s) {
    size_t n = strlen(s);
    if (n < 7 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return 1;
}

/* A positive pull-request number, or 0. */
static long pr_number(json_t *obj) {
    json_t *n = json_is_object(obj) ? json_object_get(obj, "number") : NULL;
    if (!json_is_integer(n))
        return 0;
    json_int_t v = json_integer_value(n);
    return v > 0 && v < 1000000000 ? (long)v : 0;
}

mg_status mg_github_event_read(const char *path, mg_github_event *out, mg_error *err) {
    if (path == NULL || out == NULL)
        return mg__fail(err, MG_ERR_USAGE, "mg_github_event_read: path and out are required");
    memset(out, 0, sizeof *out);
    mg__file f;
    MG_TRY(mg__file_map_capped(path, MAX_EVENT_BYTES, &f, err));
    json_error_t je;
    json_t *root = json_loadb(f.data, f.size, JSON_REJECT_DUPLICATES, &je);
    mg__file_unmap(&f);
    if (root == NULL) {
        mg__fail(err, MG_ERR_FORMAT, "%s:%d:%d: not a JSON event payload: %s", path, je.line,
                 je.column, je.text);
        return mg__error_at(err, path, je.line, je.column, je.position);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return mg__fail(err, MG_ERR_FORMAT, "%s: the event payload is not a JSON object", path);
    }
    json_t *pull = json_object_get(root, "pull_request");
    json_t *run = json_object_get(root, "workflow_run");
    json_t *sha = NULL;
    if (json_is_object(pull)) {
        out->pr = pr_number(pull);
        if (out->pr)
            copy_str(out->pr_from, sizeof out->pr_from, "pull_request.number");
        json_t *head = json_object_get(pull, "head");
        if (json_is_object(head))
            sha = json_object_get(head, "sha");
    }
    if (json_is_object(run)) {
        json_t *prs = json_object_get(run, "pull_requests");
        if (out->pr == 0 && json_is_array(prs) && json_array_size(prs) > 0) {
            out->pr = pr_number(json_array_get(prs, 0));
            if (out->pr)
                copy_str(out->pr_from, sizeof out->pr_from,
                         "workflow_run.pull_requests[0].number");
        }
        if (sha == NULL)
            sha = json_object_get(run, "head_sha");
    }
    if (json_is_string(sha) && is_hex_sha(json_string_value(sha)))
        copy_str(out->head_sha, sizeof out->head_sha, json_string_value(sha));
    json_decref(root);
    return MG_OK;
}

int mg_github_marker_id_valid(const char *id) {
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

mg_status mg_github_marker_read(const char *body, size_t len, const char *source, char *id,
                                size_t cap, mg_error *err) {
    static const char open[] = "<!-- modelgate:";
    static const char close[] = " -->";
    if (source == NULL)
        source = "report";
    if (body == NULL || id == NULL || cap < 65)
        return mg__fail(err, MG_ERR_USAGE, "mg_github_marker_read: body and id[65] are required");
    size_t line = 0;
    while (line < len && body[line] != '\n')
        line++;
    if (line > 0 && body[line - 1] == '\r')
        line--;
    size_t ol = sizeof open - 1, cl = sizeof close - 1;
    if (line < ol + cl + 1 || memcmp(body, open, ol) != 0 ||
        memcmp(body + line - cl, close, cl) != 0 || line - ol - cl > 64) {
        mg__fail(err, MG_ERR_FORMAT,
                 "%s:1: the first line is not a marker <!-- modelgate:ID --> (give --marker ID)",
                 source);
        return mg__error_at(err, source, 1, 1, 0);
    }
    size_t n = line - ol - cl;
    memcpy(id, body + ol, n);
    id[n] = '\0';
    if (!mg_github_marker_id_valid(id)) {
        mg__fail(err, MG_ERR_FORMAT,
                 "%s:1:%zu: the marker's ID is not 1 to 64 characters of A-Z a-z 0-9 . _ -",
                 source, ol + 1);
        return mg__error_at(err, source, 1, (int64_t)ol + 1, (int64_t)ol);
    }
    return MG_OK;
}
