/* fairness_json.c - fairness.json (DESIGN §5, §18): one object per measure keyed by
 * attribute (results['demographic_parity'][attr]['ratio'] is the tutorial's
 * path), excluded groups, the verdicts, and the reason for every null. Groups
 * are never keys: each is an entry whose "value" is the attribute's value
 * (null when missing) or, for the intersection, the array of its values. */
#include "internal.h"
#include "modelgate/report.h"
#include "report/metrics_json.h"
#include "util/json.h"

/* The JSON being written and the reasons of its nulls, keyed by path. */
typedef struct writer {
    mg__json j;
    char **paths;         /* owned */
    const char **reasons; /* static */
    int nreasons, cap;
} writer;

/* Writes a value and records the reason when it is null. */
static void value(writer *w, const char *key, mg_value v, const char *path) {
    mg__json_kv_value(&w->j, key, v);
    if (v.null_reason == NULL)
        return;
    if (w->nreasons == w->cap) {
        int cap = w->cap ? 2 * w->cap : 16;
        char **p = mg__realloc_array(w->paths, (size_t)cap, sizeof *p);
        if (p != NULL)
            w->paths = p;
        const char **r = mg__realloc_array(w->reasons, (size_t)cap, sizeof *r);
        if (r != NULL)
            w->reasons = r;
        if (p == NULL || r == NULL) {
            w->j.out.failed = true; /* the document is reported as out of memory */
            return;
        }
        w->cap = cap;
    }
    char *copy = mg__strdup(path);
    if (copy == NULL) {
        w->j.out.failed = true;
        return;
    }
    w->paths[w->nreasons] = copy;
    w->reasons[w->nreasons++] = v.null_reason;
}

/* The path of a value in fairness.json, for null_reasons. */
static const char *path_of(char *buf, size_t cap, const char *a, const char *b, const char *c,
                           const char *d) {
    snprintf(buf, cap, "%s.%s%s%s%s%s", a, b, c ? "." : "", c ? c : "", d ? "." : "", d ? d : "");
    return buf;
}

static void interval(mg__json *j, const char *key, const mg_interval *ci) {
    mg__json_key(j, key);
    mg__json_begin_object(j);
    mg__json_kv_number(j, "low", ci->low);
    mg__json_kv_number(j, "high", ci->high);
    mg__json_end_object(j);
}

static void rate(writer *w, const char *key, const mg_rate *r, const char *prefix) {
    char path[600], ckey[64];
    snprintf(ckey, sizeof ckey, "%s_ci", key);
    snprintf(path, sizeof path, "%s.%s", prefix, key);
    value(w, key, r->value, path);
    if (r->value.null_reason == NULL)
        interval(&w->j, ckey, &r->ci);
    else
        mg__json_kv_null(&w->j, ckey);
}

/* One attribute value as JSON: null when missing, a number for an integer
 * column, a boolean for a boolean one, else a string. */
static void attr_value(mg__json *j, const char *v, mg_type type) {
    int64_t i;
    if (v == NULL)
        mg__json_null(j);
    else if (type == MG_TYPE_I64 && mg_parse_int64(v, strlen(v), &i) == 0)
        mg__json_int(j, i);
    else if (type == MG_TYPE_BOOL)
        mg__json_bool(j, strcmp(v, "true") == 0);
    else
        mg__json_string(j, v);
}

/* A group's "value": the value, or the array of an intersection's values. */
static void group_value(mg__json *j, const mg_fairness_attr *at, const mg_fairness_group *g) {
    mg__json_key(j, "value");
    if (at->nparts == 1) {
        attr_value(j, g->values[0], at->part_types[0]);
        return;
    }
    mg__json_begin_array(j);
    for (int p = 0; p < at->nparts; p++)
        attr_value(j, g->values[p], at->part_types[p]);
    mg__json_end_array(j);
}

/* One group's figures, led by its value when `at` is given (not for
 * overall); `prefix` is its path for null_reasons. */
static void group_stats(writer *w, const mg_fairness *f, const mg_fairness_attr *at,
                        const mg_fairness_group *g, bool with_impact, const char *prefix) {
    mg__json *j = &w->j;
    char path[600];
    mg__json_begin_object(j);
    if (at != NULL)
        group_value(j, at, g);
    mg__json_kv_int(j, "n", g->n);
    if (f->weighted)
        mg__json_kv_number(j, "weight", g->weight);
    if (f->task == MG_TASK_REGRESSION) {
        const char *names[] = {"mean_prediction", "mean_label", "mae", "rmse"};
        const mg_value *vals[] = {&g->mean_prediction, &g->mean_label, &g->mae, &g->rmse};
        for (int k = 0; k < 4; k++) {
            snprintf(path, sizeof path, "%s.%s", prefix, names[k]);
            value(w, names[k], *vals[k], path);
        }
        mg__json_end_object(j);
        return;
    }
    mg__json_kv_int(j, "positives", g->positives);
    mg__json_kv_int(j, "actual_positives", g->actual_positives);
    rate(w, "selection_rate", &g->selection_rate, prefix);
    rate(w, "tpr", &g->tpr, prefix);
    rate(w, "fpr", &g->fpr, prefix);
    rate(w, "fnr", &g->fnr, prefix);
    rate(w, "precision", &g->precision, prefix);
    rate(w, "accuracy", &g->accuracy, prefix);
    rate(w, "base_rate", &g->base_rate, prefix);
    if (with_impact) {
        snprintf(path, sizeof path, "%s.disparate_impact", prefix);
        value(w, "disparate_impact", g->disparate_impact, path);
    }
    mg__json_end_object(j);
}

