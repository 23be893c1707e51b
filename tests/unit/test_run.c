/* test_run.c - the evaluation run (lib/eval/run.c): defaults, the columns it
 * reads, a predictions file attached, one model's outputs kept out of the
 * other's features, the protected attributes checked, targets built once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "internal.h"
#include "modelgate/run.h"

/* Writes text to a new temporary file; its path into path (cap 64). */
static void temp_csv(const char *text, char *path) {
    snprintf(path, 64, "%s", "/tmp/mg_test_run_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void spec_init_defaults(void **state) {
    (void)state;
    mg_run_spec s;
    memset(&s, 0x5a, sizeof s);
    mg_run_spec_init(&s);
    assert_true(s.threshold == 0.5);
    assert_int_equal(s.task, MG_TASK_AUTO);
    assert_null(s.label);
    assert_null(s.weight);
    assert_null(s.predictions);
    assert_int_equal(s.nmodels, 0);
    assert_false(s.need_protected);
}

/* Two column models read only the label and their columns; each model's
 * roles keep the other's column out of its features. */
static void column_models_project_and_exclude(void **state) {
    (void)state;
    char path[64];
    temp_csv("label,junk,a,b,g\n0,x,0.2,0.1,m\n1,y,0.9,0.4,f\n1,z,0.3,0.8,f\n", path);
    mg_run_spec s;
    mg_run_spec_init(&s);
    s.test_data = path;
    s.models[0] = "column:a";
    s.models[1] = "column:b";
    s.nmodels = 2;
    mg_run run;
    mg_error err;
    assert_int_equal(mg_run_open(&s, &run, &err), MG_OK);
    assert_int_equal(run.table->ncols, 3); /* label, a, b: not junk, not g */
    assert_null(mg_table_column(run.table, "junk"));
    mg_feature_roles r0, r1;
    mg_run_roles(&run, 0, &r0);
    mg_run_roles(&run, 1, &r1);
    assert_string_equal(r0.label, "label");
    assert_int_equal(r0.nignore, 1);
    assert_string_equal(r0.ignore[0], "b");
    assert_int_equal(r1.nignore, 1);
    assert_string_equal(r1.ignore[0], "a");
    assert_int_equal(mg_run_targets(&run, 0, &err), MG_OK);
    assert_int_equal(mg_run_targets(&run, 0, &err), MG_OK); /* once */
    assert_int_equal(mg_run_targets(&run, 1, &err), MG_OK);
    assert_int_equal(run.targets[0].task, MG_TASK_BINARY);
    assert_true(run.targets[0].score[1] == 0.9);
    assert_true(run.targets[1].score[2] == 0.8);
    assert_true(run.targets[0].threshold == 0.5);
    mg_run_drop_table(&run);
    assert_null(run.table);
    assert_true(run.targets[1].score[0] == 0.1); /* the targets stay */
    mg_run_release(&run);

    /* The protected attributes are read when the caller groups by them. */
    const char *attrs[] = {"g"};
    s.nmodels = 1;
    s.protected_attrs = attrs;
    s.nprotected = 1;
    s.need_protected = true;
    assert_int_equal(mg_run_open(&s, &run, &err), MG_OK);
    assert_int_equal(run.table->ncols, 3); /* label, a, g */
    assert_non_null(mg_table_column(run.table, "g"));
    mg_run_release(&run);

    /* A missing one: the projected read names it. */
    attrs[0] = "gender";
    assert_int_not_equal(mg_run_open(&s, &run, &err), MG_OK);
    assert_non_null(strstr(err.text, "column 'gender' is not in the header"));
    mg_run_release(&run);
    unlink(path);
}

/* A predictions file is attached by id; the table is then read whole. */
static void predictions_file_by_id(void **state) {
    (void)state;
    char data[64], preds[64];
    temp_csv("id,label,f\n1,0,5\n2,1,6\n3,1,7\n", data);
    temp_csv("id,p\n3,0.7\n1,0.2\n2,0.6\n", preds);
    mg_run_spec s;
    mg_run_spec_init(&s);
    s.test_data = data;
    s.predictions = preds;
    s.id = "id";
    s.models[0] = "column:p";
    s.nmodels = 1;
    s.threshold = 0.65;
    mg_run run;
    mg_error err;
    assert_int_equal(mg_run_open(&s, &run, &err), MG_OK);
    assert_non_null(mg_table_column(run.table, "f"));
    assert_int_equal(mg_run_targets(&run, 0, &err), MG_OK);
    assert_true(run.targets[0].score[0] == 0.2);
    assert_true(run.targets[0].score[2] == 0.7);
    assert_true(run.targets[0].threshold == 0.65);
    mg_run_release(&run);

    /* No models: the table alone, with the spec's roles. */
    s.nmodels = 0;
    s.predictions = NULL;
    assert_int_equal(mg_run_open(&s, &run, &err), MG_OK);
    assert_int_equal(run.table->ncols, 3);
    assert_int_equal(mg_run_targets(&run, 0, &err), MG_ERR_USAGE);
    mg_feature_roles r;
    mg_run_roles(&run, 0, &r);
    assert_string_equal(r.id, "id");
    mg_run_release(&run);

    /* Whole table read: a missing protected attribute is named as such. */
    const char *attrs[] = {"gender"};
    s.protected_attrs = attrs;
    s.nprotected = 1;
    s.need_protected = true;
    assert_int_equal(mg_run_open(&s, &run, &err), MG_ERR_DATA);
    char want[128];
    snprintf(want, sizeof want, "%s: no column 'gender' (protected attribute)", data);
    assert_string_equal(err.text, want);
    mg_run_release(&run);
    unlink(data);
    unlink(preds);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_init_defaults),
        cmocka_unit_test(column_models_project_and_exclude),
        cmocka_unit_test(predictions_file_by_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
