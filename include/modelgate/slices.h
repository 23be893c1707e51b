/* slices.h - metrics per slice of the test set, slice gates and operating
 * points (DESIGN §16, docs/slices.md).
 *
 * A slicing gives every row of the test data a slice code: one slice per
 * value of a column (strings, booleans, numbers with few distinct values),
 * per quantile bucket or given bucket of a numeric column, or per
 * combination of two slicings (crossed). The codes are taken from the table
 * before it is dropped; everything else works on mg_targets + codes, so the
 * evaluate and gate commands share it. Slice values are structured (never
 * used as keys: DESIGN §18).
 *
 * Binary metrics per slice come from one sort of the scores: the rows sorted
 * by score are grouped by slice code with a stable counting sort, so each
 * slice's rows lie together in score order; counts, ROC AUC, average
 * precision and DeLong's variance follow from one walk per slice. Multiclass
 * and regression slices run the task's metric functions on each slice's rows.
 */
#ifndef MODELGATE_SLICES_H
#define MODELGATE_SLICES_H

#include "evaluate.h"
#include "gate.h"
#include "modelgate.h"
#include "stats.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default of --min-slice-size: slices with fewer rows are listed, not
 * scored (nor gated). */
#define MG_SLICE_MIN_SIZE_DEFAULT 30
/* The default of --slice-bins: a numeric column with more distinct values
 * than this is cut into this many quantile buckets. */
#define MG_SLICE_BINS_DEFAULT 10
/* At most this many slices in one slicing (crossed ones included). */
#define MG_SLICE_MAX_SLICES 100000

/* What one column contributes to a slice's value. */
typedef enum mg_slice_part_kind {
    MG_SLICE_PART_NULL = 0, /* the column is null on these rows */
    MG_SLICE_PART_STRING,   /* text: `text` */
    MG_SLICE_PART_BOOL,     /* a boolean: `number` 0 or 1 */
    MG_SLICE_PART_NUMBER,   /* one number: `number` */
    MG_SLICE_PART_BUCKET    /* low < x <= high (the first bucket low <= x); an infinite end
                               is a bucket outside the given edges */
} mg_slice_part_kind;

typedef struct mg_slice_part {
    mg_slice_part_kind kind;
    const char *text; /* borrowed from the slicing */
    double number, low, high;
    /* A bucket's ends: whether `low` and `high` belong to it. Inner buckets
     * are (low, high], the first of the edges [low, high], the bucket below
     * the edges (-inf, low) and the one above (high, inf). */
    bool low_closed, high_closed;
} mg_slice_part;

/* Row-to-slice codes of one column, or of two crossed slicings. */
typedef struct mg_slicing {
    char *name;         /* "region", or "region×age" when crossed; owned */
    const char *method; /* static: "values", "quantile", "edges" or "crossed" */
    int ncolumns;       /* 1, or 2 when crossed */
    char *columns[2];   /* owned */
    int64_t nrows;
    int32_t *code; /* nrows slice indexes in 0..nslices-1; owned */
    int nslices;   /* slices with at least one row, in value order (nulls last) */
    mg_slice_part *parts; /* nslices * ncolumns, row-major; owned */
    char **texts;         /* the strings that parts borrow; owned */
    int ntexts;
} mg_slicing;

/* How to cut numeric columns. */
typedef struct mg_slice_edges {
    const char *column;  /* borrowed */
    const double *edges; /* ascending, at least 2; borrowed */
    int nedges;
} mg_slice_edges;

typedef struct mg_slice_options {
    int bins; /* quantile buckets (0 = MG_SLICE_BINS_DEFAULT) */
    const mg_slice_edges *edges; /* given edges per column; NULL/0 = none */
    int nedges;
} mg_slice_options;

/* The slicing of `column` of `table`: strings and booleans by value; numbers
 * by the given edges when opts names the column ("edges"), else by value
 * when the column has at most `bins` distinct values, else in `bins` quantile
 * buckets ("quantile": pandas.qcut's rule: edges at numpy's linear quantiles
 * k/bins of the non-null values, equal edges merged, buckets (e_k, e_k+1]
 * with the first closed below). Integers are compared as doubles. Nulls are a
 * slice of their own. opts may be NULL.
 * @return MG_OK with *out filled (release with mg_slicing_release);
 * MG_ERR_DATA "SOURCE: no column 'C' (--slice-by)" for an unknown column;
 * MG_ERR_USAGE for edges that are not ascending; MG_ERR_UNSUPPORTED past
 * MG_SLICE_MAX_SLICES; MG_ERR_NOMEM. On failure *out holds nothing. */
