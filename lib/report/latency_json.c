/* latency_json.c - latency.json (DESIGN §5): the tutorial's flat figures first
 * (p50_ms ... first_call_ms, stable, backend), then the windows, the
 * environment, the baseline comparison and the gates with their verdicts. */
#include "internal.h"
#include "modelgate/gate.h"
#include "modelgate/latency.h"
#include "modelgate/report.h"
#include "report/metrics_json.h"
#include "util/json.h"

#include <math.h>

static void summary_fields(mg__json *j, const mg_latency_summary *s) {
    mg__json_kv_number(j, "p50_ms", s->p50_ms);
    mg__json_kv_number(j, "p90_ms", s->p90_ms);
    mg__json_kv_number(j, "p95_ms", s->p95_ms);
    mg__json_kv_number(j, "p99_ms", s->p99_ms);
    mg__json_kv_number(j, "p999_ms", s->p999_ms);
    mg__json_kv_number(j, "max_ms", s->max_ms);
    mg__json_kv_number(j, "min_ms", s->min_ms);
    mg__json_kv_number(j, "mean_ms", s->mean_ms);
    mg__json_kv_number(j, "stddev_ms", s->stddev_ms);
}

/* A bound value, or null with a reason key beside it. */
static void kv_bound(mg__json *j, const char *key, const mg_latency_run *run, int64_t rank,
                     int64_t needed, double level) {
    if (rank > 0) {
        mg__json_kv_number(j, key, run->sorted_ms[rank - 1]);
        return;
    }
    mg__json_kv_null(j, key);
    char reason_key[64], reason[160], lv[32];
    snprintf(reason_key, sizeof reason_key, "%s_reason", key);
    mg_format_double(level, lv, sizeof lv);
    snprintf(reason, sizeof reason,
             "%" PRId64 " samples are too few for this bound at confidence %s (%" PRId64 " needed)",
             run->n, lv, needed);
    mg__json_kv_string(j, reason_key, reason);
}

/* "runner_compute" and "transport": the model's own reported compute time and
 * the rest of each round trip, or both null with the reason. */
static void compute_split(mg__json *j, const mg_latency_run *run) {
    const char *keys[2] = {"runner_compute", "transport"};
    const mg_latency_summary *sums[2] = {&run->compute, &run->transport};
    char reason[160];
    if (run->compute_ms == NULL && run->compute_reported == 0)
        snprintf(reason, sizeof reason,
                 "the model reported no compute time of its own (a runner may send it with each "
                 "SCOR frame)");
    else if (run->compute_ms == NULL)
        snprintf(reason, sizeof reason,
                 "the model reported its compute time for only %" PRId64 " of %" PRId64
                 " timed calls",
                 run->compute_reported, run->n);
    for (int i = 0; i < 2; i++) {
        if (run->compute_ms == NULL) {
            char reason_key[64];
            mg__json_kv_null(j, keys[i]);
            snprintf(reason_key, sizeof reason_key, "%s_reason", keys[i]);
            mg__json_kv_string(j, reason_key, reason);
            continue;
        }
        mg__json_key(j, keys[i]);
        mg__json_begin_object(j);
        mg__json_kv_number(j, "p50_ms", sums[i]->p50_ms);
        mg__json_kv_number(j, "p99_ms", sums[i]->p99_ms);
        mg__json_kv_number(j, "mean_ms", sums[i]->mean_ms);
        mg__json_end_object(j);
    }
}

static double throughput(const mg_latency_run *run, const mg_latency_options *o) {
    int batch = o->batch_size > 0 ? o->batch_size : 1;
    /* open loop: what the server completed in the wall time; closed loop: what
     * one client gets back per second of calls */
    double seconds = o->rate_qps > 0 ? run->elapsed_s : run->summary.total_ms / 1000;
    return seconds > 0 ? (double)run->n * batch / seconds : NAN;
}

