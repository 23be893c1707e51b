/* gate_stages.c - the stages of a policy run: metric gates on metrics.json,
 * latency on rows of the same table, fairness per protected attribute, and
 * regression rules against the baseline. Each stage writes its document and
 * decides its gates on the numbers that document shows. */
#include "internal.h"
#include "modelgate/compare.h"
#include "modelgate/fairness.h"
#include "modelgate/latency.h"
#include "modelgate/report.h"
#include "modelgate/slices.h"

#include <math.h>
#include <string.h>

#include "gate_run_internal.h"

/* "gates.<metric>.min" and the like: the policy key a gate came from. */
static void key_of(char *buf, size_t cap, const char *section, const char *metric, const char *end) {
    snprintf(buf, cap, "gates.%s%s%s%s%s", section ? section : "", section ? "." : "", metric,
             end ? "." : "", end ? end : "");
}

/* ---- metrics ------------------------------------------------------------ */

mg_status mg__gate_metrics(mg__gate_ctx *ctx, mg_error *err) {
    const mg_policy *p = ctx->policy;
    const mg_targets *t = ctx->t;
    mg_gate_outcome *out = ctx->out;
    mg_evaluation eval;
    memset(&eval, 0, sizeof eval);
    MG_TRY(mg_evaluation_compute(t, &eval, err));
    mg_status st = MG_OK;
    /* Every gated metric must be one of the task's (the task may only be
     * known now). */
    for (int i = 0; i < p->nmetric_gates; i++) {
        mg_value v;
        mg_operating_point op;
        if (mg_operating_point_from_name(p->metric_gates[i].metric, &op) == 0)
            continue; /* an operating point: computed with the slices */
        if (mg_evaluation_metric(&eval, p->metric_gates[i].metric, &v) != 0) {
            char where[200];
            key_of(where, sizeof where, NULL, p->metric_gates[i].metric, NULL);
            char place[240];
            mg_policy_where(p, where, place, sizeof place);
            mg_task task = eval.task;
            mg_evaluation_release(&eval);
            return mg__fail(err, MG_ERR_USAGE, "%s: a %s task has no metric '%s'%s", place,
                            mg_task_name(task), p->metric_gates[i].metric,
                            p->task == MG_TASK_AUTO
                                ? " (the task was inferred from the labels and the model's "
                                  "outputs; task: says which it is)"
                                : "");        }
    }
    /* Intervals for every metric when some gate decides on one: at the
     * highest confidence asked (a gate asking less decides on a wider
     * interval, which is stricter, never looser). */
    double level = 0;
    for (int i = 0; i < p->nmetric_gates; i++)
        if (p->metric_gates[i].confidence > level)
            level = p->metric_gates[i].confidence;
    if (level > 0) {
        mg_compare_options copts = {.level = level,
                                    .replicates = p->bootstrap,
                                    .seed = p->seed,
                                    .threads = ctx->opts->threads,
                                    .progress = ctx->opts->progress,
                                    .progress_ctx = ctx->opts->progress_ctx};
        mg_metric_interval *iv = NULL;
        int niv = 0;
        st = mg_evaluation_intervals(t, &eval, &copts, &iv, &niv, err);
        if (st == MG_OK)
            st = mg_evaluation_json_with_intervals(&eval, t, iv, niv, &copts, ctx->prov,
                                                   &out->metrics_json, &out->metrics_len, err);
        free(iv);
    } else {
        st = mg_evaluation_json(&eval, t, ctx->prov, 0.95, &out->metrics_json, &out->metrics_len,
                                err);
    }
    mg__gate_slices sl;
    memset(&sl, 0, sizeof sl);
    if (st == MG_OK)
        st = mg__gate_slices_compute(ctx, &eval, &sl, err);
    for (int i = 0; st == MG_OK && i < p->nmetric_gates; i++) {
        const mg_policy_bound *b = &p->metric_gates[i];
        mg_value v;
        mg_interval ci;
        bool has_ci;
        const mg_operating_point *op = mg__gate_operating_point(&sl, b->metric);
        if (op != NULL) {
            v = op->value;
            has_ci = op->has_ci;
            ci = op->ci;
        } else {
            mg_evaluation_metric(&eval, b->metric, &v);
            has_ci = mg_metrics_json_interval(out->metrics_json, b->metric, &ci);
        }
        for (int side = 0; side < 2 && st == MG_OK; side++) {
            if (!(side == 0 ? b->has_min : b->has_max))
                continue;
            char key[160];
            key_of(key, sizeof key, NULL, b->metric, side == 0 ? "min" : "max");
            mg_gate_entry *e = mg__gate_add(out, MG_GATE_KIND_METRIC, p, key, err);
            if (e == NULL) {
                st = MG_ERR_NOMEM;
                break;
            }
            mg_gate_decide(b->metric, side == 0 ? MG_GATE_MIN : MG_GATE_MAX,
                           side == 0 ? b->min : b->max, v, has_ci ? &ci : NULL,
                           b->confidence > 0, &e->r);
        }
    }
    if (st == MG_OK)
        st = mg__gate_slice_gates(ctx, &eval, &sl, err);
    mg__gate_slices_release(&sl);
    mg_evaluation_release(&eval);
    return st;
}

