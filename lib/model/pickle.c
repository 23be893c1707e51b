/* pickle.c - a pickled or joblib-saved scikit-learn model given as a file:
 * recognised by its bytes and served by the bundled sklearn_runner.py in a
 * runner process, with the interpreter the user chose. */
#include "model/backend.h"

#include <sys/stat.h>
#include <zlib.h>

#include "banned.h"

#ifndef MG_ADAPTERS_DIR
#define MG_ADAPTERS_DIR "/usr/local/share/modelgate/adapters"
#endif

/* A pickle of protocol 2 or later (what pickle.dump and joblib.dump write
 * since Python 3): PROTO opcode 0x80 and the protocol number. */
static bool is_pickle_start(const uint8_t *d, size_t n) {
    return n >= 2 && d[0] == 0x80 && d[1] >= 2 && d[1] <= 5;
}

/* The first bytes of a zlib or gzip stream (joblib's compress=zlib / gzip),
 * inflated to see whether they start a pickle. */
static bool inflates_to_pickle(const uint8_t *d, size_t n, int window_bits) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, window_bits) != Z_OK)
        return false;
    uint8_t head[2];
    z.next_in = (Bytef *)(uintptr_t)d;
    z.avail_in = (uInt)(n < 65536 ? n : 65536);
    z.next_out = head;
    z.avail_out = sizeof head;
    int rc = inflate(&z, Z_SYNC_FLUSH);
    bool ok = (rc == Z_OK || rc == Z_STREAM_END) && z.avail_out == 0 &&
              is_pickle_start(head, sizeof head);
    inflateEnd(&z);
    return ok;
}

/* A protocol 0 or 1 pickle of an object: the GLOBAL opcode 'c', a dotted
 * module name and a newline, and the STOP opcode '.' at the end. */
static bool is_old_pickle(const uint8_t *d, size_t n) {
    if (n < 8 || d[0] != 'c' || d[n - 1] != '.')
        return false;
    size_t i = 1;
    while (i < n && i < 200 && (d[i] == '_' || d[i] == '.' || (d[i] >= 'a' && d[i] <= 'z') ||
                                (d[i] >= 'A' && d[i] <= 'Z') || (d[i] >= '0' && d[i] <= '9')))
        i++;
    return i > 1 && i < n && d[i] == '\n';
}

bool mg__pickle_detect(const uint8_t *d, size_t n) {
    if (is_pickle_start(d, n) || is_old_pickle(d, n))
        return true;
    if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
        return inflates_to_pickle(d, n, 16 + MAX_WBITS);
    if (n >= 2 && d[0] == 0x78 && ((d[0] << 8) | d[1]) % 31 == 0)
        return inflates_to_pickle(d, n, MAX_WBITS);
    /* joblib's other compressors: bz2, xz, lz4 frames. The runner decides. */
    static const uint8_t xz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    static const uint8_t lz4[] = {0x04, 0x22, 0x4d, 0x18};
    return (n >= 4 && memcmp(d, "BZh", 3) == 0 && d[3] >= '1' && d[3] <= '9') ||
           (n >= sizeof xz && memcmp(d, xz, sizeof xz) == 0) ||
           (n >= sizeof lz4 && memcmp(d, lz4, sizeof lz4) == 0);
}

static const char *choose(const char *given, const char *env, const char *fallback) {
    if (given != NULL && given[0] != '\0')
        return given;
    const char *e = getenv(env);
    return e != NULL && e[0] != '\0' ? e : fallback;
}

mg_status mg__pickle_open(mg_model *m, const char *path, mg_error *err) {
    const char *python = choose(m->opts.python, "MODELGATE_PYTHON", "python3");
    const char *dir = choose(m->opts.adapters_dir, "MODELGATE_ADAPTERS", MG_ADAPTERS_DIR);
    mg__buf ab = {0};
    mg__buf_printf(&ab, "%s/sklearn_runner.py", dir);
    char *adapter = mg__buf_detach(&ab);
    if (adapter == NULL)
        return mg__nomem(err, "the runner's path");
    struct stat st;
    if (stat(adapter, &st) != 0) {
        mg_status s = mg__fail(err, MG_ERR_MODEL,
                               "model %s is a pickle, which runs through %s, and that file is "
                               "missing (set MODELGATE_ADAPTERS to the folder that holds it)",
                               path, adapter);
        free(adapter);
        return s;
    }
    char *argv[] = {(char *)(uintptr_t)python, adapter, (char *)(uintptr_t)path, NULL};
    mg__buf wb = {0};
    mg__buf_printf(&wb, "%s %s %s", python, adapter, path);
    char *who = mg__buf_detach(&wb);
    mg_status s = who == NULL ? mg__nomem(err, "the runner's name")
                              : mg__runner_open_argv(m, argv, who, err);
    free(who);
    free(adapter);
    return s;
}
