/* markdown.c - report.md, the pull-request comment (DESIGN §13): the hidden
 * marker on the first line, the verdict, the gates table, latency, the
 * comparison with the baseline, the fairness tables and the provenance;
 * kept under the size cap by cutting whole sections, each cut said in a
 * line. Text from the data is escaped for GitHub Flavored Markdown. */
#include "modelgate/github.h"
#include "report/render_internal.h"

#include <math.h>

/* Data text for GFM, inline (a table cell, a heading, a list item): ASCII
 * punctuation that starts markup is backslash-escaped (\ ` * _ [ ] < > | ~ &
 * ! # $), and so are ':' and '.', so that no URL, domain or "www." in the
 * data is turned into a link by GFM's autolinks; line breaks and other
 * control characters become spaces, invalid UTF-8 becomes U+FFFD, and an
 * '@' before a name gets a zero-width space so it mentions nobody. */
static void md_text(mg__buf *b, const char *s, size_t len) {
    static const char special[] = "\\`*_[]<>|~&!#$:.";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) {
                mg__buf_puts(b, " ");
            } else if (c == '@') {
                mg__buf_puts(b, "@");
                if (i + 1 < len && (p[i + 1] >= 0x80 || p[i + 1] == '_' || p[i + 1] == '-' ||
                                    (p[i + 1] >= '0' && p[i + 1] <= '9') ||
                                    ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z')))
                    mg__buf_puts(b, "\xE2\x80\x8B"); /* U+200B */
            } else {
                if (strchr(special, c) != NULL)
                    mg__buf_puts(b, "\\");
                mg__buf_append(b, &c, 1);
            }
            i++;
            continue;
        }
        bool ok;
        size_t n = mg__utf8_decode(p + i, len - i, &ok);
        if (!ok)
            mg__buf_puts(b, "\xEF\xBF\xBD");
        else if (n == 2 && c == 0xC2 && p[i + 1] < 0xA0) /* C1 control */
            mg__buf_puts(b, " ");
        else
            mg__buf_append(b, p + i, n);
        i += n;
    }
}

/* Data text inside raw HTML (a <summary>): on one line (line breaks and
 * other control characters become spaces, so no blank line can end the HTML
 * block and start Markdown), HTML-escaped, and the characters that start
 * Markdown (\ ` * _ [ ] | ~ ! # $ : .) as numeric character references, so
 * the text stays text whatever renders it; an '@' before a name gets a
 * zero-width space as in md_text. */
static void md_html_text(mg__buf *b, const char *s, size_t len) {
    static const char special[] = "\\`*_[]|~!#$:.";
    mg__buf one = {0};
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c < 0x20 || c == 0x7f) {
            mg__buf_puts(&one, " ");
        } else if (c == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] < 0xA0) {
            mg__buf_puts(&one, " "); /* C1 control */
            i++;
        } else {
            mg__buf_append(&one, &c, 1);
        }
    }
    b->failed |= one.failed;
    const char *t = one.data != NULL ? one.data : "";
    size_t n = one.len, start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == '@' && i + 1 < n &&
            ((unsigned char)t[i + 1] >= 0x80 || t[i + 1] == '_' || t[i + 1] == '-' ||
             (t[i + 1] >= '0' && t[i + 1] <= '9') ||
             ((t[i + 1] | 0x20) >= 'a' && (t[i + 1] | 0x20) <= 'z'))) {
            mg__report_html_text(b, t + start, i + 1 - start);
            mg__buf_puts(b, "\xE2\x80\x8B");
            start = i + 1;
        } else if (c != '\0' && strchr(special, c) != NULL) {
            mg__report_html_text(b, t + start, i - start);
            mg__buf_printf(b, "&#%d;", c);
            start = i + 1;
        }
    }
    mg__report_html_text(b, t + start, n - start);
    mg__buf_release(&one);
}

static void md_str(mg__buf *b, const char *s) {
    if (s != NULL)
        md_text(b, s, strlen(s));
}

static void md_json(mg__buf *b, json_t *v) {
    mg__report_json_text(b, v, md_text);
}

/* A number cell: the value, or "n/a". */
static void md_num(mg__buf *b, json_t *v) {
    char nb[MG__REPORT_NUMBER_CAP];
    mg__buf_puts(b, mg__report_json_number(v, "n/a", nb, sizeof nb));
}

/* The marker's id, kept to [A-Za-z0-9._:/-] so it cannot end the comment. */
static void marker(mg__buf *b, const char *id) {
    mg__buf_puts(b, "<!-- modelgate:");
    for (const char *p = id; *p; p++) {
        char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
        if (c == '-' && p[1] == '-')
            keep = false;
        mg__buf_append(b, keep ? &c : "_", 1);
    }
    mg__buf_puts(b, " -->\n");
}

