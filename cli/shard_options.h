/* shard_options.h - --shard and --partial of evaluate and fairness, and the
 * options a partial result records so that `modelgate merge` can refuse
 * partials of other options and run the command's analysis again on the
 * merged rows (docs/scale.md). */
#ifndef MG_CLI_SHARD_OPTIONS_H
#define MG_CLI_SHARD_OPTIONS_H

#include "modelgate/shard.h"
#include "options.h"

typedef struct mg_cli_shard {
    const char *shard;   /* --shard K/N or NULL */
    const char *partial; /* --partial FILE or NULL */
    int index, count;    /* parsed by mg_cli_shard_check; count 0 = none */
} mg_cli_shard;

/* clang-format off */
#define MG_CLI_SHARD_OPTS(s)                                                                       \
    {"shard", MG_OPT_STRING, &(s)->shard, "K/N",                                                   \
     "only shard K (0-based) of N equal row ranges of the test data (needs --partial)", false,    \
     false},                                                                                       \
        {"partial", MG_OPT_STRING, &(s)->partial, "FILE",                                          \
         "write this shard's partial result for `modelgate merge` instead of the results", false, \
         false}
/* clang-format on */

/* Checks --shard (K/N, needs --partial) and that no --output/--outputs of
 * opts was given beside --partial; prints one line and returns
 * MG_EXIT_USAGE, else 0 with index/count set. */
int mg_cli_shard_check(const char *command, const mg_opt *opts, mg_cli_shard *s);

/* The options of opts that were given, except the ones of one shard (test
 * data, model, output, shard, partial, threads, limits, runners), as
 * "--name=value" strings in the table's order (one per value of a list):
 * a new array of new strings into *out, *n. Returns 0, or -1 out of memory. */
int mg_cli_record_options(const mg_opt *opts, char ***out, int *n);

/* Sets p's command and options (recorded from opts) and writes it to path
 * (atomically, as every output). Prints the error; returns an exit code. */
int mg_cli_write_partial(const char *command, const mg_opt *opts, mg_partial *p,
                         const char *path);

/* In a merge: marks --model and --test-data not required in opts. */
void mg_cli_merge_relax(mg_opt *opts);

#endif