static void measure(writer *w, const mg_fairness *f, mg_fairness_measure m) {
    mg__json *j = &w->j;
    const char *mname = mg_fairness_measure_name(m);
    bool any = false;
    for (int a = 0; a < f->nattrs; a++)
        any = any || f->attrs[a].has_measure[m];
    if (!any)
        return;
    mg__json_key(j, mname);
    mg__json_begin_object(j);
    char path[512];
    for (int a = 0; a < f->nattrs; a++) {
        const mg_fairness_attr *at = &f->attrs[a];
        if (!at->has_measure[m])
            continue;
        const mg_disparity *d = &at->measures[m];
        mg__json_key(j, at->name);
        mg__json_begin_object(j);
        if (at->nparts > 1) {
            mg__json_key(j, "attributes");
            mg__json_begin_array(j);
            for (int p = 0; p < at->nparts; p++)
                mg__json_string(j, at->parts[p]);
            mg__json_end_array(j);
        }
        if (m == MG_FAIR_DISPARATE_IMPACT) {
            mg__json_key(j, "reference");
            attr_value(j, at->groups[at->reference].values[0], at->part_types[0]);
            value(w, "ratio", d->ratio, path_of(path, sizeof path, mname, at->name, "ratio", NULL));
            value(w, "ratio_max", d->ratio_max,
                  path_of(path, sizeof path, mname, at->name, "ratio_max", NULL));
        } else {
            value(w, "ratio", d->ratio, path_of(path, sizeof path, mname, at->name, "ratio", NULL));
        }
        value(w, "difference", d->difference,
              path_of(path, sizeof path, mname, at->name, "difference", NULL));
        mg__json_kv_string(j, "method",
                           m == MG_FAIR_DISPARATE_IMPACT ? "to_reference"
                                                         : mg_fairness_method_name(f->opts.method));
        if (m == MG_FAIR_EQUALIZED_ODDS) {
            const char *names[] = {"tpr_ratio", "tpr_difference", "fpr_ratio", "fpr_difference"};
            const mg_value *vals[] = {&d->tpr_ratio, &d->tpr_difference, &d->fpr_ratio,
                                      &d->fpr_difference};
            for (int k = 0; k < 4; k++)
                value(w, names[k], *vals[k],
                      path_of(path, sizeof path, mname, at->name, names[k], NULL));
        }
        mg__json_kv_bool(j, "gated", d->gated);
        if (d->gated) {
            mg__json_kv_string(j, "verdict", mg_verdict_name(d->verdict));
            mg__json_kv_string(j, "reason", d->reason);
        }
        if (d->has_ci) {
            mg__json_key(j, "ci");
            mg__json_begin_object(j);
            mg__json_kv_number(j, "low", d->ratio_ci.low);
            mg__json_kv_number(j, "high", d->ratio_ci.high);
            if (m == MG_FAIR_DISPARATE_IMPACT) {
                mg__json_kv_number(j, "max_low", d->ratio_max_ci.low);
                mg__json_kv_number(j, "max_high", d->ratio_max_ci.high);
            }
            mg__json_kv_number(j, "level", d->ratio_ci.level);
            mg__json_kv_string(j, "method", d->ratio_ci.method);
            mg__json_kv_number(j, "p_fail", d->p_fail);
            mg__json_kv_number(j, "p_pass", d->p_pass);
            mg__json_kv_string(j, "correction", "holm");
            mg__json_kv_int(j, "replicates", f->opts.bootstrap_samples);
            mg__json_kv_int(j, "undefined_replicates", d->undefined_replicates);
            mg__json_end_object(j);
        }
        /* The group table lives under the first measure of the task. */
        if (m == MG_FAIR_DEMOGRAPHIC_PARITY || m == MG_FAIR_MEAN_PREDICTION) {
            mg__json_key(j, "groups");
            mg__json_begin_array(j);
            int k = 0;
            for (int g = 0; g < at->ngroups; g++) {
                if (at->groups[g].excluded)
                    continue;
                char prefix[600];
                snprintf(prefix, sizeof prefix, "%s.%s.groups[%d]", mname, at->name, k++);
                group_stats(w, f, at, &at->groups[g], at->reference >= 0, prefix);
            }
            mg__json_end_array(j);
        }
        mg__json_end_object(j);
    }
    mg__json_end_object(j);
}

