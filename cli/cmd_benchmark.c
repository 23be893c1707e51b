/* cmd_benchmark.c - `modelgate benchmark`: measure a model's prediction
 * latency (DESIGN §9), gate on p99/p50 or on the ratio to a baseline, and
 * write latency.json. */
#include "commands.h"
#include "exit.h"
#include "common_options.h"
#include "modelgate/latency.h"
#include "modelgate/modelgate.h"
#include "modelgate/pipeline.h"
#include "options.h"
#include "precheck.h"
#include "adapters.h"
#include "output.h"
#include "summary.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char synopsis[] =
    "Measure a model's prediction latency on rows of the test data and gate on it.\n"
    "Calls are timed one by one (closed loop, or --rate for an open loop); p99 is\n"
    "reported with its distribution-free upper bound. Exit 0 pass, 1 fail, 3 inconclusive.";

typedef struct bench_args {
    const char *model, *data, *output, *baseline, *label, *python, *na_arg, *weight, *id;
    const char *delimiter_arg;
    char delimiter;
    bool synthetic, quiet;
    long samples, warmup, batch, cpu, threads, seed;
    double max_p99, max_p50, confidence, duration, rate, max_ratio, timeout;
    mg_strlist ignore, na_values, protected_attrs;
} bench_args;

typedef struct progress_bar {
    int last_permille;
    int64_t last_done;
    bool drawn;
} progress_bar;

static void draw_progress(void *ctx, int64_t done, int64_t total) {
    progress_bar *p = ctx;
    if (total > 0) {
        int permille = (int)(done * 1000 / total);
        if (permille == p->last_permille)
            return;
        p->last_permille = permille;
        int filled = permille * 30 / 1000;
        mg_cli_eprintf("\rbenchmark [%.*s%*s] %3d%% %lld/%lld calls", filled,
                       "##############################", 30 - filled, "", permille / 10,
                       (long long)done, (long long)total);
    } else {
        if (done - p->last_done < 1000 && done != 0)
            return;
        p->last_done = done;
        mg_cli_eprintf("\rbenchmark %lld calls", (long long)done);
    }
    p->drawn = true;
}

static int usage_error(const char *msg) {
    mg_cli_eprintf("modelgate benchmark: %s\n", msg);
    return MG_EXIT_USAGE;
}

static int check_args(const bench_args *a, mg_opt *opts) {
    bool samples_seen = false, duration_seen = false;
    for (mg_opt *o = opts; o->kind != MG_OPT_END; o++) {
        if (strcmp(o->name, "samples") == 0)
            samples_seen = o->seen;
        if (strcmp(o->name, "duration") == 0)
            duration_seen = o->seen;
    }
    if (a->data == NULL && !a->synthetic)
        return usage_error("no requests to send: give --test-data D (rows of it are the "
                           "requests) or --synthetic for random rows");
    if (a->data != NULL && a->synthetic)
        return usage_error("--test-data and --synthetic exclude each other");
    if (samples_seen && (a->samples < 3 || a->samples > 100000000))
        return usage_error("--samples must be between 3 (3 stability windows) and 100000000");
    if (duration_seen && !(a->duration > 0 && a->duration <= 86400))
        return usage_error("--duration must be between 0 and 86400 seconds");
    if (a->warmup < -1)
        return usage_error("--warmup must be 0 or more");
    if (a->batch < 1 || a->batch > 1000000)
        return usage_error("--batch-size must be between 1 and 1000000");
    if (a->confidence != 0 && !(a->confidence >= 0.5 && a->confidence < 1))
        return usage_error("--confidence must be in [0.5, 1), e.g. 0.95");
    if (a->max_p99 < 0 || a->max_p50 < 0 || a->max_ratio < 0)
        return usage_error("--max-p99, --max-p50 and --max-p99-ratio must be positive");
    if (a->max_ratio > 0 && a->baseline == NULL)
        return usage_error("--max-p99-ratio needs --baseline M0");
    if (a->rate < 0 || a->rate > 1e6)
        return usage_error("--rate must be between 0 and 1000000 requests per second");
    if (a->threads < 0 || a->cpu < -1 || a->timeout < 0)
        return usage_error("--threads, --cpu and --timeout must not be negative");
    return 0;
}

