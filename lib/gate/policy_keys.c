/* policy_keys.c - every key of modelgate.yml (DESIGN §14): its type, its
 * range, and how its value lands in an mg_policy (the typing of the values
 * themselves is policy_values.c). The file walk and --set go
 * through the same table and the same typing rules (YAML 1.2 core schema,
 * read strictly), so that an override can never mean something a file
 * could not. */
#include "gate/policy_keys.h"
#include "modelgate/fairness.h"
#include "modelgate/metric_registry.h"

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
    K_OUTPUTS_ID
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
    default: return false;
    }
}

/* The names of a wildcard, into names[] (static storage for the metric and
 * latency names, buf for the fairness ones). */
static int wild_names(mg__kwild w, const char **names, int cap, char (*buf)[64], int nbuf) {
    int n = 0;
    if (w == MG__W_METRIC) {
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
        p->fairness.has = true;
        return mg__value_list(ctx, key, v, &p->fairness.protected_attributes,
                              &p->fairness.nprotected);
    case MG__K_SECTION: break;
    }
    return mg__fail(ctx->err, MG_ERR_INTERNAL, "policy key %s is a section", key);
}
