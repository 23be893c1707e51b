/* policy.h - the policy file modelgate.yml (DESIGN §14): what a gate run
 * reads, runs and decides, parsed strictly with libyaml.
 *
 * Every key is checked: an unknown key (with the closest known one), a wrong
 * type, a duplicate key, an alias or anchor, a second document, a tab in the
 * indentation or a missing required key is MG_ERR_USAGE whose message names
 * the key and its place ("modelgate.yml:5:3: data.label: ..."); err->place
 * holds the file, line and column. Scalars follow YAML 1.2's core schema:
 * where a string is expected `y`, `no` or `NO` are those strings; numbers are
 * `0.75`, `.75`, `75e-2`; `true`/`false` only where a boolean is expected.
 *
 * Ownership: every string and array in an mg_policy is owned by it and freed
 * by mg_policy_release. */
#ifndef MODELGATE_POLICY_H
#define MODELGATE_POLICY_H

#include "evaluate.h" /* mg_task */
#include "modelgate.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an inconclusive gate does to the run's verdict and exit code. */
typedef enum mg_on_inconclusive {
    MG_ON_INCONCLUSIVE_FAIL = 0, /* exit 3 (DESIGN §4); the default */
    MG_ON_INCONCLUSIVE_WARN,     /* reported as a warning; the run passes */
    MG_ON_INCONCLUSIVE_PASS      /* counted as a pass */
} mg_on_inconclusive;

/* Where a key was written: 1-based line and column in the policy file, or 0
 * when it came from a --set override or a default. */
typedef struct mg_policy_place {
    int line, column;
} mg_policy_place;

/* A bound on one number: `min` and/or `max`, optionally decided on the
 * interval at `confidence` (0 = on the point estimate, as the tutorial does). */
typedef struct mg_policy_bound {
    char *metric; /* the key: a metric of the registry, "p99_ms", "demographic_parity_ratio", ... */
    bool has_min, has_max;
    double min, max;
    double confidence; /* in (0, 1), or 0 */
    mg_policy_place place;
} mg_policy_bound;

/* A regression rule against the baseline (DESIGN §11): the candidate's
 * improvement over the baseline (new - baseline, oriented so that larger is
 * better) must be at least min_change (absolute) and/or min_relative_change
 * (divided by |baseline|). */
typedef struct mg_policy_rule {
    char *metric;
    bool has_min_change, has_min_relative_change;
    double min_change, min_relative_change;
    double confidence; /* in (0, 1), or 0 */
    mg_policy_place place;
} mg_policy_rule;

/* gates.latency. `has` is false when the policy has no latency section. */
typedef struct mg_policy_latency {
    bool has;
    int64_t samples;         /* timed calls; default 1000 */
    int64_t warmup;          /* -1 = 10% of samples, at least 10 (the default) */
    int batch_size;          /* rows per call; default 1 */
    mg_policy_bound *bounds; /* p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms, mean_ms */
    int nbounds;
    mg_policy_place place;
} mg_policy_latency;

/* gates.fairness. Bounds are on "<measure>_ratio" or "<measure>_difference"
 * with measure demographic_parity, equalized_odds or equal_opportunity (and
 * disparate_impact_ratio with a reference group). `threshold` is the
 * tutorial's band shorthand: demographic parity ratio in [t, 1/t]. */
typedef struct mg_policy_fairness {
    bool has;
    char **protected_attributes;
    int nprotected;
    int64_t min_group_size;                      /* default 30 */
    double threshold;                            /* 0 = not given */
    char *method;                                /* "between_groups" (default) or "to_overall" */
    char *reference_attribute, *reference_group; /* both NULL = none */
    /* `reference: {attribute: A, group: null}` names A's missing-value
     * group (then reference_group is NULL and this is true). */
    bool reference_missing;
    bool intersectional;
    double confidence; /* 0 = point estimates; else bootstrap + Holm */
    mg_policy_bound *bounds;
    int nbounds;
    mg_policy_place place;
} mg_policy_fairness;

/* gates.regression: rules against the baseline. */
typedef struct mg_policy_regression {
    bool has;
    mg_policy_rule *rules;
    int nrules;
    mg_policy_place place;
} mg_policy_regression;

/* slices.edges.<column>: fixed edges for one numeric column (the library's
 * mg_slice_edges: buckets low < x <= high, the first closed below, and
 * values outside the edges in buckets of their own). */
typedef struct mg_policy_slice_edges {
    char *column;  /* owned */
    double *edges; /* nedges, strictly ascending, at least 2; owned */
    int nedges;
    mg_policy_place place;
} mg_policy_slice_edges;

