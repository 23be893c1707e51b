/* summary.c - stderr tables of metrics.json, fairness.json, latency.json and
 * comparison.json, read back with jansson from the text the command writes. */
#include "summary.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "modelgate/metric_registry.h"
#include "modelgate/modelgate.h"

#include "banned.h"

/* Text from data, with C0 controls, DEL and non-UTF-8 bytes as \xHH, so that
 * a value can neither move the cursor nor start a line of its own. */
static void put_text(FILE *out, const char *s, int width) {
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
        if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\x%02x", *p);
            n += 3;
        } else {
            fputc(*p, out);
            if ((*p & 0xc0) == 0x80)
                n--; /* a continuation byte takes no column of its own */
        }
    }
    for (; n < width; n++)
        fputc(' ', out);
}

/* A number as a table shows it: 4 significant digits, or "null". */
static void put_number(FILE *out, json_t *v, int width) {
    char buf[48];
    if (json_is_number(v))
        snprintf(buf, sizeof buf, "%.4g", json_number_value(v));
    else if (json_is_true(v) || json_is_false(v))
        snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
    else
        snprintf(buf, sizeof buf, "null");
    fprintf(out, "%-*s", width, buf);
}

static void put_interval(FILE *out, json_t *ci) {
    json_t *lo = json_object_get(ci, "low"), *hi = json_object_get(ci, "high");
    if (json_is_number(lo) && json_is_number(hi))
        fprintf(out, "[%.4g, %.4g]", json_number_value(lo), json_number_value(hi));
}

static void metrics_table(json_t *root, FILE *out) {
    static const char *const skip[] = {
        "n",       "task",       "task_reason", "positive_label", "threshold", "confusion_matrix",
        "ci",      "provenance", "per_class",   "gates",          "verdict",   "null_reasons",
        "classes", "curves",     "calibration", "slices"};
    json_t *ci = json_object_get(root, "ci");
    json_t *reasons = json_object_get(root, "null_reasons");
    fprintf(out, "%-22s %-10s %s\n", "metric", "value", "interval");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        bool skipped = false;
        for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
            skipped |= strcmp(key, skip[i]) == 0;
        if (skipped || mg_metric_find(key) == NULL || !(json_is_number(v) || json_is_null(v)))
            continue; /* only metrics: not n, seed, bootstrap_replicates, ... */
        fprintf(out, "%-22s ", key);
        put_number(out, v, 10);
        fputc(' ', out);
        json_t *c = json_object_get(ci, key);
        if (c != NULL)
            put_interval(out, c);
        json_t *why = json_object_get(reasons, key);
        if (json_is_null(v) && json_is_string(why)) {
            fputs("(", out);
            put_text(out, json_string_value(why), 0);
            fputs(")", out);
        }
        fputc('\n', out);
    }
    json_t *task = json_object_get(root, "task"), *n = json_object_get(root, "n");
    fprintf(out, "%s task, n = %" JSON_INTEGER_FORMAT,
            json_is_string(task) ? json_string_value(task) : "?",
            json_is_integer(n) ? json_integer_value(n) : 0);
    json_t *pos = json_object_get(root, "positive_label");
    if (json_is_string(pos)) {
        fputs(", positive label '", out);
        put_text(out, json_string_value(pos), 0);
        fputc('\'', out);
    }
    json_t *thr = json_object_get(root, "threshold");
    if (json_is_number(thr))
        fprintf(out, ", decision threshold %g", json_number_value(thr));
    fputc('\n', out);
}

/* A group's value as text: a string, a number, true/false, "(missing)", or an
 * intersection's values joined by " & ". */