static void run_fields(mg__json *j, const mg_latency_run *run, const mg_latency_report *r) {
    summary_fields(j, &run->summary);
    mg__json_kv_int(j, "samples", run->n);
    mg__json_kv_int(j, "warmup", run->warmup);
    mg__json_kv_int(j, "batch_size", r->opts->batch_size > 0 ? r->opts->batch_size : 1);
    mg__json_kv_number(j, "throughput_per_s", throughput(run, r->opts));
    int64_t n = run->n;
    kv_bound(j, "p99_upper_bound_ms", run, mg_quantile_upper_rank(n, 0.99, r->confidence),
             mg_quantile_upper_min_samples(0.99, r->confidence), r->confidence);
    kv_bound(j, "p99_lower_bound_ms", run, mg_quantile_lower_rank(n, 0.99, r->confidence), 1,
             r->confidence);
    kv_bound(j, "p50_upper_bound_ms", run, mg_quantile_upper_rank(n, 0.5, r->confidence),
             mg_quantile_upper_min_samples(0.5, r->confidence), r->confidence);
    kv_bound(j, "p50_lower_bound_ms", run, mg_quantile_lower_rank(n, 0.5, r->confidence), 1,
             r->confidence);
    mg__json_kv_number(j, "confidence", r->confidence);
    mg__json_kv_number(j, "first_call_ms", run->first_call_ms);
    mg__json_kv_number(j, "timer_overhead_ns", r->timer_overhead_ns);
    mg__json_kv_bool(j, "stable", run->stable);
}

static void windows(mg__json *j, const mg_latency_run *run) {
    mg__json_key(j, "windows");
    mg__json_begin_object(j);
    mg__json_kv_int(j, "count", run->nwindows);
    mg__json_key(j, "p50_ms");
    mg__json_begin_array(j);
    for (int k = 0; k < run->nwindows; k++)
        mg__json_number(j, run->window_p50_ms[k]);
    mg__json_end_array(j);
    mg__json_kv_number(j, "spread", run->window_spread);
    if (!isfinite(run->window_spread))
        mg__json_kv_string(j, "spread_reason", "a window median is 0 ms");
    mg__json_kv_number(j, "max_spread", 0.10);
    mg__json_end_object(j);
}

/* "histogram": ~30 log-spaced bins from the fastest to the slowest call. */
static void histogram(mg__json *j, const mg_latency_run *run) {
    enum { BINS = 30 };
    double edges[BINS + 1];
    int64_t counts[BINS];
    bool log_scale;
    int nb = mg_latency_histogram(run->sorted_ms, run->n, BINS, edges, counts, &log_scale);
    if (nb == 0)
        return;
    mg__json_key(j, "histogram");
    mg__json_begin_object(j);
    mg__json_kv_string(j, "scale", log_scale ? "log" : "linear");
    mg__json_key(j, "edges_ms");
    mg__json_begin_array(j);
    for (int i = 0; i <= nb; i++)
        mg__json_number(j, edges[i]);
    mg__json_end_array(j);
    mg__json_key(j, "counts");
    mg__json_begin_array(j);
    for (int i = 0; i < nb; i++)
        mg__json_int(j, counts[i]);
    mg__json_end_array(j);
    mg__json_end_object(j);
}

static void environment(mg__json *j, const mg_latency_report *r) {
    const mg_latency_environment *e = r->env;
    mg__json_key(j, "environment");
    if (e == NULL) { /* not read by the caller (latency.h: env may be NULL) */
        mg__json_null(j);
        return;
    }
    mg__json_begin_object(j);
    mg__json_kv_string(j, "cpu_model", e->cpu_model[0] ? e->cpu_model : NULL);
    if (!e->cpu_model[0])
        mg__json_kv_string(j, "cpu_model_reason", "/proc/cpuinfo names no model");
    mg__json_kv_string(j, "governor", e->governor[0] ? e->governor : NULL);
    if (!e->governor[0])
        mg__json_kv_string(j, "governor_reason",
                           "no cpufreq scaling governor is readable (common in virtual machines)");
    mg__json_key(j, "loadavg");
    if (e->loadavg[0] >= 0) {
        mg__json_begin_array(j);
        for (int i = 0; i < 3; i++)
            mg__json_number(j, e->loadavg[i] >= 0 ? e->loadavg[i] : NAN);
        mg__json_end_array(j);
    } else {
        mg__json_null(j);
        mg__json_kv_string(j, "loadavg_reason", "/proc/loadavg is not readable");
    }
    mg__json_kv_int(j, "ncpus", e->ncpus);
    mg__json_kv_string(j, "kernel", e->kernel[0] ? e->kernel : NULL);
    if (r->cpu >= 0)
        mg__json_kv_int(j, "pinned_cpu", r->cpu);
    else
        mg__json_kv_null(j, "pinned_cpu");
    mg__json_end_object(j);
}

