/* test_xgboost_doc.c - format detection and the JSON/UBJSON walker that reads
 * an XGBoost model's version and base_score before libxgboost loads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/xgboost.h"

#define DOC(s) (const uint8_t *)(s), sizeof(s) - 1

static void detects_formats(void **state) {
    (void)state;
    assert_int_equal(mg__xgb_detect(DOC("{\"learner\":{}}")), MG__XGB_JSON);
    assert_int_equal(mg__xgb_detect(DOC(" \n{ \"version\":[1], \"learner\":{}}")), MG__XGB_JSON);
    assert_int_equal(mg__xgb_detect(DOC("{\"other\":{}}")), MG__XGB_NONE);
    assert_int_equal(mg__xgb_detect(DOC("{L\0\0\0\0\0\0\0\x07learner{}}")), MG__XGB_UBJ);
    assert_int_equal(mg__xgb_detect(DOC("{i\x07learner{}}")), MG__XGB_UBJ);
    assert_int_equal(mg__xgb_detect(DOC("label,a,b\n1,2,3\n")), MG__XGB_NONE);
    assert_int_equal(mg__xgb_detect(DOC("")), MG__XGB_NONE);
    /* Legacy binary: 136 bytes of parameters, then the objective's name. */
    uint8_t bin[4 + 136 + 8 + 15] = "binf";
    bin[4 + 136] = 15;
    memcpy(bin + 4 + 136 + 8, "binary:logistic", 15);
    assert_int_equal(mg__xgb_detect(bin, sizeof bin), MG__XGB_BINARY);
    assert_int_equal(mg__xgb_detect(bin + 4, sizeof bin - 4), MG__XGB_BINARY);
    bin[4 + 136 + 8 + 6] = '!';
    assert_int_equal(mg__xgb_detect(bin, sizeof bin), MG__XGB_NONE);
    bin[4 + 136 + 8 + 6] = ':';
    bin[4 + 136] = 200;
    assert_int_equal(mg__xgb_detect(bin, sizeof bin), MG__XGB_NONE);
}

static void json_walk(void **state) {
    (void)state;
    static const char doc[] =
        "{\"learner\": {\"a\": [1, {\"x\": \"}\"}, \"q\\\"\"], \"learner_model_param\": "
        "{\"base_score\": \"5E-1\", \"num_class\": \"0\"}}, \"version\": [1, 7, 4]}";
    mg__doc_value v;
    const char *vp[] = {"version"};
    assert_int_equal(mg__doc_find(DOC(doc), false, vp, 1, &v), 1);
    int64_t parts[3];
    assert_int_equal(mg__doc_int_array(DOC(doc), false, &v, parts, 3), 3);
    assert_true(parts[0] == 1 && parts[1] == 7 && parts[2] == 4);
    const char *bp[] = {"learner", "learner_model_param", "base_score"};
    assert_int_equal(mg__doc_find(DOC(doc), false, bp, 3, &v), 1);
    char text[16];
    assert_int_equal(mg__doc_string(DOC(doc), false, &v, text, sizeof text), 0);
    assert_string_equal(text, "5E-1");
    const char *missing[] = {"learner", "nope"};
    assert_int_equal(mg__doc_find(DOC(doc), false, missing, 2, &v), 0);
    assert_int_equal(mg__doc_find(DOC("{\"learner\": [1, 2"), false, vp, 1, &v), -1);
    assert_int_equal(mg__doc_find(DOC("{\"version\": [1, 7"), false, vp, 1, &v), -1);
}

static void ubj_walk(void **state) {
    (void)state;
    /* {"learner": {"t": [$d#i2 <8 bytes>], "s": "ab"}, "version": [#i3 i1 i7 i4]} */
    static const char doc[] = "{i\x07learner{i\x01t[$d#i\x02\x01\x02\x03\x04\x05\x06\x07\x08"
                              "i\x01sSi\x02"
                              "ab}i\x07version[#i\x03i\x01i\x07i\x04}";
    mg__doc_value v;
    const char *vp[] = {"version"};
    assert_int_equal(mg__doc_find(DOC(doc), true, vp, 1, &v), 1);
    int64_t parts[3];
    assert_int_equal(mg__doc_int_array(DOC(doc), true, &v, parts, 3), 3);
    assert_true(parts[0] == 1 && parts[1] == 7 && parts[2] == 4);
    const char *sp[] = {"learner", "s"};
    assert_int_equal(mg__doc_find(DOC(doc), true, sp, 2, &v), 1);
    char text[8];
    assert_int_equal(mg__doc_string(DOC(doc), true, &v, text, sizeof text), 0);
    assert_string_equal(text, "ab");
    /* A typed array whose count runs past the end is malformed. */
    static const char bad[] = "{i\x07learner[$d#i\x7f\x01}";
    assert_int_equal(mg__doc_find(DOC(bad), true, vp, 1, &v), -1);
}

static void refuses_v2(void **state) {
    (void)state;
    mg__xgb_version ver;
    mg_error err = {0};
    static const char v2[] = "{\"learner\":{\"learner_model_param\":{\"base_score\":\"[5E-1]\"}},"
                             "\"version\":[2,0,3]}";
    assert_int_equal(mg__xgb_check_version("m.json", DOC(v2), MG__XGB_JSON, &ver, &err),
                     MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "m.json: written by XGBoost 2.0.3"));
    assert_non_null(strstr(err.text, "xgboost<2"));
    static const char list[] = "{\"learner\":{\"learner_model_param\":{\"base_score\":\"[5E-1]\"}},"
                               "\"version\":[1,7,6]}";
    assert_int_equal(mg__xgb_check_version("m.json", DOC(list), MG__XGB_JSON, &ver, &err),
                     MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "base_score is a list"));
    static const char ok[] = "{\"learner\":{\"learner_model_param\":{\"base_score\":\"5E-1\"}},"
                             "\"version\":[1,7,4]}";
    assert_int_equal(mg__xgb_check_version("m.json", DOC(ok), MG__XGB_JSON, &ver, &err), MG_OK);
    assert_true(ver.known && ver.major == 1 && ver.minor == 7 && ver.patch == 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detects_formats),
        cmocka_unit_test(json_walk),
        cmocka_unit_test(ubj_walk),
        cmocka_unit_test(refuses_v2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
