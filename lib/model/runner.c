/* runner.c - the "runner" backend: a model served by a child process started
 * with posix_spawnp (never a shell) that speaks the runner protocol on its
 * stdin/stdout. Every wait is bounded by a timeout, stderr is drained into a
 * tail that goes into every error, and the child is killed and reaped on
 * every path out. */
#define _GNU_SOURCE
#include "model/backend.h"
#include "model/runner_protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define TAIL_CAP 2048
#define DEFAULT_START_TIMEOUT_S 30.0
#define DEFAULT_BATCH_TIMEOUT_S 60.0
#define EXIT_GRACE_S 2.0 /* a runner told to stop (stdin closed) gets this long */
#define KILL_GRACE_S 0.5 /* between SIGTERM and SIGKILL */

typedef struct runner {
    pid_t pid;                 /* 0 once reaped */
    int in_fd, out_fd, err_fd; /* our ends: the child's stdin, stdout, stderr */
    char who[96];              /* the command, shortened, for messages */
    char tail[TAIL_CAP];       /* the last bytes of the child's stderr */
    size_t tail_len;
    double start_timeout, batch_timeout;
    mg__buf pending_cols; /* a COLS frame to send before the next batch */
    mg__buf tx;           /* the frame(s) being sent */
    mg__buf rx;           /* bytes received on stdout */
} runner;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* ---- the child's stderr ---------------------------------------------------- */

static void tail_append(runner *r, const char *p, size_t n) {
    if (n >= TAIL_CAP) {
        memcpy(r->tail, p + n - TAIL_CAP, TAIL_CAP);
        r->tail_len = TAIL_CAP;
        return;
    }
    if (r->tail_len + n > TAIL_CAP) {
        size_t drop = r->tail_len + n - TAIL_CAP;
        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
    }
    memcpy(r->tail + r->tail_len, p, n);
    r->tail_len += n;
}

