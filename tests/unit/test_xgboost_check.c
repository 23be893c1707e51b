/* test_xgboost_check.c - the structure check that runs before libxgboost
 * loads a model: valid models pass, each kind of edit is refused with a
 * message naming the tree and node, and truncated files never read past
 * their end. The expected messages are written by hand from the edits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xgboost.h"

typedef struct blob {
    uint8_t *p;
    size_t n;
} blob;

static blob load(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s", MG_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    blob b = {malloc(1 << 16), 0};
    assert_non_null(b.p);
    b.n = fread(b.p, 1, 1 << 16, f);
    fclose(f);
    assert_true(b.n > 0 && b.n < (1 << 16));
    return b;
}

/* A copy of the JSON text with the first `from` replaced by `to`. */
static blob edit(const blob *src, const char *from, const char *to) {
    const char *hit = strstr((const char *)src->p, from);
    assert_non_null(hit);
    size_t at = (size_t)(hit - (const char *)src->p), nf = strlen(from), nt = strlen(to);
    blob b = {malloc(src->n - nf + nt + 1), src->n - nf + nt};
    assert_non_null(b.p);
    memcpy(b.p, src->p, at);
    memcpy(b.p + at, to, nt);
    memcpy(b.p + at + nt, src->p + at + nf, src->n - at - nf);
    b.p[b.n] = '\0';
    return b;
}

static void expect(const blob *b, mg__xgb_format fmt, const char *msg) {
    mg_error err = {0};
    mg_status st = mg__xgb_check_structure("m", b->p, b->n, fmt, &err);
    if (msg == NULL) {
        if (st != MG_OK)
            fail_msg("refused: %s", err.text);
        return;
    }
    if (st != MG_ERR_FORMAT)
        fail_msg("status %d for \"%s\"", (int)st, msg);
    if (strstr(err.text, msg) == NULL)
        fail_msg("got \"%s\", expected \"%s\"", err.text, msg);
}

static blob json_tiny(void) {
    blob b = load("tiny.json");
    b.p[b.n] = '\0';
    return b;
}

static void accepts_valid_models(void **state) {
    (void)state;
    blob j = json_tiny(), u = load("tiny.ubj"), bin = load("tiny.bin");
    expect(&j, MG__XGB_JSON, NULL);
    expect(&u, MG__XGB_UBJ, NULL);
    expect(&bin, MG__XGB_BINARY, NULL);
    free(j.p);
    free(u.p);
    free(bin.p);
}

