/* fairness.c - the fairness computation: groups of each protected attribute,
 * their rates with Wilson intervals, the disparity measures and the verdicts
 * of the gated ones. */
#include "fairness/fairness_internal.h"
#include "modelgate/gate.h"

#include <math.h>

static const char *const measure_names[MG_FAIR_NMEASURES] = {"demographic_parity",
                                                             "equalized_odds",
                                                             "equal_opportunity",
                                                             "disparate_impact",
                                                             "mean_prediction",
                                                             "mae",
                                                             "rmse"};

const char *mg_fairness_measure_name(mg_fairness_measure m) {
    return (unsigned)m < MG_FAIR_NMEASURES ? measure_names[m] : "unknown";
}

int mg_fairness_measure_parse(const char *name, mg_fairness_measure *out) {
    for (int m = 0; m < MG_FAIR_NMEASURES; m++)
        if (strcmp(name, measure_names[m]) == 0) {
            *out = (mg_fairness_measure)m;
            return 0;
        }
    return -1;
}

const char *mg_fairness_method_name(mg_fairness_method m) {
    return m == MG_FAIRNESS_TO_OVERALL ? "to_overall" : "between_groups";
}

int mg_fairness_method_parse(const char *name, mg_fairness_method *out) {
    if (strcmp(name, "between_groups") == 0)
        *out = MG_FAIRNESS_BETWEEN_GROUPS;
    else if (strcmp(name, "to_overall") == 0)
        *out = MG_FAIRNESS_TO_OVERALL;
    else
        return -1;
    return 0;
}

void mg_fairness_options_init(mg_fairness_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->threshold = 0.8;
    opts->method = MG_FAIRNESS_BETWEEN_GROUPS;
    opts->min_group_size = 30;
    opts->max_groups = MG_FAIRNESS_MAX_GROUPS_DEFAULT;
    opts->level = 0.95;
    opts->bootstrap_samples = 1000;
    opts->seed = 42;
}

void mg_fairness_release(mg_fairness *f) {
    for (int a = 0; a < f->nattrs; a++) {
        mg_fairness_attr *at = &f->attrs[a];
        free(at->name);
        for (int g = 0; g < at->ngroups; g++) {
            free(at->groups[g].name);
            mg__fair_values_free(at->groups[g].values, at->groups[g].nvalues);
        }
        free(at->groups);
        for (int p = 0; p < at->nparts; p++)
            free(at->parts[p]);
        free(at->parts);
        free(at->part_types);
    }
    free(f->attrs);
    memset(f, 0, sizeof *f);
}

/* A weighted proportion with its Wilson interval; with weights the interval
 * uses Kish's effective sample size (sum w)^2 / sum w^2. */
static mg_rate rate(double num, double den, double den_sq, int64_t den_rows, bool weighted,
                    double level, const char *undefined) {
    mg_rate r;
    memset(&r, 0, sizeof r);
    if (!(den > 0)) {
        r.value = mg_value_null(undefined);
        return r;
    }
    r.value = mg_value_of(num / den);
    double n_eff = weighted ? den * den / den_sq : (double)den_rows;
    mg_wilson_interval(r.value.v * n_eff, n_eff, level, &r.ci);
    return r;
}

static void fill_group(mg_fairness_group *g, const mg__fair_sums *s, mg_task task, bool weighted,
                       double level) {
    if (task == MG_TASK_REGRESSION) {
        g->n = s->n[0];
        g->weight = s->s[0];
        g->mean_prediction = mg__fair_group_value(s, MG__FAIR_MEANPRED);
        g->mae = mg__fair_group_value(s, MG__FAIR_MAE);
        g->rmse = mg__fair_group_value(s, MG__FAIR_RMSE);
        g->mean_label = s->s[0] > 0 ? mg_value_of(s->label / s->s[0])
                                    : mg_value_null("the group has zero total weight");
        return;
    }
    const double *w = s->s, *q = s->q;
    const int64_t *n = s->n; /* TN, FP, FN, TP */
    g->n = n[0] + n[1] + n[2] + n[3];
    g->weight = w[0] + w[1] + w[2] + w[3];
    g->positives = n[1] + n[3];
    g->actual_positives = n[2] + n[3];
    double qall = q[0] + q[1] + q[2] + q[3];
    const char *no_weight = "the group has zero total weight";
    g->selection_rate = rate(w[1] + w[3], g->weight, qall, g->n, weighted, level, no_weight);
    g->accuracy = rate(w[0] + w[3], g->weight, qall, g->n, weighted, level, no_weight);
    g->base_rate = rate(w[2] + w[3], g->weight, qall, g->n, weighted, level, no_weight);
    g->tpr = rate(w[3], w[2] + w[3], q[2] + q[3], n[2] + n[3], weighted, level,
                  "the group has no actual positives");
    g->fnr = rate(w[2], w[2] + w[3], q[2] + q[3], n[2] + n[3], weighted, level,
                  "the group has no actual positives");
    g->fpr = rate(w[1], w[0] + w[1], q[0] + q[1], n[0] + n[1], weighted, level,
                  "the group has no actual negatives");
    g->precision = rate(w[3], w[1] + w[3], q[1] + q[3], n[1] + n[3], weighted, level,
                        "the group has no predicted positives");
}