/* "accuracy", "demographic_parity_ratio (gender)", "accuracy (regression)". */
static void gate_label(mg__buf *b, json_t *g) {
    json_t *metric = json_object_get(g, "metric");
    const char *kind = mg__report_get_string(g, "kind", NULL);
    if (!json_is_string(metric)) {
        md_json(b, json_object_get(g, "name"));
        return;
    }
    if (kind != NULL && strcmp(kind, "slice") == 0) {
        /* one row per slice: the name says which ("accuracy >= 0.8 on region=EU") */
        md_json(b, json_object_get(g, "name"));
        return;
    }
    md_json(b, metric);
    json_t *attr = json_object_get(g, "attribute");
    if (json_is_string(attr) || json_is_array(attr)) {
        mg__buf_puts(b, " (");
        if (kind != NULL && strcmp(kind, "slice") == 0)
            mg__buf_puts(b, "slice ");
        mg__report_attribute_label(b, attr, md_text);
        mg__buf_puts(b, ")");
    } else if (kind != NULL && strcmp(kind, "regression") == 0) {
        /* the rule, and what the value is: the change oriented so that
         * larger is better (comparison.json's delta with its sign flipped
         * for a lower-is-better metric) */
        const char *name = mg__report_get_string(g, "name", NULL);
        if (name != NULL && strstr(name, " relative_change ") != NULL)
            mg__buf_puts(b, " relative change (improvement)");
        else if (name != NULL && strstr(name, " change ") != NULL)
            mg__buf_puts(b, " change (improvement)");
        else
            mg__buf_puts(b, " change vs baseline (improvement)");
    }
}

/* The floor of the report, never cut: the title with the verdict and the
 * count of gates per status. */
static void section_title(mg__buf *b, json_t *gate) {
    const char *verdict = mg__report_get_string(gate, "verdict", NULL);
    mg__buf_printf(b, "## %s modelgate: **%s**\n\n", mg__report_verdict_emoji(verdict), verdict);
    json_t *gates = json_object_get(gate, "gates");
    int counts[4] = {0}; /* pass, fail, inconclusive, skipped */
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        int r = mg__report_verdict_rank(mg__report_get_string(g, "verdict", NULL));
        counts[r == 0 ? 0 : r == 3 ? 1 : r == 2 ? 2 : 3]++;
    }
    mg__buf_printf(b, "%zu gate%s: %d passed, %d failed, %d inconclusive, %d skipped.",
                   json_array_size(gates), json_array_size(gates) == 1 ? "" : "s", counts[0],
                   counts[1], counts[2], counts[3]);
    const char *oi = mg__report_get_string(gate, "on_inconclusive", NULL);
    if (oi != NULL && strcmp(oi, "fail") != 0 && strcmp(oi, "warn") != 0 &&
        strcmp(oi, "pass") != 0)
        oi = NULL; /* not one of the values: not shown in a code span */
    if (counts[2] > 0 && oi != NULL)
        mg__buf_printf(b, " Inconclusive gates count as `%s` (on_inconclusive).", oi);
    mg__buf_puts(b, "\n\n");
}

/* The gates table's row of gate g. */
static void gate_row(mg__buf *b, json_t *g) {
    const char *v = mg__report_get_string(g, "verdict", NULL);
    mg__buf_puts(b, "| ");
    gate_label(b, g);
    mg__buf_puts(b, " | ");
    mg__report_value_ci(b, json_object_get(g, "value"), json_object_get(g, "ci"), NULL);
    mg__buf_puts(b, " | ");
    mg__buf_puts(b, mg__report_op_symbol(mg__report_get_string(g, "op", NULL)));
    if (json_is_number(json_object_get(g, "threshold"))) {
        mg__buf_puts(b, " ");
        md_num(b, json_object_get(g, "threshold"));
    }
    mg__buf_printf(b, " | %s %s |\n", mg__report_verdict_emoji(v), v);
}

/* Why each gate that did not pass did not: one line each. */
static void section_reasons(mg__buf *b, json_t *gate) {
    json_t *gates = json_object_get(gate, "gates");
    size_t i;
    json_t *g;
    bool any = false;
    json_array_foreach(gates, i, g) {
        const char *v = mg__report_get_string(g, "verdict", NULL);
        if (strcmp(v, "pass") == 0)
            continue;
        any = true;
        mg__buf_printf(b, "- %s **", mg__report_verdict_emoji(v));
        md_json(b, json_object_get(g, "name"));
        mg__buf_puts(b, "**");
        json_t *reason = json_object_get(g, "reason");
        json_t *vreason = json_object_get(g, "value_reason");
        if (json_is_string(reason)) {
            mg__buf_puts(b, ": ");
            md_json(b, reason);
        }
        if (json_is_string(vreason)) {
            mg__buf_puts(b, json_is_string(reason) ? " (" : ": ");
            md_json(b, vreason);
            if (json_is_string(reason))
                mg__buf_puts(b, ")");
        }
        if (json_is_string(json_object_get(g, "source"))) {
            mg__buf_puts(b, " \xE2\x80\x94 ");
            md_json(b, json_object_get(g, "source"));
        }
        mg__buf_puts(b, "\n");
    }
    if (any)
        mg__buf_puts(b, "\n");
}

static void ms_cell(mg__buf *b, json_t *lat, const char *key) {
    json_t *v = json_object_get(lat, key);
    md_num(b, v);
    if (json_is_number(v))
        mg__buf_puts(b, " ms");
}

