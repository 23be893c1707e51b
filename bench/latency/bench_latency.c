/* bench_latency.c - what the benchmark harness costs.
 *
 * 1. A null model (predict returns at once) through mg_latency_measure: the
 *    wall time per timed call is everything the harness adds beyond the model
 *    (two clock reads, the row pick, the predict dispatch, storing the sample).
 *    Goal: under 100 ns.
 * 2. The example XGBoost model, single rows, one thread: modelgate's harness
 *    and backend against a bare C loop that calls XGBoosterPredictFromDense on
 *    the same rows. Goal: p50 within 1.2x.
 *
 * Run through bench/latency/run.sh (builds against build/libmodelgate.a). */
#include "internal.h"
#include "model/backend.h"
#include "modelgate/latency.h"

#include <math.h>
#include <time.h>
#include <xgboost/c_api.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of this thread: on a shared machine, wall time also counts the
 * time other processes held the CPU, CPU time does not. */
static int64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static mg_status null_predict(mg_model *m, const double *rows, int64_t nrows, int nf, double *out,
                              mg_error *err) {
    (void)m, (void)rows, (void)nrows, (void)nf, (void)err;
    out[0] = 0;
    return MG_OK;
}

static const mg__backend null_backend = {"null", 1, null_predict, NULL, NULL, NULL};

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The progress callback runs inside the timed loop (every 1/200 of it): the
 * thread's CPU time between its first and last report, over the calls made in
 * between, is the loop's own cost, free of the warm-up and of the sorting. */
typedef struct probe {
    int64_t first_done, last_done, first_cpu, last_cpu;
} probe;

static void on_progress(void *ctx, int64_t done, int64_t total) {
    probe *p = ctx;
    (void)total;
    int64_t now = cpu_ns();
    if (p->first_cpu == 0) {
        p->first_cpu = now;
        p->first_done = done;
    }
    p->last_cpu = now;
    p->last_done = done;
}

static void null_model(void) {
    mg_model *m = mg__model_new(&null_backend, "null", NULL);
    m->info.noutputs = 1;
    m->info.nfeatures = 4;
    double rows[4 * 64] = {0};
    mg_latency_options o = {0};
    o.samples = 2000000;
    o.warmup = 10000;
    mg_latency_run run;
    mg_error err;
    double best = INFINITY, best_cpu = INFINITY, best_p50 = 0;
    for (int rep = 0; rep < 5; rep++) {
        probe pr = {0, 0, 0, 0};
        o.progress = on_progress;
        o.progress_ctx = &pr;
        if (mg_latency_measure(m, NULL, rows, 64, 4, &o, &run, NULL, &err) != MG_OK) {
            fprintf(stderr, "%s\n", err.text);
            exit(1);
        }
        double cpu = (double)(pr.last_cpu - pr.first_cpu) / (double)(pr.last_done - pr.first_done);
        double per_call = run.elapsed_s * 1e9 / (double)run.n;
        if (per_call < best) {
            best = per_call;
            best_p50 = run.summary.p50_ms * 1e6;
        }
        best_cpu = fmin(best_cpu, cpu);
        mg_latency_run_release(&run);
    }
    printf("null model (best of 5 runs of 2e6 timed calls):\n"
           "  harness cost per timed call: %.1f ns wall, %.1f ns CPU of the timed loop\n"
           "  median timed sample %.0f ns; one clock read %.0f ns\n",
           best, best_cpu, best_p50, mg_latency_timer_overhead_ns());
    mg_model_free(m);
}

