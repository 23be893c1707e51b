/* exit.c - verdict to exit code (DESIGN §4). */
#include "exit.h"
#include "commands.h"

#include "banned.h"

int mg_cli_exit_code(mg_verdict verdict) {
    switch (verdict) {
    case MG_VERDICT_PASS: return MG_EXIT_PASS;
    case MG_VERDICT_FAIL: return MG_EXIT_FAIL;
    case MG_VERDICT_INCONCLUSIVE: return MG_EXIT_INCONCLUSIVE;
    }
    return MG_EXIT_INTERNAL;
}
