/* benchmark_run.c - the latency benchmark of a model (and its baseline): the
 * models opened and checked, the request rows, the measurement, the gates,
 * the comparison and latency.json (the pipeline under `modelgate benchmark`). */
#include "internal.h"
#include "modelgate/latency.h"
#include "modelgate/pipeline.h"
#include "modelgate/report.h"

#include <math.h>
#include <sys/stat.h>

void mg_benchmark_spec_init(mg_benchmark_spec *spec) {
    memset(spec, 0, sizeof *spec);
    mg_run_spec_init(&spec->run);
    spec->run.nmodels = 1;
    spec->latency.samples = 1000;
    spec->latency.warmup = -1;
    spec->latency.batch_size = 1;
    spec->cpu = -1;
}

void mg_benchmark_outcome_release(mg_benchmark_outcome *out) {
    if (out->measured) {
        mg_latency_run_release(&out->run);
        if (out->has_baseline)
            mg_latency_run_release(&out->baseline);
    }
    free(out->latency_json);
    memset(out, 0, sizeof *out);
}

/* Standard normal rows from a seeded generator, when there is no test data. */
static double *synthetic_rows(int nf, uint64_t seed) {
    double *rows = mg__malloc_array((size_t)MG_BENCHMARK_SYNTHETIC_ROWS * (size_t)(nf > 0 ? nf : 1),
                                    sizeof *rows);
    if (rows == NULL)
        return NULL;
    uint64_t s = seed ^ 0x5eed5eed5eed5eedULL;
    for (int64_t i = 0; i < (int64_t)MG_BENCHMARK_SYNTHETIC_ROWS * nf; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u1 = ((double)(s >> 11) + 0.5) / 9007199254740992.0;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u2 = ((double)(s >> 11) + 0.5) / 9007199254740992.0;
        rows[i] = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
    }
    return rows;
}

/* Opens model i of the spec and checks that it can be timed as asked. */
static mg_status open_model(const mg_benchmark_spec *s, int i, mg_model **out, mg_error *err) {
    const char *arg = s->run.models[i];
    MG_TRY(mg_model_open(arg, &s->run.model_options, out, err));
    const mg_model_info *info = mg_model_describe(*out);
    if (!mg_model_can(*out, MG_MODEL_CAN_PREDICT))
        return mg__fail(err, MG_ERR_USAGE,
                        "--model %s reads stored predictions; there is no model to time", arg);
    if (s->latency.rate_qps > 0 && !mg_model_can(*out, MG_MODEL_OUT_OF_PROCESS))
        return mg__fail(err, MG_ERR_USAGE,
                        "--rate needs a runner (cmd:...) or an HTTP model; %s runs in-process "
                        "(backend %s), where the closed loop is the honest measure",
                        arg, info->backend);
    return MG_OK;
}

/* Both models must read the same columns in the same order. */
static mg_status same_features(const mg_model *a, const mg_model *b, const char *barg,
                               mg_error *err) {
    const mg_model_info *ia = mg_model_describe(a), *ib = mg_model_describe(b);
    bool same = ia->nfeatures < 0 || ib->nfeatures < 0 || ia->nfeatures == ib->nfeatures;
    for (int f = 0; same && ia->feature_names && ib->feature_names && f < ia->nfeatures; f++)
        same = strcmp(ia->feature_names[f], ib->feature_names[f]) == 0;
    if (same)
        return MG_OK;
    return mg__fail(err, MG_ERR_USAGE,
                    "--baseline %s reads other features (or another order) than the "
                    "candidate; both must take the same request rows",
                    barg);
}

/* The request rows: from the test data, or synthetic for the model's features. */
static mg_status request_rows(const mg_benchmark_spec *s, const mg_model *m, double **rows,
                              int64_t *nrows, int *nf, mg_error *err) {
    if (s->run.test_data == NULL) {
        const mg_model_info *info = mg_model_describe(m);
        if (info->nfeatures < 0)
            return mg__fail(err, MG_ERR_USAGE,
                            "--synthetic needs a model that declares its number of features; "
                            "%s does not, so give --test-data D",
                            s->run.models[0]);
        *nf = info->nfeatures;
        *nrows = MG_BENCHMARK_SYNTHETIC_ROWS;
        *rows = synthetic_rows(*nf, s->latency.seed);
        if (*rows == NULL)
            return mg__fail(err, MG_ERR_NOMEM, "out of memory for synthetic rows");
        return MG_OK;
    }
    mg_run_spec rs = s->run;
    rs.nmodels = 0; /* the table only: the models are open already */
    mg_run data;
    mg_status st = mg_run_open(&rs, &data, err);
    if (st == MG_OK) {
        mg_feature_roles roles;
        mg_run_roles(&data, 0, &roles);
        st = mg_latency_rows_from_table(data.table, m, &roles, rows, nf, err);
        *nrows = data.table->nrows;
    }
    mg_run_release(&data);
    return st;
}

