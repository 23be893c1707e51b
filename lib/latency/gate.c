/* gate.c - latency verdicts: a quantile against a limit (on the point, or on
 * the order-statistic bounds at a confidence level) and the candidate/baseline
 * p99 ratio. */
#include "internal.h"
#include "modelgate/gate.h"
#include "modelgate/latency.h"

#include <math.h>

/* v rounded to `digits` significant digits, locale-free: a sentence reads
 * better with 4 digits; latency.json keeps every digit. */
static void fmt_digits(double v, int digits, char *buf, size_t cap) {
    if (isfinite(v) && v != 0) {
        double scale = pow(10, digits - 1 - floor(log10(fabs(v))));
        double r = round(v * scale) / scale;
        if (isfinite(r))
            v = r;
    }
    mg_format_double(v, buf, cap);
}

static void fmt(double v, char *buf, size_t cap) {
    fmt_digits(v, 4, buf, cap);
}

void mg_latency_gate_quantile(const mg_latency_run *run, double q, const char *name,
                              const char *metric, double limit_ms, double confidence, double level,
                              mg_latency_gate *g) {
    memset(g, 0, sizeof *g);
    g->name = name;
    g->metric = metric;
    g->q = q;
    g->limit = limit_ms;
    g->confidence = confidence;
    g->level = confidence > 0 ? confidence : level;
    int64_t n = run->n;
    g->value = mg_quantile_nearest_rank(run->sorted_ms, n, q);
    int64_t up = mg_quantile_upper_rank(n, q, g->level),
            lo = mg_quantile_lower_rank(n, q, g->level);
    g->upper = up > 0 ? run->sorted_ms[up - 1] : NAN;
    g->lower = lo > 0 ? run->sorted_ms[lo - 1] : NAN;
    g->needed = mg_quantile_upper_min_samples(q, g->level);
    char v[32], l[32], u[32], lw[32];
    fmt(g->value, v, sizeof v);
    fmt(limit_ms, l, sizeof l);
    fmt(g->upper, u, sizeof u);
    fmt(g->lower, lw, sizeof lw);
    char c[32];
    mg_format_double(g->level, c, sizeof c);
    if (n <= 0 || isnan(g->value) || isnan(limit_ms)) {
        /* No samples (or no number) to decide on: never pass, never fail. */
        g->verdict = MG_VERDICT_INCONCLUSIVE;
        snprintf(g->reason, sizeof g->reason, "%s: undefined (no latency samples)", metric);
        return;
    }
    if (confidence > 0) {
        if (up == 0) {
            g->verdict = MG_VERDICT_INCONCLUSIVE;
            snprintf(g->reason, sizeof g->reason,
                     "%s: %" PRId64 " samples cannot bound it at confidence %s; at least %" PRId64
                     " are needed (--samples %" PRId64 ")",
                     metric, n, c, g->needed, g->needed);
            return;
        }
        /* Decided on [lower, upper]; no lower bound (too few samples) never fails. */
        g->verdict = mg_gate_verdict(MG_GATE_MAX, limit_ms, g->value, lo > 0 ? g->lower : -INFINITY,
                                     g->upper, true);
        if (g->verdict == MG_VERDICT_PASS) {
            snprintf(g->reason, sizeof g->reason,
                     "%s upper bound %s ms <= %s ms at confidence %s (point %s ms)", metric, u, l,
                     c, v);
        } else if (g->verdict == MG_VERDICT_FAIL) {
            snprintf(g->reason, sizeof g->reason,
                     "%s lower bound %s ms > %s ms at confidence %s (point %s ms)", metric, lw, l,
                     c, v);
        } else {
            snprintf(g->reason, sizeof g->reason,
                     "%s is %s ms, but its bounds at confidence %s [%s, %s] ms straddle the "
                     "limit %s ms; more samples may decide",
                     metric, v, c, lo > 0 ? lw : "-", u, l);
        }
        return;
    }
    g->verdict = mg_gate_verdict(MG_GATE_MAX, limit_ms, g->value, NAN, NAN, false);
    /* the point decides; say when the bounds would not have */
    bool upper_over = up == 0 || g->upper > limit_ms, lower_over = lo > 0 && g->lower > limit_ms;
    g->straddles = g->verdict == MG_VERDICT_PASS ? upper_over : !lower_over;
    snprintf(g->reason, sizeof g->reason, "%s %s ms %s %s ms", metric, v,
             g->verdict == MG_VERDICT_PASS ? "<=" : ">", l);
    if (g->straddles) {
        size_t len = strlen(g->reason);
        if (up == 0)
            snprintf(g->reason + len, sizeof g->reason - len,
                     "; too few samples to bound it at %s (%" PRId64 " needed)", c, g->needed);
        else
            snprintf(g->reason + len, sizeof g->reason - len,
                     "; its bounds at %s [%s, %s] ms straddle the limit", c, lo > 0 ? lw : "-", u);
    }
}

mg_status mg_latency_compare(const mg_latency_run *a, const mg_latency_run *b,
                             mg_latency_comparison *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    const mg_latency_summary *sa = &a->summary, *sb = &b->summary;
    out->p50_ratio = sb->p50_ms > 0 ? sa->p50_ms / sb->p50_ms : NAN;
    out->p99_ratio = sb->p99_ms > 0 ? sa->p99_ms / sb->p99_ms : NAN;
    out->p50_shift_ms = sa->p50_ms - sb->p50_ms;
    return mg_mann_whitney_u(a->samples_ms, a->n, b->samples_ms, b->n, &out->u, &out->p_value, err);
}

void mg_latency_gate_ratio(const mg_latency_comparison *c, double max_ratio, mg_latency_gate *g) {
    memset(g, 0, sizeof *g);
    g->name = "max_p99_ratio";
    g->metric = "p99_ratio";
    g->limit = max_ratio;
    g->value = c->p99_ratio;
    g->upper = g->lower = NAN;
    char v[32], l[32], p[32];
    fmt(g->value, v, sizeof v);
    fmt(max_ratio, l, sizeof l);
    fmt_digits(c->p_value, 3, p, sizeof p);
    if (isnan(c->p99_ratio)) {
        g->verdict = MG_VERDICT_INCONCLUSIVE;
        snprintf(g->reason, sizeof g->reason,
                 "p99_ratio is undefined: the baseline's p99 is 0 ms (below the timer's "
                 "resolution)");
        return;
    }
    g->verdict = mg_gate_verdict(MG_GATE_MAX, max_ratio, c->p99_ratio, NAN, NAN, false);
    snprintf(g->reason, sizeof g->reason,
             "p99_ratio %s %s %s (candidate p99 / baseline p99; Mann-Whitney p = %s)", v,
             g->verdict == MG_VERDICT_PASS ? "<=" : ">", l, p);
}

