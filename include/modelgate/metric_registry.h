/* metric_registry.h - every metric modelgate computes, by its metrics.json
 * name: which tasks have it, which way is better, and how its interval is
 * computed (DESIGN §7, §8). Commands, compare rules and policies validate
 * metric names and directions against it before any data is read. */
#ifndef MODELGATE_METRIC_REGISTRY_H
#define MODELGATE_METRIC_REGISTRY_H

#include "evaluate.h"
#include "modelgate.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a metric's confidence interval is computed. */
typedef enum mg_interval_method {
    MG_INTERVAL_WILSON = 0, /* a proportion of rows: Wilson score interval */
    MG_INTERVAL_DELONG,     /* ROC AUC: DeLong's variance */
    MG_INTERVAL_BOOTSTRAP   /* anything else: percentile bootstrap */
} mg_interval_method;

typedef struct mg_metric_def {
    const char *name;         /* the key in metrics.json, e.g. "roc_auc" */
    unsigned tasks;           /* bit (1u << mg_task) for each task that has it */
    bool higher_is_better;    /* false for losses and errors (log_loss, rmse, ...) */
    bool proportion;          /* a share of rows (accuracy, recall, ...): in [0, 1] */
    mg_interval_method interval;
    const char *definition;   /* one line, with scikit-learn's function as the source */
} mg_metric_def;

/* The metric named `name` (exact), or NULL. Static storage. */
MG_API const mg_metric_def *mg_metric_find(const char *name);

/* Where metrics.json holds a metric that is not one of its top-level keys:
 * a dotted path ("calibration.ece", "calibration.slope"); NULL for a
 * top-level key. Static storage. */
MG_API const char *mg_metric_json_path(const mg_metric_def *m);

/* For a metric that neither way is better for (calibration_slope: ideal 1,
 * calibration_intercept: ideal 0; their higher_is_better is false and means
 * nothing), sets *ideal and returns true: gates bound it from both sides.
 * False for a metric with a direction. */
MG_API bool mg_metric_ideal(const mg_metric_def *m, double *ideal);

/* True when the task has the metric. */
MG_API bool mg_metric_has_task(const mg_metric_def *m, mg_task task);

/* The i-th metric of the registry (0 <= i < mg_metric_count()), in
 * metrics.json order within each task; NULL out of range. Static storage. */
MG_API int mg_metric_count(void);
MG_API const mg_metric_def *mg_metric_at(int i);

/* The candidate closest to `word` by edit distance (insertions, deletions,
 * substitutions and swaps of neighbours, case-insensitive), when it is close
 * enough to be a likely typo (at most a third of the word's length, at least
 * 1, at most 3 edits); else NULL. Borrowed from `candidates`. */
MG_API const char *mg_closest_name(const char *word, const char *const *candidates, int n);

/* The registry's metric name closest to `word` (see mg_closest_name), among
 * the metrics of `task` (MG_TASK_AUTO: of any task); NULL when none is close. */
MG_API const char *mg_metric_closest(const char *word, mg_task task);

#ifdef __cplusplus
}
#endif

#endif
