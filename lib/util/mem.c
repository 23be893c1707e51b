/* mem.c - overflow-checked allocation and the growable byte buffer. */
#define MG_MEM_IMPL
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The allocation-failure test hook (curl's torture tests): armed with
 * mg__alloc_fail_at(N), the N-th allocation from then on and every later one
 * fail. Always compiled, never armed outside the tests. */
static _Atomic long alloc_fail_at; /* 0: disarmed */
static _Atomic long alloc_calls;

void mg__alloc_fail_at(long n) {
    alloc_calls = 0;
    alloc_fail_at = n > 0 ? n : 0;
}

long mg__alloc_calls(void) {
    return alloc_calls;
}

static bool alloc_fails(void) {
    long at = alloc_fail_at;
    if (at == 0)
        return false;
    return ++alloc_calls >= at;
}

void *mg__malloc(size_t size) {
    return alloc_fails() ? NULL : malloc(size != 0 ? size : 1);
}

void *mg__calloc(size_t n, size_t size) {
    if (alloc_fails())
        return NULL;
    if (n == 0 || size == 0)
        return calloc(1, 1);
    return calloc(n, size);
}

void *mg__malloc_array(size_t n, size_t size) {
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return mg__malloc(n != 0 && size != 0 ? n * size : 1);
}

void *mg__realloc_array(void *p, size_t n, size_t size) {
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (alloc_fails())
        return NULL;
    return realloc(p, n != 0 && size != 0 ? n * size : 1);
}

char *mg__strndup(const char *s, size_t n) {
    char *r = mg__malloc(n + 1);
    if (r == NULL)
        return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *mg__strdup(const char *s) {
    return mg__strndup(s, strlen(s));
}

void mg__buf_release(mg__buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

bool mg__buf_reserve(mg__buf *b, size_t extra) {
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = mg__realloc_array(b->data, cap, 1);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void mg__buf_append(mg__buf *b, const void *p, size_t n) {
    if (!mg__buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mg__buf_puts(mg__buf *b, const char *s) {
    mg__buf_append(b, s, strlen(s));
}

void mg__buf_printf(mg__buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !mg__buf_reserve(b, (size_t)n)) {
        va_end(ap2);
        b->failed = true;
        return;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

char *mg__buf_detach(mg__buf *b) {
    if (b->failed) {
        mg__buf_release(b);
        return NULL;
    }
    if (b->data == NULL && !mg__buf_reserve(b, 0))
        return NULL;
    char *p = b->data;
    p[b->len] = '\0';
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
