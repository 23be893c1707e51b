/* test_fairness.c - per-group rates and disparities on hand-computed cases:
 * a group that selects nobody, a group without positives, a single group, a
 * tiny group, nulls in the attribute, integer/boolean attributes,
 * intersections, a reference group, weights, and the bootstrap decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "fairness/fairness_internal.h"
#include "modelgate/fairness.h"
#include "modelgate/report.h"

/* fairness.json of f (no provenance), or NULL; caller frees. */
static char *fairness_json_text(const mg_fairness *f) {
    char *out = NULL;
    mg_error err;
    if (mg_fairness_json(f, NULL, &out, NULL, &err) != MG_OK)
        return NULL;
    return out;
}

#define EPS 1e-12

/* A table of attribute columns built by hand. */
typedef struct fixture {
    mg_table table;
    mg_column cols[4];
} fixture;

static void fixture_init(fixture *fx, int64_t n) {
    memset(fx, 0, sizeof *fx);
    fx->table.source = (char *)(uintptr_t) "test.csv";
    fx->table.nrows = n;
    fx->table.cols = fx->cols;
}

/* A string column; NULL entries are nulls. */
static void add_strings(fixture *fx, const char *name, const char *const *v, int64_t n) {
    mg_column *c = &fx->cols[fx->table.ncols++];
    assert_int_equal(mg__column_init(c, name, MG_TYPE_STR, n, NULL), MG_OK);
    c->dict = calloc((size_t)n, sizeof *c->dict);
    for (int64_t i = 0; i < n; i++) {
        if (v[i] == NULL) {
            assert_int_equal(mg__column_set_null(c, i, NULL), MG_OK);
            continue;
        }
        int32_t k = 0;
        while (k < c->ndict && strcmp(c->dict[k], v[i]) != 0)
            k++;
        if (k == c->ndict)
            c->dict[c->ndict++] = strdup(v[i]);
        c->codes[i] = k;
    }
}

static void add_ints(fixture *fx, const char *name, const int64_t *v, int64_t n) {
    mg_column *c = &fx->cols[fx->table.ncols++];
    assert_int_equal(mg__column_init(c, name, MG_TYPE_I64, n, NULL), MG_OK);
    memcpy(c->i64, v, (size_t)n * sizeof *v);
}

static void add_bools(fixture *fx, const char *name, const uint8_t *v, int64_t n) {
    mg_column *c = &fx->cols[fx->table.ncols++];
    assert_int_equal(mg__column_init(c, name, MG_TYPE_BOOL, n, NULL), MG_OK);
    memcpy(c->b, v, (size_t)n);
}

static void fixture_release(fixture *fx) {
    for (int c = 0; c < fx->table.ncols; c++)
        mg__column_release(&fx->cols[c]);
}

/* Binary targets from labels and 0/1 predictions (score = prediction). */
static mg_targets binary(uint8_t *y, double *score, double *w, int64_t n) {
    mg_targets t;
    memset(&t, 0, sizeof t);
    t.task = MG_TASK_BINARY;
    t.n = n;
    t.y = y;
    t.score = score;
    t.w = w;
    t.threshold = 0.5;
    return t;
}

static const mg_fairness_group *group(const mg_fairness_attr *a, const char *name) {
    for (int g = 0; g < a->ngroups; g++)
        if (strcmp(a->groups[g].name, name) == 0)
            return &a->groups[g];
    fail_msg("no group %s", name);
    return NULL;
}

static mg_fairness_options opts_small(void) {
    mg_fairness_options o;
    mg_fairness_options_init(&o);
    o.min_group_size = 1;
    return o;
}

/* female: y 1 1 0 0, pred 1 0 0 0; male: y 1 1 0 0, pred 1 1 1 0. */
static const char *const sex8[] = {"female", "female", "female", "female",
                                   "male",   "male",   "male",   "male"};
static uint8_t y8[] = {1, 1, 0, 0, 1, 1, 0, 0};
static double p8[] = {1, 0, 0, 0, 1, 1, 1, 0};

