/* test_alloc_failure.c - allocation failure everywhere (curl's torture
 * tests): each operation - the CSV reader, the Parquet reader (a file and a
 * Hive-partitioned directory) and the metric paths (targets, metrics,
 * metrics.json, fairness, fairness.json) - runs with the N-th allocation and
 * every later one failing, for N = 1, 2, ... until it succeeds without
 * reaching the N-th. Every failing run must return an MG_ERR_* status with a
 * message (no crash, no success with missing parts, no half-built output),
 * and leak nothing: the sanitize build's LeakSanitizer and `make valgrind`
 * check that at exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "data/data.h"
#include "modelgate/evaluate.h"
#include "modelgate/fairness.h"
#include "modelgate/model.h"
#include "modelgate/report.h"

/* One run of an operation: its status (a JSON writer's NULL is MG_ERR_NOMEM)
 * and its error. Must free everything it made, on every path. */
typedef mg_status (*op_fn)(const void *ctx, mg_error *err);

/* Runs op for N = 1, 2, ... and returns how many failure points it had. */
static long torture(const char *what, op_fn op, const void *ctx) {
    mg_error err;
    /* Unarmed, the operation succeeds: the failures below are the hook's. */
    mg_error_clear(&err);
    mg_status st = op(ctx, &err);
    if (st != MG_OK)
        fail_msg("%s: fails without injected failures: %s", what, err.text);
    for (long n = 1;; n++) {
        mg_error_clear(&err);
        mg__alloc_fail_at(n);
        st = op(ctx, &err);
        long calls = mg__alloc_calls();
        mg__alloc_fail_at(0);
        if (calls < n) {
            /* The n-th allocation never came: the whole run went through. */
            if (st != MG_OK)
                fail_msg("%s: N=%ld: status %d without an injected failure: %s", what, n, st,
                         err.text);
            return n - 1;
        }
        if (st == MG_OK)
            fail_msg("%s: allocation %ld failed, yet the operation returned MG_OK", what, n);
        if (err.text[0] == '\0')
            fail_msg("%s: allocation %ld failed: status %d without a message", what, n, st);
        if (n > 200000)
            fail_msg("%s: more than 200000 allocations", what);
    }
}

/* ---- the readers ----------------------------------------------------------- */

static const char CSV[] = "label,score,gender,age,flag,note\n"
                          "1,0.9,female,31,true,\"a, quoted\"\n"
                          "0,0.2,male,45,false,plain\n"
                          "1,0.7,,52,true,\"x\"\"y\"\n"
                          "0,0.4,female,,false,\n"
                          "1,0.65,male,28,true,z\n"
                          "0,0.1,female,39,false,plain\n";

typedef struct csv_ctx {
    size_t chunk_bytes;
} csv_ctx;

static mg_status read_csv(const void *ctx, mg_error *err) {
    const csv_ctx *c = ctx;
    mg_read_options o = {.threads = 1};
    mg_table *t = NULL;
    mg_status st = mg__csv_read(CSV, sizeof CSV - 1, "t.csv", &o, c->chunk_bytes, &t, err);
    if (st == MG_OK && (t == NULL || t->nrows != 6 || t->ncols != 6))
        fail_msg("CSV read: wrong table");
    if (st != MG_OK && t != NULL)
        fail_msg("CSV read: a table on failure");
    mg_table_free(t);
    return st;
}

static void csv_reader(void **state) {
    (void)state;
    csv_ctx one = {0}, chunks = {64};
    long n1 = torture("CSV", read_csv, &one);
    long n2 = torture("CSV in chunks", read_csv, &chunks);
    print_message("CSV: %ld allocation points, %ld in chunks\n", n1, n2);
    assert_true(n1 > 10 && n2 > n1);
}

static mg_status read_path(const void *ctx, mg_error *err) {
    mg_read_options o = {.threads = 1};
    mg_table *t = NULL;
    mg_status st = mg_table_read(ctx, &o, &t, err);
    if (st != MG_OK && t != NULL)
        fail_msg("read: a table on failure");
    mg_table_free(t);
    return st;
}

