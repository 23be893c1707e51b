/* intervals.c - confidence intervals for the metrics of one model that are
 * not proportions (`evaluate --confidence`): DeLong for ROC AUC, the Poisson
 * bootstrap for the rest (over score buckets for a binary model without
 * sample weights). report/metrics_json.c writes them into "ci". */
#include "compare_internal.h"

#include <math.h>

int mg_metric_is_proportion(mg_task task, const char *metric) {
    if (strcmp(metric, "accuracy") == 0)
        return task == MG_TASK_BINARY || task == MG_TASK_MULTICLASS;
    return task == MG_TASK_BINARY &&
           (strcmp(metric, "precision") == 0 || strcmp(metric, "recall") == 0 ||
            strcmp(metric, "specificity") == 0);
}

/* ECE and MCE of one replicate's row weights (NaN where undefined). */
static mg_status calibration_stat(void *arg, const double *w, int64_t n, double *out) {
    const mg_targets *t = arg;
    mg_value ece, mce;
    if (t->task == MG_TASK_BINARY)
        mg_calibration_errors(t->y, t->score, NULL, NULL, 0, w, n, &ece, &mce);
    else
        mg_calibration_errors(NULL, NULL, t->yc, t->proba, t->nclasses, w, n, &ece, &mce);
    out[0] = ece.null_reason ? NAN : ece.v;
    out[1] = mce.null_reason ? NAN : mce.v;
    return MG_OK;
}

/* The intervals of ece and mce from the replicates' stats first, first + 1. */
static void calibration_from(const mg_bootstrap *boot, int first, const mg_evaluation *e,
                             const mg_compare_options *o, mg_metric_interval *iv, int *n) {
    const char *names[2] = {"ece", "mce"};
    for (int k = 0; k < 2; k++) {
        mg_metric_interval *it = &iv[(*n)++];
        it->metric = names[k];
        mg_value v;
        mg_evaluation_metric(e, names[k], &v);
        if (v.null_reason != NULL)
            it->null_reason = v.null_reason;
        else if (mg_bootstrap_interval(boot, first + k, o->level, &it->ci) != 0)
            it->null_reason = "undefined in more than 5% of the bootstrap replicates";
    }
}

/* Bootstrap intervals of ece and mce into iv[0..1] (binary, or multiclass
 * with probabilities): their own Poisson bootstrap, from the same seed. */
static mg_status calibration_intervals(const mg_targets *t, const mg_evaluation *e,
                                       const mg_compare_options *o, mg_metric_interval *iv, int *n,
                                       mg_error *err) {
    if (!(t->task == MG_TASK_BINARY || (t->task == MG_TASK_MULTICLASS && t->proba != NULL)))
        return MG_OK;
    mg_bootstrap_options bo = {.replicates = o->replicates, .seed = o->seed, .threads = o->threads};
    mg_bootstrap boot = {0};
    MG_TRY(mg_bootstrap_run_weighted(&bo, t->n, t->w, 2, calibration_stat, (void *)(uintptr_t)t,
                                     &boot, err));
    calibration_from(&boot, 0, e, o, iv, n);
    mg_bootstrap_release(&boot);
    return MG_OK;
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
    mg_metric_interval *iv = mg__calloc((size_t)m + 2, sizeof *iv); /* + ece, mce */
    if (iv == NULL)
        return mg__nomem(err, "metric intervals");
    mg_bootstrap boot = {0};
    const mg_targets *one[1] = {t};
    /* Binary without sample weights: one bootstrap over the (score, label)
     * buckets gives every metric and ece, mce (bucket_boot.c); else the
     * per-row bootstrap, and calibration's own below. */
    bool buckets = t->task == MG_TASK_BINARY && t->w == NULL;
    /* ROC AUC without sample weights: DeLong's interval (the bootstrap's
     * only when DeLong cannot be computed) */
    mg_auc_estimate delong;
    bool has_delong = false;
    if (t->task == MG_TASK_BINARY && t->w == NULL) {
        mg_error derr;
        has_delong = mg_delong_auc(t->y, t->score, t->n, o.level, &delong, &derr) == MG_OK;
    }
    mg_status st;
    if (buckets) {
        mg_bootstrap_options bo = {.replicates = o.replicates,
                                   .seed = o.seed,
                                   .threads = o.threads,
                                   .progress = o.progress,
                                   .progress_ctx = o.progress_ctx};
        st = mg__bootstrap_buckets(t, &bo, !has_delong, &boot, err);
    } else {
        st = mg__bootstrap_metrics(one, 1, &o, 0, &boot, err);
    }
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
        if (has_delong && strcmp(metrics[k], "roc_auc") == 0) {
            it->ci = delong.ci;
            continue;
        }
        if (mg_bootstrap_interval(&boot, k, o.level, &it->ci) != 0)
            it->null_reason = "undefined in more than 5% of the bootstrap replicates";
    }
    if (st == MG_OK && buckets)
        calibration_from(&boot, MG__BINARY_METRICS, e, &o, iv, &n);
    mg_bootstrap_release(&boot);
    if (st == MG_OK && !buckets)
        st = calibration_intervals(t, e, &o, iv, &n, err);
    if (st != MG_OK) {
        free(iv);
        return st;
    }
    *out = iv;
    *count = n;
    return MG_OK;
}