static void between_groups_by_hand(void **state) {
    (void)state;
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "gender", sex8, 8);
    mg_targets t = binary(y8, p8, NULL, 8);
    mg_fairness_options o = opts_small();
    o.gates = MG_FAIR_GATE(MG_FAIR_DEMOGRAPHIC_PARITY) | MG_FAIR_GATE(MG_FAIR_EQUALIZED_ODDS);
    const char *attrs[] = {"gender"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    const mg_fairness_attr *a = &f.attrs[0];
    assert_int_equal(a->ngroups, 2);
    assert_string_equal(a->groups[0].name, "female");
    const mg_fairness_group *fe = group(a, "female"), *ma = group(a, "male");
    assert_int_equal(fe->n, 4);
    assert_int_equal(fe->positives, 1);
    assert_int_equal(fe->actual_positives, 2);
    assert_true(fabs(fe->selection_rate.value.v - 0.25) < EPS);
    assert_true(fabs(fe->tpr.value.v - 0.5) < EPS);
    assert_true(fabs(fe->fpr.value.v - 0.0) < EPS);
    assert_true(fabs(fe->fnr.value.v - 0.5) < EPS);
    assert_true(fabs(fe->precision.value.v - 1.0) < EPS);
    assert_true(fabs(fe->accuracy.value.v - 0.75) < EPS);
    assert_true(fabs(fe->base_rate.value.v - 0.5) < EPS);
    assert_true(fabs(ma->selection_rate.value.v - 0.75) < EPS);
    assert_true(fabs(ma->precision.value.v - 2.0 / 3.0) < EPS);
    /* Wilson 95% for 1/4 (scipy: proportion_confint method="wilson"). */
    assert_true(fabs(fe->selection_rate.ci.low - 0.04558726080970055) < 1e-9);
    assert_true(fabs(fe->selection_rate.ci.high - 0.6993581574175981) < 1e-9);
    const mg_disparity *dp = &a->measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_true(fabs(dp->ratio.v - 1.0 / 3.0) < EPS);
    assert_true(fabs(dp->difference.v - 0.5) < EPS);
    const mg_disparity *eo = &a->measures[MG_FAIR_EQUALIZED_ODDS];
    assert_true(fabs(eo->tpr_ratio.v - 0.5) < EPS);
    assert_true(fabs(eo->fpr_ratio.v - 0.0) < EPS);
    assert_true(fabs(eo->ratio.v - 0.0) < EPS);
    assert_true(fabs(eo->difference.v - 0.5) < EPS);
    const mg_disparity *eop = &a->measures[MG_FAIR_EQUAL_OPPORTUNITY];
    assert_true(fabs(eop->ratio.v - 0.5) < EPS);
    assert_false(eop->gated);
    assert_int_equal(dp->verdict, MG_VERDICT_FAIL);
    assert_int_equal(f.verdict, MG_VERDICT_FAIL);
    mg_fairness_release(&f);

    /* to_overall: overall SR 0.5; ratios 0.5 and 1/1.5; differences 0.25. */
    o.method = MG_FAIRNESS_TO_OVERALL;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    dp = &f.attrs[0].measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_true(fabs(dp->ratio.v - 0.5) < EPS);
    assert_true(fabs(dp->difference.v - 0.25) < EPS);
    mg_fairness_release(&f);
    fixture_release(&fx);
}

