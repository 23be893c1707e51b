/* latency.h - latency measurement and its statistics (DESIGN §9): a timing
 * harness around mg_model_predict, nearest-rank percentiles, distribution-free
 * order-statistic bounds for quantiles, and the Mann-Whitney U test that
 * compares a candidate's latencies with a baseline's. */
#ifndef MODELGATE_LATENCY_H
#define MODELGATE_LATENCY_H

#include "model.h"
#include "modelgate.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- statistics on raw samples ----------------------------------------- */

/* The nearest-rank quantile q in [0, 1] of n >= 1 sorted values: the value of
 * rank ceil(q * n) (1-based, at least 1); NaN when n < 1. */
MG_API double mg_quantile_nearest_rank(const double *sorted, int64_t n, double q);

/* Distribution-free one-sided bounds for the q-quantile from n samples at
 * confidence `conf` (both in (0, 1)), as 1-based ranks into the sorted samples.
 * Upper: the smallest k with P[Bin(n, q) <= k-1] >= conf, so that
 * P[X(k) >= true quantile] >= conf. Lower: the largest k with
 * P[Bin(n, q) >= k] >= conf. A rank is 0 when no order statistic of n samples
 * reaches the confidence (too few samples). */
MG_API int64_t mg_quantile_upper_rank(int64_t n, double q, double conf);
MG_API int64_t mg_quantile_lower_rank(int64_t n, double q, double conf);

/* The fewest samples for which mg_quantile_upper_rank is not 0: the smallest
 * n with 1 - q^n >= conf (299 for q = 0.99, conf = 0.95). */
MG_API int64_t mg_quantile_upper_min_samples(double q, double conf);

/* Summary of n latency samples, every figure in milliseconds. */
typedef struct mg_latency_summary {
    int64_t n;
    double min_ms, max_ms, mean_ms, stddev_ms; /* stddev: sample (n-1), 0 when n == 1 */
    double p50_ms, p90_ms, p95_ms, p99_ms, p999_ms;
    double total_ms; /* sum of the samples */
} mg_latency_summary;

/* Summarises n >= 1 samples in milliseconds that are already sorted ascending. */
MG_API void mg_latency_summarize(const double *sorted_ms, int64_t n, mg_latency_summary *out);

/* Two-sided Mann-Whitney U test of x (nx values) against y (ny values) with the
 * normal approximation, tie correction and continuity correction, as
 * scipy.stats.mannwhitneyu(x, y, method="asymptotic"). *u is U of x (the count
 * of pairs with x > y, ties counted half); *p the two-sided p-value. Returns
 * MG_ERR_USAGE when either side is empty or a value is NaN; MG_ERR_NOMEM.
 * When every value ties, *p is 1. */
MG_API mg_status mg_mann_whitney_u(const double *x, int64_t nx, const double *y, int64_t ny,
                                   double *u, double *p, mg_error *err);

/* ---- the measurement --------------------------------------------------- */