static void section_latency(mg__buf *b, json_t *lat) {
    mg__buf_puts(b, "### Latency\n\n| p50 | p95 | p99 | max | p99 upper bound | stable |\n"
                    "|---|---|---|---|---|---|\n| ");
    static const char *const keys[] = {"p50_ms", "p95_ms", "p99_ms", "max_ms",
                                       "p99_upper_bound_ms"};
    for (size_t k = 0; k < MG_ARRAY_LEN(keys); k++) {
        ms_cell(b, lat, keys[k]);
        mg__buf_puts(b, " | ");
    }
    json_t *stable = json_object_get(lat, "stable");
    mg__buf_puts(b, json_is_true(stable)    ? "yes"
                    : json_is_false(stable) ? "no"
                                            : "n/a");
    mg__buf_puts(b, " |\n\n");
    double samples;
    if (mg__report_get_number(lat, "samples", &samples)) {
        char nb[MG__REPORT_NUMBER_CAP];
        mg__buf_printf(b, "%s samples", mg__report_number(samples, nb, sizeof nb));
        double conf;
        if (mg__report_get_number(lat, "confidence", &conf))
            mg__buf_printf(b, "; upper bound at confidence %s",
                           mg__report_number(conf, nb, sizeof nb));
        json_t *backend = json_object_get(lat, "backend");
        if (json_is_string(backend)) {
            mg__buf_puts(b, "; backend ");
            md_json(b, backend);
        }
        mg__buf_puts(b, ".\n");
    }
    json_t *why = json_object_get(lat, "p99_upper_bound_ms_reason");
    if (json_is_string(why)) {
        mg__buf_puts(b, "p99 upper bound n/a: ");
        md_json(b, why);
        mg__buf_puts(b, ".\n");
    }
    mg__buf_puts(b, "\n");
}

static void section_comparison(mg__buf *b, json_t *cmp, json_t *prov) {
    mg__buf_puts(b, "### Comparison with the baseline\n\n");
    json_t *base = json_object_get(prov, "baseline");
    if (json_is_string(base)) {
        mg__buf_puts(b, "Baseline: ");
        md_json(b, base);
        json_t *ver = json_object_get(prov, "baseline_version");
        if (json_is_string(ver)) {
            mg__buf_puts(b, " (version ");
            md_json(b, ver);
            mg__buf_puts(b, ")");
        }
        mg__buf_puts(b, ".\n\n");
    }
    json_t *deltas = mg__report_get_object(cmp, "deltas");
    json_t *new_m = mg__report_get_object(cmp, "new");
    json_t *old_m = mg__report_get_object(cmp, "baseline");
    if (deltas == NULL || json_object_size(deltas) == 0) {
        mg__buf_puts(b, "No metric was compared.\n\n");
        return;
    }
    mg__buf_puts(b, "Delta = new \xE2\x88\x92 baseline. The regression gates use the improvement: "
                    "the delta, with its sign flipped where lower is better");
    const char *key;
    json_t *d;
    size_t nlower = 0;
    json_object_foreach(deltas, key, d) {
        const char *dir = mg__report_get_string(d, "direction", NULL);
        if (dir == NULL || strcmp(dir, "lower_is_better") != 0)
            continue;
        mg__buf_puts(b, nlower++ == 0 ? " (" : ", ");
        md_str(b, key);
    }
    mg__buf_puts(b, nlower > 0 ? ").\n\n" : ".\n\n");
    mg__buf_puts(b, "| Metric | New | Baseline | Delta [CI] | p-value | Test |\n"
                    "|---|---|---|---|---|---|\n");
    json_object_foreach(deltas, key, d) {
        mg__buf_puts(b, "| ");
        md_str(b, key);
        mg__buf_puts(b, " | ");
        md_num(b, json_object_get(new_m, key));
        mg__buf_puts(b, " | ");
        md_num(b, json_object_get(old_m, key));
        mg__buf_puts(b, " | ");
        mg__report_value_ci(b, json_object_get(d, "value"), NULL, d);
        mg__buf_puts(b, " | ");
        md_num(b, json_object_get(d, "p_value"));
        mg__buf_puts(b, " | ");
        json_t *test = json_object_get(d, "test");
        if (json_is_string(test))
            md_json(b, test);
        else
            mg__buf_puts(b, "n/a");
        mg__buf_puts(b, " |\n");
    }
    mg__buf_puts(b, "\n");
}

static const char *const measures[] = {"demographic_parity", "equalized_odds",
                                       "equal_opportunity"};

/* The attribute's label: its "attributes" array (an intersection) or key. */
static void attr_label(mg__buf *b, const char *key, json_t *entry) {
    json_t *attrs = json_object_get(entry, "attributes");
    if (json_is_array(attrs))
        mg__report_attribute_label(b, attrs, md_text);
    else
        md_str(b, key);
}

