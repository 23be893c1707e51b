/* test_onnx.c - lib/model/onnx: the wire decoder on ModelProto bytes written
 * here field by field (packed and unpacked repeated fields, raw_data, the size
 * checks), content detection, and predictions checked against values computed
 * by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/onnx/onnx.h"

/* ---- a tiny protobuf writer --------------------------------------------------------- */

typedef struct pb {
    uint8_t b[4096];
    size_t n;
} pb;

static void put(pb *p, uint8_t c) {
    assert_true(p->n < sizeof p->b);
    p->b[p->n++] = c;
}

static void varint(pb *p, uint64_t v) {
    while (v >= 0x80) {
        put(p, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put(p, (uint8_t)v);
}

static void tag(pb *p, int field, int wire) {
    varint(p, (uint64_t)field << 3 | (uint64_t)wire);
}

static void bytes(pb *p, int field, const void *data, size_t len) {
    tag(p, field, 2);
    varint(p, len);
    for (size_t i = 0; i < len; i++)
        put(p, ((const uint8_t *)data)[i]);
}

static void str(pb *p, int field, const char *s) {
    bytes(p, field, s, strlen(s));
}

static void msg(pb *p, int field, const pb *m) {
    bytes(p, field, m->b, m->n);
}

static void f32(pb *p, float f) {
    uint8_t q[4];
    memcpy(q, &f, 4);
    for (int i = 0; i < 4; i++)
        put(p, q[i]);
}

static void int_field(pb *p, int field, uint64_t v) {
    tag(p, field, 0);
    varint(p, v);
}

/* A float attribute list, packed (one length-delimited field) or one field per value. */
static void floats_attr(pb *node, const char *name, const float *v, int n, bool packed) {
    pb a = {0};
    str(&a, 1, name);
    int_field(&a, 20, 6); /* FLOATS */
    if (packed) {
        pb body = {0};
        for (int i = 0; i < n; i++)
            f32(&body, v[i]);
        msg(&a, 7, &body);
    } else {
        for (int i = 0; i < n; i++) {
            tag(&a, 7, 5);
            f32(&a, v[i]);
        }
    }
    msg(node, 5, &a);
}

static void value_info(pb *graph, int field, const char *name, int width) {
    pb dim0 = {0}, dim1 = {0}, shape = {0}, tensor = {0}, type = {0}, vi = {0};
    str(&dim0, 2, "N");
    int_field(&dim1, 1, (uint64_t)width);
    msg(&shape, 1, &dim0);
    msg(&shape, 1, &dim1);
    int_field(&tensor, 1, OX_FLOAT);
    msg(&tensor, 2, &shape);
    msg(&type, 1, &tensor);
    str(&vi, 1, name);
    msg(&vi, 2, &type);
    msg(graph, field, &vi);
}

/* y = 2*x0 - x1 + 0.5 as a LinearRegressor, coefficients packed or not. */
static void linear_model(pb *m, bool packed) {
    pb node = {0}, graph = {0}, opset = {0}, opset_ml = {0};
    str(&node, 1, "X");
    str(&node, 2, "Y");
    str(&node, 3, "lin");
    str(&node, 4, "LinearRegressor");
    str(&node, 7, "ai.onnx.ml");
    const float coef[2] = {2.0f, -1.0f}, icpt[1] = {0.5f};
    floats_attr(&node, "coefficients", coef, 2, packed);
    floats_attr(&node, "intercepts", icpt, 1, !packed);
    msg(&graph, 1, &node);
    str(&graph, 2, "g");
    value_info(&graph, 11, "X", 2);
    value_info(&graph, 12, "Y", 1);
    str(&opset, 1, "");
    int_field(&opset, 2, 17);
    str(&opset_ml, 1, "ai.onnx.ml");
    int_field(&opset_ml, 2, 3);
    memset(m, 0, sizeof *m);
    int_field(m, 1, 8);
    msg(m, 8, &opset);
    msg(m, 8, &opset_ml);
    msg(m, 7, &graph);
}

static mg_status open_bytes(const pb *m, mg_model **out, mg_error *err) {
    mg_model *model = mg__model_new(&mg__onnx_backend, "t.onnx", NULL);
    assert_non_null(model);
    mg_status st = mg__onnx_open(model, "t.onnx", m->b, m->n, err);
    if (st != MG_OK) {
        mg_model_free(model);
        model = NULL;
    }
    *out = model;
    return st;
}

static void test_packed_and_unpacked_agree(void **state) {
    (void)state;
    const double rows[6] = {1.0, 2.0, -0.5, 0.25, NAN, 0.0};
    const double want[3] = {0.5, -0.75, NAN}; /* 2*1-2+.5, 2*-.5-.25+.5, NaN */
    for (int packed = 0; packed < 2; packed++) {
        pb m;
        linear_model(&m, packed != 0);
        assert_true(mg__onnx_detect(m.b, m.n));
        mg_model *model = NULL;
        mg_error err;
        mg_error_clear(&err);
        assert_int_equal(open_bytes(&m, &model, &err), MG_OK);
        const mg_model_info *info = mg_model_describe(model);
        assert_int_equal(info->kind, MG_OUTPUT_VALUE);
        assert_int_equal(info->nfeatures, 2);
        double out[3];
        assert_int_equal(mg_model_predict(model, rows, 3, 2, out, &err), MG_OK);
        assert_true(fabs(out[0] - want[0]) < 1e-7);
        assert_true(fabs(out[1] - want[1]) < 1e-7);
        assert_true(isnan(out[2]));
        mg_model_free(model);
    }
}

static void test_truncation_names_a_byte(void **state) {
    (void)state;
    pb m;
    linear_model(&m, true);
    for (size_t cut = 1; cut < m.n; cut += 7) {
        pb t = m;
        t.n = cut;
        mg_model *model = NULL;
        mg_error err;
        mg_error_clear(&err);
        mg_status st = open_bytes(&t, &model, &err);
        if (st == MG_OK) { /* a cut between top-level fields can still be a model */
            mg_model_free(model);
            continue;
        }
        assert_true(st == MG_ERR_FORMAT || st == MG_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.text, "t.onnx"));
    }
}

static void test_lengths_are_checked_before_allocating(void **state) {
    (void)state;
    /* A graph field claiming 2^40 bytes, and a tensor whose dims promise 2^40
     * floats but carry 2: both refused without allocating. */
    pb m = {0};
    int_field(&m, 1, 8);
    tag(&m, 7, 2);
    varint(&m, (uint64_t)1 << 40);
    mg_model *model = NULL;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(open_bytes(&m, &model, &err), MG_ERR_FORMAT);
    assert_non_null(strstr(err.text, "byte 3"));

    pb tensor = {0}, graph = {0};
    int_field(&tensor, 1, (uint64_t)1 << 20);
    int_field(&tensor, 1, (uint64_t)1 << 20);
    int_field(&tensor, 2, OX_FLOAT);
    str(&tensor, 8, "w");
    pb body = {0};
    f32(&body, 1.0f);
    f32(&body, 2.0f);
    msg(&tensor, 4, &body);
    msg(&graph, 5, &tensor);
    memset(&m, 0, sizeof m);
    int_field(&m, 1, 8);
    msg(&m, 7, &graph);
    mg_error_clear(&err);
    assert_int_equal(open_bytes(&m, &model, &err), MG_ERR_FORMAT);
    assert_non_null(strstr(err.text, "element count"));
}

static void test_raw_data_and_external_data(void **state) {
    (void)state;
    ox_model om;
    mg_error err;
    /* raw_data little-endian int64 [3, -2]; float_data absent. */
    pb tensor = {0}, graph = {0}, m = {0};
    int_field(&tensor, 1, 2);
    int_field(&tensor, 2, OX_INT64);
    str(&tensor, 8, "k");
    const uint8_t raw[16] = {3, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    bytes(&tensor, 9, raw, sizeof raw);
    msg(&graph, 5, &tensor);
    int_field(&m, 1, 8);
    msg(&m, 7, &graph);
    mg_error_clear(&err);
    assert_int_equal(ox__decode("t.onnx", m.b, m.n, &om, &err), MG_OK);
    assert_int_equal(om.graph.ninits, 1);
    assert_int_equal(om.graph.inits[0].n, 2);
    assert_int_equal(om.graph.inits[0].i[0], 3);
    assert_int_equal(om.graph.inits[0].i[1], -2);
    assert_string_equal(om.graph.init_names[0], "k");
    ox__model_release(&om);

    int_field(&tensor, 14, 1); /* data_location = EXTERNAL */
    memset(&graph, 0, sizeof graph);
    msg(&graph, 5, &tensor);
    memset(&m, 0, sizeof m);
    int_field(&m, 1, 8);
    msg(&m, 7, &graph);
    mg_error_clear(&err);
    assert_int_equal(ox__decode("t.onnx", m.b, m.n, &om, &err), MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "external file"));
    assert_non_null(strstr(err.text, "'k'"));
}

static void test_detection(void **state) {
    (void)state;
    const char *json = "{\"learner\": {}}";
    assert_false(mg__onnx_detect((const uint8_t *)json, strlen(json)));
    const uint8_t csv[] = "a,b\n1,2\n";
    assert_false(mg__onnx_detect(csv, sizeof csv - 1));
    pb m;
    linear_model(&m, false);
    assert_true(mg__onnx_detect(m.b, m.n));
    m.n -= 3; /* the graph field runs past the end */
    assert_false(mg__onnx_detect(m.b, m.n));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packed_and_unpacked_agree),
        cmocka_unit_test(test_truncation_names_a_byte),
        cmocka_unit_test(test_lengths_are_checked_before_allocating),
        cmocka_unit_test(test_raw_data_and_external_data),
        cmocka_unit_test(test_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