static void zero_selection_and_no_positives(void **state) {
    (void)state;
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "gender", sex8, 8);
    /* female selects nobody and has no actual positives. */
    uint8_t y[] = {0, 0, 0, 0, 1, 1, 0, 0};
    double p[] = {0, 0, 0, 0, 1, 0, 1, 0};
    mg_targets t = binary(y, p, NULL, 8);
    mg_fairness_options o = opts_small();
    o.gates = MG_FAIR_GATE(MG_FAIR_DEMOGRAPHIC_PARITY) | MG_FAIR_GATE(MG_FAIR_EQUAL_OPPORTUNITY);
    const char *attrs[] = {"gender"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    const mg_fairness_attr *a = &f.attrs[0];
    const mg_disparity *dp = &a->measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_null(dp->ratio.null_reason);
    assert_true(dp->ratio.v == 0.0); /* 0 / 0.5: a real zero, not 0/0 */
    assert_int_equal(dp->verdict, MG_VERDICT_FAIL);
    assert_non_null(group(a, "female")->tpr.value.null_reason);
    assert_non_null(group(a, "female")->precision.value.null_reason);
    const mg_disparity *eop = &a->measures[MG_FAIR_EQUAL_OPPORTUNITY];
    assert_non_null(eop->ratio.null_reason);
    assert_int_equal(eop->verdict, MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(f.verdict, MG_VERDICT_FAIL); /* a failure outranks inconclusive */
    char *json = fairness_json_text(&f);
    assert_non_null(strstr(json, "\"equal_opportunity.gender.ratio\": \"a compared group has "
                                 "no actual positives, so its TPR is undefined\""));
    assert_non_null(strstr(json, "\"tpr\": null,\n          \"tpr_ci\": null"));
    free(json);
    mg_fairness_release(&f);

    /* Nobody selected anywhere: 0/0 is null and inconclusive, never a pass. */
    double none[8] = {0};
    t = binary(y, none, NULL, 8);
    o.gates = 0;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    dp = &f.attrs[0].measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_non_null(dp->ratio.null_reason);
    assert_null(dp->difference.null_reason);
    assert_true(dp->difference.v == 0.0);
    assert_int_equal(f.verdict, MG_VERDICT_INCONCLUSIVE);
    json = fairness_json_text(&f);
    assert_non_null(strstr(json, "\"ratio\": null"));
    assert_non_null(strstr(json, "\"verdict\": \"inconclusive\""));
    free(json);
    mg_fairness_release(&f);
    fixture_release(&fx);
}

static void single_and_tiny_groups(void **state) {
    (void)state;
    const char *v[] = {"a", "a", "a", "a", "a", "b", "b", "a"};
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "g", v, 8);
    mg_targets t = binary(y8, p8, NULL, 8);
    mg_fairness_options o = opts_small();
    o.min_group_size = 3; /* b (2 rows) is excluded, leaving one group */
    const char *attrs[] = {"g"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    const mg_fairness_attr *a = &f.attrs[0];
    assert_true(group(a, "b")->excluded);
    assert_int_equal(group(a, "b")->n, 2);
    assert_false(group(a, "a")->excluded);
    const mg_disparity *dp = &a->measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_non_null(dp->ratio.null_reason);
    assert_non_null(strstr(dp->ratio.null_reason, "only one group"));
    assert_int_equal(f.verdict, MG_VERDICT_INCONCLUSIVE);
    char *json = fairness_json_text(&f);
    assert_non_null(strstr(json,
                           "\"excluded_groups\": {\n    \"g\": [\n      {\n        \"value\": "
                           "\"b\",\n        \"n\": 2\n      }\n    ]"));
    free(json);
    mg_fairness_release(&f);
    /* Every group too small. */
    o.min_group_size = 100;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    assert_non_null(strstr(f.attrs[0].measures[0].ratio.null_reason, "no group"));
    assert_int_equal(f.verdict, MG_VERDICT_INCONCLUSIVE);
    mg_fairness_release(&f);
    fixture_release(&fx);
}

static void nulls_ints_bools_and_intersection(void **state) {
    (void)state;
    const char *s[] = {"x", NULL, "x", "y", NULL, "y", "x", "y"};
    int64_t iv[] = {10, 9, 10, 9, 10, 9, 10, 9};
    uint8_t bv[] = {1, 0, 1, 0, 1, 1, 0, 0};
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "s", s, 8);
    add_ints(&fx, "i", iv, 8);
    add_bools(&fx, "b", bv, 8);
    mg_targets t = binary(y8, p8, NULL, 8);
    mg_fairness_options o = opts_small();
    o.intersectional = true;
    const char *attrs[] = {"s", "i", "b"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 3, &o, &f, &err), MG_OK);
    assert_int_equal(f.nattrs, 4);
    const mg_fairness_attr *a = &f.attrs[0];
    assert_int_equal(a->ngroups, 3);
    assert_string_equal(a->groups[2].name, MG_FAIRNESS_NULL_GROUP);
    assert_int_equal(a->groups[2].n, 2);
    /* rows 1 and 4: pred 0 and 1 */
    assert_true(fabs(a->groups[2].selection_rate.value.v - 0.5) < EPS);
    /* integers sort numerically, booleans false before true */
    assert_string_equal(f.attrs[1].groups[0].name, "9");
    assert_string_equal(f.attrs[1].groups[1].name, "10");
    assert_string_equal(f.attrs[2].groups[0].name, "false");
    const mg_fairness_attr *x = &f.attrs[3];
    assert_string_equal(x->name, "s|i|b");
    /* combinations that occur: x|10|true (0,2), (null)|9|false (1), y|9|false (3,7),
     * (null)|10|true (4), y|9|true (5), x|10|false (6) */
    assert_int_equal(x->ngroups, 6);
    assert_string_equal(x->groups[0].name, "x|10|false");
    assert_string_equal(x->groups[1].name, "x|10|true");
    assert_int_equal(group(x, "x|10|true")->n, 2);
    assert_int_equal(group(x, "y|9|false")->n, 2);
    assert_int_equal(group(x, "(null)|10|true")->n, 1);
    mg_fairness_release(&f);
    fixture_release(&fx);
}

