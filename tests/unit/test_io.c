/* test_io.c - output files (mkstemp temporaries, devices written in place),
 * the signal cleanup registry, and inputs that are not regular files. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "modelgate/io.h"

static char dir[64];

static int make_dir(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/mg_test_io.XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state) {
    (void)state;
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

/* Number of entries in dir; the name of the last one into name. */
static int list_dir(char *name, size_t cap) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (name != NULL)
            snprintf(name, cap, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static void output_goes_through_a_temporary(void **state) {
    (void)state;
    char path[128], name[256];
    snprintf(path, sizeof path, "%s/out.json", dir);
    mg_output *o;
    mg_error err;
    mode_t mask = umask(022);
    assert_int_equal(mg_output_open(path, &o, &err), MG_OK);
    /* The temporary exists from the open on, the target not yet. */
    assert_int_equal(list_dir(name, sizeof name), 1);
    assert_int_equal(strncmp(name, "out.json.tmp.", 13), 0);
    assert_int_equal(strlen(name), 13 + 6);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(mg_output_commit(o, "abc", 3, &err), MG_OK);
    assert_int_equal(list_dir(name, sizeof name), 1);
    assert_string_equal(name, "out.json");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 3);
    assert_int_equal(st.st_mode & 07777, 0644);
    /* Rewriting an existing file keeps its mode. */
    chmod(path, 0600);
    assert_int_equal(mg_write_file(path, "hello", 5, &err), MG_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 5);
    umask(mask);
    unlink(path);
}

static void discarded_output_leaves_nothing(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/gone.json", dir);
    mg_output *o;
    mg_error err;
    assert_int_equal(mg_output_open(path, &o, &err), MG_OK);
    assert_int_equal(list_dir(NULL, 0), 1);
    mg_output_discard(o);
    assert_int_equal(list_dir(NULL, 0), 0);
}

static void bad_folders_fail_at_open(void **state) {
    (void)state;
    char path[128];
    mg_output *o = (mg_output *)&o;
    mg_error err;
    snprintf(path, sizeof path, "%s/missing/out.json", dir);
    assert_int_equal(mg_output_open(path, &o, &err), MG_ERR_IO);
    assert_null(o);
    assert_non_null(strstr(err.text, "cannot create a temporary file in the folder"));
    assert_non_null(strstr(err.text, "No such file or directory"));
    assert_int_equal(mg_output_open(dir, &o, &err), MG_ERR_IO);
    assert_non_null(strstr(err.text, "is a directory"));
    assert_int_equal(list_dir(NULL, 0), 0);
}

static void devices_are_written_in_place(void **state) {
    (void)state;
    struct stat before, after;
    if (stat("/dev/full", &before) != 0 || !S_ISCHR(before.st_mode))
        skip();
    mg_output *o;
    mg_error err;
    assert_int_equal(mg_output_open("/dev/full", &o, &err), MG_OK);
    assert_int_equal(mg_output_commit(o, "x", 1, &err), MG_ERR_IO);
    assert_string_equal(err.text, "/dev/full: cannot write: No space left on device");
    assert_int_equal(stat("/dev/full", &after), 0);
    assert_true(S_ISCHR(after.st_mode));
    assert_int_equal(after.st_ino, before.st_ino);
    assert_int_equal(mg_write_file("/dev/null", "x", 1, &err), MG_OK);
}

static void cleanup_removes_temporaries(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/sig.json", dir);
    mg_output *o;
    mg_error err;
    assert_int_equal(mg_output_open(path, &o, &err), MG_OK);
    assert_int_equal(list_dir(NULL, 0), 1);
    mg_cleanup_after_signal();
    assert_int_equal(list_dir(NULL, 0), 0);
    mg_output_discard(o);
}

static int pid_alive(pid_t p) {
    return kill(p, 0) == 0 || errno != ESRCH;
}

/* A child in its own process group (as a runner is) whose own child leaves
 * the group with setsid(): with this process a subreaper, the cleanup kills
 * and reaps both. */
