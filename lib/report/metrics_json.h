/* metrics_json.h - the metrics.json body, reused where a file embeds the
 * metrics of a model (comparison.json's "new" and "baseline"). */
#ifndef MG_REPORT_METRICS_JSON_H
#define MG_REPORT_METRICS_JSON_H

#include "modelgate/compare.h"
#include "modelgate/evaluate.h"
#include "util/json.h"

/* Optional additions: more entries inside "ci" (e.g. bootstrap intervals). */
typedef struct mg__metrics_json_extra {
    void (*more_ci)(mg__json *j, void *ctx);
    void *ctx;
} mg__metrics_json_extra;

/* Writes the members of metrics.json (not the braces, not provenance) into
 * the open object of j. `extra` may be NULL. */
void mg__metrics_json_body(mg__json *j, const mg_evaluation *e, const mg_targets *t, double level,
                           const mg__metrics_json_extra *extra);

/* Writes metrics.json's "calibration", "curves" and "score_histogram" (binary;
 * multiclass with probabilities: calibration and histogram of the top label)
 * into the open object of j (plots_json.c), the calibration slope and
 * intercept taken from e; marks j failed when out of memory. sorted: the
 * binary rows' mg__score_key keys sorted ascending (borrowed), so that the
 * curves and quantile bins sort nothing; NULL = they sort. */
void mg__metrics_json_plots(mg__json *j, const mg_evaluation *e, const mg_targets *t,
                            double level, const uint64_t *sorted);

/* mg_evaluation_json and mg_evaluation_json_with_intervals given the sorted
 * keys (as mg__metrics_json_plots; NULL = none). */
mg_status mg__evaluation_json_sorted(const mg_evaluation *e, const mg_targets *t,
                                     const mg_provenance *prov, double level,
                                     const uint64_t *sorted, char **out, size_t *len,
                                     mg_error *err);
mg_status mg__evaluation_json_with_intervals_sorted(const mg_evaluation *e, const mg_targets *t,
                                                    const mg_metric_interval *iv, int n,
                                                    const mg_compare_options *opts,
                                                    const mg_provenance *prov,
                                                    const uint64_t *sorted, char **out,
                                                    size_t *len, mg_error *err);

/* Writes "key": {"low", "high", "level", "method"} for an interval, or, with
 * a null_reason, null bounds and method, `level` and the reason: the one
 * shape of an interval in every result file. */
void mg__interval_json(mg__json *j, const char *key, const mg_interval *ci, const char *null_reason,
                       double level);

/* Writes "provenance": {...}. */
void mg__provenance_json(mg__json *j, const mg_provenance *prov);

#endif