static void reference_and_weights(void **state) {
    (void)state;
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "gender", sex8, 8);
    double w[] = {1, 3, 1, 1, 2, 2, 1, 1};
    mg_targets t = binary(y8, p8, w, 8);
    mg_fairness_options o = opts_small();
    o.reference_attr = "gender";
    o.reference_group = "male";
    const char *attrs[] = {"gender"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    const mg_fairness_attr *a = &f.attrs[0];
    /* female: weights 1 3 1 1, selected row 0 -> 1/6; male: 2 2 1 1, selected 0..2 -> 5/6 */
    assert_true(fabs(group(a, "female")->selection_rate.value.v - 1.0 / 6) < EPS);
    assert_true(fabs(group(a, "male")->selection_rate.value.v - 5.0 / 6) < EPS);
    assert_true(fabs(group(a, "female")->weight - 6) < EPS);
    /* TPR female: positives rows 0 (w1, sel) and 1 (w3) -> 1/4 */
    assert_true(fabs(group(a, "female")->tpr.value.v - 0.25) < EPS);
    /* Kish n_eff of female = 36 / 12 = 3: Wilson(0.5 of 3) */
    mg_interval ci;
    mg_wilson_interval(1.0 / 6 * 3, 3, 0.95, &ci);
    assert_true(fabs(group(a, "female")->selection_rate.ci.low - ci.low) < EPS);
    const mg_disparity *di = &a->measures[MG_FAIR_DISPARATE_IMPACT];
    assert_true(a->has_measure[MG_FAIR_DISPARATE_IMPACT]);
    assert_true(di->gated);
    assert_true(fabs(di->ratio.v - 0.2) < EPS);
    assert_true(fabs(di->ratio_max.v - 1.0) < EPS);
    assert_true(fabs(group(a, "female")->disparate_impact.v - 0.2) < EPS);
    assert_int_equal(di->verdict, MG_VERDICT_FAIL);
    mg_fairness_release(&f);

    /* Both ends of the band: a group selected 1.5x as often as the reference. */
    o.reference_group = "female";
    o.threshold = 0.1; /* band [0.1, 10]: 5x passes */
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    assert_true(fabs(f.attrs[0].measures[MG_FAIR_DISPARATE_IMPACT].ratio_max.v - 5) < EPS);
    assert_int_equal(f.attrs[0].measures[MG_FAIR_DISPARATE_IMPACT].verdict, MG_VERDICT_PASS);
    mg_fairness_release(&f);
    o.threshold = 0.25; /* band [0.25, 4]: 5x is above it */
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    assert_int_equal(f.attrs[0].measures[MG_FAIR_DISPARATE_IMPACT].verdict, MG_VERDICT_FAIL);
    mg_fairness_release(&f);

    o.reference_group = "other";
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "reference group 'other' does not occur in 'gender' "
                                  "(groups: 'female', 'male')");
    fixture_release(&fx);
}

