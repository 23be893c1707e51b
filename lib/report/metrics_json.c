/* metrics_json.c - metrics.json (DESIGN §5): the task's metrics at the top
 * level (so `jq .accuracy` works), then n, task, confusion matrix, per-class
 * table, Wilson intervals, the reasons of null values, and provenance. */
#include "modelgate/report.h"
#include "report/metrics_json.h"
#include "util/json.h"

#include <math.h>

/* The Wilson intervals of the task's proportions, computed by the metrics
 * stage (mg_evaluation_wilson). */
static void wilson_ci(mg__json *j, const mg_evaluation *e, const mg_targets *t, double level) {
    mg_metric_interval iv[MG_WILSON_MAX];
    int n = mg_evaluation_wilson(e, t, level, iv);
    for (int i = 0; i < n; i++)
        mg__interval_json(j, iv[i].metric, &iv[i].ci, NULL, level);
}

void mg__metrics_json_body(mg__json *j, const mg_evaluation *e, const mg_targets *t, double level,
                           const mg__metrics_json_extra *extra) {
    int count = mg_evaluation_metric_count(e);
    for (int i = 0; i < count; i++) {
        mg_value v;
        const char *name = mg_evaluation_metric_name(e, i, &v);
        mg__json_kv_value(j, name, v);
    }
    mg__json_kv_int(j, "n", t->n);
    mg__json_kv_string(j, "task", mg_task_name(t->task));
    mg__json_kv_string(j, "task_reason", t->task_reason);
    if (t->w != NULL) {
        double sum = 0;
        for (int64_t i = 0; i < t->n; i++)
            sum += t->w[i];
        mg__json_kv_number(j, "weight_sum", ldexp(sum, t->w_exp2));
    }
    if (t->task == MG_TASK_BINARY) {
        const mg_binary_metrics *b = &e->binary;
        mg__json_kv_string(j, "positive_label", t->positive_label);
        mg__json_kv_number(j, "threshold", t->decision_threshold);
        mg__json_key(j, "confusion_matrix");
        mg__json_begin_object(j);
        mg__json_kv_number(j, "tp", ldexp(b->tp, t->w_exp2));
        mg__json_kv_number(j, "fp", ldexp(b->fp, t->w_exp2));
        mg__json_kv_number(j, "tn", ldexp(b->tn, t->w_exp2));
        mg__json_kv_number(j, "fn", ldexp(b->fn, t->w_exp2));
        mg__json_end_object(j);
    } else if (t->task == MG_TASK_MULTICLASS) {
        const mg_multiclass_metrics *m = &e->multiclass;
        int k = m->nclasses;
        mg__json_key(j, "confusion_matrix");
        mg__json_begin_object(j);
        mg__json_key(j, "labels");
        mg__json_begin_array(j);
        for (int c = 0; c < k; c++)
            mg__json_string(j, t->class_labels[c]);
        mg__json_end_array(j);
        mg__json_key(j, "matrix");
        mg__json_begin_array(j);
        for (int r = 0; r < k; r++) {
            mg__json_begin_array(j);
            for (int c = 0; c < k; c++)
                mg__json_number(j, ldexp(m->confusion[r * k + c], t->w_exp2));
            mg__json_end_array(j);
        }
        mg__json_end_array(j);
        mg__json_end_object(j);
        mg__json_key(j, "per_class");
        mg__json_begin_object(j);
        for (int c = 0; c < k; c++) {
            const mg_class_metrics *pc = &m->per_class[c];
            mg__json_key(j, t->class_labels[c]);
            mg__json_begin_object(j);
            mg__json_kv_value(j, "precision", pc->precision);
            mg__json_kv_value(j, "recall", pc->recall);
            mg__json_kv_value(j, "f1", pc->f1);
            mg__json_kv_number(j, "support", ldexp(pc->support, t->w_exp2));
            mg__json_end_object(j);
        }
        mg__json_end_object(j);
    }
    mg__json_key(j, "ci");
    mg__json_begin_object(j);
    wilson_ci(j, e, t, level);
    if (extra != NULL && extra->more_ci != NULL)
        extra->more_ci(j, extra->ctx);
    mg__json_end_object(j);
    bool any_null = false;
    for (int i = 0; i < count && !any_null; i++) {
        mg_value v;
        mg_evaluation_metric_name(e, i, &v);
        any_null = v.null_reason != NULL;
    }
    if (any_null) {
        mg__json_key(j, "null_reasons");
        mg__json_begin_object(j);
        for (int i = 0; i < count; i++) {
            mg_value v;
            const char *name = mg_evaluation_metric_name(e, i, &v);
            if (v.null_reason != NULL)
                mg__json_kv_string(j, name, v.null_reason);
        }
        mg__json_end_object(j);
    }
}

