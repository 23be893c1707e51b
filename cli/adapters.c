/* adapters.c - finds the bundled runners for the binary that runs: installed
 * (<prefix>/bin/modelgate beside <prefix>/share/modelgate/adapters) or run
 * from its build folder (the source tree's adapters/). */
#include "adapters.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

#ifndef MG_SOURCE_ADAPTERS_DIR
#define MG_SOURCE_ADAPTERS_DIR ""
#endif

static int has_runner(const char *dir) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/sklearn_runner.py", dir);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

const char *mg_cli_adapters_dir(void) {
    static char dir[PATH_MAX];
    const char *env = getenv("MODELGATE_ADAPTERS");
    if (env != NULL && env[0] != '\0')
        return NULL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            int w = snprintf(dir, sizeof dir, "%s/../share/modelgate/adapters", exe);
            if (w > 0 && (size_t)w < sizeof dir && has_runner(dir))
                return dir;
        }
    }
    if (MG_SOURCE_ADAPTERS_DIR[0] != '\0' && has_runner(MG_SOURCE_ADAPTERS_DIR))
        return MG_SOURCE_ADAPTERS_DIR;
    return NULL;
}