static void regression_groups(void **state) {
    (void)state;
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "gender", sex8, 8);
    double yr[] = {1, 2, 3, 4, 1, 2, 3, 4};
    double pr[] = {1, 2, 3, 6, 2, 3, 4, 5}; /* female errors 0 0 0 2; male 1 1 1 1 */
    mg_targets t;
    memset(&t, 0, sizeof t);
    t.task = MG_TASK_REGRESSION;
    t.n = 8;
    t.yr = yr;
    t.pr = pr;
    mg_fairness_options o = opts_small();
    const char *attrs[] = {"gender"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    const mg_fairness_attr *a = &f.attrs[0];
    assert_true(fabs(group(a, "female")->mae.v - 0.5) < EPS);
    assert_true(fabs(group(a, "female")->rmse.v - 1.0) < EPS);
    assert_true(fabs(group(a, "female")->mean_prediction.v - 3.0) < EPS);
    assert_true(fabs(group(a, "male")->mae.v - 1.0) < EPS);
    assert_true(fabs(group(a, "male")->mean_prediction.v - 3.5) < EPS);
    assert_true(fabs(a->measures[MG_FAIR_MAE].ratio.v - 0.5) < EPS);
    assert_true(fabs(a->measures[MG_FAIR_RMSE].ratio.v - 1.0) < EPS);
    assert_true(fabs(a->measures[MG_FAIR_MEAN_PREDICTION].ratio.v - 3.0 / 3.5) < EPS);
    assert_true(fabs(a->measures[MG_FAIR_MEAN_PREDICTION].difference.v - 0.5) < EPS);
    assert_int_equal(a->measures[MG_FAIR_MAE].verdict, MG_VERDICT_FAIL); /* default gate */
    assert_false(a->has_measure[MG_FAIR_DEMOGRAPHIC_PARITY]);
    mg_fairness_release(&f);
    o.gates = MG_FAIR_GATE(MG_FAIR_DEMOGRAPHIC_PARITY);
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "cannot gate demographic_parity on a regression task");
    fixture_release(&fx);
}

static void bad_input(void **state) {
    (void)state;
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "gender", sex8, 8);
    mg_column *c = &fx.cols[fx.table.ncols++];
    assert_int_equal(mg__column_init(c, "age", MG_TYPE_F64, 8, NULL), MG_OK);
    mg_targets t = binary(y8, p8, NULL, 8);
    mg_fairness f;
    mg_error err;
    const char *unknown[] = {"gender", "race"};
    assert_int_equal(mg_fairness_compute(&t, &fx.table, unknown, 2, NULL, &f, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "test.csv: no column 'race' (protected attribute)");
    const char *flt[] = {"age"};
    assert_int_equal(mg_fairness_compute(&t, &fx.table, flt, 1, NULL, &f, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "'age' holds floating-point numbers"));
    t.task = MG_TASK_MULTICLASS;
    const char *g[] = {"gender"};
    assert_int_equal(mg_fairness_compute(&t, &fx.table, g, 1, NULL, &f, &err), MG_ERR_UNSUPPORTED);
    fixture_release(&fx);
}

static void holm_by_hand(void **state) {
    (void)state;
    double p[] = {0.01, 0.04, 0.03};
    mg__holm_adjust(p, 3);
    assert_true(fabs(p[0] - 0.03) < EPS);
    assert_true(fabs(p[1] - 0.06) < EPS);
    assert_true(fabs(p[2] - 0.06) < EPS);
    double q[] = {0.5, 0.9};
    mg__holm_adjust(q, 2);
    assert_true(fabs(q[0] - 1.0) < EPS && fabs(q[1] - 1.0) < EPS);
}

