/* html.c - report.html (DESIGN §13): one self-contained HTML5 file made from
 * the JSON result files alone, with the tables of report.md and inline SVG
 * charts (svg.c). Nothing in it loads anything: no script, no external
 * asset, and a Content-Security-Policy that would block one. Every text from
 * the results is escaped by mg__svg_escape. */
#include "report/html_internal.h"
#include "report/svg.h"

#include <jansson.h>
#include <math.h>

typedef struct inputs {
    json_t *gate, *metrics, *fairness, *latency, *comparison;
} inputs;

/* ---- reading ---------------------------------------------------------- */

/* Parses one JSON text into *out (NULL when text is NULL). Invalid UTF-8
 * from the data is replaced by U+FFFD first, so a bad byte in a group name
 * is shown as such rather than refusing the report. */
static mg_status load(const char *text, const char *name, json_t **out, mg_error *err) {
    *out = NULL;
    if (text == NULL)
        return MG_OK;
    size_t n = strlen(text);
    bool valid = true;
    for (size_t i = 0; i < n && valid;) {
        size_t k = mg__utf8_decode((const unsigned char *)text + i, n - i, &valid);
        i += k;
    }
    mg__buf clean = {0};
    if (!valid) {
        mg__utf8_sanitize(&clean, text, n);
        if (clean.failed) {
            mg__buf_release(&clean);
            return mg__nomem(err, name);
        }
        text = clean.data;
        n = clean.len;
    }
    json_error_t je;
    json_t *root = json_loadb(text, n, JSON_ALLOW_NUL, &je);
    mg__buf_release(&clean);
    if (root == NULL) {
        mg__fail(err, MG_ERR_DATA, "%s:%d:%d: not JSON: %s", name, je.line, je.column, je.text);
        return mg__error_at(err, name, je.line, je.column, je.position);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        mg__fail(err, MG_ERR_DATA, "%s: not a JSON object", name);
        return mg__error_at(err, name, 1, 1, 0);
    }
    *out = root;
    return MG_OK;
}

static void inputs_release(inputs *d) {
    json_decref(d->gate);
    json_decref(d->metrics);
    json_decref(d->fairness);
    json_decref(d->latency);
    json_decref(d->comparison);
}

static mg_status load_all(const mg_report_inputs *in, inputs *d, mg_error *err) {
    const char *gname = in->gate_name ? in->gate_name : "gate.json";
    if (in->gate_json == NULL)
        return mg__fail(err, MG_ERR_DATA, "%s: missing (every report is made from gate.json)",
                        gname);
    MG_TRY(load(in->gate_json, gname, &d->gate, err));
    MG_TRY(load(in->metrics_json, in->metrics_name ? in->metrics_name : "metrics.json",
                &d->metrics, err));
    MG_TRY(load(in->fairness_json, in->fairness_name ? in->fairness_name : "fairness.json",
                &d->fairness, err));
    MG_TRY(load(in->latency_json, in->latency_name ? in->latency_name : "latency.json",
                &d->latency, err));
    MG_TRY(load(in->comparison_json,
                in->comparison_name ? in->comparison_name : "comparison.json", &d->comparison,
                err));
    if (!json_is_string(json_object_get(d->gate, "verdict")))
        return mg__fail(err, MG_ERR_DATA, "%s: key \"verdict\" is missing or not a string",
                        gname);
    json_t *gates = json_object_get(d->gate, "gates");
    if (gates != NULL && !json_is_array(gates))
        return mg__fail(err, MG_ERR_DATA, "%s: key \"gates\" is not an array", gname);
    return MG_OK;
}

/* A number, or NaN for null, absent or not a number. */
static double num(const json_t *v) {
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static double numk(const json_t *obj, const char *key) {
    return num(json_object_get(obj, key));
}

static const char *strk(const json_t *obj, const char *key) {
    return json_string_value(json_object_get(obj, key));
}

/* ---- writing ---------------------------------------------------------- */

static void esc(mg__buf *b, const char *s) {
    if (s != NULL)
        mg__svg_escape(b, s, strlen(s));
}

/* A JSON string's text (NULs included), escaped. */
static void esc_json(mg__buf *b, const json_t *s) {
    mg__svg_escape(b, json_string_value(s), json_string_length(s));
}

/* A chart's label: at most SVG_LABEL_CHARS characters (an invalid
 * sequence counts as one), then an ellipsis; the tables show it whole. */
enum { SVG_LABEL_CHARS = 40 };
static void esc_short(mg__buf *b, const char *s, size_t len) {
    size_t i = 0;
    int chars = 0;
    while (i < len && chars < SVG_LABEL_CHARS) {
        bool ok;
        i += mg__utf8_decode((const unsigned char *)s + i, len - i, &ok);
        chars++;
    }
    mg__svg_escape(b, s, i);
    if (i < len)
        mg__buf_puts(b, "&#8230;");
}

static void short_num(mg__buf *b, double v) {
    mg__svg_short(b, v, 4);
}

/* A scalar from the data as text: strings escaped, numbers in full, null
 * an italic "missing" (an <em> in HTML; in SVG, where <em> would close the
 * <svg> element, a <tspan>). */
static void scalar_in(mg__buf *b, const json_t *v, bool svg) {
    if (json_is_string(v) && svg)
        esc_short(b, json_string_value(v), json_string_length(v));
    else if (json_is_string(v))
        esc_json(b, v);
    else if (json_is_integer(v))
        mg__buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        mg__svg_number(b, json_real_value(v));
    else if (json_is_true(v))
        mg__buf_puts(b, "true");
    else if (json_is_false(v))
        mg__buf_puts(b, "false");
    else if ((v == NULL || json_is_null(v)) && svg)
        mg__buf_puts(b, "<tspan class=\"missing\" font-style=\"italic\">missing</tspan>");
    else if (v == NULL || json_is_null(v))
        mg__buf_puts(b, "<em class=\"missing\">missing</em>");
    else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        esc(b, s);
        free(s);
    }
}

static void scalar(mg__buf *b, const json_t *v) {
    scalar_in(b, v, false);
}

/* A group's value (DESIGN §18): null is an italic "missing"; an
 * intersection's array shows its parts joined by " × ". */
static void group_value_in(mg__buf *b, const json_t *v, bool svg) {
    if (json_is_array(v)) {
        size_t i;
        json_t *part;
        json_array_foreach(v, i, part) {
            if (i > 0)
                mg__buf_puts(b, " &#215; ");
            scalar_in(b, part, svg);
        }
        return;
    }
    scalar_in(b, v, svg);
}

static void group_value(mg__buf *b, const json_t *v) {
    group_value_in(b, v, false);
}

/* An attribute as gate.json and fairness.json name it: a string, or an
 * array of strings for an intersection. */
static void attribute(mg__buf *b, const json_t *v) {
    if (json_is_array(v)) {
        size_t i;
        json_t *part;
        json_array_foreach(v, i, part) {
            if (i > 0)
                mg__buf_puts(b, " &#215; ");
            scalar(b, part);
        }
    } else if (json_is_string(v)) {
        esc_json(b, v);
    }
}