static void section_fairness_summary(mg__buf *b, json_t *fair) {
    mg__buf_puts(b, "### Fairness\n\n| Attribute | Measure | Ratio | Difference | Status |\n"
                    "|---|---|---|---|---|\n");
    for (size_t m = 0; m < MG_ARRAY_LEN(measures); m++) {
        json_t *per = mg__report_get_object(fair, measures[m]);
        const char *key;
        json_t *e;
        json_object_foreach(per, key, e) {
            if (!json_is_object(e))
                continue;
            mg__buf_puts(b, "| ");
            attr_label(b, key, e);
            mg__buf_printf(b, " | %s | ", measures[m]);
            md_num(b, json_object_get(e, "ratio"));
            mg__buf_puts(b, " | ");
            md_num(b, json_object_get(e, "difference"));
            mg__buf_puts(b, " | ");
            const char *v = mg__report_get_string(e, "verdict", NULL);
            if (json_is_true(json_object_get(e, "gated")) && v != NULL &&
                mg__report_verdict_rank(v) >= 0)
                mg__buf_printf(b, "%s %s", mg__report_verdict_emoji(v), v);
            else
                mg__buf_puts(b, "not gated");
            mg__buf_puts(b, " |\n");
        }
    }
    mg__buf_puts(b, "\n");
}

/* One attribute's groups (from demographic_parity, where every group is
 * listed), folded; returns the number of groups listed. */
static size_t section_groups(mg__buf *b, const char *key, json_t *e, json_t *excluded,
                             double min_group) {
    json_t *groups = mg__report_get_array(e, "groups");
    size_t n = json_array_size(groups);
    mg__buf_puts(b, "<details><summary>");
    /* the summary is HTML: escape for HTML, not Markdown */
    json_t *attrs = json_object_get(e, "attributes");
    if (json_is_array(attrs))
        mg__report_attribute_label(b, attrs, md_html_text);
    else
        md_html_text(b, key, strlen(key));
    mg__buf_printf(b, ": %zu group%s</summary>\n\n", n, n == 1 ? "" : "s");
    mg__buf_puts(b, "| Group | n | Selection rate | TPR | FPR |\n|---|---|---|---|---|\n");
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g) {
        mg__buf_puts(b, "| ");
        mg__report_group_label(b, json_object_get(g, "value"), md_text, "*missing*");
        static const char *const cols[] = {"n", "selection_rate", "tpr", "fpr"};
        for (size_t c = 0; c < MG_ARRAY_LEN(cols); c++) {
            mg__buf_puts(b, " | ");
            md_num(b, json_object_get(g, cols[c]));
        }
        mg__buf_puts(b, " |\n");
    }
    mg__buf_puts(b, "\n");
    json_t *ex = mg__report_get_array(excluded, key);
    if (json_array_size(ex) > 0) {
        char nb[MG__REPORT_NUMBER_CAP];
        if (isfinite(min_group))
            mg__buf_printf(b, "Excluded (fewer than %s rows): ",
                           mg__report_number(min_group, nb, sizeof nb));
        else
            mg__buf_puts(b, "Excluded: ");
        json_array_foreach(ex, i, g) {
            if (i > 0)
                mg__buf_puts(b, ", ");
            mg__report_group_label(b, json_object_get(g, "value"), md_text, "*missing*");
            mg__buf_puts(b, " (");
            md_num(b, json_object_get(g, "n"));
            mg__buf_puts(b, ")");
        }
        mg__buf_puts(b, "\n\n");
    }
    mg__buf_puts(b, "</details>\n\n");
    return n;
}

static void prov_line(mg__buf *b, json_t *prov, const char *label, const char *path_key,
                      const char *sha_key) {
    json_t *path = json_object_get(prov, path_key);
    json_t *sha = json_object_get(prov, sha_key);
    if (!json_is_string(path) && !json_is_string(sha))
        return;
    mg__buf_printf(b, "- %s: ", label);
    if (json_is_string(path))
        md_json(b, path);
    if (json_is_string(sha)) {
        size_t n = json_string_length(sha);
        mg__buf_puts(b, json_is_string(path) ? " (sha256 " : "sha256 ");
        md_text(b, json_string_value(sha), n < 12 ? n : 12);
        if (json_is_string(path))
            mg__buf_puts(b, ")");
    }
    mg__buf_puts(b, "\n");
}

static void section_provenance(mg__buf *b, json_t *prov) {
    mg__buf_puts(b, "<details><summary>Provenance</summary>\n\n");
    prov_line(b, prov, "Model", "model", "model_sha256");
    prov_line(b, prov, "Data", "data", "data_sha256");
    prov_line(b, prov, "Policy", "policy", "policy_sha256");
    prov_line(b, prov, "Baseline", "baseline", "baseline_sha256");
    json_t *bv = json_object_get(prov, "baseline_version");
    if (json_is_string(bv)) {
        mg__buf_puts(b, "- Baseline version: ");
        md_json(b, bv);
        mg__buf_puts(b, "\n");
    }
    json_t *ver = json_object_get(prov, "modelgate_version");
    if (json_is_string(ver)) {
        mg__buf_puts(b, "- modelgate ");
        md_json(b, ver);
        mg__buf_puts(b, "\n");
    }
    if (json_is_number(json_object_get(prov, "seed"))) {
        mg__buf_puts(b, "- Seed: ");
        md_num(b, json_object_get(prov, "seed"));
        mg__buf_puts(b, "\n");
    }
    json_t *at = json_object_get(prov, "created_at");
    if (json_is_string(at)) {
        mg__buf_puts(b, "- Created: ");
        md_json(b, at);
        mg__buf_puts(b, "\n");
    }
    mg__buf_puts(b, "\n</details>\n");
}