MG_API mg_status mg_slicing_from_column(const mg_table *table, const char *column,
                                        const mg_slice_options *opts, mg_slicing *out,
                                        mg_error *err);

/* The crossed slicing of a and b (same rows): one slice per combination that
 * occurs, ordered by a's slice then b's. Same errors; *out as above. */
MG_API mg_status mg_slicing_cross(const mg_slicing *a, const mg_slicing *b, mg_slicing *out,
                                  mg_error *err);

/* Frees what s owns (not s); safe on a zeroed struct. */
MG_API void mg_slicing_release(mg_slicing *s);

/* The slicings a run asks for: one per column of `by` (a repeated column
 * once, in order), then one per pair cross[2k] x cross[2k+1] (ncross
 * columns, an even count; a side already sliced alone is reused). *out is a
 * new array of *n slicings (release each with mg_slicing_release, then
 * free(*out)); nothing to release on error. Errors: those of
 * mg_slicing_from_column and mg_slicing_cross. */
MG_API mg_status mg_slicings_build(const mg_table *table, const char *const *by, int nby,
                                   const char *const *cross, int ncross,
                                   const mg_slice_options *opts, mg_slicing **out, int *n,
                                   mg_error *err);

/* An interval of one metric in one slice, with what a test needs. */
typedef struct mg_slice_ci {
    const char *metric;      /* static: "accuracy", "precision", "recall", "specificity",
                                "roc_auc" */
    const char *null_reason; /* static; set when there is no interval */
    mg_interval ci;          /* "wilson" (Kish's effective n when weighted) or "delong" */
    double estimate;
    double n_eff;    /* proportions: (effective) trials */
    double variance; /* roc_auc: DeLong's variance */
} mg_slice_ci;

#define MG_SLICE_MAX_CI 5

typedef struct mg_slice_stats {
    int64_t n;         /* rows */
    double weight_sum; /* total weight as in the data (n without weights) */
    bool scored;       /* n >= min_size: metrics computed */
    mg_evaluation eval; /* the task's metrics on this slice's rows (when scored) */
    int nci;
    mg_slice_ci ci[MG_SLICE_MAX_CI];
} mg_slice_stats;

/* The metrics of every slice of one slicing. */
typedef struct mg_slice_report {
    const mg_slicing *slicing; /* borrowed */
    int64_t min_size;
    double level;
    int nslices;
    mg_slice_stats *slices; /* nslices, in the slicing's order; owned */
} mg_slice_report;

/* Row indexes 0..n-1 of a binary task's targets, sorted by ascending score,
 * for callers that compute several of the functions below. *order is new
 * (caller frees with free()). MG_ERR_USAGE when t is not binary;
 * MG_ERR_NOMEM. */
MG_API mg_status mg_score_order(const mg_targets *t, int64_t **order, mg_error *err);

/* Computes the metrics of each slice of slicings[0..n) from the targets
 * (slicing->nrows must equal t->n). order: for a binary task the result of
 * mg_score_order, or NULL to sort here (faster: a radix sort whose keys carry
 * score and class, so no row is gathered); ignored for other tasks. min_size:
 * slices with fewer rows are not scored (<= 0 = MG_SLICE_MIN_SIZE_DEFAULT);
 * level: of the intervals in (0, 1). reports: n structs filled here (each
 * released with mg_slice_report_release, on failure too).
 * @return MG_OK; MG_ERR_USAGE for a slicing of another length or a bad
 * level; MG_ERR_NOMEM; the metric functions' errors. */
MG_API mg_status mg_slices_compute(const mg_targets *t, const int64_t *order,
                                   const mg_slicing *slicings, int n, int64_t min_size,
                                   double level, mg_slice_report *reports, mg_error *err);

MG_API void mg_slice_report_release(mg_slice_report *r);

/* Writes slice i's value as text into buf (cap bytes): "north", "null",
 * "(0.5, 1.25]", "north × (0.5, 1.25]". Returns buf. For messages only. */
MG_API char *mg_slice_label(const mg_slicing *s, int i, char *buf, size_t cap);

/* ---- slice gates ---------------------------------------------------------- */

