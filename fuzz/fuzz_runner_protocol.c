/* fuzz_runner_protocol.c - libFuzzer target: the runner protocol's decoders
 * (lib/model/runner_protocol.c) on arbitrary bytes.
 *
 * The first byte picks the decoder:
 *   0  a stream of frames as a runner sends them (INFO, SCOR, FAIL, ...):
 *      headers, then each payload through its decoder;
 *   1  one INFO payload;
 *   2  one SCOR payload for a batch of (byte 1) rows of (byte 2 % 8 + 1)
 *      values;
 *   3  a cmd: command line split into argv.
 * Oracles beyond "no crash, no read outside the buffer, no leak": a failure
 * has a message; a decoded INFO satisfies the invariants the runner relies on;
 * an argv, quoted back with single quotes and split again, is the same argv. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/runner_protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_say_why(mg_status st, const mg_error *err) {
    if (st != MG_OK && err->text[0] == '\0')
        abort();
}

static void info_payload(const uint8_t *p, size_t n, int *k) {
    mg__runner_info info;
    mg_error err;
    memset(&err, 0, sizeof err);
    mg_status st = mg__frame_parse_info(p, n, "fuzz", &info, &err);
    must_say_why(st, &err);
    if (st == MG_OK) {
        if (info.noutputs < 1 || info.noutputs > 100000)
            abort();
        if (info.nnames != 0 && info.nnames != info.nfeatures)
            abort();
        for (int i = 0; i < info.nnames; i++)
            if (info.names[i] == NULL)
                abort();
        for (int i = 0; i < info.nlabels; i++)
            if (info.labels[i] == NULL)
                abort();
        *k = info.noutputs;
    }
    mg__runner_info_release(&info);
}

static void scores_payload(const uint8_t *p, size_t n, int64_t nrows, int k) {
    if (nrows < 0 || nrows > 4096 || k < 1 || k > 64)
        return;
    double *out = calloc((size_t)(nrows > 0 ? nrows : 1) * (size_t)k, sizeof *out);
    if (out == NULL)
        return;
    double compute_s;
    mg_error err;
    memset(&err, 0, sizeof err);
    mg_status st = mg__frame_parse_scores(p, n, "fuzz", nrows, k, out, &compute_s, &err);
    must_say_why(st, &err);
    if (st == MG_OK && compute_s != -1 && !(compute_s >= 0))
        abort();
    free(out);
}

static void frames(const uint8_t *p, size_t n) {
    int k = 1;
    size_t pos = 0;
    while (n - pos >= MG__FRAME_HEADER_SIZE) {
        char tag[5];
        uint32_t len;
        mg__frame_parse_header(p + pos, tag, &len);
        pos += MG__FRAME_HEADER_SIZE;
        if (len > n - pos)
            return;
        const uint8_t *payload = p + pos;
        if (strcmp(tag, "INFO") == 0 && len <= MG__FRAME_INFO_MAX) {
            info_payload(payload, len, &k);
        } else if (strcmp(tag, "SCOR") == 0 && len >= 4) {
            uint32_t rows = (uint32_t)payload[0] | (uint32_t)payload[1] << 8 |
                            (uint32_t)payload[2] << 16 | (uint32_t)payload[3] << 24;
            scores_payload(payload, len, rows, k);
        }
        pos += len;
    }
}

/* Appends s single-quoted ('it'\''s') to b. */
static void quote(mg__buf *b, const char *s) {
    mg__buf_append(b, "'", 1);
    for (; *s; s++) {
        if (*s == '\'')
            mg__buf_append(b, "'\\''", 4);
        else
            mg__buf_append(b, s, 1);
    }
    mg__buf_append(b, "'", 1);
}

static void command(const uint8_t *p, size_t n) {
    char *cmd = malloc(n + 1);
    if (cmd == NULL)
        return;
    memcpy(cmd, p, n);
    cmd[n] = '\0';
    char **argv = NULL;
    int argc = 0;
    mg_error err;
    memset(&err, 0, sizeof err);
    mg_status st = mg__split_command(cmd, &argv, &argc, &err);
    must_say_why(st, &err);
    if (st == MG_OK) {
        if (argc < 1 || argv[argc] != NULL)
            abort();
        mg__buf b = {0};
        for (int i = 0; i < argc; i++) {
            if (argv[i] == NULL)
                abort();
            if (i > 0)
                mg__buf_append(&b, " ", 1);
            quote(&b, argv[i]);
        }
        mg__buf_append(&b, "", 1);
        char **again = NULL;
        int argc2 = 0;
        if (!b.failed) {
            if (mg__split_command(b.data, &again, &argc2, &err) != MG_OK || argc2 != argc)
                abort();
            for (int i = 0; i < argc; i++)
                if (strcmp(argv[i], again[i]) != 0)
                    abort();
        }
        mg__argv_free(again);
        mg__buf_release(&b);
    }
    mg__argv_free(argv);
    free(cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0: frames(p, n); break;
    case 1: {
        int k = 1;
        info_payload(p, n, &k);
        break;
    }
    case 2:
        if (n >= 2)
            scores_payload(p + 2, n - 2, p[0], p[1] % 8 + 1);
        break;
    case 3: command(p, n); break;
    }
    return 0;
}