static mg_status check_inputs(const mg_targets *t, const mg_table *table, const char *const *attrs,
                              int nattrs, const mg_fairness_options *o, mg_error *err) {
    if (t->task != MG_TASK_BINARY && t->task != MG_TASK_REGRESSION)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "fairness needs a binary or regression task, not %s",
                        mg_task_name(t->task));
    if (t->n <= 0)
        return mg__fail(err, MG_ERR_DATA, "%s: no rows to assess", table->source);
    if (t->task == MG_TASK_BINARY && (t->y == NULL || t->score == NULL))
        return mg__fail(err, MG_ERR_USAGE, "binary targets without labels or scores");
    if (t->task == MG_TASK_REGRESSION && (t->yr == NULL || t->pr == NULL))
        return mg__fail(err, MG_ERR_USAGE, "regression targets without labels or predictions");
    if (table->nrows != t->n)
        return mg__fail(err, MG_ERR_DATA, "%s: %" PRId64 " rows but %" PRId64 " predictions",
                        table->source, table->nrows, t->n);
    if (nattrs < 1 || nattrs > 16)
        return mg__fail(err, MG_ERR_USAGE, "expected 1 to 16 protected attributes, got %d", nattrs);
    if (!(o->threshold > 0 && o->threshold <= 1))
        return mg__fail(err, MG_ERR_USAGE, "threshold %g is not in (0, 1]", o->threshold);
    if (!(o->level > 0 && o->level < 1))
        return mg__fail(err, MG_ERR_USAGE, "interval level %g is not in (0, 1)", o->level);
    if (o->confidence != 0 && !(o->confidence > 0 && o->confidence < 1))
        return mg__fail(err, MG_ERR_USAGE, "confidence %g is not in (0, 1)", o->confidence);
    if (o->min_group_size < 1)
        return mg__fail(err, MG_ERR_USAGE, "min group size %" PRId64 " is below 1",
                        o->min_group_size);
    if (o->bootstrap_samples < 0 || o->bootstrap_samples > 1000000)
        return mg__fail(err, MG_ERR_USAGE, "bootstrap samples %d not in [1, 1000000]",
                        o->bootstrap_samples);
    if ((o->reference_attr == NULL) !=
            (o->reference_group == NULL && !o->reference_missing) ||
        (o->reference_missing && o->reference_group != NULL))
        return mg__fail(err, MG_ERR_USAGE,
                        "a reference needs an attribute and either a group value or the missing "
                        "value");
    for (int a = 0; a < nattrs; a++) {
        if (mg_table_column(table, attrs[a]) == NULL)
            return mg__fail(err, MG_ERR_USAGE, "%s: no column '%s' (protected attribute)",
                            table->source, attrs[a]);
        for (int b = 0; b < a; b++)
            if (strcmp(attrs[a], attrs[b]) == 0)
                return mg__fail(err, MG_ERR_USAGE, "protected attribute '%s' is given twice",
                                attrs[a]);
    }
    unsigned binary_only =
        MG_FAIR_GATE(MG_FAIR_DEMOGRAPHIC_PARITY) | MG_FAIR_GATE(MG_FAIR_EQUALIZED_ODDS) |
        MG_FAIR_GATE(MG_FAIR_EQUAL_OPPORTUNITY) | MG_FAIR_GATE(MG_FAIR_DISPARATE_IMPACT);
    unsigned all = MG_FAIR_GATE(MG_FAIR_NMEASURES) - 1;
    unsigned allowed = t->task == MG_TASK_BINARY ? binary_only : all & ~binary_only;
    if (o->gates & ~allowed)
        for (int m = 0; m < MG_FAIR_NMEASURES; m++)
            if ((o->gates & ~allowed) & MG_FAIR_GATE(m))
                return mg__fail(err, MG_ERR_USAGE, "cannot gate %s on a %s task", measure_names[m],
                                mg_task_name(t->task));
    if (t->task == MG_TASK_REGRESSION && o->reference_attr != NULL)
        return mg__fail(err, MG_ERR_USAGE,
                        "a reference group (disparate impact) needs a binary task");
    if ((o->gates & MG_FAIR_GATE(MG_FAIR_DISPARATE_IMPACT)) && o->reference_attr == NULL)
        return mg__fail(err, MG_ERR_USAGE, "gating disparate_impact needs a reference group");
    return MG_OK;
}

