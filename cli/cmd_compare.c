/* cmd_compare.c - `modelgate compare`: the regression gate of a candidate
 * model against its baseline on the same test rows (DESIGN §5, §11). */
#include "commands.h"
#include "exit.h"
#include "common_options.h"
#include "modelgate/compare.h"
#include "modelgate/evaluate.h"
#include "modelgate/gate.h"
#include "modelgate/model.h"
#include "modelgate/registry.h"
#include "modelgate/pipeline.h"
#include "modelgate/report.h"
#include "read_limits.h"
#include "options.h"
#include "precheck.h"
#include "progress.h"
#include "digest.h"
#include "adapters.h"
#include "output.h"
#include "summary.h"
#include "byte_count.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

static const char synopsis[] =
    "Compare a candidate model (--new) with its baseline on the same test rows and write\n"
    "comparison.json: every metric for both, the difference with its paired interval,\n"
    "p-value and test (McNemar for accuracy, DeLong for ROC AUC, the paired bootstrap\n"
    "otherwise). Rules gate on the improvement (new - baseline; baseline - new where\n"
    "lower is better): on the point estimate, or with --confidence as non-inferiority on\n"
    "the interval. Exit 0 when every rule passes, 1 when one fails, 3 when one is\n"
    "inconclusive.";

static int parse_rules(const mg_strlist *list, mg_rule_kind kind, mg_compare_rule *rules,
                       char (*names)[64], int *nrules) {
    for (int i = 0; i < list->n; i++) {
        double v;
        int k = *nrules;
        if (mg_parse_key_number(list->items[i], names[k], 64, &v) != 0 || !isfinite(v)) {
            mg_cli_eprintf("modelgate compare: --%s '%s': expected METRIC=NUMBER, e.g. %s\n",
                           kind == MG_RULE_MIN_CHANGE ? "min-change" : "min-relative-change",
                           list->items[i],
                           kind == MG_RULE_MIN_CHANGE ? "accuracy=-0.01" : "roc_auc=-0.005");
            return -1;
        }
        rules[k].metric = names[k];
        rules[k].kind = kind;
        rules[k].threshold = v;
        rules[k].origin = kind == MG_RULE_MIN_CHANGE ? "--min-change" : "--min-relative-change";
        (*nrules)++;
    }
    return 0;
}

typedef struct run {
    const char *new_arg, *base_arg, *data, *label, *task, *positive, *weight, *output, *python;
    const char *na_arg, *id, *delimiter_arg;
    char delimiter;
    const char *max_input_bytes;
    uint64_t max_input;
    double threshold, confidence;
    long bootstrap, seed, threads;
    bool allow_no_baseline;
    bool run_bootstrap; /* --confidence or --bootstrap given */
    bool quiet;
    mg_strlist min_change, min_relative, ignore, na_values, classes, features, protected_attrs;
    mg_strlist column_types;
    mg_type_override *overrides; /* parsed from column_types */
    mg_cli_limits limits;
} run;

static int write_output(const run *r, char *json, size_t len) {
    if (json == NULL) {
        mg_cli_eprintf("modelgate compare: out of memory writing %s\n", r->output);
        return MG_EXIT_INTERNAL;
    }
    int rc = mg_cli_write_file("compare", r->output, json, len);
    free(json);
    return rc;
}

/* Prints the summary, writes comparison.json, prints the rules' lines and
 * picks the exit code. */
static int report(const run *r, const mg_compare_outcome *out) {
    if (!r->quiet)
        mg_cli_summary(MG_SUMMARY_COMPARISON, out->comparison_json, stderr);
    int rc = mg_cli_write_file("compare", r->output, out->comparison_json, out->comparison_len);
    if (rc != 0)
        return rc;
    const mg_metric_delta *acc = mg_comparison_delta(&out->comparison, "accuracy");
    if (acc != NULL && acc->delta.null_reason == NULL && strcmp(r->output, "-") != 0)
        mg_cli_eprintf("accuracy %.4f vs baseline %.4f: improvement %+.4f\n", acc->new_value.v,
                       acc->base_value.v, acc->delta.v);
    /* Passing rules first, failing ones last: the last line says why the
     * exit code is not 0. */
    static const mg_verdict order[3] = {MG_VERDICT_PASS, MG_VERDICT_INCONCLUSIVE, MG_VERDICT_FAIL};
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < out->nresults; i++)
            if (out->results[i].verdict == order[o])
                mg_cli_eprintf("%s%s\n",
                               order[o] == MG_VERDICT_PASS ? "pass: "
                               : order[o] == MG_VERDICT_FAIL
                                   ? "modelgate compare: gate failed: "
                                   : "modelgate compare: gate inconclusive: ",
                               out->results[i].reason);
    return mg_cli_exit_code(out->verdict);
}

