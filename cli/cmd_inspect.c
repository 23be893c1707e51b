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
#include "modelgate/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
    "Show how modelgate reads a test set (CSV, Parquet, or a directory of Parquet parts):\n"
    "its columns, types, null counts and rows (--format schema), or its values as JSON or CSV.";

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
    char *text = NULL;
    mg_error_clear(&err);
    mg_status st = mg_table_render(t, json ? MG_TABLE_JSON : csv ? MG_TABLE_CSV : MG_TABLE_SCHEMA,
                                   rows, &text, &len, &err);
    mg_table_free(t);
    mg_strlist_release(&columns);
    if (st != MG_OK) {
        mg_cli_eprintf("modelgate inspect: out of memory while writing the output\n");
        return MG_EXIT_INTERNAL;
    }
    rc = mg_cli_write_file("inspect", output, text, len);
    free(text);
    return rc;
}
