/* sign.c - the --sign-key option shared by the commands that write gate-like
 * results: a detached Ed25519 signature beside the output file. */
#include "commands.h"
#include "modelgate/registry.h"
#include "output.h"

#include <stdio.h>

#include "banned.h"

const char *mg_cli_sign_key = NULL;

int mg_cli_sign_output(const char *command, const char *path) {
    if (mg_cli_sign_key == NULL)
        return 0;
    mg_error err;
    mg_error_clear(&err);
    if (mg_sign_file(path, mg_cli_sign_key, &err) != MG_OK)
        return mg_cli_fail(command, &err);
    return 0;
}
