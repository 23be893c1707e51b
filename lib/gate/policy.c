/* policy.c - modelgate.yml (DESIGN §14): reading the file, walking its
 * mappings against the key table (policy_keys.c), the --set overrides and
 * the checks only the whole policy allows. */
#include "gate/policy_keys.h"
#include "modelgate/fairness.h"
#include "modelgate/metric_registry.h"
#include "modelgate/slices.h"

#define MAX_SEGS 8

void mg_policy_init(mg_policy *p) {
    memset(p, 0, sizeof *p);
    p->version = 1;
    p->task = MG_TASK_AUTO;
    p->features_auto = true;
    p->decision_threshold = 0.5;
    p->seed = 42;
    p->bootstrap = 1000;
    p->latency.samples = 1000;
    p->latency.warmup = -1;
    p->latency.batch_size = 1;
    p->fairness.min_group_size = 30;
    p->slices.bins = MG_POLICY_SLICE_BINS;
    p->slices.min_slice_size = MG_POLICY_SLICE_MIN_SIZE;
    p->on_inconclusive = MG_ON_INCONCLUSIVE_FAIL;
}

/* The defaults that are strings: init does not allocate, so load, parse and
 * the overrides fill them. */
static mg_status fill_string_defaults(mg_policy *p, mg_error *err) {
    if (p->label == NULL && (p->label = mg__strdup("label")) == NULL)
        return mg__nomem(err, "the policy");
    if (p->outputs_dir == NULL && (p->outputs_dir = mg__strdup("modelgate-results")) == NULL)
        return mg__nomem(err, "the policy");
    if (p->report_id == NULL && (p->report_id = mg__strdup("gate")) == NULL)
        return mg__nomem(err, "the policy");
    if (p->fairness.method == NULL && (p->fairness.method = mg__strdup("between_groups")) == NULL)
        return mg__nomem(err, "the policy");
    return MG_OK;
}

