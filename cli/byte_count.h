/* byte_count.h - byte counts given on the command line (--max-input-bytes). */
#ifndef MG_CLI_BYTE_COUNT_H
#define MG_CLI_BYTE_COUNT_H

#include <stdint.h>

/* The help line of --max-input-bytes, shared by the commands that read data. */
#define MG_CLI_MAX_INPUT_BYTES_HELP                                                                \
    "most bytes read from a pipe, FIFO or /dev/stdin, held in memory; K, M, G suffixes "           \
    "(default 4G)"

/* Parses a byte count: digits with an optional K, M, G or T suffix (powers of
 * 1024, an optional trailing B or iB). NULL (option not given) gives 0, the
 * library's default. Returns 0, or prints one line naming --OPTION and
 * returns the exit code 2. */
int mg_cli_parse_bytes(const char *command, const char *option, const char *text, uint64_t *out);

#endif
