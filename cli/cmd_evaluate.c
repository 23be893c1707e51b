/* cmd_evaluate.c - `modelgate evaluate`: run a model on a test set and write
 * metrics.json; optional metric gates decide the exit code. */
#include "commands.h"
#include "modelgate/compare.h"
#include "modelgate/evaluate.h"
#include "modelgate/metric_registry.h"
#include "options.h"
#include "digest.h"
#include "adapters.h"
#include "output.h"
#include "summary.h"
#include "byte_count.h"
#include "progress.h"
#include "precheck.h"

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

typedef struct evaluate_args {
    const char *model, *test_data, *label, *task, *positive_label, *weight, *predictions, *id;
    const char *output, *python, *na_arg, *max_input_bytes, *delimiter_arg;
    char delimiter;
    double threshold, confidence, runner_timeout, runner_start_timeout;
    long threads, batch_size, bootstrap, seed;
    bool quiet;
    mg_strlist ignore, protected_attrs, column_types, min, max, na_values, classes, features;
} evaluate_args;

/* Parses NAME=TYPE overrides. */
static int parse_overrides(const mg_strlist *l, mg_type_override **out) {
    *out = calloc((size_t)(l->n > 0 ? l->n : 1), sizeof **out);
    if (*out == NULL)
        return -1;
    for (int i = 0; i < l->n; i++) {
        char *eq = strchr(l->items[i], '=');
        if (eq == NULL) {
            mg_cli_eprintf("modelgate evaluate: --column-type '%s': expected NAME=TYPE\n",
                           l->items[i]);
            return -1;
        }
        *eq = '\0';
        const char *type = eq + 1;
        static const mg_type types[] = {MG_TYPE_F64, MG_TYPE_I64, MG_TYPE_BOOL, MG_TYPE_STR};
        int found = 0;
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            if (strcmp(type, mg_type_name(types[t])) == 0) {
                (*out)[i].type = types[t];
                found = 1;
            }
        if (!found) {
            mg_cli_eprintf(
                "modelgate evaluate: --column-type %s=%s: type must be float, int, bool or "
                "string\n",
                l->items[i], type);
            return -1;
        }
        (*out)[i].column = l->items[i];
    }
    return 0;
}

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

/* Checks --min/--max gates; returns the exit code they imply and prints one
 * line per failed or undecidable gate. */
static int check_gates(const mg_evaluation *e, const mg_strlist *bounds, int is_min) {
    int code = MG_EXIT_PASS;
    for (int i = 0; i < bounds->n; i++) {
        char name[64];
        double limit;
        mg_value v;
        if (mg_parse_key_number(bounds->items[i], name, sizeof name, &limit) != 0) {
            mg_cli_eprintf("modelgate evaluate: --%s '%s': expected METRIC=NUMBER\n",
                           is_min ? "min" : "max", bounds->items[i]);
            return MG_EXIT_USAGE;
        }
        if (mg_evaluation_metric(e, name, &v) != 0) {
            mg_cli_eprintf("modelgate evaluate: --%s %s: no metric '%s' for a %s task\n",
                           is_min ? "min" : "max", bounds->items[i], name, mg_task_name(e->task));
            return MG_EXIT_USAGE;
        }
        char lim[40], val[40];
        mg_format_double(limit, lim, sizeof lim);
        if (v.null_reason == NULL && isnan(v.v))
            v = mg_value_null("undefined: not a number");
        if (v.null_reason != NULL) {
            mg_cli_eprintf("modelgate evaluate: gate %s %s %s is inconclusive: %s is %s\n", name,
                           is_min ? ">=" : "<=", lim, name, v.null_reason);
            if (code == MG_EXIT_PASS)
                code = MG_EXIT_INCONCLUSIVE;
            continue;
        }
        mg_format_double(v.v, val, sizeof val);
        if (is_min ? v.v < limit : v.v > limit) {
            mg_cli_eprintf("modelgate evaluate: gate failed: %s %s is %s the %s %s\n", name, val,
                           is_min ? "below" : "above", is_min ? "minimum" : "maximum", lim);
            code = MG_EXIT_FAIL;
        }
    }
    return code;
}