static void refuses_json_edits(void **state) {
    (void)state;
    blob j = json_tiny();
    static const struct {
        const char *from, *to, *msg;
    } cases[] = {
        {"\"num_trees\":\"2\"", "\"num_trees\":\"3\"", "m: num_trees is 3 but the model holds 2 trees"},
        {"\"num_trees\":\"2\"", "\"num_trees\":\"2\",\"num_trees\":\"201\"",
         "an object holds \"num_trees\" twice"},
        {"\"left_children\":[1,-1,-1]", "\"left_children\":[1,-1,-1],\"left_children\":[0,0,0]",
         "an object holds \"left_children\" twice"},
        {"\"num_parallel_tree\":\"1\"", "\"num_parallel_tree\":\"0\"",
         "num_parallel_tree is not a count of at least 1"},
        {"\"tree_info\":[0,0]", "\"tree_info\":[0]", "m: tree_info has 1 entries but the model holds 2"},
        {"\"tree_info\":[0,0]", "\"tree_info\":[0,-1]",
         "m: tree 1: tree_info -1 is outside the model's 1 output groups"},
        {"\"left_children\":[1,-1,-1]", "\"left_children\":[1,2,-1]",
         "m: tree 0, node 1: left child 2 but right child -1 (a leaf has -1 for both)"},
        {"\"left_children\":[1,-1,-1]", "\"left_children\":[2,-1,-1]",
         "m: tree 0, node 0: both children are node 2"},
        {"\"left_children\":[1,-1,-1]", "\"left_children\":[3,-1,-1]",
         "m: tree 0, node 0: left child 3 is beyond the tree's 3 nodes"},
        {"\"parents\":[2147483647,0,0]", "\"parents\":[2147483647,0,2]",
         "m: tree 0, node 2: parent 2 is not an earlier node of the tree"},
        {"\"split_indices\":[0,0,0]", "\"split_indices\":[2,0,0]",
         "m: tree 0, node 0: split index 2 is outside the model's 2 features"},
        {"\"split_indices\":[0,0,0]", "\"split_indices\":[0,0,0.5]",
         "m: tree 0: \"split_indices\" entry 2 is not an integer"},
        {"\"sum_hessian\":[1E1,5E0,5E0]", "\"sum_hessian\":[1E1,5E0]",
         "m: tree 0: \"sum_hessian\" has 2 entries but num_nodes is 3"},
        {"\"split_type\":[0,0,0]", "\"split_type\":[0,0,2]",
         "m: tree 0, node 2: split_type 2 is neither 0 (numerical) nor 1 (categorical)"},
        {"\"split_type\":[0,0,0]", "\"split_type\":[1,0,0]",
         "m: tree 0, node 0: a categorical split without categories"},
        {"\"categories\":[],\"categories_nodes\":[],\"categories_segments\":[],\"categories_sizes\":[]",
         "\"categories\":[0,1],\"categories_nodes\":[0],\"categories_segments\":[1],"
         "\"categories_sizes\":[2]",
         "m: tree 0, node 0: categories 1..3 lie outside the 2 categories listed"},
        {"\"categories\":[],\"categories_nodes\":[],\"categories_segments\":[],\"categories_sizes\":[]",
         "\"categories\":[16777216],\"categories_nodes\":[0],\"categories_segments\":[0],"
         "\"categories_sizes\":[1]",
         "m: tree 0, node 0: category 16777216 is outside 0..16777215"},
        {"\"categories_nodes\":[]", "\"categories_nodes\":[0]",
         "categories_nodes, categories_segments and categories_sizes have 1, 0 and 0 entries"},
        {"\"num_nodes\":\"3\"", "\"num_nodes\":\"0\"", "m: tree 0: num_nodes 0 (a tree has a root)"},
        {"\"id\":1", "\"id\":2", "m: tree 1: \"id\" 2 is not a tree position left unused (0..1)"},
        {"\"num_feature\":\"2\",\"num_target\"", "\"num_feature\":\"x\",\"num_target\"",
         "learner_model_param.num_feature is missing or not a count"},
        {"\"num_class\":\"0\"", "\"num_class\":\"1000000\"",
         "m: 1000000 output groups (num_class) but only 2 trees; each group has at least one"},
        {"\"num_class\":\"0\"", "\"num_class\":\"2\"", NULL},
        {"\"name\":\"gbtree\"", "\"name\":\"gbforest\"",
         "m: booster 'gbforest' is not gbtree, dart or gblinear"},
        {"\"version\":[1,7,4]}", "\"version\":[1,7,4]}, \"x\": [",
         "m: byte 1504: text after the end of the JSON document"},
        {"\"version\":[1,7,4]", "\"version\":[1,7,4], \"x\": [",
         "malformed XGBoost JSON model (the document does not parse)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blob b = edit(&j, cases[i].from, cases[i].to);
        expect(&b, MG__XGB_JSON, cases[i].msg);
        free(b.p);
    }
    /* Nesting deeper than the walker follows (libxgboost's parser recurses). */
    char deep[1300] = "\"version\":[1,7,4],\"x\":";
    size_t at = strlen(deep);
    memset(deep + at, '[', 600);
    memset(deep + at + 600, ']', 600);
    memcpy(deep + at + 1200, "}", 2);
    blob n = edit(&j, "\"version\":[1,7,4]}", deep);
    expect(&n, MG__XGB_JSON, "malformed XGBoost JSON model (the document does not parse)");
    free(n.p);
    /* The same trees as a dart booster: weight_drop needs one entry per tree. */
    blob d1 = edit(&j, "\"gradient_booster\":{\"model\":",
                   "\"gradient_booster\":{\"name\":\"dart\",\"weight_drop\":[1.0],"
                   "\"gbtree\":{\"model\":");
    blob d2 = edit(&d1, "},\"name\":\"gbtree\"},\"learner_model_param\"",
                   "},\"name\":\"gbtree\"}},\"learner_model_param\"");
    expect(&d2, MG__XGB_JSON, "m: weight_drop has 1 entries for 2 trees");
    blob d3 = edit(&d2, "\"weight_drop\":[1.0]", "\"weight_drop\":[1.0,0.5]");
    expect(&d3, MG__XGB_JSON, NULL);
    free(d1.p);
    free(d2.p);
    free(d3.p);
    free(j.p);
}

static void put_i32(uint8_t *p, int32_t v) {
    uint32_t u = (uint32_t)v;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(u >> (8 * i));
}

static void refuses_binary_edits(void **state) {
    (void)state;
    blob bin = load("tiny.bin");
    /* binf, 136 bytes of parameters, "binary:logistic" and "gbtree" with their
     * u64 lengths, then the 160-byte tree booster parameters. */
    const size_t obj = 4 + 136, gbm = obj + 8 + 15, gbp = gbm + 8 + 6, tree0 = gbp + 160;
    const size_t node0 = tree0 + 148, node1 = node0 + 20;
    const size_t tree1 = node0 + 3 * 36, info = tree1 + 148 + 3 * 36, attrs = info + 8;
    const struct {
        size_t at;
        int32_t value;
        const char *msg;
    } cases[] = {
        {gbp, 1000000, "m: num_trees 1000000 does not fit in the"},
        {tree0 + 4, 100000000,
         "m: tree 0 (byte 337): num_nodes 100000000 does not fit in the 537 bytes that remain"},
        {node0 + 8, 0, "m: tree 0, node 0: right child 0 points back up the tree (a cycle)"},
        {node0 + 12, (int32_t)(0x80000000u | 7u),
         "m: tree 0, node 0: split index 7 is outside the model's 2 features"},
        {node1, 1, "m: tree 0, node 1: parent 1 is not an earlier node of the tree"},
        {info + 4, 3, "m: tree 1: tree_info 3 is outside the model's 1 output groups"},
        {attrs, 1000000000, "the attributes claims 1000000000 entries but"},
        {gbm, INT32_MAX, "the booster's name claims 2147483647 bytes but"},
        {gbp + 4, 0, "m: num_parallel_tree 0 (at least 1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blob b = {malloc(bin.n), bin.n};
        assert_non_null(b.p);
        memcpy(b.p, bin.p, bin.n);
        put_i32(b.p + cases[i].at, cases[i].value);
        expect(&b, MG__XGB_BINARY, cases[i].msg);
        free(b.p);
    }
    free(bin.p);
}

/* Every prefix of a valid model is refused or accepted without reading past
 * its end (each prefix is its own exact-size allocation for the sanitizers). */
static void truncated_files(void **state) {
    (void)state;
    static const char *const names[] = {"tiny.json", "tiny.ubj", "tiny.bin"};
    static const mg__xgb_format fmts[] = {MG__XGB_JSON, MG__XGB_UBJ, MG__XGB_BINARY};
    for (int k = 0; k < 3; k++) {
        blob full = load(names[k]);
        for (size_t n = 0; n < full.n; n++) {
            uint8_t *p = malloc(n ? n : 1);
            assert_non_null(p);
            memcpy(p, full.p, n);
            mg_error err = {0};
            mg_status st = mg__xgb_check_structure("m", p, n, fmts[k], &err);
            /* The binary's trailing attributes are optional to libxgboost too. */
            if (st == MG_OK && fmts[k] != MG__XGB_BINARY)
                fail_msg("%s cut at %zu bytes accepted", names[k], n);
            if (st != MG_OK && err.text[0] == '\0')
                fail_msg("%s cut at %zu bytes refused without a message", names[k], n);
            free(p);
        }
        free(full.p);
    }
}

static void iterates_arrays(void **state) {
    (void)state;
    static const char doc[] = "{\"a\": [1, -2 , 3.5, \"x\", [4]]}";
    mg__doc_value v, e;
    const char *ap[] = {"a"};
    assert_int_equal(mg__doc_find((const uint8_t *)doc, sizeof doc - 1, false, ap, 1, &v), 1);
    mg__doc_iter it;
    assert_int_equal(mg__doc_iter_start((const uint8_t *)doc, sizeof doc - 1, false, &v, &it), 0);
    int64_t x = 0;
    bool is_int;
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_true(is_int && x == 1);
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_true(is_int && x == -2);
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_false(is_int);
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_true(!is_int && e.type == 's');
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_true(e.type == 'a');
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 0);
    /* UBJSON: a typed int32 array [$l#i2 -1 7] inside {"a": ...}. */
    static const uint8_t ubj[] = {'{', 'i', 1, 'a', '[', '$', 'l', '#', 'i', 2, 0xff, 0xff,
                                  0xff, 0xff, 0, 0, 0, 7, '}'};
    assert_int_equal(mg__doc_find(ubj, sizeof ubj, true, ap, 1, &v), 1);
    assert_int_equal(mg__doc_iter_start(ubj, sizeof ubj, true, &v, &it), 0);
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_true(is_int && x == -1);
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 1);
    assert_true(is_int && x == 7);
    assert_int_equal(mg__doc_iter_next(&it, &e, &x, &is_int), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_valid_models), cmocka_unit_test(refuses_json_edits),
        cmocka_unit_test(refuses_binary_edits), cmocka_unit_test(truncated_files),
        cmocka_unit_test(iterates_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
