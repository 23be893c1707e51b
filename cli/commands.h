/* commands.h - every subcommand has this signature: argv[0] is the command's
 * name; the return value is the process exit code (DESIGN §4). */
#ifndef MG_CLI_COMMANDS_H
#define MG_CLI_COMMANDS_H

/* Exit codes (DESIGN §4). */
enum {
    MG_EXIT_PASS = 0,
    MG_EXIT_FAIL = 1,
    MG_EXIT_USAGE = 2,
    MG_EXIT_INCONCLUSIVE = 3,
    MG_EXIT_INTERNAL = 4
};

typedef int (*mg_cmd_fn)(int argc, char **argv);

int cmd_comment(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_fairness(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_benchmark(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* evaluate and fairness on the merged rows of partial results instead of a
 * model and test data (argv: the command's recorded options and --output). */
struct mg_partial;
int mg_cli_evaluate_merged(int argc, char **argv, const struct mg_partial *from);
int mg_cli_fairness_merged(int argc, char **argv, const struct mg_partial *from);
int mg_cli_gate_merged(int argc, char **argv, const struct mg_partial *from);

#endif
