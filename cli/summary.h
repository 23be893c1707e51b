/* summary.h - the short table each command prints on stderr after its run,
 * rendered from the JSON it writes (so the table and the file never differ). */
#ifndef MG_CLI_SUMMARY_H
#define MG_CLI_SUMMARY_H

#include <stdio.h>

/* What kind of result a JSON document is. */
typedef enum mg_cli_summary_kind {
    MG_SUMMARY_METRICS,   /* metrics.json */
    MG_SUMMARY_FAIRNESS,  /* fairness.json */
    MG_SUMMARY_LATENCY,   /* latency.json */
    MG_SUMMARY_COMPARISON, /* comparison.json */
    MG_SUMMARY_GATE        /* gate.json */
} mg_cli_summary_kind;

/* Prints the table of `json` (a result of `kind`) to `out`. Text from the
 * data (group values, labels) is printed with control bytes escaped. A
 * document that does not parse prints nothing. */
void mg_cli_summary(mg_cli_summary_kind kind, const char *json, FILE *out);

/* The help line of --quiet, which every command that prints a summary takes. */
#define MG_CLI_QUIET_HELP "print no summary table on stderr (errors and gate verdicts still)"

#endif
