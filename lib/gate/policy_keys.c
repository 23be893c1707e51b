/* policy_keys.c - every key of modelgate.yml (DESIGN §14): its type, its
 * range, and how its value lands in an mg_policy (the typing of the values
 * themselves is policy_values.c). The file walk and --set go
 * through the same table and the same typing rules (YAML 1.2 core schema,
 * read strictly), so that an override can never mean something a file
 * could not. */
#include "gate/policy_keys.h"
#include "modelgate/fairness.h"
#include "modelgate/metric_registry.h"
#include "modelgate/slices.h"

enum {
    K_VERSION = 1,
    K_TASK,
    K_DATA,
    K_DATA_TEST,
    K_DATA_LABEL,
    K_DATA_FEATURES,
    K_DATA_IGNORE,
    K_DATA_WEIGHT,
    K_DATA_ID,
    K_DATA_POSITIVE,
    K_DATA_PREDICTIONS,
    K_DATA_CLASSES,
    K_MODEL,
    K_BASELINE,
    K_ALLOW_MISSING,
    K_DECISION_THRESHOLD,
    K_SEED,
    K_BOOTSTRAP,
    K_GATES,
    K_LAT,
    K_LAT_SAMPLES,
    K_LAT_WARMUP,
    K_LAT_BATCH,
    K_LAT_BOUND,
    K_LAT_MIN,
    K_LAT_MAX,
    K_LAT_CONF,
    K_FAIR,
    K_FAIR_PROTECTED,
    K_FAIR_MIN_GROUP,
    K_FAIR_THRESHOLD,
    K_FAIR_METHOD,
    K_FAIR_REF,
    K_FAIR_REF_ATTR,
    K_FAIR_REF_GROUP,
    K_FAIR_INTERSECTIONAL,
    K_FAIR_CONF,
    K_FAIR_BOUND,
    K_FAIR_MIN,
    K_FAIR_MAX,
    K_FAIR_BOUND_CONF,
    K_REG,
    K_REG_RULE,
    K_REG_MIN_CHANGE,
    K_REG_MIN_RELATIVE,
    K_REG_CONF,
    K_METRIC,
    K_METRIC_MIN,
    K_METRIC_MAX,
    K_METRIC_CONF,
    K_ON_INCONCLUSIVE,
    K_OUTPUTS,
    K_OUTPUTS_DIR,
    K_OUTPUTS_ID,
    K_SLICES,
    K_SLICES_BY,
    K_SLICES_CROSS,
    K_SLICES_BINS,
    K_SLICES_EDGES,
    K_SLICES_EDGE,
    K_SLICES_MIN_SIZE,
    K_SLICES_GATES,
    K_SLICE_GATE,
    K_SLICE_MIN,
    K_SLICE_MAX,
    K_SLICE_MAX_GAP,
    K_SLICE_CONF
};

static const char *const task_words[] = {"auto", "binary", "multiclass", "regression", NULL};
static const char *const inconclusive_words[] = {"fail", "warn", "pass", NULL};
static const char *const method_words[] = {"between_groups", "to_overall", NULL};
static const char *const latency_names[] = {"p50_ms",  "p90_ms", "p95_ms", "p99_ms",
                                            "p999_ms", "max_ms", "mean_ms"};

