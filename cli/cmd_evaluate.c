/* cmd_evaluate.c - `modelgate evaluate`: run a model on a test set and write
 * metrics.json; optional metric gates decide the exit code. */
#include "commands.h"
#include "exit.h"
#include "common_options.h"
#include "modelgate/evaluate.h"
#include "modelgate/pipeline.h"
#include "modelgate/gate.h"
#include "modelgate/metric_registry.h"
#include "modelgate/run.h"
#include "options.h"
#include "digest.h"
#include "adapters.h"
#include "read_limits.h"
#include "output.h"
#include "summary.h"
#include "byte_count.h"
#include "progress.h"
#include "precheck.h"
#include "slice_options.h"
#include "shard_options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "banned.h"

static const char synopsis[] =
    "Evaluate a model on a test set and write every standard metric to metrics.json.\n"
    "The model is a file, cmd:PROGRAM ARGS, column:NAME (scores or predicted classes already in\n"
    "the test data) or columns:A,B,C (one probability column per class).\n"
    "With --min/--max METRIC=VALUE the exit code is 1 when a metric misses its bound.";

/* At most this many --min and --max gates together. */
#define MAX_GATES 64

typedef struct evaluate_args {
    const char *model, *test_data, *label, *task, *positive_label, *weight, *predictions, *id;
    const char *output, *python, *na_arg, *max_input_bytes, *delimiter_arg;
    char delimiter;
    double threshold, confidence, runner_timeout, runner_start_timeout;
    long threads, batch_size, bootstrap, seed;
    bool quiet;
    mg_strlist ignore, protected_attrs, column_types, min, max, na_values, classes, features;
    mg_cli_limits limits;
    mg_cli_slices slices;
    mg_cli_shard shard;
} evaluate_args;

/* Checks the --min/--max gates' form and metric names before any work: each
 * is METRIC=NUMBER with a metric of the registry (of `task` when it is
 * known). Prints one line naming the gate, the closest name and the valid
 * ones; returns 0 or MG_EXIT_USAGE. */
static int precheck_gates(const mg_strlist *bounds, int is_min, mg_task task) {
    for (int i = 0; i < bounds->n; i++) {
        char name[64];
        double limit;
        const char *flag = is_min ? "min" : "max";
        if (mg_parse_key_number(bounds->items[i], name, sizeof name, &limit) != 0 ||
            limit != limit) {
            mg_cli_eprintf("modelgate evaluate: --%s '%s': expected METRIC=NUMBER\n", flag,
                           bounds->items[i]);
            return MG_EXIT_USAGE;
        }
        const mg_metric_def *m = mg_metric_find(name);
        mg_operating_point op;
        if (m != NULL && mg_operating_point_from_name(name, &op) == 0 &&
            strcmp(op.name, name) != 0) {
            /* one name per point, as the policy has it */
            mg_cli_eprintf("modelgate evaluate: --%s %s: write %s: one name per operating "
                           "point\n",
                           flag, bounds->items[i], op.name);
            return MG_EXIT_USAGE;
        }
        if (m != NULL && mg_metric_has_task(m, task))
            continue;
        char valid[600];
        size_t used = 0;
        valid[0] = '\0';
        for (int k = 0; k < mg_metric_count(); k++) {
            const mg_metric_def *d = mg_metric_at(k);
            if (!mg_metric_has_task(d, task) || used >= sizeof valid)
                continue;
            int w = snprintf(valid + used, sizeof valid - used, "%s%s", used ? ", " : "", d->name);
            used += w > 0 ? (size_t)w : 0;
        }
        const char *near = mg_metric_closest(name, task);
        char hint[96] = "";
        if (near != NULL)
            snprintf(hint, sizeof hint, "; did you mean '%s'?", near);
        if (m != NULL)
            mg_cli_eprintf(
                "modelgate evaluate: --%s %s: a %s task has no metric '%s'%s (%s metrics: %s)\n",
                flag, bounds->items[i], mg_task_name(task), name, hint, mg_task_name(task), valid);
        else
            mg_cli_eprintf("modelgate evaluate: --%s %s: no metric '%s'%s (metrics: %s)\n", flag,
                           bounds->items[i], name, hint, valid);
        return MG_EXIT_USAGE;
    }
    return 0;
}

/* Prints the gates: straddling warnings and passes first, the failures last
 * (the last line says why the exit code is not 0); returns that exit code. */