static void print_summary(const char *who, const mg_latency_run *r, double conf) {
    const mg_latency_summary *s = &r->summary;
    int64_t up = mg_quantile_upper_rank(r->n, 0.99, conf);
    char bound[64] = "none: too few samples";
    if (up > 0)
        snprintf(bound, sizeof bound, "%.4g ms", r->sorted_ms[up - 1]);
    mg_cli_eprintf("%s: p50 %.4g ms, p99 %.4g ms (upper bound at %.2g: %s), max %.4g ms, %lld "
                   "samples, first call %.4g ms\n",
                   who, s->p50_ms, s->p99_ms, conf, bound, s->max_ms, (long long)r->n,
                   r->first_call_ms);
}

static int run(bench_args *a) {
    mg_error err;
    mg_error_clear(&err);
    int cpu = (int)a->cpu;
    /* read before pinning, so that ncpus is the machine's, not the pin's */
    mg_latency_environment env;
    mg_latency_environment_read(cpu, &env);
    if (cpu >= 0 && mg_latency_pin_cpu(cpu, &err) != MG_OK)
        return mg_cli_fail("benchmark", &err);
    /* The output is prepared before any model starts. */
    int rc = mg_cli_output_prepare("benchmark", a->output);
    if (rc != 0)
        return rc;
    mg_benchmark_spec spec;
    mg_benchmark_spec_init(&spec);
    spec.run.models[0] = a->model;
    spec.run.models[1] = a->baseline;
    spec.run.nmodels = a->baseline != NULL ? 2 : 1;
    spec.run.model_options.threads = (int)a->threads;
    spec.run.model_options.batch_size = (int)a->batch;
    spec.run.model_options.batch_timeout_s = a->timeout;
    spec.run.model_options.python = a->python;
    spec.run.model_options.adapters_dir = mg_cli_adapters_dir();
    spec.run.test_data = a->data;
    spec.run.read.na_values = a->na_arg ? (const char *const *)a->na_values.items : NULL;
    spec.run.read.nna_values = a->na_values.n;
    spec.run.read.delimiter = a->delimiter;
    spec.run.label = a->label;
    spec.run.ignore = (const char *const *)a->ignore.items;
    spec.run.nignore = a->ignore.n;
    spec.run.protected_attrs = (const char *const *)a->protected_attrs.items;
    spec.run.nprotected = a->protected_attrs.n;
    spec.run.weight = a->weight;
    spec.run.id = a->id;
    spec.latency.samples = a->samples;
    spec.latency.warmup = a->warmup;
    spec.latency.batch_size = (int)a->batch;
    spec.latency.duration_s = a->duration;
    spec.latency.rate_qps = a->rate;
    spec.latency.seed = (uint64_t)a->seed;
    progress_bar bar = {-1, 0, false};
    if (mg_cli_stderr_is_tty()) {
        spec.latency.progress = draw_progress;
        spec.latency.progress_ctx = &bar;
    }
    spec.max_p99_ms = a->max_p99;
    spec.max_p50_ms = a->max_p50;
    spec.max_p99_ratio = a->max_ratio;
    spec.confidence = a->confidence;
    spec.cpu = cpu;
    spec.env = &env;
    mg_benchmark_outcome out;
    mg_status st = mg_benchmark_run(&spec, &out, &err);
    if (bar.drawn)
        fputc('\n', stderr);
    if (st != MG_OK && out.decided) {
        mg_cli_eprintf("modelgate benchmark: out of memory writing %s\n", a->output);
        rc = MG_EXIT_INTERNAL;
    } else if (st == MG_ERR_NOMEM && a->synthetic && !out.measured) {
        mg_cli_eprintf("modelgate benchmark: %s\n", err.text);
        rc = MG_EXIT_INTERNAL;
    } else if (st != MG_OK) {
        rc = mg_cli_fail("benchmark", &err);
    } else {
        rc = mg_cli_write_file("benchmark", a->output, out.latency_json, out.latency_len);
    }
    if (rc == 0 && !a->quiet)
        mg_cli_summary(MG_SUMMARY_LATENCY, out.latency_json, stderr);
    if (rc == 0) {
        const mg_latency_run *r = &out.run, *rb = out.has_baseline ? &out.baseline : NULL;
        const mg_latency_gate *gates = out.gates;
        int ngates = out.ngates;
        if (rb != NULL) {
            print_summary("candidate", r, out.level);
            print_summary("baseline", rb, out.level);
            mg_cli_eprintf("candidate/baseline: p50 x%.4g, p99 x%.4g, Mann-Whitney p = %.3g "
                           "(interleaved in blocks of %lld calls)\n",
                           out.comparison.p50_ratio, out.comparison.p99_ratio,
                           out.comparison.p_value, (long long)r->block);
        }
        if (a->rate > 0 && r->late_sends > 0)
            mg_cli_eprintf(
                "warning: %lld of %lld sends started over 1 ms late (worst %.4g ms): the "
                "model cannot keep up with %g requests per second; latencies include the "
                "queueing\n",
                (long long)r->late_sends, (long long)r->n, r->max_send_delay_ms, a->rate);
        const mg_latency_run *runs[2] = {r, rb};
        for (int i = 0; i < 2 && runs[i] != NULL; i++)
            if (!runs[i]->stable)
                mg_cli_eprintf(
                    "warning: %s latency is unstable: window medians differ by %.0f%% (over "
                    "10%%); the machine was busy or the model warmed up late, results may "
                    "not repeat\n",
                    i == 0 ? "the model's" : "the baseline's", runs[i]->window_spread * 100);
        for (int i = 0; i < ngates; i++)
            if (gates[i].verdict == MG_VERDICT_PASS && !gates[i].straddles)
                mg_cli_eprintf("gate %s: pass: %s\n", gates[i].name, gates[i].reason);
        for (int i = 0; i < ngates; i++)
            if (gates[i].verdict == MG_VERDICT_PASS && gates[i].straddles)
                mg_cli_eprintf("warning: gate %s passes on the point only: %s\n", gates[i].name,
                               gates[i].reason);
        /* the deciding reason goes last: it is the line CI shows */
        mg_verdict all = out.verdict;
        for (int i = 0; i < ngates; i++)
            if (gates[i].verdict == MG_VERDICT_INCONCLUSIVE && all == MG_VERDICT_INCONCLUSIVE)
                mg_cli_eprintf("gate %s: inconclusive: %s\n", gates[i].name, gates[i].reason);
        for (int i = 0; i < ngates; i++)
            if (gates[i].verdict == MG_VERDICT_FAIL)
                mg_cli_eprintf("gate %s: fail: %s\n", gates[i].name, gates[i].reason);
        rc = mg_cli_exit_code(all);
    }
    mg_benchmark_outcome_release(&out);
    return rc;
}