static int compare(const run *r, mg_task task, const mg_compare_rule *rules, int nrules) {
    static const char *const which[2] = {"--new", "--baseline"};
    mg_error err;
    mg_error_clear(&err);
    mg_cli_digest digest;
    mg_cli_digest_start(&digest, r->data);
    mg_cli_stages stages;
    mg_cli_stages_init(&stages, "compare", r->data);
    stages.model_names = which;
    mg_compare_spec spec;
    mg_compare_spec_init(&spec);
    spec.run.test_data = r->data;
    spec.run.read.threads = (int)r->threads;
    spec.run.read.na_values = r->na_arg ? (const char *const *)r->na_values.items : NULL;
    spec.run.read.nna_values = r->na_values.n;
    spec.run.read.max_input_bytes = r->max_input;
    spec.run.read.max_rows = r->limits.max_rows;
    spec.run.read.delimiter = r->delimiter;
    spec.run.read.overrides = r->overrides;
    spec.run.read.noverrides = r->column_types.n;
    spec.run.read.sha256_out = mg_cli_digest_sink(&digest);
    spec.run.read.progress = mg_cli_progress_report;
    spec.run.read.progress_ctx = &stages.reading;
    spec.run.models[0] = r->new_arg;
    spec.run.models[1] = r->base_arg;
    spec.run.nmodels = 2;
    spec.run.model_options.threads = (int)r->threads;
    spec.run.model_options.python = r->python;
    spec.run.model_options.adapters_dir = mg_cli_adapters_dir();
    spec.run.model_options.progress = mg_cli_progress_report;
    spec.run.model_options.progress_ctx = &stages.bar;
    spec.run.label = r->label;
    spec.run.task = task;
    spec.run.positive_label = r->positive;
    spec.run.threshold = r->threshold;
    spec.run.weight = r->weight;
    spec.run.id = r->id;
    spec.run.ignore = (const char *const *)r->ignore.items;
    spec.run.nignore = r->ignore.n;
    spec.run.protected_attrs = (const char *const *)r->protected_attrs.items;
    spec.run.nprotected = r->protected_attrs.n;
    spec.run.features = (const char *const *)r->features.items;
    spec.run.nfeatures = r->features.n;
    spec.run.classes = (const char *const *)r->classes.items;
    spec.run.nclasses = r->classes.n;
    spec.rules = rules;
    spec.nrules = nrules;
    spec.compare = (mg_compare_options){.level = isnan(r->confidence) ? 0.95 : r->confidence,
                                        .replicates = (int)r->bootstrap,
                                        .seed = (uint64_t)r->seed,
                                        .threads = (int)r->threads,
                                        .skip_bootstrap = !r->run_bootstrap,
                                        .progress = mg_cli_progress_report,
                                        .progress_ctx = &stages.bar};
    spec.gate_on_interval = !isnan(r->confidence);
    spec.stage = mg_cli_stage;
    spec.stage_ctx = &stages;
    spec.note = mg_cli_note;
    spec.note_ctx = &stages;
    spec.data_sha256 = mg_cli_digest_hex;
    spec.data_sha256_ctx = &digest;
    mg_compare_outcome out;
    mg_status st = mg_compare_run(&spec, &out, &err);
    mg_cli_stages_end(&stages);
    mg_cli_digest_finish(&digest); /* joins the thread on every path */
    int rc;
    if (st == MG_OK)
        rc = report(r, &out);
    else if (out.decided) /* writing comparison.json failed */
        rc = write_output(r, NULL, 0);
    else
        rc = mg_cli_fail("compare", &err);
    mg_compare_outcome_release(&out);
    return rc;
}