static int report_gates(const mg_gate_result *g, int n, bool use_interval) {
    for (int i = 0; i < n; i++)
        if (g[i].verdict == MG_VERDICT_PASS && g[i].straddles && !use_interval)
            mg_cli_eprintf("modelgate evaluate: warning: gate %s passes on the point only: %s; "
                           "--confidence %g decides on the interval\n",
                           g[i].name, g[i].reason, g[i].ci.level);
    for (int i = 0; i < n; i++)
        if (g[i].verdict == MG_VERDICT_INCONCLUSIVE)
            mg_cli_eprintf("modelgate evaluate: gate %s is inconclusive: %s\n", g[i].name,
                           g[i].reason);
    for (int i = 0; i < n; i++)
        if (g[i].verdict == MG_VERDICT_FAIL)
            mg_cli_eprintf("modelgate evaluate: gate failed: %s\n", g[i].reason);
    return mg_cli_exit_code(mg_gate_worst(g, n));
}

/* `evaluate`, or with `from` the evaluation of merged partials (merge). */
static int evaluate_main(int argc, char **argv, const mg_partial *from) {
    evaluate_args a = {.output = "-",
                       .threshold = 0.5,
                       .confidence = 0.95,
                       .bootstrap = 1000,
                       .seed = MG_CLI_DEFAULT_SEED,
                       .slices = {.bins = MG_SLICE_BINS_DEFAULT,
                                  .min_size = MG_SLICE_MIN_SIZE_DEFAULT}};
    mg_opt opts[] = {
        {"model", MG_OPT_STRING, &a.model, "M",
         "the model: a file, cmd:..., column:NAME or columns:A,B", true, false},
        MG_CLI_OPT_TEST_DATA(&a.test_data),
        MG_CLI_OPT_OUTPUT(&a.output, "metrics.json"),
        MG_CLI_OPT_LABEL(&a.label),
        MG_CLI_OPT_TASK(&a.task),
        MG_CLI_OPT_POSITIVE_LABEL(&a.positive_label),
        MG_CLI_OPT_DECISION_THRESHOLD(&a.threshold),
        MG_CLI_OPT_CLASSES(&a.classes),
        MG_CLI_OPT_FEATURES(&a.features),
        MG_CLI_OPT_WEIGHT(&a.weight),
        {"predictions", MG_OPT_STRING, &a.predictions, "FILE",
         "a separate file holding the model's predictions", false, false},
        MG_CLI_OPT_ID(&a.id),
        MG_CLI_OPT_IGNORE(&a.ignore),
        MG_CLI_OPT_PROTECTED(&a.protected_attrs),
        MG_CLI_OPT_COLUMN_TYPE(&a.column_types),
        MG_OPT_NA_VALUES(&a.na_arg),
        MG_OPT_DELIMITER(&a.delimiter_arg),
        {"confidence", MG_OPT_DOUBLE, &a.confidence, "C",
         "level of the intervals in ci (default 0.95)", false, false},
        {"min", MG_OPT_LIST, &a.min, "METRIC=V", "gate: fail (exit 1) when METRIC < V", false,
         false},
        {"max", MG_OPT_LIST, &a.max, "METRIC=V", "gate: fail (exit 1) when METRIC > V", false,
         false},
        MG_CLI_SLICE_OPTS(&a.slices),
        MG_CLI_OPT_THREADS(&a.threads),
        MG_CLI_OPT_PYTHON(&a.python),
        MG_CLI_OPT_QUIET(&a.quiet),
        {"max-input-bytes", MG_OPT_STRING, &a.max_input_bytes, "N", MG_CLI_MAX_INPUT_BYTES_HELP,
         false, false},
        {"batch-size", MG_OPT_INT, &a.batch_size, "N",
         "rows per prediction call (default: the backend's)", false, false},
        {"runner-timeout", MG_OPT_DOUBLE, &a.runner_timeout, "S",
         "cmd: runners: seconds allowed per batch (default 60)", false, false},
        {"runner-start-timeout", MG_OPT_DOUBLE, &a.runner_start_timeout, "S",
         "cmd: runners: seconds allowed to start (default 30)", false, false},
        {"bootstrap", MG_OPT_INT, &a.bootstrap, "N",
         "with --confidence: bootstrap replicates for the intervals of the other metrics (default "
         "1000)",
         false, false},
        MG_CLI_OPT_SEED(&a.seed),
        MG_CLI_SIGN_KEY_OPTION,
        MG_CLI_LIMIT_OPTS(&a.limits),
        MG_CLI_SHARD_OPTS(&a.shard),
        MG_OPT_END_ENTRY,
    };
    if (from != NULL)
        mg_cli_merge_relax(opts);
    int rc = mg_opts_parse("evaluate", synopsis, opts, argc, argv, NULL);
    if (rc != 0) {
        rc = rc == 1 ? MG_EXIT_PASS : rc; /* 1 = --help was shown */
        goto out_args;
    }
    if ((rc = mg_cli_precheck("evaluate", opts, true, &a.delimiter)) != 0)
        goto out_args;
    if ((rc = mg_cli_shard_check("evaluate", opts, &a.shard)) != 0)
        goto out_args;

    mg_run_spec spec;
    mg_run_spec_init(&spec);
    spec.test_data = a.test_data;
    spec.models[0] = a.model;
    spec.nmodels = 1;
    spec.predictions = a.predictions;
    spec.id = a.id;
    spec.label = a.label;
    spec.positive_label = a.positive_label;
    spec.threshold = a.threshold;
    spec.weight = a.weight;
    spec.shard_index = a.shard.index;
    spec.shard_count = a.shard.count;
    if (a.task != NULL && mg_task_parse(a.task, &spec.task) != 0) {
        mg_cli_eprintf(
            "modelgate evaluate: --task %s: expected auto, binary, multiclass or regression\n",
            a.task);
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (a.min.n + a.max.n > MAX_GATES) {
        mg_cli_eprintf("modelgate evaluate: at most %d --min and --max gates together\n",
                       MAX_GATES);
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (precheck_gates(&a.min, 1, spec.task) != 0 || precheck_gates(&a.max, 0, spec.task) != 0) {
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if ((rc = mg_cli_slices_check(&a.slices, &a.min, &a.max)) != 0)
        goto out_args;
    if (!(a.confidence > 0 && a.confidence < 1)) {
        mg_cli_eprintf("modelgate evaluate: --confidence must lie strictly between 0 and 1\n");
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (a.threads < 0 || a.batch_size < 0 || a.runner_timeout < 0 || a.runner_start_timeout < 0) {
        mg_cli_eprintf("modelgate evaluate: --threads, --batch-size and the timeouts must not be "
                       "negative\n");
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (a.bootstrap < MG_CLI_MIN_BOOTSTRAP || a.bootstrap > MG_CLI_MAX_BOOTSTRAP || a.seed < 0) {
        mg_cli_eprintf("modelgate evaluate: --bootstrap takes %d to %d replicates and --seed "
                       "a number >= 0\n",
                       MG_CLI_MIN_BOOTSTRAP, MG_CLI_MAX_BOOTSTRAP);
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    uint64_t max_input = 0;
    if (mg_cli_parse_bytes("evaluate", "max-input-bytes", a.max_input_bytes, &max_input) != 0) {
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (mg_na_values_split(a.na_arg, &a.na_values) != 0) {
        mg_cli_eprintf("modelgate evaluate: out of memory for --na-values\n");
        rc = MG_EXIT_INTERNAL;
        goto out_args;
    }
    mg_read_options limited = {0};
    if ((rc = mg_cli_limits_apply("evaluate", &a.limits, &limited)) != 0)
        goto out_args;
    spec.protected_attrs = (const char *const *)a.protected_attrs.items;
    spec.nprotected = a.protected_attrs.n;
    spec.ignore = (const char *const *)a.ignore.items;
    spec.nignore = a.ignore.n;
    spec.features = (const char *const *)a.features.items;
    spec.nfeatures = a.features.n;
    spec.classes = (const char *const *)a.classes.items;
    spec.nclasses = a.classes.n;
    mg_evaluate_spec es;
    mg_evaluate_spec_init(&es);
    es.run = spec;
    es.slice_by = (const char *const *)a.slices.by.items;
    es.nslice_by = a.slices.by.n;
    es.slice_cross = (const char *const *)a.slices.cross.items;
    es.nslice_cross = a.slices.cross.n;
    es.slice_options =
        (mg_slice_options){.bins = (int)a.slices.bins, .edges = a.slices.edges,
                           .nedges = a.slices.nedges};
    es.min_slice_size = a.slices.min_size;
    es.slice_gates = a.slices.gates;
    es.nslice_gates = a.slices.ngates;
    es.points = a.slices.ops;
    es.npoints = a.slices.nops;
    es.confidence = a.confidence;
    es.bootstrap_replicates = (int)a.bootstrap;
    es.seed = (uint64_t)a.seed;
    es.threads = (int)a.threads;
    es.partial_only = a.shard.partial != NULL;
    es.from = from;
    /* An explicit --confidence (or --bootstrap) asks for an interval for
     * every metric; by default "ci" holds the Wilson intervals only. With
     * --confidence the gates decide on the intervals. */
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++) {
        es.every_interval |=
            o->seen && (strcmp(o->name, "confidence") == 0 || strcmp(o->name, "bootstrap") == 0);
        es.gate_on_interval |= o->seen && strcmp(o->name, "confidence") == 0;
    }

    mg_error err;
    mg_error_clear(&err);
    mg_evaluate_outcome out = {0};
    mg_type_override *overrides = NULL;
    mg_cli_digest digest = {0};
    mg_metric_bound bounds[MAX_GATES];
    char names[MAX_GATES][64];
    mg_cli_stages stages;

    if (mg_cli_column_types("evaluate", &a.column_types, &overrides) != 0) {
        rc = MG_EXIT_USAGE;
        goto out;
    }
    for (int pass = 0; pass < 2; pass++) {
        const mg_strlist *l = pass == 0 ? &a.min : &a.max;
        for (int i = 0; i < l->n; i++) {
            /* the forms were checked before */
            mg_metric_bound *bd = &bounds[es.nbounds];
            mg_parse_key_number(l->items[i], names[es.nbounds], sizeof names[0], &bd->threshold);
            bd->metric = names[es.nbounds++];
            bd->op = pass == 0 ? MG_GATE_MIN : MG_GATE_MAX;
        }
    }
    es.bounds = bounds;
    /* Before any model starts or any data is read. */
    rc = mg_cli_output_prepare("evaluate", es.partial_only ? a.shard.partial : a.output);
    if (rc != 0)
        goto out;
    mg_cli_stages_init(&stages, "evaluate", a.test_data != NULL ? a.test_data : "partials");
    es.run.model_options = (mg_model_options){.threads = (int)a.threads,
                                              .batch_size = (int)a.batch_size,
                                              .start_timeout_s = a.runner_start_timeout,
                                              .batch_timeout_s = a.runner_timeout,
                                              .progress = mg_cli_progress_report,
                                              .progress_ctx = &stages.bar,
                                              .python = a.python,
                                              .adapters_dir = mg_cli_adapters_dir()};
    es.run.read =
        (mg_read_options){.overrides = overrides,
                          .noverrides = a.column_types.n,
                          .threads = (int)a.threads,
                          .na_values = a.na_arg ? (const char *const *)a.na_values.items : NULL,
                          .nna_values = a.na_values.n,
                          .max_input_bytes = max_input,
                          .max_rows = limited.max_rows,
                          .delimiter = a.delimiter};
    if (from == NULL)
        mg_cli_digest_start(&digest, a.test_data);
    es.run.read.sha256_out = mg_cli_digest_sink(&digest);
    es.run.read.progress = mg_cli_progress_report;
    es.run.read.progress_ctx = &stages.reading;
    es.progress = mg_cli_progress_report;
    es.progress_ctx = &stages.bar;
    es.stage = mg_cli_stage;
    es.stage_ctx = &stages;
    es.note = mg_cli_note;
    es.note_ctx = &stages;
    es.data_sha256 = mg_cli_digest_hex;
    es.data_sha256_ctx = &digest;
    mg_status st = mg_evaluate_run(&es, &out, &err);
    mg_cli_stages_end(&stages);
    if (st != MG_OK) {
        rc = mg_cli_fail("evaluate", &err);
        goto out;
    }
    if (es.partial_only) {
        rc = mg_cli_write_partial("evaluate", opts, &out.partial, a.shard.partial);
        goto out;
    }
    if (!a.quiet) {
        mg_cli_summary(MG_SUMMARY_METRICS, out.metrics_json, stderr);
        mg_cli_slices_table(&a.slices, out.reports, out.nslicings, &out.eval, stderr);
    }
    if (out.unknown_bound >= 0) {
        int i = out.unknown_bound;
        bool is_min = i < a.min.n;
        mg_cli_eprintf("modelgate evaluate: --%s %s: no metric '%s' for a %s task\n",
                       is_min ? "min" : "max", is_min ? a.min.items[i] : a.max.items[i - a.min.n],
                       bounds[i].metric, mg_task_name(out.eval.task));
        rc = MG_EXIT_USAGE;
        goto out;
    }
    for (int i = 0; i < out.nwarnings; i++)
        mg_cli_eprintf("modelgate evaluate: %s\n", out.warnings[i]);
    rc = report_gates(out.gates, out.ngates, es.gate_on_interval);
    if (rc != MG_EXIT_USAGE) {
        int wrc = mg_cli_write_file("evaluate", a.output, out.metrics_json, out.metrics_len);
        if (wrc != 0)
            rc = wrc;
    }
out:
    mg_cli_digest_finish(&digest); /* joins the thread on every path */
    free(overrides);
    mg_evaluate_outcome_release(&out);
out_args:
    mg_strlist_release(&a.ignore);
    mg_strlist_release(&a.protected_attrs);
    mg_strlist_release(&a.column_types);
    mg_strlist_release(&a.min);
    mg_strlist_release(&a.max);
    mg_strlist_release(&a.na_values);
    mg_strlist_release(&a.classes);
    mg_strlist_release(&a.features);
    mg_cli_slices_release(&a.slices);
    return rc;
}

int cmd_evaluate(int argc, char **argv) {
    return evaluate_main(argc, argv, NULL);
}

int mg_cli_evaluate_merged(int argc, char **argv, const mg_partial *from) {
    return evaluate_main(argc, argv, from);
}
