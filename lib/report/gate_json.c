/* gate_json.c - gate.json: every gate of a policy run, its verdict, and what
 * the run read (DESIGN §5). */
#include "internal.h"
#include "modelgate/report.h"
#include "util/json.h"

#include <math.h>

/* The kind's name as gate.json writes it. */
const char *mg_gate_kind_name(mg_gate_kind k) {
    switch (k) {
    case MG_GATE_KIND_LATENCY: return "latency";
    case MG_GATE_KIND_FAIRNESS: return "fairness";
    case MG_GATE_KIND_REGRESSION: return "regression";
    case MG_GATE_KIND_SLICE: return "slice";
    default: return "metric";
    }
}

static const char *on_name(mg_on_inconclusive on) {
    return on == MG_ON_INCONCLUSIVE_WARN ? "warn" : on == MG_ON_INCONCLUSIVE_PASS ? "pass" : "fail";
}

/* The attribute of a fairness gate: its column, or for the intersection the
 * array of its columns (DESIGN §18: never a joined key). */
static void attribute(mg__json *j, const mg_gate_entry *g) {
    mg__json_key(j, "attribute");
    if (g->nattribute_parts == 0) {
        mg__json_null(j);
        return;
    }
    if (!g->intersection) {
        mg__json_string(j, g->attribute_parts[0]);
        return;
    }
    mg__json_begin_array(j);
    for (int k = 0; k < g->nattribute_parts; k++)
        mg__json_string(j, g->attribute_parts[k]);
    mg__json_end_array(j);
}

static void gate(mg__json *j, const mg_gate_entry *g) {
    const mg_gate_result *r = &g->r;
    mg__json_begin_object(j);
    mg__json_kv_string(j, "name", r->name);
    mg__json_kv_string(j, "kind", mg_gate_kind_name(g->kind));
    mg__json_kv_string(j, "metric", r->metric);
    attribute(j, g);
    mg__json_kv_string(j, "op", mg_gate_op_symbol(r->op));
    mg__json_kv_number(j, "threshold", r->threshold);
    bool defined = r->value.null_reason == NULL && isfinite(r->value.v) && !g->skipped;
    if (defined)
        mg__json_kv_number(j, "value", r->value.v);
    else
        mg__json_kv_null(j, "value");
    if (defined)
        mg__json_kv_null(j, "value_reason");
    else
        mg__json_kv_string(j, "value_reason",
                           g->skipped           ? "skipped"
                           : r->value.null_reason ? r->value.null_reason
                                                  : "not a finite number");
    if (r->has_ci) {
        mg__json_key(j, "ci");
        mg__json_begin_object(j);
        mg__json_kv_number(j, "low", r->ci.low);
        mg__json_kv_number(j, "high", r->ci.high);
        mg__json_kv_number(j, "level", r->ci.level);
        mg__json_kv_string(j, "method", r->ci.method);
        mg__json_end_object(j);
    } else {
        mg__json_kv_null(j, "ci");
    }
    mg__json_kv_string(j, "decided_on", r->decided_on_interval ? "interval" : "point");
    mg__json_kv_bool(j, "interval_straddles_threshold", r->straddles);
    mg__json_kv_string(j, "verdict", g->skipped ? "skipped" : mg_verdict_name(r->verdict));
    mg__json_kv_string(j, "reason", r->reason);
    mg__json_kv_string(j, "source", g->source);
    mg__json_end_object(j);
}

mg_status mg_gate_json(const mg_gate_outcome *o, mg_on_inconclusive on_inconclusive,
                       const char *marker, const mg_gate_provenance *prov, char **out, size_t *len,
                       mg_error *err) {
    *out = NULL;
    int64_t counts[4] = {0, 0, 0, 0}; /* pass, fail, inconclusive, skipped */
    for (int i = 0; i < o->ngates; i++)
        counts[o->gates[i].skipped ? 3 : (int)o->gates[i].r.verdict]++;
    mg__json j = {0};
    mg__json_begin_object(&j);
    mg__json_kv_string(&j, "verdict", mg_verdict_name(o->verdict));
    mg__json_kv_int(&j, "exit_code", o->verdict == MG_VERDICT_PASS   ? 0
                                     : o->verdict == MG_VERDICT_FAIL ? 1
                                                                     : 3);
    mg__json_kv_string(&j, "on_inconclusive", on_name(on_inconclusive));
    mg__json_key(&j, "counts");
    mg__json_begin_object(&j);
    mg__json_kv_int(&j, "pass", counts[0]);
    mg__json_kv_int(&j, "fail", counts[1]);
    mg__json_kv_int(&j, "inconclusive", counts[2]);
    mg__json_kv_int(&j, "skipped", counts[3]);
    mg__json_end_object(&j);
    mg__json_key(&j, "gates");
    mg__json_begin_array(&j);
    for (int i = 0; i < o->ngates; i++)
        gate(&j, &o->gates[i]);
    mg__json_end_array(&j);
    mg__json_key(&j, "outputs");
    mg__json_begin_object(&j);
    if (o->metrics_json != NULL)
        mg__json_kv_string(&j, "metrics", "metrics.json");
    if (o->fairness_json != NULL)
        mg__json_kv_string(&j, "fairness", "fairness.json");
    if (o->latency_json != NULL)
        mg__json_kv_string(&j, "latency", "latency.json");
    if (o->comparison_json != NULL)
        mg__json_kv_string(&j, "comparison", "comparison.json");
    mg__json_end_object(&j);
    mg__json_kv_string(&j, "marker", marker != NULL ? marker : "gate");
    mg__json_key(&j, "notes");
    mg__json_begin_array(&j);
    for (int i = 0; i < o->nnotes; i++)
        mg__json_string(&j, o->notes[i]);
    mg__json_end_array(&j);
    mg__json_key(&j, "provenance");
    mg__json_begin_object(&j);
    mg__json_kv_string(&j, "model", prov->model_arg);
    mg__json_kv_string(&j, "model_sha256", prov->model_sha256);
    mg__json_kv_string(&j, "data", prov->data_path);
    mg__json_kv_string(&j, "data_sha256", prov->data_sha256);
    mg__json_kv_string(&j, "policy", prov->policy_path);
    mg__json_kv_string(&j, "policy_sha256", prov->policy_sha256);
    mg__json_kv_string(&j, "baseline", prov->baseline_arg);
    mg__json_kv_string(&j, "baseline_sha256", prov->baseline_sha256);
    mg__json_kv_string(&j, "baseline_version", prov->baseline_version);
    mg__json_kv_string(&j, "modelgate_version", MG_VERSION);
    mg__json_kv_int(&j, "seed", (int64_t)prov->seed);
    mg__json_kv_string(&j, "created_at", prov->created_at);
    mg__json_end_object(&j);
    mg__json_end_object(&j);
    size_t n = 0;
    char *text = mg__json_finish(&j, &n);
    if (text == NULL)
        return mg__nomem(err, "gate.json");
    *out = text;
    if (len != NULL)
        *len = n;
    return MG_OK;
}
