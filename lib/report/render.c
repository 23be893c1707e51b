/* render.c - mg_report_render's dispatcher, the loading and checking of the
 * result files, and the helpers every report writer shares (numbers,
 * verdicts, group labels; see render_internal.h). */
#include "report/render_internal.h"
#include "modelgate/github.h"

#include <math.h>

static const char *name_or(const char *name, const char *dflt) {
    return name != NULL ? name : dflt;
}

int mg_report_format_parse(const char *name, mg_report_format *out) {
    static const struct {
        const char *name;
        mg_report_format f;
    } table[] = {{"markdown", MG_REPORT_MARKDOWN},
                 {"html", MG_REPORT_HTML},
                 {"junit", MG_REPORT_JUNIT},
                 {"model-card", MG_REPORT_MODEL_CARD},
                 {"github", MG_REPORT_GITHUB}};
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < MG_ARRAY_LEN(table); i++)
        if (strcmp(name, table[i].name) == 0) {
            if (out != NULL)
                *out = table[i].f;
            return 0;
        }
    return -1;
}

void mg_report_options_init(mg_report_options *o) {
    if (o == NULL)
        return;
    o->marker_id = NULL; /* gate.json's "marker", else "gate" */
    o->max_markdown = 65000;
    o->max_annotations = 10;
    o->workspace = NULL;
    o->cwd = NULL;
}

void mg__report_options_resolve(const mg_report_options *o, mg_report_options *out) {
    mg_report_options_init(out);
    if (o == NULL)
        return;
    if (o->marker_id != NULL)
        out->marker_id = o->marker_id;
    if (o->max_markdown > 0)
        out->max_markdown = o->max_markdown;
    if (o->max_annotations > 0)
        out->max_annotations = o->max_annotations;
    out->workspace = o->workspace;
    out->cwd = o->cwd;
}

mg_status mg__report_finish(mg__buf *b, char **out, size_t *len, mg_error *err) {
    if (b->failed) {
        mg__buf_release(b);
        return mg__nomem(err, "the report");
    }
    size_t n = b->len;
    char *text = mg__buf_detach(b);
    if (text == NULL) {
        text = mg__strdup("");
        if (text == NULL)
            return mg__nomem(err, "the report");
        n = 0;
    }
    *out = text;
    if (len != NULL)
        *len = n;
    return MG_OK;
}

/* ---- loading ---------------------------------------------------------- */

/* Parses text (name for messages) into *out: an object. Integers are read as
 * doubles, so that one beyond int64 (a 64-bit seed) is a number, not an
 * error. */
static mg_status parse_one(const char *text, const char *name, json_t **out, mg_error *err) {
    size_t n = strlen(text);
    mg__buf clean = {0};
    mg__utf8_sanitize(&clean, text, n);
    if (clean.failed) {
        mg__buf_release(&clean);
        return mg__nomem(err, name);
    }
    json_error_t je;
    json_t *root = json_loadb(clean.data != NULL ? clean.data : "", clean.len,
                              JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
                                  JSON_DECODE_INT_AS_REAL,
                              &je);
    mg__buf_release(&clean);
    if (root == NULL) {
        mg__fail(err, MG_ERR_DATA, "%s:%d:%d: not valid JSON: %s", name, je.line, je.column,
                 je.text);
        return mg__error_at(err, name, je.line, je.column, je.position);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return mg__fail(err, MG_ERR_DATA, "%s: expected a JSON object at the top level", name);
    }
    *out = root;
    return MG_OK;
}

