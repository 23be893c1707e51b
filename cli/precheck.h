/* precheck.h - checks made right after option parsing, before any data is
 * read or any model starts: the columns that flags name exist in the test
 * data (read from its header or schema alone), and --delimiter is one that
 * the CSV reader takes. */
#ifndef MG_CLI_PRECHECK_H
#define MG_CLI_PRECHECK_H

#include "options.h"

#include <stdbool.h>

/* The --delimiter entry of a command's option table (a string, parsed by
 * mg_cli_precheck). */
#define MG_OPT_DELIMITER(ptr)                                                                      \
    {                                                                                              \
        "delimiter", MG_OPT_STRING, (ptr), "C",                                                    \
            "CSV field separator: ',' (default), ';', '|' or tab (also written \\t)", false, false \
    }

/* Parses a --delimiter value: ",", ";", "|", "tab", "\t" (backslash, t) or a
 * tab character. Returns the byte, or 0 when the text is none of them. */
char mg_cli_parse_delimiter(const char *text);

/* Runs the checks on the parsed table `opts` of `command`:
 *   - --delimiter (when the table has it) must parse; the byte goes to
 *     *delimiter (0 when not given: the reader's ',').
 *   - every column named by --label (only with `label_required`: elsewhere
 *     the label may be absent), --weight, --id, --protected-attributes,
 *     --ignore, --features, --columns, --column-type COL=TYPE, and by a model
 *     flag (--model, --new, --baseline) of the form column:NAME or columns:A,B
 *     when no --predictions file is given, must be in the test data
 *     (--test-data). With `label_required`, the default label "label" is
 *     checked when --label is not given.
 *   - --test-data - becomes /dev/stdin (standard input), and --weight or --id
 *     naming the label column is refused.
 * A test set that is not a regular file or folder (a pipe, a FIFO,
 * /dev/stdin) is not looked at (it can be read only once; the reader names
 * missing columns itself), nor is one whose header cannot be read (the read
 * reports why). Prints one line and returns MG_EXIT_USAGE on a failed check;
 * returns 0 otherwise. */
int mg_cli_precheck(const char *command, mg_opt *opts, bool label_required, char *delimiter);

/* Refuses the file that option --flag (an output: --output, --partial) of the
 * parsed table names when it is (same device and inode) the file of one of
 * the inputs given (--test-data, --model, --new, --baseline, --predictions,
 * --sign-key, --policy): prints one line and returns MG_EXIT_USAGE, else 0. */
int mg_cli_refuse_overwrite(const char *command, const mg_opt *opts, const char *flag);

#endif
