/* rules.c - regression rules on a comparison: min_change and
 * min_relative_change, on the point estimate or, with a confidence level, as
 * non-inferiority on the interval. */
#include "compare_internal.h"
#include "modelgate/gate.h"
#include "modelgate/metric_registry.h"

#include <math.h>

const char *mg_rule_kind_name(mg_rule_kind kind) {
    return kind == MG_RULE_MIN_CHANGE ? "min_change" : "min_relative_change";
}

/* A number for the reason sentence, rounded to 6 significant digits (the
 * JSON beside it carries the exact value). */
static void fmt_number(double v, char *buf, size_t cap) {
    if (isnan(v)) {
        snprintf(buf, cap, "undefined");
        return;
    }
    if (v == 0)
        v = 0; /* no "-0" */
    if (v != 0 && isfinite(v)) {
        double scale = pow(10, 5 - floor(log10(fabs(v))));
        double r = round(v * scale) / scale;
        if (isfinite(r))
            v = r;
    }
    mg_format_double(v, buf, cap);
}

/* The reason sentence; long metric names are cut rather than overflowing. */
static void say(mg_rule_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(mg_rule_result *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

mg_status mg_compare_rule_validate(mg_task task, const mg_compare_rule *rule, mg_error *err) {
    const char *origin = rule->origin != NULL ? rule->origin : mg_rule_kind_name(rule->kind);
    for (const char *const *m = mg_task_metrics(task); *m != NULL; m++)
        if (strcmp(*m, rule->metric) == 0) {
            if (!isfinite(rule->threshold))
                return mg__fail(err, MG_ERR_USAGE, "%s %s: the threshold must be a finite number",
                                origin, rule->metric);
            return MG_OK;
        }
    mg__buf names = {0};
    for (const char *const *m = mg_task_metrics(task); *m != NULL; m++) {
        mg__buf_puts(&names, names.len > 0 ? ", " : "");
        mg__buf_puts(&names, *m);
    }
    const char *near = mg_metric_closest(rule->metric, task);
    mg_status st = mg__fail(err, MG_ERR_USAGE, "%s: '%s' is not a %s metric%s%s%s (one of: %s)",
                            origin, rule->metric, mg_task_name(task), near ? "; did you mean '" : "",
                            near ? near : "", near ? "'?" : "",
                            names.data != NULL ? names.data : "");
    mg__buf_release(&names);
    return st;
}

static mg_verdict inconclusive(mg_rule_result *out, const char *why, const char *metric) {
    say(out, "%s: %s", metric, why);
    out->verdict = MG_VERDICT_INCONCLUSIVE;
    return out->verdict;
}

mg_status mg_compare_rule_check(const mg_comparison *c, const mg_compare_rule *rule,
                                int use_interval, mg_rule_result *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->value = out->ci_low = out->ci_high = NAN;
    out->on_interval = use_interval != 0;
    MG_TRY(mg_compare_rule_validate(c->task, rule, err));
    const mg_metric_delta *d = mg_comparison_delta(c, rule->metric);
    if (d == NULL)
        return mg__fail(err, MG_ERR_INTERNAL, "no delta for %s", rule->metric);
    if (d->delta.null_reason != NULL) {
        inconclusive(out, d->delta.null_reason, rule->metric);
        return MG_OK;
    }
    /* Orient as an improvement: positive is better. */
    double sign = d->lower_is_better ? -1.0 : 1.0;
    double scale = 1.0;
    if (rule->kind == MG_RULE_MIN_RELATIVE_CHANGE) {
        scale = fabs(d->base_value.v);
        if (scale == 0) {
            inconclusive(out, "the baseline is 0, so a relative change is undefined", rule->metric);
            return MG_OK;
        }
    }
    out->value = sign * d->delta.v / scale;
    /* No comparison below may see a NaN: an undefined change is inconclusive,
     * never a failure. */
    if (isnan(out->value)) {
        out->value = NAN;
        inconclusive(out, "the change is undefined (not a number)", rule->metric);
        return MG_OK;
    }
    if (d->has_test) {
        double a = sign * d->test.ci_low / scale, b = sign * d->test.ci_high / scale;
        if (isnan(a) || isnan(b)) {
            if (use_interval) {
                inconclusive(out, "the interval of the change is undefined (not a number)",
                             rule->metric);
                return MG_OK;
            }
        } else {
            out->ci_low = fmin(a, b);
            out->ci_high = fmax(a, b);
        }
    }
    const char *what = rule->kind == MG_RULE_MIN_CHANGE ? "change" : "relative change";
    char v[40], t[40], lo[40], hi[40];
    fmt_number(out->value, v, sizeof v);
    fmt_number(rule->threshold, t, sizeof t);
    fmt_number(out->ci_low, lo, sizeof lo);
    fmt_number(out->ci_high, hi, sizeof hi);
    const char *dir =
        d->lower_is_better ? " (lower is better, so the change is baseline - new)" : "";
    if (!use_interval) {
        out->verdict = mg_gate_verdict(MG_GATE_MIN, rule->threshold, out->value, NAN, NAN, false);
        say(out, "%s %s %s is %s the minimum %s%s", rule->metric, what, v,
            out->verdict == MG_VERDICT_PASS ? "at or above" : "below", t, dir);
        return MG_OK;
    }
    if (!d->has_test) {
        inconclusive(out, d->test_null_reason != NULL ? d->test_null_reason : "no interval",
                     rule->metric);
        return MG_OK;
    }
    char level[40];
    mg_format_double(c->options.level * 100, level, sizeof level);
    out->verdict =
        mg_gate_verdict(MG_GATE_MIN, rule->threshold, out->value, out->ci_low, out->ci_high, true);
    if (out->verdict == MG_VERDICT_PASS) {
        say(out, "%s %s %s: the whole %s%% interval [%s, %s] is at or above %s%s", rule->metric,
            what, v, level, lo, hi, t, dir);
    } else if (out->verdict == MG_VERDICT_FAIL) {
        say(out, "%s %s %s: the whole %s%% interval [%s, %s] is below %s%s", rule->metric, what, v,
            level, lo, hi, t, dir);
    } else {
        say(out,
            "%s %s %s: the %s%% interval [%s, %s] straddles %s; more rows are needed to "
            "decide%s",
            rule->metric, what, v, level, lo, hi, t, dir);
    }
    return MG_OK;
}