static void free_strings(char **list, int n) {
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void free_bounds(mg_policy_bound *b, int n) {
    for (int i = 0; i < n; i++)
        free(b[i].metric);
    free(b);
}

void mg_policy_release(mg_policy *p) {
    if (p == NULL)
        return;
    free(p->path);
    free(p->base_dir);
    free(p->test_data);
    free(p->label);
    free_strings(p->features, p->nfeatures);
    free_strings(p->ignore, p->nignore);
    free(p->weight);
    free(p->id);
    free(p->positive_label);
    free(p->predictions);
    free_strings(p->classes, p->nclasses);
    free(p->model);
    free(p->baseline);
    free_bounds(p->metric_gates, p->nmetric_gates);
    free_bounds(p->latency.bounds, p->latency.nbounds);
    free_strings(p->fairness.protected_attributes, p->fairness.nprotected);
    free(p->fairness.method);
    free(p->fairness.reference_attribute);
    free(p->fairness.reference_group);
    free_bounds(p->fairness.bounds, p->fairness.nbounds);
    for (int i = 0; i < p->regression.nrules; i++)
        free(p->regression.rules[i].metric);
    free(p->regression.rules);
    mg__policy_slices_release(&p->slices);
    free(p->outputs_dir);
    free(p->report_id);
    for (int i = 0; i < p->nplaces; i++) {
        free(p->places[i].key);
        free(p->places[i].origin);
    }
    free(p->places);
    memset(p, 0, sizeof *p);
}

static const mg_policy_key_place *find_place(const mg_policy *p, const char *key) {
    for (int i = 0; i < p->nplaces; i++)
        if (strcmp(p->places[i].key, key) == 0)
            return &p->places[i];
    return NULL;
}

/* ---- walking the file -------------------------------------------------- */

/* segs[0..nsegs) joined with dots into buf. */
static void join(const char *const *segs, int nsegs, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < nsegs && n < cap; i++) {
        int w = snprintf(buf + n, cap - n, "%s%s", i ? "." : "", segs[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

static mg_status unknown_key(const mg__kctx *ctx, const char *const *segs, int nsegs, int line,
                             int column) {
    char key[512], parent[512];
    join(segs, nsegs, key, sizeof key);
    join(segs, nsegs - 1, parent, sizeof parent);
    const char *near = mg__key_closest(segs, nsegs);
    if (near != NULL)
        return mg__key_fail(ctx, line, column, key, "unknown key; did you mean %s%s%s?", parent,
                            nsegs > 1 ? "." : "", near);
    const char *last = segs[nsegs - 1];
    if (last[0] != '\0' && strspn(last, "0123456789") == strlen(last))
        return mg__key_fail(ctx, line, column, key,
                            "unknown key (a decimal comma? write numbers with a point, like "
                            "0.85)");
    if (nsegs >= 2 && (strcmp(segs[0], "gates") == 0 || strcmp(segs[0], "slices") == 0))
        return mg__key_fail(ctx, line, column, key,
                            "unknown key (see docs/policy.md for the keys allowed under %s)",
                            parent);
    return mg__key_fail(ctx, line, column, key, "unknown key (see docs/policy.md)");
}

/* An operating point's gate has one name: recall_at_precision_0.8, not
 * _0.80 or _.8 (two spellings would be two gates on one point). */
static mg_status canonical_point(const mg__kctx *ctx, const char *const *segs, int nsegs, int wild,
                                 int line, int column) {
    mg_operating_point op;
    if (wild < 0 || mg_operating_point_from_name(segs[wild], &op) != 0 ||
        strcmp(op.name, segs[wild]) == 0)
        return MG_OK;
    char key[512];
    join(segs, nsegs, key, sizeof key);
    return mg__key_fail(ctx, line, column, key, "write %s: one name per operating point",
                        op.name);
}

static mg_status walk_map(const mg__kctx *ctx, const mg__ynode *map, const char **segs, int nsegs);

/* One key: value pair under the parent segs[0..nsegs). */
static mg_status walk_pair(const mg__kctx *ctx, const mg__ynode *k, const mg__ynode *v,
                           const char **segs, int nsegs) {
    if (k->kind != MG__Y_SCALAR || mg__ynode_is_null(k) || k->len == 0) {
        char parent[512];
        join(segs, nsegs, parent, sizeof parent);
        return mg__key_fail(ctx, k->line, k->column, nsegs ? parent : "(top level)",
                            "a key must be a name");
    }
    if (nsegs >= MAX_SEGS)
        return mg__key_fail(ctx, k->line, k->column, k->text,
                            "nesting deeper than any policy key needs");
    segs[nsegs] = k->text;
    char key[512];
    join(segs, nsegs + 1, key, sizeof key);
    int wild = -1;
    const mg__kentry *e = mg__key_find(segs, nsegs + 1, &wild);
    if (e == NULL)
        return unknown_key(ctx, segs, nsegs + 1, k->line, k->column);
    MG_TRY(canonical_point(ctx, segs, nsegs + 1, wild, k->line, k->column));
    if (e->type == MG__K_SECTION) {
        if (v->kind != MG__Y_MAP) {
            char got[64];
            snprintf(got, sizeof got, "%s",
                     v->kind == MG__Y_SEQ                  ? "a list"
                     : mg__ynode_is_null(v) && v->len == 0 ? "no value"
                                                           : "a single value");
            return mg__key_fail(ctx, v->line, v->column, key,
                                "expected a mapping of keys, found %s", got);
        }
        MG_TRY(mg__key_section(ctx, e, segs, nsegs + 1, wild, key, k->line, k->column));
        return walk_map(ctx, v, segs, nsegs + 1);
    }
    MG_TRY(mg__key_assign(ctx, e, segs, nsegs + 1, wild, key, v));
    return mg__key_record(ctx, key, k->line, k->column);
}

static mg_status walk_map(const mg__kctx *ctx, const mg__ynode *map, const char **segs, int nsegs) {
    for (int i = 0; i + 1 < map->nkids; i += 2) {
        const mg__ynode *k = &map->kids[i];
        if (k->kind == MG__Y_SCALAR)
            for (int j = 0; j < i; j += 2)
                if (map->kids[j].kind == MG__Y_SCALAR && strcmp(map->kids[j].text, k->text) == 0) {
                    segs[nsegs] = k->text;
                    char key[512];
                    join(segs, nsegs + 1, key, sizeof key);
                    return mg__key_fail(ctx, k->line, k->column, key,
                                        "duplicate key (first written at line %d, column %d)",
                                        map->kids[j].line, map->kids[j].column);
                }
        MG_TRY(walk_pair(ctx, k, &map->kids[i + 1], segs, nsegs));
    }
    return MG_OK;
}

/* ---- checks of the whole policy ---------------------------------------- */

/* MG_ERR_USAGE naming `key` at its place (or its parent's, or the start of
 * the file, for a key that is missing). */
static mg_status fail_key(const mg_policy *p, mg_error *err, const char *key, const char *near,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static mg_status fail_key(const mg_policy *p, mg_error *err, const char *key, const char *near,
                          const char *fmt, ...) {
    char what[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const mg_policy_key_place *kp = find_place(p, key);
    if (kp == NULL && near != NULL)
        kp = find_place(p, near);
    const char *name = p->path ? p->path : "";
    if (kp != NULL && kp->origin != NULL) {
        if (strstr(kp->origin, key) != NULL) /* "--set KEY" names it already */
            mg__fail(err, MG_ERR_USAGE, "%s: %s", kp->origin, what);
        else
            mg__fail(err, MG_ERR_USAGE, "%s: %s: %s", kp->origin, key, what);
        return mg__error_at(err, kp->origin, 0, 0, -1);
    }
    int line = kp ? kp->place.line : 1, column = kp ? kp->place.column : 1;
    if (line <= 0) { /* set by the program, not by a file */
        mg__fail(err, MG_ERR_USAGE, "%s: %s", key, what);
        return mg__error_at(err, name, 0, 0, -1);
    }
    mg__fail(err, MG_ERR_USAGE, "%s:%d:%d: %s: %s", name, line, column, key, what);
    return mg__error_at(err, name, line, column, -1);
}

static mg_status check_bound(const mg_policy *p, const char *section, const mg_policy_bound *b,
                             mg_error *err) {
    char key[256], kmin[300];
    snprintf(key, sizeof key, "%s.%s", section, b->metric);
    snprintf(kmin, sizeof kmin, "%s.min", key);
    if (!b->has_min && !b->has_max)
        return fail_key(p, err, key, NULL, "give min and/or max");
    if (b->has_min && b->has_max && b->min > b->max) {
        char lo[32], hi[32];
        mg_format_double(b->min, lo, sizeof lo);
        mg_format_double(b->max, hi, sizeof hi);
        /* name the override that made the pair inconsistent: min when it was
         * overridden, else max when that was (the file's min is then cited) */
        char kmax[300], where[400];
        snprintf(kmax, sizeof kmax, "%s.max", key);
        const mg_policy_key_place *pmin = find_place(p, kmin), *pmax = find_place(p, kmax);
        if ((pmin == NULL || pmin->origin == NULL) && pmax != NULL && pmax->origin != NULL)
            return fail_key(p, err, kmax, key, "max %s is below min %s (%s)", hi, lo,
                            mg_policy_where(p, kmin, where, sizeof where));
        return fail_key(p, err, kmin, key, "min %s is above max %s", lo, hi);
    }
    return MG_OK;
}

/* A metric name of a gate or rule against the task, when it is known. */
static mg_status check_metric_task(const mg_policy *p, const char *key, const char *metric,
                                   mg_error *err) {
    const mg_metric_def *m = mg_metric_find(metric);
    if (m == NULL)
        return fail_key(p, err, key, NULL, "'%s' is not a metric of modelgate", metric);
    if (p->task == MG_TASK_AUTO || mg_metric_has_task(m, p->task))
        return MG_OK;
    const char *near = mg_metric_closest(metric, p->task);
    return fail_key(p, err, key, NULL, "%s is not a %s metric%s%s%s", metric, mg_task_name(p->task),
                    near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
}

static bool is_quantile(const char *name) {
    return strcmp(name, "max_ms") != 0 && strcmp(name, "mean_ms") != 0;
}

static mg_status check_fairness(const mg_policy *p, mg_error *err) {
    const mg_policy_fairness *f = &p->fairness;
    if (f->nprotected == 0)
        return fail_key(p, err, "gates.fairness.protected_attributes", "gates.fairness",
                        "required key is missing: the columns whose groups are compared "
                        "(like [gender, age_group])");
    bool has_ref = f->reference_attribute != NULL;
    if (has_ref && f->reference_group == NULL && !f->reference_missing)
        return fail_key(p, err, "gates.fairness.reference.group", "gates.fairness.reference",
                        "required key is missing: the reference group's value (null for the "
                        "missing-value group)");
    if (!has_ref && (f->reference_group != NULL || f->reference_missing))
        return fail_key(p, err, "gates.fairness.reference.attribute", "gates.fairness.reference",
                        "required key is missing: the protected attribute of the reference "
                        "group");
    if (has_ref) {
        bool found = false;
        for (int i = 0; i < f->nprotected; i++)
            found = found || strcmp(f->protected_attributes[i], f->reference_attribute) == 0;
        if (!found)
            return fail_key(p, err, "gates.fairness.reference.attribute", NULL,
                            "'%s' is not one of gates.fairness.protected_attributes",
                            f->reference_attribute);
        if (p->task == MG_TASK_REGRESSION)
            return fail_key(p, err, "gates.fairness.reference", NULL,
                            "a reference group (disparate impact) needs a binary task");
    }
    for (int i = 0; i < f->nbounds; i++) {
        const mg_policy_bound *b = &f->bounds[i];
        char key[256];
        snprintf(key, sizeof key, "gates.fairness.%s", b->metric);
        MG_TRY(check_bound(p, "gates.fairness", b, err));
        if (strcmp(b->metric, "disparate_impact_ratio") == 0 && !has_ref)
            return fail_key(p, err, key, NULL,
                            "disparate impact is measured against a reference group: add "
                            "gates.fairness.reference: {attribute: ..., group: ...}");
        bool binary_measure = strncmp(b->metric, "demographic_parity", 18) == 0 ||
                              strncmp(b->metric, "equal", 5) == 0 ||
                              strncmp(b->metric, "disparate_impact", 16) == 0;
        if (p->task != MG_TASK_AUTO && binary_measure != (p->task == MG_TASK_BINARY))
            return fail_key(p, err, key, NULL, "cannot gate %s on a %s task (%s)", b->metric,
                            mg_task_name(p->task),
                            binary_measure ? "it needs a binary task"
                                           : "mean_prediction, mae and rmse are for regression");
    }
    return MG_OK;
}

static bool slices_column(const mg_policy_slices *sl, const char *column) {
    for (int i = 0; i < sl->nby; i++)
        if (strcmp(sl->by[i], column) == 0)
            return true;
    for (int i = 0; i < 2 * sl->ncross; i++)
        if (strcmp(sl->cross[i], column) == 0)
            return true;
    return false;
}

static mg_status check_slices(const mg_policy *p, mg_error *err) {
    const mg_policy_slices *sl = &p->slices;
    if (sl->nby == 0 && sl->ncross == 0)
        return fail_key(p, err, "slices.by", "slices",
                        "required key is missing: the columns to slice by (like [region]), "
                        "or slices.cross (like [[region, channel]])");
    for (int i = 0; i < sl->nedges; i++)
        if (!slices_column(sl, sl->edges[i].column)) {
            char key[512];
            snprintf(key, sizeof key, "slices.edges.%s", sl->edges[i].column);
            return fail_key(p, err, key, "slices.edges",
                            "'%s' is not a column of slices.by or slices.cross",
                            sl->edges[i].column);
        }
    for (int i = 0; i < sl->ngates; i++) {
        const mg_policy_slice_gate *g = &sl->gates[i];
        char key[256], kmin[300], kmax[300];
        snprintf(key, sizeof key, "slices.gates.%s", g->metric);
        MG_TRY(check_metric_task(p, key, g->metric, err));
        if (!g->has_min && !g->has_max && !g->has_max_gap)
            return fail_key(p, err, key, NULL, "give min, max and/or max_gap");
        /* the slice intervals (mg_slice_ci): without one, every slice would
         * be inconclusive */
        static const char *const with_interval[] = {"accuracy", "precision", "recall",
                                                    "specificity", "roc_auc"};
        bool has_interval = false;
        for (size_t k = 0; k < MG_ARRAY_LEN(with_interval); k++)
            has_interval = has_interval || strcmp(g->metric, with_interval[k]) == 0;
        if (g->confidence > 0 && !has_interval) {
            char kconf[300];
            snprintf(kconf, sizeof kconf, "%s.confidence", key);
            return fail_key(p, err, kconf, key,
                            "%s has no per-slice interval; confidence applies to accuracy, "
                            "precision, recall, specificity and roc_auc",
                            g->metric);
        }
        if (g->has_min && g->has_max && g->min > g->max) {
            char lo[32], hi[32], where[400];
            mg_format_double(g->min, lo, sizeof lo);
            mg_format_double(g->max, hi, sizeof hi);
            snprintf(kmin, sizeof kmin, "%s.min", key);
            snprintf(kmax, sizeof kmax, "%s.max", key);
            const mg_policy_key_place *pmin = find_place(p, kmin), *pmax = find_place(p, kmax);
            if ((pmin == NULL || pmin->origin == NULL) && pmax != NULL && pmax->origin != NULL)
                return fail_key(p, err, kmax, key, "max %s is below min %s (%s)", hi, lo,
                                mg_policy_where(p, kmin, where, sizeof where));
            return fail_key(p, err, kmin, key, "min %s is above max %s", lo, hi);
        }
    }
    return MG_OK;
}

mg_status mg_policy_validate(const mg_policy *p, mg_error *err) {
    if (p->test_data == NULL)
        return fail_key(p, err, "data.test", "data",
                        "required key is missing: the test data (a CSV or Parquet file or "
                        "folder), or give --test-data");
    if (p->model == NULL)
        return fail_key(p, err, "model", NULL,
                        "required key is missing: the model to gate (a file, cmd:..., "
                        "column:NAME, registry:NAME@STAGE), or give --model");
    for (int i = 0; i < p->nmetric_gates; i++) {
        const mg_policy_bound *b = &p->metric_gates[i];
        char key[256];
        snprintf(key, sizeof key, "gates.%s", b->metric);
        MG_TRY(check_metric_task(p, key, b->metric, err));
        MG_TRY(check_bound(p, "gates", b, err));
    }
    for (int i = 0; i < p->latency.nbounds; i++) {
        const mg_policy_bound *b = &p->latency.bounds[i];
        MG_TRY(check_bound(p, "gates.latency", b, err));
        if (b->confidence > 0 && !is_quantile(b->metric)) {
            char key[256];
            snprintf(key, sizeof key, "gates.latency.%s.confidence", b->metric);
            return fail_key(p, err, key, NULL,
                            "%s has no interval; confidence applies to the quantiles p50_ms to "
                            "p999_ms",
                            b->metric);
        }
    }
    if (p->fairness.has)
        MG_TRY(check_fairness(p, err));
    if (p->slices.has)
        MG_TRY(check_slices(p, err));
    if (p->regression.has) {
        if (p->regression.nrules == 0)
            return fail_key(p, err, "gates.regression", NULL,
                            "no rule: give a metric with min_change and/or min_relative_change");
        for (int i = 0; i < p->regression.nrules; i++) {
            const mg_policy_rule *r = &p->regression.rules[i];
            char key[256];
            snprintf(key, sizeof key, "gates.regression.%s", r->metric);
            MG_TRY(check_metric_task(p, key, r->metric, err));
            if (!r->has_min_change && !r->has_min_relative_change)
                return fail_key(p, err, key, NULL, "give min_change and/or min_relative_change");
        }
        if (p->baseline == NULL && !p->allow_missing_baseline)
            return fail_key(p, err, "gates.regression", NULL,
                            "the rules compare against a baseline, but there is none: set "
                            "baseline (or --baseline), or allow_missing_baseline: true for a "
                            "first model");
    }
    return MG_OK;
}

/* ---- reading ----------------------------------------------------------- */

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return mg__strdup(".");
    if (slash == path)
        return mg__strdup("/");
    return mg__strndup(path, (size_t)(slash - path));
}

static mg_status parse_into(const char *text, size_t len, const char *name, mg_policy *p,
                            mg_error *err) {
    if (len > MG_POLICY_MAX_BYTES) {
        mg__fail(err, MG_ERR_USAGE,
                 "%s: the policy is %zu bytes; a policy file may be at most %zu bytes (1 MiB)",
                 name, len, MG_POLICY_MAX_BYTES);
        return mg__error_at(err, name, 0, 0, -1);
    }
    mg__ynode *root = NULL;
    MG_TRY(mg__yaml_read(text, len, name, &root, err));
    mg__kctx ctx = {p, name, NULL, err};
    mg_status st = MG_OK;
    if (root == NULL) {
        st = mg__key_fail(&ctx, 1, 1, "version",
                          "the policy is empty; it needs at least version: 1, data.test and model");
    } else if (root->kind != MG__Y_MAP) {
        st = mg__key_fail(&ctx, root->line, root->column, "(top level)",
                          "a policy is a mapping of keys (version: 1, data: ..., model: ...)");
    } else {
        const char *segs[MAX_SEGS];
        st = walk_map(&ctx, root, segs, 0);
        if (st == MG_OK && find_place(p, "version") == NULL)
            st = mg__key_fail(&ctx, 1, 1, "version",
                              "required key is missing: write version: 1 at the top");
    }
    mg__ynode_free(root);
    if (st == MG_OK)
        st = fill_string_defaults(p, err);
    /* min <= max is known now; the rest waits for the overrides */
    for (int i = 0; st == MG_OK && i < p->nmetric_gates; i++) {
        const mg_policy_bound *b = &p->metric_gates[i];
        if (b->has_min && b->has_max)
            st = check_bound(p, "gates", b, err);
    }
    for (int i = 0; st == MG_OK && i < p->latency.nbounds; i++) {
        const mg_policy_bound *b = &p->latency.bounds[i];
        if (b->has_min && b->has_max)
            st = check_bound(p, "gates.latency", b, err);
    }
    for (int i = 0; st == MG_OK && i < p->fairness.nbounds; i++) {
        const mg_policy_bound *b = &p->fairness.bounds[i];
        if (b->has_min && b->has_max)
            st = check_bound(p, "gates.fairness", b, err);
    }
    return st;
}

mg_status mg_policy_parse(const char *text, size_t len, const char *name, mg_policy *p,
                          mg_error *err) {
    mg_policy_init(p);
    if (name == NULL)
        name = "policy";
    if ((p->path = mg__strdup(name)) == NULL || (p->base_dir = mg__strdup(".")) == NULL)
        return mg__nomem(err, "the policy");
    return parse_into(text, len, p->path, p, err);
}

mg_status mg_policy_load(const char *path, mg_policy *p, mg_error *err) {
    mg_policy_init(p);
    if ((p->path = mg__strdup(path)) == NULL || (p->base_dir = dir_of(path)) == NULL)
        return mg__nomem(err, "the policy");
    mg__file f;
    MG_TRY(mg__file_map_capped(path, MG_POLICY_MAX_BYTES + 1, &f, err));
    mg__sha256_hex(f.data, f.size, p->sha256);
    mg_status st = parse_into(f.data, f.size, p->path, p, err);
    mg__file_unmap(&f);
    return st;
}

/* ---- overrides --------------------------------------------------------- */

/* Splits `key` into segs (pointing into buf) and finds its entry, naming an
 * unknown segment with the closest known one. */
static mg_status resolve_key(const mg__kctx *ctx, const char *key, char *buf, size_t cap,
                             const char **segs, int *nsegs, const mg__kentry **entry, int *wild) {
    size_t len = strlen(key);
    if (len == 0 || len >= cap)
        return mg__key_fail(ctx, 0, 0, key,
                            "expected KEY=VALUE with a dotted key like "
                            "gates.accuracy.min");
    memcpy(buf, key, len + 1);
    int n = 0;
    for (char *s = buf;;) {
        /* no key begins with a digit: a dot before one is a decimal point of
         * a gate's name (recall_at_precision_0.9), not a separator */
        char *dot = strchr(s, '.');
        while (dot != NULL && dot > s && dot[1] >= '0' && dot[1] <= '9')
            dot = strchr(dot + 1, '.');
        if (dot)
            *dot = '\0';
        if (*s == '\0' || n == MAX_SEGS)
            return mg__key_fail(ctx, 0, 0, key, "not a key of the policy (see docs/policy.md)");
        segs[n++] = s;
        int w = -1;
        const mg__kentry *e = mg__key_find(segs, n, &w);
        if (e == NULL)
            return unknown_key(ctx, segs, n, 0, 0);
        MG_TRY(canonical_point(ctx, segs, n, w, 0, 0));
        if (dot == NULL) {
            *nsegs = n;
            *entry = e;
            *wild = w;
            return MG_OK;
        }
        if (e->type != MG__K_SECTION)
            return mg__key_fail(ctx, 0, 0, key, "%s holds a value, not further keys", segs[0]);
        s = dot + 1;
    }
}

/* Forgets the places of `key` and of every key under it. */
static void forget_places(mg_policy *p, const char *key) {
    size_t n = strlen(key);
    int k = 0;
    for (int i = 0; i < p->nplaces; i++) {
        const char *s = p->places[i].key;
        if (strncmp(s, key, n) == 0 && (s[n] == '\0' || s[n] == '.')) {
            free(p->places[i].key);
            free(p->places[i].origin);
        } else {
            p->places[k++] = p->places[i];
        }
    }
    p->nplaces = k;
}

/* An explicit null (null, ~, Null, NULL), not an empty value. */
static bool explicit_null(const mg__ynode *v) {
    return v->kind == MG__Y_SCALAR && v->plain && v->len > 0 && mg__ynode_is_null(v);
}

/* Assigns an override's parsed value v to the key segs (entry e) of p:
 * a mapping replaces the whole section or gate; with `remove`, an explicit
 * null removes the key (text keys that take null keep it as their value). */
static mg_status apply_node(mg_policy *p, const char *origin, const mg__kentry *e,
                            const char **segs, int nsegs, int wild, const mg__ynode *v, bool remove,
                            mg_error *err) {
    mg__kctx ctx = {p, p->path ? p->path : "", origin, err};
    char dotted[512];
    join(segs, nsegs, dotted, sizeof dotted);
    if (remove && explicit_null(v) && e->type != MG__K_NSTR) {
        MG_TRY(mg__key_remove(&ctx, e, segs, wild, dotted, false));
        forget_places(p, dotted);
        /* a removed value names the override; a removed section or gate is gone */
        return e->type == MG__K_SECTION ? MG_OK : mg__key_record(&ctx, dotted, 0, 0);
    }
    if (e->type == MG__K_SECTION) {
        if (v->kind != MG__Y_MAP) {
            const char *mapping, *one_key;
            mg__key_example(e, &mapping, &one_key);
            if (one_key == NULL)
                return mg__key_fail(&ctx, 0, 0, dotted, "expected a mapping (like %s)", mapping);
            return mg__key_fail(&ctx, 0, 0, dotted,
                                "expected a mapping (like %s), or set one key of it (like "
                                "%s.%s)%s",
                                mapping, dotted, one_key, remove ? ", or remove it with null" : "");
        }
        /* as if the file said it: the mapping replaces what was there */
        MG_TRY(mg__key_remove(&ctx, e, segs, wild, dotted, true));
        forget_places(p, dotted);
        MG_TRY(mg__key_section(&ctx, e, segs, nsegs, wild, dotted, 0, 0));
        return walk_map(&ctx, v, segs, nsegs);
    }
    MG_TRY(mg__key_assign(&ctx, e, segs, nsegs, wild, dotted, v));
    MG_TRY(mg__key_record(&ctx, dotted, 0, 0));
    /* a gate created by the override: its section is the override too */
    if (wild >= 0) {
        char section[512];
        join(segs, wild + 1, section, sizeof section);
        if (find_place(p, section) == NULL)
            MG_TRY(mg__key_record(&ctx, section, 0, 0));
    }
    return MG_OK;
}

/* Assigns an override's value: parsed as YAML (yaml true), or taken as the
 * literal text for a text key (yaml false). All or nothing: the value is
 * first assigned to an empty policy, and to p only when that succeeded. */
static mg_status apply(mg_policy *p, const char *key, const char *value, const char *origin,
                       bool yaml, bool remove, mg_error *err) {
    mg__kctx ctx = {p, p->path ? p->path : "", origin, err};
    char buf[512];
    const char *segs[MAX_SEGS];
    int nsegs = 0, wild = -1;
    const mg__kentry *e = NULL;
    MG_TRY(resolve_key(&ctx, key, buf, sizeof buf, segs, &nsegs, &e, &wild));
    mg__ynode literal = {.kind = MG__Y_SCALAR, .plain = true}, *root = NULL;
    char nothing[1] = "";
    literal.text = nothing; /* an empty value: null */
    const mg__ynode *v = &literal;
    char *copy = NULL;
    if (!yaml && (e->type == MG__K_STR || e->type == MG__K_NSTR)) {
        if ((copy = mg__strdup(value)) == NULL)
            return mg__nomem(err, "an override");
        literal.text = copy;
        literal.len = strlen(copy);
        literal.plain = false;
    } else {
        MG_TRY(mg__yaml_read(value, strlen(value), origin, &root, err));
        if (root != NULL)
            v = root;
    }
    mg_policy scratch;
    mg_policy_init(&scratch);
    mg_status st = apply_node(&scratch, origin, e, segs, nsegs, wild, v, remove, err);
    mg_policy_release(&scratch);
    if (st == MG_OK)
        st = apply_node(p, origin, e, segs, nsegs, wild, v, remove, err);
    mg__ynode_free(root);
    free(copy);
    if (st == MG_OK)
        st = fill_string_defaults(p, err);
    return st;
}

mg_status mg_policy_set(mg_policy *p, const char *assignment, mg_error *err) {
    const char *eq = strchr(assignment, '=');
    char key[256];
    if (eq == NULL || (size_t)(eq - assignment) >= sizeof key) {
        mg__buf b = {0};
        mg__text_escape(&b, assignment, strlen(assignment) > 80 ? 80 : strlen(assignment));
        mg__fail(err, MG_ERR_USAGE, "--set %s: expected KEY=VALUE, like gates.accuracy.min=0.9",
                 b.data ? b.data : "");
        mg__buf_release(&b);
        return mg__error_at(err, "--set", 0, 0, -1);
    }
    memcpy(key, assignment, (size_t)(eq - assignment));
    key[eq - assignment] = '\0';
    char origin[300];
    snprintf(origin, sizeof origin, "--set %s", key);
    return apply(p, key, eq + 1, origin, true, true, err);
}

mg_status mg_policy_override(mg_policy *p, const char *key, const char *value, const char *origin,
                             mg_error *err) {
    return apply(p, key, value, origin ? origin : key, false, false, err);
}

/* ---- places and paths -------------------------------------------------- */

const char *mg_policy_where(const mg_policy *p, const char *key, char *buf, size_t cap) {
    if (cap == 0)
        return buf;
    const mg_policy_key_place *kp = find_place(p, key);
    if (kp != NULL && kp->origin != NULL)
        snprintf(buf, cap, "%s", kp->origin);
    else if (kp != NULL && kp->place.line > 0)
        snprintf(buf, cap, "%s:%d:%d: %s", p->path ? p->path : "", kp->place.line, kp->place.column,
                 key);
    else
        snprintf(buf, cap, "%s", key);
    return buf;
}

char *mg_policy_path(const mg_policy *p, const char *key, const char *value) {
    static const char *const schemes[] = {
        "cmd:", "column:", "columns:", "registry:", "http://", "https://"};
    const mg_policy_key_place *kp = find_place(p, key);
    /* outputs are the run's, like --outputs: relative to the working folder */
    bool from_file =
        kp != NULL && kp->origin == NULL && kp->place.line > 0 && strcmp(key, "outputs.dir") != 0;
    bool relative = value[0] != '/' && value[0] != '\0';
    for (size_t i = 0; i < MG_ARRAY_LEN(schemes); i++)
        if (strncmp(value, schemes[i], strlen(schemes[i])) == 0)
            relative = false;
    if (!from_file || !relative || p->base_dir == NULL || strcmp(p->base_dir, ".") == 0)
        return mg__strdup(value);
    mg__buf b = {0};
    mg__buf_printf(&b, "%s%s%s", p->base_dir,
                   p->base_dir[strlen(p->base_dir) - 1] == '/' ? "" : "/", value);
    if (b.failed) {
        mg__buf_release(&b);
        return NULL;
    }
    return mg__buf_detach(&b);
}
