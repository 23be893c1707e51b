/* compare_internal.h - what the files of lib/compare share (mg__ tier). */
#ifndef MG_COMPARE_INTERNAL_H
#define MG_COMPARE_INTERNAL_H

#include "internal.h"
#include "util/sort.h"
#include "modelgate/compare.h"

/* Number of metrics in mg_task_metrics(task). */
int mg__task_metric_count(mg_task task);

/* Copies the options with defaults for zero fields (level 0.95, 1000 replicates). */
void mg__compare_defaults(const mg_compare_options *in, mg_compare_options *out);

/* Bootstraps every metric of the task for `models` (1 or 2) targets on the
 * same rows: samples[r][k * models + m] is metric k of model m in replicate
 * r, NaN where undefined. Binary targets take a fast path over scores sorted
 * once; `generic` forces a full evaluation per replicate instead (the tests
 * compare the two). */
mg_status mg__bootstrap_metrics(const mg_targets *const *t, int models, const mg_compare_options *o,
                                int generic, mg_bootstrap *out, mg_error *err);

/* The regression fast path of mg__bootstrap_metrics (regression_boot.c). */
mg_status mg__bootstrap_regression(const mg_targets *const *t, int models,
                                   const mg_bootstrap_options *bo, mg_bootstrap *out,
                                   mg_error *err);

/* The binary metrics (MG__BINARY_METRICS of them, in mg_task_metrics
 * order: accuracy ... brier) from one replicate's weighted figures, with the
 * metrics library's definitions (NaN where it would give null). */
#define MG__BINARY_METRICS 11
void mg__binary_from_ranked(const mg_ranked_stats *s, double *v);

/* The bootstrap of one binary model without sample weights over its
 * (score, label) buckets (bucket_boot.c): samples[r][k] is binary metric k
 * (k < MG__BINARY_METRICS, as mg__binary_from_ranked), then ece and mce;
 * roc_auc is NaN unless `auc` (its interval may come from DeLong instead).
 * Exact in distribution with the per-row Poisson bootstrap, different draws. */
#define MG__BUCKET_STATS (MG__BINARY_METRICS + 2)
mg_status mg__bootstrap_buckets(const mg_targets *t, const mg_bootstrap_options *bo, int auc,
                                mg_bootstrap *out, mg_error *err);

/* Binary comparisons without sample weights on at least this many rows take
 * the paths of paired_large.c: the 8 joint cells for the confusion-count
 * metrics, the influence-function z interval for pr_auc, log_loss, brier. */
#define MG__COMPARE_LARGE_ROWS 100000
int mg__compare_large(const mg_targets *a, const mg_targets *b);

/* The paired bootstrap of the confusion-count metrics of both models by one
 * Poisson(n) draw per joint cell (label, new predicted, baseline predicted):
 * the layout of mg__bootstrap_metrics (samples[r][k * 2 + m]), NaN for
 * roc_auc, pr_auc, log_loss and brier. Exact in distribution with the
 * per-row paired bootstrap. */
mg_status mg__bootstrap_cells(const mg_targets *a, const mg_targets *b,
                              const mg_bootstrap_options *bo, mg_bootstrap *out, mg_error *err);

/* Both models' scores sorted once (and n doubles of scratch) for
 * mg__influence_test. Owned: mg__influence_release (NULL is fine). */
typedef struct mg__influence mg__influence;
mg_status mg__influence_init(const mg_targets *a, const mg_targets *b, mg__influence **out,
                             mg_error *err);
void mg__influence_release(mg__influence *c);

/* The paired z test of `metric` (pr_auc, log_loss or brier) of a minus b:
 * estimate +- z * se with se^2 = sum_i (dA/dw_i - dB/dw_i)^2 at w = 1 (the
 * infinitesimal jackknife); test "paired_z", ci_method "normal_influence".
 * MG_ERR_NOMEM, or MG_ERR_DATA when the metric is undefined for a model. */
mg_status mg__influence_test(mg__influence *c, const char *metric, double estimate, double level,
                             mg_paired_test *out, mg_error *err);

#endif
