/* limits.c - --max-rows and --max-memory. --max-memory is RLIMIT_AS, the
 * address space: an allocation beyond it fails, and modelgate reports the
 * failure as an error naming what it was allocating (exit 2). Sanitizer
 * builds reserve terabytes of address space for their shadow memory, and
 * valgrind manages the address space itself, so there the cap is not
 * applied (a warning says so). */
#include "read_limits.h"
#include "output.h"

#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "banned.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define MG_SANITIZED 1
#endif
#endif
#ifndef MG_SANITIZED
#define MG_SANITIZED 0
#endif

/* Valgrind manages the address space itself and aborts under RLIMIT_AS. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define MG_UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef MG_UNDER_VALGRIND
#define MG_UNDER_VALGRIND() 0
#endif

int mg_cli_parse_size(const char *s, unsigned long long *out) {
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s)
        return -1;
    int shift = 0;
    switch (*end) {
    case '\0': break;
    case 'K':
    case 'k':
        shift = 10;
        end++;
        break;
    case 'M':
    case 'm':
        shift = 20;
        end++;
        break;
    case 'G':
    case 'g':
        shift = 30;
        end++;
        break;
    case 'T':
    case 't':
        shift = 40;
        end++;
        break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0' || v == 0 || v > (~0ULL >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

int mg_cli_limits_apply(const char *command, const mg_cli_limits *l, mg_read_options *ro) {
    if (l->max_rows < 0) {
        mg_cli_eprintf("modelgate %s: --max-rows must not be negative\n", command);
        return MG_EXIT_USAGE;
    }
    if (ro != NULL)
        ro->max_rows = l->max_rows;
    if (l->max_memory == NULL)
        return 0;
    unsigned long long bytes;
    if (mg_cli_parse_size(l->max_memory, &bytes) != 0 || bytes < (64ULL << 20)) {
        mg_cli_eprintf(
            "modelgate %s: --max-memory '%s': expected a size of at least 64M (bytes, or "
            "with K, M, G or T)\n",
            command, l->max_memory);
        return MG_EXIT_USAGE;
    }
    if (MG_SANITIZED || MG_UNDER_VALGRIND()) {
        mg_cli_eprintf(
            "modelgate %s: warning: --max-memory is not applied %s (it needs the address "
            "space)\n",
            command, MG_SANITIZED ? "in a sanitizer build" : "under valgrind");
        return 0;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0) {
        mg_cli_eprintf("modelgate %s: --max-memory: %s\n", command, strerror(errno));
        return MG_EXIT_USAGE;
    }
    if (rl.rlim_max != RLIM_INFINITY && bytes > rl.rlim_max)
        bytes = rl.rlim_max; /* a lower hard limit already holds */
    rl.rlim_cur = (rlim_t)bytes;
    if (setrlimit(RLIMIT_AS, &rl) != 0) {
        mg_cli_eprintf("modelgate %s: --max-memory: %s\n", command, strerror(errno));
        return MG_EXIT_USAGE;
    }
    return 0;
}