/* ---- latency ------------------------------------------------------------ */

/* The quantile a latency key names, or -1 for the others (mean_ms, max_ms). */
static double quantile_of(const char *metric) {
    static const struct {
        const char *name;
        double q;
    } keys[] = {{"p50_ms", 0.50}, {"p90_ms", 0.90}, {"p95_ms", 0.95}, {"p99_ms", 0.99},
                {"p999_ms", 0.999}};
    for (size_t i = 0; i < MG_ARRAY_LEN(keys); i++)
        if (strcmp(metric, keys[i].name) == 0)
            return keys[i].q;
    return -1;
}

static double summary_value(const mg_latency_summary *s, const char *metric) {
    if (strcmp(metric, "p50_ms") == 0)
        return s->p50_ms;
    if (strcmp(metric, "p90_ms") == 0)
        return s->p90_ms;
    if (strcmp(metric, "p95_ms") == 0)
        return s->p95_ms;
    if (strcmp(metric, "p99_ms") == 0)
        return s->p99_ms;
    if (strcmp(metric, "p999_ms") == 0)
        return s->p999_ms;
    if (strcmp(metric, "max_ms") == 0)
        return s->max_ms;
    if (strcmp(metric, "min_ms") == 0)
        return s->min_ms;
    if (strcmp(metric, "mean_ms") == 0)
        return s->mean_ms;
    return NAN;
}

/* A latency gate as an entry of the common vocabulary. */
static void latency_entry(const mg_latency_gate *lg, mg_gate_result *r) {
    memset(r, 0, sizeof *r);
    char thr[32];
    mg_format_double(lg->limit, thr, sizeof thr);
    snprintf(r->metric, sizeof r->metric, "%s", lg->metric);
    snprintf(r->name, sizeof r->name, "%s <= %s", lg->metric, thr);
    r->op = MG_GATE_MAX;
    r->threshold = lg->limit;
    r->value = (mg_value){.v = lg->value};
    if (isfinite(lg->lower) && isfinite(lg->upper)) {
        r->has_ci = true;
        r->ci = (mg_interval){.low = lg->lower, .high = lg->upper, .level = lg->level,
                              .method = "order_statistic"};
    }
    r->decided_on_interval = lg->confidence > 0;
    r->straddles = lg->straddles;
    r->verdict = lg->verdict;
    snprintf(r->reason, sizeof r->reason, "%s", lg->reason);
}

