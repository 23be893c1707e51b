/* cmd_fairness.c - `modelgate fairness`: runs the model on the test data,
 * compares its decisions across the groups of the protected attributes, writes
 * fairness.json and exits by the verdict (0 pass, 1 fail, 3 inconclusive). */
#include "commands.h"
#include "exit.h"
#include "common_options.h"
#include "modelgate/evaluate.h"
#include "modelgate/fairness.h"
#include "modelgate/model.h"
#include "modelgate/modelgate.h"
#include "modelgate/pipeline.h"
#include "modelgate/run.h"
#include "read_limits.h"
#include "options.h"
#include "precheck.h"
#include "progress.h"
#include "digest.h"
#include "adapters.h"
#include "output.h"
#include "summary.h"
#include "byte_count.h"
#include "shard_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char synopsis[] =
    "Compare the model's decisions across the groups of protected attributes\n"
    "(demographic parity, equalized odds, equal opportunity, disparate impact)\n"
    "and gate them: every gated ratio must lie in [threshold, 1/threshold].\n"
    "Exit 0 pass, 1 a ratio outside the band, 3 inconclusive (undefined ratio,\n"
    "too few rows, or an interval straddling the band), 2 bad input.";

/* "ATTR=VALUE" into its two halves, split at the first '=' (the value is
 * taken literally and may contain '=', '|' or be "(null)"); "ATTR" alone names
 * ATTR's missing-value group (*value NULL, *missing true). */
static int split_reference(char *arg, const char **attr, const char **value, bool *missing) {
    char *eq = strchr(arg, '=');
    if (eq == arg || arg[0] == '\0')
        return -1;
    *attr = arg;
    *missing = eq == NULL;
    *value = NULL;
    if (eq != NULL) {
        *eq = '\0';
        *value = eq + 1;
    }
    return 0;
}

/* The one line that explains a non-pass verdict: the first failing (else
 * inconclusive) gated measure. */
static void explain(const mg_fairness *f) {
    mg_verdict want = f->verdict;
    for (int a = 0; a < f->nattrs; a++)
        for (int m = 0; m < MG_FAIR_NMEASURES; m++) {
            const mg_disparity *d = &f->attrs[a].measures[m];
            if (!f->attrs[a].has_measure[m] || !d->gated || d->verdict != want)
                continue;
            const char *name = mg_fairness_measure_name((mg_fairness_measure)m);
            double lo = f->opts.threshold, hi = 1 / f->opts.threshold;
            if (d->ratio.null_reason != NULL || d->ratio_max.null_reason != NULL) {
                mg_cli_eprintf("modelgate fairness: %s ratio of '%s' is undefined: %s (%s)\n", name,
                               f->attrs[a].name,
                               d->ratio.null_reason ? d->ratio.null_reason
                                                    : d->ratio_max.null_reason,
                               mg_verdict_name(want));
            } else if (f->opts.confidence > 0) {
                mg_cli_eprintf("modelgate fairness: %s ratio of '%s' is %.4g: %s (%s)\n", name,
                               f->attrs[a].name, d->ratio.v, d->reason ? d->reason : "",
                               mg_verdict_name(want));
            } else {
                double shown = d->ratio.v < lo ? d->ratio.v : d->ratio_max.v;
                mg_cli_eprintf("modelgate fairness: %s ratio of '%s' is %.4g, outside the band "
                               "[%.4g, %.4g] (%s)\n",
                               name, f->attrs[a].name, shown, lo, hi, mg_verdict_name(want));
            }
            return;
        }
}

