/* fairness.h - per-group rates and disparity measures of a model's decisions
 * over protected attributes (DESIGN §10), the fairness gate, and fairness.json.
 *
 * Definitions follow Fairlearn (MetricFrame, demographic_parity_ratio, ...,
 * methods "between_groups" and "to_overall"), with two deliberate differences
 * documented in docs/fairness.md: an undefined rate (e.g. TPR of a group with
 * no actual positives) is null with a reason instead of 0, and a missing
 * attribute value is a group of its own (a NULL value; shown as "(null)" in
 * messages only).
 */
#ifndef MODELGATE_FAIRNESS_H
#define MODELGATE_FAIRNESS_H

#include <stdbool.h>

#include "evaluate.h"
#include "metrics.h"
#include "modelgate.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How messages show the group of rows whose attribute is missing. Only a
 * display label: the group's value is NULL, and fairness.json writes null. */
#define MG_FAIRNESS_NULL_GROUP "(null)"

typedef enum mg_fairness_method {
    MG_FAIRNESS_BETWEEN_GROUPS = 0, /* min/max over groups; max - min */
    MG_FAIRNESS_TO_OVERALL          /* each group against the whole data set */
} mg_fairness_method;

/* "between_groups" / "to_overall". */
MG_API const char *mg_fairness_method_name(mg_fairness_method m);
/* Parses a method name; returns -1 when unknown. */
MG_API int mg_fairness_method_parse(const char *name, mg_fairness_method *out);

/* The disparity measures; also the bits of mg_fairness_options.gates. */
typedef enum mg_fairness_measure {
    MG_FAIR_DEMOGRAPHIC_PARITY = 0, /* selection rate (binary) */
    MG_FAIR_EQUALIZED_ODDS,         /* worst of TPR and FPR (binary) */
    MG_FAIR_EQUAL_OPPORTUNITY,      /* TPR (binary) */
    MG_FAIR_DISPARATE_IMPACT,       /* SR_group / SR_reference (binary, needs a reference) */
    MG_FAIR_MEAN_PREDICTION,        /* mean prediction (regression) */
    MG_FAIR_MAE,                    /* mean absolute error (regression) */
    MG_FAIR_RMSE,                   /* root mean squared error (regression) */
    MG_FAIR_NMEASURES
} mg_fairness_measure;

#define MG_FAIR_GATE(m) (1u << (m))

/* The fairness.json key of a measure ("demographic_parity", ...). */
MG_API const char *mg_fairness_measure_name(mg_fairness_measure m);
/* Parses a measure name; returns -1 when unknown. */
MG_API int mg_fairness_measure_parse(const char *name, mg_fairness_measure *out);

/* The default cap on distinct groups per protected attribute. */
#define MG_FAIRNESS_MAX_GROUPS_DEFAULT 10000

/* Excluded groups listed by name in fairness.json, per attribute; the rest
 * are summarised as counts (excluded_groups_not_listed). */
#define MG_FAIRNESS_EXCLUDED_LISTED 100

