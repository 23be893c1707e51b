/* test_shard.c - sharded runs (lib/shard/): --shard K/N parsing and its row
 * ranges, the canonical order (a function of the multiset of rows only),
 * the partial format's round trip, and merge's refusals. Values are
 * hand-computed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "internal.h"
#include "modelgate/shard.h"

static void shard_parse(void **state) {
    (void)state;
    int k = -7, n = -7;
    const char *why = NULL;
    assert_int_equal(mg_shard_parse("0/1", &k, &n, &why), 0);
    assert_int_equal(k, 0);
    assert_int_equal(n, 1);
    assert_int_equal(mg_shard_parse("3/4", &k, &n, &why), 0);
    assert_int_equal(k, 3);
    assert_int_equal(n, 4);
    static const char *const bad[] = {"4/4", "-1/4", "1/0", "0/100001", "3", "a/b", "1/", "/2",
                                      "1/2/3", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        assert_int_equal(mg_shard_parse(bad[i], &k, &n, &why), -1);
        assert_non_null(why);
    }
}

/* The N ranges tile 0..n: 10 rows in 3 shards are 0-3, 3-6, 6-10. */
static void shard_ranges_tile(void **state) {
    (void)state;
    int64_t lo, hi;
    mg_shard_range(10, 0, 3, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 3);
    mg_shard_range(10, 1, 3, &lo, &hi);
    assert_int_equal(lo, 3);
    assert_int_equal(hi, 6);
    mg_shard_range(10, 2, 3, &lo, &hi);
    assert_int_equal(lo, 6);
    assert_int_equal(hi, 10);
    for (int64_t rows = 0; rows < 40; rows++)
        for (int count = 1; count <= 9; count++) {
            int64_t next = 0;
            for (int k = 0; k < count; k++) {
                mg_shard_range(rows, k, count, &lo, &hi);
                assert_int_equal(lo, next);
                assert_true(hi >= lo);
                next = hi;
            }
            assert_int_equal(next, rows);
        }
}

/* Binary targets of n rows from the arrays (copied). */
static void binary(mg_targets *t, int64_t n, const uint8_t *y, const double *score,
                   const double *w) {
    memset(t, 0, sizeof *t);
    t->task = MG_TASK_BINARY;
    t->n = n;
    t->y = mg__malloc((size_t)n);
    t->score = mg__malloc_array((size_t)n, sizeof(double));
    memcpy(t->y, y, (size_t)n);
    memcpy(t->score, score, (size_t)n * sizeof(double));
    if (w != NULL) {
        t->w = mg__malloc_array((size_t)n, sizeof(double));
        memcpy(t->w, w, (size_t)n * sizeof(double));
    }
    t->positive_label = mg__strdup("yes");
    t->negative_label = mg__strdup("no");
    t->threshold = t->decision_threshold = 0.5;
}

/* A table of one string column "g" (codes into a dictionary in first-seen
 * order) with a null where text is NULL. */
static mg_table *strings(const char *const *text, int64_t n) {
    mg_table *t = mg__calloc(1, sizeof *t);
    t->cols = mg__calloc(1, sizeof *t->cols);
    t->source = mg__strdup("t.csv");
    t->ncols = 1;
    t->nrows = n;
    mg_error err;
    assert_int_equal(mg__column_init(&t->cols[0], "g", MG_TYPE_STR, n, &err), MG_OK);
    mg_column *c = &t->cols[0];
    c->dict = mg__calloc((size_t)n, sizeof *c->dict);
    for (int64_t i = 0; i < n; i++) {
        if (text[i] == NULL) {
            assert_int_equal(mg__column_set_null(c, i, &err), MG_OK);
            continue;
        }
        int32_t k = 0;
        while (k < c->ndict && strcmp(c->dict[k], text[i]) != 0)
            k++;
        if (k == c->ndict)
            c->dict[c->ndict++] = mg__strdup(text[i]);
        c->codes[i] = k;
    }
    return t;
}

/* The same six rows in two orders give the same arrays, in the documented
 * order: score, then label, then weight, then the column (nulls first). */