static void put_group(FILE *out, json_t *v, int width) {
    char buf[256];
    size_t used = 0;
    json_t *parts[16];
    size_t nparts = 0;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v) && nparts < 16; i++)
            parts[nparts++] = json_array_get(v, i);
    } else {
        parts[nparts++] = v;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < nparts && used < sizeof buf; i++) {
        json_t *p = parts[i];
        int w;
        if (json_is_string(p))
            w = snprintf(buf + used, sizeof buf - used, "%s%s", i ? " & " : "",
                         json_string_value(p));
        else if (json_is_integer(p))
            w = snprintf(buf + used, sizeof buf - used, "%s%" JSON_INTEGER_FORMAT, i ? " & " : "",
                         json_integer_value(p));
        else if (json_is_boolean(p))
            w = snprintf(buf + used, sizeof buf - used, "%s%s", i ? " & " : "",
                         json_is_true(p) ? "true" : "false");
        else
            w = snprintf(buf + used, sizeof buf - used, "%s(missing)", i ? " & " : "");
        used += w > 0 ? (size_t)w : 0;
    }
    put_text(out, buf, width);
}

static void fairness_table(json_t *root, FILE *out) {
    static const char *const measures[] = {"demographic_parity", "equalized_odds",
                                           "equal_opportunity", "disparate_impact"};
    json_t *dp = json_object_get(root, "demographic_parity");
    const char *attr;
    json_t *entry;
    json_object_foreach(dp, attr, entry) {
        fputs("attribute ", out);
        put_text(out, attr, 0);
        fputc('\n', out);
        for (size_t m = 0; m < sizeof measures / sizeof measures[0]; m++) {
            json_t *e = json_object_get(json_object_get(root, measures[m]), attr);
            if (e == NULL)
                continue;
            fprintf(out, "  %-20s ratio ", measures[m]);
            put_number(out, json_object_get(e, "ratio"), 8);
            fputs(" difference ", out);
            put_number(out, json_object_get(e, "difference"), 8);
            json_t *verdict = json_object_get(e, "verdict");
            if (json_is_true(json_object_get(e, "gated")) && json_is_string(verdict))
                fprintf(out, " %s", json_string_value(verdict));
            fputc('\n', out);
        }
        fprintf(out, "  %-24s %8s %-16s %-8s %-8s\n", "group", "n", "selection_rate", "tpr", "fpr");
        json_t *groups = json_object_get(entry, "groups");
        for (size_t i = 0; i < json_array_size(groups); i++) {
            json_t *g = json_array_get(groups, i);
            fputs("  ", out);
            put_group(out, json_object_get(g, "value"), 24);
            json_t *n = json_object_get(g, "n");
            fprintf(out, " %8" JSON_INTEGER_FORMAT " ",
                    json_is_integer(n) ? json_integer_value(n) : 0);
            put_number(out, json_object_get(g, "selection_rate"), 16);
            fputc(' ', out);
            put_number(out, json_object_get(g, "tpr"), 8);
            fputc(' ', out);
            put_number(out, json_object_get(g, "fpr"), 8);
            fputc('\n', out);
        }
        json_t *excluded = json_object_get(json_object_get(root, "excluded_groups"), attr);
        if (json_array_size(excluded) > 0)
            fprintf(out, "  (%zu group(s) below the minimum size excluded)\n",
                    json_array_size(excluded));
    }
}

static void latency_table(json_t *root, FILE *out) {
    static const char *const keys[] = {"p50_ms",  "p90_ms", "p95_ms",  "p99_ms",
                                       "p999_ms", "max_ms", "mean_ms", "first_call_ms"};
    fprintf(out, "%-14s %s\n", "latency", "ms");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        fprintf(out, "%-14s ", keys[i]);
        put_number(out, json_object_get(root, keys[i]), 10);
        if (strcmp(keys[i], "p99_ms") == 0) {
            json_t *ub = json_object_get(root, "p99_upper_bound_ms");
            if (json_is_number(ub))
                fprintf(out, " upper bound %.4g at %.4g", json_number_value(ub),
                        json_number_value(json_object_get(root, "confidence")));
        }
        fputc('\n', out);
    }
    json_t *samples = json_object_get(root, "samples");
    json_t *tput = json_object_get(root, "throughput_per_s");
    fprintf(out, "%" JSON_INTEGER_FORMAT " samples, %.4g rows/s, %s\n",
            json_is_integer(samples) ? json_integer_value(samples) : 0,
            json_is_number(tput) ? json_number_value(tput) : 0.0,
            json_is_true(json_object_get(root, "stable")) ? "stable" : "UNSTABLE (windows differ)");
}