/* n rows in two groups with selection rates sa and sb (deterministic pattern). */
static void bootstrap_case(int64_t n, double sa, double sb, mg_verdict want, uint64_t seed,
                           double *ratio_low) {
    const char **v = calloc((size_t)n, sizeof *v);
    uint8_t *y = calloc((size_t)n, 1);
    double *s = calloc((size_t)n, sizeof *s);
    for (int64_t i = 0; i < n; i++) {
        bool a = i % 2 == 0;
        int64_t k = i / 2;
        v[i] = a ? "a" : "b";
        double rate = a ? sa : sb;
        s[i] = (double)((k * 7919) % 1000) < rate * 1000 ? 0.9 : 0.1;
        y[i] = (uint8_t)(k % 3 == 0);
    }
    fixture fx;
    fixture_init(&fx, n);
    add_strings(&fx, "g", v, n);
    mg_targets t = binary(y, s, NULL, n);
    mg_fairness_options o;
    mg_fairness_options_init(&o);
    o.confidence = 0.95;
    o.bootstrap_samples = 400;
    o.seed = seed;
    const char *attrs[] = {"g"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &f, &err), MG_OK);
    const mg_disparity *dp = &f.attrs[0].measures[MG_FAIR_DEMOGRAPHIC_PARITY];
    assert_true(dp->has_ci);
    assert_true(dp->ratio_ci.low <= dp->ratio.v && dp->ratio_ci.low <= dp->ratio_ci.high);
    assert_int_equal(dp->verdict, want);
    *ratio_low = dp->ratio_ci.low;
    /* Same seed and a different thread count: the same numbers. */
    o.threads = 1;
    mg_fairness g;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 1, &o, &g, &err), MG_OK);
    assert_true(g.attrs[0].measures[0].ratio_ci.low == dp->ratio_ci.low);
    assert_true(g.attrs[0].measures[0].p_pass == dp->p_pass);
    mg_fairness_release(&g);
    mg_fairness_release(&f);
    fixture_release(&fx);
    free(v);
    free(y);
    free(s);
}

/* The unweighted binary bootstrap draws one Poisson(n) per joint cell
 * (group, label, prediction) instead of one Poisson(1) per row: the same
 * distribution, different draws. Sample weights of 1 give the same
 * statistics but take the per-row path, so the two runs must give intervals
 * that agree within the Monte Carlo error of B = 2000 replicates: an
 * endpoint at quantile p has standard error about sqrt(p(1-p)/B) / phi(z_p)
 * times the replicates' standard deviation sd (approximately normal here;
 * sd = width / (2 z_p)); the tolerance is 6 standard errors of the
 * difference of two independent runs. Fixed seeds: deterministic. */
