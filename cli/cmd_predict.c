/* cmd_predict.c - `modelgate predict`: runs a model on test data and writes
 * its raw outputs, one CSV row per input row (docs/predict.md). */
#include "commands.h"
#include "common_options.h"
#include "modelgate/model.h"
#include "read_limits.h"
#include "options.h"
#include "precheck.h"
#include "adapters.h"
#include "output.h"
#include "byte_count.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

typedef struct text {
    char *data;
    size_t len, cap;
    int failed;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1 << 16;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *d = realloc(t->data, cap);
        if (d == NULL) {
            t->failed = 1;
            return;
        }
        t->data = d;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
}

static void puts_text(text *t, const char *s) {
    put(t, s, strlen(s));
}

/* A CSV field, quoted when it has to be. */
static void put_field(text *t, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        puts_text(t, s);
        return;
    }
    put(t, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put(t, "\"", 1);
        put(t, p, 1);
    }
    put(t, "\"", 1);
}

/* An output column's name, with "_pred" added while it is the --id column's,
 * so that the header never names a column twice. */
static void put_output_name(text *t, const char *name, const char *id) {
    if (id != NULL && strcmp(name, id) == 0) {
        char renamed[300];
        snprintf(renamed, sizeof renamed, "%s_pred", name);
        put_field(t, renamed);
    } else {
        put_field(t, name);
    }
}

static void header(text *t, const mg_model_info *info, const char *id) {
    if (id != NULL) {
        put_field(t, id);
        put(t, ",", 1);
    }
    if (info->kind == MG_OUTPUT_CLASS_PROBS) {
        for (int c = 0; c < info->noutputs; c++) {
            char name[256];
            if (info->class_labels != NULL && c < info->nclass_labels)
                snprintf(name, sizeof name, "p_%s", info->class_labels[c]);
            else
                snprintf(name, sizeof name, "p_%d", c);
            if (c > 0)
                put(t, ",", 1);
            put_output_name(t, name, id);
        }
    } else if (info->kind == MG_OUTPUT_VALUE || info->kind == MG_OUTPUT_CLASS) {
        put_output_name(t, "prediction", id);
    } else {
        put_output_name(t, "score", id);
    }
    put(t, "\n", 1);
}

static void value(text *t, const mg_model_info *info, double v) {
    if (info->kind == MG_OUTPUT_CLASS && info->class_labels != NULL && v >= 0 &&
        v < info->nclass_labels && v == (double)(int)v) {
        put_field(t, info->class_labels[(int)v]);
        return;
    }
    char buf[40];
    int n = mg_format_double(v, buf, sizeof buf);
    put(t, buf, (size_t)n);
}

