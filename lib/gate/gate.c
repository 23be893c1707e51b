/* gate.c - deciding a gate on a point estimate or on its interval, and
 * writing the decisions into a result file. */
#include "internal.h"
#include "modelgate/gate.h"
#include "util/json.h"

#include <jansson.h>
#include <math.h>

const char *mg_gate_op_symbol(mg_gate_op op) {
    return op == MG_GATE_MIN ? ">=" : "<=";
}

/* A bound's value for a sentence: 4 significant digits (the file has the
 * exact one); the value and the threshold are written exactly. */
static void short_number(double v, char *buf, size_t cap) {
    snprintf(buf, cap, "%.4g", v);
}

static bool clears(mg_gate_op op, double v, double t) {
    return op == MG_GATE_MIN ? v >= t : v <= t;
}

mg_verdict mg_verdict_worse(mg_verdict a, mg_verdict b) {
    if (a == MG_VERDICT_FAIL || b == MG_VERDICT_FAIL)
        return MG_VERDICT_FAIL;
    if (a == MG_VERDICT_INCONCLUSIVE || b == MG_VERDICT_INCONCLUSIVE)
        return MG_VERDICT_INCONCLUSIVE;
    return MG_VERDICT_PASS;
}

mg_verdict mg_gate_verdict(mg_gate_op op, double threshold, double value, double low, double high,
                           bool use_interval) {
    if (isnan(threshold))
        return MG_VERDICT_INCONCLUSIVE;
    if (!use_interval)
        return isnan(value) ? MG_VERDICT_INCONCLUSIVE
               : clears(op, value, threshold) ? MG_VERDICT_PASS
                                              : MG_VERDICT_FAIL;
    if (isnan(low) || isnan(high))
        return MG_VERDICT_INCONCLUSIVE;
    bool low_ok = clears(op, low, threshold), high_ok = clears(op, high, threshold);
    return low_ok && high_ok     ? MG_VERDICT_PASS
           : !low_ok && !high_ok ? MG_VERDICT_FAIL
                                 : MG_VERDICT_INCONCLUSIVE;
}

mg_verdict mg_gate_decide(const char *metric, mg_gate_op op, double threshold, mg_value value,
                          const mg_interval *ci, bool use_interval, mg_gate_result *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->metric, sizeof out->metric, "%s", metric);
    char thr[32], val[32], lo[32] = "", hi[32] = "";
    mg_format_double(threshold, thr, sizeof thr);
    snprintf(out->name, sizeof out->name, "%s %s %s", metric, mg_gate_op_symbol(op), thr);
    out->op = op;
    out->threshold = threshold;
    out->value = value;
    out->decided_on_interval = use_interval;
    if (ci != NULL && isfinite(ci->low) && isfinite(ci->high)) {
        out->has_ci = true;
        out->ci = *ci;
        out->straddles = ci->low < threshold && threshold < ci->high;
        short_number(ci->low, lo, sizeof lo);
        short_number(ci->high, hi, sizeof hi);
    }
    const char *sym = mg_gate_op_symbol(op);
    if (isnan(threshold)) {
        snprintf(out->reason, sizeof out->reason, "%s: the bound is not a number", metric);
        return out->verdict = MG_VERDICT_INCONCLUSIVE;
    }
    if (value.null_reason != NULL || !isfinite(value.v)) {
        /* Reasons read "undefined: ..." or state a fact ("only one group
         * ..."): the sentence reads right either way. */
        const char *why = value.null_reason ? value.null_reason : "undefined: not a finite number";
        snprintf(out->reason, sizeof out->reason, "%s is %s%s", metric,
                 strncmp(why, "undefined", 9) == 0 ? "" : "undefined: ", why);
        return out->verdict = MG_VERDICT_INCONCLUSIVE;
    }
    mg_format_double(value.v, val, sizeof val);
    if (use_interval) {
        if (!out->has_ci) {
            snprintf(out->reason, sizeof out->reason,
                     "%s %s has no interval to decide %s %s %s on", metric, val, metric, sym,
                     thr);
            return out->verdict = MG_VERDICT_INCONCLUSIVE;
        }
        out->verdict = mg_gate_verdict(op, threshold, value.v, ci->low, ci->high, true);
        snprintf(out->reason, sizeof out->reason, "%s %s, %g%% interval [%s, %s] %s %s %s", metric,
                 val, ci->level * 100, lo, hi,
                 out->verdict == MG_VERDICT_PASS   ? "wholly clears"
                 : out->verdict == MG_VERDICT_FAIL ? "wholly misses"
                                                   : "straddles",
                 op == MG_GATE_MIN ? "the minimum" : "the maximum", thr);
        return out->verdict;
    }
    out->verdict = mg_gate_verdict(op, threshold, value.v, NAN, NAN, false);
    int w = snprintf(out->reason, sizeof out->reason, "%s %s is %s %s %s", metric, val,
                     out->verdict == MG_VERDICT_PASS ? (op == MG_GATE_MIN ? "at or above" : "at or below")
                                                     : (op == MG_GATE_MIN ? "below" : "above"),
                     op == MG_GATE_MIN ? "the minimum" : "the maximum", thr);
    if (out->straddles && w > 0 && (size_t)w < sizeof out->reason)
        snprintf(out->reason + w, sizeof out->reason - (size_t)w,
                 "; its %g%% interval [%s, %s] straddles the bound (decided on the point)",
                 ci->level * 100, lo, hi);
    return out->verdict;
}

