/* evaluation.c - every metric of a task from its targets, and lookup of a
 * metric by its metrics.json name. */
#include "metrics_internal.h"
#include "modelgate/evaluate.h"

/* The task names of metrics.json and --task (every stage names tasks). */
const char *mg_task_name(mg_task task) {
    switch (task) {
    case MG_TASK_AUTO: return "auto";
    case MG_TASK_BINARY: return "binary";
    case MG_TASK_MULTICLASS: return "multiclass";
    case MG_TASK_REGRESSION: return "regression";
    }
    return "unknown";
}

int mg_task_parse(const char *name, mg_task *out) {
    static const mg_task all[] = {MG_TASK_AUTO, MG_TASK_BINARY, MG_TASK_MULTICLASS,
                                  MG_TASK_REGRESSION};
    for (size_t i = 0; i < MG_ARRAY_LEN(all); i++)
        if (strcmp(name, mg_task_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

mg_status mg_evaluation_compute(const mg_targets *t, mg_evaluation *out, mg_error *err) {
    return mg__evaluation_compute_sorted(t, NULL, out, err);
}

mg_status mg__evaluation_compute_sorted(const mg_targets *t, const uint64_t *sorted,
                                        mg_evaluation *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->task = t->task;
    mg_status st;
    switch (t->task) {
    case MG_TASK_BINARY: {
        /* the score sort of the ranking metrics gives the calibration fit
         * the distinct scores with their weights, when few enough */
        mg__score_runs runs = {NULL, 0};
        st = mg__binary_metrics_compute_sorted(t->y, t->score, t->w, t->n, t->threshold, sorted,
                                               &out->binary, &runs, err);
        if (st == MG_OK)
            mg__calibration_metrics_threads(t->y, t->score, NULL, NULL, 0, t->w, t->n, t->threads,
                                            &runs, &out->calibration);
        free(runs.run);
        return st;
    }
    case MG_TASK_MULTICLASS:
        st = mg_multiclass_metrics_compute(t->yc, t->proba ? NULL : t->pred, t->proba, t->w, t->n,
                                           t->nclasses, &out->multiclass, err);
        if (st == MG_OK && t->proba != NULL)
            mg_calibration_metrics_compute(NULL, NULL, t->yc, t->proba, t->nclasses, t->w, t->n,
                                           &out->calibration);
        else if (st == MG_OK)
            out->calibration.ece = out->calibration.mce = out->calibration.calibration_slope =
                out->calibration.calibration_intercept =
                    mg_value_null("undefined: the model gives no class probabilities");
        return st;
    case MG_TASK_REGRESSION:
        return mg_regression_metrics_compute(t->yr, t->pr, t->w, t->n, &out->regression, err);
    case MG_TASK_AUTO: break;
    }
    return mg__fail(err, MG_ERR_INTERNAL, "evaluation: the task was not resolved");
}

void mg_evaluation_release(mg_evaluation *e) {
    mg_multiclass_metrics_release(&e->multiclass);
    memset(e, 0, sizeof *e);
}

typedef struct metric_field {
    const char *name;
    size_t offset; /* of an mg_value inside the task's struct */
} metric_field;

#define BIN(f)                                                                                     \
    { #f, offsetof(mg_binary_metrics, f) }
#define MUL(f)                                                                                     \
    { #f, offsetof(mg_multiclass_metrics, f) }
#define REG(f)                                                                                     \
    { #f, offsetof(mg_regression_metrics, f) }

/* The top-level metrics of metrics.json, in their output order. */
static const metric_field binary_fields[] = {
    BIN(accuracy), BIN(balanced_accuracy), BIN(precision), BIN(recall),
    BIN(f1),       BIN(specificity),       BIN(mcc),       BIN(roc_auc),
    BIN(pr_auc),   BIN(log_loss),          BIN(brier)};
static const metric_field multiclass_fields[] = {
    MUL(accuracy),        MUL(balanced_accuracy),  MUL(precision_macro), MUL(recall_macro),
    MUL(f1_macro),        MUL(precision_weighted), MUL(recall_weighted), MUL(f1_weighted),
    MUL(precision_micro), MUL(recall_micro),       MUL(f1_micro),        MUL(roc_auc_ovr),
    MUL(log_loss)};
static const metric_field regression_fields[] = {
    REG(mae), REG(mse), REG(rmse), REG(r2), REG(mape), REG(max_error), REG(median_absolute_error)};

/* The field table and struct of the evaluation's task. */
static const metric_field *fields_of(const mg_evaluation *e, size_t *count, const char **base) {
    switch (e->task) {
    case MG_TASK_BINARY:
        *count = MG_ARRAY_LEN(binary_fields);
        *base = (const char *)&e->binary;
        return binary_fields;
    case MG_TASK_MULTICLASS:
        *count = MG_ARRAY_LEN(multiclass_fields);
        *base = (const char *)&e->multiclass;
        return multiclass_fields;
    case MG_TASK_REGRESSION:
        *count = MG_ARRAY_LEN(regression_fields);
        *base = (const char *)&e->regression;
        return regression_fields;
    case MG_TASK_AUTO: break;
    }
    *count = 0;
    *base = NULL;
    return NULL;
}

/* The calibration metrics (not top-level keys of metrics.json). */
static const metric_field calibration_fields[] = {
    {"ece", offsetof(mg_calibration_metrics, ece)},
    {"mce", offsetof(mg_calibration_metrics, mce)},
    {"calibration_slope", offsetof(mg_calibration_metrics, calibration_slope)},
    {"calibration_intercept", offsetof(mg_calibration_metrics, calibration_intercept)}};

int mg_evaluation_metric(const mg_evaluation *e, const char *name, mg_value *out) {
    size_t count;
    const char *base;
    const metric_field *f = fields_of(e, &count, &base);
    for (size_t i = 0; i < count; i++)
        if (strcmp(f[i].name, name) == 0) {
            memcpy(out, base + f[i].offset, sizeof *out);
            return 0;
        }
    /* ece and mce for binary and multiclass, slope and intercept for binary */
    size_t ncal = e->task == MG_TASK_BINARY       ? MG_ARRAY_LEN(calibration_fields)
                  : e->task == MG_TASK_MULTICLASS ? 2
                                                  : 0;
    for (size_t i = 0; i < ncal; i++)
        if (strcmp(calibration_fields[i].name, name) == 0) {
            memcpy(out, (const char *)&e->calibration + calibration_fields[i].offset, sizeof *out);
            return 0;
        }
    return -1;
}

int mg_evaluation_metric_count(const mg_evaluation *e) {
    size_t count;
    const char *base;
    fields_of(e, &count, &base);
    return (int)count;
}

const char *mg_evaluation_metric_name(const mg_evaluation *e, int i, mg_value *out) {
    size_t count;
    const char *base;
    const metric_field *f = fields_of(e, &count, &base);
    if (i < 0 || (size_t)i >= count)
        return NULL;
    if (out != NULL)
        memcpy(out, base + f[i].offset, sizeof *out);
    return f[i].name;
}