typedef struct mg_fairness_options {
    /* The band: every gated ratio must lie in [threshold, 1/threshold];
     * 0 < threshold <= 1. */
    double threshold;
    /* Bitmask of MG_FAIR_GATE(measure) to gate; 0 picks the default
     * (demographic parity for classification, MAE for regression). A gated
     * measure that does not apply to the task is MG_ERR_USAGE. Disparate
     * impact is gated whenever a reference group is given. */
    unsigned gates;
    mg_fairness_method method;
    int64_t min_group_size; /* groups with fewer rows are excluded (e.g. 30) */
    /* An attribute (or the intersectional combination) with more distinct
     * groups is MG_ERR_UNSUPPORTED naming it and the count, refused before
     * the groups are allocated; 0 = no cap. mg_fairness_options_init sets
     * MG_FAIRNESS_MAX_GROUPS_DEFAULT. */
    int64_t max_groups;
    bool intersectional;    /* add the combination of all attributes as one more */
    /* Reference group for disparate impact: a protected attribute column (not
     * the intersection) and the group's value, compared as text (an integer
     * as its decimal digits, a boolean as true/false); both NULL for none.
     * With reference_missing the reference is the attribute's missing-value
     * group, and reference_group must be NULL. */
    const char *reference_attr;
    const char *reference_group;
    bool reference_missing;
    double level; /* level of the Wilson intervals of the rates (e.g. 0.95) */
    /* When > 0, decide on bootstrap evidence at this confidence with Holm's
     * correction across the (attribute, measure) pairs gated; 0 compares the
     * point estimates, as the tutorial does. */
    double confidence;
    int bootstrap_samples; /* replicates; 0 = 1000 */
    uint64_t seed;
    int threads; /* 0 = CPUs */
    /* When not NULL: called with the replicates done so far and the total
     * (`done` never decreases; a last call has done == total), from the
     * worker threads but never by two at once; it must return quickly
     * without calling the library. The CLI draws its progress bar here. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} mg_fairness_options;

/* Fills opts with the defaults: threshold 0.8, between_groups, min group size
 * 30, level 0.95, no confidence, 1000 replicates, seed 42. */
MG_API void mg_fairness_options_init(mg_fairness_options *opts);

/* A proportion with its Wilson interval (ci is meaningful only when the value
 * is defined). With weights the interval uses Kish's effective sample size. */
typedef struct mg_rate {
    mg_value value;
    mg_interval ci;
} mg_rate;

typedef struct mg_fairness_group {
    /* The group's value for each attribute of its mg_fairness_attr (nvalues
     * == that attr's nparts), as text; NULL is a missing value. Owned. */
    char **values;
    int nvalues;
    /* A label for messages only ("(null)" for a missing value, values joined
     * with '|' for an intersection): not unique, never a key. Owned. */
    char *name;
    int64_t n;     /* rows */
    double weight; /* sum of weights (n without weights) */
    bool excluded; /* fewer than min_group_size rows */
    /* binary */
    int64_t positives;        /* rows predicted positive */
    int64_t actual_positives; /* rows labelled positive */
    mg_rate selection_rate, tpr, fpr, fnr, precision, accuracy, base_rate;
    mg_value disparate_impact; /* SR / SR_reference (attribute with a reference) */
    /* regression */
    mg_value mean_prediction, mean_label, mae, rmse;
} mg_fairness_group;

/* One disparity measure of one attribute. For disparate impact `ratio` is
 * the smallest group ratio and `ratio_max` the largest; for the others they
 * are equal. */
typedef struct mg_disparity {
    mg_value ratio, ratio_max, difference;
    /* Equalized odds: its two components. */
    mg_value tpr_ratio, tpr_difference, fpr_ratio, fpr_difference;
    bool gated;
    mg_verdict verdict; /* meaningful when gated */
    const char *reason; /* why the verdict (static), or NULL */
    /* With confidence: percentile intervals of ratio and ratio_max, the
     * bootstrap p-values of "outside the band" (p_fail small = evidence of a
     * violation) and "inside" (p_pass), Holm-adjusted across the tests. */
    bool has_ci;
    mg_interval ratio_ci, ratio_max_ci;
    double p_fail, p_pass;
    int64_t undefined_replicates;
} mg_disparity;

typedef struct mg_fairness_attr {
    /* The column name, or for the intersection its columns joined with '|'
     * (longer than each of them, so never the key of a column). Owned. */
    char *name;
    /* The columns of the attribute: one, or each of an intersection. Owned. */
    char **parts;
    mg_type *part_types;
    int nparts;
    mg_fairness_group *groups; /* ngroups, sorted by value, missing last */
    int ngroups;
    int reference; /* index of the reference group, or -1 */
    mg_disparity measures[MG_FAIR_NMEASURES];
    bool has_measure[MG_FAIR_NMEASURES]; /* which apply (task, reference) */
    mg_verdict verdict;                  /* over the gated measures */
} mg_fairness_attr;

typedef struct mg_fairness {
    mg_task task; /* binary or regression */
    int64_t n;
    bool weighted;
    double decision_threshold; /* binary */
    mg_fairness_options opts;  /* as used (defaults filled); strings borrowed */
    mg_fairness_attr *attrs;
    int nattrs;
    /* The whole data set, for to_overall. */
    mg_fairness_group overall;
    mg_verdict verdict;
} mg_fairness;

/* Computes the per-group rates, the disparities and the verdicts.
 *
 * `t` holds the aligned labels and model outputs (binary: y, score, threshold
 * - a row is predicted positive when score > threshold; regression: yr, pr;
 * optional weights w). `table` holds the protected attribute columns named in
 * attrs (strings, integers or booleans; one row per row of t). Errors: an
 * unknown attribute column (MG_ERR_USAGE naming it), a float attribute column,
 * a row count mismatch, a multiclass task, an unknown reference group
 * (MG_ERR_DATA), bad options (MG_ERR_USAGE). On success *out is filled:
 * release with mg_fairness_release. */
MG_API mg_status mg_fairness_compute(const mg_targets *t, const mg_table *table,
                                     const char *const *attrs, int nattrs,
                                     const mg_fairness_options *opts, mg_fairness *out,
                                     mg_error *err);

/* Frees what f owns (not f); safe on a zeroed struct. */
MG_API void mg_fairness_release(mg_fairness *f);


#ifdef __cplusplus
}
#endif

#endif
