/* file.c - whole-file access: mmap for regular files, a read loop otherwise. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads a pipe, FIFO or stdin to its end into memory, at most max_bytes. */
static mg_status read_stream(int fd, const char *path, uint64_t max_bytes, mg__file *f,
                             mg_error *err) {
    /* Room for one byte past the limit (to see that it is passed) and a NUL. */
    uint64_t most = max_bytes > SIZE_MAX - 2 ? SIZE_MAX : (uint64_t)max_bytes + 2;
    char *data = NULL;
    size_t len = 0, cap = 0;
    mg_status st = MG_OK;
    for (;;) {
        if (cap - len < 2) {
            uint64_t want = cap < ((size_t)1 << 16) ? ((size_t)1 << 16) : (uint64_t)cap * 2;
            if (want > most)
                want = most;
            char *p = mg__realloc_array(data, (size_t)want, 1);
            if (p == NULL) {
                st = mg__fail(err, MG_ERR_NOMEM,
                              "%s: out of memory after reading %zu bytes of a non-regular file, "
                              "which is held in memory (give a regular file, which is mapped "
                              "instead)",
                              path, len);
                break;
            }
            data = p;
            cap = (size_t)want;
        }
        ssize_t r = read(fd, data + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = mg__fail(err, MG_ERR_IO, "%s: read failed after %zu bytes: %s", path, len,
                          strerror(errno));
            break;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if ((uint64_t)len > max_bytes) {
            st = mg__fail(err, MG_ERR_UNSUPPORTED,
                          "%s: byte %" PRIu64 ": a non-regular file (pipe, FIFO, stdin) is held "
                          "in memory and this one is longer than the limit of %" PRIu64
                          " bytes; raise --max-input-bytes or give a regular file",
                          path, max_bytes, max_bytes);
            break;
        }
    }
    if (st != MG_OK) {
        free(data);
        return st;
    }
    if (data == NULL && (data = mg__calloc(1, 1)) == NULL) /* an empty stream */
        return mg__nomem(err, path);
    data[len] = '\0';
    f->data = data;
    f->owned = data;
    f->size = len;
    f->mapped = 0;
    return MG_OK;
}

/* True when fd is the same open file as standard input (/dev/stdin,
 * /dev/fd/0, /proc/self/fd/0 of a terminal). */
static bool is_stdin(const struct stat *st) {
    struct stat in;
    return fstat(STDIN_FILENO, &in) == 0 && in.st_dev == st->st_dev && in.st_ino == st->st_ino &&
           in.st_rdev == st->st_rdev;
}

mg_status mg__file_map_capped(const char *path, uint64_t max_bytes, mg__file *f, mg_error *err) {
    memset(f, 0, sizeof *f);
    if (max_bytes == 0)
        max_bytes = MG_DEFAULT_MAX_INPUT_BYTES;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return mg__fail(err, MG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return mg__fail(err, MG_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return mg__fail(err, MG_ERR_IO, "%s: is a directory, expected a file", path);
    }
    if (S_ISREG(st.st_mode)) {
        if (st.st_size == 0) {
            close(fd);
            f->data = "";
            f->size = 0;
            f->mapped = 2; /* static empty */
            return MG_OK;
        }
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        int map_errno = errno;
        close(fd);
        errno = map_errno;
        if (p == MAP_FAILED)
            return errno == ENOMEM
                       ? mg__fail(err, MG_ERR_NOMEM,
                                  "%s: out of memory while mapping the file (%lld bytes): raise "
                                  "--max-memory or free memory",
                                  path, (long long)st.st_size)
                       : mg__fail(err, MG_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL | MADV_WILLNEED);
        f->data = p;
        f->owned = p;
        f->size = (size_t)st.st_size;
        f->mapped = 1;
        return MG_OK;
    }
    /* /dev/zero and /dev/urandom never end; a disk is no test set. A terminal
     * on stdin is read (to end of file) like a pipe. */
    if ((S_ISCHR(st.st_mode) && !is_stdin(&st)) || S_ISBLK(st.st_mode)) {
        close(fd);
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: is a %s device; give a regular file, a pipe or /dev/stdin", path,
                        S_ISBLK(st.st_mode) ? "block" : "character");
    }
    mg_status s = read_stream(fd, path, max_bytes, f, err);
    close(fd);
    return s;
}

mg_status mg__file_map(const char *path, mg__file *f, mg_error *err) {
    return mg__file_map_capped(path, 0, f, err);
}

void mg__file_unmap(mg__file *f) {
    if (f->mapped == 1)
        munmap(f->owned, f->size);
    else if (f->mapped == 0)
        free(f->owned);
    memset(f, 0, sizeof *f);
}
