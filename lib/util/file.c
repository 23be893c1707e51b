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

mg_status mg__file_map(const char *path, mg__file *f, mg_error *err) {
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
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
        close(fd);
        if (p == MAP_FAILED)
            return mg__fail(err, MG_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL | MADV_WILLNEED);
        f->data = p;
        f->owned = p;
        f->size = (size_t)st.st_size;
        f->mapped = 1;
        return MG_OK;
    }
    /* A pipe or device: read it all. */
    mg__buf b = {0};
    char chunk[1 << 16];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            mg__buf_release(&b);
            return mg__fail(err, MG_ERR_IO, "%s: read failed: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        mg__buf_append(&b, chunk, (size_t)r);
    }
    close(fd);
    size_t size = b.len;
    char *data = mg__buf_detach(&b);
    if (data == NULL)
        return mg__nomem(err, path);
    f->data = data;
    f->owned = data;
    f->size = size;
    f->mapped = 0;
    return MG_OK;
}

void mg__file_unmap(mg__file *f) {
    if (f->mapped == 1)
        munmap(f->owned, f->size);
    else if (f->mapped == 0)
        free(f->owned);
    memset(f, 0, sizeof *f);
}
