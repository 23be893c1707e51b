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

#endif
