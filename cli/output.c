/* output.c - output files prepared before the work and written after it, and
 * the error line. */
#include "output.h"
#include "commands.h"
#include "modelgate/io.h"


#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

/* The command whose name every message carries instead of the one running
 * (merge runs evaluate, fairness and gate on the merged rows), or NULL. */
static const char *speaking_as;

void mg_cli_eprintf_as(const char *command) {
    speaking_as = command;
}

/* With speaking_as, "modelgate WORD: rest" as a new string "modelgate
 * <speaking_as>: rest" (its length into *len); else NULL. */
static char *speak_as(const char *text, size_t *len) {
    static const char lead[] = "modelgate ";
    if (speaking_as == NULL || strncmp(text, lead, sizeof lead - 1) != 0)
        return NULL;
    const char *word = text + sizeof lead - 1, *colon = strchr(word, ':');
    if (colon == NULL || colon == word || memchr(word, ' ', (size_t)(colon - word)) != NULL)
        return NULL;
    size_t rest = *len - (size_t)(colon - text), as = strlen(speaking_as);
    char *out = malloc(sizeof lead - 1 + as + rest + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, lead, sizeof lead - 1);
    memcpy(out + sizeof lead - 1, speaking_as, as);
    memcpy(out + sizeof lead - 1 + as, colon, rest);
    *len = sizeof lead - 1 + as + rest;
    out[*len] = '\0';
    return out;
}

void mg_cli_eprintf(const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *text = small;
    if ((size_t)n >= sizeof small) {
        text = malloc((size_t)n + 1);
        if (text == NULL) {
            fputs("modelgate: out of memory while printing a message\n", stderr);
            return;
        }
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    size_t len = (size_t)n, flen = strlen(fmt), start = 0;
    char *renamed = speak_as(text, &len);
    if (renamed != NULL) {
        if (text != small)
            free(text);
        text = renamed;
    }
    int cr = fmt[0] == '\r' && len > 0 && text[0] == '\r';
    int nl = flen > 0 && fmt[flen - 1] == '\n' && len > (size_t)cr && text[len - 1] == '\n';
    if (cr)
        start = 1;
    if (nl)
        len--;
    size_t elen = 0;
    char *escaped = mg_text_escape(text + start, len - start, &elen);
    if (escaped == NULL) {
        fputs("modelgate: out of memory while printing a message\n", stderr);
    } else {
        if (cr)
            fputc('\r', stderr);
        fwrite(escaped, 1, elen, stderr);
        if (nl)
            fputc('\n', stderr);
    }
    free(escaped);
    if (text != small)
        free(text);
}

int mg_cli_fail(const char *command, const mg_error *err) {
    mg_cli_eprintf("modelgate %s: %s\n", command,
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
    mg_cli_eprintf("modelgate %s: %s: too many output files\n", command, path);
    return MG_EXIT_INTERNAL;
}

int mg_cli_write_file(const char *command, const char *path, const char *data, size_t len) {
    if (strcmp(path, "-") == 0 && mg_cli_sign_key != NULL) {
        mg_cli_eprintf("modelgate %s: --sign-key needs an --output file to sign, not -\n", command);
        return MG_EXIT_USAGE;
    }
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
    return strcmp(path, "-") == 0 ? 0 : mg_cli_sign_output(command, path);
}

void mg_cli_output_discard_all(void) {
    for (int i = 0; i < MAX_PREPARED; i++) {
        mg_output_discard(prepared[i]);
        prepared[i] = NULL;
    }
}