/* Literal keys come before the wildcard that shares their parent. */
static const mg__kentry keys[] = {
    {"version", MG__K_INT, MG__W_NONE, K_VERSION, NULL},
    {"task", MG__K_KEYWORD, MG__W_NONE, K_TASK, task_words},
    {"data", MG__K_SECTION, MG__W_NONE, K_DATA, NULL},
    {"data.test", MG__K_STR, MG__W_NONE, K_DATA_TEST, NULL},
    {"data.label", MG__K_STR, MG__W_NONE, K_DATA_LABEL, NULL},
    {"data.features", MG__K_FEATURES, MG__W_NONE, K_DATA_FEATURES, NULL},
    {"data.ignore", MG__K_STRLIST, MG__W_NONE, K_DATA_IGNORE, NULL},
    {"data.weight", MG__K_NSTR, MG__W_NONE, K_DATA_WEIGHT, NULL},
    {"data.id", MG__K_NSTR, MG__W_NONE, K_DATA_ID, NULL},
    {"data.positive_label", MG__K_NSTR, MG__W_NONE, K_DATA_POSITIVE, NULL},
    {"data.predictions", MG__K_NSTR, MG__W_NONE, K_DATA_PREDICTIONS, NULL},
    {"data.classes", MG__K_STRLIST, MG__W_NONE, K_DATA_CLASSES, NULL},
    {"model", MG__K_STR, MG__W_NONE, K_MODEL, NULL},
    {"baseline", MG__K_NSTR, MG__W_NONE, K_BASELINE, NULL},
    {"allow_missing_baseline", MG__K_BOOL, MG__W_NONE, K_ALLOW_MISSING, NULL},
    {"decision_threshold", MG__K_NUM, MG__W_NONE, K_DECISION_THRESHOLD, NULL},
    {"seed", MG__K_INT, MG__W_NONE, K_SEED, NULL},
    {"bootstrap", MG__K_INT, MG__W_NONE, K_BOOTSTRAP, NULL},
    {"gates", MG__K_SECTION, MG__W_NONE, K_GATES, NULL},
    {"gates.latency", MG__K_SECTION, MG__W_NONE, K_LAT, NULL},
    {"gates.latency.samples", MG__K_INT, MG__W_NONE, K_LAT_SAMPLES, NULL},
    {"gates.latency.warmup", MG__K_INT, MG__W_NONE, K_LAT_WARMUP, NULL},
    {"gates.latency.batch_size", MG__K_INT, MG__W_NONE, K_LAT_BATCH, NULL},
    {"gates.latency.*", MG__K_SECTION, MG__W_LATENCY, K_LAT_BOUND, NULL},
    {"gates.latency.*.min", MG__K_NUM, MG__W_LATENCY, K_LAT_MIN, NULL},
    {"gates.latency.*.max", MG__K_NUM, MG__W_LATENCY, K_LAT_MAX, NULL},
    {"gates.latency.*.confidence", MG__K_NUM, MG__W_LATENCY, K_LAT_CONF, NULL},
    {"gates.fairness", MG__K_SECTION, MG__W_NONE, K_FAIR, NULL},
    {"gates.fairness.protected_attributes", MG__K_STRLIST, MG__W_NONE, K_FAIR_PROTECTED, NULL},
    {"gates.fairness.min_group_size", MG__K_INT, MG__W_NONE, K_FAIR_MIN_GROUP, NULL},
    {"gates.fairness.threshold", MG__K_NUM, MG__W_NONE, K_FAIR_THRESHOLD, NULL},
    {"gates.fairness.method", MG__K_KEYWORD, MG__W_NONE, K_FAIR_METHOD, method_words},
    {"gates.fairness.reference", MG__K_SECTION, MG__W_NONE, K_FAIR_REF, NULL},
    {"gates.fairness.reference.attribute", MG__K_STR, MG__W_NONE, K_FAIR_REF_ATTR, NULL},
    {"gates.fairness.reference.group", MG__K_NSTR, MG__W_NONE, K_FAIR_REF_GROUP, NULL},
    {"gates.fairness.intersectional", MG__K_BOOL, MG__W_NONE, K_FAIR_INTERSECTIONAL, NULL},
    {"gates.fairness.confidence", MG__K_NUM, MG__W_NONE, K_FAIR_CONF, NULL},
    {"gates.fairness.*", MG__K_SECTION, MG__W_FAIRNESS, K_FAIR_BOUND, NULL},
    {"gates.fairness.*.min", MG__K_NUM, MG__W_FAIRNESS, K_FAIR_MIN, NULL},
    {"gates.fairness.*.max", MG__K_NUM, MG__W_FAIRNESS, K_FAIR_MAX, NULL},
    {"gates.fairness.*.confidence", MG__K_NUM, MG__W_FAIRNESS, K_FAIR_BOUND_CONF, NULL},
    {"gates.regression", MG__K_SECTION, MG__W_NONE, K_REG, NULL},
    {"gates.regression.*", MG__K_SECTION, MG__W_METRIC, K_REG_RULE, NULL},
    {"gates.regression.*.min_change", MG__K_NUM, MG__W_METRIC, K_REG_MIN_CHANGE, NULL},
    {"gates.regression.*.min_relative_change", MG__K_NUM, MG__W_METRIC, K_REG_MIN_RELATIVE, NULL},
    {"gates.regression.*.confidence", MG__K_NUM, MG__W_METRIC, K_REG_CONF, NULL},
    {"gates.*", MG__K_SECTION, MG__W_METRIC, K_METRIC, NULL},
    {"gates.*.min", MG__K_NUM, MG__W_METRIC, K_METRIC_MIN, NULL},
    {"gates.*.max", MG__K_NUM, MG__W_METRIC, K_METRIC_MAX, NULL},
    {"gates.*.confidence", MG__K_NUM, MG__W_METRIC, K_METRIC_CONF, NULL},
    {"on_inconclusive", MG__K_KEYWORD, MG__W_NONE, K_ON_INCONCLUSIVE, inconclusive_words},
    {"outputs", MG__K_SECTION, MG__W_NONE, K_OUTPUTS, NULL},
    {"outputs.dir", MG__K_STR, MG__W_NONE, K_OUTPUTS_DIR, NULL},
    {"outputs.id", MG__K_STR, MG__W_NONE, K_OUTPUTS_ID, NULL},
    {"slices", MG__K_SECTION, MG__W_NONE, K_SLICES, NULL},
    {"slices.by", MG__K_STRLIST, MG__W_NONE, K_SLICES_BY, NULL},
    {"slices.cross", MG__K_PAIRLIST, MG__W_NONE, K_SLICES_CROSS, NULL},
    {"slices.bins", MG__K_INT, MG__W_NONE, K_SLICES_BINS, NULL},
    {"slices.edges", MG__K_SECTION, MG__W_NONE, K_SLICES_EDGES, NULL},
    {"slices.edges.*", MG__K_NUMLIST, MG__W_COLUMN, K_SLICES_EDGE, NULL},
    {"slices.min_slice_size", MG__K_INT, MG__W_NONE, K_SLICES_MIN_SIZE, NULL},
    {"slices.gates", MG__K_SECTION, MG__W_NONE, K_SLICES_GATES, NULL},
    {"slices.gates.*", MG__K_SECTION, MG__W_SLICE_METRIC, K_SLICE_GATE, NULL},
    {"slices.gates.*.min", MG__K_NUM, MG__W_SLICE_METRIC, K_SLICE_MIN, NULL},
    {"slices.gates.*.max", MG__K_NUM, MG__W_SLICE_METRIC, K_SLICE_MAX, NULL},
    {"slices.gates.*.max_gap", MG__K_NUM, MG__W_SLICE_METRIC, K_SLICE_MAX_GAP, NULL},
    {"slices.gates.*.confidence", MG__K_NUM, MG__W_SLICE_METRIC, K_SLICE_CONF, NULL},
};

/* ---- names a wildcard accepts ------------------------------------------ */

static bool fairness_name(const char *s) {
    size_t n = strlen(s);
    char measure[64];
    const char *suffix = NULL;
    if (n > 6 && strcmp(s + n - 6, "_ratio") == 0)
        suffix = s + n - 6;
    else if (n > 11 && strcmp(s + n - 11, "_difference") == 0)
        suffix = s + n - 11;
    if (suffix == NULL || (size_t)(suffix - s) >= sizeof measure)
        return false;
    memcpy(measure, s, (size_t)(suffix - s));
    measure[suffix - s] = '\0';
    mg_fairness_measure m;
    if (mg_fairness_measure_parse(measure, &m) != 0)
        return false;
    return !(m == MG_FAIR_DISPARATE_IMPACT && suffix[1] == 'd');
}

static bool wild_accepts(mg__kwild w, const char *s) {
    switch (w) {
    case MG__W_METRIC: return mg_metric_find(s) != NULL;
    case MG__W_LATENCY:
        for (size_t i = 0; i < MG_ARRAY_LEN(latency_names); i++)
            if (strcmp(s, latency_names[i]) == 0)
                return true;
        return false;
    case MG__W_FAIRNESS: return fairness_name(s);
    case MG__W_COLUMN: return s[0] != '\0';
    case MG__W_SLICE_METRIC: {
        mg_operating_point op;
        return mg_metric_find(s) != NULL && mg_operating_point_from_name(s, &op) != 0;
    }
    default: return false;
    }
}

/* The names of a wildcard, into names[] (static storage for the metric and
 * latency names, buf for the fairness ones). */