typedef enum mg_slice_gate_kind {
    MG_SLICE_GATE_MIN = 0, /* metric >= value on every scored slice */
    MG_SLICE_GATE_MAX,     /* metric <= value on every scored slice */
    MG_SLICE_GATE_MAX_GAP  /* no scored slice worse than overall by more than value (below
                              it for a higher-is-better metric, above it for a loss) */
} mg_slice_gate_kind;

typedef struct mg_slice_gate {
    const char *metric; /* a metric of the task, by its metrics.json name; borrowed */
    mg_slice_gate_kind kind;
    double value;
} mg_slice_gate;

/* Decides gate g on every scored slice of r, appending one result per slice
 * to *results (*n of them so far; the array is grown with realloc: the caller
 * frees it with free()). Each result's name says the slice ("accuracy >= 0.8
 * on region=north"). overall: the metrics over all rows (for MAX_GAP).
 * confidence 0: each slice is decided on its point value. confidence in
 * (0, 1): on one-sided tests at alpha = (1 - confidence) / 2 each: a slice
 * passes when its interval at `confidence` clears the bound (Wilson for
 * proportions, DeLong for ROC AUC); it fails when the test that it misses
 * the bound rejects after Holm's step-down correction over the scored slices
 * of the slicing (Holm 1979); else, and for a metric without an interval or
 * with an undefined value, it is INCONCLUSIVE. MAX_GAP treats the overall
 * value as fixed. *too_small receives the number of slices below min_size
 * (not gated). @return MG_OK, MG_ERR_USAGE for a metric the task lacks,
 * MG_ERR_NOMEM. */
MG_API mg_status mg_slice_gate_decide(const mg_slice_report *r, const mg_evaluation *overall,
                                      const mg_slice_gate *g, double confidence,
                                      mg_gate_result **results, int *n, int *too_small,
                                      mg_error *err);

/* ---- operating points ----------------------------------------------------- */

typedef enum mg_operating_constraint {
    MG_OPERATING_PRECISION = 0, /* recall at precision >= target */
    MG_OPERATING_RECALL,        /* precision at recall >= target */
    MG_OPERATING_FPR            /* TPR (recall) at FPR <= target */
} mg_operating_constraint;

typedef struct mg_operating_point {
    mg_operating_constraint constraint;
    double target;
    char name[64];      /* "recall_at_precision_0.9", "precision_at_recall_0.8", "tpr_at_fpr_0.01" */
    mg_value value;     /* the achieved recall / precision / TPR, or null with a reason */
    mg_value threshold; /* rows with score >= threshold are predicted positive */
    double precision, recall, fpr; /* at that threshold */
    double tp, fp;                 /* weighted counts at that threshold */
    bool has_ci;
    mg_interval ci; /* Wilson interval of `value` (Kish's effective n when weighted) */
} mg_operating_point;

/* Parses "precision=0.9", "recall=0.8" or "fpr=0.01" (target in [0, 1]) into
 * constraint, target and name. Returns -1 when malformed. */
MG_API int mg_operating_point_parse(const char *spec, mg_operating_point *out);

/* Parses a metric name ("recall_at_precision_0.9", ...) the same way. Returns
 * -1 when the name is not an operating point's. */
MG_API int mg_operating_point_from_name(const char *name, mg_operating_point *out);

/* Computes points[0..n) (constraint and target set by a parse function) from
 * the binary targets, walking the thresholds at the distinct scores from the
 * highest down, as precision_recall_curve and roc_curve: the value is the
 * best rate among the thresholds meeting the constraint, at the highest such
 * threshold; null when none does. order: from mg_score_order or NULL. level:
 * of the Wilson intervals. @return MG_OK; MG_ERR_USAGE when t is not binary;
 * MG_ERR_NOMEM. */
MG_API mg_status mg_operating_points_compute(const mg_targets *t, const int64_t *order,
                                             mg_operating_point *points, int n, double level,
                                             mg_error *err);

/* ---- metrics.json -------------------------------------------------------- */

/* Adds "slices" (when nreports > 0) and "operating_points" (when npoints >
 * 0) to a metrics.json document (*json, *len; replaced, the old one freed),
 * as docs/slices.md shows. overall: the metrics over all rows, for each
 * slice's difference_from_overall. MG_ERR_NOMEM, or MG_ERR_USAGE when *json
 * does not end with an object. */
MG_API mg_status mg_slices_json_append(char **json, size_t *len, const mg_evaluation *overall,
                                       const mg_targets *t, const mg_slice_report *reports,
                                       int nreports, const mg_operating_point *points,
                                       int npoints, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