static void xgboost(const char *model_path, const char *data_path) {
    mg_error err;
    mg_model_options mo = {0};
    mo.threads = 1;
    mg_model *m = NULL;
    mg_table *t = NULL;
    double *rows = NULL;
    int nf = 0;
    const char *ignore[] = {"gender", "age_group", "score"};
    mg_feature_roles roles = {0};
    roles.label = "label";
    roles.ignore = ignore;
    roles.nignore = 3;
    if (mg_model_open(model_path, &mo, &m, &err) != MG_OK ||
        mg_table_read(data_path, NULL, &t, &err) != MG_OK ||
        mg_latency_rows_from_table(t, m, &roles, &rows, &nf, &err) != MG_OK) {
        fprintf(stderr, "%s\n", err.text);
        exit(1);
    }
    int64_t nrows = t->nrows;
    BoosterHandle b;
    if (XGBoosterCreate(NULL, 0, &b) != 0 || XGBoosterLoadModel(b, model_path) != 0 ||
        XGBoosterSetParam(b, "nthread", "1") != 0) {
        fprintf(stderr, "libxgboost: %s\n", XGBGetLastError());
        exit(1);
    }
    const char *config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
                         "\"iteration_end\": 0, \"strict_shape\": true, \"cache_id\": 0, "
                         "\"missing\": NaN}";
    enum { CALLS = 20000, WARM = 2000, ROUNDS = 5 };
    double *direct = malloc(CALLS * sizeof *direct);
    double direct_p50[ROUNDS], harness_p50[ROUNDS], direct_mean[ROUNDS], harness_mean[ROUNDS];
    mg_latency_options o = {0};
    o.samples = CALLS;
    o.warmup = WARM;
    for (int round = 0; round < ROUNDS; round++) {
        /* the bare loop: the same API call the backend makes, on the same rows */
        double sum = 0;
        for (int i = -WARM; i < CALLS; i++) {
            const double *row = rows + (int64_t)((i + WARM) % nrows) * nf;
            char iface[256];
            int64_t t0 = now_ns();
            snprintf(iface, sizeof iface,
                     "{\"data\": [%" PRIuPTR ", true], \"shape\": [1, %d], \"typestr\": "
                     "\"<f8\", \"version\": 3}",
                     (uintptr_t)row, nf);
            const bst_ulong *shape;
            bst_ulong dim;
            const float *res;
            if (XGBoosterPredictFromDense(b, iface, config, NULL, &shape, &dim, &res) != 0) {
                fprintf(stderr, "libxgboost: %s\n", XGBGetLastError());
                exit(1);
            }
            volatile double keep = res[0];
            (void)keep;
            int64_t t1 = now_ns();
            if (i >= 0) {
                direct[i] = (double)(t1 - t0) / 1e6;
                sum += direct[i];
            }
        }
        qsort(direct, CALLS, sizeof *direct, cmp_double);
        direct_p50[round] = mg_quantile_nearest_rank(direct, CALLS, 0.5);
        direct_mean[round] = sum / CALLS;
        mg_latency_run run;
        if (mg_latency_measure(m, NULL, rows, nrows, nf, &o, &run, NULL, &err) != MG_OK) {
            fprintf(stderr, "%s\n", err.text);
            exit(1);
        }
        harness_p50[round] = run.summary.p50_ms;
        harness_mean[round] = run.summary.mean_ms;
        mg_latency_run_release(&run);
    }
    qsort(direct_p50, ROUNDS, sizeof(double), cmp_double);
    qsort(harness_p50, ROUNDS, sizeof(double), cmp_double);
    qsort(direct_mean, ROUNDS, sizeof(double), cmp_double);
    qsort(harness_mean, ROUNDS, sizeof(double), cmp_double);
    printf("xgboost single row, 1 thread (median of %d alternating rounds of %d calls):\n"
           "  bare C loop over XGBoosterPredictFromDense: p50 %.2f us, mean %.2f us\n"
           "  modelgate harness + xgboost backend:        p50 %.2f us, mean %.2f us\n"
           "  ratio: p50 %.3fx, mean %.3fx\n",
           ROUNDS, CALLS, direct_p50[ROUNDS / 2] * 1e3, direct_mean[ROUNDS / 2] * 1e3,
           harness_p50[ROUNDS / 2] * 1e3, harness_mean[ROUNDS / 2] * 1e3,
           harness_p50[ROUNDS / 2] / direct_p50[ROUNDS / 2],
           harness_mean[ROUNDS / 2] / direct_mean[ROUNDS / 2]);
    XGBoosterFree(b);
    free(direct);
    free(rows);
    mg_table_free(t);
    mg_model_free(m);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_latency MODEL.json TEST.csv\n");
        return 2;
    }
    null_model();
    xgboost(argv[1], argv[2]);
    return 0;
}