static void bootstrap_cells_match_rows(void **state) {
    (void)state;
    enum { N = 6000, B = 2000 };
    const char **v = calloc(N, sizeof *v);
    const char **u = calloc(N, sizeof *u);
    uint8_t *y = calloc(N, 1);
    double *s = calloc(N, sizeof *s), *w = calloc(N, sizeof *w);
    for (int64_t i = 0; i < N; i++) {
        int64_t k = i / 3;
        v[i] = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c";
        u[i] = (k * 31) % 7 < 3 ? "old" : "young";
        double rate = i % 3 == 0 ? 0.5 : i % 3 == 1 ? 0.42 : 0.47;
        y[i] = (uint8_t)((k * 13) % 5 < 2);
        s[i] = (double)((k * 7919) % 1000) < rate * 1000 + (y[i] ? 60 : -60) ? 0.9 : 0.1;
        w[i] = 1.0;
    }
    fixture fx;
    fixture_init(&fx, N);
    add_strings(&fx, "g", v, N);
    add_strings(&fx, "h", u, N);
    mg_fairness_options o;
    mg_fairness_options_init(&o);
    o.confidence = 0.95;
    o.bootstrap_samples = B;
    o.seed = 5;
    o.threshold = 0.8;
    o.gates = MG_FAIR_GATE(MG_FAIR_DEMOGRAPHIC_PARITY) | MG_FAIR_GATE(MG_FAIR_EQUALIZED_ODDS);
    const char *attrs[] = {"g", "h"};
    mg_targets tc = binary(y, s, NULL, N), tr = binary(y, s, w, N);
    mg_fairness fc, fr;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&tc, &fx.table, attrs, 2, &o, &fc, &err), MG_OK);
    assert_int_equal(mg_fairness_compute(&tr, &fx.table, attrs, 2, &o, &fr, &err), MG_OK);
    double p = 0.025, z = 1.959963984540054, phi = exp(-z * z / 2) / sqrt(2 * M_PI);
    double se_per_sd = sqrt(p * (1 - p) / B) / phi;
    int compared = 0, identical = 0;
    for (int a = 0; a < 2; a++)
        for (int m = 0; m < MG_FAIR_NMEASURES; m++) {
            const mg_disparity *dc = &fc.attrs[a].measures[m], *dr = &fr.attrs[a].measures[m];
            if (!dr->has_ci)
                continue;
            assert_true(dc->has_ci);
            assert_true(fabs(dc->ratio.v - dr->ratio.v) < EPS);
            const mg_interval *ic[2] = {&dc->ratio_ci, &dc->ratio_max_ci};
            const mg_interval *ir[2] = {&dr->ratio_ci, &dr->ratio_max_ci};
            for (int j = 0; j < 2; j++) {
                double sd = (ir[j]->high - ir[j]->low) / (2 * z);
                double tol = 6 * sqrt(2.0) * se_per_sd * sd;
                assert_true(sd > 0.005); /* a real spread, not a degenerate case */
                if (!(fabs(ic[j]->low - ir[j]->low) <= tol &&
                      fabs(ic[j]->high - ir[j]->high) <= tol)) {
                    print_error("attr %d measure %d: cells [%.6f, %.6f], rows [%.6f, %.6f], "
                                "tolerance %.6f\n",
                                a, m, ic[j]->low, ic[j]->high, ir[j]->low, ir[j]->high, tol);
                    fail();
                }
                identical += ic[j]->low == ir[j]->low && ic[j]->high == ir[j]->high;
                compared++;
            }
            assert_int_equal(dc->verdict, dr->verdict);
        }
    assert_int_equal(compared, 2 * 2 * 2); /* two gated measures on two attributes */
    assert_true(identical < compared);     /* the two paths really drew differently */
    mg_fairness_release(&fc);
    mg_fairness_release(&fr);
    fixture_release(&fx);
    free(v);
    free(u);
    free(y);
    free(s);
    free(w);
}

static void bootstrap_decisions(void **state) {
    (void)state;
    double lo1, lo2, lo3;
    bootstrap_case(4000, 0.50, 0.50, MG_VERDICT_PASS, 1, &lo1);        /* ratio 1, big n */
    bootstrap_case(4000, 0.50, 0.20, MG_VERDICT_FAIL, 1, &lo2);        /* ratio 0.4 */
    bootstrap_case(200, 0.50, 0.41, MG_VERDICT_INCONCLUSIVE, 1, &lo3); /* ~0.82, small n */
    bootstrap_case(200, 0.50, 0.41, MG_VERDICT_INCONCLUSIVE, 2, &lo3);
    assert_true(lo1 > 0.8 && lo2 < 0.8 && lo3 < 0.8);
}

/* Values that collided as JSON keys: the text "(null)" next to a missing
 * value, a value holding '|', and two intersections that both join to
 * "a|b|c". Each stays its own group, with its own figures, written as a
 * structured value; the reference is chosen by value, never by label. */