static mg_status gates_and_json(const mg_benchmark_spec *s, mg_model *const models[2],
                                const mg_latency_options *lo, double timer_ns,
                                mg_benchmark_outcome *out, mg_error *err) {
    double conf = s->confidence;
    out->level = conf > 0 ? conf : 0.95;
    if (s->max_p99_ms > 0)
        mg_latency_gate_quantile(&out->run, 0.99, "max_p99", "p99_ms", s->max_p99_ms, conf,
                                 out->level, &out->gates[out->ngates++]);
    if (s->max_p50_ms > 0)
        mg_latency_gate_quantile(&out->run, 0.50, "max_p50", "p50_ms", s->max_p50_ms, conf,
                                 out->level, &out->gates[out->ngates++]);
    if (out->has_baseline)
        MG_TRY(mg_latency_compare(&out->run, &out->baseline, &out->comparison, err));
    if (s->max_p99_ratio > 0)
        mg_latency_gate_ratio(&out->comparison, s->max_p99_ratio, &out->gates[out->ngates++]);
    for (int i = 0; i < out->ngates; i++)
        out->verdict = mg_verdict_worse(out->verdict, out->gates[i].verdict);
    mg_latency_report rep;
    memset(&rep, 0, sizeof rep);
    rep.prov.model_arg = mg_model_source(models[0]);
    rep.prov.model_sha256 = mg_model_sha256(models[0]);
    rep.backend = mg_model_describe(models[0])->backend;
    const char *data = s->run.test_data;
    rep.prov.data_path = data;
    char data_sha[65] = "";
    struct stat dst;
    mg_error derr;
    if (data != NULL && stat(data, &dst) == 0 && S_ISREG(dst.st_mode) &&
        mg_file_sha256(data, data_sha, &derr) == MG_OK)
        rep.prov.data_sha256 = data_sha;
    rep.run = &out->run;
    if (out->has_baseline) {
        rep.prov.baseline_arg = mg_model_source(models[1]);
        rep.baseline_backend = mg_model_describe(models[1])->backend;
        rep.baseline = &out->baseline;
        rep.comparison = &out->comparison;
    }
    rep.opts = lo;
    rep.confidence = out->level;
    rep.confidence_given = conf > 0;
    rep.timer_overhead_ns = timer_ns;
    rep.threads = s->run.model_options.threads;
    rep.cpu = s->cpu;
    mg_latency_environment env;
    if (s->env == NULL)
        mg_latency_environment_read(s->cpu, &env); /* latency.json needs one */
    rep.env = s->env != NULL ? s->env : &env;
    rep.gates = out->gates;
    rep.ngates = out->ngates;
    out->decided = true;
    mg_error jerr;
    mg_error_clear(&jerr);
    if (mg_latency_json(&rep, &out->latency_json, &out->latency_len, &jerr) != MG_OK ||
        out->latency_json == NULL)
        return mg__fail(err, MG_ERR_NOMEM, "out of memory writing latency.json");
    return MG_OK;
}

static mg_status benchmark(const mg_benchmark_spec *s, mg_model *models[2],
                           mg_benchmark_outcome *out, mg_error *err) {
    if (s->run.nmodels < 1 || s->run.nmodels > 2 || s->run.models[0] == NULL)
        return mg__fail(err, MG_ERR_USAGE, "benchmark needs a model (and at most a baseline)");
    bool baseline = s->run.nmodels == 2;
    MG_TRY(open_model(s, 0, &models[0], err));
    if (baseline) {
        MG_TRY(open_model(s, 1, &models[1], err));
        MG_TRY(same_features(models[0], models[1], s->run.models[1], err));
    }
    double *rows = NULL;
    int64_t nrows = 0;
    int nf = 0;
    MG_TRY(request_rows(s, models[0], &rows, &nrows, &nf, err));
    mg_latency_options lo = s->latency;
    double timer_ns = mg_latency_timer_overhead_ns();
    mg_status st = mg_latency_measure(models[0], models[1], rows, nrows, nf, &lo, &out->run,
                                      &out->baseline, err);
    free(rows);
    MG_TRY(st);
    out->measured = true;
    out->has_baseline = baseline;
    return gates_and_json(s, models, &lo, timer_ns, out, err);
}

mg_status mg_benchmark_run(const mg_benchmark_spec *spec, mg_benchmark_outcome *out,
                           mg_error *err) {
    memset(out, 0, sizeof *out);
    out->verdict = MG_VERDICT_PASS;
    mg_model *models[2] = {NULL, NULL};
    mg_status st = benchmark(spec, models, out, err);
    mg_model_free(models[0]);
    mg_model_free(models[1]);
    return st;
}
