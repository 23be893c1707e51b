/* http.c - a model served over HTTP with the KServe v2 REST protocol: every
 * predict is one POST of {"inputs":[{"name":"input-0","shape":[n,f],
 * "datatype":"FP64","data":[...]}]} to .../v2/models/NAME/infer, answered by
 * {"outputs":[{"data":[...]}, ...]}. One libcurl handle per model keeps the
 * connection alive between requests, as a latency client should. */
#include "model/http.h"
#include "modelgate/modelgate.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>

#define DEFAULT_CONNECT_TIMEOUT_S 30.0
#define DEFAULT_REQUEST_TIMEOUT_S 60.0
#define MAX_RESPONSE (256u << 20)

typedef struct http_state {
    CURL *curl;
    struct curl_slist *headers;
    char *infer_url, *meta_url;
    mg__buf body, response;
    char curl_error[CURL_ERROR_SIZE];
} http_state;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void) {
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- a small JSON reader: just enough to walk a KServe response --------- */

typedef struct jreader {
    const char *p, *end;
} jreader;

static void jws(jreader *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool jpeek(jreader *j, char c) {
    jws(j);
    return j->p < j->end && *j->p == c;
}

static bool jeat(jreader *j, char c) {
    if (!jpeek(j, c))
        return false;
    j->p++;
    return true;
}

/* A string's raw bytes between the quotes (escapes left as they are). */
static bool jstring(jreader *j, const char **s, size_t *len) {
    if (!jeat(j, '"'))
        return false;
    const char *start = j->p;
    while (j->p < j->end && *j->p != '"') {
        if (*j->p == '\\' && j->p + 1 < j->end)
            j->p++;
        j->p++;
    }
    if (j->p >= j->end)
        return false;
    *s = start;
    *len = (size_t)(j->p - start);
    j->p++;
    return true;
}

static bool jnumber(jreader *j, double *v) {
    jws(j);
    const char *start = j->p;
    while (j->p < j->end && strchr("+-0123456789.eE", *j->p) != NULL)
        j->p++;
    return j->p > start && mg_parse_double(start, (size_t)(j->p - start), v) == 0;
}

static bool jliteral(jreader *j, const char *word) {
    jws(j);
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool jskip(jreader *j, int depth) {
    if (depth > 64)
        return false;
    const char *s;
    size_t len;
    double d;
    if (jpeek(j, '"'))
        return jstring(j, &s, &len);
    if (jeat(j, '{')) {
        if (jeat(j, '}'))
            return true;
        do {
            if (!jstring(j, &s, &len) || !jeat(j, ':') || !jskip(j, depth + 1))
                return false;
        } while (jeat(j, ','));
        return jeat(j, '}');
    }
    if (jeat(j, '[')) {
        if (jeat(j, ']'))
            return true;
        do {
            if (!jskip(j, depth + 1))
                return false;
        } while (jeat(j, ','));
        return jeat(j, ']');
    }
    if (jliteral(j, "true") || jliteral(j, "false") || jliteral(j, "null"))
        return true;
    return jnumber(j, &d);
}

/* With j at an object, moves j to the value of `key`; false when absent. */
static bool jfind(jreader *j, const char *key) {
    if (!jeat(j, '{'))
        return false;
    if (jeat(j, '}'))
        return false;
    size_t klen = strlen(key);
    do {
        const char *s;
        size_t len;
        if (!jstring(j, &s, &len) || !jeat(j, ':'))
            return false;
        if (len == klen && memcmp(s, key, len) == 0)
            return true;
        if (!jskip(j, 1))
            return false;
    } while (jeat(j, ','));
    return false;
}

/* Reads a (possibly nested) array of numbers into out[0..cap), counting all of
 * them in *n even past cap. */
static bool jnumbers(jreader *j, double *out, int64_t cap, int64_t *n, int depth) {
    if (depth > 8 || !jeat(j, '['))
        return false;
    if (jeat(j, ']'))
        return true;
    do {
        if (jpeek(j, '[')) {
            if (!jnumbers(j, out, cap, n, depth + 1))
                return false;
            continue;
        }
        double v;
        if (jliteral(j, "null"))
            v = NAN;
        else if (jliteral(j, "true"))
            v = 1;
        else if (jliteral(j, "false"))
            v = 0;
        else if (!jnumber(j, &v))
            return false;
        if (*n < cap)
            out[*n] = v;
        (*n)++;
    } while (jeat(j, ','));
    return jeat(j, ']');
}

/* With j at an array, moves j to element i (0-based). */
static bool jindex(jreader *j, int i) {
    if (!jeat(j, '['))
        return false;
    for (int k = 0; k < i; k++)
        if (!jskip(j, 1) || !jeat(j, ','))
            return false;
    return !jpeek(j, ']');
}

/* ---- requests ------------------------------------------------------------ */

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx) {
    mg__buf *b = ctx;
    size_t n = size * nmemb;
    if (b->len + n > MAX_RESPONSE)
        return 0; /* aborts the transfer: a runaway answer is an error, not memory exhaustion */
    mg__buf_append(b, ptr, n);
    return b->failed ? 0 : n;
}

/* The server's own explanation in an error answer ({"error": "..."}), else its start. */
static void error_detail(const mg__buf *resp, char *out, size_t cap) {
    out[0] = '\0';
    if (resp->len == 0)
        return;
    jreader j = {resp->data, resp->data + resp->len};
    const char *s = resp->data;
    size_t len = resp->len;
    if (jfind(&j, "error") && jpeek(&j, '"'))
        jstring(&j, &s, &len);
    if (len > 200)
        len = 200;
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < cap; i++)
        out[k++] = (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
    out[k] = '\0';
}

/* Performs the prepared request; on success *status is the HTTP status. */
static mg_status perform(mg_model *m, const char *url, long *status, mg_error *err) {
    http_state *h = m->state;
    h->response.len = 0;
    h->response.failed = false;
    h->curl_error[0] = '\0';
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    CURLcode rc = curl_easy_perform(h->curl);
    /* errors name the --model URL; a metadata read also names where it went */
    bool meta = url != h->infer_url;
    const char *why = h->curl_error[0] ? h->curl_error : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return mg__fail(err, MG_ERR_MODEL, "%s: %s%s%sno answer within the timeout (%s)",
                        h->infer_url, meta ? "GET " : "", meta ? url : "", meta ? ": " : "", why);
    if (rc != CURLE_OK)
        return mg__fail(err, MG_ERR_MODEL, "%s: %s%s%s%s", h->infer_url, meta ? "GET " : "",
                        meta ? url : "", meta ? ": " : "", why);
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, status);
    if (h->response.failed)
        return mg__nomem(err, "the HTTP answer");
    return MG_OK;
}

/* Reads the model metadata (GET .../v2/models/NAME): input and output shapes,
 * when the server offers them. A server without the endpoint is fine. */
static mg_status read_metadata(mg_model *m, mg_error *err) {
    http_state *h = m->state;
    curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
    long status = 0;
    mg_status st = perform(m, h->meta_url, &status, err);
    curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
    if (st != MG_OK || status != 200)
        return st;
    double shape[4];
    int64_t n = 0;
    jreader j = {h->response.data, h->response.data + h->response.len};
    if (jfind(&j, "inputs") && jindex(&j, 0) && jfind(&j, "shape") &&
        jnumbers(&j, shape, 4, &n, 0) && n == 2 && shape[1] >= 0 && shape[1] < 1e7)
        m->info.nfeatures = (int)shape[1];
    n = 0;
    j.p = h->response.data;
    if (jfind(&j, "outputs") && jindex(&j, 0) && jfind(&j, "shape") &&
        jnumbers(&j, shape, 4, &n, 0) && n == 2 && shape[1] >= 1 && shape[1] < 1e5) {
        m->info.noutputs = (int)shape[1];
        if (m->info.noutputs > 1)
            m->info.kind = MG_OUTPUT_CLASS_PROBS;
    }
    return MG_OK;
}

static mg_status http_predict(mg_model *m, const double *rows, int64_t nrows, int nfeatures,
                              double *out, mg_error *err) {
    http_state *h = m->state;
    mg__buf *b = &h->body;
    b->len = 0;
    b->failed = false;
    mg__buf_printf(b,
                   "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[%" PRId64
                   ",%d],\"datatype\":\"FP64\",\"data\":[",
                   nrows, nfeatures);
    char num[40];
    int64_t total = nrows * nfeatures;
    for (int64_t i = 0; i < total; i++) {
        if (i > 0)
            mg__buf_append(b, ",", 1);
        if (isfinite(rows[i])) {
            int len = mg_format_double(rows[i], num, sizeof num);
            mg__buf_append(b, num, (size_t)len);
        } else {
            mg__buf_puts(b, "null"); /* JSON has no NaN; a missing value travels as null */
        }
    }
    mg__buf_puts(b, "]}]}");
    if (b->failed)
        return mg__nomem(err, "the HTTP request");
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, b->data);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
    long status = 0;
    MG_TRY(perform(m, h->infer_url, &status, err));
    if (status != 200) {
        char detail[256];
        error_detail(&h->response, detail, sizeof detail);
        return mg__fail(err, MG_ERR_MODEL, "%s: HTTP status %ld%s%s", h->infer_url, status,
                        detail[0] ? ": " : "", detail);
    }
    int k = m->info.noutputs > 0 ? m->info.noutputs : 1;
    int64_t want = nrows * k, got = 0;
    jreader j = {h->response.data, h->response.data + h->response.len};
    if (!(jfind(&j, "outputs") && jindex(&j, 0) && jfind(&j, "data")))
        return mg__fail(err, MG_ERR_MODEL,
                        "%s: the answer has no outputs[0].data (KServe v2 expects "
                        "{\"outputs\":[{\"data\":[...]}]})",
                        h->infer_url);
    const char *at = j.p;
    if (!jnumbers(&j, out, want, &got, 0))
        return mg__fail(err, MG_ERR_MODEL,
                        "%s: outputs[0].data at byte %td of the answer is not an array of numbers",
                        h->infer_url, at - h->response.data);
    if (got != want)
        return mg__fail(err, MG_ERR_MODEL,
                        "%s: the answer holds %" PRId64 " values for %" PRId64
                        " rows; expected %d per row",
                        h->infer_url, got, nrows, k);
    return MG_OK;
}