static void gate(mg__json *j, const mg_latency_gate *g) {
    mg__json_begin_object(j);
    mg__json_kv_string(j, "name", g->name);
    mg__json_kv_string(j, "metric", g->metric);
    mg__json_kv_number(j, "value", g->value);
    mg__json_kv_number(j, "threshold", g->limit);
    mg__json_kv_string(j, "op", "<=");
    mg__json_kv_string(j, "verdict", mg_verdict_name(g->verdict));
    mg__json_kv_string(j, "reason", g->reason);
    if (g->q > 0) {
        mg__json_kv_string(j, "decided_on", g->confidence > 0 ? "bounds" : "point");
        mg__json_key(j, "ci");
        mg__json_begin_object(j);
        mg__json_kv_number(j, "low", g->lower);
        mg__json_kv_number(j, "high", g->upper);
        mg__json_kv_number(j, "level", g->level);
        mg__json_kv_string(j, "method", "order_statistic");
        mg__json_kv_int(j, "samples_needed", g->needed);
        mg__json_end_object(j);
        mg__json_kv_bool(j, "bounds_straddle_threshold", g->straddles);
    }
    mg__json_end_object(j);
}

static mg_verdict overall(const mg_latency_gate *gates, int n) {
    mg_verdict v = MG_VERDICT_PASS;
    for (int i = 0; i < n; i++)
        v = mg_verdict_worse(v, gates[i].verdict);
    return v;
}

mg_status mg_latency_json(const mg_latency_report *r, char **out, size_t *len, mg_error *err) {
    mg__json j;
    memset(&j, 0, sizeof j);
    const mg_latency_run *run = r->run;
    const mg_latency_options *o = r->opts;
    mg__json_begin_object(&j);
    run_fields(&j, run, r);
    mg__json_kv_string(&j, "backend", r->backend);
    mg__json_kv_string(&j, "verdict", mg_verdict_name(overall(r->gates, r->ngates)));
    mg__json_kv_string(&j, "model", r->prov.model_arg);
    mg__json_kv_string(&j, "data", r->prov.data_path);
    if (r->prov.data_path == NULL)
        mg__json_kv_string(&j, "data_reason", "synthetic rows (--synthetic)");
    mg__json_kv_string(&j, "mode", o->rate_qps > 0 ? "open_loop" : "closed_loop");
    if (o->rate_qps > 0) {
        mg__json_kv_number(&j, "rate_qps", o->rate_qps);
        mg__json_kv_int(&j, "late_sends", run->late_sends);
        mg__json_kv_number(&j, "max_send_delay_ms", run->max_send_delay_ms);
    }
    mg__json_kv_number(&j, "duration_s", run->elapsed_s);
    if (o->duration_s > 0)
        mg__json_kv_number(&j, "duration_limit_s", o->duration_s);
    mg__json_kv_int(&j, "seed", (int64_t)o->seed);
    mg__json_kv_int(&j, "threads", r->threads);
    mg__json_kv_bool(&j, "confidence_gated", r->confidence_given);
    compute_split(&j, run);
    windows(&j, run);
    histogram(&j, run);
    environment(&j, r);
    if (r->baseline != NULL) {
        mg__json_key(&j, "baseline");
        mg__json_begin_object(&j);
        run_fields(&j, r->baseline, r);
        mg__json_kv_string(&j, "backend", r->baseline_backend);
        mg__json_kv_string(&j, "model", r->prov.baseline_arg);
        if (o->rate_qps > 0)
            mg__json_kv_int(&j, "late_sends", r->baseline->late_sends);
        compute_split(&j, r->baseline);
        windows(&j, r->baseline);
        histogram(&j, r->baseline);
        mg__json_end_object(&j);
        const mg_latency_comparison *c = r->comparison;
        mg__json_key(&j, "comparison");
        mg__json_begin_object(&j);
        mg__json_kv_number(&j, "p50_ratio", c->p50_ratio);
        mg__json_kv_number(&j, "p99_ratio", c->p99_ratio);
        mg__json_kv_number(&j, "p50_shift_ms", c->p50_shift_ms);
        mg__json_kv_number(&j, "mann_whitney_u", c->u);
        mg__json_kv_number(&j, "p_value", c->p_value);
        mg__json_kv_string(&j, "test", "mann_whitney_u");
        mg__json_kv_string(&j, "schedule", "interleaved ABAB blocks");
        mg__json_kv_int(&j, "block_size", run->block);
        mg__json_end_object(&j);
    }
    mg__json_key(&j, "gates");
    mg__json_begin_array(&j);
    for (int i = 0; i < r->ngates; i++)
        gate(&j, &r->gates[i]);
    mg__json_end_array(&j);
    mg__provenance_json(&j, &r->prov); /* the same keys as metrics.json */
    mg__json_end_object(&j);
    *out = mg__json_finish(&j, len);
    return *out != NULL ? MG_OK : mg__nomem(err, "latency.json");
}