mg_status mg__gate_latency(mg__gate_ctx *ctx, mg_error *err) {
    const mg_policy *p = ctx->policy;
    const mg_policy_latency *pl = &p->latency;
    mg_run *run = ctx->run;
    /* A serving worker answers one request on one thread: the model is
     * opened again with one prediction thread for the timing (the
     * evaluation's instance uses every CPU), as `benchmark` measures it. */
    mg_model_options mo = ctx->opts->model_options;
    mo.threads = 1;
    mo.progress = NULL;
    if (!mg_model_can(run->models[0], MG_MODEL_CAN_PREDICT)) {
        char place[240];
        return mg__fail(err, MG_ERR_USAGE,
                        "%s: model %s cannot be timed: its outputs are columns of the test "
                        "data, not predictions made per request; give a model file, cmd: or "
                        "http:// model, or remove the latency gates",
                        mg_policy_where(p, "gates.latency", place, sizeof place),
                        mg_model_source(run->models[0]));
    }
    mg_model *model = NULL;
    MG_TRY(mg_model_open(run->spec->models[0], &mo, &model, err));
    mg_feature_roles roles;
    mg_run_roles(run, 0, &roles);
    double *rows = NULL;
    int nf = 0;
    mg_status st = mg_latency_rows_from_table(run->table, model, &roles, &rows, &nf, err);
    if (st != MG_OK) {
        mg_model_free(model);
        return st;
    }
    mg_latency_environment env;
    mg_latency_environment_read(-1, &env);
    mg_latency_options lo;
    memset(&lo, 0, sizeof lo);
    lo.samples = pl->samples;
    lo.warmup = pl->warmup;
    lo.batch_size = pl->batch_size;
    lo.seed = p->seed;
    lo.progress = ctx->opts->progress;
    lo.progress_ctx = ctx->opts->progress_ctx;
    double timer_ns = mg_latency_timer_overhead_ns();
    mg_latency_run r, rb;
    st = mg_latency_measure(model, NULL, rows, run->table->nrows, nf, &lo, &r, &rb, err);
    free(rows);
    if (st != MG_OK) {
        mg_model_free(model);
        return st;
    }
    /* The latency.json gates: the quantile bounds with a maximum. */
    mg_latency_gate *lgates = mg__calloc((size_t)pl->nbounds + 1, sizeof *lgates);
    if (lgates == NULL) {
        mg_latency_run_release(&r);
        mg_model_free(model);
        return mg__nomem(err, "the latency gates");
    }
    int nl = 0;
    double level = 0.95;
    for (int i = 0; i < pl->nbounds; i++)
        if (pl->bounds[i].confidence > 0)
            level = pl->bounds[i].confidence;
    for (int i = 0; st == MG_OK && i < pl->nbounds; i++) {
        const mg_policy_bound *b = &pl->bounds[i];
        double q = quantile_of(b->metric);
        for (int side = 0; side < 2 && st == MG_OK; side++) {
            if (!(side == 0 ? b->has_min : b->has_max))
                continue;
            char key[160];
            key_of(key, sizeof key, "latency", b->metric, side == 0 ? "min" : "max");
            mg_gate_entry *e = mg__gate_add(ctx->out, MG_GATE_KIND_LATENCY, p, key, err);
            if (e == NULL) {
                st = MG_ERR_NOMEM;
                break;
            }
            if (side == 1 && q > 0) {
                mg_latency_gate *lg = &lgates[nl++];
                mg_latency_gate_quantile(&r, q, b->metric, b->metric, b->max, b->confidence,
                                         b->confidence > 0 ? b->confidence : level, lg);
                latency_entry(lg, &e->r);
                if (lg->verdict == MG_VERDICT_INCONCLUSIVE && lg->needed > r.n) {
                    /* The sentence names the policy key to raise, not a flag. */
                    char place[240], c[32];
                    mg_format_double(b->confidence, c, sizeof c);
                    snprintf(e->r.reason, sizeof e->r.reason,
                             "%s: %lld samples cannot bound it at confidence %s; at least %lld "
                             "are needed (%s)",
                             b->metric, (long long)r.n, c, (long long)lg->needed,
                             mg_policy_where(p, "gates.latency.samples", place, sizeof place));
                }
            } else {
                mg_value v = {.v = summary_value(&r.summary, b->metric)};
                mg_gate_decide(b->metric, side == 0 ? MG_GATE_MIN : MG_GATE_MAX,
                               side == 0 ? b->min : b->max, v, NULL, false, &e->r);
            }
        }
    }
    mg_latency_report rep;
    memset(&rep, 0, sizeof rep);
    rep.prov = *ctx->prov;
    rep.prov.baseline_arg = NULL;
    rep.prov.baseline_sha256 = NULL;
    rep.backend = mg_model_describe(model)->backend;
    rep.run = &r;
    rep.opts = &lo;
    rep.confidence = level;
    rep.confidence_given = false;
    for (int i = 0; i < pl->nbounds; i++)
        rep.confidence_given |= pl->bounds[i].confidence > 0;
    rep.timer_overhead_ns = timer_ns;
    rep.threads = 1;
    rep.cpu = -1;
    rep.env = &env;
    rep.gates = lgates;
    rep.ngates = nl;
    if (st == MG_OK)
        st = mg_latency_json(&rep, &ctx->out->latency_json, &ctx->out->latency_len, err);
    free(lgates);
    mg_latency_run_release(&r);
    mg_model_free(model);
    return st;
}