/* slices.gates.<metric>: a gate decided on every scored slice of every
 * slicing (mg_slice_gate_decide), one mg_slice_gate per bound given:
 * has_min -> MG_SLICE_GATE_MIN (min), has_max -> MG_SLICE_GATE_MAX (max),
 * has_max_gap -> MG_SLICE_GATE_MAX_GAP (max_gap: no slice worse than the
 * overall value by more than this). `metric` is a metric of the registry
 * (not an operating point). */
typedef struct mg_policy_slice_gate {
    char *metric; /* owned */
    bool has_min, has_max, has_max_gap;
    double min, max;   /* min <= max; a proportion's in [0, 1] */
    double max_gap;    /* >= 0 */
    double confidence; /* in (0, 1), or 0 = on each slice's point value */
    mg_policy_place place;
} mg_policy_slice_gate;

/* slices: metrics per slice of the test set and slice gates (DESIGN §16,
 * docs/slices.md), as evaluate's --slice-* flags. `has` is false when the
 * policy has no slices section. Each column of `by` is one slicing
 * (mg_slicing_from_column with mg_slice_options {bins, edges}); each pair of
 * `cross` one crossed slicing (mg_slicing_cross of the two columns'
 * slicings). */
typedef struct mg_policy_slices {
    bool has;
    char **by; /* slices.by: columns, each sliced alone, distinct; owned */
    int nby;
    char **cross; /* slices.cross: 2 * ncross columns, pair k is cross[2k] x cross[2k+1]
                     (two different columns; no pair twice); owned */
    int ncross;
    int bins;                     /* slices.bins: quantile buckets of a numeric column, 1..1000;
                                     default MG_POLICY_SLICE_BINS (10) */
    mg_policy_slice_edges *edges; /* slices.edges: per column of by or cross; owned */
    int nedges;
    int64_t min_slice_size;      /* slices.min_slice_size >= 1; default 30: smaller slices are
                                    listed, not scored nor gated */
    mg_policy_slice_gate *gates; /* slices.gates; owned */
    int ngates;
    mg_policy_place place;
} mg_policy_slices;

#define MG_POLICY_SLICE_BINS 10
#define MG_POLICY_SLICE_MIN_SIZE 30
#define MG_POLICY_MAX_SLICE_BINS 1000

/* One key's place, for messages that name where a value came from. */
typedef struct mg_policy_key_place {
    char *key; /* dotted path, e.g. "data.label", "gates.accuracy.min" */
    mg_policy_place place;
    /* Who set it when not the file: "--set data.label" for mg_policy_set,
     * the caller's origin (e.g. "--model") for mg_policy_override; NULL for the
     * file. Owned. */
    char *origin;
} mg_policy_key_place;

typedef struct mg_policy {
    char *path;      /* the file as given, for messages; "" when parsed from text */
    char sha256[65]; /* hex digest of the file's bytes; "" when parsed from text */
    /* The folder of the policy file ("." for a bare file name or text
     * parsed from memory). Relative input paths written in the file
     * (data.test, data.predictions, model, baseline) are relative to it;
     * outputs.dir, like --outputs, to the working folder. See mg_policy_path. */
    char *base_dir;
    int version;  /* 1 */
    mg_task task; /* default MG_TASK_AUTO */
    /* data: */
    char *test_data;    /* data.test: CSV, Parquet file or folder (required) */
    char *label;        /* data.label; default "label" */
    bool features_auto; /* data.features: auto (the default) */
    char **features;    /* data.features as a list (features_auto false) */
    int nfeatures;
    char **ignore; /* data.ignore */
    int nignore;
    char *weight, *id;    /* data.weight, data.id; NULL = none */
    char *positive_label; /* data.positive_label; NULL = the model's positive class */
    char *predictions;    /* data.predictions: a separate predictions file; NULL = none */
    char **classes;       /* data.classes: the model's classes in output order */
    int nclasses;
    /* models: */
    char *model;    /* required: file | cmd:... | column:NAME | registry:NAME@STAGE | ... */
    char *baseline; /* NULL = none */
    /* With a regression section and no baseline: false (default) = exit 2;
     * true = the regression gates are skipped and say why (a first model). */
    bool allow_missing_baseline;
    double decision_threshold; /* default 0.5 */
    uint64_t seed;             /* default 42 */
    int bootstrap;             /* replicates for intervals; default 1000 */
    /* gates: metric bounds (any metric of the registry), then the sections. */
    mg_policy_bound *metric_gates;
    int nmetric_gates;
    mg_policy_latency latency;
    mg_policy_fairness fairness;
    mg_policy_regression regression;
    mg_policy_slices slices;
    mg_on_inconclusive on_inconclusive;
    char *outputs_dir; /* outputs.dir; default "modelgate-results" */
    char *report_id;   /* outputs.id: the report marker's ID; default "gate" */
    /* Every key read, with its place (for mg_policy_where). */
    mg_policy_key_place *places;
    int nplaces;
} mg_policy;

