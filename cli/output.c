/* output.c - output files prepared before the work and written after it, and
 * the error line. */
#include "output.h"
#include "commands.h"
#include "modelgate/io.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

int mg_cli_fail(const char *command, const mg_error *err) {
    fprintf(stderr, "modelgate %s: %s\n", command,
            err->text[0] ? err->text : mg_strerror(err->status));
    return err->status == MG_ERR_INTERNAL ? MG_EXIT_INTERNAL : MG_EXIT_USAGE;
}

int mg_cli_stderr_is_tty(void) {
    return isatty(STDERR_FILENO);
}

/* The outputs prepared by this command and not yet written. */
#define MAX_PREPARED 8
static mg_output *prepared[MAX_PREPARED];

int mg_cli_output_prepare(const char *command, const char *path) {
    if (path == NULL)
        return 0;
    for (int i = 0; i < MAX_PREPARED; i++)
        if (prepared[i] != NULL && strcmp(mg_output_path(prepared[i]), path) == 0)
            return 0;
    for (int i = 0; i < MAX_PREPARED; i++)
        if (prepared[i] == NULL) {
            mg_error err;
            mg_error_clear(&err);
            if (mg_output_open(path, &prepared[i], &err) != MG_OK)
                return mg_cli_fail(command, &err);
            return 0;
        }
    fprintf(stderr, "modelgate %s: %s: too many output files\n", command, path);
    return MG_EXIT_INTERNAL;
}

int mg_cli_write_file(const char *command, const char *path, const char *data, size_t len) {
    mg_output *o = NULL;
    for (int i = 0; i < MAX_PREPARED && o == NULL; i++)
        if (prepared[i] != NULL && strcmp(mg_output_path(prepared[i]), path) == 0) {
            o = prepared[i];
            prepared[i] = NULL;
        }
    mg_error err;
    mg_error_clear(&err);
    if (o == NULL && mg_output_open(path, &o, &err) != MG_OK)
        return mg_cli_fail(command, &err);
    if (mg_output_commit(o, data, len, &err) != MG_OK)
        return mg_cli_fail(command, &err);
    return 0;
}

void mg_cli_output_discard_all(void) {
    for (int i = 0; i < MAX_PREPARED; i++) {
        mg_output_discard(prepared[i]);
        prepared[i] = NULL;
    }
}
