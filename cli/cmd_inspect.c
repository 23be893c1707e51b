/* cmd_inspect.c - `modelgate inspect`: shows how modelgate reads a test set
 * (column names, types, null counts, rows, and the values themselves as JSON
 * or CSV), so that a surprise in the data shows before a gate runs. */
#include "commands.h"
#include "modelgate/modelgate.h"
#include "read_limits.h"
#include "options.h"
#include "precheck.h"
#include "output.h"
#include "byte_count.h"
#include "util/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char synopsis[] =
    "Show how modelgate reads a test set (CSV, Parquet, or a directory of Parquet parts):\n"
    "its columns, types, null counts and rows (--format schema), or its values as JSON or CSV.";

/* Non-finite doubles as JSON strings (JSON has no NaN). */
static const char *nonfinite_name(double v) {
    return isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

static char *render_json(const mg_table *t, int64_t rows, size_t *len) {
    mg__json j = {0};
    mg__json_begin_object(&j);
    mg__json_kv_string(&j, "source", t->source);
    mg__json_kv_int(&j, "rows", t->nrows);
    mg__json_key(&j, "columns");
    mg__json_begin_array(&j);
    for (int c = 0; c < t->ncols; c++) {
        const mg_column *col = &t->cols[c];
        mg__json_begin_object(&j);
        mg__json_kv_string(&j, "name", col->name);
        mg__json_kv_string(&j, "type", mg_type_name(col->type));
        mg__json_kv_int(&j, "nulls", col->null_count);
        mg__json_key(&j, "values");
        mg__json_begin_array(&j);
        for (int64_t i = 0; i < rows; i++) {
            if (mg_column_is_null(col, i)) {
                mg__json_null(&j);
                continue;
            }
            switch (col->type) {
            case MG_TYPE_F64:
                if (isfinite(col->f64[i]))
                    mg__json_number(&j, col->f64[i]);
                else
                    mg__json_string(&j, nonfinite_name(col->f64[i]));
                break;
            case MG_TYPE_I64: mg__json_int(&j, col->i64[i]); break;
            case MG_TYPE_BOOL: mg__json_bool(&j, col->b[i] != 0); break;
            case MG_TYPE_STR: mg__json_string(&j, col->dict[col->codes[i]]); break;
            }
        }
        mg__json_end_array(&j);
        mg__json_end_object(&j);
    }
    mg__json_end_array(&j);
    mg__json_end_object(&j);
    return mg__json_finish(&j, len);
}

static void csv_field(mg__buf *b, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        mg__buf_puts(b, s);
        return;
    }
    mg__buf_puts(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            mg__buf_puts(b, "\"");
        mg__buf_append(b, p, 1);
    }
    mg__buf_puts(b, "\"");
}