static void comparison_table(json_t *root, FILE *out) {
    fprintf(out, "%-22s %-10s %-10s %-10s %-22s %-9s %s\n", "metric", "new", "baseline", "delta",
            "interval", "p-value", "test");
    json_t *deltas = json_object_get(root, "deltas");
    json_t *newm = json_object_get(root, "new"), *base = json_object_get(root, "baseline");
    const char *key;
    json_t *d;
    json_object_foreach(deltas, key, d) {
        fprintf(out, "%-22s ", key);
        put_number(out, json_object_get(newm, key), 10);
        fputc(' ', out);
        put_number(out, json_object_get(base, key), 10);
        fputc(' ', out);
        put_number(out, json_object_get(d, "value"), 10);
        fputc(' ', out);
        char ci[64] = "";
        json_t *lo = json_object_get(d, "ci_low"), *hi = json_object_get(d, "ci_high");
        if (json_is_number(lo) && json_is_number(hi))
            snprintf(ci, sizeof ci, "[%.4g, %.4g]", json_number_value(lo), json_number_value(hi));
        fprintf(out, "%-22s ", ci);
        json_t *p = json_object_get(d, "p_value");
        if (json_is_number(p))
            fprintf(out, "%-9.3g ", json_number_value(p));
        else
            fprintf(out, "%-9s ", "");
        json_t *test = json_object_get(d, "test");
        fprintf(out, "%s\n", json_is_string(test) ? json_string_value(test) : "");
    }
    json_t *n = json_object_get(root, "n");
    fprintf(out, "n = %" JSON_INTEGER_FORMAT " rows, both models on the same rows\n",
            json_is_integer(n) ? json_integer_value(n) : 0);
}

/* gate.json: one line per gate (kind, name, value, interval, verdict), then
 * the counts and the verdict. */
static void gate_table(json_t *root, FILE *out) {
    fprintf(out, "%-10s %-44s %-10s %-22s %s\n", "kind", "gate", "value", "interval", "verdict");
    json_t *gates = json_object_get(root, "gates");
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        json_t *kind = json_object_get(g, "kind"), *name = json_object_get(g, "name");
        json_t *verdict = json_object_get(g, "verdict");
        fprintf(out, "%-10s ", json_is_string(kind) ? json_string_value(kind) : "");
        put_text(out, json_is_string(name) ? json_string_value(name) : "", 44);
        fputc(' ', out);
        put_number(out, json_object_get(g, "value"), 10);
        fputc(' ', out);
        char ci[64] = "";
        json_t *c = json_object_get(g, "ci");
        json_t *lo = json_object_get(c, "low"), *hi = json_object_get(c, "high");
        if (json_is_number(lo) && json_is_number(hi))
            snprintf(ci, sizeof ci, "[%.4g, %.4g]", json_number_value(lo), json_number_value(hi));
        fprintf(out, "%-22s %s\n", ci,
                json_is_string(verdict) ? json_string_value(verdict) : "");
    }
    json_t *counts = json_object_get(root, "counts");
    fprintf(out,
            "%" JSON_INTEGER_FORMAT " passed, %" JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT
            " inconclusive, %" JSON_INTEGER_FORMAT " skipped\n",
            json_integer_value(json_object_get(counts, "pass")),
            json_integer_value(json_object_get(counts, "fail")),
            json_integer_value(json_object_get(counts, "inconclusive")),
            json_integer_value(json_object_get(counts, "skipped")));
}

void mg_cli_summary(mg_cli_summary_kind kind, const char *json, FILE *out) {
    json_error_t jerr;
    json_t *root = json_loads(json, JSON_DECODE_ANY, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    switch (kind) {
    case MG_SUMMARY_METRICS: metrics_table(root, out); break;
    case MG_SUMMARY_FAIRNESS: fairness_table(root, out); break;
    case MG_SUMMARY_LATENCY: latency_table(root, out); break;
    case MG_SUMMARY_COMPARISON: comparison_table(root, out); break;
    case MG_SUMMARY_GATE: gate_table(root, out); break;
    }
    json_decref(root);
}