static int wild_names(mg__kwild w, const char **names, int cap, char (*buf)[64], int nbuf) {
    int n = 0;
    if (w == MG__W_METRIC || w == MG__W_SLICE_METRIC) {
        for (int i = 0; i < mg_metric_count() && n < cap; i++)
            names[n++] = mg_metric_at(i)->name;
    } else if (w == MG__W_LATENCY) {
        for (size_t i = 0; i < MG_ARRAY_LEN(latency_names) && n < cap; i++)
            names[n++] = latency_names[i];
    } else if (w == MG__W_FAIRNESS) {
        int b = 0;
        for (int m = 0; m < MG_FAIR_NMEASURES; m++)
            for (int d = 0; d < 2; d++) {
                if (m == MG_FAIR_DISPARATE_IMPACT && d == 1)
                    continue;
                if (b >= nbuf || n >= cap)
                    return n;
                snprintf(buf[b], sizeof buf[b], "%s_%s",
                         mg_fairness_measure_name((mg_fairness_measure)m),
                         d == 0 ? "ratio" : "difference");
                names[n++] = buf[b++];
            }
    }
    return n;
}

/* ---- the table --------------------------------------------------------- */

/* Segment i of a pattern: [*start, *len). */
static bool pattern_seg(const char *pattern, int i, const char **start, size_t *len) {
    const char *s = pattern;
    for (int k = 0; k < i; k++) {
        s = strchr(s, '.');
        if (s == NULL)
            return false;
        s++;
    }
    const char *dot = strchr(s, '.');
    *start = s;
    *len = dot ? (size_t)(dot - s) : strlen(s);
    return true;
}

static int pattern_nsegs(const char *pattern) {
    int n = 1;
    for (const char *s = pattern; *s; s++)
        n += *s == '.';
    return n;
}

/* Whether the first n segments of e's pattern accept segs[0..n). */
static bool prefix_matches(const mg__kentry *e, const char *const *segs, int n, int *wild_seg) {
    for (int i = 0; i < n; i++) {
        const char *s;
        size_t len;
        if (!pattern_seg(e->pattern, i, &s, &len))
            return false;
        if (len == 1 && s[0] == '*') {
            if (!wild_accepts(e->wild, segs[i]))
                return false;
            if (wild_seg)
                *wild_seg = i;
        } else if (strlen(segs[i]) != len || memcmp(segs[i], s, len) != 0) {
            return false;
        }
    }
    return true;
}

const mg__kentry *mg__key_find(const char *const *segs, int nsegs, int *wild_seg) {
    for (size_t k = 0; k < MG_ARRAY_LEN(keys); k++) {
        if (pattern_nsegs(keys[k].pattern) != nsegs)
            continue;
        int w = -1;
        if (prefix_matches(&keys[k], segs, nsegs, &w)) {
            *wild_seg = w;
            return &keys[k];
        }
    }
    return NULL;
}

const char *mg__key_closest(const char *const *segs, int nsegs) {
    static _Thread_local char fair_buf[16][64];
    const char *names[128];
    int n = 0;
    for (size_t k = 0; k < MG_ARRAY_LEN(keys) && n < (int)MG_ARRAY_LEN(names); k++) {
        if (pattern_nsegs(keys[k].pattern) != nsegs ||
            !prefix_matches(&keys[k], segs, nsegs - 1, NULL))
            continue;
        const char *s;
        size_t len;
        pattern_seg(keys[k].pattern, nsegs - 1, &s, &len);
        if (len == 1 && s[0] == '*') {
            n += wild_names(keys[k].wild, names + n, (int)MG_ARRAY_LEN(names) - n, fair_buf, 16);
        } else {
            /* a literal segment is the pattern's tail: it ends at a NUL */
            names[n++] = s;
        }
    }
    const char *near = mg_closest_name(segs[nsegs - 1], names, n);
    if (near != NULL)
        return near;
    /* a name cut short: "p99" for p99_ms, "demographic_parity" for its ratio */
    size_t len = strlen(segs[nsegs - 1]);
    for (int i = 0; i < n && len >= 2; i++)
        if (strncmp(names[i], segs[nsegs - 1], len) == 0 && names[i][len] == '_')
            return names[i];
    return NULL;
}

/* ---- messages and places ------------------------------------------------ */

