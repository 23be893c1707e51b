/* cmd_merge.c - `modelgate merge PARTIAL...`: the partial results of the
 * shards of one run (evaluate or fairness with --partial) merged into the
 * result the whole run would have written (docs/scale.md). The merging is
 * mg_partials_merge's; the analysis is the command's own, run again on the
 * merged rows with the options the partials recorded. */
#include "commands.h"
#include "exit.h"
#include "modelgate/shard.h"
#include "options.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "banned.h"

static const char synopsis[] =
    "Merge the partial results that evaluate, fairness or gate wrote with --partial for each\n"
    "shard of a test set into the metrics.json, fairness.json or gate results (and exit code)\n"
    "of the whole run:\n"
    "modelgate merge PARTIAL... [--output FILE] (the partials in any order; docs/scale.md).";

int cmd_merge(int argc, char **argv) {
    const char *output = "-";
    bool quiet = false;
    mg_strlist paths = {0};
    mg_opt opts[] = {
        {"output", MG_OPT_STRING, &output, "FILE",
         "where to write the merged metrics.json or fairness.json (default: standard output); "
         "for gate partials, the results folder (default: the policy's outputs.dir)",
         false, false},
        {"quiet", MG_OPT_FLAG, &quiet, NULL, "no summary on stderr", false, false},
        MG_OPT_END_ENTRY,
    };
    int rc = mg_opts_parse("merge", synopsis, opts, argc, argv, &paths);
    if (rc != 0) {
        mg_strlist_release(&paths);
        return rc == 1 ? MG_EXIT_PASS : MG_EXIT_USAGE;
    }
    if (paths.n < 1) {
        mg_cli_eprintf("modelgate merge: give the partial results to merge (modelgate merge "
                       "PARTIAL... --output FILE)\n");
        mg_strlist_release(&paths);
        return MG_EXIT_USAGE;
    }
    if (output[0] == '\0') {
        mg_cli_eprintf("modelgate merge: --output is empty: name a file (for gate partials, a "
                       "results folder)\n");
        mg_strlist_release(&paths);
        return MG_EXIT_USAGE;
    }
    /* The output is never one of the partials: writing it would replace one. */
    struct stat ost;
    if (strcmp(output, "-") != 0 && stat(output, &ost) == 0)
        for (int i = 0; i < paths.n; i++) {
            struct stat ist;
            if (stat(paths.items[i], &ist) == 0 && ist.st_dev == ost.st_dev &&
                ist.st_ino == ost.st_ino) {
                mg_cli_eprintf("modelgate merge: --output %s is the partial %s; writing it would "
                               "replace that input\n",
                               output, paths.items[i]);
                mg_strlist_release(&paths);
                return MG_EXIT_USAGE;
            }
        }
    mg_error err;
    mg_error_clear(&err);
    mg_partial *parts = calloc((size_t)paths.n, sizeof *parts);
    mg_partial merged;
    memset(&merged, 0, sizeof merged);
    char **args = NULL;
    if (parts == NULL) {
        mg_cli_eprintf("modelgate merge: out of memory\n");
        mg_strlist_release(&paths);
        return MG_EXIT_INTERNAL;
    }
    rc = MG_EXIT_PASS;
    for (int i = 0; rc == MG_EXIT_PASS && i < paths.n; i++)
        if (mg_partial_read(paths.items[i], &parts[i], &err) != MG_OK)
            rc = mg_cli_fail("merge", &err);
    if (rc == MG_EXIT_PASS &&
        mg_partials_merge(parts, (const char *const *)paths.items, paths.n, &merged, &err) !=
            MG_OK)
        rc = mg_cli_fail("merge", &err);
    int (*run)(int, char **, const struct mg_partial *) = NULL;
    if (rc == MG_EXIT_PASS) {
        if (strcmp(merged.command, "evaluate") == 0)
            run = mg_cli_evaluate_merged;
        else if (strcmp(merged.command, "fairness") == 0)
            run = mg_cli_fairness_merged;
        else if (strcmp(merged.command, "gate") == 0)
            run = mg_cli_gate_merged;
        else {
            mg_cli_eprintf("modelgate merge: %s: a partial result of `%s`, which merge does not "
                           "know (evaluate, fairness and gate write partials)\n",
                           paths.items[0], merged.command);
            rc = MG_EXIT_USAGE;
        }
    }
    /* The shards' rows are in `merged` now: give the parts back first. */
    for (int i = 0; i < paths.n; i++)
        mg_partial_release(&parts[i]);
    free(parts);
    if (rc == MG_EXIT_PASS) {
        int n = 0;
        args = calloc((size_t)merged.noptions + 5, sizeof *args);
        if (args == NULL) {
            mg_cli_eprintf("modelgate merge: out of memory\n");
            rc = MG_EXIT_INTERNAL;
        } else {
            args[n++] = merged.command;
            for (int i = 0; i < merged.noptions; i++)
                args[n++] = merged.options[i];
            /* gate writes a results folder: --outputs, the policy's when not given. */
            bool gate = run == mg_cli_gate_merged;
            char flag_output[] = "--output", flag_outputs[] = "--outputs", flag_quiet[] = "--quiet";
            char *out_copy = strdup(output);
            if (!gate || strcmp(output, "-") != 0) {
                args[n++] = gate ? flag_outputs : flag_output;
                args[n++] = out_copy;
            }
            if (quiet)
                args[n++] = flag_quiet;
            mg_cli_eprintf_as("merge");
            rc = out_copy != NULL ? run(n, args, &merged) : MG_EXIT_INTERNAL;
            mg_cli_eprintf_as(NULL);
            free(out_copy);
        }
    }
    free(args);
    mg_partial_release(&merged);
    mg_strlist_release(&paths);
    return rc;
}
