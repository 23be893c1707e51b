/* output.h - what every command shares: writing an output file safely and
 * turning a library error into the one stderr line and exit code. */
#ifndef MG_CLI_OUTPUT_H
#define MG_CLI_OUTPUT_H

#include "modelgate/modelgate.h"

#include <stddef.h>

/* Prepares the output `path` (mg_output_open: "-" is stdout; a new or regular
 * file gets its temporary file now) before the command reads data or starts a
 * model, so that a missing or unwritable folder fails first. NULL is a no-op.
 * Returns 0, or prints one line and returns the exit code (2). */
int mg_cli_output_prepare(const char *command, const char *path);

/* Writes data to path through the output prepared for it (or prepares it
 * now): a regular file through a temporary file fsynced and renamed into
 * place, so a failed run never leaves half a file; a device, FIFO or "-"
 * (stdout) directly. Returns 0, or prints one line and returns 2. */
int mg_cli_write_file(const char *command, const char *path, const char *data, size_t len);

/* The Ed25519 private key (PEM path) that signs every output file written by
 * mg_cli_write_file, or NULL. Commands that write gate-like results put
 * MG_CLI_SIGN_KEY_OPTION in their option table to set it. */
extern const char *mg_cli_sign_key;
#define MG_CLI_SIGN_KEY_OPTION                                                                     \
    {                                                                                              \
        "sign-key", MG_OPT_STRING, &mg_cli_sign_key, "KEY.pem",                                    \
            "sign the output with this Ed25519 key into OUTPUT.sig (for registry promote)", false, \
            false                                                                                  \
    }

/* Signs path with mg_cli_sign_key into path.sig when a key is set. Returns 0,
 * or prints one line and returns 2. The key never appears in the output. */
int mg_cli_sign_output(const char *command, const char *path);

/* Every human-readable stderr line goes through here: prints fmt as fprintf
 * to stderr would, except that control bytes (C0, DEL, C1) and invalid UTF-8
 * in the result are shown as \\xHH (mg__text_escape), so data interpolated
 * into a message can neither start a new line (a `::error::` annotation) nor
 * drive the terminal. Only a "\\n" that ends fmt and a "\\r" that starts it
 * are written as they are. */
void mg_cli_eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on (until called with NULL), a message "modelgate WORD: ..." is
 * printed as "modelgate <command>: ...": merge runs the analysis of
 * evaluate, fairness or gate, and its messages are merge's. command is
 * borrowed (a string literal). */
void mg_cli_eprintf_as(const char *command);

/* Removes the temporary files of outputs prepared and never written (a
 * command that failed); main calls it after every command. */
void mg_cli_output_discard_all(void);

/* Prints "modelgate COMMAND: <err->text>" and returns the exit code for it
 * (2 for bad input or usage, 4 for an internal error). */
int mg_cli_fail(const char *command, const mg_error *err);

/* True when stderr is a terminal (progress bars are drawn only then). */
int mg_cli_stderr_is_tty(void);

#endif