/* ---- fairness ----------------------------------------------------------- */

/* "demographic_parity_ratio" -> measure and whether it is the ratio. */
static int fairness_key(const char *key, mg_fairness_measure *m, bool *ratio) {
    static const char *const ends[] = {"_ratio", "_difference"};
    size_t n = strlen(key);
    for (int k = 0; k < 2; k++) {
        size_t e = strlen(ends[k]);
        if (n > e && strcmp(key + n - e, ends[k]) == 0) {
            char base[64];
            snprintf(base, sizeof base, "%.*s", (int)(n - e), key);
            if (mg_fairness_measure_parse(base, m) == 0) {
                *ratio = k == 0;
                return 0;
            }
        }
    }
    return -1;
}

/* Names a fairness gate's attribute: its columns, owned by the entry. */
static mg_status set_attribute(mg_gate_entry *e, const mg_fairness_attr *attr, mg_error *err) {
    snprintf(e->attribute, sizeof e->attribute, "%s", attr->name);
    e->intersection = attr->nparts > 1;
    e->attribute_parts = mg__calloc((size_t)attr->nparts, sizeof *e->attribute_parts);
    if (e->attribute_parts == NULL)
        return mg__nomem(err, "a gate's attribute");
    for (int k = 0; k < attr->nparts; k++) {
        if ((e->attribute_parts[k] = mg__strdup(attr->parts[k])) == NULL)
            return mg__nomem(err, "a gate's attribute");
        e->nattribute_parts = k + 1;
    }
    return MG_OK;
}

