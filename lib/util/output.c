/* output.c - output files: a temporary file from mkstemp renamed into place
 * for regular targets, a direct write for devices, FIFOs and stdout (see
 * include/modelgate/io.h). The one place where modelgate writes a file. */
#define _GNU_SOURCE
#include "internal.h"
#include "modelgate/io.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

struct mg_output {
    char *path;
    char *tmp;  /* the temporary file, NULL for a direct write */
    int fd;     /* open temporary file, -1 otherwise */
    int slot;   /* the temporary's entry in the signal cleanup registry, or -1 */
    int direct; /* 1: open `path` and write it at commit; 2: standard output;
                 * 3: a /dev or /proc name of a regular file (/dev/stdout
                 * redirected to a file): opened and appended to in place */
};

static int write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* The folder of path, as a new string ("." when it has none). */
static char *folder_of(const char *path) {
    char *copy = mg__strdup(path);
    if (copy == NULL)
        return NULL;
    char *d = mg__strdup(dirname(copy));
    free(copy);
    return d;
}

static void output_free(mg_output *o) {
    if (o == NULL)
        return;
    if (o->fd >= 0)
        close(o->fd);
    free(o->tmp);
    free(o->path);
    free(o);
}

/* Creates the temporary file next to o->path and registers it, with the
 * fatal signals blocked in this thread so that none can arrive between the
 * file's creation and its registration. */
static mg_status make_temp(mg_output *o, mode_t mode, mg_error *err) {
    size_t n = strlen(o->path);
    o->tmp = mg__malloc_array(n + sizeof ".tmp.XXXXXX", 1);
    if (o->tmp == NULL)
        return mg__nomem(err, o->path);
    memcpy(o->tmp, o->path, n);
    memcpy(o->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    sigset_t fatal, old;
    sigemptyset(&fatal);
    sigaddset(&fatal, SIGINT);
    sigaddset(&fatal, SIGTERM);
    sigaddset(&fatal, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &fatal, &old);
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    int e = errno;
    if (o->fd >= 0) {
        o->slot = mg__cleanup_add_temp(o->tmp);
        if (o->slot < 0) {
            unlink(o->tmp);
            close(o->fd);
            o->fd = -1;
            e = ENAMETOOLONG;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (o->fd < 0) {
        char *dir = folder_of(o->path);
        mg_status st =
            mg__fail(err, MG_ERR_IO, "%s: cannot create a temporary file in the folder '%s': %s",
                     o->path, dir ? dir : ".", strerror(e));
        free(dir);
        return st;
    }
    if (fchmod(o->fd, mode) != 0) {
        e = errno;
        return mg__fail(err, MG_ERR_IO, "%s: cannot set the mode of %s: %s", o->path, o->tmp,
                        strerror(e));
    }
    return MG_OK;
}

static void drop_temp(mg_output *o) {
    if (o->tmp != NULL && o->slot >= 0) {
        unlink(o->tmp);
        mg__cleanup_remove_temp(o->slot);
        o->slot = -1;
    }
}

mg_status mg_output_open(const char *path, mg_output **out, mg_error *err) {
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return mg__fail(err, MG_ERR_USAGE, "an output path must not be empty");
    mg_output *o = mg__calloc(1, sizeof *o);
    if (o == NULL)
        return mg__nomem(err, path);
    o->fd = -1;
    o->slot = -1;
    o->path = mg__strdup(path);
    if (o->path == NULL) {
        output_free(o);
        return mg__nomem(err, path);
    }
    if (strcmp(path, "-") == 0) {
        o->direct = 2;
        *out = o;
        return MG_OK;
    }
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            output_free(o);
            return mg__fail(err, MG_ERR_IO, "%s: is a directory; give a file name", path);
        }
        if (!S_ISREG(st.st_mode)) {
            /* A device, FIFO or socket: written in place at commit (opening a
             * FIFO now would block until a reader comes). */
            if (access(path, W_OK) != 0) {
                int e = errno;
                output_free(o);
                return mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", path, strerror(e));
            }
            o->direct = 1;
            *out = o;
            return MG_OK;
        }
        /* /dev/stdout, /dev/fd/N, /proc/self/fd/N: a name of a file
         * someone else opened (a shell's `> file`). Renaming onto the name
         * would replace the link in /dev, not write the file: write the
         * file itself, at its end (where `>` and `>>` both put output). */
        if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) {
            o->direct = 3;
            *out = o;
            return MG_OK;
        }
        mode = st.st_mode & 07777;
    } else if (errno == ENOENT) {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0644 & ~mask;
    } else {
        int e = errno;
        output_free(o);
        return mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    mg_status s = make_temp(o, mode, err);
    if (s != MG_OK) {
        drop_temp(o);
        output_free(o);
        return s;
    }
    *out = o;
    return MG_OK;
}

const char *mg_output_path(const mg_output *o) {
    return o->path;
}

void mg_output_discard(mg_output *o) {
    if (o == NULL)
        return;
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    drop_temp(o);
    output_free(o);
}

static mg_status write_direct(mg_output *o, const void *data, size_t len, mg_error *err) {
    if (o->direct == 2) {
        if (write_all(STDOUT_FILENO, data, len) != 0)
            return mg__fail(err, MG_ERR_IO, "cannot write to standard output: %s", strerror(errno));
        return MG_OK;
    }
    int fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (o->direct == 3 ? O_APPEND : 0));
    if (fd < 0)
        return mg__fail(err, MG_ERR_IO, "%s: cannot open for writing: %s", o->path,
                        strerror(errno));
    struct stat st;
    if (o->direct != 3 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        /* Replaced by a regular file since mg_output_open: write it from the
         * start, as the temporary-file path would have. */
        if (ftruncate(fd, 0) != 0) {
            int e = errno;
            close(fd);
            return mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", o->path, strerror(e));
        }
    }
    int bad = write_all(fd, data, len) != 0;
    int e = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad)
        return mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", o->path, strerror(e));
    return MG_OK;
}

mg_status mg_output_commit(mg_output *o, const void *data, size_t len, mg_error *err) {
    if (o == NULL)
        return mg__fail(err, MG_ERR_USAGE, "no output to write");
    mg_status st = MG_OK;
    if (o->direct) {
        st = write_direct(o, data, len, err);
        output_free(o);
        return st;
    }
    int bad = write_all(o->fd, data, len) != 0 || fsync(o->fd) != 0;
    int e = errno;
    if (close(o->fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->fd = -1;
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        st = mg__fail(err, MG_ERR_IO, "%s: cannot write: %s", o->path, strerror(e));
        drop_temp(o);
    } else {
        /* Renamed: the registry entry now names nothing (a late signal's
         * unlink of it fails harmlessly), so drop it without unlinking. */
        mg__cleanup_remove_temp(o->slot);
        o->slot = -1;
        /* The rename itself survives a crash once the folder is synced; a
         * file system that cannot sync folders (EINVAL) has nothing to do. */
        char *dir = folder_of(o->path);
        int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd >= 0 && fsync(dfd) != 0 && errno != EINVAL)
            st = mg__fail(err, MG_ERR_IO, "%s: cannot sync its folder: %s", o->path,
                          strerror(errno));
        if (dfd >= 0)
            close(dfd);
        free(dir);
    }
    output_free(o);
    return st;
}

mg_status mg_write_file(const char *path, const void *data, size_t len, mg_error *err) {
    mg_output *o;
    MG_TRY(mg_output_open(path, &o, err));
    return mg_output_commit(o, data, len, err);
}