int cmd_evaluate(int argc, char **argv) {
    evaluate_args a = {.output = "-", .threshold = 0.5, .confidence = 0.95, .bootstrap = 1000};
    mg_opt opts[] = {
        {"model", MG_OPT_STRING, &a.model, "M",
         "the model: a file, cmd:..., column:NAME or columns:A,B", true, false},
        {"test-data", MG_OPT_STRING, &a.test_data, "FILE",
         "test set: CSV or Parquet file, or a folder of Parquet parts", true, false},
        {"output", MG_OPT_STRING, &a.output, "FILE",
         "where metrics.json goes; - for stdout (default -)", false, false},
        {"label", MG_OPT_STRING, &a.label, "COL", "label column (default label)", false, false},
        {"task", MG_OPT_STRING, &a.task, "TASK",
         "auto, binary, multiclass or regression (default auto)", false, false},
        {"positive-label", MG_OPT_STRING, &a.positive_label, "V",
         "binary: the positive class (default 1/true, else the larger label)", false, false},
        {"decision-threshold", MG_OPT_DOUBLE, &a.threshold, "T",
         "binary: predicted positive when score > T (default 0.5)", false, false},
        {"classes", MG_OPT_LIST, &a.classes, "A,B,C",
         "the model's classes in output order, for a model that names none (XGBoost)", false,
         false},
        {"features", MG_OPT_LIST, &a.features, "COLS",
         "the feature columns in the model's input order (default: by name, else file order)",
         false, false},
        {"weight", MG_OPT_STRING, &a.weight, "COL", "sample weight column", false, false},
        {"predictions", MG_OPT_STRING, &a.predictions, "FILE",
         "a separate file holding the model's predictions", false, false},
        {"id", MG_OPT_STRING, &a.id, "COL",
         "pair --predictions rows with the test data by this column", false, false},
        {"ignore", MG_OPT_LIST, &a.ignore, "COLS", "columns that are not features", false, false},
        {"protected-attributes", MG_OPT_LIST, &a.protected_attrs, "COLS",
         "columns that are not features (protected attributes)", false, false},
        {"column-type", MG_OPT_LIST, &a.column_types, "COL=TYPE",
         "read a column as float, int, bool or string", false, false},
        MG_OPT_NA_VALUES(&a.na_arg),
        MG_OPT_DELIMITER(&a.delimiter_arg),
        {"confidence", MG_OPT_DOUBLE, &a.confidence, "C",
         "level of the intervals in ci (default 0.95)", false, false},
        {"min", MG_OPT_LIST, &a.min, "METRIC=V", "gate: fail (exit 1) when METRIC < V", false,
         false},
        {"max", MG_OPT_LIST, &a.max, "METRIC=V", "gate: fail (exit 1) when METRIC > V", false,
         false},
        {"threads", MG_OPT_INT, &a.threads, "N", "worker threads (default: all CPUs)", false,
         false},
        {"python", MG_OPT_STRING, &a.python, "PATH", MG_CLI_PYTHON_HELP, false, false},
        {"quiet", MG_OPT_FLAG, &a.quiet, NULL, MG_CLI_QUIET_HELP, false, false},
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
        {"seed", MG_OPT_INT, &a.seed, "S", "with --confidence: bootstrap seed (default 0)", false,
         false},
        MG_CLI_SIGN_KEY_OPTION,
        MG_OPT_END_ENTRY,
    };
    int rc = mg_opts_parse("evaluate", synopsis, opts, argc, argv, NULL);
    if (rc != 0) {
        rc = rc == 1 ? MG_EXIT_PASS : rc; /* 1 = --help was shown */
        goto out_args;
    }
    if ((rc = mg_cli_precheck("evaluate", opts, true, &a.delimiter)) != 0)
        goto out_args;

    mg_eval_spec spec = {.label = a.label,
                         .positive_label = a.positive_label,
                         .threshold = a.threshold,
                         .weight = a.weight};
    if (a.task != NULL && mg_task_parse(a.task, &spec.task) != 0) {
        mg_cli_eprintf(
            "modelgate evaluate: --task %s: expected auto, binary, multiclass or regression\n",
            a.task);
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (precheck_gates(&a.min, 1, spec.task) != 0 || precheck_gates(&a.max, 0, spec.task) != 0) {
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
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
    if (a.bootstrap < 1 || a.bootstrap > 1000000 || a.seed < 0) {
        mg_cli_eprintf("modelgate evaluate: --bootstrap takes 1 to 1000000 replicates and --seed "
                       "a number >= 0\n");
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    uint64_t max_input = 0;
    if (mg_cli_parse_bytes("evaluate", "max-input-bytes", a.max_input_bytes, &max_input) != 0) {
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (a.id != NULL && a.predictions == NULL) {
        mg_cli_eprintf("modelgate evaluate: --id pairs a --predictions file; give one\n");
        rc = MG_EXIT_USAGE;
        goto out_args;
    }
    if (mg_na_values_split(a.na_arg, &a.na_values) != 0) {
        mg_cli_eprintf("modelgate evaluate: out of memory for --na-values\n");
        rc = MG_EXIT_INTERNAL;
        goto out_args;
    }
    spec.roles.protected_attrs = (const char *const *)a.protected_attrs.items;
    spec.roles.nprotected = a.protected_attrs.n;
    spec.roles.ignore = (const char *const *)a.ignore.items;
    spec.roles.nignore = a.ignore.n;
    spec.roles.id = a.id;
    spec.roles.features = (const char *const *)a.features.items;
    spec.roles.nfeatures = a.features.n;
    spec.classes = (const char *const *)a.classes.items;
    spec.nclasses = a.classes.n;

    mg_error err;
    mg_error_clear(&err);
    mg_model *model = NULL;
    mg_table *table = NULL, *preds = NULL;
    mg_targets targets = {0};
    mg_evaluation eval = {0};
    mg_type_override *overrides = NULL;
    char *json = NULL;
    mg_status st;
    mg_cli_digest digest = {0};

    if (parse_overrides(&a.column_types, &overrides) != 0) {
        rc = MG_EXIT_USAGE;
        goto out;
    }
    /* Before any model starts or any data is read. */
    rc = mg_cli_output_prepare("evaluate", a.output);
    if (rc != 0)
        goto out;
    mg_cli_progress bar;
    mg_cli_progress_init(&bar, "predicting");
    mg_model_options mopts = {.threads = (int)a.threads,
                              .batch_size = (int)a.batch_size,
                              .start_timeout_s = a.runner_start_timeout,
                              .batch_timeout_s = a.runner_timeout,
                              .progress = mg_cli_progress_report,
                              .progress_ctx = &bar,
                              .python = a.python,
                              .adapters_dir = mg_cli_adapters_dir()};
    st = mg_model_open(a.model, &mopts, &model, &err);
    if (st != MG_OK)
        goto fail;

    /* A model that reads its scores from columns needs only those columns. */
    const mg_model_info *info = mg_model_describe(model);
    const char *wanted[64];
    int nwanted = 0;
    if (info->noutput_columns > 0 && a.predictions == NULL &&
        info->noutput_columns + 2 <= (int)(sizeof wanted / sizeof wanted[0])) {
        wanted[nwanted++] = a.label ? a.label : "label";
        if (a.weight != NULL)
            wanted[nwanted++] = a.weight;
        for (int c = 0; c < info->noutput_columns; c++) {
            int dup = 0;
            for (int k = 0; k < nwanted; k++)
                dup |= strcmp(wanted[k], info->output_columns[c]) == 0;
            if (!dup)
                wanted[nwanted++] = info->output_columns[c];
        }
    }
    mg_read_options ropts = {.columns = nwanted ? wanted : NULL,
                             .ncolumns = nwanted,
                             .overrides = overrides,
                             .noverrides = a.column_types.n,
                             .threads = (int)a.threads,
                             .na_values = a.na_arg ? (const char *const *)a.na_values.items : NULL,
                             .nna_values = a.na_values.n,
                             .max_input_bytes = max_input,
                             .delimiter = a.delimiter};
    mg_cli_digest_start(&digest, a.test_data);
    ropts.sha256_out = mg_cli_digest_sink(&digest);
    mg_cli_progress reading;
    mg_cli_progress_init_reading(&reading, a.test_data);
    ropts.progress = mg_cli_progress_report;
    ropts.progress_ctx = &reading;
    st = mg_table_read(a.test_data, &ropts, &table, &err);
    mg_cli_progress_end(&reading);
    if (st != MG_OK)
        goto fail;
    if (a.predictions != NULL) {
        mg_read_options popts = {.threads = (int)a.threads,
                                 .na_values = ropts.na_values,
                                 .nna_values = ropts.nna_values,
                                 .max_input_bytes = max_input};
        st = mg_table_read(a.predictions, &popts, &preds, &err);
        if (st == MG_OK)
            st = mg_table_attach(table, preds, a.id, &err);
        if (st != MG_OK)
            goto fail;
    }
    char note[512];
    mg_feature_roles roles = spec.roles;
    roles.label = a.label ? a.label : "label";
    roles.weight = a.weight;
    if (mg_model_feature_note(model, table, &roles, note, sizeof note))
        mg_cli_eprintf("modelgate evaluate: %s\n", note);
    mg_cli_progress_init(&bar, "predicting"); /* its second counts from here */
    st = mg_targets_build(table, model, &spec, &targets, &err);
    mg_cli_progress_end(&bar);
    if (st != MG_OK)
        goto fail;
    /* The targets hold all that the metrics need: give the columns back before
     * the metrics allocate their sort buffers, so peak memory stays near one
     * copy of the used columns. */
    mg_table_free(table);
    table = NULL;
    mg_table_free(preds);
    preds = NULL;
    if (spec.task == MG_TASK_AUTO)
        mg_cli_eprintf("modelgate evaluate: task %s: %s\n", mg_task_name(targets.task),
                       targets.task_reason);
    if (targets.task == MG_TASK_BINARY)
        mg_cli_eprintf("modelgate evaluate: positive label '%s': %s\n", targets.positive_label,
                       targets.positive_reason);
    st = mg_evaluation_compute(&targets, &eval, &err);
    if (st != MG_OK)
        goto fail;

    const char *data_sha = mg_cli_digest_finish(&digest);
    mg_provenance prov = {.data_path = a.test_data,
                          .data_sha256 = data_sha,
                          .model_arg = mg_model_source(model),
                          .model_sha256 = mg_model_sha256(model)};
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
        st = mg_evaluation_json_with_intervals(&eval, &targets, &prov, &copts, &json, &len, &err);
        mg_cli_progress_end(&bar);
        if (st != MG_OK)
            goto fail;
    } else {
        json = mg_evaluation_json(&eval, &targets, &prov, a.confidence, &len);
    }
    if (json == NULL) {
        mg_cli_eprintf("modelgate evaluate: out of memory writing metrics.json\n");
        rc = MG_EXIT_USAGE;
        goto out;
    }
    if (!a.quiet)
        mg_cli_summary(MG_SUMMARY_METRICS, json, stderr);
    int rc_min = check_gates(&eval, &a.min, 1);
    int rc_max = rc_min == MG_EXIT_USAGE ? MG_EXIT_USAGE : check_gates(&eval, &a.max, 0);
    if (rc_min == MG_EXIT_USAGE || rc_max == MG_EXIT_USAGE)
        rc = MG_EXIT_USAGE;
    else if (rc_min == MG_EXIT_FAIL || rc_max == MG_EXIT_FAIL)
        rc = MG_EXIT_FAIL;
    else if (rc_min == MG_EXIT_INCONCLUSIVE || rc_max == MG_EXIT_INCONCLUSIVE)
        rc = MG_EXIT_INCONCLUSIVE;
    else
        rc = MG_EXIT_PASS;
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
    free(overrides);
    mg_evaluation_release(&eval);
    mg_targets_release(&targets);
    mg_table_free(preds);
    mg_table_free(table);
    mg_model_free(model);
out_args:
    mg_strlist_release(&a.ignore);
    mg_strlist_release(&a.protected_attrs);
    mg_strlist_release(&a.column_types);
    mg_strlist_release(&a.min);
    mg_strlist_release(&a.max);
    mg_strlist_release(&a.na_values);
    mg_strlist_release(&a.classes);
    mg_strlist_release(&a.features);
    return rc;
}