/* `fairness`, or with `from` the assessment of merged partials (merge). */
static int fairness_main(int argc, char **argv, const mg_partial *from) {
    mg_cli_shard shard = {0};
    const char *model_arg = NULL, *data = NULL, *label = NULL, *output = "-", *method = NULL;
    const char *python = NULL;
    bool quiet = false;
    const char *task_name = NULL, *weight = NULL, *positive = NULL, *reference = NULL;
    const char *predictions = NULL, *id = NULL, *na_arg = NULL, *max_input_bytes = NULL;
    const char *delimiter_arg = NULL;
    char delimiter = 0;
    mg_strlist attrs = {0}, gates = {0}, ignore = {0}, na_values = {0}, classes = {0},
               features = {0}, column_types = {0};
    double threshold = 0.8, decision = 0.5, confidence = 0;
    long min_group = 30, seed = MG_CLI_DEFAULT_SEED, bootstrap = 1000, threads = 0;
    long max_groups = MG_FAIRNESS_MAX_GROUPS_DEFAULT;
    mg_cli_limits limits = {0};
    bool intersectional = false;
    mg_opt opts[] = {
        {"model", MG_OPT_STRING, &model_arg, "M", "the model (file, cmd:..., column:NAME)", true,
         false},
        MG_CLI_OPT_TEST_DATA(&data),
        {"protected-attributes", MG_OPT_LIST, &attrs, "A,B", "protected attribute columns", true,
         false},
        MG_CLI_OPT_OUTPUT(&output, "fairness.json"),
        MG_CLI_OPT_LABEL(&label),
        {"threshold", MG_OPT_DOUBLE, &threshold, "T",
         "band [T, 1/T] for gated ratios (default 0.8)", false, false},
        MG_CLI_OPT_DECISION_THRESHOLD(&decision),
        {"gate", MG_OPT_LIST, &gates, "MEASURES",
         "measures to gate (default demographic_parity; regression: mae)", false, false},
        {"method", MG_OPT_STRING, &method, "M", "between_groups (default) or to_overall", false,
         false},
        {"intersectional", MG_OPT_FLAG, &intersectional, NULL,
         "also assess the combination of all attributes", false, false},
        {"reference", MG_OPT_STRING, &reference, "ATTR=VALUE",
         "reference group for disparate impact (gated); ATTR alone: its missing value", false,
         false},
        {"min-group-size", MG_OPT_INT, &min_group, "N",
         "exclude groups with fewer rows (default 30)", false, false},
        {"confidence", MG_OPT_DOUBLE, &confidence, "C",
         "decide on bootstrap evidence at this level (Holm)", false, false},
        {"bootstrap", MG_OPT_INT, &bootstrap, "N",
         "bootstrap replicates with --confidence (default 1000)", false, false},
        MG_CLI_OPT_SEED(&seed),
        MG_CLI_OPT_WEIGHT(&weight),
        {"task", MG_OPT_STRING, &task_name, "TASK", "binary, regression or auto (default auto)",
         false, false},
        MG_CLI_OPT_POSITIVE_LABEL(&positive),
        {"predictions", MG_OPT_STRING, &predictions, "FILE",
         "a separate file holding the model's predictions", false, false},
        MG_CLI_OPT_ID(&id),
        MG_CLI_OPT_IGNORE(&ignore),
        MG_OPT_NA_VALUES(&na_arg),
        MG_OPT_DELIMITER(&delimiter_arg),
        {"classes", MG_OPT_LIST, &classes, "A,B",
         "the model's classes in output order, for a model that names none (XGBoost)", false,
         false},
        MG_CLI_OPT_FEATURES(&features),
        MG_CLI_OPT_COLUMN_TYPE(&column_types),
        MG_CLI_OPT_THREADS(&threads),
        MG_CLI_OPT_PYTHON(&python),
        MG_CLI_OPT_QUIET(&quiet),
        MG_CLI_SIGN_KEY_OPTION,
        {"max-input-bytes", MG_OPT_STRING, &max_input_bytes, "N", MG_CLI_MAX_INPUT_BYTES_HELP,
         false, false},
        {"max-groups", MG_OPT_INT, &max_groups, "N",
         "refuse an attribute with more distinct groups (default 10000, 0 = no cap)", false, false},
        MG_CLI_LIMIT_OPTS(&limits),
        MG_CLI_SHARD_OPTS(&shard),
        MG_OPT_END_ENTRY};
    if (from != NULL)
        mg_cli_merge_relax(opts);
    int rc = mg_opts_parse("fairness", synopsis, opts, argc, argv, NULL);
    if (rc == 0)
        rc = mg_cli_precheck("fairness", opts, true, &delimiter);
    if (rc == 0)
        rc = mg_cli_shard_check("fairness", opts, &shard);
    if (rc != 0) {
        mg_strlist_release(&attrs);
        mg_strlist_release(&gates);
        mg_strlist_release(&ignore);
        mg_strlist_release(&classes);
        mg_strlist_release(&features);
        mg_strlist_release(&column_types);
        return rc == 1 ? MG_EXIT_PASS : MG_EXIT_USAGE;
    }

    mg_fairness_options fo;
    mg_fairness_options_init(&fo);
    fo.threshold = threshold;
    fo.intersectional = intersectional;
    fo.min_group_size = min_group;
    fo.confidence = confidence;
    fo.bootstrap_samples = (int)bootstrap;
    fo.seed = (uint64_t)seed;
    fo.threads = (int)threads;
    fo.max_groups = max_groups;
    mg_run_spec spec;
    mg_run_spec_init(&spec);
    spec.test_data = data;
    spec.models[0] = model_arg;
    spec.nmodels = 1;
    spec.predictions = predictions;
    spec.id = id;
    spec.label = label;
    spec.threshold = decision;
    spec.weight = weight;
    spec.positive_label = positive;
    spec.protected_attrs = (const char *const *)attrs.items;
    spec.nprotected = attrs.n;
    spec.need_protected = true;
    spec.ignore = (const char *const *)ignore.items;
    spec.nignore = ignore.n;
    spec.features = (const char *const *)features.items;
    spec.nfeatures = features.n;
    spec.classes = (const char *const *)classes.items;
    spec.nclasses = classes.n;
    spec.shard_index = shard.index;
    spec.shard_count = shard.count;
    rc = MG_EXIT_PASS;
    const char *bad = NULL;
    char ref_copy[512];
    if (!(threshold > 0 && threshold <= 1))
        bad = "--threshold must lie in (0, 1]: the band is [T, 1/T]";
    else if (!(decision >= 0 && decision <= 1))
        bad = "--decision-threshold must lie in [0, 1]";
    else if (min_group < 1)
        bad = "--min-group-size must be at least 1";
    else if (confidence != 0 && !(confidence > 0 && confidence < 1))
        bad = "--confidence must lie in (0, 1)";
    else if (bootstrap < MG_CLI_MIN_BOOTSTRAP || bootstrap > MG_CLI_MAX_BOOTSTRAP)
        bad = "--bootstrap must lie in [100, 1000000]";
    else if (threads < 0)
        bad = "--threads must not be negative";
    else if (max_groups < 0)
        bad = "--max-groups must not be negative (0 = no cap)";
    else if (method != NULL && mg_fairness_method_parse(method, &fo.method) != 0)
        bad = "--method must be between_groups or to_overall";
    else if (task_name != NULL &&
             (mg_task_parse(task_name, &spec.task) != 0 || spec.task == MG_TASK_MULTICLASS))
        bad = "--task must be binary, regression or auto";
    for (int i = 0; bad == NULL && i < gates.n; i++) {
        mg_fairness_measure m;
        if (mg_fairness_measure_parse(gates.items[i], &m) != 0) {
            mg_cli_eprintf(
                "modelgate fairness: unknown measure '%s' in --gate (expected "
                "demographic_parity, equalized_odds, equal_opportunity, disparate_impact, "
                "mean_prediction, mae or rmse)\n",
                gates.items[i]);
            rc = MG_EXIT_USAGE;
            break;
        }
        fo.gates |= MG_FAIR_GATE(m);
    }
    if (bad == NULL && rc == MG_EXIT_PASS && reference != NULL) {
        snprintf(ref_copy, sizeof ref_copy, "%s", reference);
        if (strlen(reference) >= sizeof ref_copy ||
            split_reference(ref_copy, &fo.reference_attr, &fo.reference_group,
                            &fo.reference_missing) != 0)
            bad = "--reference expects ATTR=VALUE (e.g. --reference gender=male), or ATTR alone "
                  "for the attribute's missing value";
    }
    if (bad != NULL) {
        mg_cli_eprintf("modelgate fairness: %s\n", bad);
        rc = MG_EXIT_USAGE;
    }
    if (rc == MG_EXIT_PASS && mg_na_values_split(na_arg, &na_values) != 0) {
        mg_cli_eprintf("modelgate fairness: out of memory for --na-values\n");
        rc = MG_EXIT_INTERNAL;
    }
    uint64_t max_input = 0;
    if (rc == MG_EXIT_PASS)
        rc = mg_cli_parse_bytes("fairness", "max-input-bytes", max_input_bytes, &max_input);
    if (rc == MG_EXIT_PASS) /* before any model starts or any data is read */
        rc = mg_cli_output_prepare("fairness", shard.partial != NULL ? shard.partial : output);
    mg_read_options limited;
    memset(&limited, 0, sizeof limited);
    if (rc == MG_EXIT_PASS)
        rc = mg_cli_limits_apply("fairness", &limits, &limited);
    mg_type_override *overrides = NULL;
    if (rc == MG_EXIT_PASS && mg_cli_column_types("fairness", &column_types, &overrides) != 0)
        rc = MG_EXIT_USAGE;

    mg_fairness_outcome out;
    memset(&out, 0, sizeof out);
    mg_error err;
    mg_error_clear(&err);
    spec.model_options.threads = (int)threads;
    spec.model_options.python = python;
    spec.model_options.adapters_dir = mg_cli_adapters_dir();
    mg_cli_stages stages;
    mg_cli_stages_init(&stages, "fairness", data != NULL ? data : "partials");
    spec.model_options.progress = mg_cli_progress_report;
    spec.model_options.progress_ctx = &stages.bar;
    spec.read.threads = (int)threads;
    spec.read.na_values = na_arg ? (const char *const *)na_values.items : NULL;
    spec.read.nna_values = na_values.n;
    spec.read.max_rows = limited.max_rows;
    spec.read.max_input_bytes = max_input;
    spec.read.overrides = overrides;
    spec.read.noverrides = column_types.n;
    spec.read.delimiter = delimiter;
    mg_cli_digest digest;
    memset(&digest, 0, sizeof digest);
    if (from == NULL)
        mg_cli_digest_start(&digest, data);
    spec.read.sha256_out = mg_cli_digest_sink(&digest);
    spec.read.progress = mg_cli_progress_report;
    spec.read.progress_ctx = &stages.reading;
    fo.progress = mg_cli_progress_report;
    fo.progress_ctx = &stages.bar;
    mg_fairness_spec fs;
    mg_fairness_spec_init(&fs);
    fs.run = spec;
    fs.fairness = fo;
    fs.stage = mg_cli_stage;
    fs.stage_ctx = &stages;
    fs.note = mg_cli_note;
    fs.note_ctx = &stages;
    fs.data_sha256 = mg_cli_digest_hex;
    fs.data_sha256_ctx = &digest;
    fs.partial_only = shard.partial != NULL;
    fs.from = from;
    if (rc == MG_EXIT_PASS) {
        mg_status st = mg_fairness_run(&fs, &out, &err);
        mg_cli_stages_end(&stages);
        if (st != MG_OK) {
            rc = mg_cli_fail("fairness", &err);
            if (out.computed) /* writing fairness.json failed */
                rc = MG_EXIT_INTERNAL;
        }
    }
    if (rc == MG_EXIT_PASS && fs.partial_only) {
        rc = mg_cli_write_partial("fairness", opts, &out.partial, shard.partial);
    } else if (rc == MG_EXIT_PASS) {
        rc = mg_cli_write_file("fairness", output, out.fairness_json, out.fairness_len);
        if (rc == MG_EXIT_PASS && !quiet)
            mg_cli_summary(MG_SUMMARY_FAIRNESS, out.fairness_json, stderr);
        if (rc == MG_EXIT_PASS) {
            if (out.result.verdict != MG_VERDICT_PASS)
                explain(&out.result);
            rc = mg_cli_exit_code(out.result.verdict);
        }
    }
    mg_cli_digest_finish(&digest); /* joins the thread on every path */
    mg_fairness_outcome_release(&out);
    mg_strlist_release(&attrs);
    mg_strlist_release(&gates);
    mg_strlist_release(&ignore);
    mg_strlist_release(&na_values);
    mg_strlist_release(&classes);
    mg_strlist_release(&features);
    free(overrides);
    mg_strlist_release(&column_types);
    return rc;
}

int cmd_fairness(int argc, char **argv) {
    return fairness_main(argc, argv, NULL);
}

int mg_cli_fairness_merged(int argc, char **argv, const mg_partial *from) {
    return fairness_main(argc, argv, from);
}
