/* read_limits.h - the resource limits every command that reads test data takes
 * (--max-rows, --max-memory; docs/security.md). */
#ifndef MG_CLI_LIMITS_H
#define MG_CLI_LIMITS_H

#include "modelgate/modelgate.h"

typedef struct mg_cli_limits {
    long max_rows;          /* 0: MG_MAX_ROWS_DEFAULT */
    const char *max_memory; /* SIZE with an optional K/M/G/T suffix; NULL: no cap */
} mg_cli_limits;

/* The option table entries, to put in a command's mg_opt array. */
/* clang-format off */
#define MG_CLI_LIMIT_OPTS(l)                                                                       \
    {"max-rows", MG_OPT_INT, &(l)->max_rows, "N",                                                  \
     "refuse test data of more rows (default 100000000)", false, false},                           \
        {"max-memory", MG_OPT_STRING, &(l)->max_memory, "SIZE",                                    \
         "cap the address space, e.g. 8G (default: no cap)", false, false}
/* clang-format on */

/* Checks the values, applies --max-memory to this process (and so to the
 * runners it starts) and sets ro->max_rows. Prints one line naming the option
 * and returns MG_EXIT_USAGE when a value is wrong; 0 otherwise. */
int mg_cli_limits_apply(const char *command, const mg_cli_limits *l, mg_read_options *ro);

/* Parses SIZE (bytes, or a number with K, M, G or T: powers of 1024). 0 on
 * success, -1 when it is not a positive size. */
int mg_cli_parse_size(const char *s, unsigned long long *out);

#endif
