/* digest.c - background sha256 of an input file. */
#include "digest.h"
#include "modelgate/modelgate.h"

#include <string.h>
#include <sys/stat.h>

#include "banned.h"

static void *run(void *arg) {
    mg_cli_digest *d = arg;
    mg_error err;
    d->ok = mg_file_sha256(d->path, d->hex, &err) == MG_OK;
    return NULL;
}

void mg_cli_digest_start(mg_cli_digest *d, const char *path) {
    memset(d, 0, sizeof *d);
    d->path = path;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* A pipe, FIFO or stdin can be read once only: by the reader, which
         * hashes what it read (mg_read_options.sha256_out). */
        d->from_reader = 1;
        return;
    }
    if (pthread_create(&d->thread, NULL, run, d) == 0)
        d->started = 1;
    else
        run(d);
}

char *mg_cli_digest_sink(mg_cli_digest *d) {
    return d->from_reader ? d->hex : NULL;
}

const char *mg_cli_digest_finish(mg_cli_digest *d) {
    if (d->started) {
        pthread_join(d->thread, NULL);
        d->started = 0;
    }
    if (d->from_reader)
        return d->hex[0] ? d->hex : NULL;
    return d->ok ? d->hex : NULL;
}

const char *mg_cli_digest_hex(void *ctx) {
    return mg_cli_digest_finish(ctx);
}