static void canonical_order_is_of_the_multiset(void **state) {
    (void)state;
    static const uint8_t y1[] = {1, 0, 1, 0, 1, 1};
    static const double s1[] = {0.5, 0.2, 0.2, 0.5, 0.5, 0.9};
    static const double w1[] = {2, 1, 1, 1, 1, 3};
    static const char *const g1[] = {"b", "a", "c", NULL, "a", "c"};
    /* rows reversed */
    static const uint8_t y2[] = {1, 1, 0, 1, 0, 1};
    static const double s2[] = {0.9, 0.5, 0.5, 0.2, 0.2, 0.5};
    static const double w2[] = {3, 1, 1, 1, 1, 2};
    static const char *const g2[] = {"c", "a", NULL, "c", "a", "b"};
    mg_targets a, b;
    binary(&a, 6, y1, s1, w1);
    binary(&b, 6, y2, s2, w2);
    mg_table *ta = strings(g1, 6), *tb = strings(g2, 6);
    mg_error err;
    assert_int_equal(mg_rows_canonicalize(&a, ta, NULL, &err), MG_OK);
    assert_int_equal(mg_rows_canonicalize(&b, tb, NULL, &err), MG_OK);
    /* (0.2,0,1,a) (0.2,1,1,c) (0.5,0,1,null) (0.5,1,1,a) (0.5,1,2,b) (0.9,1,3,c) */
    static const double want_s[] = {0.2, 0.2, 0.5, 0.5, 0.5, 0.9};
    static const uint8_t want_y[] = {0, 1, 0, 1, 1, 1};
    static const double want_w[] = {1, 1, 1, 1, 2, 3};
    static const char *const want_g[] = {"a", "c", NULL, "a", "b", "c"};
    for (int i = 0; i < 6; i++) {
        assert_true(a.score[i] == want_s[i] && b.score[i] == want_s[i]);
        assert_int_equal(a.y[i], want_y[i]);
        assert_int_equal(b.y[i], want_y[i]);
        assert_true(a.w[i] == want_w[i] && b.w[i] == want_w[i]);
        const char *ga = mg_column_string(&ta->cols[0], i), *gb = mg_column_string(&tb->cols[0], i);
        if (want_g[i] == NULL) {
            assert_null(ga);
            assert_null(gb);
        } else {
            assert_string_equal(ga, want_g[i]);
            assert_string_equal(gb, want_g[i]);
        }
        /* Dictionaries renumbered in first-seen order: the same codes. */
        if (want_g[i] != NULL)
            assert_int_equal(ta->cols[0].codes[i], tb->cols[0].codes[i]);
    }
    assert_int_equal(ta->cols[0].ndict, 3);
    assert_int_equal(ta->cols[0].null_count, 1);
    mg_targets_release(&a);
    mg_targets_release(&b);
    mg_table_free(ta);
    mg_table_free(tb);
}

/* Without weights the label and the text columns order ties by one small
 * key: the same order as the comparison (label, then nulls first and the
 * texts as strcmp has them; -0.0 before 0.0), whatever the input order. */
static void canonical_order_unweighted(void **state) {
    (void)state;
    static const uint8_t y1[] = {1, 0, 1, 0, 1, 0, 1};
    static const double s1[] = {0.5, 0.2, 0.2, 0.5, 0.5, -0.0, 0.0};
    static const char *const g1[] = {"a", "a", "c", "b", NULL, "z", "y"};
    /* the same rows reversed */
    static const uint8_t y2[] = {1, 0, 1, 0, 1, 0, 1};
    static const double s2[] = {0.0, -0.0, 0.5, 0.5, 0.2, 0.2, 0.5};
    static const char *const g2[] = {"y", "z", NULL, "b", "c", "a", "a"};
    /* at 0.5 the label comes before the text: (0, b) (1, null) (1, a) */
    static const double want_s[] = {-0.0, 0.0, 0.2, 0.2, 0.5, 0.5, 0.5};
    static const uint8_t want_y[] = {0, 1, 0, 1, 0, 1, 1};
    static const char *const want_g[] = {"z", "y", "a", "c", "b", NULL, "a"};
    const uint8_t *ys[2] = {y1, y2};
    const double *ss[2] = {s1, s2};
    const char *const *gs[2] = {g1, g2};
    for (int k = 0; k < 2; k++) {
        mg_targets t;
        binary(&t, 7, ys[k], ss[k], NULL);
        mg_table *tab = strings(gs[k], 7);
        mg_error err;
        assert_int_equal(mg_rows_canonicalize(&t, tab, NULL, &err), MG_OK);
        for (int i = 0; i < 7; i++) {
            assert_int_equal(signbit(t.score[i]) != 0, signbit(want_s[i]) != 0);
            assert_true(t.score[i] == want_s[i]);
            assert_int_equal(t.y[i], want_y[i]);
            const char *g = mg_column_string(&tab->cols[0], i);
            if (want_g[i] == NULL)
                assert_null(g);
            else
                assert_string_equal(g, want_g[i]);
        }
        mg_targets_release(&t);
        mg_table_free(tab);
    }
}

/* Encoded and read back, a partial is the same; merged with a second shard
 * it holds both shards' rows in canonical order. */
