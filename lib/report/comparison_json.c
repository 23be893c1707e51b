/* comparison_json.c - comparison.json: both models' metrics, the paired
 * deltas and the verdicts of the regression rules (DESIGN §5, §11). */
#include "internal.h"
#include "modelgate/report.h"
#include "modelgate/gate.h"
#include "util/json.h"
#include "report/metrics_json.h"

#include <math.h>

static mg_verdict overall(const mg_rule_result *results, int nrules) {
    mg_verdict v = MG_VERDICT_PASS;
    for (int i = 0; i < nrules; i++)
        v = mg_verdict_worse(v, results[i].verdict);
    return v;
}

/* A model's metrics as its metrics.json body (metrics, n, task, confusion
 * matrix, Wilson intervals, null reasons). */
static void metrics_object(mg__json *j, const char *key, const mg_evaluation *e,
                           const mg_targets *t, double level) {
    mg__json_key(j, key);
    mg__json_begin_object(j);
    mg__metrics_json_body(j, e, t, level, NULL);
    mg__json_end_object(j);
}

static void deltas_object(mg__json *j, const mg_comparison *c) {
    mg__json_key(j, "deltas");
    mg__json_begin_object(j);
    for (int k = 0; k < c->ndeltas; k++) {
        const mg_metric_delta *d = &c->deltas[k];
        mg__json_key(j, d->metric);
        mg__json_begin_object(j);
        mg__json_kv_value(j, "value", d->delta);
        if (d->has_test) {
            mg__json_kv_number(j, "ci_low", d->test.ci_low);
            mg__json_kv_number(j, "ci_high", d->test.ci_high);
            mg__json_kv_number(j, "level", d->test.level);
            mg__json_kv_number(j, "p_value", d->test.p_value);
            mg__json_kv_number(j, "p_value_holm", d->p_value_holm);
            mg__json_kv_string(j, "test", d->test.test);
            mg__json_kv_string(j, "ci_method", d->test.ci_method);
        } else {
            mg__json_kv_null(j, "ci_low");
            mg__json_kv_null(j, "ci_high");
            mg__json_kv_number(j, "level", c->options.level);
            mg__json_kv_null(j, "p_value");
            mg__json_kv_null(j, "p_value_holm");
            mg__json_kv_null(j, "test");
            mg__json_kv_string(j, "null_reason",
                               d->delta.null_reason != NULL ? d->delta.null_reason
                                                            : d->test_null_reason);
        }
        mg__json_kv_string(j, "direction",
                           d->lower_is_better ? "lower_is_better" : "higher_is_better");
        mg__json_end_object(j);
    }
    mg__json_end_object(j);
}

static void gates_array(mg__json *j, const mg_comparison *c, const mg_compare_rule *rules,
                        const mg_rule_result *results, int nrules) {
    mg__json_key(j, "gates");
    mg__json_begin_array(j);
    for (int i = 0; i < nrules; i++) {
        const mg_rule_result *r = &results[i];
        char name[160];
        snprintf(name, sizeof name, "%s %s", rules[i].metric, mg_rule_kind_name(rules[i].kind));
        mg__json_begin_object(j);
        mg__json_kv_string(j, "name", name);
        mg__json_kv_string(j, "metric", rules[i].metric);
        mg__json_kv_string(j, "rule", mg_rule_kind_name(rules[i].kind));
        mg__json_kv_number(j, "threshold", rules[i].threshold);
        mg__json_kv_string(j, "op", ">=");
        mg__json_kv_number(j, "value", r->value);
        mg__json_key(j, "ci");
        if (isnan(r->ci_low)) {
            mg__json_null(j);
        } else {
            mg__json_begin_object(j);
            mg__json_kv_number(j, "low", r->ci_low);
            mg__json_kv_number(j, "high", r->ci_high);
            mg__json_kv_number(j, "level", c->options.level);
            mg__json_end_object(j);
        }
        mg__json_kv_string(j, "decided_on", r->on_interval ? "interval" : "point");
        mg__json_kv_string(j, "verdict", mg_verdict_name(r->verdict));
        mg__json_kv_string(j, "reason", r->reason);
        mg__json_end_object(j);
    }
    mg__json_end_array(j);
}

static void provenance(mg__json *j, const mg_provenance *p) {
    mg__json_key(j, "provenance");
    mg__json_begin_object(j);
    if (p != NULL) {
        mg__json_kv_string(j, "data", p->data_path);
        mg__json_kv_string(j, "data_sha256", p->data_sha256);
        mg__json_kv_string(j, "new_model", p->model_arg);
        mg__json_kv_string(j, "new_model_sha256", p->model_sha256);
        mg__json_kv_string(j, "baseline_model", p->baseline_arg);
        mg__json_kv_string(j, "baseline_sha256", p->baseline_sha256);
    }
    mg__json_kv_string(j, "modelgate_version", mg_version());
    mg__json_end_object(j);
}

mg_status mg_comparison_json(const mg_comparison *c, const mg_targets *cand, const mg_targets *base,
                             const mg_compare_rule *rules, const mg_rule_result *results,
                             int nrules, const mg_provenance *prov, char **out,
                             size_t *len, mg_error *err) {
    mg__json j = {0};
    mg__json_begin_object(&j);
    const mg_metric_delta *acc = mg_comparison_delta(c, "accuracy");
    if (acc != NULL) {
        mg__json_kv_value(&j, "accuracy_improvement", acc->delta);
    } else {
        mg__json_kv_null(&j, "accuracy_improvement");
        mg__json_kv_string(&j, "accuracy_improvement_null_reason",
                           "a regression task has no accuracy");
    }
    mg__json_kv_string(&j, "verdict", mg_verdict_name(overall(results, nrules)));
    mg__json_kv_string(&j, "task", mg_task_name(c->task));
    mg__json_kv_int(&j, "n", c->n);
    mg__json_kv_number(&j, "confidence", c->options.level);
    if (c->options.skip_bootstrap)
        mg__json_kv_null(&j, "bootstrap_replicates"); /* none ran */
    else
        mg__json_kv_int(&j, "bootstrap_replicates", c->options.replicates);
    mg__json_kv_int(&j, "seed", (int64_t)c->options.seed);
    metrics_object(&j, "new", &c->new_eval, cand, c->options.level);
    metrics_object(&j, "baseline", &c->base_eval, base, c->options.level);
    deltas_object(&j, c);
    gates_array(&j, c, rules, results, nrules);
    provenance(&j, prov);
    mg__json_end_object(&j);
    *out = mg__json_finish(&j, len);
    return *out != NULL ? MG_OK : mg__nomem(err, "comparison.json");
}

mg_status mg_comparison_skipped_json(const char *note, const mg_provenance *prov, char **out,
                                     size_t *len, mg_error *err) {
    mg__json j = {0};
    mg__json_begin_object(&j);
    mg__json_kv_null(&j, "accuracy_improvement");
    mg__json_kv_string(&j, "verdict", "pass");
    mg__json_kv_bool(&j, "skipped", true);
    mg__json_kv_string(&j, "note", note);
    mg__json_key(&j, "gates");
    mg__json_begin_array(&j);
    mg__json_end_array(&j);
    provenance(&j, prov);
    mg__json_end_object(&j);
    *out = mg__json_finish(&j, len);
    return *out != NULL ? MG_OK : mg__nomem(err, "comparison.json");
}