mg_status mg__key_fail(const mg__kctx *ctx, int line, int column, const char *key, const char *fmt,
                       ...) {
    char what[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    mg__buf k = {0};
    mg__text_escape(&k, key, strlen(key) > 120 ? 120 : strlen(key));
    const char *ks = k.data ? k.data : "";
    if (ctx->origin != NULL) {
        /* "--set gates.accuracy.min: ..." names the key already; a key inside
         * an override's mapping (--set gates.accuracy={min: 85}) is added */
        if (strstr(ctx->origin, key) != NULL)
            mg__fail(ctx->err, MG_ERR_USAGE, "%s: %s", ctx->origin, what);
        else
            mg__fail(ctx->err, MG_ERR_USAGE, "%s: %s: %s", ctx->origin, ks, what);
        mg__error_at(ctx->err, ctx->origin, 0, 0, -1);
    } else {
        mg__fail(ctx->err, MG_ERR_USAGE, "%s:%d:%d: %s: %s", ctx->name, line, column, ks, what);
        mg__error_at(ctx->err, ctx->name, line, column, -1);
    }
    mg__buf_release(&k);
    return MG_ERR_USAGE;
}

mg_status mg__key_record(const mg__kctx *ctx, const char *key, int line, int column) {
    mg_policy *p = ctx->p;
    mg_policy_key_place *kp = NULL;
    for (int i = 0; i < p->nplaces; i++)
        if (strcmp(p->places[i].key, key) == 0)
            kp = &p->places[i];
    if (kp == NULL) {
        mg_policy_key_place *grown =
            mg__realloc_array(p->places, (size_t)p->nplaces + 1, sizeof *grown);
        if (grown == NULL)
            return mg__nomem(ctx->err, "the policy's key places");
        p->places = grown;
        kp = &p->places[p->nplaces];
        memset(kp, 0, sizeof *kp);
        kp->key = mg__strdup(key);
        if (kp->key == NULL)
            return mg__nomem(ctx->err, "the policy's key places");
        p->nplaces++;
    }
    free(kp->origin);
    kp->origin = NULL;
    if (ctx->origin != NULL) {
        kp->place.line = kp->place.column = 0;
        kp->origin = mg__strdup(ctx->origin);
        if (kp->origin == NULL)
            return mg__nomem(ctx->err, "the policy's key places");
    } else {
        kp->place.line = line;
        kp->place.column = column;
    }
    return MG_OK;
}

static mg_status set_str(const mg__kctx *ctx, char **dst, const char *s) {
    char *copy = NULL;
    if (s != NULL && (copy = mg__strdup(s)) == NULL)
        return mg__nomem(ctx->err, "a policy value");
    free(*dst);
    *dst = copy;
    return MG_OK;
}

/* ---- gates ------------------------------------------------------------- */

static mg_policy_bound *bound_get(mg_policy_bound **arr, int *n, const char *name) {
    for (int i = 0; i < *n; i++)
        if (strcmp((*arr)[i].metric, name) == 0)
            return &(*arr)[i];
    mg_policy_bound *grown = mg__realloc_array(*arr, (size_t)*n + 1, sizeof *grown);
    if (grown == NULL)
        return NULL;
    *arr = grown;
    mg_policy_bound *b = &grown[*n];
    memset(b, 0, sizeof *b);
    if ((b->metric = mg__strdup(name)) == NULL)
        return NULL;
    (*n)++;
    return b;
}

static mg_policy_rule *rule_get(mg_policy_regression *r, const char *name) {
    for (int i = 0; i < r->nrules; i++)
        if (strcmp(r->rules[i].metric, name) == 0)
            return &r->rules[i];
    mg_policy_rule *grown = mg__realloc_array(r->rules, (size_t)r->nrules + 1, sizeof *grown);
    if (grown == NULL)
        return NULL;
    r->rules = grown;
    mg_policy_rule *x = &grown[r->nrules];
    memset(x, 0, sizeof *x);
    if ((x->metric = mg__strdup(name)) == NULL)
        return NULL;
    r->nrules++;
    return x;
}

static mg_policy_slice_gate *slice_gate_get(mg_policy_slices *sl, const char *name) {
    for (int i = 0; i < sl->ngates; i++)
        if (strcmp(sl->gates[i].metric, name) == 0)
            return &sl->gates[i];
    mg_policy_slice_gate *grown =
        mg__realloc_array(sl->gates, (size_t)sl->ngates + 1, sizeof *grown);
    if (grown == NULL)
        return NULL;
    sl->gates = grown;
    mg_policy_slice_gate *g = &grown[sl->ngates];
    memset(g, 0, sizeof *g);
    if ((g->metric = mg__strdup(name)) == NULL)
        return NULL;
    sl->ngates++;
    return g;
}

static mg_policy_slice_edges *slice_edges_get(mg_policy_slices *sl, const char *column) {
    for (int i = 0; i < sl->nedges; i++)
        if (strcmp(sl->edges[i].column, column) == 0)
            return &sl->edges[i];
    mg_policy_slice_edges *grown =
        mg__realloc_array(sl->edges, (size_t)sl->nedges + 1, sizeof *grown);
    if (grown == NULL)
        return NULL;
    sl->edges = grown;
    mg_policy_slice_edges *e = &grown[sl->nedges];
    memset(e, 0, sizeof *e);
    if ((e->column = mg__strdup(column)) == NULL)
        return NULL;
    sl->nedges++;
    return e;
}

/* The bound or rule a key under a wildcard section belongs to (created). */
static mg_status entry_for(const mg__kctx *ctx, int id, const char *name, mg_policy_bound **b,
                           mg_policy_rule **r) {
    mg_policy *p = ctx->p;
    *b = NULL;
    *r = NULL;
    if (id == K_LAT_BOUND || (id >= K_LAT_MIN && id <= K_LAT_CONF)) {
        p->latency.has = true;
        *b = bound_get(&p->latency.bounds, &p->latency.nbounds, name);
    } else if (id == K_FAIR_BOUND || (id >= K_FAIR_MIN && id <= K_FAIR_BOUND_CONF)) {
        p->fairness.has = true;
        *b = bound_get(&p->fairness.bounds, &p->fairness.nbounds, name);
    } else if (id == K_REG_RULE || (id >= K_REG_MIN_CHANGE && id <= K_REG_CONF)) {
        p->regression.has = true;
        if ((*r = rule_get(&p->regression, name)) == NULL)
            return mg__nomem(ctx->err, "a regression rule");
        return MG_OK;
    } else {
        *b = bound_get(&p->metric_gates, &p->nmetric_gates, name);
    }
    return *b == NULL ? mg__nomem(ctx->err, "a policy gate") : MG_OK;
}

mg_status mg__key_section(const mg__kctx *ctx, const mg__kentry *e, const char *const *segs,
                          int nsegs, int wild_seg, const char *key, int line, int column) {
    MG_UNUSED(nsegs);
    mg_policy *p = ctx->p;
    mg_policy_place here = {ctx->origin ? 0 : line, ctx->origin ? 0 : column};
    switch (e->id) {
    case K_LAT:
        p->latency.has = true;
        p->latency.place = here;
        break;
    case K_FAIR:
        p->fairness.has = true;
        p->fairness.place = here;
        break;
    case K_REG:
        p->regression.has = true;
        p->regression.place = here;
        break;
    case K_SLICES:
        p->slices.has = true;
        p->slices.place = here;
        break;
    case K_SLICES_EDGES:
    case K_SLICES_GATES: p->slices.has = true; break;
    case K_SLICE_GATE: {
        p->slices.has = true;
        mg_policy_slice_gate *g = slice_gate_get(&p->slices, segs[wild_seg]);
        if (g == NULL)
            return mg__nomem(ctx->err, "a slice gate");
        g->place = here;
        break;
    }
    case K_LAT_BOUND:
    case K_FAIR_BOUND:
    case K_REG_RULE:
    case K_METRIC: {
        mg_policy_bound *b;
        mg_policy_rule *r;
        MG_TRY(entry_for(ctx, e->id, segs[wild_seg], &b, &r));
        if (b != NULL)
            b->place = here;
        else
            r->place = here;
        break;
    }
    default: break;
    }
    return mg__key_record(ctx, key, line, column);
}

static mg_status in_range(const mg__kctx *ctx, const char *key, const mg__ynode *v, double x,
                          double lo, bool lo_open, double hi, bool hi_open, const char *range) {
    if ((lo_open ? x <= lo : x < lo) || (hi_open ? x >= hi : x > hi))
        return mg__key_fail(ctx, v->line, v->column, key, "%s is outside %s", v->text, range);
    return MG_OK;
}

static mg_status int_range(const mg__kctx *ctx, const char *key, const mg__ynode *v, int64_t x,
                           int64_t lo, int64_t hi) {
    if (x < lo || x > hi)
        return mg__key_fail(ctx, v->line, v->column, key, "%s is outside %" PRId64 "..%" PRId64,
                            v->text, lo, hi);
    return MG_OK;
}

/* min / max of a gate, with the checks its kind allows. */
static mg_status assign_limit(const mg__kctx *ctx, int id, const char *name, const char *key,
                              const mg__ynode *v, double x) {
    mg_policy_bound *b;
    mg_policy_rule *r;
    if (id == K_METRIC_MIN || id == K_METRIC_MAX) {
        const mg_metric_def *m = mg_metric_find(name);
        if (m != NULL && m->proportion && (x < 0 || x > 1))
            return mg__key_fail(ctx, v->line, v->column, key,
                                "%s is outside [0, 1] (%s is a proportion: write 0.85, not 85)",
                                v->text, name);
    } else if (x < 0) {
        return mg__key_fail(ctx, v->line, v->column, key, "%s is negative; %s", v->text,
                            id == K_LAT_MIN || id == K_LAT_MAX ? "a time is 0 or more"
                                                               : "a disparity is 0 or more");
    }
    MG_TRY(entry_for(ctx, id, name, &b, &r));
    bool is_min = id == K_METRIC_MIN || id == K_LAT_MIN || id == K_FAIR_MIN;
    if (is_min) {
        b->has_min = true;
        b->min = x;
    } else {
        b->has_max = true;
        b->max = x;
    }
    return MG_OK;
}

static mg_status assign_number(const mg__kctx *ctx, int id, const char *name, const char *key,
                               const mg__ynode *v) {
    mg_policy *p = ctx->p;
    double x;
    MG_TRY(mg__value_num(ctx, key, v, &x));
    mg_policy_bound *b;
    mg_policy_rule *r;
    if (id >= K_SLICE_MIN && id <= K_SLICE_CONF) {
        if (id == K_SLICE_CONF)
            MG_TRY(in_range(ctx, key, v, x, 0, true, 1, true, "(0, 1), like 0.95"));
        else if (id == K_SLICE_MAX_GAP && x < 0)
            return mg__key_fail(ctx, v->line, v->column, key, "%s is negative; a gap is 0 or more",
                                v->text);
        const mg_metric_def *m = mg_metric_find(name);
        if ((id == K_SLICE_MIN || id == K_SLICE_MAX) && m != NULL && m->proportion &&
            (x < 0 || x > 1))
            return mg__key_fail(ctx, v->line, v->column, key,
                                "%s is outside [0, 1] (%s is a proportion: write 0.85, not 85)",
                                v->text, name);
        ctx->p->slices.has = true;
        mg_policy_slice_gate *g = slice_gate_get(&ctx->p->slices, name);
        if (g == NULL)
            return mg__nomem(ctx->err, "a slice gate");
        if (id == K_SLICE_MIN)
            g->has_min = true, g->min = x;
        else if (id == K_SLICE_MAX)
            g->has_max = true, g->max = x;
        else if (id == K_SLICE_MAX_GAP)
            g->has_max_gap = true, g->max_gap = x;
        else
            g->confidence = x;
        return MG_OK;
    }
    switch (id) {
    case K_DECISION_THRESHOLD:
        MG_TRY(in_range(ctx, key, v, x, 0, false, 1, false, "[0, 1]"));
        p->decision_threshold = x;
        return MG_OK;
    case K_FAIR_THRESHOLD:
        MG_TRY(in_range(ctx, key, v, x, 0, true, 1, false, "(0, 1] (the band is [t, 1/t])"));
        p->fairness.has = true;
        p->fairness.threshold = x;
        return MG_OK;
    case K_FAIR_CONF:
        MG_TRY(in_range(ctx, key, v, x, 0, true, 1, true, "(0, 1), like 0.95"));
        p->fairness.has = true;
        p->fairness.confidence = x;
        return MG_OK;
    case K_LAT_CONF:
    case K_FAIR_BOUND_CONF:
    case K_METRIC_CONF:
    case K_REG_CONF:
        MG_TRY(in_range(ctx, key, v, x, 0, true, 1, true, "(0, 1), like 0.95"));
        MG_TRY(entry_for(ctx, id, name, &b, &r));
        if (b != NULL)
            b->confidence = x;
        else
            r->confidence = x;
        return MG_OK;
    case K_REG_MIN_CHANGE:
    case K_REG_MIN_RELATIVE:
        MG_TRY(entry_for(ctx, id, name, &b, &r));
        if (id == K_REG_MIN_CHANGE) {
            r->has_min_change = true;
            r->min_change = x;
        } else {
            r->has_min_relative_change = true;
            r->min_relative_change = x;
        }
        return MG_OK;
    default: return assign_limit(ctx, id, name, key, v, x);
    }
}

static mg_status assign_int(const mg__kctx *ctx, int id, const char *key, const mg__ynode *v) {
    mg_policy *p = ctx->p;
    int64_t x;
    MG_TRY(mg__value_int(ctx, key, v, &x));
    switch (id) {
    case K_VERSION:
        if (x != 1)
            return mg__key_fail(ctx, v->line, v->column, key,
                                "version %" PRId64 " is not supported; this modelgate reads "
                                "policy version 1",
                                x);
        p->version = 1;
        return MG_OK;
    case K_SEED:
        MG_TRY(int_range(ctx, key, v, x, 0, INT64_MAX));
        p->seed = (uint64_t)x;
        return MG_OK;
    case K_BOOTSTRAP:
        MG_TRY(int_range(ctx, key, v, x, MG_POLICY_MIN_BOOTSTRAP, MG_POLICY_MAX_BOOTSTRAP));
        p->bootstrap = (int)x;
        return MG_OK;
    case K_LAT_SAMPLES:
        MG_TRY(int_range(ctx, key, v, x, 3, 100000000));
        p->latency.has = true;
        p->latency.samples = x;
        return MG_OK;
    case K_LAT_WARMUP:
        MG_TRY(int_range(ctx, key, v, x, 0, 100000000));
        p->latency.has = true;
        p->latency.warmup = x;
        return MG_OK;
    case K_LAT_BATCH:
        MG_TRY(int_range(ctx, key, v, x, 1, 1000000));
        p->latency.has = true;
        p->latency.batch_size = (int)x;
        return MG_OK;
    case K_SLICES_BINS:
        MG_TRY(int_range(ctx, key, v, x, 1, MG_POLICY_MAX_SLICE_BINS));
        p->slices.has = true;
        p->slices.bins = (int)x;
        return MG_OK;
    case K_SLICES_MIN_SIZE:
        MG_TRY(int_range(ctx, key, v, x, 1, INT64_MAX));
        p->slices.has = true;
        p->slices.min_slice_size = x;
        return MG_OK;
    case K_FAIR_MIN_GROUP:
        MG_TRY(int_range(ctx, key, v, x, 1, INT64_MAX));
        p->fairness.has = true;
        p->fairness.min_group_size = x;
        return MG_OK;
    default: return mg__fail(ctx->err, MG_ERR_INTERNAL, "policy key %s has no integer setter", key);
    }
}

static mg_status assign_text(const mg__kctx *ctx, const mg__kentry *e, const char *key,
                             const mg__ynode *v) {
    mg_policy *p = ctx->p;
    const char *s;
    MG_TRY(mg__value_text(ctx, key, v, e->type == MG__K_NSTR, &s));
    switch (e->id) {
    case K_DATA_TEST: return set_str(ctx, &p->test_data, s);
    case K_DATA_LABEL: return set_str(ctx, &p->label, s);
    case K_DATA_WEIGHT: return set_str(ctx, &p->weight, s);
    case K_DATA_ID: return set_str(ctx, &p->id, s);
    case K_DATA_POSITIVE: return set_str(ctx, &p->positive_label, s);
    case K_DATA_PREDICTIONS: return set_str(ctx, &p->predictions, s);
    case K_MODEL: return set_str(ctx, &p->model, s);
    case K_BASELINE: return set_str(ctx, &p->baseline, s);
    case K_FAIR_REF_ATTR:
        p->fairness.has = true;
        return set_str(ctx, &p->fairness.reference_attribute, s);
    case K_FAIR_REF_GROUP:
        p->fairness.has = true;
        /* null names the attribute's missing-value group */
        p->fairness.reference_missing = s == NULL;
        return set_str(ctx, &p->fairness.reference_group, s);
    case K_OUTPUTS_DIR: return set_str(ctx, &p->outputs_dir, s);
    case K_OUTPUTS_ID: return set_str(ctx, &p->report_id, s);
    default: return mg__fail(ctx->err, MG_ERR_INTERNAL, "policy key %s has no text setter", key);
    }
}

mg_status mg__key_assign(const mg__kctx *ctx, const mg__kentry *e, const char *const *segs,
                         int nsegs, int wild_seg, const char *key, const mg__ynode *v) {
    MG_UNUSED(nsegs);
    mg_policy *p = ctx->p;
    const char *name = wild_seg >= 0 ? segs[wild_seg] : NULL;
    int k = 0;
    bool flag = false;
    switch (e->type) {
    case MG__K_NUM: return assign_number(ctx, e->id, name, key, v);
    case MG__K_INT: return assign_int(ctx, e->id, key, v);
    case MG__K_STR:
    case MG__K_NSTR: return assign_text(ctx, e, key, v);
    case MG__K_BOOL:
        MG_TRY(mg__value_bool(ctx, key, v, &flag));
        if (e->id == K_ALLOW_MISSING) {
            p->allow_missing_baseline = flag;
        } else {
            p->fairness.has = true;
            p->fairness.intersectional = flag;
        }
        return MG_OK;
    case MG__K_KEYWORD:
        MG_TRY(mg__value_keyword(ctx, e, key, v, &k));
        if (e->id == K_TASK)
            return mg_task_parse(e->words[k], &p->task) == 0
                       ? MG_OK
                       : mg__fail(ctx->err, MG_ERR_INTERNAL, "task %s", e->words[k]);
        if (e->id == K_ON_INCONCLUSIVE) {
            p->on_inconclusive = (mg_on_inconclusive)k; /* words in enum order */
            return MG_OK;
        }
        p->fairness.has = true;
        return set_str(ctx, &p->fairness.method, e->words[k]);
    case MG__K_FEATURES:
        if (v->kind == MG__Y_SCALAR && !mg__ynode_is_null(v) && strcmp(v->text, "auto") == 0) {
            mg__value_free_list(&p->features, &p->nfeatures);
            p->features_auto = true;
            return MG_OK;
        }
        if (v->kind != MG__Y_SEQ)
            return mg__value_wrong(ctx, key, v, MG__K_FEATURES);
        MG_TRY(mg__value_list(ctx, key, v, &p->features, &p->nfeatures));
        p->features_auto = false;
        return MG_OK;
    case MG__K_STRLIST:
        if (e->id == K_DATA_IGNORE)
            return mg__value_list(ctx, key, v, &p->ignore, &p->nignore);
        if (e->id == K_DATA_CLASSES)
            return mg__value_list(ctx, key, v, &p->classes, &p->nclasses);
        if (e->id == K_SLICES_BY) {
            p->slices.has = true;
            return mg__value_list(ctx, key, v, &p->slices.by, &p->slices.nby);
        }
        p->fairness.has = true;
        return mg__value_list(ctx, key, v, &p->fairness.protected_attributes,
                              &p->fairness.nprotected);
    case MG__K_PAIRLIST:
        p->slices.has = true;
        return mg__value_pairs(ctx, key, v, &p->slices.cross, &p->slices.ncross);
    case MG__K_NUMLIST: {
        p->slices.has = true;
        double *x = NULL;
        int n = 0;
        MG_TRY(mg__value_numbers(ctx, key, v, &x, &n));
        mg_policy_slice_edges *se = slice_edges_get(&p->slices, name);
        if (se == NULL) {
            free(x);
            return mg__nomem(ctx->err, "slice edges");
        }
        free(se->edges);
        se->edges = x;
        se->nedges = n;
        se->place = (mg_policy_place){ctx->origin ? 0 : v->line, ctx->origin ? 0 : v->column};
        return MG_OK;
    }
    case MG__K_SECTION: break;
    }
    return mg__fail(ctx->err, MG_ERR_INTERNAL, "policy key %s is a section", key);
}

/* ---- removing a key (--set KEY=null) and replacing a section ------------ */

static void free_bound_array(mg_policy_bound **b, int *n) {
    for (int i = 0; i < *n; i++)
        free((*b)[i].metric);
    free(*b);
    *b = NULL;
    *n = 0;
}

/* Drops the element named `name` from an array of structs whose first
 * member is its owned name. */
static void drop_named(void *base, int *n, size_t size, const char *name) {
    char *a = base;
    for (int i = 0; i < *n; i++) {
        char **s = (char **)(void *)(a + (size_t)i * size);
        if (strcmp(*s, name) == 0) {
            free(*s);
            memmove(a + (size_t)i * size, a + (size_t)(i + 1) * size, (size_t)(*n - i - 1) * size);
            (*n)--;
            return;
        }
    }
}

static void reset_latency(mg_policy_latency *l) {
    free_bound_array(&l->bounds, &l->nbounds);
    memset(l, 0, sizeof *l);
    l->samples = 1000;
    l->warmup = -1;
    l->batch_size = 1;
}

static void reset_fairness(mg_policy_fairness *f) {
    mg__value_free_list(&f->protected_attributes, &f->nprotected);
    free(f->method);
    free(f->reference_attribute);
    free(f->reference_group);
    free_bound_array(&f->bounds, &f->nbounds);
    memset(f, 0, sizeof *f);
    f->min_group_size = 30;
}

static void reset_regression(mg_policy_regression *r) {
    for (int i = 0; i < r->nrules; i++)
        free(r->rules[i].metric);
    free(r->rules);
    memset(r, 0, sizeof *r);
}

static void reset_slice_edges(mg_policy_slices *sl) {
    for (int i = 0; i < sl->nedges; i++) {
        free(sl->edges[i].column);
        free(sl->edges[i].edges);
    }
    free(sl->edges);
    sl->edges = NULL;
    sl->nedges = 0;
}

static void reset_slice_gates(mg_policy_slices *sl) {
    for (int i = 0; i < sl->ngates; i++)
        free(sl->gates[i].metric);
    free(sl->gates);
    sl->gates = NULL;
    sl->ngates = 0;
}

void mg__policy_slices_release(mg_policy_slices *sl) {
    mg__value_free_list(&sl->by, &sl->nby);
    int n = sl->ncross * 2;
    mg__value_free_list(&sl->cross, &n);
    reset_slice_edges(sl);
    reset_slice_gates(sl);
    memset(sl, 0, sizeof *sl);
    sl->bins = MG_POLICY_SLICE_BINS;
    sl->min_slice_size = MG_POLICY_SLICE_MIN_SIZE;
}

static mg_policy_bound *find_bound(mg_policy_bound *b, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(b[i].metric, name) == 0)
            return &b[i];
    return NULL;
}