/* Bootstrap replicates a policy may ask for (the CLI's range). */
#define MG_POLICY_MIN_BOOTSTRAP 100
#define MG_POLICY_MAX_BOOTSTRAP 1000000

/* The largest policy file read (1 MiB); a larger one is MG_ERR_USAGE
 * naming its size. */
#define MG_POLICY_MAX_BYTES ((size_t)1 << 20)

/* Sets the defaults above on p (no allocation): the numbers and flags. The
 * defaults that are strings (label, outputs_dir, report_id,
 * fairness.method) stay NULL here; mg_policy_load, mg_policy_parse and the
 * overrides fill them. */
MG_API void mg_policy_init(mg_policy *p);

/* Reads and parses the policy file at `path` into p (initialised by this
 * call). Errors: unreadable file (MG_ERR_IO), any fault of the file
 * (MG_ERR_USAGE naming "path:line:column: key: what was expected"). On error
 * p holds nothing to free beyond what mg_policy_release frees. */
MG_API mg_status mg_policy_load(const char *path, mg_policy *p, mg_error *err);

/* The same from memory; `name` is used in messages and p->path; sha256 is
 * "" and base_dir ".". */
MG_API mg_status mg_policy_parse(const char *text, size_t len, const char *name, mg_policy *p,
                                 mg_error *err);

/* Applies one override "KEY=VALUE" (a dotted key, as in the file:
 * "gates.accuracy.min=0.9", "data.test=other.csv", "model=m.json"). VALUE
 * is read as a YAML scalar with the file's rules, or a flow sequence
 * ("[a, b]") for list keys, or a flow mapping ("{min: 0.9}") for a section,
 * which replaces the whole section or gate (as if the file said it); a gate
 * the policy lacks is created. VALUE null (null, ~) removes the key, as if
 * the file did not have it: a section or gate goes away, a value goes back
 * to its default (a text key that takes null, like baseline, is set to
 * none); a required key (version, data, data.test, model,
 * gates.fairness.protected_attributes, gates.fairness.reference.attribute)
 * cannot be removed. The key's place becomes {0, 0} with origin "--set KEY".
 * Errors (MG_ERR_USAGE, "--set KEY: ..."): no '=', an unknown key (with the
 * closest known one), a wrong type or range, removing a required key; a
 * refused override leaves p as it was. */
MG_API mg_status mg_policy_set(mg_policy *p, const char *assignment, mg_error *err);

/* Sets `key` (dotted, as in the file) from a command-line flag and
 * records `origin` (e.g. "--model", borrowed) as where it came from, so that
 * flags take precedence over --set and the file (call it after them) and
 * mg_policy_where names the flag. For a text key (data.test, model, baseline,
 * data.label...) `value` is taken literally, not as YAML; other keys read it
 * as mg_policy_set does. Errors (MG_ERR_USAGE, naming origin): an unknown
 * key, a wrong type or range. */
MG_API mg_status mg_policy_override(mg_policy *p, const char *key, const char *value,
                                    const char *origin, mg_error *err);

/* The path to open for the path-valued key `key` (data.test,
 * data.predictions, model, baseline) whose value is `value`:
 * when the value was written in the policy file and is a relative file path
 * (not absolute, not cmd:, column:, columns:, registry:, http:// or
 * https://), base_dir joined with it; otherwise (a flag or --set value,
 * relative to the current folder) a copy of value. Returns a new string
 * (free with free()), or NULL when out of memory. */
MG_API char *mg_policy_path(const mg_policy *p, const char *key, const char *value);

/* Checks what only the whole policy can tell, after the overrides: the
 * required keys (data.test, model), a regression section without a
 * baseline (unless allow_missing_baseline), metric names against the metric
 * registry for the task when it is known (with task auto a metric of any
 * task is accepted: the gate run checks it against the inferred task),
 * min <= max, a slices section with columns and edges only for them.
 * MG_ERR_USAGE naming the key and its place ("FILE:LINE:COLUMN: KEY: ...",
 * or the override: "--set KEY: ..."). */
MG_API mg_status mg_policy_validate(const mg_policy *p, mg_error *err);

/* Writes where `key` was set ("modelgate.yml:5:3: data.label", or "--set
 * data.label" for an override, or the key alone for a default) into buf;
 * returns buf. A message built as "WHERE: what" then reads
 * "FILE:LINE:COLUMN: KEY: what", as the reader's own messages do. */
MG_API const char *mg_policy_where(const mg_policy *p, const char *key, char *buf, size_t cap);

/* Frees everything p owns and zeroes it; safe on a zeroed policy. */
MG_API void mg_policy_release(mg_policy *p);

#ifdef __cplusplus
}
#endif

#endif
