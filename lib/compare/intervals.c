/* intervals.c - confidence intervals for the metrics of one model that are
 * not proportions (`evaluate --confidence`): DeLong for ROC AUC, the Poisson
 * bootstrap for the rest. report/metrics_json.c writes them into "ci". */
#include "compare_internal.h"

#include <math.h>

int mg_metric_is_proportion(mg_task task, const char *metric) {
    if (strcmp(metric, "accuracy") == 0)
        return task == MG_TASK_BINARY || task == MG_TASK_MULTICLASS;
    return task == MG_TASK_BINARY &&
           (strcmp(metric, "precision") == 0 || strcmp(metric, "recall") == 0 ||
            strcmp(metric, "specificity") == 0);
}

mg_status mg_evaluation_intervals(const mg_targets *t, const mg_evaluation *e,
                                  const mg_compare_options *opts, mg_metric_interval **out,
                                  int *count, mg_error *err) {
    *out = NULL;
    *count = 0;
    mg_compare_options o;
    mg__compare_defaults(opts, &o);
    if (!(o.level > 0 && o.level < 1))
        return mg__fail(err, MG_ERR_USAGE, "confidence level %g is outside (0, 1)", o.level);
    const char *const *metrics = mg_task_metrics(t->task);
    int m = mg__task_metric_count(t->task);
    mg_metric_interval *iv = mg__calloc((size_t)(m > 0 ? m : 1), sizeof *iv);
    if (iv == NULL)
        return mg__nomem(err, "metric intervals");
    mg_bootstrap boot = {0};
    const mg_targets *one[1] = {t};
    mg_status st = mg__bootstrap_metrics(one, 1, &o, 0, &boot, err);
    int n = 0;
    for (int k = 0; st == MG_OK && k < m; k++) {
        if (mg_metric_is_proportion(t->task, metrics[k]))
            continue;
        mg_metric_interval *it = &iv[n++];
        it->metric = metrics[k];
        mg_value v;
        if (mg_evaluation_metric(e, metrics[k], &v) != 0) {
            it->null_reason = "not computed for this task";
            continue;
        }
        if (v.null_reason != NULL) {
            it->null_reason = v.null_reason;
            continue;
        }
        if (t->w == NULL && strcmp(metrics[k], "roc_auc") == 0) {
            mg_auc_estimate a;
            mg_error derr;
            if (mg_delong_auc(t->y, t->score, t->n, o.level, &a, &derr) == MG_OK) {
                it->ci = a.ci;
                continue;
            }
        }
        if (mg_bootstrap_interval(&boot, k, o.level, &it->ci) != 0)
            it->null_reason = "undefined in more than 5% of the bootstrap replicates";
    }
    mg_bootstrap_release(&boot);
    if (st != MG_OK) {
        free(iv);
        return st;
    }
    *out = iv;
    *count = n;
    return MG_OK;
}