static void colliding_group_values(void **state) {
    (void)state;
    /* g: "(null)" rows 0-1, missing rows 2-3, "a|b" rows 4-5, "a" rows 6-7;
     * h: "c" except "b|c" for rows 6-7, so (a|b, c) and (a, b|c) both show
     * as "a|b|c". Predictions differ per group so that a lost group shows. */
    const char *g[] = {"(null)", "(null)", NULL, NULL, "a|b", "a|b", "a", "a"};
    const char *h[] = {"c", "c", "c", "c", "c", "c", "b|c", "b|c"};
    static uint8_t y[] = {1, 0, 1, 0, 1, 0, 1, 0};
    static double p[] = {1, 1, 0, 0, 1, 0, 0, 0};
    fixture fx;
    fixture_init(&fx, 8);
    add_strings(&fx, "g", g, 8);
    add_strings(&fx, "h", h, 8);
    mg_targets t = binary(y, p, NULL, 8);
    mg_fairness_options o = opts_small();
    o.intersectional = true;
    o.reference_attr = "g";
    o.reference_group = "(null)";
    const char *attrs[] = {"g", "h"};
    mg_fairness f;
    mg_error err;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 2, &o, &f, &err), MG_OK);
    const mg_fairness_attr *a = &f.attrs[0];
    assert_int_equal(a->ngroups, 4); /* "(null)", "a", "a|b", missing */
    assert_string_equal(a->groups[0].values[0], "(null)");
    assert_null(a->groups[3].values[0]);
    assert_true(fabs(a->groups[0].selection_rate.value.v - 1.0) < EPS);
    assert_true(fabs(a->groups[3].selection_rate.value.v - 0.0) < EPS);
    assert_int_equal(a->reference, 0); /* the text "(null)", not the missing group */
    const mg_fairness_attr *x = &f.attrs[2];
    assert_int_equal(x->nparts, 2);
    assert_int_equal(x->ngroups, 4);
    int both = 0;
    for (int k = 0; k < x->ngroups; k++)
        both += strcmp(x->groups[k].name, "a|b|c") == 0;
    assert_int_equal(both, 2);

    char *json = fairness_json_text(&f);
    assert_non_null(json);
    /* Values, not keys: every group is an entry of the "groups" array. */
    assert_null(strstr(json, "\"(null)\": {"));
    assert_null(strstr(json, "\"a|b\": {"));
    assert_non_null(strstr(json, "\"value\": \"(null)\""));
    assert_non_null(strstr(json, "\"value\": null"));
    assert_non_null(strstr(json, "\"value\": \"a|b\""));
    assert_non_null(strstr(json, "\"value\": [\n            \"a\",\n            \"b|c\"\n"));
    assert_non_null(strstr(json, "\"value\": [\n            \"a|b\",\n            \"c\"\n"));
    assert_non_null(strstr(json, "\"value\": [\n            null,\n            \"c\"\n"));
    assert_non_null(strstr(json, "\"attributes\": [\n        \"g\",\n        \"h\"\n      ]"));
    assert_non_null(strstr(json, "\"reference\": \"(null)\""));
    free(json);
    mg_fairness_release(&f);

    /* The missing group is the reference only when asked for as missing. */
    o.reference_group = NULL;
    o.reference_missing = true;
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 2, &o, &f, &err), MG_OK);
    assert_int_equal(f.attrs[0].reference, 3);
    json = fairness_json_text(&f);
    assert_non_null(strstr(json, "\"reference\": null"));
    free(json);
    mg_fairness_release(&f);

    /* A reference on the intersection is refused, as is a column named like it. */
    o.reference_missing = false;
    o.reference_attr = "g|h";
    o.reference_group = "a|b|c";
    assert_int_equal(mg_fairness_compute(&t, &fx.table, attrs, 2, &o, &f, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "reference attribute 'g|h' is not among the protected "
                                  "attributes (a reference group is for one attribute, not the "
                                  "intersection)");
    fixture_release(&fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(between_groups_by_hand),
        cmocka_unit_test(zero_selection_and_no_positives),
        cmocka_unit_test(single_and_tiny_groups),
        cmocka_unit_test(nulls_ints_bools_and_intersection),
        cmocka_unit_test(reference_and_weights),
        cmocka_unit_test(colliding_group_values),
        cmocka_unit_test(regression_groups),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(holm_by_hand),
        cmocka_unit_test(bootstrap_decisions),
        cmocka_unit_test(bootstrap_cells_match_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