/* Drops groups that no row belongs to (unused dictionary entries). */
static void compact(mg__fair_index *ix, mg__fair_sums *sums, int64_t n) {
    int32_t *map = mg__malloc_array((size_t)ix->ngroups + 1, sizeof *map);
    if (map == NULL)
        return; /* keeping empty groups is harmless: they are listed as excluded */
    int k = 0;
    for (int g = 0; g < ix->ngroups; g++) {
        int64_t rows = sums[g].n[0] + sums[g].n[1] + sums[g].n[2] + sums[g].n[3];
        if (rows == 0) {
            free(ix->names[g]);
            mg__fair_values_free(ix->values[g], ix->nparts);
            map[g] = -1;
            continue;
        }
        map[g] = k;
        ix->names[k] = ix->names[g];
        ix->values[k] = ix->values[g];
        sums[k] = sums[g];
        k++;
    }
    for (int64_t i = 0; i < n; i++)
        ix->gid[i] = map[ix->gid[i]];
    ix->ngroups = k;
    free(map);
}

/* The point-estimate verdict of a gated measure. */
static void point_verdict(mg_disparity *d, double t) {
    if (d->ratio.null_reason != NULL || d->ratio_max.null_reason != NULL) {
        d->verdict = MG_VERDICT_INCONCLUSIVE;
        d->reason = d->ratio.null_reason ? d->ratio.null_reason : d->ratio_max.null_reason;
    } else if (isnan(d->ratio.v) || isnan(d->ratio_max.v) || isnan(t)) {
        /* Never decided on a NaN: every comparison with one is false. */
        d->verdict = MG_VERDICT_INCONCLUSIVE;
        d->reason = "the ratio is undefined (not a number)";
    } else {
        /* The band [t, 1/t] is two gates: the smallest ratio >= t, the largest <= 1/t. */
        d->verdict = mg_verdict_worse(mg_gate_verdict(MG_GATE_MIN, t, d->ratio.v, NAN, NAN, false),
                                      mg_gate_verdict(MG_GATE_MAX, 1 / t, d->ratio_max.v, NAN,
                                                      NAN, false));
        d->reason = d->verdict == MG_VERDICT_PASS
                        ? NULL
                        : "the ratio lies outside the band [threshold, 1/threshold]";
    }
}

