/* github.h - the pull-request comment on GitHub (DESIGN §13): find the pull
 * request a run belongs to, then update the one comment modelgate wrote for it
 * (found by its hidden marker `<!-- modelgate:ID -->` and its author) or create
 * it, through GitHub's REST API with libcurl.
 *
 * The token is used only in the Authorization header of requests sent to the
 * API base URL: it never appears in an mg_error message or a trace line
 * (any occurrence, e.g. echoed back by a server, is replaced by "***"), and
 * a `Link` header that points anywhere else is refused rather than followed.
 *
 * Retries: 5xx answers, transport failures and secondary rate limits (403 or
 * 429 with `Retry-After`, or `x-ratelimit-remaining: 0` with
 * `x-ratelimit-reset`) are retried with exponential backoff, waiting at most
 * max_wait_s seconds in total over the whole operation. A POST that failed
 * that way may still have created the comment, so the comments are listed
 * again before the next try: a retry never adds a second comment. */
#ifndef MODELGATE_GITHUB_H
#define MODELGATE_GITHUB_H

#include "modelgate.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GitHub refuses a comment body longer than this many characters (Unicode
 * code points). */
#define MG_GITHUB_COMMENT_MAX_CHARS 65536

/* The login whose comments are updated when the token cannot tell its own
 * identity (GET /user is refused to an Actions GITHUB_TOKEN). */
#define MG_GITHUB_DEFAULT_AUTHOR "github-actions[bot]"

/* Called once per request: status is the HTTP status of the answer (0 when
 * no answer came: a transport error, or a dry run where the request is only
 * described). note (may be NULL) says why or when the request is made. The
 * strings are valid during the call only and never contain the token. */
typedef void (*mg_github_trace_fn)(void *ctx, const char *method, const char *url,
                                   const char *note, long status);

typedef struct mg_github_options {
    const char *api_url;    /* $GITHUB_API_URL; NULL or "" = "https://api.github.com".
                               http:// or https://, no trailing path needed */
    const char *token;      /* $GITHUB_TOKEN (borrowed); required unless dry_run */
    const char *repository; /* "OWNER/NAME" ($GITHUB_REPOSITORY) */
    const char *author;     /* bot login to match when GET /user is refused;
                               NULL = MG_GITHUB_DEFAULT_AUTHOR */
    double max_wait_s;      /* total seconds spent waiting between retries; <= 0 = 60 */
    double backoff_s;       /* first backoff wait in seconds (doubled each time); <= 0 = 1 */
    double timeout_s;       /* one request's time limit in seconds; <= 0 = 60 */
    int dry_run;            /* non-zero: make no request, only trace what would be made */
    mg_github_trace_fn trace; /* may be NULL */
    void *trace_ctx;
} mg_github_options;

/* What a workflow's event payload ($GITHUB_EVENT_PATH) says about the pull
 * request: pr is pull_request.number, else workflow_run.pull_requests[0].number,
 * else 0 (a fork's workflow_run lists no pull request); head_sha is
 * pull_request.head.sha or workflow_run.head_sha ("" when neither). */
typedef struct mg_github_event {
    long pr;
    char head_sha[72];
    char pr_from[48]; /* where pr came from: "pull_request.number", ... ("" when 0) */
} mg_github_event;

/* Reads the event payload at path (a JSON object of at most 64 MiB). A file
 * that cannot be read or parsed is MG_ERR_IO / MG_ERR_FORMAT naming the
 * path (and line and column for JSON errors); a payload without either key
 * is not an error (out->pr = 0). */
MG_API mg_status mg_github_event_read(const char *path, mg_github_event *out, mg_error *err);

/* The marker ID on the first line of a report, `<!-- modelgate:ID -->`
 * (ID: 1 to 64 characters of [A-Za-z0-9._-]), copied into id (cap >= 65).
 * MG_ERR_FORMAT naming `source:1` when the first line is not a marker. */
MG_API mg_status mg_github_marker_read(const char *body, size_t len, const char *source,
                                       char *id, size_t cap, mg_error *err);

/* True when id is a valid marker ID (see mg_github_marker_read). */
MG_API int mg_github_marker_id_valid(const char *id);

/* Finds the open pull request whose head is commit sha: GET
 * /repos/{repository}/commits/{sha}/pulls (this sees pull requests from
 * forks too), preferring one whose head.sha is sha. *pr = 0 in a dry run.
 * MG_ERR_DATA when the commit belongs to no open pull request; MG_ERR_IO
 * for a refused request (the message names the request and HTTP status). */
MG_API mg_status mg_github_find_pr(const mg_github_options *opts, const char *sha, long *pr,
                                   mg_error *err);

typedef struct mg_github_comment_result {
    int updated;     /* 1: an existing comment was PATCHed; 0: a new one was POSTed */
    int64_t id;      /* the comment's id (0 in a dry run) */
    char url[512];   /* its html_url ("" when the answer had none) */
    int requests;    /* HTTP requests made (retries included) */
    double waited_s; /* seconds spent waiting between retries */
} mg_github_comment_result;

/* Creates or updates the comment on pull request pr (> 0; 0 only in a dry
 * run after mg_github_find_pr) whose body is body[0..len): lists the pull
 * request's comments (100 a page, following `Link: <...>; rel="next"`),
 * PATCHes the first one whose body starts with `<!-- modelgate:marker_id -->`
 * and whose author is this token's identity (GET /user; when refused, a user
 * of type "Bot" with login opts->author), else POSTs a new one. Comments by
 * anyone else (a person quoting the marker) are never edited.
 *
 * body must be valid UTF-8 of at most MG_GITHUB_COMMENT_MAX_CHARS characters
 * and should start with the marker (else it could not be found next time);
 * otherwise MG_ERR_USAGE / MG_ERR_FORMAT before any request. A refused
 * request is MG_ERR_IO with one line naming the request and HTTP status (a
 * 403 "Resource not accessible by integration" says to comment from a
 * workflow_run job: a fork's pull_request token is read-only). out may be
 * NULL. */
MG_API mg_status mg_github_comment_upsert(const mg_github_options *opts, long pr,
                                          const char *marker_id, const char *body, size_t len,
                                          mg_github_comment_result *out, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