/* A value cell: the number, or "undefined" with its reason. */
static void value_cell(mg__buf *b, double v, const char *reason) {
    mg__buf_puts(b, "<td class=\"num\"");
    if (isfinite(v)) {
        /* the full number on hover: 4 digits may not tell 0.84996 from 0.85 */
        mg__buf_puts(b, " title=\"");
        mg__svg_number(b, v);
        mg__buf_puts(b, "\"");
    }
    mg__buf_puts(b, ">");
    if (isfinite(v)) {
        short_num(b, v);
    } else {
        mg__buf_puts(b, "<span class=\"undefined\">undefined</span>");
        if (reason != NULL) {
            mg__buf_puts(b, "<br><small>");
            esc(b, reason);
            mg__buf_puts(b, "</small>");
        }
    }
    mg__buf_puts(b, "</td>");
}

static void interval_text(mg__buf *b, double lo, double hi) {
    if (isfinite(lo) && isfinite(hi)) {
        mg__buf_puts(b, "[");
        short_num(b, lo);
        mg__buf_puts(b, ", ");
        short_num(b, hi);
        mg__buf_puts(b, "]");
    } else {
        mg__buf_puts(b, "&#8212;");
    }
}

/* An interval object {"low", "high", "level", "method"} as a cell. */
static void ci_cell(mg__buf *b, const json_t *ci) {
    mg__buf_puts(b, "<td class=\"num\">");
    if (json_is_object(ci)) {
        interval_text(b, numk(ci, "low"), numk(ci, "high"));
        double level = numk(ci, "level");
        const char *method = strk(ci, "method");
        if (isfinite(level) || method != NULL) {
            mg__buf_puts(b, " <small>");
            if (isfinite(level)) {
                short_num(b, level * 100);
                mg__buf_puts(b, "%");
            }
            if (method != NULL) {
                mg__buf_puts(b, " ");
                esc(b, method);
            }
            mg__buf_puts(b, "</small>");
        }
    } else {
        mg__buf_puts(b, "&#8212;");
    }
    mg__buf_puts(b, "</td>");
}

static const char *verdict_icon(const char *v) {
    if (v == NULL)
        return "";
    if (strcmp(v, "pass") == 0)
        return "&#10004;"; /* ✔ */
    if (strcmp(v, "fail") == 0)
        return "&#10008;"; /* ✘ */
    if (strcmp(v, "inconclusive") == 0)
        return "&#9888;"; /* ⚠ */
    if (strcmp(v, "skipped") == 0)
        return "&#8631;"; /* ↷ */
    return "";
}

/* A verdict as a class name: one of the four words, else "other". */
static const char *verdict_class(const char *v) {
    static const char *const known[] = {"pass", "fail", "inconclusive", "skipped"};
    for (size_t i = 0; v != NULL && i < MG_ARRAY_LEN(known); i++)
        if (strcmp(v, known[i]) == 0)
            return known[i];
    return "other";
}

static void verdict_cell(mg__buf *b, const char *v) {
    mg__buf_printf(b, "<td class=\"verdict %s\">%s ", verdict_class(v), verdict_icon(v));
    if (v != NULL)
        esc(b, v);
    else
        mg__buf_puts(b, "&#8212;");
    mg__buf_puts(b, "</td>");
}

