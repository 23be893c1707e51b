/* test_slices.c - slices from targets and codes (lib/metrics/slices.c,
 * slicing.c, operating_points.c) on hand-computed cases: both sort paths give
 * the same slices, crossing drops empty combinations, operating points parse
 * and name themselves, slice gates decide per slice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "modelgate/metric_registry.h"
#include "modelgate/slices.h"

/* 12 rows, two slices: A = rows 0..5, B = rows 6..11. */
static uint8_t Y[12] = {1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0};
static double S[12] = {0.9, 0.8, 0.4, 0.3, 0.8, 0.1, 0.7, 0.6, 0.6, 0.2, 0.3, 0.55};
static int32_t CODE[12] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
static char NAME_G[] = "g", NAME_A[] = "a", NAME_B[] = "b", TEXT_X[] = "x";

static void targets(mg_targets *t) {
    memset(t, 0, sizeof *t);
    t->task = MG_TASK_BINARY;
    t->n = 12;
    t->y = Y;
    t->score = S;
    t->threshold = 0.5;
}

static void slicing(mg_slicing *s, mg_slice_part *parts) {
    memset(s, 0, sizeof *s);
    s->name = NAME_G;
    s->method = "values";
    s->ncolumns = 1;
    s->nrows = 12;
    s->code = CODE;
    s->nslices = 2;
    parts[0] = (mg_slice_part){MG_SLICE_PART_STRING, "A", 0, 0, 0, false, false};
    parts[1] = (mg_slice_part){MG_SLICE_PART_STRING, "B", 0, 0, 0, false, false};
    s->parts = parts;
}

static void both_sort_paths_agree(void **state) {
    (void)state;
    mg_targets t;
    mg_slicing s;
    mg_slice_part parts[2];
    targets(&t);
    slicing(&s, parts);
    mg_error err;
    int64_t *order = NULL;
    assert_int_equal(mg_score_order(&t, &order, &err), MG_OK);
    mg_slice_report a, b;
    assert_int_equal(mg_slices_compute(&t, order, &s, 1, 2, 0.95, &a, &err), MG_OK);
    assert_int_equal(mg_slices_compute(&t, NULL, &s, 1, 2, 0.95, &b, &err), MG_OK);
    for (int i = 0; i < 2; i++) {
        const mg_binary_metrics *x = &a.slices[i].eval.binary, *y = &b.slices[i].eval.binary;
        assert_true(a.slices[i].scored && b.slices[i].scored);
        assert_int_equal(a.slices[i].n, 6);
        assert_true(x->roc_auc.v == y->roc_auc.v && x->pr_auc.v == y->pr_auc.v);
        assert_true(x->accuracy.v == y->accuracy.v && x->log_loss.v == y->log_loss.v);
        assert_true(a.slices[i].ci[4].ci.low == b.slices[i].ci[4].ci.low);
    }
    /* slice A: positives 0.9, 0.4, 0.8; negatives 0.8, 0.3, 0.1: 0.9 beats 3, 0.4 beats 2,
     * 0.8 beats 2 and ties 1: 7.5 of 9 pairs */
    assert_true(fabs(a.slices[0].eval.binary.roc_auc.v - 7.5 / 9) < 1e-15);
    /* accuracy at 0.5: 0.9 tp, 0.8 fp, 0.4 fn, 0.3 tn, 0.8 tp, 0.1 tn */
    assert_true(fabs(a.slices[0].eval.binary.accuracy.v - 4.0 / 6) < 1e-15);
    /* slice B: positives 0.7, 0.6, 0.3; negatives 0.6, 0.2, 0.55:
     * 0.7 beats 3, 0.6 beats 2 and ties 1, 0.3 beats 1: 6.5 of 9 */
    assert_true(fabs(a.slices[1].eval.binary.roc_auc.v - 6.5 / 9) < 1e-15);
    /* min size 7: neither slice is scored */
    mg_slice_report c;
    assert_int_equal(mg_slices_compute(&t, NULL, &s, 1, 7, 0.95, &c, &err), MG_OK);
    assert_false(c.slices[0].scored || c.slices[1].scored);
    mg_slice_report_release(&a);
    mg_slice_report_release(&b);
    mg_slice_report_release(&c);
    free(order);
}

