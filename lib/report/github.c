/* github.c - GitHub Actions: one workflow command per gate (::error for a
 * failed gate, and for an inconclusive one when on_inconclusive is "fail";
 * ::warning for another inconclusive gate; ::notice for a skipped or passed
 * one), worst first, at most max_annotations of each kind and then one
 * notice saying how many were left out; and the lines for $GITHUB_OUTPUT.
 *
 * Escaping follows the runner (actions/runner ActionCommand): in the message
 * '%' -> %25 first, CR -> %0D, LF -> %0A; in a property also ':' -> %3A and
 * ',' -> %2C. Other control characters are dropped and invalid UTF-8 becomes
 * U+FFFD, so a line of data can never start a command of its own. */
#include "report/render_internal.h"

static void gh_escape(mg__buf *b, const char *s, size_t len, bool property) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c == '%')
                mg__buf_puts(b, "%25");
            else if (c == '\r')
                mg__buf_puts(b, "%0D");
            else if (c == '\n')
                mg__buf_puts(b, "%0A");
            else if (property && c == ':')
                mg__buf_puts(b, "%3A");
            else if (property && c == ',')
                mg__buf_puts(b, "%2C");
            else if (c >= 0x20 && c != 0x7f)
                mg__buf_append(b, &c, 1);
            else if (c == '\t')
                mg__buf_puts(b, " ");
            i++;
            continue;
        }
        bool ok;
        size_t n = mg__utf8_decode(p + i, len - i, &ok);
        if (!ok)
            mg__buf_puts(b, "\xEF\xBF\xBD");
        else if (!(n == 2 && c == 0xC2 && p[i + 1] < 0xA0)) /* C1 controls dropped */
            mg__buf_append(b, p + i, n);
        i += n;
    }
}

static void gh_data(mg__buf *b, const char *s, size_t len) {
    gh_escape(b, s, len, false);
}

static void gh_prop(mg__buf *b, const char *s, size_t len) {
    gh_escape(b, s, len, true);
}

/* "PATH:LINE:COL ..." (a gate's source) into its parts; false otherwise. */
static bool split_source(const char *s, size_t n, size_t *path_len, long *line, long *col) {
    /* the last "…:DIGITS:DIGITS" before the first space after it (and the
     * colon that ends "PATH:LINE:COL: KEY") */
    size_t end = 0;
    while (end < n && s[end] != ' ')
        end++;
    if (end > 0 && s[end - 1] == ':')
        end--;
    size_t i = end;
    long nums[2] = {0, 0};
    for (int k = 1; k >= 0; k--) {
        size_t stop = i;
        while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
            i--;
        if (i == stop || stop - i > 9 || i == 0 || s[i - 1] != ':')
            return false;
        long v = 0;
        for (size_t j = i; j < stop; j++)
            v = v * 10 + (s[j] - '0');
        nums[k] = v;
        i--; /* the ':' */
    }
    if (i == 0)
        return false;
    *path_len = i;
    *line = nums[0];
    *col = nums[1];
    return true;
}

/* Appends path's parts ('/'-separated, "." dropped, ".." removing the one
 * before) to parts; false when a ".." goes above the root. */
static bool path_parts(mg__buf *out, const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == '/')
            i++;
        size_t st = i;
        while (i < n && s[i] != '/')
            i++;
        size_t len = i - st;
        if (len == 0 || (len == 1 && s[st] == '.'))
            continue;
        if (len == 2 && s[st] == '.' && s[st + 1] == '.') {
            if (out->len == 0)
                return false;
            while (out->len > 0 && out->data[out->len - 1] != '/')
                out->len--;
            if (out->len > 0)
                out->len--; /* the '/' */
            continue;
        }
        mg__buf_puts(out, "/");
        mg__buf_append(out, s + st, len);
    }
    return true;
}

/* The policy file path for `file=`, relative to the workspace (see
 * mg_report_options); false when there is none to give. */
static bool annotation_file(mg__buf *out, const char *path, size_t n, const mg_report_options *o) {
    bool absolute = n > 0 && path[0] == '/';
    if (o->workspace == NULL) {
        if (absolute)
            return false;
        mg__buf_append(out, path, n);
        return true;
    }
    mg__buf ws = {0}, full = {0};
    bool ok = o->workspace[0] == '/' && path_parts(&ws, o->workspace, strlen(o->workspace));
    if (ok && !absolute) {
        const char *base = o->cwd != NULL && o->cwd[0] == '/' ? o->cwd : o->workspace;
        ok = path_parts(&full, base, strlen(base));
    }
    ok = ok && path_parts(&full, path, n) && !ws.failed && !full.failed;
    /* under the workspace: ws is a prefix of full followed by '/' */
    ok = ok && full.len > ws.len && (ws.len == 0 || memcmp(full.data, ws.data, ws.len) == 0) &&
         full.data[ws.len] == '/';
    if (ok)
        mg__buf_append(out, full.data + ws.len + 1, full.len - ws.len - 1);
    mg__buf_release(&ws);
    mg__buf_release(&full);
    return ok;
}