/* ---- metrics.json's calibration, operating points, per class, slices ---- */

static void section_calibration(mg__buf *b, json_t *m) {
    json_t *cal = mg__report_get_object(m, "calibration");
    if (cal == NULL || !(json_is_number(json_object_get(cal, "ece")) ||
                         json_is_number(json_object_get(cal, "mce"))))
        return;
    mg__buf_puts(b, "Calibration");
    double nb_;
    const char *strategy = mg__report_get_string(cal, "strategy", NULL);
    if (mg__report_get_number(cal, "n_bins", &nb_) && strategy != NULL &&
        (strcmp(strategy, "uniform") == 0 || strcmp(strategy, "quantile") == 0)) {
        char nb[MG__REPORT_NUMBER_CAP];
        mg__buf_printf(b, " (%s %s bins)", mg__report_number(nb_, nb, sizeof nb), strategy);
    }
    mg__buf_puts(b, ": expected calibration error (ECE) ");
    md_num(b, json_object_get(cal, "ece"));
    mg__buf_puts(b, ", maximum calibration error (MCE) ");
    md_num(b, json_object_get(cal, "mce"));
    mg__buf_puts(b, ".\n\n");
}

static void section_operating_points(mg__buf *b, json_t *m) {
    json_t *ops = mg__report_get_object(m, "operating_points");
    size_t n = json_object_size(ops);
    if (n == 0)
        return;
    mg__buf_printf(b, "<details><summary>Operating points: %zu</summary>\n\n", n);
    mg__buf_puts(b, "| Operating point | Value [CI] | Threshold | Precision | Recall | FPR |\n"
                    "|---|---|---|---|---|---|\n");
    const char *key;
    json_t *e;
    json_object_foreach(ops, key, e) {
        mg__buf_puts(b, "| ");
        md_str(b, key);
        mg__buf_puts(b, " | ");
        mg__report_value_ci(b, json_object_get(e, "value"), json_object_get(e, "ci"), NULL);
        static const char *const cols[] = {"threshold", "precision", "recall", "fpr"};
        for (size_t c = 0; c < MG_ARRAY_LEN(cols); c++) {
            mg__buf_puts(b, " | ");
            md_num(b, json_object_get(e, cols[c]));
        }
        mg__buf_puts(b, " |\n");
    }
    mg__buf_puts(b, "\n</details>\n\n");
}

static void section_per_class(mg__buf *b, json_t *m) {
    json_t *pcl = mg__report_get_object(m, "per_class");
    size_t n = json_object_size(pcl);
    if (n == 0)
        return;
    mg__buf_printf(b, "<details><summary>Per class: %zu class%s</summary>\n\n", n,
                   n == 1 ? "" : "es");
    mg__buf_puts(b, "| Class | Precision | Recall | F1 | Support |\n|---|---|---|---|---|\n");
    const char *key;
    json_t *e;
    json_object_foreach(pcl, key, e) {
        mg__buf_puts(b, "| ");
        md_str(b, key);
        static const char *const cols[] = {"precision", "recall", "f1", "support"};
        for (size_t c = 0; c < MG_ARRAY_LEN(cols); c++) {
            mg__buf_puts(b, " | ");
            md_num(b, json_object_get(e, cols[c]));
        }
        mg__buf_puts(b, " |\n");
    }
    mg__buf_puts(b, "\n</details>\n\n");
}

/* One part of a slice's value: a string, number, boolean, null (missing) or
 * a bucket {"low", "high", "closed"} shown as (low, high] with the brackets
 * its "closed" says (right-closed when absent). */
static void slice_part(mg__buf *b, json_t *v) {
    char nb[MG__REPORT_NUMBER_CAP];
    if (json_is_string(v))
        md_json(b, v);
    else if (json_is_null(v) || v == NULL)
        mg__buf_puts(b, "*missing*");
    else if (json_is_boolean(v))
        mg__buf_puts(b, json_is_true(v) ? "true" : "false");
    else if (json_is_number(v))
        mg__buf_puts(b, mg__report_number(json_number_value(v), nb, sizeof nb));
    else if (json_is_object(v)) {
        json_t *lo = json_object_get(v, "low"), *hi = json_object_get(v, "high");
        const char *closed = json_string_value(json_object_get(v, "closed"));
        closed = closed ? closed : "right";
        bool lc = strcmp(closed, "left") == 0 || strcmp(closed, "both") == 0;
        bool hc = strcmp(closed, "right") == 0 || strcmp(closed, "both") == 0;
        mg__buf_puts(b, lc ? "[" : "(");
        mg__buf_puts(b, json_is_number(lo) ? mg__report_number(json_number_value(lo), nb, sizeof nb)
                                           : "\xE2\x88\x92\xE2\x88\x9E");
        mg__buf_puts(b, ", ");
        mg__buf_puts(b, json_is_number(hi) ? mg__report_number(json_number_value(hi), nb, sizeof nb)
                                           : "\xE2\x88\x9E");
        mg__buf_puts(b, hc ? "]" : ")");
    } else
        mg__buf_puts(b, "?");
}