int cmd_predict(int argc, char **argv) {
    const char *model_arg = NULL, *data = NULL, *output = "-", *label = NULL, *weight = NULL,
               *id = NULL, *python = NULL, *na_arg = NULL, *max_input_bytes = NULL;
    const char *delimiter_arg = NULL;
    char delimiter = 0;
    mg_strlist ignore = {0}, protected_attrs = {0}, na_values = {0}, features = {0},
               column_types = {0};
    mg_type_override *overrides = NULL;
    long threads = 0, batch = 0;
    mg_cli_limits limits = {0};
    double runner_timeout = 0, runner_start_timeout = 0;
    mg_opt opts[] = {
        {"model", MG_OPT_STRING, &model_arg, "M",
         "model file (XGBoost JSON/UBJ/binary, ONNX), cmd:PROGRAM ARGS..., column:NAME", true,
         false},
        MG_CLI_OPT_TEST_DATA(&data),
        MG_CLI_OPT_OUTPUT(&output, "the predictions CSV"),
        MG_CLI_OPT_LABEL(&label),
        MG_CLI_OPT_IGNORE(&ignore),
        MG_CLI_OPT_FEATURES(&features),
        MG_CLI_OPT_COLUMN_TYPE(&column_types),
        MG_CLI_OPT_PROTECTED(&protected_attrs),
        MG_CLI_OPT_WEIGHT(&weight),
        MG_CLI_OPT_ID(&id),
        MG_OPT_NA_VALUES(&na_arg),
        MG_OPT_DELIMITER(&delimiter_arg),
        MG_CLI_OPT_THREADS(&threads),
        MG_CLI_OPT_PYTHON(&python),
        {"batch-size", MG_OPT_INT, &batch, "N", "rows per prediction call", false, false},
        {"max-input-bytes", MG_OPT_STRING, &max_input_bytes, "N", MG_CLI_MAX_INPUT_BYTES_HELP,
         false, false},
        {"runner-timeout", MG_OPT_DOUBLE, &runner_timeout, "S",
         "seconds a runner may take per batch (default 60)", false, false},
        {"runner-start-timeout", MG_OPT_DOUBLE, &runner_start_timeout, "S",
         "seconds a runner may take to start (default 30)", false, false},
        MG_CLI_LIMIT_OPTS(&limits),
        MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("predict", "Run a model on test data and write its outputs.", opts, argc,
                           argv, NULL);
    if (rc == 0)
        rc = mg_cli_precheck("predict", opts, false, &delimiter);
    if (rc != 0) {
        mg_strlist_release(&ignore);
        mg_strlist_release(&protected_attrs);
        mg_strlist_release(&features);
        free(overrides);
        mg_strlist_release(&column_types);
        return rc == 1 ? 0 : rc;
    }
    mg_error err = {0};
    mg_table *table = NULL;
    mg_model *model = NULL;
    double *scores = NULL;
    text out = {0};
    if (threads < 0 || batch < 0 || runner_timeout < 0 || runner_start_timeout < 0) {
        mg_cli_eprintf("modelgate predict: --threads, --batch-size and the timeouts must not be "
                       "negative\n");
        rc = MG_EXIT_USAGE;
        goto done;
    }
    if (mg_na_values_split(na_arg, &na_values) != 0) {
        mg_cli_eprintf("modelgate predict: out of memory for --na-values\n");
        rc = MG_EXIT_INTERNAL;
        goto done;
    }
    uint64_t max_input = 0;
    rc = mg_cli_parse_bytes("predict", "max-input-bytes", max_input_bytes, &max_input);
    if (rc != 0)
        goto done;
    rc = mg_cli_output_prepare("predict", output);
    if (rc != 0)
        goto done;
    mg_read_options ropts = {.threads = (int)threads,
                             .na_values = na_arg ? (const char *const *)na_values.items : NULL,
                             .nna_values = na_values.n,
                             .max_input_bytes = max_input,
                             .delimiter = delimiter};
    if (mg_cli_column_types("predict", &column_types, &overrides) != 0) {
        rc = MG_EXIT_USAGE;
        goto done;
    }
    ropts.overrides = overrides;
    ropts.noverrides = column_types.n;
    if ((rc = mg_cli_limits_apply("predict", &limits, &ropts)) != 0)
        goto done;
    mg_cli_progress bar;
    mg_cli_progress_init(&bar, "predicting");
    mg_model_options mopts = {.threads = (int)threads,
                              .batch_size = (int)batch,
                              .start_timeout_s = runner_start_timeout,
                              .batch_timeout_s = runner_timeout,
                              .progress = mg_cli_progress_report,
                              .progress_ctx = &bar,
                              .python = python,
                              .adapters_dir = mg_cli_adapters_dir()};
    mg_cli_progress reading;
    mg_cli_progress_init_reading(&reading, data);
    ropts.progress = mg_cli_progress_report;
    ropts.progress_ctx = &reading;
    mg_status read_st = mg_table_read(data, &ropts, &table, &err);
    mg_cli_progress_end(&reading);
    if (read_st != MG_OK || mg_model_open(model_arg, &mopts, &model, &err) != MG_OK) {
        rc = mg_cli_fail("predict", &err);
        goto done;
    }
    if (label == NULL && mg_table_column(table, "label") != NULL)
        label = "label";
    mg_feature_roles roles = {.label = label,
                              .weight = weight,
                              .id = id,
                              .protected_attrs = (const char *const *)protected_attrs.items,
                              .nprotected = protected_attrs.n,
                              .ignore = (const char *const *)ignore.items,
                              .nignore = ignore.n,
                              .features = (const char *const *)features.items,
                              .nfeatures = features.n};
    const mg_column *idcol = NULL;
    if (id != NULL && (idcol = mg_table_column(table, id)) == NULL) {
        mg_cli_eprintf("modelgate predict: %s: no column '%s' (named by --id)\n", data, id);
        rc = MG_EXIT_USAGE;
        goto done;
    }
    char note[512];
    if (mg_model_feature_note(model, table, &roles, note, sizeof note))
        mg_cli_eprintf("modelgate predict: %s\n", note);
    mg_cli_progress_init(&bar, "predicting"); /* its second counts from here */
    mg_status st = mg_model_predict_table(model, table, &roles, &scores, &err);
    mg_cli_progress_end(&bar);
    if (st != MG_OK) {
        rc = mg_cli_fail("predict", &err);
        goto done;
    }
    const mg_model_info *info = mg_model_describe(model);
    int k = info->noutputs > 0 ? info->noutputs : 1;
    header(&out, info, id);
    for (int64_t r = 0; r < table->nrows; r++) {
        if (idcol != NULL) {
            char buf[64];
            const char *s = idcol->type == MG_TYPE_STR
                                ? mg_column_string(idcol, r)
                                : mg_column_format(idcol, r, buf, sizeof buf);
            put_field(&out, s != NULL ? s : "");
            put(&out, ",", 1);
        }
        for (int c = 0; c < k; c++) {
            if (c > 0)
                put(&out, ",", 1);
            value(&out, info, scores[r * k + c]);
        }
        put(&out, "\n", 1);
    }
    if (out.failed) {
        mg_cli_eprintf("modelgate predict: out of memory while writing %s\n", output);
        rc = MG_EXIT_USAGE;
        goto done;
    }
    rc = mg_cli_write_file("predict", output, out.data, out.len);
done:
    free(out.data);
    free(scores);
    mg_model_free(model);
    mg_table_free(table);
    mg_strlist_release(&ignore);
    mg_strlist_release(&protected_attrs);
    mg_strlist_release(&na_values);
    mg_strlist_release(&features);
    free(overrides);
    mg_strlist_release(&column_types);
    return rc;
}