static void annotation(mg__buf *b, const char *cmd, json_t *g, const mg_report_options *o) {
    mg__buf_printf(b, "::%s ", cmd);
    size_t slen;
    const char *src = mg__report_get_string(g, "source", &slen);
    size_t plen;
    long line, col;
    mg__buf file = {0};
    if (src != NULL && split_source(src, slen, &plen, &line, &col) &&
        annotation_file(&file, src, plen, o) && file.len > 0) {
        mg__buf_puts(b, "file=");
        gh_prop(b, file.data, file.len);
        mg__buf_printf(b, ",line=%ld,col=%ld,", line, col);
    }
    b->failed |= file.failed;
    mg__buf_release(&file);
    mg__buf_puts(b, "title=");
    mg__buf tmp = {0};
    mg__buf_puts(&tmp, "modelgate: ");
    size_t nlen;
    const char *name = mg__report_get_string(g, "name", &nlen);
    mg__buf_append(&tmp, name, nlen);
    b->failed |= tmp.failed;
    if (tmp.data != NULL)
        gh_prop(b, tmp.data, tmp.len);
    mg__buf_release(&tmp);
    mg__buf_puts(b, "::");
    const char *v = mg__report_get_string(g, "verdict", NULL);
    mg__buf_printf(b, "%s: ", v);
    gh_data(b, name, nlen);
    json_t *value = json_object_get(g, "value");
    mg__buf_puts(b, " = ");
    mg__report_value_ci(b, value, json_object_get(g, "ci"), NULL);
    json_t *thr = json_object_get(g, "threshold");
    if (json_is_number(thr)) {
        char nb[MG__REPORT_NUMBER_CAP];
        const char *op = mg__report_get_string(g, "op", NULL);
        mg__buf_printf(b, " (threshold %s %s)", op != NULL ? op : "",
                       mg__report_number(json_number_value(thr), nb, sizeof nb));
    }
    size_t rlen;
    const char *reason = mg__report_get_string(g, "reason", &rlen);
    if (reason != NULL) {
        mg__buf_puts(b, ": ");
        gh_data(b, reason, rlen);
    }
    const char *vr = mg__report_get_string(g, "value_reason", &rlen);
    if (vr != NULL) {
        mg__buf_puts(b, " (");
        gh_data(b, vr, rlen);
        mg__buf_puts(b, ")");
    }
    mg__buf_puts(b, "\n");
}

/* Which command a gate gets: 0 error, 1 warning, 2 notice. */
static int gate_kind(const char *verdict, bool inconclusive_fails) {
    if (strcmp(verdict, "fail") == 0)
        return 0;
    if (strcmp(verdict, "inconclusive") == 0)
        return inconclusive_fails ? 0 : 1;
    return 2;
}

mg_status mg__report_github(const mg__report_doc *doc, const mg_report_options *o, char **out,
                            size_t *len, mg_error *err) {
    static const char *const cmds[] = {"error", "warning", "notice"};
    json_t *gates = json_object_get(doc->gate, "gates");
    const char *oi = mg__report_get_string(doc->gate, "on_inconclusive", NULL);
    bool inconclusive_fails = oi == NULL || strcmp(oi, "fail") == 0;
    size_t shown[3] = {0}, left[3] = {0};
    mg__buf b = {0};
    /* worst first: by verdict rank (fail, inconclusive, skipped, pass), then in order */
    for (int rank = 3; rank >= 0; rank--) {
        size_t i;
        json_t *g;
        json_array_foreach(gates, i, g) {
            const char *v = mg__report_get_string(g, "verdict", NULL);
            if (mg__report_verdict_rank(v) != rank)
                continue;
            int k = gate_kind(v, inconclusive_fails);
            if (shown[k] >= (size_t)o->max_annotations) {
                left[k]++;
                continue;
            }
            shown[k]++;
            annotation(&b, cmds[k], g, o);
        }
    }
    if (left[0] + left[1] + left[2] > 0)
        mg__buf_printf(&b,
                       "::notice title=modelgate::%zu error, %zu warning and %zu notice "
                       "annotations were left out (at most %d of each kind); see ",
                       left[0], left[1], left[2], o->max_annotations);
    if (left[0] + left[1] + left[2] > 0) {
        gh_data(&b, doc->gate_name, strlen(doc->gate_name));
        mg__buf_puts(&b, "\n");
    }
    return mg__report_finish(&b, out, len, err);
}

/* ---- $GITHUB_OUTPUT ----------------------------------------------------- */

typedef struct output_kv {
    char *name, *value;
} output_kv;

typedef struct output_list {
    output_kv *items;
    size_t n, cap;
    bool failed;
} output_list;

static bool has_name(const output_list *l, const char *name) {
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return true;
    return false;
}

