/* internal.h - helpers shared across lib/ (the mg__ tier): error setting,
 * growable buffers, checked allocation, threads. Not installed. */
#ifndef MG_INTERNAL_H
#define MG_INTERNAL_H

#include "modelgate/modelgate.h"

/* System headers that define banned names come before banned.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* lib/ allocates through mg__malloc and friends only (mem.c, which defines
 * them, sees the real calls). */
#if defined(MG_BUILDING_LIBRARY) && !defined(MG_MEM_IMPL)
#undef malloc
#define malloc(n) MG_BANNED(malloc)
#undef calloc
#define calloc(n, s) MG_BANNED(calloc)
#undef realloc
#define realloc(p, n) MG_BANNED(realloc)
#undef strdup
#define strdup(s) MG_BANNED(strdup)
#undef strndup
#define strndup(s, n) MG_BANNED(strndup)
#endif

#define MG_UNUSED(x) ((void)(x))
#define MG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The name of an input for a message: names->field when given, else the
 * command line's flag (see mg_input_names). */
#define MG_INPUT_NAME(names, field, flag)                                                          \
    ((names) != NULL && (names)->field != NULL ? (names)->field : (flag))

/* Forward a failing status in one line (zstd's FORWARD_IF_ERROR). */
#define MG_TRY(expr)                                                                               \
    do {                                                                                           \
        mg_status mg__st = (expr);                                                                 \
        if (mg__st != MG_OK)                                                                       \
            return mg__st;                                                                         \
    } while (0)

/* Sets err (may be NULL) to status with a printf-style message; returns status
 * so that `return mg__fail(err, MG_ERR_DATA, "...")` reads as one step. */