int cmd_benchmark(int argc, char **argv) {
    bench_args a;
    memset(&a, 0, sizeof a);
    a.samples = 1000;
    a.warmup = -1;
    a.batch = 1;
    a.threads = 1; /* one request, one thread: as a serving worker runs it */
    a.cpu = -1;
    a.seed = MG_CLI_DEFAULT_SEED;
    a.label = "label";
    a.output = "-";
    mg_opt opts[] = {
        {"model", MG_OPT_STRING, &a.model, "M", "model: file, cmd:..., or http://.../infer", true,
         false},
        {"test-data", MG_OPT_STRING, &a.data, "FILE",
         "test set whose rows are the requests: CSV or Parquet file, or a folder of Parquet parts",
         false, false},
        {"synthetic", MG_OPT_FLAG, &a.synthetic, NULL,
         "send random rows instead (needs a model that knows its feature count)", false, false},
        {"samples", MG_OPT_INT, &a.samples, "N", "timed calls (default 1000)", false, false},
        {"warmup", MG_OPT_INT, &a.warmup, "W", "untimed calls first (default 10%, at least 10)",
         false, false},
        {"batch-size", MG_OPT_INT, &a.batch, "B", "rows per call (default 1)", false, false},
        {"max-p99", MG_OPT_DOUBLE, &a.max_p99, "MS", "gate: p99 at most MS milliseconds", false,
         false},
        {"max-p50", MG_OPT_DOUBLE, &a.max_p50, "MS", "gate: p50 at most MS milliseconds", false,
         false},
        {"confidence", MG_OPT_DOUBLE, &a.confidence, "C",
         "decide gates on the bounds at level C (else on the point)", false, false},
        {"cpu", MG_OPT_INT, &a.cpu, "K", "pin to CPU K", false, false},
        {"threads", MG_OPT_INT, &a.threads, "T", "model threads (default 1, as one serving worker)",
         false, false},
        MG_CLI_OPT_PYTHON(&a.python),
        MG_CLI_OPT_QUIET(&a.quiet),
        {"duration", MG_OPT_DOUBLE, &a.duration, "S", "stop timing after S seconds", false, false},
        {"rate", MG_OPT_DOUBLE, &a.rate, "QPS", "open loop at QPS requests/s (runner, HTTP)", false,
         false},
        {"baseline", MG_OPT_STRING, &a.baseline, "M0", "also time M0, interleaved (ABAB)", false,
         false},
        {"max-p99-ratio", MG_OPT_DOUBLE, &a.max_ratio, "R",
         "gate: candidate p99 / baseline p99 at most R", false, false},
        MG_CLI_OPT_SEED(&a.seed),
        MG_CLI_OPT_LABEL(&a.label),
        MG_CLI_OPT_IGNORE(&a.ignore),
        MG_CLI_OPT_PROTECTED(&a.protected_attrs),
        MG_CLI_OPT_WEIGHT(&a.weight),
        MG_CLI_OPT_ID(&a.id),
        MG_OPT_NA_VALUES(&a.na_arg),
        MG_OPT_DELIMITER(&a.delimiter_arg),
        {"timeout", MG_OPT_DOUBLE, &a.timeout, "S",
         "per-request timeout of runners and HTTP (default 60)", false, false},
        MG_CLI_OPT_OUTPUT(&a.output, "latency.json"),
        MG_CLI_SIGN_KEY_OPTION,
        MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("benchmark", synopsis, opts, argc, argv, NULL);
    if (rc == 0) {
        bool duration_only = false;
        for (mg_opt *o = opts; o->kind != MG_OPT_END; o++)
            if (strcmp(o->name, "duration") == 0 && o->seen)
                duration_only = true;
        for (mg_opt *o = opts; o->kind != MG_OPT_END; o++)
            if (strcmp(o->name, "samples") == 0 && o->seen)
                duration_only = false;
        if (duration_only)
            a.samples = 0; /* the duration alone ends the run */
        rc = check_args(&a, opts);
    }
    if (rc == 0)
        rc = mg_cli_precheck("benchmark", opts, false, &a.delimiter);
    if (rc == 0 && mg_na_values_split(a.na_arg, &a.na_values) != 0) {
        mg_cli_eprintf("modelgate benchmark: out of memory for --na-values\n");
        rc = MG_EXIT_INTERNAL;
    }
    if (rc == 0)
        rc = run(&a);
    else if (rc == 1)
        rc = 0;
    mg_strlist_release(&a.ignore);
    mg_strlist_release(&a.protected_attrs);
    mg_strlist_release(&a.na_values);
    return rc;
}