/* Fills attribute a from its index: sums, groups, reference, measures. */
static mg_status assess_attr(mg_fairness *f, const mg_targets *t, const mg__fair_sums *all,
                             mg__fair_index *ix, mg_fairness_attr *at, mg_error *err) {
    mg__fair_sums *sums = mg__calloc((size_t)ix->ngroups + 1, sizeof *sums);
    bool *include = mg__calloc((size_t)ix->ngroups + 1, sizeof *include);
    at->groups = mg__calloc((size_t)ix->ngroups + 1, sizeof *at->groups);
    if (sums == NULL || include == NULL || at->groups == NULL) {
        free(sums);
        free(include);
        return mg__nomem(err, "the group sums");
    }
    for (int64_t i = 0; i < t->n; i++)
        mg__fair_add(&sums[ix->gid[i]], t, i, t->w ? t->w[i] : 1.0);
    compact(ix, sums, t->n);
    at->ngroups = ix->ngroups;
    at->reference = -1;
    for (int g = 0; g < ix->ngroups; g++) {
        mg_fairness_group *grp = &at->groups[g];
        grp->name = ix->names[g];
        ix->names[g] = NULL; /* moved */
        grp->values = ix->values[g];
        grp->nvalues = ix->nparts;
        ix->values[g] = NULL;
        fill_group(grp, &sums[g], t->task, t->w != NULL, f->opts.level);
        grp->excluded = grp->n < f->opts.min_group_size;
        include[g] = !grp->excluded;
    }
    mg_status st = MG_OK;
    const mg_fairness_options *o = &f->opts;
    if (o->reference_attr != NULL && at->nparts == 1 && strcmp(o->reference_attr, at->name) == 0) {
        /* By value, never by display name: the text "(null)" is a value like
         * any other, and the missing group is asked for by reference_missing. */
        for (int g = 0; g < at->ngroups; g++) {
            const char *v = at->groups[g].values[0];
            if (o->reference_missing ? v == NULL : v != NULL && strcmp(v, o->reference_group) == 0)
                at->reference = g;
        }
        if (at->reference < 0) {
            mg__buf names = {0};
            for (int g = 0; g < at->ngroups; g++) {
                const char *v = at->groups[g].values[0];
                if (g > 0)
                    mg__buf_puts(&names, ", ");
                if (v != NULL)
                    mg__buf_printf(&names, "'%s'", v);
                else
                    mg__buf_puts(&names, "a missing value");
            }
            if (o->reference_missing)
                st = mg__fail(err, MG_ERR_DATA,
                              "reference group: '%s' has no missing values (groups: %s)", at->name,
                              names.data ? names.data : "none");
            else
                st = mg__fail(err, MG_ERR_DATA,
                              "reference group '%s' does not occur in '%s' (groups: %s)",
                              o->reference_group, at->name, names.data ? names.data : "none");
            mg__buf_release(&names);
        }
    }
    for (int m = 0; m < MG_FAIR_NMEASURES && st == MG_OK; m++) {
        bool binary_measure = m <= MG_FAIR_DISPARATE_IMPACT;
        at->has_measure[m] = (t->task == MG_TASK_BINARY) == binary_measure &&
                             (m != MG_FAIR_DISPARATE_IMPACT || at->reference >= 0);
        if (!at->has_measure[m])
            continue;
        mg_disparity *d = &at->measures[m];
        mg__fair_measure((mg_fairness_measure)m, o->method, sums, include, at->ngroups, all,
                         at->reference, d);
        d->gated = (o->gates & MG_FAIR_GATE(m)) != 0;
        if (d->gated)
            point_verdict(d, o->threshold);
    }
    if (st == MG_OK && at->reference >= 0) {
        double ref = at->groups[at->reference].selection_rate.value.v;
        for (int g = 0; g < at->ngroups; g++) {
            double v = at->groups[g].selection_rate.value.v;
            at->groups[g].disparate_impact =
                ref > 0 ? mg_value_of(v / ref)
                        : mg_value_null("the reference group's selection rate is 0");
        }
    }
    free(sums);
    free(include);
    return st;
}

