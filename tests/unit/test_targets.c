/* test_targets.c - label/task resolution and alignment (lib/eval/targets.c)
 * and the predictions-file join (lib/data/join.c), on tables built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "internal.h"
#include "modelgate/evaluate.h"

/* Builds a table from CSV text through the public reader. */
static mg_table *csv(const char *text) {
    mg_table *t = NULL;
    mg_error err;
    mg_status st = mg_csv_read_buffer(text, strlen(text), "t.csv", NULL, &t, &err);
    if (st != MG_OK)
        fail_msg("csv: %s", err.text);
    return t;
}

static mg_status build(const char *text, const char *model_arg, mg_eval_spec *spec, mg_targets *out,
                       mg_error *err) {
    mg_table *t = csv(text);
    mg_model *m = NULL;
    mg_status st = mg_model_open(model_arg, NULL, &m, err);
    if (st == MG_OK)
        st = mg_targets_build(t, m, spec, out, err);
    mg_model_free(m);
    mg_table_free(t);
    return st;
}

static void binary_zero_one(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,score\n0,0.1\n1,0.8\n1,0.4\n", "column:score", &spec, &t, &err),
                     MG_OK);
    assert_int_equal(t.task, MG_TASK_BINARY);
    assert_string_equal(t.positive_label, "1");
    assert_int_equal(t.n, 3);
    assert_int_equal(t.y[0], 0);
    assert_int_equal(t.y[1], 1);
    assert_true(t.score[2] == 0.4);
    mg_targets_release(&t);
}