static void http_release(mg_model *m) {
    http_state *h = m->state;
    if (h == NULL)
        return;
    if (h->curl != NULL)
        curl_easy_cleanup(h->curl);
    curl_slist_free_all(h->headers);
    free(h->infer_url);
    free(h->meta_url);
    mg__buf_release(&h->body);
    mg__buf_release(&h->response);
    free(h);
    m->state = NULL;
}

/* batches of 1024 rows keep a JSON request body near a megabyte at 100 features */
const mg__backend mg__http_backend = {
    .name = "http", .batch_size = 1024, .predict = http_predict, .release = http_release};

mg_status mg__http_open(const char *arg, mg_model *m, mg_error *err) {
    const char *infer = strstr(arg, "/v2/models/");
    size_t len = strlen(arg);
    if (infer == NULL || len < 6 || strcmp(arg + len - 6, "/infer") != 0 ||
        arg + len - 6 <= infer + 11)
        return mg__fail(err, MG_ERR_USAGE,
                        "model %s: expected a KServe v2 endpoint "
                        "http://HOST:PORT/v2/models/NAME/infer",
                        arg);
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK)
        return mg__fail(err, MG_ERR_MODEL, "model %s: libcurl failed to start: %s", arg,
                        curl_easy_strerror(curl_init_result));
    http_state *h = mg__calloc(1, sizeof *h);
    if (h == NULL)
        return mg__nomem(err, "the HTTP model");
    m->state = h;
    m->info.kind = MG_OUTPUT_UNKNOWN;
    m->info.noutputs = 1;
    h->infer_url = mg__strdup(arg);
    h->meta_url = mg__strndup(arg, len - 6);
    h->curl = curl_easy_init();
    h->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (h->infer_url == NULL || h->meta_url == NULL || h->curl == NULL || h->headers == NULL)
        return mg__nomem(err, "the HTTP model");
    double connect_s =
        m->opts.start_timeout_s > 0 ? m->opts.start_timeout_s : DEFAULT_CONNECT_TIMEOUT_S;
    double request_s =
        m->opts.batch_timeout_s > 0 ? m->opts.batch_timeout_s : DEFAULT_REQUEST_TIMEOUT_S;
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->response);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_error);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect_s * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(request_s * 1000));
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    /* no Expect: 100-continue round trip on larger bodies */
    h->headers = curl_slist_append(h->headers, "Expect:");
    if (h->headers == NULL)
        return mg__nomem(err, "the HTTP model");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
    return read_metadata(m, err);
}