static bool one_of(const char *s, const char *const *set) {
    for (; *set != NULL; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static mg_status check_gate(json_t *gate, const char *name, mg_error *err) {
    static const char *const overall[] = {"pass", "fail", "inconclusive", NULL};
    static const char *const each[] = {"pass", "fail", "inconclusive", "skipped", NULL};
    const char *v = mg__report_get_string(gate, "verdict", NULL);
    if (v == NULL)
        return mg__fail(err, MG_ERR_DATA, "%s: verdict: missing or not a string", name);
    if (!one_of(v, overall))
        return mg__fail(err, MG_ERR_DATA,
                        "%s: verdict: expected pass, fail or inconclusive, got '%.40s'", name, v);
    json_t *gates = json_object_get(gate, "gates");
    if (!json_is_array(gates))
        return mg__fail(err, MG_ERR_DATA, "%s: gates: missing or not an array", name);
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        if (!json_is_object(g))
            return mg__fail(err, MG_ERR_DATA, "%s: gates[%zu]: expected an object", name, i);
        if (mg__report_get_string(g, "name", NULL) == NULL)
            return mg__fail(err, MG_ERR_DATA, "%s: gates[%zu].name: missing or not a string",
                            name, i);
        const char *gv = mg__report_get_string(g, "verdict", NULL);
        if (gv == NULL || !one_of(gv, each))
            return mg__fail(err, MG_ERR_DATA,
                            "%s: gates[%zu].verdict: expected pass, fail, inconclusive or "
                            "skipped",
                            name, i);
        static const char *const numeric[] = {"value", "threshold"};
        for (size_t k = 0; k < MG_ARRAY_LEN(numeric); k++) {
            json_t *x = json_object_get(g, numeric[k]);
            if (x != NULL && !json_is_null(x) && !json_is_number(x))
                return mg__fail(err, MG_ERR_DATA, "%s: gates[%zu].%s: expected a number or null",
                                name, i, numeric[k]);
        }
        const char *op = mg__report_get_string(g, "op", NULL);
        if (op != NULL && strcmp(op, ">=") != 0 && strcmp(op, "<=") != 0)
            return mg__fail(err, MG_ERR_DATA, "%s: gates[%zu].op: expected \">=\" or \"<=\"",
                            name, i);
        json_t *ci = json_object_get(g, "ci");
        if (ci != NULL && !json_is_null(ci) && !json_is_object(ci))
            return mg__fail(err, MG_ERR_DATA, "%s: gates[%zu].ci: expected an object or null",
                            name, i);
        static const char *const strings[] = {"kind", "metric", "op", "reason", "source",
                                              "value_reason"};
        for (size_t k = 0; k < MG_ARRAY_LEN(strings); k++) {
            json_t *x = json_object_get(g, strings[k]);
            if (x != NULL && !json_is_null(x) && !json_is_string(x))
                return mg__fail(err, MG_ERR_DATA, "%s: gates[%zu].%s: expected a string or null",
                                name, i, strings[k]);
        }
    }
    json_t *oi = json_object_get(gate, "on_inconclusive");
    if (oi != NULL && !json_is_null(oi)) {
        static const char *const policies[] = {"fail", "warn", "pass", NULL};
        if (!json_is_string(oi) || !one_of(json_string_value(oi), policies))
            return mg__fail(err, MG_ERR_DATA,
                            "%s: on_inconclusive: expected fail, warn or pass", name);
    }
    json_t *prov = json_object_get(gate, "provenance");
    if (prov != NULL && !json_is_null(prov) && !json_is_object(prov))
        return mg__fail(err, MG_ERR_DATA, "%s: provenance: expected an object or null", name);
    return MG_OK;
}

void mg__report_doc_release(mg__report_doc *doc) {
    if (doc == NULL)
        return;
    json_t **all[] = {&doc->gate,       &doc->metrics, &doc->fairness,
                      &doc->latency,    &doc->comparison, &doc->meta};
    for (size_t i = 0; i < MG_ARRAY_LEN(all); i++) {
        json_decref(*all[i]);
        *all[i] = NULL;
    }
}

mg_status mg__report_load(const mg_report_inputs *in, mg__report_doc *doc, mg_error *err) {
    memset(doc, 0, sizeof *doc);
    if (in == NULL || in->gate_json == NULL)
        return mg__fail(err, MG_ERR_USAGE, "%s is required for every report",
                        in != NULL ? name_or(in->gate_name, "gate.json") : "gate.json");
    doc->gate_name = name_or(in->gate_name, "gate.json");
    doc->metrics_name = name_or(in->metrics_name, "metrics.json");
    doc->fairness_name = name_or(in->fairness_name, "fairness.json");
    doc->latency_name = name_or(in->latency_name, "latency.json");
    doc->comparison_name = name_or(in->comparison_name, "comparison.json");
    struct {
        const char *text, *name;
        json_t **dst;
    } files[] = {{in->gate_json, doc->gate_name, &doc->gate},
                 {in->metrics_json, doc->metrics_name, &doc->metrics},
                 {in->fairness_json, doc->fairness_name, &doc->fairness},
                 {in->latency_json, doc->latency_name, &doc->latency},
                 {in->comparison_json, doc->comparison_name, &doc->comparison},
                 {in->model_meta_json, "the model's registry metadata", &doc->meta}};
    for (size_t i = 0; i < MG_ARRAY_LEN(files); i++) {
        if (files[i].text == NULL)
            continue;
        mg_status st = parse_one(files[i].text, files[i].name, files[i].dst, err);
        if (st != MG_OK) {
            mg__report_doc_release(doc);
            return st;
        }
    }
    mg_status st = check_gate(doc->gate, doc->gate_name, err);
    if (st != MG_OK)
        mg__report_doc_release(doc);
    return st;
}

/* ---- look-ups --------------------------------------------------------- */

bool mg__report_get_number(json_t *obj, const char *key, double *out) {
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!json_is_number(v))
        return false;
    *out = json_number_value(v);
    return true;
}