void mg__provenance_json(mg__json *j, const mg_provenance *prov) {
    mg__json_key(j, "provenance");
    mg__json_begin_object(j);
    mg__json_kv_string(j, "data", prov->data_path);
    mg__json_kv_string(j, "data_sha256", prov->data_sha256);
    mg__json_kv_string(j, "model", prov->model_arg);
    mg__json_kv_string(j, "model_sha256", prov->model_sha256);
    mg__json_kv_string(j, "modelgate_version", MG_VERSION);
    mg__json_end_object(j);
}

mg_status mg_evaluation_json(const mg_evaluation *e, const mg_targets *t,
                             const mg_provenance *prov, double level, char **out, size_t *len,
                             mg_error *err) {
    return mg__evaluation_json_sorted(e, t, prov, level, NULL, out, len, err);
}

mg_status mg__evaluation_json_sorted(const mg_evaluation *e, const mg_targets *t,
                                     const mg_provenance *prov, double level,
                                     const uint64_t *sorted, char **out, size_t *len,
                                     mg_error *err) {
    mg__json j = {0};
    mg__json_begin_object(&j);
    mg__metrics_json_body(&j, e, t, level, NULL);
    mg__metrics_json_plots(&j, e, t, level, sorted);
    if (prov != NULL)
        mg__provenance_json(&j, prov);
    mg__json_end_object(&j);
    *out = mg__json_finish(&j, len);
    return *out != NULL ? MG_OK : mg__nomem(err, "metrics.json");
}

typedef struct ci_list {
    const mg_metric_interval *iv;
    int n;
    double level;
} ci_list;

void mg__interval_json(mg__json *j, const char *key, const mg_interval *ci, const char *null_reason,
                       double level) {
    mg__json_key(j, key);
    mg__json_begin_object(j);
    if (null_reason == NULL) {
        mg__json_kv_number(j, "low", ci->low);
        mg__json_kv_number(j, "high", ci->high);
        mg__json_kv_number(j, "level", ci->level);
        mg__json_kv_string(j, "method", ci->method);
    } else {
        mg__json_kv_null(j, "low");
        mg__json_kv_null(j, "high");
        mg__json_kv_number(j, "level", level);
        mg__json_kv_null(j, "method");
        mg__json_kv_string(j, "null_reason", null_reason);
    }
    mg__json_end_object(j);
}

static void write_intervals(mg__json *j, void *arg) {
    const ci_list *l = arg;
    for (int i = 0; i < l->n; i++)
        mg__interval_json(j, l->iv[i].metric, &l->iv[i].ci, l->iv[i].null_reason, l->level);
}

mg_status mg_evaluation_json_with_intervals(const mg_evaluation *e, const mg_targets *t,
                                            const mg_metric_interval *iv, int n,
                                            const mg_compare_options *opts,
                                            const mg_provenance *prov, char **out, size_t *len,
                                            mg_error *err) {
    return mg__evaluation_json_with_intervals_sorted(e, t, iv, n, opts, prov, NULL, out, len, err);
}

mg_status mg__evaluation_json_with_intervals_sorted(const mg_evaluation *e, const mg_targets *t,
                                                    const mg_metric_interval *iv, int n,
                                                    const mg_compare_options *opts,
                                                    const mg_provenance *prov,
                                                    const uint64_t *sorted, char **out,
                                                    size_t *len, mg_error *err) {
    /* the defaults of mg_evaluation_intervals for zero fields */
    mg_compare_options o = {.level = 0.95, .replicates = 1000};
    if (opts != NULL)
        o = *opts;
    if (o.level == 0)
        o.level = 0.95;
    if (o.replicates == 0)
        o.replicates = 1000;
    ci_list list = {iv, n, o.level};
    mg__metrics_json_extra extra = {write_intervals, &list};
    mg__json j = {0};
    mg__json_begin_object(&j);
    mg__metrics_json_body(&j, e, t, o.level, &extra);
    mg__metrics_json_plots(&j, e, t, o.level, sorted);
    mg__json_kv_int(&j, "bootstrap_replicates", o.replicates);
    mg__json_kv_int(&j, "seed", (int64_t)o.seed);
    if (prov != NULL)
        mg__provenance_json(&j, prov);
    mg__json_end_object(&j);
    *out = mg__json_finish(&j, len);
    return *out != NULL ? MG_OK : mg__nomem(err, "metrics.json");
}

