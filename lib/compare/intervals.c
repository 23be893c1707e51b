/* intervals.c - a confidence interval for every metric of one model
 * (`evaluate --confidence`): Wilson for proportions, DeLong for ROC AUC, the
 * Poisson bootstrap for the rest. */
#include "compare_internal.h"

#include <math.h>

/* Unweighted proportions and their counts: successes out of trials. */
static int proportion(const mg_targets *t, const mg_evaluation *e, const char *metric,
                      double *successes, double *trials) {
    if (t->w != NULL)
        return 0; /* weighted counts are not binomial: bootstrap instead */
    if (strcmp(metric, "accuracy") == 0) {
        int64_t hits = 0;
        for (int64_t i = 0; i < t->n; i++)
            hits += t->task == MG_TASK_BINARY ? (t->score[i] > t->threshold) == (t->y[i] != 0)
                                              : t->pred[i] == t->yc[i];
        *successes = (double)hits;
        *trials = (double)t->n;
        return 1;
    }
    if (t->task != MG_TASK_BINARY)
        return 0;
    const mg_binary_metrics *b = &e->binary;
    if (strcmp(metric, "precision") == 0) {
        *successes = b->tp;
        *trials = b->tp + b->fp;
        return 1;
    }
    if (strcmp(metric, "recall") == 0) {
        *successes = b->tp;
        *trials = b->tp + b->fn;
        return 1;
    }
    return 0;
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
    for (int k = 0; st == MG_OK && k < m; k++) {
        iv[k].metric = metrics[k];
        mg_value v;
        if (mg_evaluation_metric(e, metrics[k], &v) != 0) {
            iv[k].null_reason = "not computed for this task";
            continue;
        }
        if (v.null_reason != NULL) {
            iv[k].null_reason = v.null_reason;
            continue;
        }
        double succ, trials;
        if (proportion(t, e, metrics[k], &succ, &trials) && trials > 0 &&
            mg_wilson_interval(succ, trials, o.level, &iv[k].ci) == 0)
            continue;
        if (t->w == NULL && strcmp(metrics[k], "roc_auc") == 0) {
            mg_auc_estimate a;
            mg_error derr;
            if (mg_delong_auc(t->y, t->score, t->n, o.level, &a, &derr) == MG_OK) {
                iv[k].ci = a.ci;
                continue;
            }
        }
        if (mg_bootstrap_interval(&boot, k, o.level, &iv[k].ci) != 0)
            iv[k].null_reason = "undefined in more than 5% of the bootstrap replicates";
    }
    mg_bootstrap_release(&boot);
    if (st != MG_OK) {
        free(iv);
        return st;
    }
    *out = iv;
    *count = m;
    return MG_OK;
}