const char *mg__report_get_string(json_t *obj, const char *key, size_t *len) {
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!json_is_string(v))
        return NULL;
    if (len != NULL)
        *len = json_string_length(v);
    return json_string_value(v);
}

json_t *mg__report_get_object(json_t *obj, const char *key) {
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_object(v) ? v : NULL;
}

json_t *mg__report_get_array(json_t *obj, const char *key) {
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_array(v) ? v : NULL;
}

/* ---- numbers and verdicts --------------------------------------------- */

const char *mg__report_number(double v, char *buf, size_t cap) {
    if (cap == 0)
        return buf;
    if (!isfinite(v)) {
        snprintf(buf, cap, "n/a");
        return buf;
    }
    double a = fabs(v);
    if (a < 1e15 && v == floor(v))
        snprintf(buf, cap, "%.0f", v == 0 ? 0.0 : v);
    else if (a >= 1000 && a < 1e15)
        snprintf(buf, cap, "%.1f", v);
    else
        snprintf(buf, cap, "%.4g", v);
    /* a process under a locale with a decimal comma still prints a point */
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    return buf;
}

const char *mg__report_json_number(json_t *v, const char *absent, char *buf, size_t cap) {
    if (!json_is_number(v))
        return absent;
    return mg__report_number(json_number_value(v), buf, cap);
}

void mg__report_value_ci(mg__buf *b, json_t *value, json_t *ci,
                         json_t *ci_holder) {
    char nb[MG__REPORT_NUMBER_CAP];
    if (!json_is_number(value)) {
        mg__buf_puts(b, "n/a");
        return;
    }
    mg__buf_puts(b, mg__report_number(json_number_value(value), nb, sizeof nb));
    double lo, hi;
    bool have = json_is_object(ci) && mg__report_get_number(ci, "low", &lo) &&
                mg__report_get_number(ci, "high", &hi);
    if (!have)
        have = json_is_object(ci_holder) && mg__report_get_number(ci_holder, "ci_low", &lo) &&
               mg__report_get_number(ci_holder, "ci_high", &hi);
    if (!have)
        return;
    mg__buf_puts(b, " [");
    mg__buf_puts(b, mg__report_number(lo, nb, sizeof nb));
    mg__buf_puts(b, ", ");
    mg__buf_puts(b, mg__report_number(hi, nb, sizeof nb));
    mg__buf_puts(b, "]");
}

const char *mg__report_verdict_emoji(const char *verdict) {
    if (verdict == NULL)
        return "\xE2\x9D\x94";
    if (strcmp(verdict, "pass") == 0)
        return "\xE2\x9C\x85"; /* U+2705 */
    if (strcmp(verdict, "fail") == 0)
        return "\xE2\x9D\x8C"; /* U+274C */
    if (strcmp(verdict, "inconclusive") == 0)
        return "\xE2\x9A\xA0\xEF\xB8\x8F"; /* U+26A0 U+FE0F */
    if (strcmp(verdict, "skipped") == 0)
        return "\xE2\x8F\xAD\xEF\xB8\x8F"; /* U+23ED U+FE0F */
    return "\xE2\x9D\x94"; /* U+2754 */
}

int mg__report_verdict_rank(const char *verdict) {
    if (verdict == NULL)
        return -1;
    if (strcmp(verdict, "fail") == 0)
        return 3;
    if (strcmp(verdict, "inconclusive") == 0)
        return 2;
    if (strcmp(verdict, "skipped") == 0)
        return 1;
    if (strcmp(verdict, "pass") == 0)
        return 0;
    return -1;
}