static void null_reasons(writer *w) {
    mg__json_key(&w->j, "null_reasons");
    mg__json_begin_object(&w->j);
    for (int k = 0; k < w->nreasons; k++)
        mg__json_kv_string(&w->j, w->paths[k], w->reasons[k]);
    mg__json_end_object(&w->j);
}

mg_status mg_fairness_json(const mg_fairness *f, const mg_provenance *prov, char **out, size_t *len,
                           mg_error *err) {
    writer w;
    memset(&w, 0, sizeof w);
    mg__json *j = &w.j;
    mg__json_begin_object(j);
    for (int m = 0; m < MG_FAIR_NMEASURES; m++)
        measure(&w, f, (mg_fairness_measure)m);
    /* The first MG_FAIRNESS_EXCLUDED_LISTED excluded groups of an attribute
     * by name; the rest as counts, so that many tiny groups cannot make the
     * report as large as the data. */
    mg__json_key(j, "excluded_groups");
    mg__json_begin_object(j);
    for (int a = 0; a < f->nattrs; a++) {
        const mg_fairness_attr *at = &f->attrs[a];
        mg__json_key(j, at->name);
        mg__json_begin_array(j);
        int listed = 0;
        for (int g = 0; g < at->ngroups; g++)
            if (at->groups[g].excluded && listed++ < MG_FAIRNESS_EXCLUDED_LISTED) {
                mg__json_begin_object(j);
                group_value(j, at, &at->groups[g]);
                mg__json_kv_int(j, "n", at->groups[g].n);
                mg__json_end_object(j);
            }
        mg__json_end_array(j);
    }
    mg__json_end_object(j);
    mg__json_key(j, "excluded_groups_not_listed");
    mg__json_begin_object(j);
    for (int a = 0; a < f->nattrs; a++) {
        int64_t groups = 0, rows = 0, listed = 0;
        for (int g = 0; g < f->attrs[a].ngroups; g++)
            if (f->attrs[a].groups[g].excluded && listed++ >= MG_FAIRNESS_EXCLUDED_LISTED) {
                groups++;
                rows += f->attrs[a].groups[g].n;
            }
        if (groups == 0)
            continue;
        mg__json_key(j, f->attrs[a].name);
        mg__json_begin_object(j);
        mg__json_kv_int(j, "groups", groups);
        mg__json_kv_int(j, "rows", rows);
        mg__json_end_object(j);
    }
    mg__json_end_object(j);
    mg__json_key(j, "overall");
    group_stats(&w, f, NULL, &f->overall, false, "overall");
    mg__json_kv_string(j, "task", mg_task_name(f->task));
    mg__json_kv_int(j, "n", f->n);
    if (f->task == MG_TASK_BINARY)
        mg__json_kv_number(j, "decision_threshold", f->decision_threshold);
    mg__json_kv_number(j, "threshold", f->opts.threshold);
    mg__json_kv_number(j, "threshold_high", 1 / f->opts.threshold);
    mg__json_kv_string(j, "method", mg_fairness_method_name(f->opts.method));
    mg__json_kv_int(j, "min_group_size", f->opts.min_group_size);
    mg__json_kv_bool(j, "intersectional", f->opts.intersectional);
    if (f->opts.confidence > 0) {
        mg__json_kv_number(j, "confidence", f->opts.confidence);
        mg__json_kv_int(j, "seed", (int64_t)f->opts.seed);
    } else {
        mg__json_kv_null(j, "confidence");
    }
    mg__json_kv_number(j, "ci_level", f->opts.level);
    mg__json_kv_string(j, "ci_method", "wilson");
    mg__json_key(j, "gated");
    mg__json_begin_array(j);
    for (int m = 0; m < MG_FAIR_NMEASURES; m++)
        if (f->opts.gates & MG_FAIR_GATE(m))
            mg__json_string(j, mg_fairness_measure_name((mg_fairness_measure)m));
    mg__json_end_array(j);
    mg__json_kv_string(j, "verdict", mg_verdict_name(f->verdict));
    mg__json_key(j, "verdicts");
    mg__json_begin_object(j);
    for (int a = 0; a < f->nattrs; a++)
        mg__json_kv_string(j, f->attrs[a].name, mg_verdict_name(f->attrs[a].verdict));
    mg__json_end_object(j);
    null_reasons(&w);
    if (prov != NULL)
        mg__provenance_json(j, prov); /* the same keys as metrics.json */
    mg__json_end_object(j);
    for (int k = 0; k < w.nreasons; k++)
        free(w.paths[k]);
    free(w.paths);
    free(w.reasons);
    *out = mg__json_finish(j, len);
    return *out != NULL ? MG_OK : mg__nomem(err, "fairness.json");
}
