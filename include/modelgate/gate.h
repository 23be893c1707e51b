/* gate.h - one gate on one metric: its bound, the value and interval it was
 * decided on, the verdict and the sentence that says why (DESIGN §8).
 *
 * Without a confidence level a gate compares the point estimate, as the
 * tutorial's `jq | bc` steps do, and notes when the interval straddles the
 * bound. With one it decides on the interval: pass only when the whole
 * interval clears the bound, fail only when the whole interval misses it,
 * INCONCLUSIVE otherwise. An undefined value (or interval) is INCONCLUSIVE,
 * never a pass or a fail. */
#ifndef MODELGATE_GATE_H
#define MODELGATE_GATE_H

#include "metrics.h"
#include "modelgate.h"
#include "stats.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mg_gate_op {
    MG_GATE_MIN = 0, /* value >= threshold passes */
    MG_GATE_MAX      /* value <= threshold passes */
} mg_gate_op;

typedef struct mg_gate_result {
    char name[256];        /* e.g. "accuracy >= 0.85" */
    char metric[64];       /* the metric's name, as in the output file */
    mg_gate_op op;
    double threshold;
    mg_value value;        /* the point estimate, or null with its reason */
    bool has_ci;           /* ci holds the metric's interval */
    mg_interval ci;        /* method borrowed from static storage */
    bool decided_on_interval;
    bool straddles;        /* the interval has the threshold strictly inside */
    mg_verdict verdict;
    char reason[320];      /* one sentence: what was compared with what */
} mg_gate_result;

/* The worse of two verdicts: FAIL over INCONCLUSIVE over PASS. The one rule
 * by which every gate set (metric gates, fairness measures, latency gates,
 * compare rules) comes to its overall verdict. */
MG_API mg_verdict mg_verdict_worse(mg_verdict a, mg_verdict b);

/* The one decision rule of every gate on a number: `value` OP `threshold` on
 * the point (use_interval false), or on the interval [low, high] (use_interval
 * true): PASS when the whole interval clears the bound, FAIL when the whole
 * interval misses it, INCONCLUSIVE when it straddles. A missing end of the
 * interval is -INFINITY (low) or +INFINITY (high). A NaN among the numbers
 * used is INCONCLUSIVE, never a pass or a fail. */
MG_API mg_verdict mg_gate_verdict(mg_gate_op op, double threshold, double value, double low,
                                  double high, bool use_interval);

/* ">=" or "<=". */
MG_API const char *mg_gate_op_symbol(mg_gate_op op);

/* Decides the gate `metric` OP `threshold` on `value` and, when `ci` is not
 * NULL, its interval: on the interval when `use_interval`, else on the point.
 * `ci` may be NULL (no interval); a NaN threshold is a caller error and gives
 * INCONCLUSIVE. Fills *out (no allocation) and returns its verdict. */
MG_API mg_verdict mg_gate_decide(const char *metric, mg_gate_op op, double threshold, mg_value value,
                                 const mg_interval *ci, bool use_interval, mg_gate_result *out);

/* The worst verdict of n results (FAIL over INCONCLUSIVE over PASS); PASS
 * for n == 0. */
MG_API mg_verdict mg_gate_worst(const mg_gate_result *results, int n);

/* The interval metrics.json shows for `metric` (its "ci" entry), read from
 * the document's text, so that a gate decides on the interval the file
 * shows: true and *out filled (method in static storage: "wilson",
 * "delong", "bootstrap_percentile", "clopper_pearson" or "interval") when
 * the entry has finite bounds; false otherwise (no entry, null bounds, a
 * text that does not parse). */
MG_API bool mg_metrics_json_interval(const char *metrics_json, const char *metric,
                                     mg_interval *out);

/* Appends "gates" (the n results) and "verdict" to a JSON object document
 * that modelgate's writer produced (metrics.json): *json (length *len) is
 * replaced by a new string, the old one freed. Returns MG_ERR_NOMEM, or
 * MG_ERR_USAGE when *json does not end with an object. */
MG_API mg_status mg_gates_json_append(char **json, size_t *len, const mg_gate_result *results,
                                      int n, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
