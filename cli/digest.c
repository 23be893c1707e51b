/* digest.c - background sha256 of an input file. */
#include "digest.h"
#include "modelgate/modelgate.h"

#include <string.h>

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
    if (pthread_create(&d->thread, NULL, run, d) == 0)
        d->started = 1;
    else
        run(d);
}

const char *mg_cli_digest_finish(mg_cli_digest *d) {
    if (d->started) {
        pthread_join(d->thread, NULL);
        d->started = 0;
    }
    return d->ok ? d->hex : NULL;
}