static void gates_decide_each_slice(void **state) {
    (void)state;
    mg_targets t;
    mg_slicing s;
    mg_slice_part parts[2];
    targets(&t);
    slicing(&s, parts);
    mg_error err;
    mg_slice_report r;
    mg_evaluation all;
    assert_int_equal(mg_slices_compute(&t, NULL, &s, 1, 2, 0.95, &r, &err), MG_OK);
    assert_int_equal(mg_evaluation_compute(&t, &all, &err), MG_OK);
    mg_slice_gate g = {"roc_auc", MG_SLICE_GATE_MIN, 0.8};
    mg_gate_result *res = NULL;
    int n = 0, small = 0;
    assert_int_equal(mg_slice_gate_decide(&r, &all, &g, 0, &res, &n, &small, &err), MG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(small, 0);
    assert_int_equal(res[0].verdict, MG_VERDICT_PASS); /* 0.944 */
    assert_int_equal(res[1].verdict, MG_VERDICT_FAIL); /* 0.722 */
    assert_string_equal(res[1].name, "roc_auc >= 0.8 on g=B");
    /* with a confidence level: 6 rows decide nothing */
    n = 0;
    assert_int_equal(mg_slice_gate_decide(&r, &all, &g, 0.95, &res, &n, &small, &err), MG_OK);
    assert_int_equal(res[0].verdict, MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(res[1].verdict, MG_VERDICT_INCONCLUSIVE);
    mg_slice_gate bad = {"rmse", MG_SLICE_GATE_MAX, 1};
    assert_int_equal(mg_slice_gate_decide(&r, &all, &bad, 0, &res, &n, &small, &err),
                     MG_ERR_USAGE);
    free(res);
    mg_slice_report_release(&r);
    mg_evaluation_release(&all);
}

static void crossing_drops_empty_combinations(void **state) {
    (void)state;
    static int32_t ca[4] = {0, 0, 1, 1}, cb[4] = {0, 0, 1, 0};
    mg_slice_part pa[2] = {{MG_SLICE_PART_STRING, "x", 0, 0, 0, false, false}, {MG_SLICE_PART_NULL, NULL, 0, 0, 0, false, false}};
    mg_slice_part pb[2] = {{MG_SLICE_PART_BOOL, NULL, 0, 0, 0, false, false}, {MG_SLICE_PART_BOOL, NULL, 1, 0, 0, false, false}};
    char *texts[1] = {TEXT_X};
    pa[0].text = texts[0];
    mg_slicing a = {.name = NAME_A, .ncolumns = 1, .nrows = 4, .code = ca, .nslices = 2,
                    .parts = pa, .texts = texts, .ntexts = 1};
    mg_slicing b = {.name = NAME_B, .ncolumns = 1, .nrows = 4, .code = cb, .nslices = 2,
                    .parts = pb};
    mg_slicing c;
    mg_error err;
    assert_int_equal(mg_slicing_cross(&a, &b, &c, &err), MG_OK);
    /* (x,false) (null,false) (null,true): (x,true) does not occur */
    assert_int_equal(c.nslices, 3);
    assert_int_equal(c.code[0], 0);
    assert_int_equal(c.code[2], 2);
    assert_int_equal(c.code[3], 1);
    assert_string_equal(c.name, "a\xC3\x97"
                                "b");
    char label[64];
    assert_string_equal(mg_slice_label(&c, 0, label, sizeof label), "x \xC3\x97 false");
    assert_string_equal(mg_slice_label(&c, 2, label, sizeof label), "null \xC3\x97 true");
    assert_true(c.parts[0].text != texts[0]); /* its own copy */
    mg_slicing_release(&c);
}

static void operating_points_parse_and_compute(void **state) {
    (void)state;
    mg_operating_point p[3];
    assert_int_equal(mg_operating_point_parse("precision=0.9", &p[0]), 0);
    assert_string_equal(p[0].name, "recall_at_precision_0.9");
    assert_int_equal(mg_operating_point_parse("recall=0.50", &p[1]), 0);
    assert_string_equal(p[1].name, "precision_at_recall_0.5");
    assert_int_equal(mg_operating_point_parse("fpr=0.2", &p[2]), 0);
    assert_string_equal(p[2].name, "tpr_at_fpr_0.2");
    mg_operating_point q;
    assert_int_equal(mg_operating_point_parse("precision=1.5", &q), -1);
    assert_int_equal(mg_operating_point_parse("accuracy=0.5", &q), -1);
    assert_int_equal(mg_operating_point_from_name("tpr_at_fpr_x", &q), -1);
    assert_non_null(mg_metric_find("recall_at_precision_0.75"));
    assert_null(mg_metric_find("recall_at_precision_"));
    mg_targets t;
    targets(&t);
    mg_error err;
    assert_int_equal(mg_operating_points_compute(&t, NULL, p, 3, 0.95, &err), MG_OK);
    /* thresholds from the top: 0.9 (1 tp), 0.8 (2 tp 1 fp), 0.7 (3, 1), 0.6 (4, 2),
     * 0.55 (4, 3), 0.4 (5, 3), 0.3 (6, 4), 0.2 (6, 5), 0.1 (6, 6); 6 positives */
    assert_true(p[0].value.null_reason == NULL && p[0].value.v == 1.0 / 6); /* only 0.9 */
    assert_true(p[0].threshold.v == 0.9);
    assert_true(p[1].value.v == 0.75 && p[1].threshold.v == 0.7); /* recall 0.5 at 0.7 */
    assert_true(p[2].value.v == 0.5 && p[2].threshold.v == 0.7); /* fp 1 of 6 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_sort_paths_agree),
        cmocka_unit_test(gates_decide_each_slice),
        cmocka_unit_test(crossing_drops_empty_combinations),
        cmocka_unit_test(operating_points_parse_and_compute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