static void note(mg__buf *b, const char *text) {
    mg__buf_puts(b, "<p class=\"note\">");
    esc(b, text);
    mg__buf_puts(b, "</p>\n");
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;"
    "max-width:1180px;padding:1em 1.5em;color:#1b1f23;background:#fff;line-height:1.4}\n"
    "h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;"
    "margin-top:1.6em}h3{margin-bottom:.3em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}\n"
    "th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    ".badge{display:inline-block;padding:.1em .6em;border-radius:.4em;color:#fff;"
    "font-weight:600}\n"
    ".badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}"
    ".badge.inconclusive{background:#9a6700}.badge.other,.badge.skipped{background:#57606a}\n"
    "td.verdict.pass{color:#1a7f37}td.verdict.fail{color:#cf222e;font-weight:600}"
    "td.verdict.inconclusive{color:#9a6700}td.verdict.skipped{color:#57606a}\n"
    "em.missing{color:#57606a}.undefined{color:#9a6700}.note{color:#57606a;font-style:italic}\n"
    "code{font-size:.9em;word-break:break-all}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:1em}\n"
    "figure.chart{margin:0;border:1px solid #d0d7de;border-radius:.4em;padding:.3em}\n"
    "figure.chart svg{display:block;max-width:100%;height:auto}\n"
    "figcaption{font-size:.85em;color:#57606a;padding:0 .5em .3em}\n"
    "svg text{font-family:inherit;font-size:11px;fill:#1b1f23}\n"
    "svg .chart-title{font-size:13px;font-weight:600}\n"
    "svg .frame{fill:none;stroke:#8c959f}svg .grid{stroke:#eaeef2}\n"
    "svg .whisker{stroke:#1b1f23;stroke-width:1.3}svg .mark circle{fill:#d62728}\n"
    "svg .ref-legend{stroke:#444;stroke-dasharray:6 3}\n"
    "@media print{.charts{display:block}figure.chart{break-inside:avoid}}\n";

/* ---- sections --------------------------------------------------------- */

static void header(mg__buf *b, const inputs *d) {
    const char *verdict = strk(d->gate, "verdict");
    mg__buf_puts(b, "<header>\n<h1>modelgate report: <span class=\"badge ");
    mg__buf_puts(b, verdict_class(verdict));
    mg__buf_puts(b, "\" id=\"verdict\">");
    esc(b, verdict);
    mg__buf_puts(b, "</span></h1>\n");
    json_t *counts = json_object_get(d->gate, "counts");
    if (json_is_object(counts)) {
        static const char *const kinds[] = {"pass", "fail", "inconclusive", "skipped"};
        mg__buf_puts(b, "<p>");
        for (size_t i = 0; i < MG_ARRAY_LEN(kinds); i++) {
            json_t *c = json_object_get(counts, kinds[i]);
            mg__buf_printf(b, "%s%s ", i ? " &#183; " : "", verdict_icon(kinds[i]));
            if (json_is_integer(c))
                mg__buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(c));
            else
                mg__buf_puts(b, "0");
            mg__buf_printf(b, " %s", kinds[i]);
        }
        const char *oi = strk(d->gate, "on_inconclusive");
        if (oi != NULL) {
            mg__buf_puts(b, " &#183; inconclusive counts as ");
            esc(b, oi);
        }
        mg__buf_puts(b, "</p>\n");
    }
    mg__buf_puts(b, "</header>\n");
}

static void gates_section(mg__buf *b, const inputs *d) {
    json_t *gates = json_object_get(d->gate, "gates");
    mg__buf_puts(b, "<section id=\"gates\">\n<h2>Gates</h2>\n");
    if (json_array_size(gates) == 0) {
        note(b, "gate.json holds no gates.");
        mg__buf_puts(b, "</section>\n");
        return;
    }
    mg__buf_puts(b, "<table>\n<thead><tr><th>Gate</th><th>Kind</th><th>Value</th>"
                    "<th>Threshold</th><th>Interval</th><th>Status</th><th>Reason</th>"
                    "</tr></thead>\n<tbody>\n");
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        if (!json_is_object(g))
            continue;
        const char *verdict = strk(g, "verdict");
        mg__buf_printf(b, "<tr class=\"gate %s\"><td>", verdict_class(verdict));
        esc(b, strk(g, "name"));
        const char *kind = strk(g, "kind");
        if (kind != NULL && strcmp(kind, "regression") == 0) {
            /* what the value is: the change oriented so that larger is better */
            const char *name = strk(g, "name");
            mg__buf_puts(b, "<br><small class=\"rule\">");
            esc(b, strk(g, "metric"));
            mg__buf_puts(b, name != NULL && strstr(name, " relative_change ") != NULL
                                ? " relative change (improvement)"
                                : " change (improvement)");
            mg__buf_puts(b, "</small>");
        }
        json_t *attr = json_object_get(g, "attribute");
        if (json_is_string(attr) || json_is_array(attr)) {
            mg__buf_puts(b, "<br><small>");
            attribute(b, attr);
            mg__buf_puts(b, "</small>");
        }
        mg__buf_puts(b, "</td><td>");
        esc(b, strk(g, "kind"));
        mg__buf_puts(b, "</td>");
        value_cell(b, numk(g, "value"), strk(g, "value_reason"));
        mg__buf_puts(b, "<td class=\"num\">");
        const char *op = strk(g, "op");
        if (op != NULL && strcmp(op, ">=") == 0)
            mg__buf_puts(b, "&#8805; ");
        else if (op != NULL && strcmp(op, "<=") == 0)
            mg__buf_puts(b, "&#8804; ");
        else if (op != NULL) {
            esc(b, op);
            mg__buf_puts(b, " ");
        }
        short_num(b, numk(g, "threshold"));
        mg__buf_puts(b, "</td>");
        ci_cell(b, json_object_get(g, "ci"));
        verdict_cell(b, verdict);
        mg__buf_puts(b, "<td>");
        esc(b, strk(g, "reason"));
        const char *decided = strk(g, "decided_on");
        if (decided != NULL) {
            mg__buf_puts(b, "<br><small>decided on the ");
            esc(b, decided);
            if (json_is_true(json_object_get(g, "interval_straddles_threshold")))
                mg__buf_puts(b, "; the interval straddles the threshold");
            mg__buf_puts(b, "</small>");
        }
        const char *source = strk(g, "source");
        if (source != NULL) {
            mg__buf_puts(b, "<br><small><code>");
            esc(b, source);
            mg__buf_puts(b, "</code></small>");
        }
        mg__buf_puts(b, "</td></tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* Top-level numbers of metrics.json that are settings or counts, not metrics. */
static bool is_setting(const char *key) {
    static const char *const skip[] = {"n", "threshold", "seed", "confidence", "bootstrap",
                                       "exit_code"};
    for (size_t i = 0; i < MG_ARRAY_LEN(skip); i++)
        if (strcmp(key, skip[i]) == 0)
            return true;
    return false;
}

/* Copies a JSON array of numbers into a new double array (NaN for null). */
static double *numbers(const json_t *arr, size_t *n) {
    *n = json_array_size(arr);
    double *v = mg__malloc_array(*n ? *n : 1, sizeof *v);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        v[i] = num(json_array_get(arr, i));
    return v;
}

/* A chart's subtitle "143 of 5000 points" from a curve's points/of. */
static void points_note(char *buf, size_t cap, const json_t *curve, const char *what) {
    json_t *p = json_object_get(curve, "points"), *of = json_object_get(curve, "of");
    if (json_is_integer(p) && json_is_integer(of))
        snprintf(buf, cap, "%s: %" JSON_INTEGER_FORMAT " points drawn of %" JSON_INTEGER_FORMAT,
                 what, json_integer_value(p), json_integer_value(of));
    else
        snprintf(buf, cap, "%s", what);
}

static bool curve_chart(mg__buf *b, const json_t *curve, const char *xkey, const char *ykey,
                        const mg__svg_line_chart *proto, const char *series_name,
                        const char *what) {
    size_t nx, ny;
    double *x = numbers(json_object_get(curve, xkey), &nx);
    double *y = numbers(json_object_get(curve, ykey), &ny);
    bool ok = x != NULL && y != NULL;
    if (ok && nx == ny && nx > 0) {
        char cap[160];
        points_note(cap, sizeof cap, curve, what);
        mg__svg_series s = {series_name, x, y, nx};
        mg__svg_line_chart c = *proto;
        c.series = &s;
        c.nseries = 1;
        c.note = cap;
        mg__svg_draw_line_chart(b, &c);
    } else if (ok) {
        mg__buf_puts(b, "<p class=\"note\">");
        esc(b, what);
        mg__buf_printf(b, ": the arrays \"%s\" and \"%s\" differ in length or are empty; not drawn.</p>\n",
                       xkey, ykey);
    }
    free(x);
    free(y);
    return ok;
}

static bool calibration_chart(mg__buf *b, const json_t *cal) {
    json_t *bins = json_object_get(cal, "bins");
    size_t n = json_array_size(bins);
    if (n == 0) {
        note(b, "Calibration: metrics.json's \"calibration\" has no bins; not drawn.");
        return true;
    }
    double *v = mg__malloc_array(n, 4 * sizeof *v);
    int64_t *count = mg__malloc_array(n, sizeof *count);
    if (v == NULL || count == NULL) {
        free(v);
        free(count);
        return false;
    }
    double *x = v, *y = v + n, *lo = v + 2 * n, *hi = v + 3 * n;
    for (size_t i = 0; i < n; i++) {
        json_t *bin = json_array_get(bins, i);
        x[i] = numk(bin, "mean_score");
        y[i] = numk(bin, "observed_rate");
        lo[i] = numk(bin, "ci_low");
        hi[i] = numk(bin, "ci_high");
        json_t *c = json_object_get(bin, "count");
        count[i] = json_is_integer(c) ? (int64_t)json_integer_value(c) : -1;
    }
    char cap[200];
    const char *strategy = strk(cal, "strategy");
    mg__buf t = {0};
    mg__buf_puts(&t, "Bins: ");
    mg__buf_puts(&t, strategy ? strategy : "unnamed");
    mg__buf_puts(&t, "; ECE ");
    short_num(&t, numk(cal, "ece"));
    mg__buf_puts(&t, ", MCE ");
    short_num(&t, numk(cal, "mce"));
    snprintf(cap, sizeof cap, "%s", t.data ? t.data : "");
    mg__buf_release(&t);
    mg__svg_series s = {"observed rate", x, y, n};
    mg__svg_marks m = {x, y, lo, hi, count, n};
    mg__svg_line_chart c = {.id = "chart-calibration",
                            .title = "Calibration (reliability diagram)",
                            .x_label = "mean predicted score",
                            .y_label = "observed positive rate",
                            .x_min = 0,
                            .x_max = 1,
                            .y_min = 0,
                            .y_max = 1,
                            .diagonal = true,
                            .series = &s,
                            .nseries = 1,
                            .marks = &m,
                            .note = cap,
                            .legend = MG__SVG_LEGEND_TOP_LEFT};
    mg__svg_draw_line_chart(b, &c);
    free(v);
    free(count);
    return true;
}

/* The score distribution of each true class as fractions of its rows per bin. */
static bool score_chart(mg__buf *b, const json_t *hist) {
    size_t ne;
    double *edges = numbers(json_object_get(hist, "edges"), &ne);
    json_t *classes = json_object_get(hist, "classes");
    size_t nc = json_array_size(classes);
    if (edges == NULL)
        return false;
    if (ne < 2 || nc == 0) {
        free(edges);
        note(b, "Score histogram: no edges or no classes; not drawn.");
        return true;
    }
    size_t nb = ne - 1;
    if (nc > 4)
        nc = 4;
    double *centers = mg__malloc_array(nb, sizeof *centers);
    double *frac = mg__malloc_array(nb * nc, sizeof *frac);
    mg__svg_series s[4];
    char names[4][80];
    bool ok = centers != NULL && frac != NULL;
    double ymax = 0;
    for (size_t i = 0; ok && i < nb; i++)
        centers[i] = (edges[i] + edges[i + 1]) / 2;
    for (size_t k = 0; ok && k < nc; k++) {
        json_t *cl = json_array_get(classes, k);
        json_t *counts = json_object_get(cl, "counts");
        double total = 0;
        for (size_t i = 0; i < nb; i++) {
            double c = num(json_array_get(counts, i));
            total += isfinite(c) ? c : 0;
        }
        for (size_t i = 0; i < nb; i++) {
            double c = num(json_array_get(counts, i));
            frac[k * nb + i] = total > 0 && isfinite(c) ? c / total : NAN;
            if (frac[k * nb + i] > ymax)
                ymax = frac[k * nb + i];
        }
        const char *label = strk(cl, "label");
        snprintf(names[k], sizeof names[k], "class %.60s", label ? label : "?");
        s[k] = (mg__svg_series){names[k], centers, frac + k * nb, nb};
    }
    if (ok) {
        mg__svg_line_chart c = {.id = "chart-scores",
                                .title = "Score distribution by true class",
                                .x_label = "score (bin centre)",
                                .y_label = "share of the class's rows",
                                .x_min = edges[0],
                                .x_max = edges[nb],
                                .y_min = 0,
                                .y_max = ymax > 0 ? ymax * 1.1 : 1,
                                .series = s,
                                .nseries = (int)nc,
                                .note = "Each line sums to 1 over the bins.",
                                .legend = MG__SVG_LEGEND_TOP_LEFT};
        mg__svg_draw_line_chart(b, &c);
    }
    free(edges);
    free(centers);
    free(frac);
    return ok;
}

/* ---- metrics.json's calibration summary, operating points, per class and
 * slices (tables; each only when the key is there) ---------------------- */

static void calibration_summary(mg__buf *b, const json_t *m) {
    json_t *cal = json_object_get(m, "calibration");
    double ece = numk(cal, "ece"), mce = numk(cal, "mce");
    if (!json_is_object(cal) || !(isfinite(ece) || isfinite(mce)))
        return;
    mg__buf_puts(b, "<p id=\"calibration-errors\">Calibration: expected calibration error (ECE) ");
    if (isfinite(ece))
        short_num(b, ece);
    else
        mg__buf_puts(b, "<span class=\"undefined\">undefined</span>");
    mg__buf_puts(b, ", maximum calibration error (MCE) ");
    if (isfinite(mce))
        short_num(b, mce);
    else
        mg__buf_puts(b, "<span class=\"undefined\">undefined</span>");
    mg__buf_puts(b, "</p>\n");
}

static void operating_points_table(mg__buf *b, const json_t *m) {
    json_t *ops = json_object_get(m, "operating_points");
    if (!json_is_object(ops) || json_object_size(ops) == 0)
        return;
    mg__buf_puts(b, "<h3>Operating points</h3>\n<table id=\"operating-points\">\n<thead><tr>"
                    "<th>Operating point</th><th>Value</th><th>Interval</th><th>Threshold</th>"
                    "<th>Precision</th><th>Recall</th><th>FPR</th></tr></thead>\n<tbody>\n");
    const char *key;
    json_t *e;
    json_object_foreach(ops, key, e) {
        mg__buf_puts(b, "<tr><td>");
        esc(b, key);
        mg__buf_puts(b, "</td>");
        value_cell(b, numk(e, "value"), strk(e, "null_reason"));
        ci_cell(b, json_object_get(e, "ci"));
        static const char *const cols[] = {"threshold", "precision", "recall", "fpr"};
        for (size_t c = 0; c < MG_ARRAY_LEN(cols); c++)
            value_cell(b, numk(e, cols[c]), NULL);
        mg__buf_puts(b, "</tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");
}

static void per_class_table(mg__buf *b, const json_t *m) {
    json_t *pcl = json_object_get(m, "per_class");
    if (!json_is_object(pcl) || json_object_size(pcl) == 0)
        return;
    mg__buf_puts(b, "<h3>Per class</h3>\n<table id=\"per-class\">\n<thead><tr><th>Class</th>"
                    "<th>Precision</th><th>Recall</th><th>F1</th><th>Support</th></tr></thead>\n"
                    "<tbody>\n");
    const char *key;
    json_t *e;
    json_object_foreach(pcl, key, e) {
        mg__buf_puts(b, "<tr><td>");
        esc(b, key);
        mg__buf_puts(b, "</td>");
        static const char *const cols[] = {"precision", "recall", "f1", "support"};
        for (size_t c = 0; c < MG_ARRAY_LEN(cols); c++)
            value_cell(b, numk(e, cols[c]), NULL);
        mg__buf_puts(b, "</tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");
}

/* A slice's value part: a bucket {"low", "high", "closed"} as (low, high]
 * with the brackets its "closed" says (right-closed when absent), else as a
 * group's value. */
static void slice_part(mg__buf *b, const json_t *v) {
    if (json_is_object(v)) {
        double lo = numk(v, "low"), hi = numk(v, "high");
        const char *closed = json_string_value(json_object_get(v, "closed"));
        closed = closed ? closed : "right";
        bool lc = strcmp(closed, "left") == 0 || strcmp(closed, "both") == 0;
        bool hc = strcmp(closed, "right") == 0 || strcmp(closed, "both") == 0;
        mg__buf_puts(b, lc ? "[" : "(");
        if (isfinite(lo))
            mg__svg_number(b, lo);
        else
            mg__buf_puts(b, "&#8722;&#8734;");
        mg__buf_puts(b, ", ");
        if (isfinite(hi))
            mg__svg_number(b, hi);
        else
            mg__buf_puts(b, "&#8734;");
        mg__buf_puts(b, hc ? "]" : ")");
    } else {
        scalar(b, v);
    }
}

typedef struct html_slice {
    const json_t *slice;
    double v;
} html_slice;

static int slice_low_first(const void *a, const void *b) {
    const html_slice *x = a, *y = b;
    if (isnan(x->v) || isnan(y->v))
        return isnan(x->v) - isnan(y->v);
    return x->v < y->v ? -1 : x->v > y->v;
}

static int slice_high_first(const void *a, const void *b) {
    const html_slice *x = a, *y = b;
    if (isnan(x->v) || isnan(y->v))
        return isnan(x->v) - isnan(y->v);
    return x->v > y->v ? -1 : x->v < y->v;
}

/* Each slicing's scored slices, worst first by accuracy (else r2, else
 * MAE or RMSE), with n, the value, its interval and the difference from
 * overall; the count of slices too small to score. */
static bool slices_tables(mg__buf *b, const json_t *m) {
    json_t *all = json_object_get(m, "slices");
    if (!json_is_object(all) || json_object_size(all) == 0)
        return true;
    mg__buf_puts(b, "<h3>Slices</h3>\n");
    const char *name;
    json_t *sl;
    int idx = 0;
    json_object_foreach(all, name, sl) {
        json_t *slices = json_object_get(sl, "slices");
        size_t ns = json_array_size(slices);
        mg__buf_puts(b, "<p>Slicing <b>");
        esc(b, name);
        mg__buf_printf(b, "</b>: %zu scored, %zu too small to score.</p>\n", ns,
                       json_array_size(json_object_get(sl, "too_small")));
        static const struct {
            const char *name;
            bool higher;
        } order[] = {{"accuracy", true}, {"r2", true}, {"mae", false}, {"rmse", false}};
        const char *metric = NULL;
        bool higher = true;
        json_t *mm = json_object_get(json_array_get(slices, 0), "metrics");
        for (size_t k = 0; k < MG_ARRAY_LEN(order) && metric == NULL; k++)
            if (json_object_get(mm, order[k].name) != NULL) {
                metric = order[k].name;
                higher = order[k].higher;
            }
        if (ns == 0 || metric == NULL)
            continue;
        html_slice *r = mg__calloc(ns, sizeof *r);
        if (r == NULL)
            return false;
        size_t i;
        json_t *one;
        json_array_foreach(slices, i, one) {
            r[i].slice = one;
            r[i].v = numk(json_object_get(one, "metrics"), metric);
        }
        qsort(r, ns, sizeof *r, higher ? slice_low_first : slice_high_first);
        mg__buf_printf(b, "<table class=\"slices\" id=\"slices-%d\">\n<thead><tr><th>Slice</th>"
                          "<th>n</th><th>%s</th><th>Interval</th><th>Difference from overall</th>"
                          "</tr></thead>\n<tbody>\n",
                       idx++, metric);
        for (i = 0; i < ns; i++) {
            const json_t *one_ = r[i].slice;
            json_t *v = json_object_get(one_, "value");
            mg__buf_puts(b, "<tr><td>");
            if (json_is_array(v)) {
                size_t q;
                json_t *part;
                json_array_foreach(v, q, part) {
                    if (q > 0)
                        mg__buf_puts(b, " &#215; ");
                    slice_part(b, part);
                }
            } else {
                slice_part(b, v);
            }
            mg__buf_puts(b, "</td>");
            value_cell(b, numk(one_, "n"), NULL);
            value_cell(b, r[i].v, strk(json_object_get(one_, "null_reasons"), metric));
            ci_cell(b, json_object_get(json_object_get(one_, "ci"), metric));
            value_cell(b, numk(json_object_get(one_, "difference_from_overall"), metric), NULL);
            mg__buf_puts(b, "</tr>\n");
        }
        mg__buf_puts(b, "</tbody>\n</table>\n");
        free(r);
    }
    return true;
}

static bool metrics_section(mg__buf *b, const inputs *d) {
    json_t *m = d->metrics;
    mg__buf_puts(b, "<section id=\"metrics\">\n<h2>Metrics</h2>\n");
    if (m == NULL) {
        note(b, "No metrics.json in these results.");
        mg__buf_puts(b, "</section>\n");
        return true;
    }
    mg__buf_puts(b, "<p>");
    const char *task = strk(m, "task");
    if (task != NULL) {
        mg__buf_puts(b, "Task <b>");
        esc(b, task);
        mg__buf_puts(b, "</b>");
    }
    json_t *n = json_object_get(m, "n");
    if (json_is_integer(n))
        mg__buf_printf(b, " &#183; %" JSON_INTEGER_FORMAT " rows", json_integer_value(n));
    const char *pos = strk(m, "positive_label");
    if (pos != NULL) {
        mg__buf_puts(b, " &#183; positive label <code>");
        esc(b, pos);
        mg__buf_puts(b, "</code>");
    }
    double thr = numk(m, "threshold");
    if (isfinite(thr)) {
        mg__buf_puts(b, " &#183; decision threshold ");
        mg__svg_number(b, thr);
    }
    mg__buf_puts(b, "</p>\n<table>\n<thead><tr><th>Metric</th><th>Value</th><th>Interval</th>"
                    "</tr></thead>\n<tbody>\n");
    json_t *ci = json_object_get(m, "ci"), *reasons = json_object_get(m, "null_reasons");
    const char *key;
    json_t *v;
    json_object_foreach(m, key, v) {
        if (!(json_is_number(v) || json_is_null(v)) || is_setting(key))
            continue;
        mg__buf_puts(b, "<tr><td>");
        esc(b, key);
        mg__buf_puts(b, "</td>");
        const char *reason = strk(reasons, key);
        char rkey[300];
        snprintf(rkey, sizeof rkey, "%s_reason", key);
        value_cell(b, num(v), reason != NULL ? reason : strk(m, rkey));
        ci_cell(b, json_object_get(ci, key));
        mg__buf_puts(b, "</tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");

    json_t *curves = json_object_get(m, "curves");
    json_t *roc = json_object_get(curves, "roc"), *pr = json_object_get(curves, "pr");
    json_t *cal = json_object_get(m, "calibration");
    json_t *hist = json_object_get(m, "score_histogram");
    mg__buf_puts(b, "<div class=\"charts\">\n");
    bool ok = true;
    if (json_is_object(roc)) {
        char title[80];
        double auc = numk(m, "roc_auc");
        mg__buf t = {0};
        mg__buf_puts(&t, "ROC curve");
        if (isfinite(auc)) {
            mg__buf_puts(&t, " (AUC ");
            short_num(&t, auc);
            mg__buf_puts(&t, ")");
        }
        snprintf(title, sizeof title, "%s", t.data ? t.data : "ROC curve");
        mg__buf_release(&t);
        mg__svg_line_chart c = {.id = "chart-roc",
                                .title = title,
                                .x_label = "false positive rate",
                                .y_label = "true positive rate",
                                .x_max = 1,
                                .y_max = 1,
                                .diagonal = true,
                                .legend = MG__SVG_LEGEND_BOTTOM_RIGHT};
        ok = ok && curve_chart(b, roc, "fpr", "tpr", &c, "ROC", "ROC");
    }
    if (json_is_object(pr)) {
        char title[80];
        double ap = numk(m, "pr_auc");
        mg__buf t = {0};
        mg__buf_puts(&t, "Precision-recall curve");
        if (isfinite(ap)) {
            mg__buf_puts(&t, " (PR AUC ");
            short_num(&t, ap);
            mg__buf_puts(&t, ")");
        }
        snprintf(title, sizeof title, "%s", t.data ? t.data : "Precision-recall curve");
        mg__buf_release(&t);
        mg__svg_line_chart c = {.id = "chart-pr",
                                .title = title,
                                .x_label = "recall",
                                .y_label = "precision",
                                .x_max = 1,
                                .y_max = 1,
                                .legend = MG__SVG_LEGEND_BOTTOM_LEFT};
        ok = ok && curve_chart(b, pr, "recall", "precision", &c, "PR", "Precision-recall");
    }
    if (json_is_object(cal) && json_is_array(json_object_get(cal, "bins")))
        ok = ok && calibration_chart(b, cal);
    if (json_is_object(hist))
        ok = ok && score_chart(b, hist);
    mg__buf_puts(b, "</div>\n");
    if (!json_is_object(roc) && (task == NULL || strcmp(task, "binary") == 0))
        note(b, "ROC curve: not drawn (metrics.json has no \"curves.roc\").");
    if (!json_is_object(pr) && (task == NULL || strcmp(task, "binary") == 0))
        note(b, "Precision-recall curve: not drawn (metrics.json has no \"curves.pr\").");
    if (!(json_is_object(cal) && json_is_array(json_object_get(cal, "bins"))) &&
        (task == NULL || strcmp(task, "binary") == 0))
        note(b, "Calibration: not drawn (metrics.json has no \"calibration.bins\").");
    calibration_summary(b, m);
    operating_points_table(b, m);
    per_class_table(b, m);
    ok = slices_tables(b, m) && ok;
    mg__buf_puts(b, "</section>\n");
    return ok;
}

static const char *const measures[] = {"demographic_parity", "equalized_odds",
                                       "equal_opportunity"};

/* The first measure's entry for `attr` that lists groups. */
static json_t *groups_of(const json_t *f, const char *attr) {
    for (size_t i = 0; i < MG_ARRAY_LEN(measures); i++) {
        json_t *g = json_object_get(json_object_get(json_object_get(f, measures[i]), attr),
                                    "groups");
        if (json_is_array(g))
            return g;
    }
    return NULL;
}

static void rate_cell(mg__buf *b, const json_t *g, const char *key) {
    char ckey[64];
    snprintf(ckey, sizeof ckey, "%s_ci", key);
    mg__buf_puts(b, "<td class=\"num\">");
    double v = numk(g, key);
    short_num(b, v);
    json_t *ci = json_object_get(g, ckey);
    if (isfinite(v) && json_is_object(ci)) {
        mg__buf_puts(b, " <small>");
        interval_text(b, numk(ci, "low"), numk(ci, "high"));
        mg__buf_puts(b, "</small>");
    }
    mg__buf_puts(b, "</td>");
}

/* Per-group table and selection-rate bars of one attribute; `idx` numbers
 * the chart ids. */
static bool fairness_attribute(mg__buf *b, const json_t *f, const char *attr, int idx) {
    json_t *groups = groups_of(f, attr);
    mg__buf_puts(b, "<h3>");
    esc(b, attr);
    mg__buf_puts(b, "</h3>\n");
    if (groups == NULL) {
        note(b, "fairness.json lists no groups for this attribute.");
        return true;
    }
    size_t ng = json_array_size(groups);
    bool regression = ng > 0 && json_object_get(json_array_get(groups, 0), "selection_rate") == NULL;
    static const char *const cls[] = {"selection_rate", "tpr", "fpr", "precision", "accuracy"};
    static const char *const reg[] = {"mean_prediction", "mean_label", "mae", "rmse"};
    const char *const *cols = regression ? reg : cls;
    size_t ncols = regression ? MG_ARRAY_LEN(reg) : MG_ARRAY_LEN(cls);
    mg__buf_printf(b, "<table class=\"groups\" data-attribute-index=\"%d\">\n<thead><tr>"
                      "<th>Group</th><th>n</th>",
                   idx);
    for (size_t k = 0; k < ncols; k++)
        mg__buf_printf(b, "<th>%s</th>", cols[k]);
    mg__buf_puts(b, "</tr></thead>\n<tbody>\n");
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g) {
        mg__buf_puts(b, "<tr><td class=\"group\">");
        group_value(b, json_object_get(g, "value"));
        mg__buf_puts(b, "</td><td class=\"num\">");
        json_t *n = json_object_get(g, "n");
        if (json_is_integer(n))
            mg__buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(n));
        mg__buf_puts(b, "</td>");
        for (size_t k = 0; k < ncols; k++)
            rate_cell(b, g, cols[k]);
        mg__buf_puts(b, "</tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");
    json_t *excluded = json_object_get(json_object_get(f, "excluded_groups"), attr);
    if (json_array_size(excluded) > 0) {
        mg__buf_puts(b, "<p class=\"excluded\">Excluded (too few rows): ");
        json_array_foreach(excluded, i, g) {
            if (i > 0)
                mg__buf_puts(b, ", ");
            group_value(b, json_object_get(g, "value"));
            json_t *n = json_object_get(g, "n");
            if (json_is_integer(n))
                mg__buf_printf(b, " (n = %" JSON_INTEGER_FORMAT ")", json_integer_value(n));
        }
        mg__buf_puts(b, "</p>\n");
    }
    if (regression) {
        note(b, "Selection-rate bars: not drawn for a regression task.");
        return true;
    }
    mg__svg_bar *bars = mg__calloc(ng ? ng : 1, sizeof *bars);
    mg__buf *labels = mg__calloc(ng ? ng : 1, sizeof *labels);
    char **keys = mg__calloc(ng ? ng : 1, sizeof *keys);
    bool ok = bars != NULL && labels != NULL && keys != NULL;
    double vmax = 0;
    for (i = 0; ok && i < ng; i++) {
        g = json_array_get(groups, i);
        json_t *value = json_object_get(g, "value");
        group_value_in(&labels[i], value, true);
        keys[i] = json_dumps(value ? value : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
        if (labels[i].failed || labels[i].data == NULL || keys[i] == NULL) {
            ok = false;
            break;
        }
        json_t *ci = json_object_get(g, "selection_rate_ci");
        json_t *n = json_object_get(g, "n");
        bars[i] = (mg__svg_bar){labels[i].data, keys[i], numk(g, "selection_rate"),
                                numk(ci, "low"), numk(ci, "high"),
                                json_is_integer(n) ? (int64_t)json_integer_value(n) : -1};
        const double vs[3] = {bars[i].value, bars[i].lo, bars[i].hi};
        for (int k = 0; k < 3; k++)
            if (isfinite(vs[k]) && vs[k] > vmax)
                vmax = vs[k];
    }
    if (ok) {
        double overall = numk(json_object_get(f, "overall"), "selection_rate");
        const char *method = strk(f, "method");
        bool to_overall = method != NULL && strcmp(method, "to_overall") == 0;
        double t = numk(f, "threshold"), th = numk(f, "threshold_high");
        if (!isfinite(th) && isfinite(t) && t > 0)
            th = 1 / t;
        double blo = isfinite(overall) && isfinite(t) ? overall * t : NAN;
        double bhi = isfinite(overall) && isfinite(th) ? overall * th : NAN;
        char id[48], band[160];
        snprintf(id, sizeof id, "chart-fairness-%d", idx);
        mg__buf bl = {0};
        mg__buf_puts(&bl, "band [t, 1/t] x overall, t = ");
        short_num(&bl, t);
        snprintf(band, sizeof band, "%s", bl.data ? bl.data : "band");
        mg__buf_release(&bl);
        mg__buf tt = {0};
        mg__buf_puts(&tt, "Selection rate by ");
        mg__buf_puts(&tt, attr);
        mg__svg_bar_chart c = {.id = id,
                               .title = tt.data ? tt.data : "Selection rate",
                               .value_label = "selection rate (share predicted positive)",
                               .bars = bars,
                               .nbars = (int)ng,
                               .v_min = 0,
                               .v_max = vmax > 1 ? vmax : 1,
                               .band_lo = blo,
                               .band_hi = bhi,
                               .band_label = band,
                               .ref = overall,
                               .ref_label = "overall",
                               .note = to_overall
                                           ? "Whiskers: the interval of each group's rate. The "
                                             "gate holds each group's rate / overall within the band."
                                           : "Whiskers: the interval of each group's rate. The gate "
                                             "compares the lowest rate with the highest; the band "
                                             "around the overall rate is a guide."};
        mg__buf_puts(b, "<div class=\"charts\">\n");
        mg__svg_draw_bar_chart(b, &c);
        mg__buf_puts(b, "</div>\n");
        mg__buf_release(&tt);
    }
    for (i = 0; i < ng && labels != NULL; i++)
        mg__buf_release(&labels[i]);
    for (i = 0; i < ng && keys != NULL; i++)
        free(keys[i]);
    free(bars);
    free(labels);
    free(keys);
    return ok;
}

static bool fairness_section(mg__buf *b, const inputs *d) {
    json_t *f = d->fairness;
    if (f == NULL)
        return true;
    mg__buf_puts(b, "<section id=\"fairness\">\n<h2>Fairness</h2>\n<p>");
    const char *method = strk(f, "method");
    double t = numk(f, "threshold");
    if (isfinite(t)) {
        mg__buf_puts(b, "Band [");
        short_num(b, t);
        mg__buf_puts(b, ", ");
        short_num(b, isfinite(numk(f, "threshold_high")) ? numk(f, "threshold_high") : 1 / t);
        mg__buf_puts(b, "] for the gated ratios");
    }
    if (method != NULL) {
        mg__buf_puts(b, " &#183; method ");
        esc(b, method);
    }
    json_t *mgs = json_object_get(f, "min_group_size");
    if (json_is_integer(mgs))
        mg__buf_printf(b, " &#183; groups of fewer than %" JSON_INTEGER_FORMAT " rows excluded",
                       json_integer_value(mgs));
    mg__buf_puts(b, "</p>\n<table>\n<thead><tr><th>Measure</th><th>Attribute</th><th>Ratio</th>"
                    "<th>Difference</th><th>Interval of the ratio</th><th>Status</th>"
                    "<th>Reason</th></tr></thead>\n<tbody>\n");
    json_t *reasons = json_object_get(f, "null_reasons");
    for (size_t i = 0; i < MG_ARRAY_LEN(measures); i++) {
        json_t *per = json_object_get(f, measures[i]);
        const char *attr;
        json_t *e;
        json_object_foreach(per, attr, e) {
            if (!json_is_object(e))
                continue;
            char path[600];
            snprintf(path, sizeof path, "%s.%s.ratio", measures[i], attr);
            mg__buf_printf(b, "<tr><td>%s</td><td>", measures[i]);
            esc(b, attr);
            mg__buf_puts(b, "</td>");
            value_cell(b, numk(e, "ratio"), strk(reasons, path));
            value_cell(b, numk(e, "difference"), NULL);
            ci_cell(b, json_object_get(e, "ci"));
            if (json_is_true(json_object_get(e, "gated")))
                verdict_cell(b, strk(e, "verdict"));
            else
                mg__buf_puts(b, "<td class=\"verdict other\">not gated</td>");
            mg__buf_puts(b, "<td>");
            esc(b, strk(e, "reason"));
            mg__buf_puts(b, "</td></tr>\n");
        }
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");
    /* The attributes in the order of their first appearance. */
    bool ok = true;
    int idx = 0;
    json_t *seen = json_object();
    if (seen == NULL)
        return false;
    for (size_t i = 0; ok && i < MG_ARRAY_LEN(measures); i++) {
        const char *attr;
        json_t *e;
        json_object_foreach(json_object_get(f, measures[i]), attr, e) {
            if (json_object_get(seen, attr) != NULL)
                continue;
            json_object_set_new(seen, attr, json_true());
            ok = fairness_attribute(b, f, attr, idx++);
            if (!ok)
                break;
        }
    }
    json_decref(seen);
    mg__buf_puts(b, "</section>\n");
    return ok;
}

static bool latency_section(mg__buf *b, const inputs *d) {
    json_t *l = d->latency;
    if (l == NULL)
        return true;
    mg__buf_puts(b, "<section id=\"latency\">\n<h2>Latency</h2>\n<p>");
    json_t *samples = json_object_get(l, "samples");
    if (json_is_integer(samples))
        mg__buf_printf(b, "%" JSON_INTEGER_FORMAT " timed calls", json_integer_value(samples));
    json_t *batch = json_object_get(l, "batch_size");
    if (json_is_integer(batch))
        mg__buf_printf(b, " of batch size %" JSON_INTEGER_FORMAT, json_integer_value(batch));
    const char *backend = strk(l, "backend");
    if (backend != NULL) {
        mg__buf_puts(b, " &#183; backend ");
        esc(b, backend);
    }
    json_t *stable = json_object_get(l, "stable");
    if (json_is_false(stable))
        mg__buf_puts(b, " &#183; <b>unstable</b>: the window medians differ; results may not repeat");
    mg__buf_puts(b, "</p>\n<table>\n<thead><tr><th>Statistic</th><th>ms</th></tr></thead>\n"
                    "<tbody>\n");
    static const char *const keys[] = {"p50_ms",  "p90_ms", "p95_ms",  "p99_ms",
                                       "p999_ms", "max_ms", "min_ms",  "mean_ms",
                                       "stddev_ms", "p99_upper_bound_ms", "first_call_ms"};
    for (size_t i = 0; i < MG_ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(l, keys[i]);
        if (v == NULL)
            continue;
        mg__buf_printf(b, "<tr><td>%s</td>", keys[i]);
        char rkey[64];
        snprintf(rkey, sizeof rkey, "%s_reason", keys[i]);
        value_cell(b, num(v), strk(l, rkey));
        mg__buf_puts(b, "</tr>\n");
    }
    double tput = numk(l, "throughput_per_s");
    if (isfinite(tput)) {
        mg__buf_puts(b, "<tr><td>throughput (calls/s)</td><td class=\"num\">");
        short_num(b, tput);
        mg__buf_puts(b, "</td></tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");

    json_t *h = json_object_get(l, "histogram");
    if (!json_is_object(h)) {
        note(b, "Latency histogram: not drawn (latency.json has no \"histogram\").");
        mg__buf_puts(b, "</section>\n");
        return true;
    }
    size_t ne, nc;
    double *edges = numbers(json_object_get(h, "edges_ms"), &ne);
    double *counts = numbers(json_object_get(h, "counts"), &nc);
    bool ok = edges != NULL && counts != NULL;
    const char *sc = strk(h, "scale");
    bool log_x = sc == NULL || strcmp(sc, "log") == 0;
    bool shape = ok && ne >= 2 && nc == ne - 1;
    for (size_t i = 0; shape && i < ne; i++)
        shape = isfinite(edges[i]) && (!log_x || edges[i] > 0) && (i == 0 || edges[i] >= edges[i - 1]);
    if (ok && !shape) {
        note(b, "Latency histogram: not drawn (\"histogram\" needs n+1 increasing edges, "
                "positive on a log scale, and n counts).");
    } else if (ok) {
        mg__svg_vline lines[8];
        char labels[8][96];
        int nl = 0;
        lines[nl++] = (mg__svg_vline){"p50", numk(l, "p50_ms")};
        lines[nl++] = (mg__svg_vline){"p99", numk(l, "p99_ms")};
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(d->gate, "gates"), i, g) {
            const char *kind = strk(g, "kind");
            double thr = numk(g, "threshold");
            if (nl < 8 && kind != NULL && strcmp(kind, "latency") == 0 && isfinite(thr)) {
                const char *metric = strk(g, "metric");
                snprintf(labels[nl], sizeof labels[nl], "gate: %.60s threshold",
                         metric ? metric : "latency");
                lines[nl] = (mg__svg_vline){labels[nl], thr};
                nl++;
            }
        }
        mg__svg_histogram c = {.id = "chart-latency",
                               .title = "Latency per call",
                               .x_label = log_x ? "milliseconds (log scale)" : "milliseconds",
                               .y_label = "calls",
                               .edges = edges,
                               .counts = counts,
                               .n = nc,
                               .log_x = log_x,
                               .lines = lines,
                               .nlines = nl};
        mg__buf_puts(b, "<div class=\"charts\">\n");
        mg__svg_draw_histogram(b, &c);
        mg__buf_puts(b, "</div>\n");
    }
    free(edges);
    free(counts);
    mg__buf_puts(b, "</section>\n");
    return ok;
}

static bool comparison_section(mg__buf *b, const inputs *d) {
    json_t *c = d->comparison;
    if (c == NULL)
        return true;
    mg__buf_puts(b, "<section id=\"comparison\">\n<h2>Comparison with the baseline</h2>\n");
    json_t *prov = json_object_get(c, "provenance");
    const char *nm = strk(prov, "new_model"), *bm = strk(prov, "baseline_model");
    if (nm != NULL || bm != NULL) {
        mg__buf_puts(b, "<p>New <code>");
        esc(b, nm ? nm : "?");
        mg__buf_puts(b, "</code> against baseline <code>");
        esc(b, bm ? bm : "?");
        mg__buf_puts(b, "</code></p>\n");
    }
    json_t *deltas = json_object_get(c, "deltas");
    json_t *nw = json_object_get(c, "new"), *base = json_object_get(c, "baseline");
    size_t nd = json_object_size(deltas);
    if (nd == 0) {
        note(b, "comparison.json holds no deltas.");
        mg__buf_puts(b, "</section>\n");
        return true;
    }
    mg__buf_puts(b, "<p id=\"delta-sign\">Difference = new &#8722; baseline. The regression "
                    "gates use the improvement: the difference with its sign flipped where lower "
                    "is better");
    {
        const char *k_;
        json_t *e_;
        size_t nlower = 0;
        json_object_foreach(deltas, k_, e_) {
            const char *dir = strk(e_, "direction");
            if (dir == NULL || strcmp(dir, "lower_is_better") != 0)
                continue;
            mg__buf_puts(b, nlower++ == 0 ? " (" : ", ");
            esc(b, k_);
        }
        mg__buf_puts(b, nlower > 0 ? ").</p>\n" : ".</p>\n");
    }
    mg__buf_puts(b, "<table>\n<thead><tr><th>Metric</th><th>New</th><th>Baseline</th>"
                    "<th>Difference (new &#8722; baseline)</th><th>Interval</th><th>p-value</th>"
                    "<th>Test</th></tr></thead>\n<tbody>\n");
    mg__svg_delta *rows = mg__calloc(nd, sizeof *rows);
    if (rows == NULL)
        return false;
    int nr = 0;
    const char *key;
    json_t *e;
    json_object_foreach(deltas, key, e) {
        if (!json_is_object(e))
            continue;
        mg__buf_puts(b, "<tr><td>");
        esc(b, key);
        mg__buf_puts(b, "</td>");
        value_cell(b, numk(nw, key), NULL);
        value_cell(b, numk(base, key), NULL);
        value_cell(b, numk(e, "value"), strk(e, "null_reason"));
        mg__buf_puts(b, "<td class=\"num\">");
        interval_text(b, numk(e, "ci_low"), numk(e, "ci_high"));
        mg__buf_puts(b, "</td><td class=\"num\">");
        double p = numk(e, "p_value");
        if (isfinite(p))
            short_num(b, p);
        else
            mg__buf_puts(b, "&#8212;");
        mg__buf_puts(b, "</td><td>");
        esc(b, strk(e, "test"));
        mg__buf_puts(b, "</td></tr>\n");
        const char *dir = strk(e, "direction");
        if (isfinite(numk(e, "value")))
            rows[nr++] = (mg__svg_delta){key, numk(e, "value"), numk(e, "ci_low"),
                                         numk(e, "ci_high"),
                                         dir != NULL && strcmp(dir, "lower_is_better") == 0};
    }
    mg__buf_puts(b, "</tbody>\n</table>\n");
    if (nr > 0) {
        mg__svg_delta_chart dc = {.id = "chart-deltas",
                                  .title = "Differences from the baseline",
                                  .rows = rows,
                                  .nrows = nr,
                                  .note = "Green: better than the baseline, red: worse; "
                                          "whiskers: the paired interval where one was computed."};
        mg__buf_puts(b, "<div class=\"charts\">\n");
        mg__svg_draw_delta_chart(b, &dc);
        mg__buf_puts(b, "</div>\n");
    }
    free(rows);
    mg__buf_puts(b, "</section>\n");
    return true;
}

static void provenance_section(mg__buf *b, const inputs *d) {
    json_t *p = json_object_get(d->gate, "provenance");
    const char *from = "gate.json";
    if (!json_is_object(p) && d->metrics != NULL) {
        p = json_object_get(d->metrics, "provenance");
        from = "metrics.json";
    }
    mg__buf_puts(b, "<section id=\"provenance\">\n<h2>Provenance</h2>\n");
    if (!json_is_object(p)) {
        note(b, "The results record no provenance.");
        mg__buf_puts(b, "</section>\n");
        return;
    }
    mg__buf_printf(b, "<p class=\"note\">From %s.</p>\n<table>\n<tbody>\n", from);
    const char *key;
    json_t *v;
    json_object_foreach(p, key, v) {
        mg__buf_puts(b, "<tr><th>");
        esc(b, key);
        mg__buf_puts(b, "</th><td>");
        if (json_is_null(v))
            mg__buf_puts(b, "&#8212;");
        else if (json_is_string(v)) {
            mg__buf_puts(b, "<code>");
            esc_json(b, v);
            mg__buf_puts(b, "</code>");
        } else
            scalar(b, v);
        mg__buf_puts(b, "</td></tr>\n");
    }
    mg__buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

mg_status mg__report_html(const mg_report_inputs *in, const mg_report_options *o, char **out,
                          size_t *len, mg_error *err) {
    MG_UNUSED(o);
    *out = NULL;
    if (len != NULL)
        *len = 0;
    inputs d = {0};
    mg_status st = load_all(in, &d, err);
    if (st != MG_OK) {
        inputs_release(&d);
        return st;
    }
    mg__buf b = {0};
    mg__buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"generator\" content=\"modelgate\">\n<title>modelgate: ");
    esc(&b, strk(d.gate, "verdict"));
    mg__buf_puts(&b, "</title>\n<style>\n");
    mg__buf_puts(&b, style);
    mg__buf_puts(&b, "</style>\n</head>\n<body>\n");
    header(&b, &d);
    gates_section(&b, &d);
    bool ok = metrics_section(&b, &d);
    ok = ok && fairness_section(&b, &d);
    ok = ok && latency_section(&b, &d);
    ok = ok && comparison_section(&b, &d);
    if (ok)
        provenance_section(&b, &d);
    mg__buf_puts(&b, "<footer><p class=\"note\">Made by modelgate ");
    const char *ver = strk(json_object_get(d.gate, "provenance"), "modelgate_version");
    esc(&b, ver ? ver : mg_version());
    mg__buf_puts(&b, " from the JSON result files alone.</p></footer>\n</body>\n</html>\n");
    inputs_release(&d);
    if (!ok || b.failed || b.data == NULL) {
        mg__buf_release(&b);
        return mg__nomem(err, "report.html");
    }
    size_t n = b.len;
    *out = mg__buf_detach(&b);
    if (len != NULL)
        *len = n;
    return MG_OK;
}