const char *mg__report_op_symbol(const char *op) {
    if (op == NULL)
        return "";
    if (strcmp(op, ">=") == 0)
        return "\xE2\x89\xA5";
    if (strcmp(op, "<=") == 0)
        return "\xE2\x89\xA4";
    return "";
}

/* ---- text ------------------------------------------------------------- */

void mg__report_html_text(mg__buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        switch (c) {
        case '&': mg__buf_puts(b, "&amp;"); i++; continue;
        case '<': mg__buf_puts(b, "&lt;"); i++; continue;
        case '>': mg__buf_puts(b, "&gt;"); i++; continue;
        case '"': mg__buf_puts(b, "&quot;"); i++; continue;
        case '\'': mg__buf_puts(b, "&#39;"); i++; continue;
        default: break;
        }
        if (c < 0x80) {
            if (c >= 0x20 || c == '\t' || c == '\n')
                if (c != 0x7f)
                    mg__buf_append(b, &c, 1);
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

void mg__report_json_text(mg__buf *b, json_t *v, mg__report_text_fn esc) {
    if (json_is_string(v))
        esc(b, json_string_value(v), json_string_length(v));
}

void mg__report_group_label(mg__buf *b, json_t *value, mg__report_text_fn esc,
                            const char *missing_markup) {
    if (json_is_array(value)) {
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item) {
            if (i > 0)
                mg__buf_puts(b, " \xC3\x97 ");
            mg__report_group_label(b, item, esc, missing_markup);
        }
    } else if (json_is_string(value)) {
        esc(b, json_string_value(value), json_string_length(value));
    } else if (json_is_null(value) || value == NULL) {
        mg__buf_puts(b, missing_markup);
    } else if (json_is_number(value)) {
        char nb[MG__REPORT_NUMBER_CAP];
        mg__buf_puts(b, mg__report_number(json_number_value(value), nb, sizeof nb));
    } else if (json_is_boolean(value)) {
        mg__buf_puts(b, json_is_true(value) ? "true" : "false");
    }
}

void mg__report_attribute_label(mg__buf *b, json_t *attr, mg__report_text_fn esc) {
    if (json_is_array(attr)) {
        size_t i;
        json_t *item;
        json_array_foreach(attr, i, item) {
            if (i > 0)
                mg__buf_puts(b, " \xC3\x97 ");
            mg__report_json_text(b, item, esc);
        }
    } else {
        mg__report_json_text(b, attr, esc);
    }
}

/* ---- the dispatcher --------------------------------------------------- */

mg_status mg_report_render(mg_report_format format, const mg_report_inputs *in,
                           const mg_report_options *o, char **out, size_t *len, mg_error *err) {
    if (out == NULL)
        return mg__fail(err, MG_ERR_USAGE, "mg_report_render: out is NULL");
    *out = NULL;
    if (len != NULL)
        *len = 0;
    mg_report_options opts;
    mg__report_options_resolve(o, &opts);
    if (opts.marker_id != NULL && !mg_github_marker_id_valid(opts.marker_id))
        return mg__fail(err, MG_ERR_USAGE,
                        "the marker ID '%.80s' is not 1 to 64 characters of A-Z a-z 0-9 . _ -",
                        opts.marker_id);
    if (opts.max_markdown < MG_REPORT_MARKDOWN_MIN)
        return mg__fail(err, MG_ERR_USAGE, "the report.md size cap %zu is below the minimum %d bytes",
                        opts.max_markdown, MG_REPORT_MARKDOWN_MIN);
    if (format == MG_REPORT_HTML) {
        if (in == NULL || in->gate_json == NULL)
            return mg__fail(err, MG_ERR_USAGE, "gate.json is required for every report");
        return mg__report_html(in, &opts, out, len, err);
    }
    mg__report_doc doc;
    MG_TRY(mg__report_load(in, &doc, err));
    mg_status st;
    switch (format) {
    case MG_REPORT_MARKDOWN: st = mg__report_markdown(&doc, &opts, out, len, err); break;
    case MG_REPORT_JUNIT: st = mg__report_junit(&doc, &opts, out, len, err); break;
    case MG_REPORT_GITHUB: st = mg__report_github(&doc, &opts, out, len, err); break;
    case MG_REPORT_MODEL_CARD: st = mg__report_model_card(&doc, &opts, out, len, err); break;
    default:
        st = mg__fail(err, MG_ERR_USAGE, "mg_report_render: unknown format %d", (int)format);
        break;
    }
    mg__report_doc_release(&doc);
    return st;
}