/* Reads what stderr holds now; returns false at its end. */
static bool drain_stderr(runner *r) {
    if (r->err_fd < 0)
        return false;
    char buf[4096];
    for (;;) {
        ssize_t n = read(r->err_fd, buf, sizeof buf);
        if (n > 0) {
            tail_append(r, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) {
            close(r->err_fd);
            r->err_fd = -1;
            return false;
        }
        return true; /* EAGAIN: nothing more for now */
    }
}

/* The tail as one line: the last lines joined by " | ", at most ~400 bytes. */
static void tail_line(const runner *r, char *out, size_t cap) {
    size_t end = r->tail_len;
    while (end > 0 &&
           (r->tail[end - 1] == '\n' || r->tail[end - 1] == '\r' || r->tail[end - 1] == ' '))
        end--;
    size_t start = end > 400 ? end - 400 : 0;
    if (end == 0) {
        snprintf(out, cap, "no stderr output");
        return;
    }
    size_t o = 0;
    o += (size_t)snprintf(out, cap, "stderr: %s", start > 0 ? "..." : "");
    for (size_t i = start; i < end && o + 4 < cap; i++) {
        unsigned char c = (unsigned char)r->tail[i];
        if (c == '\n') {
            memcpy(out + o, " | ", 3);
            o += 3;
        } else {
            out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        }
    }
    out[o] = '\0';
}

/* ---- the child's lifetime -------------------------------------------------- */

/* True once the child has exited (not yet reaped); fills *info. */
static bool child_exited(const runner *r, siginfo_t *info) {
    memset(info, 0, sizeof *info);
    if (waitid(P_PID, (id_t)r->pid, info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return true; /* no such child: treat as gone */
    return info->si_pid == r->pid;
}

/* Waits up to `s` seconds for the child to exit, draining stderr meanwhile. */
static bool wait_exit(runner *r, double s, siginfo_t *info) {
    double deadline = now_s() + s;
    for (;;) {
        drain_stderr(r);
        if (child_exited(r, info))
            return true;
        if (now_s() >= deadline)
            return false;
        sleep_s(0.005);
    }
}

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGPIPE: return "SIGPIPE";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

static void describe_exit(const siginfo_t *info, char *out, size_t cap) {
    if (info->si_code == CLD_EXITED)
        snprintf(out, cap, "exited with status %d", info->si_status);
    else
        snprintf(out, cap, "was killed by %s (signal %d)", signal_name(info->si_status),
                 info->si_status);
}

static void close_fd(int *fd) {
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Stops the child (SIGTERM, then SIGKILL after a grace period), kills what is
 * left of its process group and reaps it. Safe to call twice. */
static void stop_child(runner *r, double exit_grace) {
    close_fd(&r->in_fd);
    if (r->pid <= 0) {
        close_fd(&r->out_fd);
        close_fd(&r->err_fd);
        return;
    }
    siginfo_t info;
    if (!wait_exit(r, exit_grace, &info)) {
        kill(-r->pid, SIGTERM);
        kill(r->pid, SIGTERM);
        if (!wait_exit(r, KILL_GRACE_S, &info))
            kill(r->pid, SIGKILL);
    }
    /* The leader is a zombie until reaped, so its group id is still ours. */
    kill(-r->pid, SIGKILL);
    /* Out of the signal registry before the reap frees the id for reuse. */
    mg__cleanup_remove_group((int)r->pid);
    while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    r->pid = 0;
    close_fd(&r->out_fd);
    close_fd(&r->err_fd);
}

/* Fails with the runner's stderr tail and stops it. `what` says what went wrong. */
static mg_status runner_fail(runner *r, mg_error *err, const char *what) {
    stop_child(r, 0);
    char tail[512];
    tail_line(r, tail, sizeof tail);
    return mg__fail(err, MG_ERR_MODEL, "runner '%s' %s (%s)", r->who, what, tail);
}

/* The child closed its stdout: say how it ended. */
static mg_status runner_gone(runner *r, mg_error *err, const char *during) {
    siginfo_t info;
    char what[256];
    if (wait_exit(r, 1.0, &info)) {
        char how[96];
        describe_exit(&info, how, sizeof how);
        snprintf(what, sizeof what, "%s %s", how, during);
    } else {
        snprintf(what, sizeof what, "closed its standard output %s", during);
    }
    return runner_fail(r, err, what);
}

/* ---- one exchange: send tx, receive one frame ------------------------------ */

/* Writes without letting a closed pipe raise SIGPIPE in this process. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n) {
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = write(fd, p, n);
    int e = errno;
    if (w < 0 && e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return w;
}

/* Shows the first bytes of something that is not a frame, escaped. */
static void show_bytes(const uint8_t *p, size_t n, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n && i < 24 && o + 5 < cap; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", p[i]);
    }
    out[o] = '\0';
}

static mg_status not_a_frame(runner *r, const char *during, mg_error *err) {
    /* Show a little more of it, if it is already there. */
    if (mg__buf_reserve(&r->rx, 16)) {
        ssize_t n = read(r->out_fd, r->rx.data + r->rx.len, 16);
        if (n > 0)
            r->rx.len += (size_t)n;
    }
    char shown[128], what[256];
    show_bytes((const uint8_t *)r->rx.data, r->rx.len, shown, sizeof shown);
    snprintf(what, sizeof what,
             "wrote '%s' where a protocol frame was expected %s (a runner must log to stderr, "
             "never stdout)",
             shown, during);
    return runner_fail(r, err, what);
}

/* Sends r->tx and reads one frame whose payload may be up to `max` bytes;
 * on success the frame is r->rx (header included), its tag in tag. */
static mg_status exchange(runner *r, double timeout, const char *during, size_t max, char tag[5],
                          uint32_t *len, mg_error *err) {
    size_t sent = 0;
    r->rx.len = 0;
    double deadline = now_s() + timeout;
    bool have_header = false;
    for (;;) {
        if (have_header && r->rx.len == MG__FRAME_HEADER_SIZE + (size_t)*len)
            return MG_OK;
        double left = deadline - now_s();
        if (left <= 0) {
            char what[160];
            snprintf(what, sizeof what, "did not answer within %g s %s", timeout, during);
            return runner_fail(r, err, what);
        }
        struct pollfd fds[3];
        int nfds = 0;
        fds[nfds++] = (struct pollfd){r->out_fd, POLLIN, 0};
        if (r->err_fd >= 0)
            fds[nfds++] = (struct pollfd){r->err_fd, POLLIN, 0};
        bool sending = sent < r->tx.len && r->in_fd >= 0;
        if (sending)
            fds[nfds++] = (struct pollfd){r->in_fd, POLLOUT, 0};
        int ms = left > 1000 ? 1000 : (int)(left * 1000) + 1;
        int pr = poll(fds, (nfds_t)nfds, ms);
        if (pr < 0 && errno != EINTR)
            return runner_fail(r, err, "could not be polled");
        if (pr <= 0)
            continue;
        drain_stderr(r);
        if (sending) {
            ssize_t w = write_nosigpipe(r->in_fd, r->tx.data + sent, r->tx.len - sent);
            if (w > 0)
                sent += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                close_fd(&r->in_fd); /* it stopped reading; its answer or exit says why */
        }
        for (;;) {
            size_t want = have_header ? MG__FRAME_HEADER_SIZE + (size_t)*len - r->rx.len
                                      : MG__FRAME_HEADER_SIZE - r->rx.len;
            if (want == 0)
                break;
            if (want > (1u << 20))
                want = 1u << 20;
            if (!mg__buf_reserve(&r->rx, want))
                return runner_fail(r, err, "sent more than memory holds");
            ssize_t n = read(r->out_fd, r->rx.data + r->rx.len, want);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break; /* EAGAIN */
            if (n == 0) {
                if (r->rx.len == 0)
                    return runner_gone(r, err, during);
                if (!have_header)
                    return not_a_frame(r, during, err);
                char what[200];
                snprintf(what, sizeof what, "stopped in the middle of a frame (%zu bytes) %s",
                         r->rx.len, during);
                return runner_fail(r, err, what);
            }
            r->rx.len += (size_t)n;
            if (!have_header && r->rx.len == MG__FRAME_HEADER_SIZE) {
                mg__frame_parse_header((const uint8_t *)r->rx.data, tag, len);
                bool known = strcmp(tag, "INFO") == 0 || strcmp(tag, "SCOR") == 0 ||
                             strcmp(tag, "FAIL") == 0;
                if (!known)
                    return not_a_frame(r, during, err);
                size_t limit = strcmp(tag, "SCOR") == 0 ? max : MG__FRAME_INFO_MAX;
                if (*len > limit) {
                    char what[200];
                    snprintf(what, sizeof what,
                             "announced a %s frame of %u bytes, more than the %zu expected %s", tag,
                             *len, limit, during);
                    return runner_fail(r, err, what);
                }
                have_header = true;
            }
        }
    }
}

/* A FAIL frame: the runner's own error text. */
static mg_status runner_reported(runner *r, uint32_t len, const char *during, mg_error *err) {
    char what[1200];
    int n = len > 900 ? 900 : (int)len;
    snprintf(what, sizeof what, "reported an error %s: %.*s", during, n,
             r->rx.data + MG__FRAME_HEADER_SIZE);
    return runner_fail(r, err, what);
}

/* ---- start-up ---------------------------------------------------------------- */

static int fd_above_stdio(int fd) {
    if (fd > 2)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return moved;
}

static mg_status make_pipe(int p[2], mg_error *err) {
    if (pipe2(p, O_CLOEXEC) != 0)
        return mg__fail(err, MG_ERR_IO, "cannot create a pipe for the runner: %s", strerror(errno));
    p[0] = fd_above_stdio(p[0]);
    p[1] = fd_above_stdio(p[1]);
    if (p[0] < 0 || p[1] < 0)
        return mg__fail(err, MG_ERR_IO, "cannot create a pipe for the runner: %s", strerror(errno));
    return MG_OK;
}

static mg_status spawn(runner *r, char **argv, mg_error *err) {
    int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
    mg_status st = make_pipe(pin, err);
    if (st == MG_OK)
        st = make_pipe(pout, err);
    if (st == MG_OK)
        st = make_pipe(perr, err);
    int rc = 0;
    if (st == MG_OK) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
        posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
        posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
        posix_spawnattr_init(&attr);
        sigset_t none, defaults;
        sigemptyset(&none);
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGINT);
        sigaddset(&defaults, SIGHUP);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        /* Its own process group, so that whatever it starts is stopped with it. */
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                            POSIX_SPAWN_SETPGROUP);
        rc = posix_spawnp(&r->pid, argv[0], &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (rc == 0)
            mg__cleanup_add_group((int)r->pid); /* when full, the child scan still finds it */
        if (rc != 0) {
            r->pid = 0;
            st = mg__fail(err, MG_ERR_MODEL, "runner '%s': cannot start %s: %s", r->who, argv[0],
                          strerror(rc));
        }
    }
    close_fd(&pin[0]);
    close_fd(&pout[1]);
    close_fd(&perr[1]);
    r->in_fd = pin[1];
    r->out_fd = pout[0];
    r->err_fd = perr[0];
    if (st != MG_OK)
        return st;
    fcntl(r->in_fd, F_SETFL, fcntl(r->in_fd, F_GETFL) | O_NONBLOCK);
    fcntl(r->out_fd, F_SETFL, fcntl(r->out_fd, F_GETFL) | O_NONBLOCK);
    fcntl(r->err_fd, F_SETFL, fcntl(r->err_fd, F_GETFL) | O_NONBLOCK);
    return MG_OK;
}

static mg_status copy_strings(char **src, int n, char ***dst, mg_error *err) {
    if (n == 0)
        return MG_OK;
    *dst = mg__calloc((size_t)n, sizeof(char *));
    if (*dst == NULL)
        return mg__nomem(err, "the runner's names");
    for (int i = 0; i < n; i++)
        if (((*dst)[i] = mg__strdup(src[i])) == NULL)
            return mg__nomem(err, "the runner's names");
    return MG_OK;
}

static mg_status handshake(mg_model *m, runner *r, mg_error *err) {
    r->tx.len = 0;
    mg__frame_hello(&r->tx);
    char tag[5];
    uint32_t len;
    const char *during = "during the handshake";
    MG_TRY(exchange(r, r->start_timeout, during, 0, tag, &len, err));
    if (strcmp(tag, "FAIL") == 0)
        return runner_reported(r, len, during, err);
    if (strcmp(tag, "INFO") != 0)
        return runner_fail(r, err, "answered the handshake with a SCOR frame instead of INFO");
    mg__runner_info ri;
    mg_status st = mg__frame_parse_info((const uint8_t *)r->rx.data + MG__FRAME_HEADER_SIZE, len,
                                        r->who, &ri, err);
    if (st == MG_OK) {
        mg_model_info *info = &m->info;
        info->kind = ri.kind;
        info->noutputs = ri.noutputs;
        info->nfeatures = ri.nfeatures;
        m->typed_input = ri.version >= 2;
        st = copy_strings(ri.names, ri.nnames, &info->feature_names, err);
        if (st == MG_OK && ri.nlabels > 0) {
            st = copy_strings(ri.labels, ri.nlabels, &info->class_labels, err);
            info->nclass_labels = ri.nlabels;
        }
    }
    mg__runner_info_release(&ri);
    if (st != MG_OK)
        stop_child(r, 0);
    return st;
}

/* ---- the backend ------------------------------------------------------------- */

static void runner_release(mg_model *m) {
    runner *r = m->state;
    if (r == NULL)
        return;
    stop_child(r, EXIT_GRACE_S);
    mg__buf_release(&r->pending_cols);
    mg__buf_release(&r->tx);
    mg__buf_release(&r->rx);
    free(r);
    m->state = NULL;
}

static mg_status runner_columns(mg_model *m, const char *const *names, int n, mg_error *err) {
    runner *r = m->state;
    r->pending_cols.len = 0;
    mg__frame_cols(&r->pending_cols, names, n);
    if (r->pending_cols.failed)
        return mg__nomem(err, "the column names");
    return MG_OK;
}

/* Starts a batch's frames in r->tx: the pending COLS frame, if any. */
static mg_status begin_batch(runner *r, mg_error *err) {
    if (r->pid <= 0)
        return mg__fail(err, MG_ERR_MODEL, "runner '%s' is no longer running", r->who);
    r->tx.len = 0;
    if (r->pending_cols.len > 0) {
        mg__buf_append(&r->tx, r->pending_cols.data, r->pending_cols.len);
        r->pending_cols.len = 0;
    }
    return MG_OK;
}

/* Sends the batch in r->tx and reads its SCOR into out. */
static mg_status finish_batch(mg_model *m, runner *r, int64_t nrows, double *out, mg_error *err) {
    if (r->tx.failed)
        return mg__nomem(err, "a batch frame");
    int k = m->info.noutputs;
    char during[96];
    snprintf(during, sizeof during, "on a batch of %" PRId64 " rows", nrows);
    size_t max = 8 + (size_t)nrows * (size_t)k * 8 + 8; /* + the optional compute time */
    char tag[5];
    uint32_t len;
    MG_TRY(exchange(r, r->batch_timeout, during, max, tag, &len, err));
    if (strcmp(tag, "FAIL") == 0)
        return runner_reported(r, len, during, err);
    if (strcmp(tag, "SCOR") != 0)
        return runner_fail(r, err, "answered a batch with an INFO frame instead of SCOR");
    mg_status st = mg__frame_parse_scores((const uint8_t *)r->rx.data + MG__FRAME_HEADER_SIZE, len,
                                          r->who, nrows, k, out, &m->last_compute_s, err);
    if (st != MG_OK) {
        m->last_compute_s = -1;
        mg_error inner = *err;
        return runner_fail(r, err,
                           strchr(inner.text, ':') ? strchr(inner.text, ':') + 2 : inner.text);
    }
    return MG_OK;
}

static mg_status runner_predict(mg_model *m, const double *rows, int64_t nrows, int nfeatures,
                                double *out, mg_error *err) {
    runner *r = m->state;
    MG_TRY(begin_batch(r, err));
    if (nrows == 0)
        return MG_OK;
    MG_TRY(mg__frame_rows(&r->tx, rows, nrows, nfeatures, err));
    return finish_batch(m, r, nrows, out, err);
}

static mg_status runner_predict_columns(mg_model *m, const mg_table *t, const int *idx, int n,
                                      int64_t r0, int64_t nrows, double *out, mg_error *err) {
    runner *r = m->state;
    MG_TRY(begin_batch(r, err));
    if (nrows == 0)
        return MG_OK;
    MG_TRY(mg__frame_typed_rows(&r->tx, t, idx, n, r0, nrows, err));
    return finish_batch(m, r, nrows, out, err);
}

const mg__backend mg__runner_backend = {.name = "runner",
                                        .batch_size = 4096,
                                        .predict = runner_predict,
                                        .predict_columns = runner_predict_columns,
                                        .columns = runner_columns,
                                        .release = runner_release};

mg_status mg__runner_open_argv(mg_model *m, char **argv, const char *who, mg_error *err) {
    runner *r = mg__calloc(1, sizeof *r);
    if (r == NULL)
        return mg__nomem(err, "the runner");
    m->state = r;
    r->in_fd = r->out_fd = r->err_fd = -1;
    size_t wlen = strlen(who);
    if (wlen < sizeof r->who)
        snprintf(r->who, sizeof r->who, "%s", who);
    else
        snprintf(r->who, sizeof r->who, "%.*s...", (int)sizeof r->who - 4, who);
    r->start_timeout =
        m->opts.start_timeout_s > 0 ? m->opts.start_timeout_s : DEFAULT_START_TIMEOUT_S;
    r->batch_timeout =
        m->opts.batch_timeout_s > 0 ? m->opts.batch_timeout_s : DEFAULT_BATCH_TIMEOUT_S;
    MG_TRY(spawn(r, argv, err));
    return handshake(m, r, err);
}

/* The provenance digest of a runner model: sha256 of a manifest that holds
 * the command line and the sha256 of each argument that names a regular file
 * (the script and the model file it serves), so that a change to either
 * changes the digest. */
static mg_status runner_digest(const char *command, char **argv, int argc, char out[65],
                               mg_error *err) {
    mg__buf manifest = {0};
    mg__buf_printf(&manifest, "cmd:%s\n", command);
    for (int i = 0; i < argc; i++) {
        struct stat st;
        char hex[65];
        if (stat(argv[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        mg_status s = mg__sha256_file(argv[i], hex, err);
        if (s != MG_OK) {
            mg__buf_release(&manifest);
            return s;
        }
        mg__buf_printf(&manifest, "%s sha256 %s\n", argv[i], hex);
    }
    if (manifest.failed) {
        mg__buf_release(&manifest);
        return mg__nomem(err, "the runner's digest");
    }
    mg__sha256_hex(manifest.data, manifest.len, out);
    mg__buf_release(&manifest);
    return MG_OK;
}

mg_status mg__runner_open(mg_model *m, const char *command, mg_error *err) {
    char **argv = NULL;
    int argc = 0;
    MG_TRY(mg__split_command(command, &argv, &argc, err));
    mg_status st = runner_digest(command, argv, argc, m->sha256, err);
    if (st == MG_OK)
        st = mg__runner_open_argv(m, argv, command, err);
    mg__argv_free(argv);
    return st;
}