mg_status mg__gate_fairness(mg__gate_ctx *ctx, mg_error *err) {
    const mg_policy *p = ctx->policy;
    const mg_policy_fairness *pf = &p->fairness;
    mg_fairness_options fo;
    mg_fairness_options_init(&fo);
    fo.min_group_size = pf->min_group_size;
    if (pf->method != NULL && mg_fairness_method_parse(pf->method, &fo.method) != 0) {
        char place[240];
        return mg__fail(err, MG_ERR_USAGE, "%s: unknown method '%s'",
                        mg_policy_where(p, "gates.fairness.method", place, sizeof place),
                        pf->method);
    }
    fo.reference_attr = pf->reference_attribute;
    fo.reference_group = pf->reference_group;
    fo.reference_missing = pf->reference_missing;
    fo.intersectional = pf->intersectional;
    fo.level = 0.95;
    /* Bootstrap intervals of the ratios when the section or any bound asks
     * for a confidence (the highest asked: stricter, never looser). */
    fo.confidence = pf->confidence;
    for (int i = 0; i < pf->nbounds; i++)
        if (pf->bounds[i].confidence > fo.confidence)
            fo.confidence = pf->bounds[i].confidence;
    fo.bootstrap_samples = p->bootstrap;
    fo.seed = p->seed;
    fo.threads = ctx->opts->threads;
    fo.progress = ctx->opts->progress;
    fo.progress_ctx = ctx->opts->progress_ctx;
    /* The band of fairness.json's own verdicts: the tutorial's threshold, or
     * the smallest ratio minimum of the bounds (0.8 when none). The gates
     * below decide on the policy's bounds. */
    fo.threshold = pf->threshold > 0 ? pf->threshold : 0;
    if (pf->threshold > 0)
        fo.gates |= MG_FAIR_GATE(MG_FAIR_DEMOGRAPHIC_PARITY);
    for (int i = 0; i < pf->nbounds; i++) {
        mg_fairness_measure m;
        bool ratio;
        if (fairness_key(pf->bounds[i].metric, &m, &ratio) != 0) {
            char key[160], place[240];
            key_of(key, sizeof key, "fairness", pf->bounds[i].metric, NULL);
            return mg__fail(err, MG_ERR_USAGE, "%s: unknown fairness measure '%s'",
                            mg_policy_where(p, key, place, sizeof place), pf->bounds[i].metric);
        }
        fo.gates |= MG_FAIR_GATE(m);
        if (ratio && pf->bounds[i].has_min && pf->bounds[i].min > 0 && pf->bounds[i].min <= 1 &&
            fo.threshold == 0)
            fo.threshold = pf->bounds[i].min;
    }
    if (fo.threshold == 0)
        fo.threshold = 0.8;
    mg_fairness f;
    memset(&f, 0, sizeof f);
    MG_TRY(mg_fairness_compute(ctx->t, ctx->cols,
                               (const char *const *)pf->protected_attributes, pf->nprotected, &fo,
                               &f, err));
    mg_status st = mg_fairness_json(&f, ctx->prov, &ctx->out->fairness_json,
                                    &ctx->out->fairness_len, err);
    for (int a = 0; st == MG_OK && a < f.nattrs; a++) {
        const mg_fairness_attr *attr = &f.attrs[a];
        if (pf->threshold > 0 && attr->has_measure[MG_FAIR_DEMOGRAPHIC_PARITY]) {
            const mg_disparity *d = &attr->measures[MG_FAIR_DEMOGRAPHIC_PARITY];
            mg_gate_entry *e =
                mg__gate_add(ctx->out, MG_GATE_KIND_FAIRNESS, p, "gates.fairness.threshold", err);
            if (e == NULL) {
                st = MG_ERR_NOMEM;
                break;
            }
            if ((st = set_attribute(e, attr, err)) != MG_OK)
                break;
            mg_gate_decide("demographic_parity_ratio", MG_GATE_MIN, pf->threshold, d->ratio,
                           d->has_ci ? &d->ratio_ci : NULL, false, &e->r);
            /* The library decided the band (with Holm's correction when
             * deciding on evidence): its verdict stands. */
            e->r.verdict = d->verdict;
            e->r.decided_on_interval = pf->confidence > 0;
            if (d->reason != NULL)
                snprintf(e->r.reason, sizeof e->r.reason, "%s: %s", attr->name, d->reason);
            snprintf(e->r.name, sizeof e->r.name, "demographic_parity_ratio[%s] in [%g, %g]",
                     attr->name, pf->threshold, 1 / pf->threshold);
        }
        for (int i = 0; st == MG_OK && i < pf->nbounds; i++) {
            const mg_policy_bound *b = &pf->bounds[i];
            mg_fairness_measure m;
            bool ratio;
            fairness_key(b->metric, &m, &ratio);
            const mg_disparity *d = &attr->measures[m];
            /* Disparate impact is measured against the reference group, on
             * the reference's attribute only. */
            if (m == MG_FAIR_DISPARATE_IMPACT && !attr->has_measure[m])
                continue;
            double confidence = b->confidence > 0 ? b->confidence : pf->confidence;
            for (int side = 0; side < 2 && st == MG_OK; side++) {
                if (!(side == 0 ? b->has_min : b->has_max))
                    continue;
                char key[160];
                key_of(key, sizeof key, "fairness", b->metric, side == 0 ? "min" : "max");
                mg_gate_entry *e = mg__gate_add(ctx->out, MG_GATE_KIND_FAIRNESS, p, key, err);
                if (e == NULL) {
                    st = MG_ERR_NOMEM;
                    break;
                }
                if ((st = set_attribute(e, attr, err)) != MG_OK)
                    break;
                mg_value v;
                const mg_interval *ci = NULL;
                if (!attr->has_measure[m]) {
                    v = mg_value_null("not defined for this attribute");
                } else if (ratio) {
                    /* Disparate impact: the smallest ratio against a
                     * minimum, the largest against a maximum. */
                    bool upper = m == MG_FAIR_DISPARATE_IMPACT && side == 1;
                    v = upper ? d->ratio_max : d->ratio;
                    if (d->has_ci)
                        ci = upper ? &d->ratio_max_ci : &d->ratio_ci;
                } else {
                    v = d->difference;
                }
                mg_gate_decide(b->metric, side == 0 ? MG_GATE_MIN : MG_GATE_MAX,
                               side == 0 ? b->min : b->max, v, ci, confidence > 0 && ratio,
                               &e->r);
                char name[sizeof e->r.name];
                snprintf(name, sizeof name, "%s[%s] %s", b->metric, attr->name,
                         strchr(e->r.name, ' ') ? strchr(e->r.name, ' ') + 1 : "");
                snprintf(e->r.name, sizeof e->r.name, "%s", name);
                if (confidence > 0 && !ratio) {
                    size_t used = strlen(e->r.reason);
                    snprintf(e->r.reason + used, sizeof e->r.reason - used,
                             " (a difference has no bootstrap interval here: decided on the "
                             "point)");
                }
            }
        }
    }
    mg_fairness_release(&f);
    return st;
}