mg_status mg_fairness_compute(const mg_targets *t, const mg_table *table, const char *const *attrs,
                              int nattrs, const mg_fairness_options *opts, mg_fairness *out,
                              mg_error *err) {
    memset(out, 0, sizeof *out);
    mg_fairness_options o;
    if (opts != NULL)
        o = *opts;
    else
        mg_fairness_options_init(&o);
    if (o.bootstrap_samples == 0)
        o.bootstrap_samples = 1000;
    MG_TRY(check_inputs(t, table, attrs, nattrs, &o, err));
    if (o.gates == 0)
        o.gates =
            MG_FAIR_GATE(t->task == MG_TASK_BINARY ? MG_FAIR_DEMOGRAPHIC_PARITY : MG_FAIR_MAE);
    if (o.reference_attr != NULL)
        o.gates |= MG_FAIR_GATE(MG_FAIR_DISPARATE_IMPACT);
    out->task = t->task;
    out->n = t->n;
    out->weighted = t->w != NULL;
    out->decision_threshold = t->decision_threshold;
    out->opts = o;

    bool combined = o.intersectional && nattrs > 1;
    int nix = nattrs + (combined ? 1 : 0);
    mg__fair_index *ix = mg__calloc((size_t)nix, sizeof *ix);
    out->attrs = mg__calloc((size_t)nix, sizeof *out->attrs);
    if (ix == NULL || out->attrs == NULL) {
        free(ix);
        mg_fairness_release(out);
        return mg__nomem(err, "the protected attributes");
    }
    /* The whole data set, for reports and to_overall. */
    mg__fair_sums all;
    memset(&all, 0, sizeof all);
    for (int64_t i = 0; i < t->n; i++)
        mg__fair_add(&all, t, i, t->w ? t->w[i] : 1.0);
    fill_group(&out->overall, &all, t->task, t->w != NULL, o.level);
    mg_status st = MG_OK;
    for (int a = 0; a < nattrs && st == MG_OK; a++)
        st = mg__fair_index_column(mg_table_column(table, attrs[a]), o.max_groups, &ix[a], err);
    if (st == MG_OK && combined) {
        mg__buf name = {0};
        for (int p = 0; p < nattrs; p++)
            mg__buf_printf(&name, "%s%s", p ? "|" : "", attrs[p]);
        st = name.failed ? mg__nomem(err, "an attribute name")
                         : mg__fair_index_combine(ix, nattrs, t->n, o.max_groups, name.data,
                                                  &ix[nattrs], err);
        mg__buf_release(&name);
    }
    for (int a = 0; a < nix && st == MG_OK; a++) {
        mg_fairness_attr *at = &out->attrs[out->nattrs++];
        mg__buf name = {0};
        for (int p = 0; p < (a < nattrs ? 1 : nattrs); p++)
            mg__buf_printf(&name, "%s%s", p ? "|" : "", attrs[a < nattrs ? a : p]);
        if ((at->name = mg__buf_detach(&name)) == NULL)
            st = mg__nomem(err, "an attribute name");
        at->nparts = a < nattrs ? 1 : nattrs;
        at->parts = mg__calloc((size_t)at->nparts, sizeof *at->parts);
        at->part_types = mg__calloc((size_t)at->nparts, sizeof *at->part_types);
        if (st == MG_OK && (at->parts == NULL || at->part_types == NULL))
            st = mg__nomem(err, "an attribute name");
        for (int p = 0; p < at->nparts && st == MG_OK; p++) {
            const char *col = attrs[a < nattrs ? a : p];
            at->part_types[p] = mg_table_column(table, col)->type;
            if ((at->parts[p] = mg__strdup(col)) == NULL)
                st = mg__nomem(err, "an attribute name");
        }
        if (at->parts == NULL || at->part_types == NULL)
            at->nparts = 0; /* else mg_fairness_release frees the names copied so far */
        if (st == MG_OK)
            st = assess_attr(out, t, &all, &ix[a], at, err);
    }
    if (st == MG_OK && o.reference_attr != NULL) {
        bool found = false;
        for (int a = 0; a < nattrs; a++)
            found = found || strcmp(attrs[a], o.reference_attr) == 0;
        if (!found)
            st = mg__fail(err, MG_ERR_USAGE,
                          "reference attribute '%s' is not among the protected attributes%s",
                          o.reference_attr,
                          combined && strcmp(out->attrs[nattrs].name, o.reference_attr) == 0
                              ? " (a reference group is for one attribute, not the intersection)"
                              : "");
    }
    if (st == MG_OK && o.confidence > 0)
        st = mg__fair_bootstrap(out, t, ix, err);
    if (st == MG_OK) {
        /* The weights were scaled by 2^-w_exp2 when loaded: report the data's. */
        out->overall.weight = ldexp(out->overall.weight, t->w_exp2);
        for (int a = 0; a < out->nattrs; a++)
            for (int g = 0; g < out->attrs[a].ngroups; g++)
                out->attrs[a].groups[g].weight = ldexp(out->attrs[a].groups[g].weight, t->w_exp2);
        out->verdict = MG_VERDICT_PASS;
        for (int a = 0; a < out->nattrs; a++) {
            mg_fairness_attr *at = &out->attrs[a];
            at->verdict = MG_VERDICT_PASS;
            for (int m = 0; m < MG_FAIR_NMEASURES; m++)
                if (at->has_measure[m] && at->measures[m].gated)
                    at->verdict = mg_verdict_worse(at->verdict, at->measures[m].verdict);
            out->verdict = mg_verdict_worse(out->verdict, at->verdict);
        }
    }
    for (int a = 0; a < nix; a++)
        mg__fair_index_release(&ix[a]);
    free(ix);
    if (st != MG_OK)
        mg_fairness_release(out);
    return st;
}