static void binary_text_labels_take_the_larger(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,score\nno,0.1\nyes,0.8\n", "column:score", &spec, &t, &err),
                     MG_OK);
    assert_string_equal(t.positive_label, "yes");
    assert_string_equal(t.negative_label, "no");
    mg_targets_release(&t);
    spec.positive_label = "no";
    assert_int_equal(build("label,score\nno,0.1\nyes,0.8\n", "column:score", &spec, &t, &err),
                     MG_OK);
    assert_int_equal(t.y[0], 1);
    mg_targets_release(&t);
    spec.positive_label = "maybe";
    assert_int_equal(build("label,score\nno,0.1\nyes,0.8\n", "column:score", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(
        err.text, "t.csv: --positive-label 'maybe' is not a value of column 'label' (no, yes)");
}

static void binary_errors(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5, .task = MG_TASK_BINARY};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,score\n0,0.1\n1,0.8\n2,0.4\n", "column:score", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: column 'label' has 3 distinct labels (0, 1, 2); a binary "
                                  "task needs at most 2");
    assert_int_equal(build("label,score\n0,0.1\n1,1.2\n", "column:score", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 2, column 'score': score 1.2 is outside [0, 1], "
                                  "expected a probability (use --task regression for unbounded "
                                  "predictions)");
    assert_int_equal(build("label,score\n0,0.1\n1,NaN\n", "column:score", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text,
                        "t.csv: row 2, column 'score': score is missing (empty, NA or NaN)");
    assert_int_equal(build("label,score\n0,0.1\n,0.3\n", "column:score", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 2, column 'label': label is missing");
    assert_int_equal(build("y,score\n0,0.1\n", "column:score", &spec, &t, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: no label column 'label' (name it with --label); columns: y, score");
    assert_int_equal(build("label,score\n", "column:score", &spec, &t, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: no data rows (header only)");
}

static void multiclass_classes_sorted(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5};
    mg_targets t;
    mg_error err;
    assert_int_equal(
        build("label,pred\ncat,dog\nemu,emu\ndog,dog\ncat,cat\n", "column:pred", &spec, &t, &err),
        MG_OK);
    assert_int_equal(t.task, MG_TASK_MULTICLASS);
    assert_int_equal(t.nclasses, 3);
    assert_string_equal(t.class_labels[0], "cat");
    assert_string_equal(t.class_labels[2], "emu");
    assert_int_equal(t.yc[0], 0);
    assert_int_equal(t.pred[0], 1);
    assert_int_equal(t.yc[1], 2);
    mg_targets_release(&t);
    /* numbers sort numerically: 10 after 9 */
    assert_int_equal(build("label,pred\n10,9\n9,9\n2,10\n", "column:pred", &spec, &t, &err), MG_OK);
    assert_string_equal(t.class_labels[0], "2");
    assert_string_equal(t.class_labels[1], "9");
    assert_string_equal(t.class_labels[2], "10");
    mg_targets_release(&t);
}

static void multiclass_probability_columns(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,p_b,p_a,p_c\na,0.2,0.7,0.1\nc,0.3,0.3,0.4\n",
                           "columns:p_b,p_a,p_c", &spec, &t, &err),
                     MG_OK);
    assert_int_equal(t.task, MG_TASK_MULTICLASS);
    assert_string_equal(t.class_labels[0], "a");
    assert_true(t.proba[0] == 0.7 && t.proba[1] == 0.2 && t.proba[2] == 0.1);
    assert_int_equal(t.pred[0], 0);
    assert_int_equal(t.pred[1], 2);
    assert_int_equal(t.yc[1], 2);
    mg_targets_release(&t);
    assert_int_equal(build("label,p_b,p_a,p_c\nz,0.2,0.7,0.1\nb,0.3,0.3,0.4\n",
                           "columns:p_b,p_a,p_c", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: column 'label' holds label 'z', which is not a class of "
                                  "model columns:p_b,p_a,p_c (labels: b, z; the model's classes: "
                                  "b, a, c)");
    /* two probability columns are a binary task; every label must be a class */
    assert_int_equal(
        build("label,p_b,p_a\nz,0.2,0.8\nb,0.3,0.7\n", "columns:p_b,p_a", &spec, &t, &err),
        MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: column 'label' holds label 'z', which is not a class of "
                                  "model columns:p_b,p_a (labels: b, z; the model's classes: b, a)");
    assert_int_equal(
        build("label,p_b,p_a\na,0.2,0.8\nb,0.3,0.7\n", "columns:p_b,p_a", &spec, &t, &err), MG_OK);
    assert_int_equal(t.task, MG_TASK_BINARY);
    assert_string_equal(t.positive_label, "b");
    assert_true(t.score[0] == 0.2 && t.score[1] == 0.3);
    mg_targets_release(&t);
}

/* Hard predictions in a binary task must be values of the label set. */
static void binary_hard_predictions(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,pred\ncat,cat\ndog,cat\ncat,bird\n", "column:pred", &spec, &t,
                           &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 3, column 'pred': predicted class 'bird' is not a "
                                  "value of label column 'label' (cat, dog)");
    assert_int_equal(build("label,pred\nyes,Yes\nno,No\n", "column:pred", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 1, column 'pred': predicted class 'Yes' is not a "
                                  "value of label column 'label' (no, yes)");
    /* integer classes that are label values are classes, not probabilities */
    assert_int_equal(build("label,pred\n1,2\n2,2\n1,1\n", "column:pred", &spec, &t, &err), MG_OK);
    assert_int_equal(t.task, MG_TASK_BINARY);
    assert_string_equal(t.positive_label, "2");
    assert_true(t.score[0] == 1 && t.score[1] == 1 && t.score[2] == 0);
    assert_int_equal(t.y[0], 0);
    mg_targets_release(&t);
    spec.positive_label = "-1";
    assert_int_equal(build("label,pred\n-1,-1\n1,-1\n1,1\n", "column:pred", &spec, &t, &err),
                     MG_OK);
    assert_true(t.score[0] == 1 && t.score[1] == 1 && t.score[2] == 0);
    assert_int_equal(t.y[0], 1);
    mg_targets_release(&t);
    spec.positive_label = NULL;
    assert_int_equal(build("label,pred\n1,1\n2,3\n", "column:pred", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 2, column 'pred': predicted class 3 is not a value "
                                  "of label column 'label' (1, 2)");
}

/* A binary model's score is P(its positive class); the other class is 1 - p. */
static void binary_model_classes(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5, .positive_label = "0"};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,p_0,p_1\n0,0.25,0.75\n1,0.5,0.5\n", "columns:p_0,p_1", &spec,
                           &t, &err),
                     MG_OK);
    assert_string_equal(t.positive_label, "0");
    assert_true(t.score[0] == 0.25 && t.score[1] == 0.5);
    assert_int_equal(t.y[0], 1);
    assert_non_null(strstr(t.positive_reason, "given with --positive-label"));
    mg_targets_release(&t);
    /* --classes must agree with classes the model names */
    const char *classes[] = {"x", "y"};
    mg_eval_spec named = {.threshold = 0.5, .classes = classes, .nclasses = 2};
    assert_int_equal(build("label,p_0,p_1\n0,0.25,0.75\n1,0.5,0.5\n", "columns:p_0,p_1", &named,
                           &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: model columns:p_0,p_1 names its classes (0, 1), which "
                                  "are not --classes x, y");
    /* a class without rows is still a class of the model */
    mg_eval_spec multi = {.threshold = 0.5};
    assert_int_equal(build("label,p_a,p_b,p_c\na,0.6,0.3,0.1\nb,0.2,0.7,0.1\n",
                           "columns:p_a,p_b,p_c", &multi, &t, &err),
                     MG_OK);
    assert_int_equal(t.task, MG_TASK_MULTICLASS);
    assert_int_equal(t.nclasses, 3);
    assert_string_equal(t.class_labels[2], "c");
    mg_targets_release(&t);
}

static void regression(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,pred\n1.5,2\n3.25,3\n", "column:pred", &spec, &t, &err), MG_OK);
    assert_int_equal(t.task, MG_TASK_REGRESSION);
    assert_true(t.yr[1] == 3.25 && t.pr[0] == 2);
    mg_targets_release(&t);
    spec.task = MG_TASK_REGRESSION;
    assert_int_equal(build("label,pred\nhigh,2\nlow,3\n", "column:pred", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: column 'label' holds text (e.g. 'high'), a regression "
                                  "task needs numeric labels");
}

static void weights(void **state) {
    (void)state;
    mg_eval_spec spec = {.threshold = 0.5, .weight = "w"};
    mg_targets t;
    mg_error err;
    assert_int_equal(build("label,score,w\n0,0.1,2\n1,0.8,0.5\n", "column:score", &spec, &t, &err),
                     MG_OK);
    assert_true(t.w[0] == 2 && t.w[1] == 0.5);
    mg_targets_release(&t);
    assert_int_equal(build("label,score,w\n0,0.1,-2\n", "column:score", &spec, &t, &err),
                     MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 1, column 'w': weight must be finite and >= 0");
}

static void attach_by_id_and_order(void **state) {
    (void)state;
    mg_error err;
    mg_table *base = csv("id,label\na,1\nb,0\nc,1\n");
    mg_table *preds = csv("id,score\nc,0.9\na,0.6\nb,0.2\n");
    assert_int_equal(mg_table_attach(base, preds, "id", &err), MG_OK);
    const mg_column *s = mg_table_column(base, "score");
    assert_non_null(s);
    assert_true(s->f64[0] == 0.6 && s->f64[1] == 0.2 && s->f64[2] == 0.9);
    mg_table_free(preds);
    preds = csv("id,score2\nc,0.9\na,0.6\n");
    assert_int_equal(mg_table_attach(base, preds, "id", &err), MG_ERR_DATA);
    assert_string_equal(err.text, "t.csv: row 2: id 'b' has no prediction in t.csv");
    mg_table_free(preds);
    preds = csv("p\n1\n2\n");
    assert_int_equal(mg_table_attach(base, preds, NULL, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "has 2 rows but the test data t.csv has 3"));
    mg_table_free(preds);
    mg_table_free(base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binary_zero_one),
        cmocka_unit_test(binary_text_labels_take_the_larger),
        cmocka_unit_test(binary_errors),
        cmocka_unit_test(multiclass_classes_sorted),
        cmocka_unit_test(multiclass_probability_columns),
        cmocka_unit_test(binary_hard_predictions),
        cmocka_unit_test(binary_model_classes),
        cmocka_unit_test(regression),
        cmocka_unit_test(weights),
        cmocka_unit_test(attach_by_id_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