/* ---- regression against the baseline ----------------------------------- */

mg_status mg__gate_regression(mg__gate_ctx *ctx, mg_error *err) {
    const mg_policy *p = ctx->policy;
    const mg_policy_regression *pr = &p->regression;
    mg_run *run = ctx->run;
    int nrules = 0;
    for (int i = 0; i < pr->nrules; i++)
        nrules += pr->rules[i].has_min_change + pr->rules[i].has_min_relative_change;
    mg_compare_rule *rules = mg__calloc((size_t)nrules + 1, sizeof *rules);
    mg_rule_result *results = mg__calloc((size_t)nrules + 1, sizeof *results);
    const mg_policy_rule **from = mg__calloc((size_t)nrules + 1, sizeof *from);
    if (rules == NULL || results == NULL || from == NULL) {
        free(rules);
        free(results);
        free(from);
        return mg__nomem(err, "the regression rules");
    }
    int k = 0;
    double level = 0;
    for (int i = 0; i < pr->nrules; i++) {
        const mg_policy_rule *r = &pr->rules[i];
        if (r->confidence > level)
            level = r->confidence;
        if (r->has_min_change) {
            from[k] = r;
            rules[k++] = (mg_compare_rule){r->metric, MG_RULE_MIN_CHANGE, r->min_change, NULL};
        }
        if (r->has_min_relative_change) {
            from[k] = r;
            rules[k++] =
                (mg_compare_rule){r->metric, MG_RULE_MIN_RELATIVE_CHANGE, r->min_relative_change,
                                  NULL};
        }
    }
    mg_status st = MG_OK;
    mg_comparison c;
    memset(&c, 0, sizeof c);
    if (run->nmodels == 2) {
        for (int i = 0; st == MG_OK && i < nrules; i++) {
            char key[160], place[240];
            key_of(key, sizeof key, "regression", rules[i].metric, mg_rule_kind_name(rules[i].kind));
            rules[i].origin = mg_policy_where(p, key, place, sizeof place);
            st = mg_compare_rule_validate(run->targets[0].task, &rules[i], err);
            rules[i].origin = NULL; /* place is this iteration's */
        }
        mg_compare_options o = {.level = level > 0 ? level : 0.95,
                                .replicates = p->bootstrap,
                                .seed = p->seed,
                                .threads = ctx->opts->threads,
                                .progress = ctx->opts->progress,
                                .progress_ctx = ctx->opts->progress_ctx};
        if (st == MG_OK)
            st = mg_comparison_compute(&run->targets[0], &run->targets[1], &o, &c, err);
        for (int i = 0; st == MG_OK && i < nrules; i++) {
            bool use = from[i]->confidence > 0;
            st = mg_compare_rule_check(&c, &rules[i], use, &results[i], err);
        }
        if (st == MG_OK)
            st = mg_comparison_json(&c, &run->targets[0], &run->targets[1], rules, results, nrules,
                                    ctx->prov, &ctx->out->comparison_json,
                                    &ctx->out->comparison_len, err);
    } else {
        char note[300];
        snprintf(note, sizeof note, "no baseline: %s",
                 ctx->baseline_missing ? ctx->baseline_missing : "none given");
        st = mg_comparison_skipped_json(note, ctx->prov, &ctx->out->comparison_json,
                                        &ctx->out->comparison_len, err);
    }
    for (int i = 0; st == MG_OK && i < nrules; i++) {
        char key[160];
        key_of(key, sizeof key, "regression", rules[i].metric, mg_rule_kind_name(rules[i].kind));
        mg_gate_entry *e = mg__gate_add(ctx->out, MG_GATE_KIND_REGRESSION, p, key, err);
        if (e == NULL) {
            st = MG_ERR_NOMEM;
            break;
        }
        mg_gate_result *g = &e->r;
        char thr[32];
        mg_format_double(rules[i].threshold, thr, sizeof thr);
        const char *what = rules[i].kind == MG_RULE_MIN_CHANGE ? "change" : "relative_change";
        snprintf(g->metric, sizeof g->metric, "%s", rules[i].metric);
        snprintf(g->name, sizeof g->name, "%s %s >= %s", rules[i].metric, what, thr);
        g->op = MG_GATE_MIN;
        g->threshold = rules[i].threshold;
        if (run->nmodels != 2) {
            e->skipped = true;
            g->value = mg_value_null("no baseline");
            g->verdict = MG_VERDICT_PASS;
            snprintf(g->reason, sizeof g->reason, "skipped: %s",
                     ctx->baseline_missing ? ctx->baseline_missing : "no baseline");
            continue;
        }
        const mg_rule_result *res = &results[i];
        g->value = isnan(res->value) ? mg_value_null("undefined for one of the models")
                                     : (mg_value){.v = res->value};
        if (!isnan(res->ci_low) && !isnan(res->ci_high)) {
            g->has_ci = true;
            g->ci = (mg_interval){.low = res->ci_low, .high = res->ci_high,
                                  .level = level > 0 ? level : 0.95, .method = "paired"};
            g->straddles = res->ci_low < rules[i].threshold && rules[i].threshold < res->ci_high;
        }
        g->decided_on_interval = from[i]->confidence > 0;
        g->verdict = res->verdict;
        snprintf(g->reason, sizeof g->reason, "%s", res->reason);
    }
    mg_comparison_release(&c);
    free(rules);
    free(results);
    free(from);
    return st;
}