/* Adds name=value (both copied) unless name is already there. */
static void add_output(output_list *l, const char *name, const char *value) {
    if (l->failed || has_name(l, name))
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        output_kv *items = mg__realloc_array(l->items, cap, sizeof *items);
        if (items == NULL) {
            l->failed = true;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    char *n = mg__strdup(name), *v = mg__strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        l->failed = true;
        return;
    }
    l->items[l->n].name = n;
    l->items[l->n].value = v;
    l->n++;
}

static void add_number(output_list *l, const char *name, json_t *v) {
    char nb[40];
    if (json_is_number(v))
        mg_format_double(json_number_value(v), nb, sizeof nb);
    else
        snprintf(nb, sizeof nb, "null");
    add_output(l, name, nb);
}

/* A gate's output name: metric (with "_change" for a regression gate, whose
 * value is a change, not the metric), then attribute value(s), '_'-joined,
 * with every character outside [A-Za-z0-9_-] as '_'. */
static void output_name(mg__buf *b, json_t *g) {
    json_t *metric = json_object_get(g, "metric");
    if (json_is_string(metric))
        mg__buf_puts(b, json_string_value(metric));
    else
        mg__buf_puts(b, json_string_value(json_object_get(g, "name")));
    json_t *kind = json_object_get(g, "kind");
    if (json_is_string(kind) && strcmp(json_string_value(kind), "regression") == 0)
        mg__buf_puts(b, "_change");
    json_t *attr = json_object_get(g, "attribute");
    if (json_is_string(attr)) {
        mg__buf_puts(b, "_");
        mg__buf_puts(b, json_string_value(attr));
    } else if (json_is_array(attr)) {
        size_t i;
        json_t *a;
        json_array_foreach(attr, i, a) {
            if (json_is_string(a)) {
                mg__buf_puts(b, "_");
                mg__buf_puts(b, json_string_value(a));
            }
        }
    }
    for (size_t i = 0; i < b->len; i++) {
        char c = b->data[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            b->data[i] = '_';
    }
}

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

mg_status mg_report_github_outputs(const mg_report_inputs *in, const char *report_path,
                                   const char *gate_path, uint64_t seed, char **out,
                                   size_t *len, mg_error *err) {
    if (out == NULL)
        return mg__fail(err, MG_ERR_USAGE, "mg_report_github_outputs: out is NULL");
    *out = NULL;
    if (len != NULL)
        *len = 0;
    mg__report_doc doc;
    MG_TRY(mg__report_load(in, &doc, err));
    output_list l = {0};
    add_output(&l, "verdict", json_string_value(json_object_get(doc.gate, "verdict")));
    /* accuracy and p99_ms are the model's, from metrics.json and
     * latency.json, before any gate's value: the first of a name is kept. */
    if (doc.metrics != NULL && json_is_number(json_object_get(doc.metrics, "accuracy")))
        add_number(&l, "accuracy", json_object_get(doc.metrics, "accuracy"));
    if (doc.latency != NULL && json_is_number(json_object_get(doc.latency, "p99_ms")))
        add_number(&l, "p99_ms", json_object_get(doc.latency, "p99_ms"));
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(doc.gate, "gates"), i, g) {
        /* A slice gate gives a value per slice: gate.json lists them; one
         * output could name only an arbitrary slice. */
        const char *kind = json_string_value(json_object_get(g, "kind"));
        if (kind != NULL && strcmp(kind, "slice") == 0)
            continue;
        mg__buf name = {0};
        output_name(&name, g);
        if (name.failed || name.data == NULL)
            l.failed = true;
        else
            add_number(&l, name.data, json_object_get(g, "value"));
        mg__buf_release(&name);
    }
    if (report_path != NULL)
        add_output(&l, "report", report_path);
    if (gate_path != NULL)
        add_output(&l, "gate_json", gate_path);
    mg__report_doc_release(&doc);

    /* A delimiter that is in no value: "ghadelimiter_" and 32 hex digits
     * drawn from the seed, drawn again on the (unlikely) match. */
    char delim[64];
    uint64_t state = seed;
    for (;;) {
        uint64_t a = splitmix64(&state), c = splitmix64(&state);
        snprintf(delim, sizeof delim, "ghadelimiter_%016" PRIx64 "%016" PRIx64, a, c);
        bool clash = false;
        for (size_t k = 0; k < l.n && !clash; k++)
            clash = strstr(l.items[k].value, delim) != NULL;
        if (!clash)
            break;
    }
    mg__buf b = {0};
    for (size_t k = 0; k < l.n; k++) {
        const char *v = l.items[k].value;
        if (strpbrk(v, "\r\n") != NULL)
            mg__buf_printf(&b, "%s<<%s\n%s\n%s\n", l.items[k].name, delim, v, delim);
        else
            mg__buf_printf(&b, "%s=%s\n", l.items[k].name, v);
    }
    for (size_t k = 0; k < l.n; k++) {
        free(l.items[k].name);
        free(l.items[k].value);
    }
    free(l.items);
    if (l.failed) {
        mg__buf_release(&b);
        return mg__nomem(err, "the GitHub outputs");
    }
    return mg__report_finish(&b, out, len, err);
}
