/* github_api.c - the pull-request comment through GitHub's REST API with
 * libcurl (github.h): find the pull request of a commit, list its comments
 * page by page, PATCH ours or POST a new one, retrying what GitHub asks to
 * retry within a bounded wait. The token goes into one header and nowhere
 * else: every message and trace line is scrubbed of it. */
#include "modelgate/github.h"
#include "util/internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_API_URL "https://api.github.com"
#define DEFAULT_MAX_WAIT_S 60.0
#define DEFAULT_BACKOFF_S 1.0
#define DEFAULT_TIMEOUT_S 60.0
#define MAX_RESPONSE (32u << 20)
#define MAX_PAGES 1000
#define URL_MAX 2048

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void) {
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct gh {
    const mg_github_options *o;
    char base[1024]; /* API base without a trailing slash */
    const char *author;
    CURL *curl;
    struct curl_slist *headers;
    double max_wait, backoff, waited;
    int requests;
} gh;

typedef struct response {
    long status;
    mg__buf body;
    char next[URL_MAX]; /* Link rel="next" ("" when none) */
    double retry_after; /* seconds; < 0 when absent */
    long rl_remaining;  /* -1 when absent */
    long long rl_reset; /* epoch seconds; -1 when absent */
    int too_big;
} response;

/* ---- the token never leaves the Authorization header ---------------------- */

/* Replaces every occurrence of the token in s (NUL-terminated, cap bytes)
 * by "***". */
static void redact(const gh *g, char *s, size_t cap) {
    const char *tok = g->o->token;
    size_t tl = tok ? strlen(tok) : 0;
    if (tl == 0 || strstr(s, tok) == NULL)
        return;
    char out[MG_ERROR_TEXT_MAX > URL_MAX ? MG_ERROR_TEXT_MAX : URL_MAX];
    size_t o = 0, lim = cap < sizeof out ? cap : sizeof out;
    for (const char *p = s; *p && o + 1 < lim;) {
        if (strncmp(p, tok, tl) == 0) {
            for (int k = 0; k < 3 && o + 1 < lim; k++)
                out[o++] = '*';
            p += tl;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    memcpy(s, out, o + 1);
}

/* Every error that leaves this file passes here. */
static mg_status done(const gh *g, mg_status st, mg_error *err) {
    if (st != MG_OK && err != NULL)
        redact(g, err->text, sizeof err->text);
    return st;
}

static void trace(const gh *g, const char *method, const char *url, const char *note,
                  long status) {
    if (g->o->trace == NULL)
        return;
    char u[URL_MAX], n[512];
    snprintf(u, sizeof u, "%s", url);
    snprintf(n, sizeof n, "%s", note ? note : "");
    redact(g, u, sizeof u);
    redact(g, n, sizeof n);
    g->o->trace(g->o->trace_ctx, method, u, note ? n : NULL, status);
}

/* ---- one HTTP exchange -------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx) {
    response *r = ctx;
    size_t n = size * nmemb;
    if (r->body.len + n > MAX_RESPONSE) {
        r->too_big = 1;
        return 0;
    }
    mg__buf_append(&r->body, data, n);
    return r->body.failed ? 0 : n;
}

static int header_is(const char *line, size_t n, const char *name, const char **value,
                     size_t *vlen) {
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return 0;
    const char *v = line + k + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    *value = v;
    *vlen = (size_t)(end - v);
    return 1;
}

/* Link: <url>; rel="next", <url>; rel="last" */
static void parse_link(response *r, const char *v, size_t n) {
    const char *p = v, *end = v + n;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (lt == NULL)
            return;
        const char *gt = memchr(lt, '>', (size_t)(end - lt));
        if (gt == NULL)
            return;
        const char *comma = memchr(gt, ',', (size_t)(end - gt));
        const char *seg_end = comma ? comma : end;
        size_t seg = (size_t)(seg_end - gt);
        int is_next = 0;
        for (size_t i = 0; i + 10 <= seg; i++)
            if (strncasecmp(gt + i, "rel=\"next\"", 10) == 0)
                is_next = 1;
        size_t ul = (size_t)(gt - lt - 1);
        if (is_next && ul < sizeof r->next) {
            memcpy(r->next, lt + 1, ul);
            r->next[ul] = '\0';
            return;
        }
        p = seg_end + (comma ? 1 : 0);
    }
}

static double parse_number(const char *v, size_t n) {
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    char *e;
    errno = 0;
    double d = strtod(tmp, &e);
    if (e == tmp || *e != '\0' || errno != 0 || !isfinite(d) || d < 0)
        return -1;
    return d;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx) {
    response *r = ctx;
    size_t n = size * nmemb;
    const char *v;
    size_t vl;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new response (after 100 Continue) */
        r->next[0] = '\0';
        r->retry_after = -1;
        r->rl_remaining = -1;
        r->rl_reset = -1;
    } else if (header_is(data, n, "link", &v, &vl)) {
        parse_link(r, v, vl);
    } else if (header_is(data, n, "retry-after", &v, &vl)) {
        r->retry_after = parse_number(v, vl);
    } else if (header_is(data, n, "x-ratelimit-remaining", &v, &vl)) {
        double d = parse_number(v, vl);
        r->rl_remaining = d < 0 ? -1 : (long)d;
    } else if (header_is(data, n, "x-ratelimit-reset", &v, &vl)) {
        double d = parse_number(v, vl);
        r->rl_reset = d < 0 ? -1 : (long long)d;
    }
    return n;
}

static void response_reset(response *r) {
    r->status = 0;
    r->body.len = 0;
    r->body.failed = false;
    r->next[0] = '\0';
    r->retry_after = -1;
    r->rl_remaining = -1;
    r->rl_reset = -1;
    r->too_big = 0;
}

/* GitHub's "message" from an error answer, shortened and made one line. */
static void api_message(const response *r, char *out, size_t cap) {
    out[0] = '\0';
    if (r->body.len == 0)
        return;
    json_t *root = json_loadb(r->body.data, r->body.len, 0, NULL);
    json_t *m = json_is_object(root) ? json_object_get(root, "message") : NULL;
    if (json_is_string(m)) {
        mg__buf b = {0};
        const char *s = json_string_value(m);
        size_t n = strlen(s);
        mg__text_escape(&b, s, n > 200 ? 200 : n);
        if (b.data != NULL && !b.failed)
            snprintf(out, cap, ": %s%s", b.data, n > 200 ? "..." : "");
        mg__buf_release(&b);
    }
    json_decref(root);
}

static int is_secondary_limit(const response *r) {
    if (r->status == 429)
        return 1;
    if (r->status != 403)
        return 0;
    if (r->retry_after >= 0 || r->rl_remaining == 0)
        return 1;
    char m[256];
    api_message(r, m, sizeof m);
    return strstr(m, "rate limit") != NULL;
}

/* How long GitHub asks to wait before the next try (< 0: not said). */
static double asked_wait(const response *r) {
    if (r->retry_after >= 0)
        return r->retry_after;
    if (r->rl_remaining == 0 && r->rl_reset >= 0) {
        double w = (double)r->rl_reset - (double)time(NULL) + 1.0;
        return w < 1 ? 1 : w;
    }
    return -1;
}

static void sleep_s(double s) {
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Decides whether to try again after a retryable failure of try number
 * `attempt` (0-based); waits and returns 1, or returns 0 when the wait
 * would exceed the budget (why says so). */
static int wait_for_retry(gh *g, const response *r, int attempt, char *why, size_t cap) {
    double w = asked_wait(r);
    if (w < 0) {
        w = g->backoff * pow(2.0, attempt);
        if (w > 30)
            w = 30;
    }
    if (g->waited + w > g->max_wait + 1e-9) {
        snprintf(why, cap, "; gave up after %d tries and %.3g s of waiting (the next wait, %.3g s, "
                           "would pass the %.3g s limit)",
                 attempt + 1, g->waited, w, g->max_wait);
        return 0;
    }
    sleep_s(w);
    g->waited += w;
    return 1;
}

static int retryable(const response *r, CURLcode rc) {
    if (rc != CURLE_OK)
        return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
               rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
               rc == CURLE_PARTIAL_FILE || rc == CURLE_COULDNT_RESOLVE_HOST;
    return r->status >= 500 || is_secondary_limit(r);
}

/* One request, without retries: *rc is curl's result. */
static void perform(gh *g, const char *method, const char *url, const char *json, response *r,
                    CURLcode *rc, char *curl_err) {
    response_reset(r);
    curl_err[0] = '\0';
    curl_easy_setopt(g->curl, CURLOPT_URL, url);
    curl_easy_setopt(g->curl, CURLOPT_CUSTOMREQUEST, NULL);
    if (json != NULL) {
        curl_easy_setopt(g->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(g->curl, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(g->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(g->curl, CURLOPT_CUSTOMREQUEST, method);
    } else {
        curl_easy_setopt(g->curl, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(g->curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(g->curl, CURLOPT_ERRORBUFFER, curl_err);
    g->requests++;
    *rc = curl_easy_perform(g->curl);
    if (*rc == CURLE_OK)
        curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &r->status);
}

/* The path of url after the API base (for messages): "/repos/o/r/...". */
static const char *short_url(const gh *g, const char *url) {
    size_t n = strlen(g->base);
    return strncmp(url, g->base, n) == 0 && url[n] == '/' ? url + n : url;
}

/* A request with retries (when may_retry): MG_OK with r->status 2xx, or an
 * error naming the request and its status. *retry_left is set to 1 when the
 * failure was retryable but may_retry was 0 (the caller retries itself). */
static mg_status request(gh *g, const char *method, const char *url, const char *json,
                         response *r, int may_retry, int ok404, mg_error *err) {
    char curl_err[CURL_ERROR_SIZE];
    for (int attempt = 0;; attempt++) {
        CURLcode rc;
        perform(g, method, url, json, r, &rc, curl_err);
        trace(g, method, url, NULL, rc == CURLE_OK ? r->status : 0);
        if (r->too_big)
            return mg__fail(err, MG_ERR_IO, "%s %s: the answer is larger than %u MiB", method,
                            short_url(g, url), MAX_RESPONSE >> 20);
        if (r->body.failed)
            return mg__nomem(err, "a GitHub API answer");
        if (rc == CURLE_OK && ((r->status >= 200 && r->status < 300) ||
                               (ok404 && (r->status == 404 || r->status == 403 ||
                                          r->status == 401))))
            return MG_OK;
        char why[256] = "";
        if (may_retry && retryable(r, rc) && wait_for_retry(g, r, attempt, why, sizeof why))
            continue;
        if (!may_retry && retryable(r, rc))
            snprintf(why, sizeof why, " (retryable)");
        if (rc != CURLE_OK)
            return mg__fail(err, MG_ERR_IO, "%s %s: no answer from %s: %s%s", method,
                            short_url(g, url), g->base,
                            curl_err[0] ? curl_err : curl_easy_strerror(rc), why);
        char msg[256];
        api_message(r, msg, sizeof msg);
        if (r->status == 403 && strstr(msg, "Resource not accessible by integration") != NULL)
            return mg__fail(err, MG_ERR_IO,
                            "%s %s: HTTP 403%s: this token may not write to the pull request "
                            "(a pull request from a fork gets a read-only GITHUB_TOKEN): comment "
                            "from a job of a workflow_run workflow with `permissions: "
                            "pull-requests: write` (see docs/github-actions.md)",
                            method, short_url(g, url), msg);
        if (r->status == 401)
            return mg__fail(err, MG_ERR_IO, "%s %s: HTTP 401%s: the token was refused (is "
                                            "GITHUB_TOKEN set to a valid token?)",
                            method, short_url(g, url), msg);
        return mg__fail(err, MG_ERR_IO, "%s %s: HTTP %ld%s%s", method, short_url(g, url),
                        r->status, msg, why);
    }
}

/* ---- setup ---------------------------------------------------------------- */

static int repo_valid(const char *s) {
    if (s == NULL)
        return 0;
    int slash = 0;
    size_t n = strlen(s);
    if (n < 3 || n > 200 || s[0] == '/' || s[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '/')
            slash++;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return slash == 1 && strstr(s, "..") == NULL;
}

static int token_valid(const char *t) {
    for (; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return 0;
    return 1;
}

static void gh_release(gh *g) {
    if (g->curl)
        curl_easy_cleanup(g->curl);
    curl_slist_free_all(g->headers);
}

static mg_status gh_open(gh *g, const mg_github_options *o, mg_error *err) {
    memset(g, 0, sizeof *g);
    static const mg_github_options none = {0};
    g->o = o ? o : &none;
    if (o == NULL)
        return mg__fail(err, MG_ERR_USAGE, "github: options are required");
    const char *api = o->api_url && o->api_url[0] ? o->api_url : DEFAULT_API_URL;
    if (strncmp(api, "https://", 8) != 0 && strncmp(api, "http://", 7) != 0)
        return mg__fail(err, MG_ERR_USAGE,
                        "GITHUB_API_URL '%s' is not an http:// or https:// URL", api);
    size_t n = strlen(api);
    while (n > 0 && api[n - 1] == '/')
        n--;
    if (n >= sizeof g->base - 256 || memchr(api, '?', n) || memchr(api, '#', n))
        return mg__fail(err, MG_ERR_USAGE, "GITHUB_API_URL '%.*s' is not a plain base URL",
                        (int)(n > 200 ? 200 : n), api);
    memcpy(g->base, api, n);
    g->base[n] = '\0';
    if (!repo_valid(o->repository))
        return mg__fail(err, MG_ERR_USAGE,
                        "repository '%s' is not OWNER/NAME (set --repo or GITHUB_REPOSITORY)",
                        o->repository ? o->repository : "");
    g->author = o->author && o->author[0] ? o->author : MG_GITHUB_DEFAULT_AUTHOR;
    g->max_wait = o->max_wait_s > 0 ? o->max_wait_s : DEFAULT_MAX_WAIT_S;
    g->backoff = o->backoff_s > 0 ? o->backoff_s : DEFAULT_BACKOFF_S;
    if (o->dry_run)
        return MG_OK;
    if (o->token == NULL || o->token[0] == '\0')
        return mg__fail(err, MG_ERR_USAGE, "GITHUB_TOKEN is not set: the API needs a token");
    if (!token_valid(o->token) || strlen(o->token) > 4096)
        return mg__fail(err, MG_ERR_USAGE,
                        "GITHUB_TOKEN contains a space or control character (or is too long)");
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK)
        return mg__fail(err, MG_ERR_IO, "libcurl could not start: %s",
                        curl_easy_strerror(curl_init_result));
    g->curl = curl_easy_init();
    if (g->curl == NULL)
        return mg__nomem(err, "a libcurl handle");
    mg__buf auth = {0};
    mg__buf_printf(&auth, "Authorization: Bearer %s", o->token);
    if (auth.failed)
        return mg__nomem(err, "a header");
    struct curl_slist *h = NULL;
    const char *fixed[] = {"Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28",
                           "Content-Type: application/json", "Expect:"};
    for (size_t i = 0; i < MG_ARRAY_LEN(fixed) + 1; i++) {
        struct curl_slist *t = curl_slist_append(h, i < MG_ARRAY_LEN(fixed) ? fixed[i] : auth.data);
        if (t == NULL) {
            curl_slist_free_all(h);
            mg__buf_release(&auth);
            return mg__nomem(err, "a header");
        }
        h = t;
    }
    /* the slist copied the header; wipe ours */
    memset(auth.data, 0, auth.len);
    mg__buf_release(&auth);
    g->headers = h;
    double timeout = o->timeout_s > 0 ? o->timeout_s : DEFAULT_TIMEOUT_S;
    char ua[64];
    snprintf(ua, sizeof ua, "modelgate/%s", mg_version());
    curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(g->curl, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(g->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(g->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(g->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(g->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout * 500));
    curl_easy_setopt(g->curl, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(g->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(g->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    return MG_OK;
}

static json_t *parse_body(const gh *g, const char *method, const char *url, const response *r,
                          mg_error *err) {
    json_error_t je;
    json_t *v = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
    if (v == NULL)
        mg__fail(err, MG_ERR_IO, "%s %s: HTTP %ld with an answer that is not JSON (line %d: %s)",
                 method, short_url(g, url), r->status, je.line, je.text);
    return v;
}

/* ---- finding the pull request --------------------------------------------------- */

static int sha_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n < 7 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return 1;
}

static mg_status find_pr(gh *g, const char *sha, long *pr, mg_error *err) {
    *pr = 0;
    if (!sha_valid(sha))
        return mg__fail(err, MG_ERR_USAGE, "commit '%s' is not a hexadecimal SHA (--sha)",
                        sha ? sha : "");
    char url[URL_MAX];
    snprintf(url, sizeof url, "%s/repos/%s/commits/%s/pulls?per_page=100", g->base,
             g->o->repository, sha);
    if (g->o->dry_run) {
        trace(g, "GET", url, "the open pull request whose head is this commit", 0);
        return MG_OK;
    }
    response r = {0};
    mg_status st = request(g, "GET", url, NULL, &r, 1, 0, err);
    json_t *arr = st == MG_OK ? parse_body(g, "GET", url, &r, err) : NULL;
    mg__buf_release(&r.body);
    if (st != MG_OK)
        return st;
    if (arr == NULL)
        return MG_ERR_IO;
    long first_open = 0;
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p) {
        json_t *state = json_object_get(p, "state");
        json_t *num = json_object_get(p, "number");
        json_t *head = json_object_get(p, "head");
        json_t *hsha = json_is_object(head) ? json_object_get(head, "sha") : NULL;
        if (!json_is_integer(num) || json_integer_value(num) <= 0 ||
            json_integer_value(num) > 1000000000)
            continue;
        if (json_is_string(state) && strcmp(json_string_value(state), "open") != 0)
            continue;
        long n = (long)json_integer_value(num);
        if (json_is_string(hsha) && strcasecmp(json_string_value(hsha), sha) == 0) {
            *pr = n;
            break;
        }
        if (first_open == 0)
            first_open = n;
    }
    json_decref(arr);
    if (*pr == 0)
        *pr = first_open;
    if (*pr == 0)
        return mg__fail(err, MG_ERR_DATA,
                        "GET %s: commit %s belongs to no open pull request: nothing to comment on",
                        short_url(g, url), sha);
    return MG_OK;
}

mg_status mg_github_find_pr(const mg_github_options *opts, const char *sha, long *pr,
                            mg_error *err) {
    gh g;
    if (pr == NULL)
        return mg__fail(err, MG_ERR_USAGE, "mg_github_find_pr: pr is required");
    mg_status st = gh_open(&g, opts, err);
    if (st == MG_OK)
        st = find_pr(&g, sha, pr, err);
    gh_release(&g);
    return done(&g, st, err);
}

/* ---- the comment ------------------------------------------------------------------- */

/* The identity whose comments are ours: the token's own login when GET /user
 * answers, else a Bot with the configured login. */
typedef struct identity {
    char login[256];
    int must_be_bot;
} identity;

static mg_status who_am_i(gh *g, identity *id, mg_error *err) {
    char url[URL_MAX];
    snprintf(url, sizeof url, "%s/user", g->base);
    snprintf(id->login, sizeof id->login, "%s", g->author);
    id->must_be_bot = 1;
    if (g->o->dry_run) {
        char note[384];
        snprintf(note, sizeof note, "the token's identity; when refused, the bot %s", g->author);
        trace(g, "GET", url, note, 0);
        return MG_OK;
    }
    response r = {0};
    mg_status st = request(g, "GET", url, NULL, &r, 1, 1, err);
    if (st == MG_OK && r.status == 401) {
        char msg[256];
        api_message(&r, msg, sizeof msg);
        st = mg__fail(err, MG_ERR_IO, "GET /user: HTTP 401%s: the token was refused", msg);
    } else if (st == MG_OK && r.status == 200) {
        json_t *u = parse_body(g, "GET", url, &r, err);
        json_t *login = json_is_object(u) ? json_object_get(u, "login") : NULL;
        if (json_is_string(login) && json_string_length(login) < sizeof id->login) {
            snprintf(id->login, sizeof id->login, "%s", json_string_value(login));
            id->must_be_bot = 0;
        }
        json_decref(u);
        if (u == NULL)
            st = MG_ERR_IO;
    }
    mg__buf_release(&r.body);
    return st;
}

static int starts_with_marker(const char *body, const char *marker) {
    return strncmp(body, marker, strlen(marker)) == 0;
}

static int is_ours(json_t *c, const identity *id, const char *marker) {
    json_t *body = json_object_get(c, "body");
    json_t *user = json_object_get(c, "user");
    json_t *login = json_is_object(user) ? json_object_get(user, "login") : NULL;
    json_t *type = json_is_object(user) ? json_object_get(user, "type") : NULL;
    if (!json_is_string(body) || !json_is_string(login) ||
        !starts_with_marker(json_string_value(body), marker))
        return 0;
    if (strcmp(json_string_value(login), id->login) != 0)
        return 0;
    return !id->must_be_bot || (json_is_string(type) && strcmp(json_string_value(type), "Bot") == 0);
}

/* Lists the comments until ours is found: *found = its id, or 0. */
static mg_status find_comment(gh *g, long pr, const identity *id, const char *marker,
                              int64_t *found, mg_error *err) {
    char url[URL_MAX];
    snprintf(url, sizeof url, "%s/repos/%s/issues/%ld/comments?per_page=100", g->base,
             g->o->repository, pr);
    *found = 0;
    response r = {0};
    mg_status st = MG_OK;
    for (int page = 0; st == MG_OK && *found == 0; page++) {
        if (page == MAX_PAGES) {
            st = mg__fail(err, MG_ERR_IO, "GET %s: more than %d pages of comments",
                          short_url(g, url), MAX_PAGES);
            break;
        }
        st = request(g, "GET", url, NULL, &r, 1, 0, err);
        if (st != MG_OK)
            break;
        json_t *arr = parse_body(g, "GET", url, &r, err);
        if (arr == NULL) {
            st = MG_ERR_IO;
            break;
        }
        if (!json_is_array(arr)) {
            json_decref(arr);
            st = mg__fail(err, MG_ERR_IO, "GET %s: HTTP %ld with an answer that is not a list",
                          short_url(g, url), r.status);
            break;
        }
        size_t i;
        json_t *c;
        json_array_foreach(arr, i, c) {
            json_t *cid = json_object_get(c, "id");
            if (json_is_integer(cid) && json_integer_value(cid) > 0 && is_ours(c, id, marker)) {
                *found = (int64_t)json_integer_value(cid);
                break;
            }
        }
        json_decref(arr);
        if (*found || r.next[0] == '\0')
            break;
        /* The token goes only to the API base: a next page elsewhere is refused. */
        size_t bl = strlen(g->base);
        if (strncmp(r.next, g->base, bl) != 0 || r.next[bl] != '/') {
            st = mg__fail(err, MG_ERR_IO,
                          "GET %s: the Link header's next page is not under %s; not followed",
                          short_url(g, url), g->base);
            break;
        }
        snprintf(url, sizeof url, "%s", r.next);
    }
    mg__buf_release(&r.body);
    return st;
}

/* Characters (code points) of valid UTF-8 text; -1 with *bad at the first
 * invalid byte. */
static long long count_chars(const char *s, size_t len, size_t *bad) {
    long long n = 0;
    for (size_t i = 0; i < len;) {
        bool valid;
        size_t k = mg__utf8_decode((const unsigned char *)s + i, len - i, &valid);
        if (!valid || s[i] == '\0') {
            *bad = i;
            return -1;
        }
        i += k;
        n++;
    }
    return n;
}

static mg_status write_comment(gh *g, long pr, int64_t existing, const char *payload,
                               mg_github_comment_result *res, response *r, mg_error *err) {
    char url[URL_MAX];
    const char *method = existing ? "PATCH" : "POST";
    if (existing)
        snprintf(url, sizeof url, "%s/repos/%s/issues/comments/%lld", g->base, g->o->repository,
                 (long long)existing);
    else
        snprintf(url, sizeof url, "%s/repos/%s/issues/%ld/comments", g->base, g->o->repository,
                 pr);
    /* PATCH is idempotent and retried here; a POST is retried by the caller,
     * which lists the comments again first. */
    mg_status st = request(g, method, url, payload, r, existing != 0, 0, err);
    if (st != MG_OK)
        return st;
    json_t *c = parse_body(g, method, url, r, err);
    if (c == NULL)
        return MG_ERR_IO;
    json_t *cid = json_is_object(c) ? json_object_get(c, "id") : NULL;
    json_t *hu = json_is_object(c) ? json_object_get(c, "html_url") : NULL;
    res->id = json_is_integer(cid) ? (int64_t)json_integer_value(cid) : existing;
    if (json_is_string(hu))
        snprintf(res->url, sizeof res->url, "%s", json_string_value(hu));
    res->updated = existing != 0;
    json_decref(c);
    return MG_OK;
}

static mg_status upsert(gh *g, long pr, const char *marker_id, const char *body, size_t len,
                        mg_github_comment_result *res, mg_error *err) {
    if (!mg_github_marker_id_valid(marker_id))
        return mg__fail(err, MG_ERR_USAGE,
                        "marker '%s' is not 1 to 64 characters of A-Z a-z 0-9 . _ -",
                        marker_id ? marker_id : "");
    if (pr < 0 || (pr == 0 && !g->o->dry_run))
        return mg__fail(err, MG_ERR_USAGE, "pull request number %ld is not positive", pr);
    if (body == NULL)
        return mg__fail(err, MG_ERR_USAGE, "the comment body is required");
    size_t bad = 0;
    long long chars = count_chars(body, len, &bad);
    if (chars < 0)
        return mg__fail(err, MG_ERR_FORMAT,
                        "the report is not valid UTF-8 text at byte %zu: GitHub would refuse it",
                        bad);
    if (chars > MG_GITHUB_COMMENT_MAX_CHARS)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "the report has %lld characters, more than the %d GitHub accepts in a "
                        "comment: shorten it (modelgate gate folds and cuts report.md to fit)",
                        chars, MG_GITHUB_COMMENT_MAX_CHARS);
    char marker[96];
    snprintf(marker, sizeof marker, "<!-- modelgate:%s -->", marker_id);
    identity id;
    MG_TRY(who_am_i(g, &id, err));
    if (g->o->dry_run) {
        char pull[32], url[URL_MAX], note[512];
        if (pr > 0)
            snprintf(pull, sizeof pull, "%ld", pr);
        else
            snprintf(pull, sizeof pull, "{pull_number}");
        snprintf(url, sizeof url, "%s/repos/%s/issues/%s/comments?per_page=100", g->base,
                 g->o->repository, pull);
        trace(g, "GET", url, "then every page its Link header names as next", 0);
        snprintf(url, sizeof url, "%s/repos/%s/issues/comments/{comment_id}", g->base,
                 g->o->repository);
        snprintf(note, sizeof note, "when a comment by %s%s starts with %s (%lld characters)",
                 id.login, id.must_be_bot ? " (type Bot)" : "", marker, chars);
        trace(g, "PATCH", url, note, 0);
        snprintf(url, sizeof url, "%s/repos/%s/issues/%s/comments", g->base, g->o->repository,
                 pull);
        trace(g, "POST", url, "otherwise", 0);
        return MG_OK;
    }
    json_t *obj = json_object();
    json_t *s = json_stringn(body, len);
    if (obj == NULL || s == NULL || json_object_set_new(obj, "body", s) != 0) {
        json_decref(obj);
        return mg__nomem(err, "the comment");
    }
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (payload == NULL)
        return mg__nomem(err, "the comment");
    mg_status st;
    response r = {0};
    for (int attempt = 0;; attempt++) {
        int64_t existing = 0;
        st = find_comment(g, pr, &id, marker, &existing, err);
        if (st != MG_OK)
            break;
        st = write_comment(g, pr, existing, payload, res, &r, err);
        if (st == MG_OK || existing != 0 || !retryable(&r, r.status ? CURLE_OK : CURLE_GOT_NOTHING))
            break;
        char why[256];
        if (!wait_for_retry(g, &r, attempt, why, sizeof why)) {
            if (err == NULL)
                break;
            size_t n = strlen(err->text);
            if (n >= 12 && strcmp(err->text + n - 12, " (retryable)") == 0)
                err->text[n - 12] = '\0';
            snprintf(err->text + strlen(err->text), sizeof err->text - strlen(err->text), "%s",
                     why);
            break;
        }
    }
    mg__buf_release(&r.body);
    free(payload);
    return st;
}

mg_status mg_github_comment_upsert(const mg_github_options *opts, long pr, const char *marker_id,
                                   const char *body, size_t len, mg_github_comment_result *out,
                                   mg_error *err) {
    mg_github_comment_result local;
    mg_github_comment_result *res = out ? out : &local;
    memset(res, 0, sizeof *res);
    gh g;
    mg_status st = gh_open(&g, opts, err);
    if (st == MG_OK)
        st = upsert(&g, pr, marker_id, body, len, res, err);
    res->requests = g.requests;
    res->waited_s = g.waited;
    gh_release(&g);
    return done(&g, st, err);
}