mg_status mg__fail(mg_error *err, mg_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records where the error that mg__fail just set was found (see
 * mg_error_place; 0 / -1 for what does not apply); returns err->status, so
 * that `mg__fail(err, ...); return mg__error_at(err, ...);` reads as one step. */
mg_status mg__error_at(mg_error *err, const char *source, int64_t line, int64_t column,
                       int64_t offset);

/* Out-of-memory error naming what was being allocated. */
mg_status mg__nomem(mg_error *err, const char *what);

/* Allocation that returns NULL on overflow of n * size as well as on failure.
 * Every allocation in lib/ goes through these (never malloc/calloc/realloc
 * directly), so that the allocation-failure tests reach it. */
void *mg__malloc(size_t size);
void *mg__calloc(size_t n, size_t size);
void *mg__malloc_array(size_t n, size_t size);
void *mg__realloc_array(void *p, size_t n, size_t size);
char *mg__strdup(const char *s);
char *mg__strndup(const char *s, size_t n);

/* Test hook (tests/unit/test_alloc_failure.c): from now on, the n-th
 * allocation through the functions above and every later one fail; 0
 * disarms. mg__alloc_calls() counts the allocations since it was armed. */
void mg__alloc_fail_at(long n);
long mg__alloc_calls(void);

/* Growable byte buffer; zero-initialise, release with mg__buf_release. */
typedef struct mg__buf {
    char *data;
    size_t len, cap;
    bool failed; /* an allocation failed; later appends are no-ops */
} mg__buf;

void mg__buf_release(mg__buf *b);
bool mg__buf_reserve(mg__buf *b, size_t extra);
void mg__buf_append(mg__buf *b, const void *p, size_t n);
void mg__buf_puts(mg__buf *b, const char *s);
void mg__buf_printf(mg__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the NUL-terminated contents, transferring ownership (buffer emptied). */
char *mg__buf_detach(mg__buf *b);

/* One UTF-8 character at p (avail >= 1 bytes; a NUL ends a C string safely
 * with avail = SIZE_MAX): returns the bytes it takes and sets *valid. A valid
 * character is 1 to 4 bytes of RFC 3629 UTF-8 (no overlong form, no surrogate,
 * nothing above U+10FFFF); otherwise the bytes returned are the maximal
 * subpart of an ill-formed sequence (Unicode §3.9, as Python's "replace" and
 * WHATWG decoders count them): 1 to 3 bytes that stand for one U+FFFD. */
size_t mg__utf8_decode(const unsigned char *p, size_t avail, bool *valid);

/* Appends s[0..len) with every invalid sequence replaced by U+FFFD (EF BF BD),
 * so the result is valid UTF-8. */
void mg__utf8_sanitize(mg__buf *b, const char *s, size_t len);

/* Appends s[0..len) for a human-readable line: C0 controls (including
 * newline and tab), DEL, C1 controls (U+0080..U+009F) and the bytes of
 * invalid UTF-8 sequences as \xHH (two lowercase hex digits per byte); valid
 * printable UTF-8 and backslashes are copied as they are. */
void mg__text_escape(mg__buf *b, const char *s, size_t len);

/* Whole file into memory (mmap when large). Release with mg__file_unmap. */
typedef struct mg__file {
    const char *data;
    size_t size;
    void *owned; /* what to munmap (mapped) or free (read) */
    int mapped;  /* 1: munmap owned, 0: free owned, 2: nothing to release */
} mg__file;

/* A regular file is mapped; anything else that can be opened (a pipe, a
 * FIFO, stdin, a terminal on stdin) is read once to its end into memory,
 * failing past max_bytes (0 = MG_DEFAULT_MAX_INPUT_BYTES) and on allocation
 * failure; other character devices and block devices are refused. mapped is 0
 * exactly when the bytes were read that way, so nobody can read them again. */
mg_status mg__file_map_capped(const char *path, uint64_t max_bytes, mg__file *f, mg_error *err);
mg_status mg__file_map(const char *path, mg__file *f, mg_error *err);
void mg__file_unmap(mg__file *f);

/* The registry that mg_cleanup_after_signal (lib/util/cleanup.c) undoes.
 * A temporary file's path is copied (returns its slot, or -1 when the path is
 * too long or the registry is full); a process group is a runner's, added
 * right after it starts and removed before it is reaped (returns -1 when
 * full). Lock-free, callable from any thread. */
int mg__cleanup_add_temp(const char *path);
void mg__cleanup_remove_temp(int slot);
int mg__cleanup_add_group(int pgid);
void mg__cleanup_remove_group(int pgid);

/* Progress reports of a parallel step to a caller's callback (the options'
 * `progress`): worker threads add the work they finished; the callback is
 * called by whichever adds while no other call runs (a busy flag, never a
 * wait), with the total done so far, so its `done` never decreases. */
typedef struct mg__progress {
    void (*fn)(void *ctx, int64_t done, int64_t total);
    void *ctx;
    int64_t total;
    _Atomic int64_t done;
    _Atomic int busy;
} mg__progress;

/* Prepares p; fn may be NULL (then adding costs a branch). */
void mg__progress_init(mg__progress *p, void (*fn)(void *, int64_t, int64_t), void *ctx,
                       int64_t total);
/* Adds n units of finished work; callable from any thread. */
void mg__progress_add(mg__progress *p, int64_t n);
/* Reports total of total (on the calling thread, after the workers ended). */
void mg__progress_done(mg__progress *p);

/* Number of CPUs available to this process (>= 1). */
int mg__cpu_count(void);

/* Runs fn(ctx, i) for i in [0, n) on up to `threads` threads (0 = CPUs) and
 * waits for all. Returns the first non-OK status by index order. */
typedef mg_status (*mg__task_fn)(void *ctx, int i);
mg_status mg__parallel_for(int n, int threads, mg__task_fn fn, void *ctx);

/* SHA-256 of a byte range / file, as 64 lowercase hex chars + NUL. */
void mg__sha256_hex(const void *data, size_t len, char out[65]);
mg_status mg__sha256_file(const char *path, char out[65], mg_error *err);

/* The row cap of opts (MG_MAX_ROWS_DEFAULT for 0, INT64_MAX when lifted). */
int64_t mg__max_rows(const mg_read_options *opts);
/* MG_ERR_UNSUPPORTED naming `source` and the count when nrows exceeds the
 * row cap of opts; MG_OK otherwise. */
mg_status mg__check_rows(const char *source, int64_t nrows, const mg_read_options *opts,
                         mg_error *err);

/* Internal column building (lib/data). */
mg_status mg__column_init(mg_column *col, const char *name, mg_type type, int64_t nrows,
                          mg_error *err);
void mg__column_release(mg_column *col);
/* Bytes of one value of a column of type t (8, 8, 1, 4), and the array of
 * col's values (borrowed: f64, i64, b or codes by its type). */
size_t mg__type_width(mg_type t);
void *mg__column_values(mg_column *col);
/* Marks row i null (allocates the bitmap on first use, all-valid). */
mg_status mg__column_set_null(mg_column *col, int64_t i, mg_error *err);

#endif