static void slice_label(mg__buf *b, json_t *v) {
    if (!json_is_array(v)) {
        slice_part(b, v);
        return;
    }
    size_t i;
    json_t *p;
    json_array_foreach(v, i, p) {
        if (i > 0)
            mg__buf_puts(b, " \xC3\x97 ");
        slice_part(b, p);
    }
}

/* The metric slices are ranked by: accuracy or r2 (worst = lowest), else
 * mae or rmse (worst = highest). */
static const char *slice_metric(json_t *slices, bool *higher_better) {
    static const struct {
        const char *name;
        bool higher;
    } order[] = {{"accuracy", true}, {"r2", true}, {"mae", false}, {"rmse", false}};
    json_t *first = json_array_get(slices, 0);
    json_t *mm = mg__report_get_object(first, "metrics");
    for (size_t k = 0; k < MG_ARRAY_LEN(order); k++)
        if (json_object_get(mm, order[k].name) != NULL) {
            *higher_better = order[k].higher;
            return order[k].name;
        }
    return NULL;
}

typedef struct ranked_slice {
    json_t *slice;
    double v; /* NaN when undefined: ranked last */
} ranked_slice;

static int rank_worse_low(const void *a, const void *b) {
    const ranked_slice *x = a, *y = b;
    if (isnan(x->v) || isnan(y->v))
        return isnan(x->v) - isnan(y->v);
    return x->v < y->v ? -1 : x->v > y->v;
}

static int rank_worse_high(const void *a, const void *b) {
    const ranked_slice *x = a, *y = b;
    if (isnan(x->v) || isnan(y->v))
        return isnan(x->v) - isnan(y->v);
    return x->v > y->v ? -1 : x->v < y->v;
}

#define MD_WORST_SLICES 5

static void section_slices(mg__buf *b, json_t *m, const char *file) {
    json_t *all = mg__report_get_object(m, "slices");
    size_t n = json_object_size(all);
    if (n == 0)
        return;
    mg__buf_printf(b, "<details><summary>Slices: the %d worst per slicing</summary>\n\n",
                   MD_WORST_SLICES);
    const char *name;
    json_t *sl;
    json_object_foreach(all, name, sl) {
        json_t *slices = mg__report_get_array(sl, "slices");
        size_t ns = json_array_size(slices);
        size_t small = json_array_size(mg__report_get_array(sl, "too_small"));
        mg__buf_puts(b, "Slicing ");
        md_str(b, name);
        mg__buf_printf(b, ": %zu slice%s scored, %zu too small to score.\n\n", ns,
                       ns == 1 ? "" : "s", small);
        bool higher = true;
        const char *metric = slice_metric(slices, &higher);
        if (ns == 0 || metric == NULL)
            continue;
        ranked_slice *r = mg__calloc(ns, sizeof *r);
        if (r == NULL) {
            b->failed = true;
            return;
        }
        size_t i;
        json_t *one;
        json_array_foreach(slices, i, one) {
            r[i].slice = one;
            if (!mg__report_get_number(mg__report_get_object(one, "metrics"), metric, &r[i].v))
                r[i].v = NAN;
        }
        qsort(r, ns, sizeof *r, higher ? rank_worse_low : rank_worse_high);
        mg__buf_printf(b, "| Slice | n | %s [CI] | vs overall |\n|---|---|---|---|\n", metric);
        size_t shown = ns < MD_WORST_SLICES ? ns : MD_WORST_SLICES;
        for (i = 0; i < shown; i++) {
            json_t *one_ = r[i].slice;
            mg__buf_puts(b, "| ");
            slice_label(b, json_object_get(one_, "value"));
            mg__buf_puts(b, " | ");
            md_num(b, json_object_get(one_, "n"));
            mg__buf_puts(b, " | ");
            mg__report_value_ci(b,
                                json_object_get(mg__report_get_object(one_, "metrics"), metric),
                                json_object_get(mg__report_get_object(one_, "ci"), metric),
                                NULL);
            mg__buf_puts(b, " | ");
            json_t *dv = json_object_get(mg__report_get_object(one_, "difference_from_overall"),
                                         metric);
            if (json_is_number(dv) && json_number_value(dv) > 0)
                mg__buf_puts(b, "+");
            md_num(b, dv);
            mg__buf_puts(b, " |\n");
        }
        mg__buf_puts(b, "\n");
        if (ns > shown)
            mg__buf_printf(b, "\xE2\x80\xA6 %zu more slice%s in %s\n\n", ns - shown,
                           ns - shown == 1 ? "" : "s", file);
        free(r);
    }
    mg__buf_puts(b, "</details>\n\n");
}

/* One piece of the report, and what to say when it is cut. */
typedef struct piece {
    mg__buf text;
    size_t groups; /* fairness group tables: how many groups it lists */
    const char *what; /* other cuttable sections: its name; NULL = never cut */
    const char *file; /* where the reader finds what was cut */
    bool cut;
} piece;

