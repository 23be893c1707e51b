/* markdown.c - report.md, the pull-request comment (DESIGN §13): the hidden
 * marker on the first line, the verdict, the gates table, latency, the
 * comparison with the baseline, the fairness tables and the provenance;
 * kept under the size cap by cutting whole sections, each cut said in a
 * line. Text from the data is escaped for GitHub Flavored Markdown. */
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
    md_json(b, metric);
    json_t *attr = json_object_get(g, "attribute");
    if (json_is_string(attr) || json_is_array(attr)) {
        mg__buf_puts(b, " (");
        if (kind != NULL && strcmp(kind, "slice") == 0)
            mg__buf_puts(b, "slice ");
        mg__report_attribute_label(b, attr, md_text);
        mg__buf_puts(b, ")");
    } else if (kind != NULL && strcmp(kind, "regression") == 0) {
        mg__buf_puts(b, " (vs baseline)");
    }
}

static void section_head(mg__buf *b, json_t *gate) {
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
    if (json_array_size(gates) == 0)
        return;
    mg__buf_puts(b, "| Metric | Value | Threshold | Status |\n|---|---|---|---|\n");
    json_array_foreach(gates, i, g) {
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
    mg__buf_puts(b, "\n");
    /* why each gate that did not pass did not */
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
    mg__buf_puts(b, "| Metric | New | Baseline | Delta [CI] | p-value | Test |\n"
                    "|---|---|---|---|---|---|\n");
    const char *key;
    json_t *d;
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

/* One piece of the report, and what to say when it is cut. */
typedef struct piece {
    mg__buf text;
    size_t groups; /* fairness group tables: how many groups it lists */
    const char *what; /* other cuttable sections: its name; NULL = never cut */
    const char *file; /* where the reader finds what was cut */
    bool cut;
} piece;

mg_status mg__report_markdown(const mg__report_doc *doc, const mg_report_options *o, char **out,
                              size_t *len, mg_error *err) {
    json_t *prov = mg__report_get_object(doc->gate, "provenance");
    size_t nfair = 0;
    json_t *dp = mg__report_get_object(doc->fairness, "demographic_parity");
    if (dp != NULL)
        nfair = json_object_size(dp);
    /* head, latency, comparison, fairness summary, groups..., provenance */
    size_t npieces = 5 + nfair;
    piece *pc = mg__calloc(npieces, sizeof *pc);
    if (pc == NULL)
        return mg__nomem(err, "report.md");
    enum { HEAD, LATENCY, COMPARISON, FAIRNESS, PROVENANCE, GROUPS };
    marker(&pc[HEAD].text, o->marker_id);
    section_head(&pc[HEAD].text, doc->gate);
    if (doc->latency != NULL) {
        section_latency(&pc[LATENCY].text, doc->latency);
        pc[LATENCY].what = "latency";
        pc[LATENCY].file = doc->latency_name;
    }
    if (doc->comparison != NULL) {
        section_comparison(&pc[COMPARISON].text, doc->comparison, prov);
        pc[COMPARISON].what = "comparison";
        pc[COMPARISON].file = doc->comparison_name;
    }
    if (doc->fairness != NULL) {
        section_fairness_summary(&pc[FAIRNESS].text, doc->fairness);
        pc[FAIRNESS].what = "fairness summary";
        pc[FAIRNESS].file = doc->fairness_name;
    }
    if (prov != NULL)
        section_provenance(&pc[PROVENANCE].text, prov);
    json_t *excluded = mg__report_get_object(doc->fairness, "excluded_groups");
    double min_group = NAN;
    mg__report_get_number(doc->fairness, "min_group_size", &min_group);
    size_t k = GROUPS;
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
    for (size_t i = 0; i < npieces; i++)
        failed |= pc[i].text.failed;

    /* Cut until it fits: group tables from the last, then the fairness
     * summary, the comparison, the latency; each cut leaves a note. */
    size_t cap = o->max_markdown;
    size_t cut_groups = 0;
    mg__buf notes = {0};
    for (;;) {
        mg__buf_release(&notes);
        if (cut_groups > 0)
            mg__buf_printf(&notes, "\xE2\x80\xA6 %zu groups not shown; see %s\n\n", cut_groups,
                           doc->fairness_name);
        for (size_t i = LATENCY; i <= FAIRNESS; i++)
            if (pc[i].cut)
                mg__buf_printf(&notes, "\xE2\x80\xA6 the %s section is not shown; see %s\n\n",
                               pc[i].what, pc[i].file);
        size_t total = notes.len;
        for (size_t i = 0; i < npieces; i++)
            if (!pc[i].cut)
                total += pc[i].text.len;
        if (total <= cap)
            break;
        size_t victim = 0;
        for (size_t i = npieces; i-- > GROUPS;)
            if (!pc[i].cut && pc[i].text.len > 0) {
                victim = i;
                break;
            }
        if (victim == 0) {
            static const size_t order[] = {FAIRNESS, COMPARISON, LATENCY};
            for (size_t j = 0; j < MG_ARRAY_LEN(order); j++)
                if (!pc[order[j]].cut && pc[order[j]].text.len > 0) {
                    victim = order[j];
                    break;
                }
        }
        if (victim == 0)
            break; /* only the head and provenance are left */
        pc[victim].cut = true;
        cut_groups += pc[victim].groups;
    }

    mg__buf b = {0};
    if (pc[HEAD].text.len > 0)
        mg__buf_append(&b, pc[HEAD].text.data, pc[HEAD].text.len);
    for (size_t i = LATENCY; i < npieces; i++) {
        if (i == PROVENANCE)
            continue;
        if (!pc[i].cut && pc[i].text.len > 0)
            mg__buf_append(&b, pc[i].text.data, pc[i].text.len);
    }
    if (notes.len > 0)
        mg__buf_append(&b, notes.data, notes.len);
    failed |= notes.failed;
    if (pc[PROVENANCE].text.len > 0)
        mg__buf_append(&b, pc[PROVENANCE].text.data, pc[PROVENANCE].text.len);
    if (b.len > cap && !b.failed) {
        /* The gates table alone is over the cap: keep whole lines. */
        static const char tail[] = "\n\xE2\x80\xA6 the report is truncated; see ";
        size_t room = strlen(tail) + strlen(doc->gate_name) + 2;
        size_t keep = cap > room ? cap - room : 0;
        while (keep > 0 && b.data[keep - 1] != '\n')
            keep--;
        b.len = keep;
        mg__buf_puts(&b, tail);
        mg__buf_puts(&b, doc->gate_name);
        mg__buf_puts(&b, "\n");
        if (b.len > cap) /* a cap smaller than the note: only the marker line */
            b.len = strcspn(b.data, "\n") + 1 <= cap ? strcspn(b.data, "\n") + 1 : 0;
        b.data[b.len] = '\0';
    }
    mg__buf_release(&notes);
    for (size_t i = 0; i < npieces; i++)
        mg__buf_release(&pc[i].text);
    free(pc);
    if (failed) {
        mg__buf_release(&b);
        return mg__nomem(err, "report.md");
    }
    return mg__report_finish(&b, out, len, err);
}