static void partial_round_trip_and_merge(void **state) {
    (void)state;
    static const uint8_t y[] = {1, 0, 1};
    static const double s[] = {0.7, 0.1, 0.3};
    mg_partial p[2];
    const char *paths[2] = {"s0.mgp", "s1.mgp"};
    for (int k = 0; k < 2; k++) {
        memset(&p[k], 0, sizeof p[k]);
        p[k].command = mg__strdup("evaluate");
        p[k].options = mg__calloc(1, sizeof(char *));
        p[k].options[0] = mg__strdup("--slice-by=g");
        p[k].noptions = 1;
        p[k].shard_index = k;
        p[k].shard_count = 2;
        p[k].model_arg = mg__strdup("column:score");
        binary(&p[k].targets, 3, y, s, NULL);
        static const char *const g[] = {"x", NULL, "y"};
        p[k].columns = strings(g, 3);
        mg_error err;
        assert_int_equal(mg_rows_canonicalize(&p[k].targets, p[k].columns, NULL, &err), MG_OK);
    }
    char *bytes = NULL;
    size_t len = 0;
    mg_error err;
    assert_int_equal(mg_partial_encode(&p[1], &bytes, &len, &err), MG_OK);
    assert_memory_equal(bytes, "MGPART\r\n\x01\0\0\0", 12);
    mg_partial back;
    assert_int_equal(mg_partial_decode(bytes, len, "s1.mgp", &back, &err), MG_OK);
    assert_int_equal(back.shard_index, 1);
    assert_int_equal(back.shard_count, 2);
    assert_string_equal(back.command, "evaluate");
    assert_string_equal(back.options[0], "--slice-by=g");
    assert_null(back.data_sha256);
    assert_int_equal(back.targets.n, 3);
    assert_true(back.targets.score[0] == 0.1 && back.targets.score[2] == 0.7);
    assert_string_equal(mg_column_string(&back.columns->cols[0], 2), "x");
    char *again = NULL;
    size_t len2 = 0;
    assert_int_equal(mg_partial_encode(&back, &again, &len2, &err), MG_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len);
    free(again);
    /* Truncated anywhere: refused, naming the file. */
    for (size_t cut = 0; cut < len; cut += 7) {
        mg_partial t;
        assert_int_equal(mg_partial_decode(bytes, cut, "cut.mgp", &t, &err), MG_ERR_DATA);
        assert_non_null(strstr(err.text, "cut.mgp"));
        mg_partial_release(&t);
    }
    free(bytes);
    mg_partial merged;
    assert_int_equal(mg_partials_merge(p, paths, 2, &merged, &err), MG_OK);
    assert_int_equal(merged.targets.n, 6);
    static const double want[] = {0.1, 0.1, 0.3, 0.3, 0.7, 0.7};
    for (int i = 0; i < 6; i++)
        assert_true(merged.targets.score[i] == want[i]);
    assert_int_equal(merged.columns->cols[0].ndict, 2); /* "x" and "y" once each */
    assert_int_equal(merged.columns->cols[0].null_count, 2);
    assert_int_equal(merged.shard_count, 0);
    mg_partial_release(&merged);
    /* A shard given twice, then other options. */
    mg_partial twice[2] = {p[0], p[0]};
    assert_int_equal(mg_partials_merge(twice, paths, 2, &merged, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "given twice"));
    mg_partial_release(&merged);
    free(p[1].options[0]);
    p[1].options[0] = mg__strdup("--slice-by=h");
    assert_int_equal(mg_partials_merge(p, paths, 2, &merged, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "s1.mgp: written with other options"));
    /* Paired by name, the values as recorded. */
    assert_non_null(strstr(err.text, "(s1.mgp has --slice-by h where s0.mgp has --slice-by g)"));
    mg_partial_release(&merged);
    /* An option one shard has and the other lacks. */
    free(p[1].options[0]);
    p[1].options[0] = mg__strdup("--confidence=0.9");
    assert_int_equal(mg_partials_merge(p, paths, 2, &merged, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "s1.mgp has none where s0.mgp has --slice-by g"));
    mg_partial_release(&merged);
    /* Shards of --shard K/N cut from two files. */
    free(p[1].options[0]);
    p[1].options[0] = mg__strdup("--slice-by=g");
    p[0].data_sha256 = mg__strdup("aaaa");
    p[1].data_sha256 = mg__strdup("bbbb");
    assert_int_equal(mg_partials_merge(p, paths, 2, &merged, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "s1.mgp: shard 1/2 of other test data (sha256 bbbb...) than "
                                     "s0.mgp (sha256 aaaa...)"));
    mg_partial_release(&merged);
    assert_int_equal(mg_partials_merge(p, paths, 0, &merged, &err), MG_ERR_USAGE);
    mg_partial_release(&merged);
    mg_partial_release(&back);
    mg_partial_release(&p[0]);
    mg_partial_release(&p[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shard_parse),
        cmocka_unit_test(shard_ranges_tile),
        cmocka_unit_test(canonical_order_is_of_the_multiset),
        cmocka_unit_test(canonical_order_unweighted),
        cmocka_unit_test(partial_round_trip_and_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