enum {
    P_HEAD,
    P_REASONS,
    P_CALIBRATION,
    P_OPERATING,
    P_PER_CLASS,
    P_SLICES,
    P_LATENCY,
    P_COMPARISON,
    P_FAIRNESS,
    P_PROVENANCE,
    P_GROUPS /* one per attribute from here */
};

/* The notes that say what was cut (compact: one line for all). */
static void cut_notes(mg__buf *notes, const piece *pc, size_t cut_groups, const char *fairness_name,
                      bool compact) {
    mg__buf_release(notes);
    if (compact) {
        bool any = cut_groups > 0;
        for (size_t i = P_REASONS; i <= P_PROVENANCE; i++)
            any |= pc[i].cut;
        if (any)
            mg__buf_puts(notes, "\xE2\x80\xA6 other sections are not shown; see the JSON "
                                "files beside report.md\n\n");
        return;
    }
    if (cut_groups > 0)
        mg__buf_printf(notes, "\xE2\x80\xA6 %zu groups not shown; see %s\n\n", cut_groups,
                       fairness_name);
    for (size_t i = P_REASONS; i <= P_PROVENANCE; i++)
        if (pc[i].cut)
            mg__buf_printf(notes, "\xE2\x80\xA6 the %s section is not shown; see %s\n\n",
                           pc[i].what, pc[i].file);
}