static char *render_csv(const mg_table *t, int64_t rows, size_t *len) {
    mg__buf b = {0};
    for (int c = 0; c < t->ncols; c++) {
        if (c > 0)
            mg__buf_puts(&b, ",");
        csv_field(&b, t->cols[c].name);
    }
    mg__buf_puts(&b, "\n");
    char cell[64];
    for (int64_t i = 0; i < rows && !b.failed; i++) {
        for (int c = 0; c < t->ncols; c++) {
            const mg_column *col = &t->cols[c];
            if (c > 0)
                mg__buf_puts(&b, ",");
            if (mg_column_is_null(col, i))
                continue;
            if (col->type == MG_TYPE_STR)
                csv_field(&b, col->dict[col->codes[i]]);
            else if (col->type == MG_TYPE_F64 && !isfinite(col->f64[i]))
                mg__buf_puts(&b, nonfinite_name(col->f64[i]));
            else
                mg__buf_puts(&b, mg_column_format(col, i, cell, sizeof cell));
        }
        mg__buf_puts(&b, "\n");
    }
    if (b.failed) {
        mg__buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return mg__buf_detach(&b);
}

static char *render_schema(const mg_table *t, size_t *len) {
    mg__buf b = {0};
    int width = 6;
    for (int c = 0; c < t->ncols; c++) {
        int n = (int)strlen(t->cols[c].name);
        if (n > width)
            width = n < 60 ? n : 60;
    }
    /* The schema is for reading: names from the data are escaped as on stderr. */
    mg__buf name = {0};
    mg__text_escape(&name, t->source, strlen(t->source));
    mg__buf_printf(&b, "%s: %" PRId64 " rows, %d columns\n", name.data ? name.data : "", t->nrows,
                   t->ncols);
    mg__buf_printf(&b, "%-*s  %-6s  %12s  %12s\n", width, "column", "type", "nulls", "rows");
    for (int c = 0; c < t->ncols; c++) {
        const mg_column *col = &t->cols[c];
        name.len = 0;
        mg__text_escape(&name, col->name, strlen(col->name));
        mg__buf_printf(&b, "%-*s  %-6s  %12" PRId64 "  %12" PRId64 "\n", width,
                       name.data && !name.failed ? name.data : "", mg_type_name(col->type),
                       col->null_count, col->nrows);
    }
    if (name.failed)
        b.failed = true;
    mg__buf_release(&name);
    if (b.failed) {
        mg__buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return mg__buf_detach(&b);
}

int cmd_inspect(int argc, char **argv) {
    const char *test_data = NULL, *format = "schema", *output = "-", *na_arg = NULL,
               *max_input_bytes = NULL, *delimiter_arg = NULL;
    char delimiter = 0;
    mg_strlist columns = {0}, na_values = {0};
    long limit = -1, threads = 0;
    mg_cli_limits limits = {0};
    mg_opt opts[] = {
        {"test-data", MG_OPT_STRING, &test_data, "FILE",
         "test set: CSV, Parquet or a directory of Parquet parts", true, false},
        {"columns", MG_OPT_LIST, &columns, "A,B",
         "read only these columns (default: all flat columns)", false, false},
        {"format", MG_OPT_STRING, &format, "FORMAT", "schema (default), json or csv", false, false},
        {"limit", MG_OPT_INT, &limit, "N", "json/csv: write the first N rows only (default: all)",
         false, false},
        {"threads", MG_OPT_INT, &threads, "N", "decoding threads (default 0: one per CPU)", false,
         false},
        MG_OPT_NA_VALUES(&na_arg),
        MG_OPT_DELIMITER(&delimiter_arg),
        {"output", MG_OPT_STRING, &output, "PATH", "where to write; - is standard output (default)",
         false, false},
        {"max-input-bytes", MG_OPT_STRING, &max_input_bytes, "N", MG_CLI_MAX_INPUT_BYTES_HELP,
         false, false},
        MG_CLI_LIMIT_OPTS(&limits),
        MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("inspect", synopsis, opts, argc, argv, NULL);
    if (rc == 0)
        rc = mg_cli_precheck("inspect", opts, false, &delimiter);
    if (rc != 0) {
        mg_strlist_release(&columns);
        return rc == 1 ? MG_EXIT_PASS : rc;
    }
    bool json = strcmp(format, "json") == 0, csv = strcmp(format, "csv") == 0;
    if (!json && !csv && strcmp(format, "schema") != 0) {
        mg_cli_eprintf("modelgate inspect: --format must be schema, json or csv, not '%s'\n",
                       format);
        mg_strlist_release(&columns);
        return MG_EXIT_USAGE;
    }
    if (opts[3].seen && limit < 0) {
        mg_cli_eprintf("modelgate inspect: --limit must be 0 or more, not %ld\n", limit);
        mg_strlist_release(&columns);
        return MG_EXIT_USAGE;
    }
    if (mg_na_values_split(na_arg, &na_values) != 0) {
        mg_cli_eprintf("modelgate inspect: out of memory for --na-values\n");
        mg_strlist_release(&columns);
        return MG_EXIT_INTERNAL;
    }
    uint64_t max_input = 0;
    rc = mg_cli_parse_bytes("inspect", "max-input-bytes", max_input_bytes, &max_input);
    if (rc == 0)
        rc = mg_cli_output_prepare("inspect", output);
    if (rc != 0) {
        mg_strlist_release(&columns);
        mg_strlist_release(&na_values);
        return rc;
    }
    mg_read_options ro = {0};
    ro.na_values = na_arg ? (const char *const *)na_values.items : NULL;
    ro.nna_values = na_values.n;
    if (mg_cli_limits_apply("inspect", &limits, &ro) != 0) {
        mg_strlist_release(&columns);
        return MG_EXIT_USAGE;
    }
    ro.columns = columns.n > 0 ? (const char *const *)columns.items : NULL;
    ro.ncolumns = columns.n;
    ro.threads = (int)threads;
    ro.max_input_bytes = max_input;
    ro.delimiter = delimiter;
    mg_table *t = NULL;
    mg_error err;
    mg_error_clear(&err);
    mg_status read = mg_table_read(test_data, &ro, &t, &err);
    mg_strlist_release(&na_values);
    if (read != MG_OK) {
        mg_strlist_release(&columns);
        return mg_cli_fail("inspect", &err);
    }
    int64_t rows = t->nrows;
    if (limit >= 0 && limit < rows)
        rows = limit;
    size_t len = 0;
    char *text = json  ? render_json(t, rows, &len)
                 : csv ? render_csv(t, rows, &len)
                       : render_schema(t, &len);
    mg_table_free(t);
    mg_strlist_release(&columns);
    if (text == NULL) {
        mg_cli_eprintf("modelgate inspect: out of memory while writing the output\n");
        return MG_EXIT_INTERNAL;
    }
    rc = mg_cli_write_file("inspect", output, text, len);
    free(text);
    return rc;
}