static void cleanup_kills_runner_and_setsid_grandchild(void **state) {
    (void)state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t runner = fork();
    assert_true(runner >= 0);
    if (runner == 0) {
        setpgid(0, 0);
        pid_t g = fork();
        if (g == 0) {
            setsid();
            pid_t me = getpid();
            if (write(fds[1], &me, sizeof me) != (ssize_t)sizeof me)
                _exit(1);
            for (;;)
                pause();
        }
        for (;;)
            pause();
    }
    setpgid(runner, runner);
    mg__cleanup_add_group((int)runner);
    close(fds[1]);
    pid_t grandchild = 0;
    assert_int_equal(read(fds[0], &grandchild, sizeof grandchild), (ssize_t)sizeof grandchild);
    close(fds[0]);
    assert_true(pid_alive(runner) && pid_alive(grandchild));
    assert_int_equal(getsid(grandchild), grandchild);
    mg_cleanup_after_signal();
    mg__cleanup_remove_group((int)runner);
    /* Killed and reaped: not even zombies, and no child left to wait for. */
    assert_false(pid_alive(runner));
    assert_false(pid_alive(grandchild));
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

/* A pipe holding `text`, its write end closed; returns the read end. */
static int pipe_with(const char *text) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    return fds[0];
}

static void pipes_are_read_once_under_the_cap(void **state) {
    (void)state;
    static const char csv[] = "label,score\n1,0.25\n0,0.75\n"; /* 26 bytes */
    char path[64];
    mg__file f;
    mg_error err;
    int fd = pipe_with(csv);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    assert_int_equal(mg__file_map_capped(path, 25, &f, &err), MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "byte 25: "));
    assert_non_null(strstr(err.text, "limit of 25 bytes"));
    close(fd);
    fd = pipe_with(csv);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    assert_int_equal(mg__file_map_capped(path, 26, &f, &err), MG_OK);
    assert_int_equal(f.size, 26);
    assert_int_equal(f.mapped, 0);
    assert_memory_equal(f.data, csv, 26);
    mg__file_unmap(&f);
    close(fd);
    /* The table reader hashes what it read: sha256sum of the same bytes. */
    fd = pipe_with(csv);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    char hex[65] = "x";
    mg_read_options ro = {.sha256_out = hex};
    mg_table *t = NULL;
    assert_int_equal(mg_table_read(path, &ro, &t, &err), MG_OK);
    assert_int_equal(t->nrows, 2);
    assert_string_equal(hex, "1caf1b9b148733d7ca102ac856ecb338adfba55886eb69023ed4d88c064200f1");
    mg_table_free(t);
    close(fd);
    /* A regular file is hashed by the caller: the sink is left empty. */
    char file[128];
    snprintf(file, sizeof file, "%s/t.csv", dir);
    assert_int_equal(mg_write_file(file, csv, 26, &err), MG_OK);
    assert_int_equal(mg_table_read(file, &ro, &t, &err), MG_OK);
    assert_string_equal(hex, "");
    mg_table_free(t);
    unlink(file);
}

static void endless_devices_are_refused(void **state) {
    (void)state;
    mg__file f;
    mg_error err;
    struct stat st;
    if (stat("/dev/zero", &st) != 0 || !S_ISCHR(st.st_mode))
        skip();
    assert_int_equal(mg__file_map("/dev/zero", &f, &err), MG_ERR_UNSUPPORTED);
    assert_string_equal(err.text,
                        "/dev/zero: is a character device; give a regular file, a pipe or "
                        "/dev/stdin");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_goes_through_a_temporary),
        cmocka_unit_test(discarded_output_leaves_nothing),
        cmocka_unit_test(bad_folders_fail_at_open),
        cmocka_unit_test(devices_are_written_in_place),
        cmocka_unit_test(cleanup_removes_temporaries),
        cmocka_unit_test(cleanup_kills_runner_and_setsid_grandchild),
        cmocka_unit_test(pipes_are_read_once_under_the_cap),
        cmocka_unit_test(endless_devices_are_refused),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
