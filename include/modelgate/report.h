/* report.h - the last stage (DESIGN §2): every output file's writer. Each
 * takes the structs the earlier stages returned and an mg_provenance, and
 * returns an mg_status; on success *out is a new NUL-terminated JSON
 * document (caller frees with free()) and *len, when len is not NULL, its
 * length. On failure *out is NULL and err says why (MG_ERR_NOMEM). */
#ifndef MODELGATE_REPORT_H
#define MODELGATE_REPORT_H

#include "compare.h"
#include "evaluate.h"
#include "fairness.h"
#include "gate_run.h"
#include "latency.h"
#include "modelgate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* metrics.json (DESIGN §5). `level` is the level of the Wilson intervals in
 * "ci" (e.g. 0.95) and of the reliability bins of "calibration" (0.95 there
 * when it is not in (0, 1)). Binary tasks also get "calibration", "curves"
 * and "score_histogram", multiclass tasks with probabilities "calibration"
 * and "score_histogram" (docs/calibration.md, docs/metrics.md). `prov` may
 * be NULL (no "provenance"). */
MG_API mg_status mg_evaluation_json(const mg_evaluation *e, const mg_targets *t,
                                    const mg_provenance *prov, double level, char **out,
                                    size_t *len, mg_error *err);

/* metrics.json with "ci" completed by the `n` intervals of `iv` (from
 * mg_evaluation_intervals at opts->level; null bounds and a null_reason where
 * a metric has none), and the bootstrap's replicates and seed from opts. */
MG_API mg_status mg_evaluation_json_with_intervals(const mg_evaluation *e, const mg_targets *t,
                                                   const mg_metric_interval *iv, int n,
                                                   const mg_compare_options *opts,
                                                   const mg_provenance *prov, char **out,
                                                   size_t *len, mg_error *err);

/* fairness.json (DESIGN §5). `prov` may be NULL. */
MG_API mg_status mg_fairness_json(const mg_fairness *f, const mg_provenance *prov, char **out,
                                  size_t *len, mg_error *err);

/* latency.json (DESIGN §5); the provenance is r->prov. */
MG_API mg_status mg_latency_json(const mg_latency_report *r, char **out, size_t *len,
                                 mg_error *err);

/* comparison.json (DESIGN §5): accuracy_improvement (new - baseline
 * accuracy; null for regression), task, n, "new" and "baseline" (each
 * model's metrics.json body, from the targets the comparison was computed
 * on), "deltas" per metric (value, ci_low, ci_high, level, p_value, test,
 * ci_method, direction), "gates" (one per rule, with its result) and the
 * overall "verdict". `results` holds nrules results for `rules` (each
 * says whether it was decided on the interval). prov's
 * model_* fields are the new model's, baseline_* the baseline's. */
MG_API mg_status mg_comparison_json(const mg_comparison *c, const mg_targets *cand,
                                    const mg_targets *base, const mg_compare_rule *rules,
                                    const mg_rule_result *results, int nrules, const mg_provenance *prov, char **out, size_t *len,
                                    mg_error *err);

/* The comparison.json of a run without a baseline (--allow-no-baseline):
 * accuracy_improvement null, "skipped": true and the note. */
MG_API mg_status mg_comparison_skipped_json(const char *note, const mg_provenance *prov, char **out,
                                            size_t *len, mg_error *err);

/* A table as text (`modelgate inspect`). */
typedef enum mg_table_format {
    MG_TABLE_SCHEMA = 0, /* "FILE: N rows, K columns" and a line per column (name, type, nulls,
                            rows), names escaped as mg_text_escape does */
    MG_TABLE_JSON,       /* {"source", "rows", "columns": [{"name", "type", "nulls", "values"}]};
                            NaN and infinities as the strings "NaN", "Infinity", "-Infinity" */
    MG_TABLE_CSV         /* RFC 4180, a header row, empty cells for nulls */
} mg_table_format;

/* Renders the first `rows` rows of t (all when rows < 0 or beyond the
 * table) as `format`. *out is new (caller frees with free()), *len its
 * length. Errors: MG_ERR_NOMEM. */
MG_API mg_status mg_table_render(const mg_table *t, mg_table_format format, int64_t rows,
                                 char **out, size_t *len, mg_error *err);

/* gate.json (DESIGN §5): "verdict" (the outcome's, after on_inconclusive),
 * "exit_code" (0 pass, 1 fail, 3 inconclusive, DESIGN §4), "on_inconclusive",
 * "counts" of pass/fail/inconclusive/skipped gates, "gates" (each entry's
 * name, kind, metric, attribute, op, threshold, value with value_reason, ci,
 * decided_on, interval_straddles_threshold, verdict, reason, source),
 * "outputs" (the JSON files the run wrote), "marker" (report.md's marker
 * ID, so that a report made again from the files updates the same comment;
 * NULL = "gate") and "provenance". */
MG_API mg_status mg_gate_json(const mg_gate_outcome *o, mg_on_inconclusive on_inconclusive,
                              const char *marker, const mg_gate_provenance *prov, char **out,
                              size_t *len, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