typedef struct mg_latency_options {
    int64_t samples;    /* timed calls per model; 0 = unlimited (then duration_s > 0) */
    int64_t warmup;     /* untimed calls first; < 0 = 10% of samples, at least 10 */
    int batch_size;     /* rows per call; 0 = 1 */
    double duration_s;  /* stop the timed phase after this long; 0 = no limit */
    double rate_qps;    /* > 0: open loop, calls scheduled at this rate; 0 = closed loop */
    uint64_t seed;      /* the shuffle of the request rows */
    int windows;        /* stability windows; 0 = 5 (at least 3 are used) */
    int baseline_block; /* calls per ABAB block with a baseline; 0 = automatic */
    /* Called now and then with the timed calls done so far (of `samples`, or
     * of 0 when only a duration limits the run). NULL = no reports. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} mg_latency_options;

/* One model's measurement. Every array is owned: mg_latency_run_release. */
typedef struct mg_latency_run {
    double *samples_ms; /* n timed calls in the order they ran */
    double *sorted_ms;  /* the same, sorted ascending */
    int64_t n;
    int64_t warmup;       /* untimed calls made */
    double first_call_ms; /* the very first call (a warm-up call when warmup > 0) */
    double elapsed_s;     /* wall time of the timed phase (both models' calls with a baseline) */
    int64_t block;        /* calls per ABAB block with a baseline; 0 without one */
    int64_t late_sends;   /* open loop: sends that started over 1 ms after their schedule */
    double max_send_delay_ms; /* open loop: the latest send's delay */
    int nwindows;
    double window_p50_ms[16]; /* median of each consecutive window of samples */
    bool stable;              /* window medians within 10% of each other */
    double window_spread;     /* (max - min) / min of the window medians */
    mg_latency_summary summary;
    /* The model's own compute time per timed call, as its backend reported it
     * (mg_model_last_compute_seconds; runners may send it), in the order the
     * calls ran; NULL unless every timed call reported one. */
    double *compute_ms;
    int64_t compute_reported; /* timed calls that reported a compute time */
    /* With compute_ms: the summary of the compute times, and of the transport
     * per call (its measured round trip minus its reported compute time). */
    mg_latency_summary compute, transport;
} mg_latency_run;

MG_API void mg_latency_run_release(mg_latency_run *run);

/* The most bins mg_latency_histogram makes (latency.json uses 30). */
#define MG_LATENCY_HISTOGRAM_MAX_BINS 256

/* A histogram of n >= 1 latencies for plots (latency.json "histogram"):
 * nbins (1..MG_LATENCY_HISTOGRAM_MAX_BINS) bins log-spaced from the smallest
 * to the largest sample, edges[i] = exp(log(min) + i * (log(max) - log(min))
 * / nbins) with edges[0] = min and edges[nbins] = max exactly; counts[b] is
 * the number of samples with edges[b] <= x < edges[b+1], the last bin
 * closed (numpy.histogram's rule), so the counts sum to n. When the smallest
 * sample is not above 0 the bins are equal-width instead (*log_scale false);
 * when all samples are equal there is one bin [min, max]. sorted_ms is
 * ascending; edges has room for nbins + 1, counts for nbins. Returns the
 * number of bins made (0 when n < 1 or nbins is out of range). */
MG_API int mg_latency_histogram(const double *sorted_ms, int64_t n, int nbins, double *edges,
                                int64_t *counts, bool *log_scale);

/* Measures `model` (and, when `baseline` is not NULL, the baseline interleaved
 * in alternating blocks ABAB... so that both see the same machine state) on
 * requests drawn from `rows` (nrows x nfeatures, row-major): a seeded shuffle
 * of the row indexes, cycled. Each call is timed with CLOCK_MONOTONIC; in
 * open-loop mode from its scheduled send time, so that a stall is charged to
 * every request it delays (coordinated omission). Errors: a failing predict
 * (its message, naming the model), bad options (MG_ERR_USAGE). `out` and
 * `out_baseline` are filled on success (release both); on failure they hold
 * nothing to release. */
MG_API mg_status mg_latency_measure(mg_model *model, mg_model *baseline, const double *rows,
                                    int64_t nrows, int nfeatures, const mg_latency_options *opts,
                                    mg_latency_run *out, mg_latency_run *out_baseline,
                                    mg_error *err);

/* The median cost in nanoseconds of reading CLOCK_MONOTONIC, from back-to-back
 * reads: the floor under every timed call. */
MG_API double mg_latency_timer_overhead_ns(void);

/* Pins the calling thread (and threads it starts later) to CPU `cpu`.
 * MG_ERR_USAGE when the CPU does not exist or is not allowed. */
MG_API mg_status mg_latency_pin_cpu(int cpu, mg_error *err);

/* What the machine looked like; empty strings / negative numbers when unreadable. */
typedef struct mg_latency_environment {
    char cpu_model[128]; /* /proc/cpuinfo "model name" */
    char governor[32];   /* cpufreq scaling governor of CPU 0 (or of the pinned CPU) */
    double loadavg[3];   /* /proc/loadavg; -1 when unreadable */
    int ncpus;           /* CPUs available to the process */
    char kernel[200];    /* uname: sysname release machine */
} mg_latency_environment;

/* Fills env; `cpu` is the pinned CPU or -1. Never fails. */
MG_API void mg_latency_environment_read(int cpu, mg_latency_environment *env);

/* Gathers the request rows for `model` from `table`: the model's features by
 * name when it carries names, else every column not named in `roles`, in
 * order. Strings are refused (MG_ERR_DATA naming the column); nulls become NaN.
 * On success *rows is new (nrows x *nfeatures doubles, caller frees with free()). */
MG_API mg_status mg_latency_rows_from_table(const mg_table *table, const mg_model *model,
                                            const mg_feature_roles *roles, double **rows,
                                            int *nfeatures, mg_error *err);

/* ---- gates and latency.json -------------------------------------------- */

/* One gate on the latency: a quantile against a limit in milliseconds, or the
 * candidate/baseline ratio of p99 against a limit. */
typedef struct mg_latency_gate {
    const char *name;   /* "max_p99", "max_p50", "max_p99_ratio" (static) */
    const char *metric; /* "p99_ms", "p50_ms", "p99_ratio" (static) */
    double q;           /* the quantile gated; 0 for the ratio */
    double limit;
    double value;        /* the point estimate */
    double confidence;   /* > 0: decided on the bounds at this level; 0: on the point */
    double level;        /* the level of the reported bounds */
    double upper, lower; /* order-statistic bounds; NAN when too few samples */
    int64_t needed;      /* samples the upper bound needs at `level` */
    mg_verdict verdict;
    bool straddles; /* decided on the point while the bounds lie on both sides of the limit */
    char reason[256];
} mg_latency_gate;

/* Decides "quantile q of run <= limit_ms". With confidence > 0: pass when the
 * upper bound at that level is within the limit, fail when the lower bound
 * exceeds it, otherwise (or with too few samples) inconclusive, the reason
 * naming how many samples the bound needs. With confidence == 0 the point
 * decides and the bounds at `level` are reported beside it. */
MG_API void mg_latency_gate_quantile(const mg_latency_run *run, double q, const char *name,
                                     const char *metric, double limit_ms, double confidence,
                                     double level, mg_latency_gate *out);

/* Candidate against baseline, measured in the same run. */
typedef struct mg_latency_comparison {
    double p50_ratio, p99_ratio; /* candidate / baseline; NAN when the baseline's is 0 */
    double u, p_value;           /* Mann-Whitney U (of the candidate) and two-sided p */
    double p50_shift_ms;         /* candidate p50 - baseline p50 */
} mg_latency_comparison;

MG_API mg_status mg_latency_compare(const mg_latency_run *candidate, const mg_latency_run *baseline,
                                    mg_latency_comparison *out, mg_error *err);

/* Decides "candidate p99 / baseline p99 <= max_ratio" on the point ratio. */
MG_API void mg_latency_gate_ratio(const mg_latency_comparison *c, double max_ratio,
                                  mg_latency_gate *out);

/* Everything latency.json reports. Pointers are borrowed; baseline fields may
 * be NULL when there is no baseline, env may be NULL. */
typedef struct mg_latency_report {
    /* model_arg: the model; data_path: the test data, NULL for synthetic
     * rows; baseline_arg: the baseline model or NULL. */
    mg_provenance prov;
    const char *backend;
    const mg_latency_run *run;
    const char *baseline_backend;
    const mg_latency_run *baseline;
    const mg_latency_comparison *comparison;
    const mg_latency_options *opts;
    double confidence;     /* the level of the reported bounds */
    bool confidence_given; /* gates decided on the bounds */
    double timer_overhead_ns;
    int threads; /* 0 = the backend's default */
    int cpu;     /* pinned CPU or -1 */
    const mg_latency_environment *env;
    const mg_latency_gate *gates;
    int ngates;
} mg_latency_report;



#ifdef __cplusplus
}
#endif

#endif
