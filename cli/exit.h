/* exit.h - the one mapping from a gate verdict to the process exit code
 * (DESIGN §4), used by every command that gates. */
#ifndef MG_CLI_EXIT_H
#define MG_CLI_EXIT_H

#include "modelgate/modelgate.h"

/* PASS 0 (MG_EXIT_PASS), FAIL 1 (MG_EXIT_FAIL), INCONCLUSIVE 3
 * (MG_EXIT_INCONCLUSIVE). */
int mg_cli_exit_code(mg_verdict verdict);

#endif
