/* cleanup.c - the registry of what a fatal signal must undo (runner process
 * groups, temporary output files) and mg_cleanup_after_signal, which undoes
 * it. Everything here that the handler touches is a lock-free atomic or a
 * fixed static buffer, and the handler path calls only async-signal-safe
 * system calls (kill, waitpid, open, read, close, getdents64, unlink,
 * nanosleep). */
#define _GNU_SOURCE
#include "internal.h"
#include "modelgate/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TEMPS 32
#define MAX_GROUPS 64
#define REAP_POLL_NS 2000000L /* 2 ms between looks for children to reap */
#define REAP_GIVE_UP 5000     /* polls without progress: 10 s */

enum { SLOT_FREE = 0, SLOT_FILLING, SLOT_LIVE };

static struct {
    atomic_int state;
    char path[PATH_MAX];
} temps[MAX_TEMPS];

static atomic_int groups[MAX_GROUPS]; /* 0 = free, else a live process group id */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs lock-free atomics");

int mg__cleanup_add_temp(const char *path) {
    size_t n = strlen(path);
    if (n >= PATH_MAX)
        return -1;
    for (int i = 0; i < MAX_TEMPS; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&temps[i].state, &expected, SLOT_FILLING)) {
            memcpy(temps[i].path, path, n + 1);
            atomic_store(&temps[i].state, SLOT_LIVE);
            return i;
        }
    }
    return -1;
}

void mg__cleanup_remove_temp(int slot) {
    if (slot >= 0 && slot < MAX_TEMPS)
        atomic_store(&temps[slot].state, SLOT_FREE);
}

int mg__cleanup_add_group(int pgid) {
    for (int i = 0; i < MAX_GROUPS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&groups[i], &expected, pgid))
            return 0;
    }
    return -1;
}

void mg__cleanup_remove_group(int pgid) {
    for (int i = 0; i < MAX_GROUPS; i++) {
        int expected = pgid;
        if (atomic_compare_exchange_strong(&groups[i], &expected, 0))
            return;
    }
}

/* Parses a decimal pid from a NUL-terminated name; -1 when it is not one. */
static long parse_pid(const char *s) {
    long v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (long)INT_MAX / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* The parent pid of process `pid` from /proc/PID/stat, or -1. */
static long parent_of(const char *pid_text) {
    char path[64] = "/proc/";
    size_t n = strlen(pid_text);
    if (n > 20)
        return -1;
    memcpy(path + 6, pid_text, n);
    memcpy(path + 6 + n, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[512];
    ssize_t r;
    do
        r = read(fd, buf, sizeof buf - 1);
    while (r < 0 && errno == EINTR);
    close(fd);
    if (r <= 0)
        return -1;
    buf[r] = '\0';
    /* "pid (comm) S ppid ...": comm may hold anything, so take the last ')'. */
    char *p = NULL;
    for (ssize_t i = r - 1; i >= 0; i--)
        if (buf[i] == ')') {
            p = buf + i;
            break;
        }
    if (p == NULL || p[1] != ' ' || p[2] == '\0' || p[3] != ' ')
        return -1;
    p += 4;
    long v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (*p - '0');
    return v;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Sends SIGKILL to every child of this process and to the group each one
 * leads (a runner, or a grandchild that called setsid() and was reparented
 * here). A child that leads no group has no group of its own pid, so the
 * group kill cannot hit an unrelated process. */
static void kill_children(void) {
    long self = (long)getpid();
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return;
    _Alignas(8) char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n <= 0)
            break;
        for (long at = 0; at < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(void *)(buf + at);
            at += d->d_reclen;
            long pid = parse_pid(d->d_name);
            if (pid <= 0 || pid == self || parent_of(d->d_name) != self)
                continue;
            kill((pid_t)-pid, SIGKILL);
            kill((pid_t)pid, SIGKILL);
        }
    }
    close(dir);
}

void mg_cleanup_descendants(void) {
    int saved = errno;
    /* Each reaped child may hand its own children to us (as subreaper), so
     * look for children again after every reap until none is left. Without
     * any child there is nothing to look for (the common case at exit). */
    int idle = 0;
    pid_t first;
    while ((first = waitpid(-1, NULL, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (first < 0) {
        errno = saved;
        return;
    }
    kill_children();
    while (idle < REAP_GIVE_UP) {
        pid_t p = waitpid(-1, NULL, WNOHANG);
        if (p > 0) {
            idle = 0;
            kill_children();
            continue;
        }
        if (p < 0 && errno == EINTR)
            continue;
        if (p < 0) /* ECHILD: nothing left */
            break;
        struct timespec ts = {0, REAP_POLL_NS};
        nanosleep(&ts, NULL);
        idle++;
        if (idle % 50 == 0) /* a child that appeared between the scans */
            kill_children();
    }
    errno = saved;
}

void mg_cleanup_after_signal(void) {
    int saved = errno;
    for (int i = 0; i < MAX_GROUPS; i++) {
        int g = atomic_load(&groups[i]);
        if (g > 0)
            kill(-g, SIGKILL);
    }
    mg_cleanup_descendants();
    for (int i = 0; i < MAX_TEMPS; i++)
        if (atomic_load(&temps[i].state) == SLOT_LIVE)
            unlink(temps[i].path);
    errno = saved;
}
