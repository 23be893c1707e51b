/* digest.h - the sha256 of an input file for provenance, computed on a thread
 * of its own while the command reads and evaluates, so that it adds no time. */
#ifndef MG_CLI_DIGEST_H
#define MG_CLI_DIGEST_H

#include <pthread.h>

typedef struct mg_cli_digest {
    pthread_t thread;
    int started;
    const char *path; /* borrowed */
    char hex[65];
    int ok;
    int from_reader; /* a non-regular input: the reader hashes what it reads */
} mg_cli_digest;

/* Starts hashing `path` (which must outlive the digest); hashes inline when no
 * thread can be started. A path that is not a regular file or a folder (a
 * pipe, FIFO, /dev/stdin) is not opened here: it can be read only once, so
 * the reader hashes it (see mg_cli_digest_sink). */
void mg_cli_digest_start(mg_cli_digest *d, const char *path);

/* What to put in mg_read_options.sha256_out when reading the digest's path:
 * the digest's buffer for a non-regular input, NULL otherwise. */
char *mg_cli_digest_sink(mg_cli_digest *d);

/* Waits for the hash; returns its 64 hex digits, or NULL when the path could
 * not be hashed (a directory of part files, say). Calling it again, or on a
 * zeroed digest that never started, is safe. */
const char *mg_cli_digest_finish(mg_cli_digest *d);

/* mg_cli_digest_finish as the data_sha256 callback of the pipeline specs
 * (ctx an mg_cli_digest). */
const char *mg_cli_digest_hex(void *ctx);

#endif
