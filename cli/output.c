/* output.c - atomic output files and the error line. */
#include "output.h"
#include "commands.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

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
    int cr = fmt[0] == '\r' && len > 0 && text[0] == '\r';
    int nl = flen > 0 && fmt[flen - 1] == '\n' && len > (size_t)cr && text[len - 1] == '\n';
    if (cr)
        start = 1;
    if (nl)
        len--;
    mg__buf out = {0};
    if (cr)
        mg__buf_append(&out, "\r", 1);
    mg__text_escape(&out, text + start, len - start);
    if (nl)
        mg__buf_append(&out, "\n", 1);
    if (out.failed)
        fputs("modelgate: out of memory while printing a message\n", stderr);
    else if (out.len > 0)
        fwrite(out.data, 1, out.len, stderr);
    mg__buf_release(&out);
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

static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int mg_cli_write_file(const char *command, const char *path, const char *data, size_t len) {
    if (strcmp(path, "-") == 0) {
        if (mg_cli_sign_key != NULL) {
            mg_cli_eprintf("modelgate %s: --sign-key needs an --output file to sign, not -\n",
                           command);
            return MG_EXIT_USAGE;
        }
        if (write_all(STDOUT_FILENO, data, len) != 0) {
            mg_cli_eprintf("modelgate %s: cannot write to standard output: %s\n", command,
                           strerror(errno));
            return MG_EXIT_USAGE;
        }
        return 0;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (tmp == NULL) {
        mg_cli_eprintf("modelgate %s: %s: out of memory\n", command, path);
        return MG_EXIT_USAGE;
    }
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        mg_cli_eprintf("modelgate %s: %s: cannot create: %s\n", command, path, strerror(errno));
        free(tmp);
        return MG_EXIT_USAGE;
    }
    int bad = write_all(fd, data, len) != 0 || fsync(fd) != 0;
    int e = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(tmp);
        mg_cli_eprintf("modelgate %s: %s: cannot write: %s\n", command, path, strerror(e));
        free(tmp);
        return MG_EXIT_USAGE;
    }
    free(tmp);
    return mg_cli_sign_output(command, path);
}
