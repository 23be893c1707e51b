/* report_html.c - a test driver for report.html's renderer (lib/report/html.c)
 * until `modelgate report --format html` calls it:
 *
 *   report_html DIR OUT     renders DIR/gate.json and whichever of
 *                           metrics.json, fairness.json, latency.json and
 *                           comparison.json DIR holds into OUT (- = stdout)
 *
 * Exit 0 on success, 2 with the library's one-line error on stderr. */
#include "report/html_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file, NUL-terminated; NULL when it does not exist. */
static char *slurp(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    while (s != NULL) {
        size_t got = fread(s + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
        if (len + 1 == cap) {
            char *grown = realloc(s, cap * 2);
            if (grown == NULL) {
                free(s);
                s = NULL;
                break;
            }
            s = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (s != NULL)
        s[len] = '\0';
    return s;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: report_html DIR OUT\n");
        return 2;
    }
    mg_report_inputs in = {0};
    char *texts[5] = {slurp(argv[1], "gate.json"), slurp(argv[1], "metrics.json"),
                      slurp(argv[1], "fairness.json"), slurp(argv[1], "latency.json"),
                      slurp(argv[1], "comparison.json")};
    in.gate_json = texts[0];
    in.metrics_json = texts[1];
    in.fairness_json = texts[2];
    in.latency_json = texts[3];
    in.comparison_json = texts[4];
    char *out = NULL;
    size_t len = 0;
    mg_error err = {0};
    mg_status st = mg__report_html(&in, NULL, &out, &len, &err);
    for (int i = 0; i < 5; i++)
        free(texts[i]);
    if (st != MG_OK) {
        fprintf(stderr, "report_html: %s\n", err.text);
        return 2;
    }
    FILE *f = strcmp(argv[2], "-") == 0 ? stdout : fopen(argv[2], "wb");
    if (f == NULL || fwrite(out, 1, len, f) != len || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "report_html: cannot write %s: %s\n", argv[2], strerror(errno));
        free(out);
        return 2;
    }
    free(out);
    return 0;
}
