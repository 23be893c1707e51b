/* cmd_evaluate.c - `modelgate evaluate`: run a model on a test set and write
 * metrics.json; optional metric gates decide the exit code. */
#include "commands.h"
#include "exit.h"
#include "common_options.h"
#include "modelgate/compare.h"
#include "modelgate/evaluate.h"
#include "modelgate/gate.h"
#include "modelgate/metric_registry.h"
#include "modelgate/report.h"
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

/* Decides the --min/--max gates (names checked before the run) into
 * results[*n...], on the intervals of `json` when use_interval. */
static void decide_gates(const mg_evaluation *e, const char *json, const mg_cli_slices *sl,
                         const mg_strlist *bounds, mg_gate_op op, bool use_interval,
                         mg_gate_result *results, int *n) {
    for (int i = 0; i < bounds->n && *n < MAX_GATES; i++) {
        char name[64];
        double limit;
        mg_value v;
        const mg_operating_point *p = NULL;
        if (mg_parse_key_number(bounds->items[i], name, sizeof name, &limit) != 0)
            v = mg_value_null("not computed for this task");
        else if ((p = mg_cli_slices_point(sl, name)) != NULL)
            v = p->value; /* an operating point: its value and Wilson interval */
        else if (mg_evaluation_metric(e, name, &v) != 0)
            v = mg_value_null("not computed for this task");
        mg_interval ci;
        bool has_ci = p != NULL ? p->has_ci : mg_metrics_json_interval(json, name, &ci);
        if (p != NULL && p->has_ci)
            ci = p->ci;
        mg_gate_decide(name, op, limit, v, has_ci ? &ci : NULL, use_interval, &results[(*n)++]);
    }
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

int cmd_evaluate(int argc, char **argv) {
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
        MG_OPT_END_ENTRY,
    };
    int rc = mg_opts_parse("evaluate", synopsis, opts, argc, argv, NULL);
    if (rc != 0) {
        rc = rc == 1 ? MG_EXIT_PASS : rc; /* 1 = --help was shown */
        goto out_args;
    }
    if ((rc = mg_cli_precheck("evaluate", opts, true, &a.delimiter)) != 0)
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
    const char **slice_columns = NULL;
    if (mg_cli_slices_columns(&a.slices, &slice_columns, &spec.nkeep) != 0) {
        rc = MG_EXIT_INTERNAL;
        goto out_args;
    }
    spec.keep = slice_columns;

    mg_error err;
    mg_error_clear(&err);
    mg_run run = {0};
    mg_evaluation eval = {0};
    mg_type_override *overrides = NULL;
    char *json = NULL;
    mg_status st;
    mg_cli_digest digest = {0};
    mg_gate_result *gates = NULL;

    if (mg_cli_column_types("evaluate", &a.column_types, &overrides) != 0) {
        rc = MG_EXIT_USAGE;
        goto out;
    }
    /* Before any model starts or any data is read. */
    rc = mg_cli_output_prepare("evaluate", a.output);
    if (rc != 0)
        goto out;
    mg_cli_progress bar;
    mg_cli_progress_init(&bar, "predicting");
    spec.model_options = (mg_model_options){.threads = (int)a.threads,
                                            .batch_size = (int)a.batch_size,
                                            .start_timeout_s = a.runner_start_timeout,
                                            .batch_timeout_s = a.runner_timeout,
                                            .progress = mg_cli_progress_report,
                                            .progress_ctx = &bar,
                                            .python = a.python,
                                            .adapters_dir = mg_cli_adapters_dir()};
    spec.read =
        (mg_read_options){.overrides = overrides,
                          .noverrides = a.column_types.n,
                          .threads = (int)a.threads,
                          .na_values = a.na_arg ? (const char *const *)a.na_values.items : NULL,
                          .nna_values = a.na_values.n,
                          .max_input_bytes = max_input,
                          .max_rows = limited.max_rows,
                          .delimiter = a.delimiter};
    mg_cli_digest_start(&digest, a.test_data);
    spec.read.sha256_out = mg_cli_digest_sink(&digest);
    mg_cli_progress reading;
    mg_cli_progress_init_reading(&reading, a.test_data);
    spec.read.progress = mg_cli_progress_report;
    spec.read.progress_ctx = &reading;
    st = mg_run_open(&spec, &run, &err);
    mg_cli_progress_end(&reading);
    if (st != MG_OK)
        goto fail;
    char note[512];
    if (mg_run_feature_note(&run, 0, note, sizeof note))
        mg_cli_eprintf("modelgate evaluate: %s\n", note);
    mg_cli_progress_init(&bar, "predicting"); /* its second counts from here */
    st = mg_run_targets(&run, 0, &err);
    mg_cli_progress_end(&bar);
    if (st != MG_OK)
        goto fail;
    /* The slice columns' codes are all the slices need of the table. */
    st = mg_cli_slices_take(&a.slices, run.table, &err);
    if (st != MG_OK)
        goto fail;
    /* The targets hold all that the metrics need: give the columns back before
     * the metrics allocate their sort buffers, so peak memory stays near one
     * copy of the used columns. */
    mg_run_drop_table(&run);
    const mg_targets *targets = &run.targets[0];
    if (spec.task == MG_TASK_AUTO)
        mg_cli_eprintf("modelgate evaluate: task %s: %s\n", mg_task_name(targets->task),
                       targets->task_reason);
    if (targets->task == MG_TASK_BINARY)
        mg_cli_eprintf("modelgate evaluate: positive label '%s': %s\n", targets->positive_label,
                       targets->positive_reason);
    st = mg_evaluation_compute(targets, &eval, &err);
    if (st != MG_OK)
        goto fail;
    if (a.slices.nops > 0 && targets->task != MG_TASK_BINARY) {
        mg_cli_eprintf("modelgate evaluate: operating points need a binary task; this one is %s\n",
                       mg_task_name(targets->task));
        rc = MG_EXIT_USAGE;
        goto out;
    }
    st = mg_cli_slices_compute(&a.slices, targets, a.confidence, &err);
    if (st != MG_OK)
        goto fail;

    const char *data_sha = mg_cli_digest_finish(&digest);
    mg_provenance prov = {.data_path = a.test_data,
                          .data_sha256 = data_sha,
                          .model_arg = mg_model_source(run.models[0]),
                          .model_sha256 = mg_model_sha256(run.models[0])};
    size_t len = 0;
    /* An explicit --confidence (or --bootstrap) asks for an interval for
     * every metric; by default "ci" holds the Wilson intervals only. */
    bool every_ci = false;
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        every_ci |=
            o->seen && (strcmp(o->name, "confidence") == 0 || strcmp(o->name, "bootstrap") == 0);
    if (every_ci) {
        mg_compare_options copts = {.level = a.confidence,
                                    .replicates = (int)a.bootstrap,
                                    .seed = (uint64_t)a.seed,
                                    .threads = (int)a.threads,
                                    .progress = mg_cli_progress_report,
                                    .progress_ctx = &bar};
        mg_cli_progress_init_unit(&bar, "bootstrap", "replicates");
        mg_metric_interval *iv = NULL;
        int niv = 0;
        st = mg_evaluation_intervals(targets, &eval, &copts, &iv, &niv, &err);
        if (st == MG_OK)
            st = mg_evaluation_json_with_intervals(&eval, targets, iv, niv, &copts, &prov, &json,
                                                   &len, &err);
        free(iv);
        mg_cli_progress_end(&bar);
        if (st != MG_OK)
            goto fail;
    } else if (mg_evaluation_json(&eval, targets, &prov, a.confidence, &json, &len, &err) !=
               MG_OK) {
        mg_cli_eprintf("modelgate evaluate: out of memory writing metrics.json\n");
        rc = MG_EXIT_USAGE;
        goto out;
    }
    st = mg_slices_json_append(&json, &len, &eval, targets, a.slices.reports, a.slices.nslicings,
                               a.slices.ops, a.slices.nops, &err);
    if (st != MG_OK)
        goto fail;
    if (!a.quiet) {
        mg_cli_summary(MG_SUMMARY_METRICS, json, stderr);
        mg_cli_slices_table(&a.slices, &eval, stderr);
    }
    /* --confidence given: the gates decide on the intervals. */
    bool use_interval = false;
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        use_interval |= o->seen && strcmp(o->name, "confidence") == 0;
    /* The task is known now: each gated metric must be one of its metrics. */
    for (int pass = 0; pass < 2; pass++) {
        const mg_strlist *l = pass == 0 ? &a.min : &a.max;
        for (int i = 0; i < l->n; i++) {
            char name[64];
            double limit;
            mg_value v;
            if (mg_parse_key_number(l->items[i], name, sizeof name, &limit) == 0 &&
                mg_cli_slices_point(&a.slices, name) == NULL &&
                mg_evaluation_metric(&eval, name, &v) != 0) {
                mg_cli_eprintf("modelgate evaluate: --%s %s: no metric '%s' for a %s task\n",
                               pass == 0 ? "min" : "max", l->items[i], name,
                               mg_task_name(eval.task));
                rc = MG_EXIT_USAGE;
                goto out;
            }
        }
    }
    gates = malloc(MAX_GATES * sizeof *gates);
    if (gates == NULL) {
        mg_cli_eprintf("modelgate evaluate: out of memory for the gates\n");
        rc = MG_EXIT_INTERNAL;
        goto out;
    }
    int ngates = 0;
    decide_gates(&eval, json, &a.slices, &a.min, MG_GATE_MIN, use_interval, gates, &ngates);
    decide_gates(&eval, json, &a.slices, &a.max, MG_GATE_MAX, use_interval, gates, &ngates);
    /* Slice gates: one result per gate and scored slice, Holm-corrected over
     * each slicing's slices with --confidence. */
    for (int g = 0; g < a.slices.ngates; g++)
        for (int r = 0; r < a.slices.nslicings; r++) {
            int small = 0;
            st = mg_slice_gate_decide(&a.slices.reports[r], &eval, &a.slices.gates[g],
                                      use_interval ? a.confidence : 0, &gates, &ngates, &small,
                                      &err);
            if (st != MG_OK)
                goto fail;
            if (small > 0)
                mg_cli_eprintf("modelgate evaluate: slice gate on %s: %d slices of %s have fewer "
                               "than %ld rows and are not gated (listed under too_small)\n",
                               a.slices.gates[g].metric, small, a.slices.slicings[r].name,
                               a.slices.min_size);
        }
    st = mg_gates_json_append(&json, &len, gates, ngates, &err);
    if (st != MG_OK)
        goto fail;
    rc = report_gates(gates, ngates, use_interval);
    if (rc != MG_EXIT_USAGE) {
        int wrc = mg_cli_write_file("evaluate", a.output, json, len);
        if (wrc != 0)
            rc = wrc;
    }
    goto out;
fail:
    rc = mg_cli_fail("evaluate", &err);
out:
    mg_cli_digest_finish(&digest); /* joins the thread on every path */
    free(json);
    free(gates);
    free(slice_columns);
    free(overrides);
    mg_evaluation_release(&eval);
    mg_run_release(&run);
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
