/* compare.h - a candidate model against its baseline on the same rows
 * (DESIGN §11): every metric for both, the paired difference of each with its
 * interval, p-value and test, and the regression rules that gate on them. */
#ifndef MODELGATE_COMPARE_H
#define MODELGATE_COMPARE_H

#include "evaluate.h"
#include "metrics.h"
#include "modelgate.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mg_compare_options {
    double level;   /* level of every interval, in (0, 1); 0.95 when 0 */
    int replicates; /* paired bootstrap replicates; 1000 when 0 */
    uint64_t seed;  /* bootstrap seed */
    int threads;    /* 0 = every CPU */
    /* Skip the paired bootstrap: only accuracy (McNemar) and roc_auc (DeLong)
     * get an interval and a p-value, in a time linear in the rows; the other
     * deltas say why they have none. 0 (the default) runs it. */
    int skip_bootstrap;
    /* When not NULL: called with the replicates done so far and the total
     * (`done` never decreases; a last call has done == total), from the
     * worker threads but never by two at once; it must return quickly
     * without calling the library. The CLI draws its progress bar here. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} mg_compare_options;

/* True (1) for metrics where lower is better: log_loss, brier, mse, rmse,
 * mae, mape, max_error, median_absolute_error. */
MG_API int mg_metric_lower_is_better(const char *metric);

/* The metrics of a task, in metrics.json order: a static NULL-terminated list. */
MG_API const char *const *mg_task_metrics(mg_task task);

/* One metric of both models and their difference. */
typedef struct mg_metric_delta {
    const char *metric; /* static name, as in metrics.json */
    int lower_is_better;
    mg_value new_value, base_value;
    mg_value delta;      /* new - baseline; null when either value is */
    mg_paired_test test; /* valid when has_test; test.value == delta.v */
    int has_test;
    double p_value_holm;          /* Holm-adjusted over every tested metric of the comparison */
    const char *test_null_reason; /* static: why there is no interval/p-value */
} mg_metric_delta;

typedef struct mg_comparison {
    mg_task task;
    int64_t n;
    mg_compare_options options; /* with the defaults filled in */
    mg_evaluation new_eval, base_eval;
    int ndeltas;
    mg_metric_delta *deltas; /* owned */
} mg_comparison;

/* Compares two sets of targets built from the same table and label (same
 * task, rows, labels and weights; an error names the first row that differs
 * otherwise). Tests: McNemar for accuracy, paired DeLong for roc_auc (binary,
 * unweighted), the paired Poisson bootstrap for every other metric and for
 * weighted data. On success *out owns its arrays: mg_comparison_release. */
MG_API mg_status mg_comparison_compute(const mg_targets *cand, const mg_targets *base,
                                       const mg_compare_options *opts, mg_comparison *out,
                                       mg_error *err);

/* Frees what c owns (not c); safe on a zeroed struct. */
MG_API void mg_comparison_release(mg_comparison *c);

/* The delta of a metric by name, or NULL (borrowed). */
MG_API const mg_metric_delta *mg_comparison_delta(const mg_comparison *c, const char *metric);

/* ---- regression rules ------------------------------------------------ */

typedef enum mg_rule_kind {
    MG_RULE_MIN_CHANGE,         /* improvement >= threshold (absolute) */
    MG_RULE_MIN_RELATIVE_CHANGE /* improvement / |baseline| >= threshold */
} mg_rule_kind;

/* "min_change" / "min_relative_change". */
MG_API const char *mg_rule_kind_name(mg_rule_kind kind);

/* The improvement of a metric is new - baseline when higher is better and
 * baseline - new when lower is better, so a threshold of -0.01 always allows
 * a small step for the worse. */
typedef struct mg_compare_rule {
    const char *metric; /* borrowed */
    mg_rule_kind kind;
    double threshold;
    /* How the caller names the rule in messages (borrowed; e.g. a flag,
     * "--min-change", or a policy key and its place); NULL: the kind's name,
     * "min_change" or "min_relative_change". */
    const char *origin;
} mg_compare_rule;

typedef struct mg_rule_result {
    mg_verdict verdict;
    double value;           /* the (relative) improvement; NaN when undefined */
    double ci_low, ci_high; /* its interval (oriented as an improvement); NaN without */
    char reason[320];       /* one sentence */
    bool on_interval;       /* decided on the interval (use_interval), not the point */
} mg_rule_result;

/* Checks that the task has the rule's metric and the threshold is finite;
 * MG_ERR_USAGE otherwise, "ORIGIN: 'METRIC' is not a TASK metric (one of:
 * ...)" with the rule's origin (or its kind's name). */
MG_API mg_status mg_compare_rule_validate(mg_task task, const mg_compare_rule *rule, mg_error *err);

/* Decides one rule. Without confidence (use_interval = 0) the point
 * improvement is compared with the threshold. With it, non-inferiority on
 * the interval at the comparison's level: pass when its worse end clears the
 * threshold, fail when its better end misses it, else inconclusive. A metric
 * that is null, has no interval, or a relative rule on a zero baseline gives
 * an inconclusive verdict. Errors (MG_ERR_USAGE): a metric the task lacks,
 * naming the task's metrics. */
MG_API mg_status mg_compare_rule_check(const mg_comparison *c, const mg_compare_rule *rule,
                                       int use_interval, mg_rule_result *out, mg_error *err);

/* ---- intervals for one model (evaluate --confidence) -------------------- */

typedef struct mg_metric_interval {
    const char *metric;      /* static name */
    mg_interval ci;          /* valid when null_reason == NULL */
    const char *null_reason; /* static */
} mg_metric_interval;

/* At most this many Wilson intervals per evaluation. */
#define MG_WILSON_MAX 4

/* The Wilson score intervals at `level` of the task's proportions into out
 * (binary: accuracy, precision, recall, specificity; multiclass: accuracy;
 * none for regression), in that order, leaving out a proportion with no
 * rows; returns how many. With sample weights the count is Kish's effective
 * sample size of each proportion's rows. metric names are static. */
MG_API int mg_evaluation_wilson(const mg_evaluation *e, const mg_targets *t, double level,
                                mg_metric_interval out[MG_WILSON_MAX]);

/* True for the proportions that metrics.json already gives Wilson intervals
 * (binary accuracy, precision, recall, specificity; multiclass accuracy). */
MG_API int mg_metric_is_proportion(mg_task task, const char *metric);

/* An interval for every other metric of the task: DeLong for roc_auc
 * (unweighted), the Poisson bootstrap's percentile interval for the rest and
 * for weighted data. *out is a new array of *count entries in
 * mg_task_metrics order: caller frees with free(). */
MG_API mg_status mg_evaluation_intervals(const mg_targets *t, const mg_evaluation *e,
                                         const mg_compare_options *opts, mg_metric_interval **out,
                                         int *count, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
