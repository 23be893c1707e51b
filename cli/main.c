/* main.c - the command table and dispatch (git.c's cmd_struct). */
#include "commands.h"
#include "modelgate/metric_registry.h"
#include "output.h"
#include "modelgate/io.h"
#include "modelgate/modelgate.h"
#include "output.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "banned.h"

typedef struct cmd_entry {
    const char *name;
    mg_cmd_fn fn;
    const char *summary;
} cmd_entry;

static const cmd_entry commands[] = {
    {"benchmark", cmd_benchmark, "measure prediction latency and gate on it"},
    {"comment", cmd_comment, "post or update the pull request's modelgate comment on GitHub"},
    {"compare", cmd_compare, "compare a new model with its baseline (regression gate)"},
    {"evaluate", cmd_evaluate, "evaluate a model on a test set and write metrics.json"},
    {"fairness", cmd_fairness, "compare decisions across protected groups and gate them"},
    {"gate", cmd_gate, "run every gate of a policy file and write the results and reports"},
    {"inspect", cmd_inspect, "show how modelgate reads a test set"},
    {"merge", cmd_merge, "merge the partial results of shards into the whole run's results"},
    {"predict", cmd_predict, "run a model on test data and write its outputs"},
    {"registry", cmd_registry, "push, fetch and promote models on evidence (the model registry)"},
    {"report", cmd_report, "render a report again from a gate run's results folder"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: modelgate COMMAND [OPTIONS]\n\n"
                 "The gate between a trained model and production.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "help", "show help for a command (help COMMAND)");
    fprintf(out, "\nRun 'modelgate COMMAND --help' for a command's options.\n");
}

/* "unknown command" with the closest command's name when one is near. */
static int unknown_command(const char *name) {
    const char *names[sizeof commands / sizeof commands[0] + 1];
    int n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[n++] = commands[i].name;
    names[n++] = "help";
    const char *near = mg_closest_name(name, names, n);
    if (near != NULL)
        mg_cli_eprintf(
            "modelgate: unknown command '%s'; did you mean '%s'? (see 'modelgate help')\n", name,
            near);
    else
        mg_cli_eprintf("modelgate: unknown command '%s' (see 'modelgate help')\n", name);
    return MG_EXIT_USAGE;
}

static const cmd_entry *lookup(const char *name) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* SIGINT, SIGTERM, SIGHUP: stop the runners (and whatever they started),
 * remove the temporary files, exit 128 + the signal number as a shell would
 * report it. Only async-signal-safe calls here. */
static void on_fatal_signal(int sig) {
    mg_cleanup_after_signal();
    _exit(128 + sig);
}

static void install_signal_handlers(void) {
    /* Descendants of a runner that leave its process group (setsid) are
     * reparented to modelgate rather than to init, so the cleanup finds them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    static const int fatal[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaddset(&sa.sa_mask, fatal[i]);
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction old;
        /* A signal ignored by whoever started us (nohup, a shell's background
         * job) stays ignored. */
        if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(fatal[i], &sa, NULL);
    }
}

int main(int argc, char **argv) {
    /* A closed pipe on stdout must become a write error, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    install_signal_handlers();
    if (argc < 2) {
        usage(stderr);
        return MG_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return MG_EXIT_PASS;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return MG_EXIT_PASS;
        }
        const cmd_entry *c = lookup(argv[2]);
        if (c == NULL)
            return unknown_command(argv[2]);
        static char help_flag[] = "--help";
        char *help_argv[] = {argv[2], help_flag, NULL};
        return c->fn(2, help_argv);
    }
    const cmd_entry *c = lookup(name);
    if (c == NULL)
        return unknown_command(name);
    int rc = c->fn(argc - 1, argv + 1);
    mg_cli_output_discard_all();
    /* The runners are stopped by now; what is left of their descendants
     * (helpers that left the runner's group) goes too. */
    mg_cleanup_descendants();
    return rc;
}