mg_verdict mg_gate_worst(const mg_gate_result *results, int n) {
    mg_verdict v = MG_VERDICT_PASS;
    for (int i = 0; i < n; i++)
        v = mg_verdict_worse(v, results[i].verdict);
    return v;
}

mg_status mg_gates_json_append(char **json, size_t *len, const mg_gate_result *results, int n,
                               mg_error *err) {
    /* The writer ends a document with "\n}\n": reopen the object there. */
    size_t end = *len;
    while (end > 0 && ((*json)[end - 1] == '\n' || (*json)[end - 1] == ' '))
        end--;
    if (end < 2 || (*json)[end - 1] != '}')
        return mg__fail(err, MG_ERR_USAGE, "the result document does not end with an object");
    end--;
    while (end > 0 && ((*json)[end - 1] == '\n' || (*json)[end - 1] == ' '))
        end--;
    mg__json j = {0};
    mg__buf_append(&j.out, *json, end);
    j.depth = 1;
    j.need_comma[1] = end > 1; /* an object with members so far */
    mg__json_key(&j, "gates");
    mg__json_begin_array(&j);
    for (int i = 0; i < n; i++) {
        const mg_gate_result *g = &results[i];
        mg__json_begin_object(&j);
        mg__json_kv_string(&j, "name", g->name);
        mg__json_kv_string(&j, "metric", g->metric);
        mg__json_kv_string(&j, "op", mg_gate_op_symbol(g->op));
        mg__json_kv_number(&j, "threshold", g->threshold);
        mg__json_kv_value(&j, "value", g->value);
        if (g->has_ci) {
            mg__json_key(&j, "ci");
            mg__json_begin_object(&j);
            mg__json_kv_number(&j, "low", g->ci.low);
            mg__json_kv_number(&j, "high", g->ci.high);
            mg__json_kv_number(&j, "level", g->ci.level);
            mg__json_kv_string(&j, "method", g->ci.method);
            mg__json_end_object(&j);
        } else {
            mg__json_kv_null(&j, "ci");
        }
        mg__json_kv_string(&j, "decided_on", g->decided_on_interval ? "interval" : "point");
        mg__json_kv_bool(&j, "interval_straddles_threshold", g->straddles);
        mg__json_kv_string(&j, "verdict", mg_verdict_name(g->verdict));
        mg__json_kv_string(&j, "reason", g->reason);
        mg__json_end_object(&j);
    }
    mg__json_end_array(&j);
    mg__json_kv_string(&j, "verdict", mg_verdict_name(mg_gate_worst(results, n)));
    mg__json_end_object(&j);
    size_t nlen = 0;
    char *text = mg__json_finish(&j, &nlen);
    if (text == NULL)
        return mg__nomem(err, "the gates");
    free(*json);
    *json = text;
    *len = nlen;
    return MG_OK;
}

bool mg_metrics_json_interval(const char *metrics_json, const char *metric, mg_interval *out) {
    static const char *const methods[] = {"wilson", "delong", "bootstrap_percentile",
                                          "clopper_pearson"};
    json_error_t jerr;
    json_t *root = json_loads(metrics_json, 0, &jerr);
    json_t *ci = json_object_get(json_object_get(root, "ci"), metric);
    json_t *lo = json_object_get(ci, "low"), *hi = json_object_get(ci, "high");
    json_t *level = json_object_get(ci, "level"), *method = json_object_get(ci, "method");
    bool ok = json_is_number(lo) && json_is_number(hi) && json_is_number(level);
    if (ok) {
        out->low = json_number_value(lo);
        out->high = json_number_value(hi);
        out->level = json_number_value(level);
        out->method = "interval";
        for (size_t k = 0; k < MG_ARRAY_LEN(methods); k++)
            if (json_is_string(method) && strcmp(json_string_value(method), methods[k]) == 0)
                out->method = methods[k];
    }
    json_decref(root);
    return ok;
}
