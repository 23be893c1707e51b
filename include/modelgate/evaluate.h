/* evaluate.h - the evaluation pipeline shared by evaluate, fairness and
 * compare: resolve the label and task, run the model, align its outputs with
 * the labels ("targets"), compute every metric, and write metrics.json. */
#ifndef MODELGATE_EVALUATE_H
#define MODELGATE_EVALUATE_H

#include "metrics.h"
#include "model.h"
#include "modelgate.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mg_task {
    MG_TASK_AUTO = 0,
    MG_TASK_BINARY,
    MG_TASK_MULTICLASS,
    MG_TASK_REGRESSION
} mg_task;

/* "auto", "binary", "multiclass", "regression". */
MG_API const char *mg_task_name(mg_task task);
/* Parses a task name; returns -1 when unknown. */
MG_API int mg_task_parse(const char *name, mg_task *out);

typedef struct mg_eval_spec {
    const char *label;          /* label column; NULL = "label" */
    mg_task task;               /* MG_TASK_AUTO infers it from label and outputs */
    const char *positive_label; /* binary: the positive class as text; NULL = the model's
                                   positive class, else 1/true or the larger label */
    double threshold;           /* binary decision threshold (score > threshold) */
    const char *weight;         /* weight column or NULL */
    mg_feature_roles roles;     /* columns that are not features (label/weight filled in) */
    /* The model's classes in output order (--classes), for a model that names
     * none (XGBoost): nclasses names, borrowed. NULL/0 = by index 0..k-1. A
     * model that names its classes must name these same ones. */
    const char *const *classes;
    int nclasses;
    /* How messages and reasons name the inputs (the flags when NULL). */
    const mg_input_names *names;
} mg_eval_spec;

/* Labels and model outputs aligned row by row, ready for the metrics. All
 * arrays are owned; release with mg_targets_release. */
typedef struct mg_targets {
    mg_task task;
    char task_reason[160]; /* why this task was chosen (auto) */
    int64_t n;
    double *w; /* NULL = unweighted */
    /* The weights in w are the data's scaled by 2^-w_exp2. When the largest
     * weight is below 2^-64 or above 2^64 this power of two puts it in
     * [0.5, 1) (exact), so no sum or product of weights overflows or
     * underflows and weights of 1e300 or 1e-200 give the same metrics as any
     * common multiple; otherwise w_exp2 is 0 and w holds the data's weights.
     * Weighted totals are reported times 2^w_exp2. */
    int w_exp2;
    /* binary */
    uint8_t *y;    /* 1 = positive */
    double *score; /* probability of the positive class */
    char *positive_label, *negative_label;
    char positive_reason[400]; /* why this positive label, and what the score is */
    /* Row i is predicted positive when score[i] > threshold. That is the
     * decision threshold the user gave (decision_threshold), except when the
     * positive label is the model's other class (score = 1 - p): then the
     * next double below it, so that a score exactly at the threshold is
     * decided as the model decides it (scikit-learn's predict gives a tie to
     * the first class) and choosing either class changes no prediction. */
    double threshold;
    double decision_threshold; /* as given, for the output files */
    /* multiclass: classes in sorted label order (numbers numerically) */
    int nclasses;
    char **class_labels;
    int32_t *yc;   /* true class index */
    int32_t *pred; /* predicted class index */
    double *proba; /* n * nclasses, or NULL */
    /* regression */
    double *yr, *pr;
    /* Threads for the metrics that split their sums into fixed blocks (the
     * calibration fit); 0 = every CPU. The metrics are the same doubles for
     * any value. mg_run_targets sets it from the run's read.threads. */
    int threads;
    /* score points into the f64 array of the table's predictions column
     * instead of a copy (only mg_run does this, and moves the array to the
     * targets when it drops the table); mg_targets_release does not free it
     * then. False from mg_targets_build. */
    bool score_borrowed;
} mg_targets;

/* Predicts `table` with `model` and builds the targets. Errors name the file,
 * row and column: unknown label column, null labels, a non-numeric label for
 * regression, a label with three values for a binary task, NaN or
 * out-of-range probabilities, no rows, labels that are not the model's
 * classes (DESIGN §6 "Classes"), text labels for a model that names no
 * classes without spec->classes, hard predictions that are not values of the
 * label set in a binary task. *out is filled on success. */
MG_API mg_status mg_targets_build(const mg_table *table, mg_model *model, const mg_eval_spec *spec,
                                  mg_targets *out, mg_error *err);

/* Frees the arrays in t (not t); safe on a zeroed struct. */
MG_API void mg_targets_release(mg_targets *t);

/* Every metric of the task. */
typedef struct mg_evaluation {
    mg_task task;
    mg_binary_metrics binary;
    mg_multiclass_metrics multiclass; /* owns arrays: mg_evaluation_release */
    mg_regression_metrics regression;
    /* Binary and multiclass: ece, mce (10 uniform bins; multiclass top-label)
     * and the binary calibration slope and intercept. Not top-level keys of
     * metrics.json (they are in its "calibration" object), but found by
     * mg_evaluation_metric, so gates can use them. */
    mg_calibration_metrics calibration;
} mg_evaluation;

MG_API mg_status mg_evaluation_compute(const mg_targets *t, mg_evaluation *out, mg_error *err);
MG_API void mg_evaluation_release(mg_evaluation *e);

/* Looks up a metric of the evaluation by its metrics.json name ("accuracy",
 * "roc_auc", "rmse", ...; also "ece", "mce", "calibration_slope",
 * "calibration_intercept"). Returns -1 when the task has no such metric. */
MG_API int mg_evaluation_metric(const mg_evaluation *e, const char *name, mg_value *out);

/* The task's top-level metrics in metrics.json order: how many, and the
 * name (static) and value of the i-th (NULL when i is out of range). */
MG_API int mg_evaluation_metric_count(const mg_evaluation *e);
MG_API const char *mg_evaluation_metric_name(const mg_evaluation *e, int i, mg_value *out);

#ifdef __cplusplus
}
#endif

#endif