int cmd_compare(int argc, char **argv) {
    run r = {.threshold = 0.5,
             .bootstrap = 1000,
             .confidence = NAN,
             .seed = MG_CLI_DEFAULT_SEED,
             .output = "-"};
    mg_opt opts[] = {
        {"new", MG_OPT_STRING, &r.new_arg, "M1", "the candidate model", true, false},
        {"baseline", MG_OPT_STRING, &r.base_arg, "M0",
         "the baseline: a model file, column:NAME, ...", true, false},
        MG_CLI_OPT_TEST_DATA(&r.data),
        MG_CLI_OPT_LABEL(&r.label),
        MG_CLI_OPT_TASK(&r.task),
        MG_CLI_OPT_POSITIVE_LABEL(&r.positive),
        MG_CLI_OPT_DECISION_THRESHOLD(&r.threshold),
        MG_CLI_OPT_WEIGHT(&r.weight),
        MG_CLI_OPT_IGNORE(&r.ignore),
        MG_CLI_OPT_PROTECTED(&r.protected_attrs),
        MG_CLI_OPT_ID(&r.id),
        MG_OPT_NA_VALUES(&r.na_arg),
        MG_OPT_DELIMITER(&r.delimiter_arg),
        {"classes", MG_OPT_LIST, &r.classes, "A,B,C",
         "the models' classes in output order, for a model that names none (XGBoost)", false,
         false},
        MG_CLI_OPT_FEATURES(&r.features),
        MG_CLI_OPT_COLUMN_TYPE(&r.column_types),
        {"min-change", MG_OPT_LIST, &r.min_change, "METRIC=X",
         "fail when the improvement is below X (e.g. accuracy=-0.01)", false, false},
        {"min-relative-change", MG_OPT_LIST, &r.min_relative, "METRIC=R",
         "fail when the improvement / |baseline| is below R", false, false},
        {"confidence", MG_OPT_DOUBLE, &r.confidence, "C",
         "decide rules on the C interval (non-inferiority); exit 3 when it straddles", false,
         false},
        {"bootstrap", MG_OPT_INT, &r.bootstrap, "N",
         "paired bootstrap replicates (default 1000; runs with --confidence or this option)", false,
         false},
        MG_CLI_OPT_SEED(&r.seed),
        MG_CLI_OPT_THREADS(&r.threads),
        MG_CLI_OPT_PYTHON(&r.python),
        MG_CLI_OPT_QUIET(&r.quiet),
        {"max-input-bytes", MG_OPT_STRING, &r.max_input_bytes, "N", MG_CLI_MAX_INPUT_BYTES_HELP,
         false, false},
        {"allow-no-baseline", MG_OPT_FLAG, &r.allow_no_baseline, NULL,
         "a missing baseline file skips the comparison (exit 0) instead of failing", false, false},
        MG_CLI_OPT_OUTPUT(&r.output, "comparison.json"),
        MG_CLI_SIGN_KEY_OPTION,
        MG_CLI_LIMIT_OPTS(&r.limits),
        MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("compare", synopsis, opts, argc, argv, NULL);
    if (rc != 0) {
        mg_strlist_release(&r.min_change);
        mg_strlist_release(&r.min_relative);
        mg_strlist_release(&r.ignore);
        mg_strlist_release(&r.classes);
        mg_strlist_release(&r.protected_attrs);
        mg_strlist_release(&r.features);
        free(r.overrides);
        mg_strlist_release(&r.column_types);
        return rc == 1 ? MG_EXIT_PASS : rc;
    }
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        if (o->seen && (strcmp(o->name, "confidence") == 0 || strcmp(o->name, "bootstrap") == 0))
            r.run_bootstrap = true;
    mg_compare_rule rules[64];
    char names[64][64];
    int nrules = 0;
    mg_task task = MG_TASK_AUTO;
    if ((rc = mg_cli_precheck("compare", opts, true, &r.delimiter)) != 0) {
    } else if (r.min_change.n + r.min_relative.n > 64) {
        mg_cli_eprintf("modelgate compare: at most 64 rules\n");
        rc = MG_EXIT_USAGE;
    } else if (parse_rules(&r.min_change, MG_RULE_MIN_CHANGE, rules, names, &nrules) != 0 ||
               parse_rules(&r.min_relative, MG_RULE_MIN_RELATIVE_CHANGE, rules, names, &nrules) !=
                   0) {
        rc = MG_EXIT_USAGE;
    } else if (!isnan(r.confidence) && !(r.confidence > 0 && r.confidence < 1)) {
        mg_cli_eprintf("modelgate compare: --confidence %g: expected a level in (0, 1), e.g. "
                       "0.95\n",
                       r.confidence);
        rc = MG_EXIT_USAGE;
    } else if (r.bootstrap < MG_CLI_MIN_BOOTSTRAP || r.bootstrap > MG_CLI_MAX_BOOTSTRAP) {
        mg_cli_eprintf("modelgate compare: --bootstrap %ld: expected %d to %d replicates\n",
                       r.bootstrap, MG_CLI_MIN_BOOTSTRAP, MG_CLI_MAX_BOOTSTRAP);
        rc = MG_EXIT_USAGE;
    } else if (mg_na_values_split(r.na_arg, &r.na_values) != 0) {
        mg_cli_eprintf("modelgate compare: out of memory for --na-values\n");
        rc = MG_EXIT_INTERNAL;
    } else if (r.seed < 0 || r.threads < 0) {
        mg_cli_eprintf("modelgate compare: --seed and --threads must not be negative\n");
        rc = MG_EXIT_USAGE;
    } else if (r.task != NULL && mg_task_parse(r.task, &task) != 0) {
        mg_cli_eprintf("modelgate compare: --task '%s': expected binary, multiclass, regression or "
                       "auto\n",
                       r.task);
        rc = MG_EXIT_USAGE;
    } else if (mg_model_arg_is_file(r.base_arg) ? access(r.base_arg, F_OK) != 0
                                                : mg_registry_arg_missing(r.base_arg)) {
        if (r.allow_no_baseline) {
            /* No model runs, but the files are named by their digests. */
            char data_sha[65] = "", new_sha[65] = "";
            mg_error ignored;
            if (mg_model_arg_is_file(r.data) && mg_file_sha256(r.data, data_sha, &ignored) != MG_OK)
                data_sha[0] = '\0';
            if (mg_model_arg_is_file(r.new_arg) &&
                mg_file_sha256(r.new_arg, new_sha, &ignored) != MG_OK)
                new_sha[0] = '\0';
            mg_provenance prov = {r.data,     data_sha[0] ? data_sha : NULL,
                                  r.new_arg,  new_sha[0] ? new_sha : NULL,
                                  r.base_arg, NULL};
            size_t len = 0;
            char *json = NULL;
            mg_error err;
            mg_error_clear(&err);
            mg_comparison_skipped_json(
                "no baseline model: the comparison was skipped (--allow-no-baseline)", &prov, &json,
                &len, &err);
            rc = write_output(&r, json, len);
            if (rc == 0)
                mg_cli_eprintf("modelgate compare: baseline '%s' does not exist; comparison "
                               "skipped (--allow-no-baseline)\n",
                               r.base_arg);
        } else {
            mg_cli_eprintf(
                "modelgate compare: baseline model '%s' does not exist (a first model may "
                "pass with --allow-no-baseline)\n",
                r.base_arg);
            rc = MG_EXIT_USAGE;
        }
    } else if ((rc = mg_cli_parse_bytes("compare", "max-input-bytes", r.max_input_bytes,
                                        &r.max_input)) != 0) {
    } else if ((rc = mg_cli_limits_apply("compare", &r.limits, NULL)) != 0) {
    } else if (mg_cli_column_types("compare", &r.column_types, &r.overrides) != 0) {
        rc = MG_EXIT_USAGE;
    } else if ((rc = mg_cli_output_prepare("compare", r.output)) == 0) {
        rc = compare(&r, task, rules, nrules);
    }
    mg_strlist_release(&r.min_change);
    mg_strlist_release(&r.min_relative);
    mg_strlist_release(&r.ignore);
    mg_strlist_release(&r.na_values);
    mg_strlist_release(&r.classes);
    mg_strlist_release(&r.protected_attrs);
    mg_strlist_release(&r.features);
    free(r.overrides);
    mg_strlist_release(&r.column_types);
    return rc;
}