static void parquet_reader(void **state) {
    (void)state;
    const char *files[] = {
        MG_SOURCE_DIR "/examples/data/test.parquet",
        MG_TEST_DATA "/parquet/matrix/duckdb_v2_zstd.parquet",
        MG_TEST_DATA "/parquet/matrix/hyparquet_dictionary.parquet",
        MG_TEST_DATA "/parquet/matrix/hyparquet_delta.parquet",
        MG_TEST_DATA "/parquet/hive",
    };
    for (size_t i = 0; i < MG_ARRAY_LEN(files); i++) {
        long n = torture(files[i], read_path, files[i]);
        print_message("%s: %ld allocation points\n", files[i], n);
        assert_true(n > 10);
    }
}

/* ---- the metric paths -------------------------------------------------------- */

typedef struct metric_ctx {
    mg_table *table;
    mg_model *model;
    mg_task task;
    const char *label;
    bool fairness;
} metric_ctx;

static mg_status metrics(const void *ctx, mg_error *err) {
    const metric_ctx *c = ctx;
    mg_eval_spec spec = {.label = c->label, .task = c->task, .threshold = 0.5};
    spec.roles.label = c->label;
    mg_targets t = {0};
    mg_evaluation e = {0};
    mg_fairness f = {0};
    mg_provenance prov = {.data_path = "t.csv", .model_arg = "column:score"};
    mg_status st = mg_targets_build(c->table, c->model, &spec, &t, err);
    if (st == MG_OK)
        st = mg_evaluation_compute(&t, &e, err);
    if (st == MG_OK) {
        size_t len = 0;
        char *json = NULL;
        st = mg_evaluation_json(&e, &t, &prov, 0.95, &json, &len, err);
        assert_true((st == MG_OK) == (json != NULL));
        free(json);
    }
    if (st == MG_OK && c->fairness) {
        const char *attrs[] = {"gender", "age"};
        mg_fairness_options o;
        mg_fairness_options_init(&o);
        o.min_group_size = 2;
        o.intersectional = true;
        o.threads = 1;
        st = mg_fairness_compute(&t, c->table, attrs, 2, &o, &f, err);
        if (st == MG_OK) {
            size_t len = 0;
            char *json = NULL;
            st = mg_fairness_json(&f, &prov, &json, &len, err);
            assert_true((st == MG_OK) == (json != NULL));
            free(json);
        }
    }
    mg_fairness_release(&f);
    mg_evaluation_release(&e);
    mg_targets_release(&t);
    return st;
}

static void metric_case(const char *what, const char *csv, const char *model_arg, mg_task task,
                        bool fairness) {
    metric_ctx c = {.task = task, .label = "label", .fairness = fairness};
    mg_error err;
    mg_read_options o = {.threads = 1};
    assert_int_equal(mg_csv_read_buffer(csv, strlen(csv), what, &o, &c.table, &err), MG_OK);
    mg_model_options mo = {.threads = 1};
    if (mg_model_open(model_arg, &mo, &c.model, &err) != MG_OK)
        fail_msg("%s: %s", what, err.text);
    long n = torture(what, metrics, &c);
    print_message("%s: %ld allocation points\n", what, n);
    assert_true(n > 5);
    mg_model_free(c.model);
    mg_table_free(c.table);
}

static void metric_paths(void **state) {
    (void)state;
    metric_case("binary", CSV, "column:score", MG_TASK_BINARY, true);
    metric_case("regression",
                "label,score,gender,age\n1.5,1.2,a,1\n2.5,2.9,b,1\n0.5,0.7,a,2\n3,3.3,b,2\n"
                "2,2.2,a,1\n",
                "column:score", MG_TASK_REGRESSION, true);
    metric_case("multiclass",
                "label,a,b,c\na,0.7,0.2,0.1\nb,0.1,0.8,0.1\nc,0.2,0.2,0.6\na,0.3,0.4,0.3\n"
                "c,0.1,0.1,0.8\nb,0.5,0.4,0.1\n",
                "columns:a,b,c", MG_TASK_MULTICLASS, false);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_reader),
        cmocka_unit_test(parquet_reader),
        cmocka_unit_test(metric_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
