/* test_model_open.c - mg_model_open through the library API: the three
 * XGBoost formats of one small model describe and predict the same (values
 * from xgboost's own Python predict), and truncated files are refused with
 * an error naming them, never a crash or a wrong prediction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/xgboost.h"
#include "modelgate/model.h"

static const double rows[] = {0, 1, 1, 0, NAN, 1, 0.5, NAN};
/* booster.inplace_predict on the same rows with python3-xgboost 1.7.4. */
static const double want[] = {0.28958383202552795, 0.7104161381721497, 0.28958383202552795,
                              0.7104161381721497};

static void opens_every_format(void **state) {
    (void)state;
    const char *files[] = {MG_TEST_DATA "/models/tiny.json", MG_TEST_DATA "/models/tiny.ubj",
                           MG_TEST_DATA "/models/tiny.bin"};
    for (size_t i = 0; i < MG_ARRAY_LEN(files); i++) {
        mg_model *m = NULL;
        mg_error err = {0};
        mg_model_options opts = {.threads = 2};
        assert_int_equal(mg_model_open(files[i], &opts, &m, &err), MG_OK);
        const mg_model_info *info = mg_model_describe(m);
        assert_string_equal(info->backend, "xgboost");
        assert_string_equal(info->objective, "binary:logistic");
        assert_int_equal(info->kind, MG_OUTPUT_PROBABILITY);
        assert_int_equal(info->noutputs, 1);
        assert_int_equal(info->nfeatures, 2);
        if (i < 2) { /* the legacy binary format keeps no names */
            assert_non_null(info->feature_names);
            assert_string_equal(info->feature_names[0], "a");
            assert_string_equal(info->feature_names[1], "b");
        } else {
            assert_null(info->feature_names);
        }
        assert_non_null(mg_model_sha256(m));
        assert_int_equal(strlen(mg_model_sha256(m)), 64);
        double out[4];
        assert_int_equal(mg_model_predict(m, rows, 4, 2, out, &err), MG_OK);
        for (int r = 0; r < 4; r++)
            assert_true(fabs(out[r] - want[r]) < 1e-7);
        assert_int_equal(mg_model_predict(m, rows, 2, 3, out, &err), MG_ERR_DATA);
        assert_non_null(strstr(err.text, "expects 2 features, got 3"));
        mg_model_free(m);
    }
}

/* Every prefix of a model file fails cleanly (libxgboost's own parser
 * included), except the whole file. */
static void truncations_fail_cleanly(void **state) {
    (void)state;
    const char *files[] = {MG_TEST_DATA "/models/tiny.json", MG_TEST_DATA "/models/tiny.ubj",
                           MG_TEST_DATA "/models/tiny.bin"};
    char path[64];
    snprintf(path, sizeof path, "/tmp/mg-test-trunc-%ld.model", (long)getpid());
    for (size_t i = 0; i < MG_ARRAY_LEN(files); i++) {
        FILE *f = fopen(files[i], "rb");
        assert_non_null(f);
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        for (size_t cut = 0; cut < n; cut += 7) {
            FILE *o = fopen(path, "wb");
            assert_non_null(o);
            fwrite(buf, 1, cut, o);
            fclose(o);
            mg_model *m = NULL;
            mg_error err = {0};
            mg_status st = mg_model_open(path, NULL, &m, &err);
            if (st == MG_OK && i == 2) {
                /* The binary format ends with optional attributes that
                 * libxgboost does without: the trees, and so the
                 * predictions, are whole. */
                double out[4];
                assert_int_equal(mg_model_predict(m, rows, 4, 2, out, &err), MG_OK);
                for (int r = 0; r < 4; r++)
                    assert_true(fabs(out[r] - want[r]) < 1e-7);
                mg_model_free(m);
                continue;
            }
            assert_int_not_equal(st, MG_OK);
            assert_null(m);
            assert_non_null(strstr(err.text, path));
        }
    }
    unlink(path);
}

static void refuses_unknown_arguments(void **state) {
    (void)state;
    mg_model *m = NULL;
    mg_error err = {0};
    assert_int_equal(mg_model_open("s3:bucket/model", NULL, &m, &err), MG_ERR_USAGE);
    assert_non_null(strstr(
        err.text, "cmd:PROGRAM ARGS..., http://HOST:PORT/v2/models/NAME/infer, column:NAME"));
    assert_int_equal(mg_model_open(MG_TEST_DATA "/models/none.json", NULL, &m, &err), MG_ERR_IO);
    assert_non_null(strstr(err.text, "none.json: cannot open"));
    assert_int_equal(mg_model_open("cmd:", NULL, &m, &err), MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "expected a program after cmd:"));
    assert_int_equal(mg_model_open(MG_TEST_DATA "/models/tiny_v2.json", NULL, &m, &err),
                     MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "written by XGBoost 2.0.3"));
    assert_null(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opens_every_format),
        cmocka_unit_test(truncations_fail_cleanly),
        cmocka_unit_test(refuses_unknown_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