mg_status mg__report_markdown(const mg__report_doc *doc, const mg_report_options *o, char **out,
                              size_t *len, mg_error *err) {
    json_t *prov = mg__report_get_object(doc->gate, "provenance");
    json_t *gates = json_object_get(doc->gate, "gates");
    size_t nrows = json_array_size(gates);
    size_t nfair = 0;
    json_t *dp = mg__report_get_object(doc->fairness, "demographic_parity");
    if (dp != NULL)
        nfair = json_object_size(dp);
    size_t npieces = P_GROUPS + nfair;
    piece *pc = mg__calloc(npieces, sizeof *pc);
    mg__buf *rows = mg__calloc(nrows + 1, sizeof *rows);
    bool *keep = mg__calloc(nrows + 1, sizeof *keep);
    if (pc == NULL || rows == NULL || keep == NULL) {
        free(pc);
        free(rows);
        free(keep);
        return mg__nomem(err, "report.md");
    }
    /* The marker the run was given (gate.json keeps it), unless the caller
     * names another: a report made again updates the same comment. */
    const char *id = o->marker_id;
    if (id == NULL) {
        const char *kept = mg__report_get_string(doc->gate, "marker", NULL);
        id = kept != NULL && mg_github_marker_id_valid(kept) ? kept : "gate";
    }
    marker(&pc[P_HEAD].text, id);
    section_title(&pc[P_HEAD].text, doc->gate);
    static const char table_head[] = "| Metric | Value | Threshold | Status |\n|---|---|---|---|\n";
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        gate_row(&rows[i], g);
        keep[i] = true;
    }
    section_reasons(&pc[P_REASONS].text, doc->gate);
    pc[P_REASONS].what = "reasons";
    pc[P_REASONS].file = doc->gate_name;
    if (doc->metrics != NULL) {
        section_calibration(&pc[P_CALIBRATION].text, doc->metrics);
        section_operating_points(&pc[P_OPERATING].text, doc->metrics);
        section_per_class(&pc[P_PER_CLASS].text, doc->metrics);
        section_slices(&pc[P_SLICES].text, doc->metrics, doc->metrics_name);
    }
    pc[P_CALIBRATION].what = "calibration";
    pc[P_OPERATING].what = "operating points";
    pc[P_PER_CLASS].what = "per-class";
    pc[P_SLICES].what = "slices";
    for (size_t k = P_CALIBRATION; k <= P_SLICES; k++)
        pc[k].file = doc->metrics_name;
    if (doc->latency != NULL)
        section_latency(&pc[P_LATENCY].text, doc->latency);
    pc[P_LATENCY].what = "latency";
    pc[P_LATENCY].file = doc->latency_name;
    if (doc->comparison != NULL)
        section_comparison(&pc[P_COMPARISON].text, doc->comparison, prov);
    pc[P_COMPARISON].what = "comparison";
    pc[P_COMPARISON].file = doc->comparison_name;
    if (doc->fairness != NULL)
        section_fairness_summary(&pc[P_FAIRNESS].text, doc->fairness);
    pc[P_FAIRNESS].what = "fairness summary";
    pc[P_FAIRNESS].file = doc->fairness_name;
    if (prov != NULL)
        section_provenance(&pc[P_PROVENANCE].text, prov);
    pc[P_PROVENANCE].what = "provenance";
    pc[P_PROVENANCE].file = doc->gate_name;
    json_t *excluded = mg__report_get_object(doc->fairness, "excluded_groups");
    double min_group = NAN;
    mg__report_get_number(doc->fairness, "min_group_size", &min_group);
    size_t k = P_GROUPS;
    const char *key;
    json_t *e;
    json_object_foreach(dp, key, e) {
        if (k >= npieces)
            break;
        if (json_is_object(e))
            pc[k].groups = section_groups(&pc[k].text, key, e, excluded, min_group);
        pc[k].file = doc->fairness_name;
        k++;
    }
    bool failed = false;
    for (i = 0; i < npieces; i++)
        failed |= pc[i].text.failed;
    size_t rows_len = 0;
    for (i = 0; i < nrows; i++) {
        failed |= rows[i].failed;
        rows_len += rows[i].len;
    }

    /* Cut until it fits, whole sections first: the metrics.json extras
     * (per class, slices, operating points, calibration), the group tables
     * from the last, the fairness summary, the comparison, the latency, the
     * provenance, the reasons; then the gates table's rows from the last.
     * The marker, the title and the count of gates are never cut (the
     * floor), and each cut is said in a line. */
    size_t cap = o->max_markdown;
    size_t cut_groups = 0, keep_rows = nrows;
    bool compact = false;
    mg__buf notes = {0}, rows_note = {0};
    static const size_t order[] = {P_PER_CLASS, P_SLICES,     P_OPERATING,  P_CALIBRATION,
                                   (size_t)-1,  P_FAIRNESS,   P_COMPARISON, P_LATENCY,
                                   P_PROVENANCE, P_REASONS};
    for (;;) {
        cut_notes(&notes, pc, cut_groups, doc->fairness_name, compact);
        mg__buf_release(&rows_note);
        if (keep_rows < nrows)
            mg__buf_printf(&rows_note, "\xE2\x80\xA6 %zu of %zu gates not shown; see %s\n\n",
                           nrows - keep_rows, nrows, doc->gate_name);
        size_t total = notes.len + rows_note.len + pc[P_HEAD].text.len;
        if (keep_rows > 0)
            total += strlen(table_head) + rows_len + 1;
        for (i = 1; i < npieces; i++)
            if (!pc[i].cut)
                total += pc[i].text.len;
        if (total <= cap)
            break;
        size_t victim = 0;
        for (size_t j = 0; j < MG_ARRAY_LEN(order) && victim == 0; j++) {
            if (order[j] == (size_t)-1) {
                for (size_t q = npieces; q-- > P_GROUPS;)
                    if (!pc[q].cut && pc[q].text.len > 0) {
                        victim = q;
                        break;
                    }
            } else if (!pc[order[j]].cut && pc[order[j]].text.len > 0) {
                victim = order[j];
            }
        }
        if (victim != 0) {
            pc[victim].cut = true;
            cut_groups += pc[victim].groups;
            continue;
        }
        if (keep_rows > 0) {
            /* the row to drop: a passed gate before a skipped, inconclusive
             * or failed one, the last first */
            size_t drop = nrows;
            for (int rank = 0; rank <= 3 && drop == nrows; rank++)
                for (size_t q = nrows; q-- > 0;)
                    if (keep[q] && mg__report_verdict_rank(mg__report_get_string(
                                       json_array_get(gates, q), "verdict", NULL)) <= rank) {
                        drop = q;
                        break;
                    }
            if (drop == nrows)
                for (size_t q = nrows; q-- > 0;)
                    if (keep[q]) {
                        drop = q;
                        break;
                    }
            keep[drop] = false;
            keep_rows--;
            rows_len -= rows[drop].len;
            continue;
        }
        if (!compact) {
            compact = true;
            continue;
        }
        break; /* the floor alone is over the cap (a cap below MG_REPORT_MARKDOWN_MIN) */
    }

    mg__buf b = {0};
    mg__buf_append(&b, pc[P_HEAD].text.data, pc[P_HEAD].text.len);
    if (keep_rows > 0) {
        mg__buf_puts(&b, table_head);
        for (i = 0; i < nrows; i++)
            if (keep[i])
                mg__buf_append(&b, rows[i].data, rows[i].len);
        mg__buf_puts(&b, "\n");
    }
    if (rows_note.len > 0)
        mg__buf_append(&b, rows_note.data, rows_note.len);
    for (i = 1; i < npieces; i++) {
        if (i == P_PROVENANCE)
            continue;
        if (!pc[i].cut && pc[i].text.len > 0)
            mg__buf_append(&b, pc[i].text.data, pc[i].text.len);
    }
    if (notes.len > 0)
        mg__buf_append(&b, notes.data, notes.len);
    failed |= notes.failed || rows_note.failed;
    if (!pc[P_PROVENANCE].cut && pc[P_PROVENANCE].text.len > 0)
        mg__buf_append(&b, pc[P_PROVENANCE].text.data, pc[P_PROVENANCE].text.len);
    mg__buf_release(&notes);
    mg__buf_release(&rows_note);
    for (i = 0; i < npieces; i++)
        mg__buf_release(&pc[i].text);
    for (i = 0; i < nrows; i++)
        mg__buf_release(&rows[i]);
    free(pc);
    free(rows);
    free(keep);
    if (failed) {
        mg__buf_release(&b);
        return mg__nomem(err, "report.md");
    }
    return mg__report_finish(&b, out, len, err);
}