mg_status mg__key_remove(const mg__kctx *ctx, const mg__kentry *e, const char *const *segs,
                         int wild_seg, const char *key, bool replacing) {
    mg_policy *p = ctx->p;
    const char *name = wild_seg >= 0 ? segs[wild_seg] : NULL;
    mg_policy_bound *b = NULL;
    switch (e->id) {
    case K_VERSION:
    case K_DATA_TEST:
    case K_MODEL:
        return mg__key_fail(ctx, 0, 0, key, "%s is required and cannot be removed%s", key,
                            e->id == K_VERSION ? "" : " (set another value instead)");
    case K_DATA:
        if (!replacing)
            return mg__key_fail(ctx, 0, 0, key,
                                "data holds the required data.test and cannot be removed (set "
                                "its keys instead)");
        free(p->test_data);
        free(p->label);
        mg__value_free_list(&p->features, &p->nfeatures);
        mg__value_free_list(&p->ignore, &p->nignore);
        free(p->weight);
        free(p->id);
        free(p->positive_label);
        free(p->predictions);
        mg__value_free_list(&p->classes, &p->nclasses);
        p->test_data = p->label = p->weight = p->id = p->positive_label = p->predictions = NULL;
        p->features_auto = true;
        return MG_OK;
    case K_FAIR_PROTECTED:
        return mg__key_fail(ctx, 0, 0, key,
                            "gates.fairness requires protected_attributes, which cannot be "
                            "removed (remove the section with gates.fairness=null)");
    case K_FAIR_REF_ATTR:
        return mg__key_fail(ctx, 0, 0, key,
                            "the reference group requires its attribute, which cannot be removed "
                            "(remove the group with gates.fairness.reference=null)");
    case K_TASK: p->task = MG_TASK_AUTO; return MG_OK;
    case K_DATA_LABEL: free(p->label), p->label = NULL; return MG_OK;
    case K_DATA_FEATURES:
        mg__value_free_list(&p->features, &p->nfeatures);
        p->features_auto = true;
        return MG_OK;
    case K_DATA_IGNORE: mg__value_free_list(&p->ignore, &p->nignore); return MG_OK;
    case K_DATA_CLASSES: mg__value_free_list(&p->classes, &p->nclasses); return MG_OK;
    case K_ALLOW_MISSING: p->allow_missing_baseline = false; return MG_OK;
    case K_DECISION_THRESHOLD: p->decision_threshold = 0.5; return MG_OK;
    case K_SEED: p->seed = 42; return MG_OK;
    case K_BOOTSTRAP: p->bootstrap = 1000; return MG_OK;
    case K_GATES:
        free_bound_array(&p->metric_gates, &p->nmetric_gates);
        reset_latency(&p->latency);
        reset_fairness(&p->fairness);
        reset_regression(&p->regression);
        return MG_OK;
    case K_LAT: reset_latency(&p->latency); return MG_OK;
    case K_LAT_SAMPLES: p->latency.samples = 1000; return MG_OK;
    case K_LAT_WARMUP: p->latency.warmup = -1; return MG_OK;
    case K_LAT_BATCH: p->latency.batch_size = 1; return MG_OK;
    case K_LAT_BOUND:
        drop_named(p->latency.bounds, &p->latency.nbounds, sizeof(mg_policy_bound), name);
        return MG_OK;
    case K_LAT_MIN:
    case K_LAT_MAX:
    case K_LAT_CONF: b = find_bound(p->latency.bounds, p->latency.nbounds, name); break;
    case K_FAIR: reset_fairness(&p->fairness); return MG_OK;
    case K_FAIR_MIN_GROUP: p->fairness.min_group_size = 30; return MG_OK;
    case K_FAIR_THRESHOLD: p->fairness.threshold = 0; return MG_OK;
    case K_FAIR_METHOD: free(p->fairness.method), p->fairness.method = NULL; return MG_OK;
    case K_FAIR_REF:
        free(p->fairness.reference_attribute);
        free(p->fairness.reference_group);
        p->fairness.reference_attribute = p->fairness.reference_group = NULL;
        p->fairness.reference_missing = false;
        return MG_OK;
    case K_FAIR_INTERSECTIONAL: p->fairness.intersectional = false; return MG_OK;
    case K_FAIR_CONF: p->fairness.confidence = 0; return MG_OK;
    case K_FAIR_BOUND:
        drop_named(p->fairness.bounds, &p->fairness.nbounds, sizeof(mg_policy_bound), name);
        return MG_OK;
    case K_FAIR_MIN:
    case K_FAIR_MAX:
    case K_FAIR_BOUND_CONF: b = find_bound(p->fairness.bounds, p->fairness.nbounds, name); break;
    case K_REG: reset_regression(&p->regression); return MG_OK;
    case K_REG_RULE:
        drop_named(p->regression.rules, &p->regression.nrules, sizeof(mg_policy_rule), name);
        return MG_OK;
    case K_REG_MIN_CHANGE:
    case K_REG_MIN_RELATIVE:
    case K_REG_CONF:
        for (int i = 0; i < p->regression.nrules; i++) {
            mg_policy_rule *r = &p->regression.rules[i];
            if (strcmp(r->metric, name) != 0)
                continue;
            if (e->id == K_REG_MIN_CHANGE)
                r->has_min_change = false, r->min_change = 0;
            else if (e->id == K_REG_MIN_RELATIVE)
                r->has_min_relative_change = false, r->min_relative_change = 0;
            else
                r->confidence = 0;
        }
        return MG_OK;
    case K_METRIC:
        drop_named(p->metric_gates, &p->nmetric_gates, sizeof(mg_policy_bound), name);
        return MG_OK;
    case K_METRIC_MIN:
    case K_METRIC_MAX:
    case K_METRIC_CONF: b = find_bound(p->metric_gates, p->nmetric_gates, name); break;
    case K_ON_INCONCLUSIVE: p->on_inconclusive = MG_ON_INCONCLUSIVE_FAIL; return MG_OK;
    case K_OUTPUTS:
        free(p->outputs_dir);
        free(p->report_id);
        p->outputs_dir = p->report_id = NULL;
        return MG_OK;
    case K_OUTPUTS_DIR: free(p->outputs_dir), p->outputs_dir = NULL; return MG_OK;
    case K_OUTPUTS_ID: free(p->report_id), p->report_id = NULL; return MG_OK;
    case K_SLICES: mg__policy_slices_release(&p->slices); return MG_OK;
    case K_SLICES_BY: mg__value_free_list(&p->slices.by, &p->slices.nby); return MG_OK;
    case K_SLICES_CROSS: {
        int n = p->slices.ncross * 2;
        mg__value_free_list(&p->slices.cross, &n);
        p->slices.ncross = 0;
        return MG_OK;
    }
    case K_SLICES_BINS: p->slices.bins = MG_POLICY_SLICE_BINS; return MG_OK;
    case K_SLICES_MIN_SIZE: p->slices.min_slice_size = MG_POLICY_SLICE_MIN_SIZE; return MG_OK;
    case K_SLICES_EDGES: reset_slice_edges(&p->slices); return MG_OK;
    case K_SLICES_EDGE:
        for (int i = 0; i < p->slices.nedges; i++)
            if (strcmp(p->slices.edges[i].column, name) == 0)
                free(p->slices.edges[i].edges);
        drop_named(p->slices.edges, &p->slices.nedges, sizeof(mg_policy_slice_edges), name);
        return MG_OK;
    case K_SLICES_GATES: reset_slice_gates(&p->slices); return MG_OK;
    case K_SLICE_GATE:
        drop_named(p->slices.gates, &p->slices.ngates, sizeof(mg_policy_slice_gate), name);
        return MG_OK;
    case K_SLICE_MIN:
    case K_SLICE_MAX:
    case K_SLICE_MAX_GAP:
    case K_SLICE_CONF:
        for (int i = 0; i < p->slices.ngates; i++) {
            mg_policy_slice_gate *g = &p->slices.gates[i];
            if (strcmp(g->metric, name) != 0)
                continue;
            if (e->id == K_SLICE_MIN)
                g->has_min = false, g->min = 0;
            else if (e->id == K_SLICE_MAX)
                g->has_max = false, g->max = 0;
            else if (e->id == K_SLICE_MAX_GAP)
                g->has_max_gap = false, g->max_gap = 0;
            else
                g->confidence = 0;
        }
        return MG_OK;
    default: break;
    }
    if (b != NULL) {
        int id = e->id;
        if (id == K_LAT_MIN || id == K_FAIR_MIN || id == K_METRIC_MIN)
            b->has_min = false, b->min = 0;
        else if (id == K_LAT_MAX || id == K_FAIR_MAX || id == K_METRIC_MAX)
            b->has_max = false, b->max = 0;
        else
            b->confidence = 0;
    }
    return MG_OK;
}

void mg__key_example(const mg__kentry *e, const char **mapping, const char **one_key) {
    static const struct {
        int id;
        const char *mapping, *one_key;
    } examples[] = {
        {K_DATA, "{test: data/test.csv, label: label}", "test=data/test.csv"},
        {K_GATES, "{accuracy: {min: 0.85}}", "accuracy.min=0.85"},
        {K_LAT, "{p99_ms: {max: 100}}", "p99_ms.max=100"},
        {K_LAT_BOUND, "{max: 100}", "max=100"},
        {K_FAIR, "{protected_attributes: [gender], demographic_parity_ratio: {min: 0.8}}",
         "demographic_parity_ratio.min=0.8"},
        {K_FAIR_REF, "{attribute: gender, group: female}", "group=female"},
        {K_FAIR_BOUND, "{min: 0.8}", "min=0.8"},
        {K_REG, "{accuracy: {min_change: -0.01}}", "accuracy.min_change=-0.01"},
        {K_REG_RULE, "{min_change: -0.01}", "min_change=-0.01"},
        {K_METRIC, "{min: 0.85}", "min=0.85"},
        {K_OUTPUTS, "{dir: modelgate-results}", "dir=modelgate-results"},
        {K_SLICES, "{by: [region]}", "by=[region]"},
        {K_SLICES_EDGES, "{age: [25, 40, 60]}", "age=[25, 40, 60]"},
        {K_SLICES_GATES, "{accuracy: {min: 0.8}}", "accuracy.min=0.8"},
        {K_SLICE_GATE, "{min: 0.8}", "min=0.8"},
    };
    *mapping = "{...}";
    *one_key = NULL;
    for (size_t i = 0; i < MG_ARRAY_LEN(examples); i++)
        if (examples[i].id == e->id) {
            *mapping = examples[i].mapping;
            *one_key = examples[i].one_key;
        }
}
