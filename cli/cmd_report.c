/* cmd_report.c - `modelgate report`: renders one report (Markdown, HTML,
 * JUnit XML, GitHub workflow commands, a Model Card) again from the JSON
 * files a gate run wrote into its results folder (DESIGN §13). */
#include "commands.h"
#include "modelgate/github.h"
#include "modelgate/registry.h"
#include "modelgate/render.h"
#include "options.h"
#include "output.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

static const char synopsis[] =
    "Render a report again from the results folder of `modelgate gate`: DIR/gate.json\n"
    "(required) and, when present, metrics.json, fairness.json, latency.json and\n"
    "comparison.json. Formats: markdown (report.md), html (report.html), junit\n"
    "(junit.xml), github (workflow commands: ::error/::warning/::notice), model-card\n"
    "(Model Card Toolkit JSON). Exit 0 when written, 2 on bad input.";

/* The largest result file read (a fairness.json with very many groups). */
#define MAX_RESULT_BYTES ((size_t)1 << 30)

/* Reads DIR/NAME into *out (NUL-terminated, malloc'd). A missing optional
 * file leaves *out NULL and returns 0; any other failure prints one line and
 * returns 2. */
static int read_result(const char *dir, const char *name, bool required, char **out,
                       char **path_out) {
    *out = NULL;
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    size_t plen = dlen + strlen(name) + 2;
    char *path = malloc(plen);
    if (path == NULL) {
        mg_cli_eprintf("modelgate report: out of memory\n");
        return MG_EXIT_INTERNAL;
    }
    snprintf(path, plen, "%.*s%s%s", (int)dlen, dir, dlen == 0 || dir[dlen - 1] == '/' ? "" : "/",
             name);
    *path_out = path;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT && !required)
            return 0;
        mg_cli_eprintf("modelgate report: %s: %s%s\n", path, strerror(errno),
                       errno == ENOENT ? " (--results must name the folder a gate run wrote)"
                                       : "");
        return MG_EXIT_USAGE;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (n + 1 >= cap) {
            if (cap >= MAX_RESULT_BYTES) {
                fclose(f);
                free(buf);
                mg_cli_eprintf("modelgate report: %s: larger than %zu bytes\n", path,
                               MAX_RESULT_BYTES);
                return MG_EXIT_USAGE;
            }
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (buf == NULL) {
        mg_cli_eprintf("modelgate report: %s: out of memory\n", path);
        return MG_EXIT_INTERNAL;
    }
    if (bad) {
        free(buf);
        mg_cli_eprintf("modelgate report: %s: read error\n", path);
        return MG_EXIT_USAGE;
    }
    if (memchr(buf, '\0', n) != NULL) {
        size_t at = (size_t)((char *)memchr(buf, '\0', n) - buf);
        free(buf);
        mg_cli_eprintf("modelgate report: %s: byte offset %zu: a NUL byte (not a JSON text)\n",
                       path, at);
        return MG_EXIT_USAGE;
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

/* The registry's record of NAME (NAME@STAGE, NAME@vN or the latest
 * version) as the JSON object the Model Card reads: name, version ("vN"),
 * sha256, created_at, created_by, meta. */
static int registry_meta(const char *dir, const char *spec, char **out) {
    *out = NULL;
    char *name = strdup(spec);
    if (name == NULL)
        return MG_EXIT_INTERNAL;
    const char *stage = NULL;
    long long version = 0;
    char *at = strchr(name, '@');
    if (at != NULL) {
        *at = '\0';
        stage = at + 1;
        if (stage[0] == 'v' && stage[1] >= '0' && stage[1] <= '9') {
            char *end;
            version = strtoll(stage + 1, &end, 10);
            if (*end == '\0')
                stage = NULL;
        }
    }
    mg_error err;
    mg_error_clear(&err);
    mg_registry *reg = NULL;
    mg_registry_version v;
    memset(&v, 0, sizeof v);
    mg_status st = mg_registry_open(dir, 0, &reg, &err);
    if (st == MG_OK)
        st = mg_registry_resolve(reg, name, stage, version, &v, &err);
    if (st != MG_OK) {
        if (reg != NULL)
            mg_registry_close(reg);
        free(name);
        return mg_cli_fail("report", &err);
    }
    json_t *o = json_object();
    json_t *meta = v.meta_json != NULL ? json_loads(v.meta_json, 0, NULL) : NULL;
    char vname[32];
    snprintf(vname, sizeof vname, "v%lld", (long long)v.version);
    json_object_set_new(o, "name", json_string(v.name));
    json_object_set_new(o, "version", json_string(vname));
    json_object_set_new(o, "sha256", json_string(v.digest));
    if (v.created_at != NULL)
        json_object_set_new(o, "created_at", json_string(v.created_at));
    if (v.created_by != NULL)
        json_object_set_new(o, "created_by", json_string(v.created_by));
    json_object_set_new(o, "meta", meta != NULL ? meta : json_object());
    *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    mg_registry_version_release(&v);
    mg_registry_close(reg);
    free(name);
    if (*out == NULL) {
        mg_cli_eprintf("modelgate report: out of memory\n");
        return MG_EXIT_INTERNAL;
    }
    return 0;
}

/* Appends mg_report_github_outputs to path (created when missing), as the
 * runner's $GITHUB_OUTPUT file is appended to. The delimiter's seed is a hash
 * of gate.json, so the same results give the same lines. */
static int append_outputs(const mg_report_inputs *in, const char *path, const char *report_path,
                          const char *gate_path) {
    uint64_t seed = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)in->gate_json; *p; p++)
        seed = (seed ^ *p) * 0x100000001b3ULL;
    char *text = NULL;
    size_t len = 0;
    mg_error err;
    mg_error_clear(&err);
    if (mg_report_github_outputs(in, report_path, gate_path, seed, &text, &len, &err) != MG_OK)
        return mg_cli_fail("report", &err);
    FILE *f = fopen(path, "ab");
    int rc = 0;
    if (f == NULL || fwrite(text, 1, len, f) != len) {
        mg_cli_eprintf("modelgate report: --github-output %s: %s\n", path, strerror(errno));
        rc = MG_EXIT_USAGE;
    }
    if (f != NULL && fclose(f) != 0 && rc == 0) {
        mg_cli_eprintf("modelgate report: --github-output %s: %s\n", path, strerror(errno));
        rc = MG_EXIT_USAGE;
    }
    free(text);
    return rc;
}

/* An error of the library, whose text starts with the file's name in the
 * folder ("gate.json:2:14: ..."), printed with the folder in front. */
static int report_error(const char *dir, const char *const *names, const mg_error *err) {
    if (err->status == MG_ERR_DATA)
        for (size_t i = 0; i < 5; i++) {
            size_t n = strlen(names[i]);
            if (strncmp(err->text, names[i], n) == 0 && (err->text[n] == ':')) {
                size_t dlen = strlen(dir);
                while (dlen > 1 && dir[dlen - 1] == '/')
                    dlen--;
                mg_cli_eprintf("modelgate report: %.*s/%s\n", (int)dlen, dir, err->text);
                return MG_EXIT_USAGE;
            }
        }
    return mg_cli_fail("report", err);
}

int cmd_report(int argc, char **argv) {
    const char *results = NULL, *format_name = NULL, *output = "-", *marker = NULL;
    const char *registry = NULL, *model_name = NULL, *github_output = NULL;
    long max_markdown = 0, max_annotations = 0;
    mg_opt opts[] = {
        {"results", MG_OPT_STRING, &results, "DIR",
         "the results folder of a gate run (holds gate.json)", true, false},
        {"format", MG_OPT_STRING, &format_name, "FORMAT",
         "markdown, html, junit, github or model-card", true, false},
        {"output", MG_OPT_STRING, &output, "FILE", "where the report goes; - for stdout (default -)",
         false, false},
        {"marker", MG_OPT_STRING, &marker, "ID",
         "markdown: the hidden marker <!-- modelgate:ID --> (default gate)", false, false},
        {"max-markdown", MG_OPT_INT, &max_markdown, "BYTES",
         "markdown: the size cap (default 65000, under GitHub's comment limit)", false, false},
        {"max-annotations", MG_OPT_INT, &max_annotations, "N",
         "github: at most N annotations of each kind (default 10)", false, false},
        {"registry", MG_OPT_STRING, &registry, "DIR",
         "model-card: the registry that holds --model-name (default $MODELGATE_REGISTRY)", false,
         false},
        {"model-name", MG_OPT_STRING, &model_name, "NAME[@STAGE]",
         "model-card: take the name, version and metadata from this registry model", false,
         false},
        {"github-output", MG_OPT_STRING, &github_output, "FILE",
         "also append the step outputs (verdict, each gated metric, ...) to FILE, as "
         "$GITHUB_OUTPUT",
         false, false},
        MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("report", synopsis, opts, argc, argv, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    mg_report_format format;
    if (mg_report_format_parse(format_name, &format) != 0) {
        mg_cli_eprintf("modelgate report: --format: unknown format '%s' (markdown, html, junit, "
                       "github or model-card)\n",
                       format_name);
        return MG_EXIT_USAGE;
    }
    if (opts[4].seen &&
        (max_markdown < (long)MG_REPORT_MARKDOWN_MIN || max_markdown > 1000000000L)) {
        mg_cli_eprintf("modelgate report: --max-markdown %ld: expected at least %d bytes (the "
                       "marker, the title and the gates table always stay)\n",
                       max_markdown, MG_REPORT_MARKDOWN_MIN);
        return MG_EXIT_USAGE;
    }
    if (opts[5].seen &&
        (max_annotations < 1 || max_annotations > 1000000)) {
        mg_cli_eprintf("modelgate report: --max-annotations %ld: expected 1 to 1000000 (leave out "
                       "--format github for no annotations)\n",
                       max_annotations);
        return MG_EXIT_USAGE;
    }
    if (marker != NULL && !mg_github_marker_id_valid(marker)) {
        mg_cli_eprintf("modelgate report: --marker '%s': expected 1 to 64 characters of A-Z a-z "
                       "0-9 . _ -\n",
                       marker);
        return MG_EXIT_USAGE;
    }
    if (model_name != NULL && format != MG_REPORT_MODEL_CARD) {
        mg_cli_eprintf("modelgate report: --model-name is for --format model-card\n");
        return MG_EXIT_USAGE;
    }
    if (registry != NULL && model_name == NULL) {
        mg_cli_eprintf("modelgate report: --registry needs --model-name\n");
        return MG_EXIT_USAGE;
    }
    rc = mg_cli_output_prepare("report", output);
    if (rc != 0)
        return rc;

    static const char *const names[] = {"gate.json", "metrics.json", "fairness.json",
                                        "latency.json", "comparison.json"};
    char *texts[5] = {0}, *paths[5] = {0}, *meta = NULL;
    char *out = NULL;
    size_t len = 0;
    rc = read_result(results, names[0], true, &texts[0], &paths[0]);
    /* gate.json's "outputs" lists the files the run wrote: only those are
     * read (a file an earlier run left in the folder is not this run's),
     * and each listed one must be there. */
    const char *listed[5] = {0};
    bool has_outputs = false;
    json_t *gate_root = rc == 0 ? json_loads(texts[0], 0, NULL) : NULL;
    json_t *outs = json_is_object(gate_root) ? json_object_get(gate_root, "outputs") : NULL;
    if (json_is_object(outs)) {
        static const char *const keys[] = {NULL, "metrics", "fairness", "latency", "comparison"};
        has_outputs = true;
        for (size_t i = 1; i < 5 && rc == 0; i++) {
            json_t *v = json_object_get(outs, keys[i]);
            if (v == NULL || json_is_null(v))
                continue;
            const char *f = json_string_value(v);
            if (f == NULL || strcmp(f, names[i]) != 0) {
                mg_cli_eprintf("modelgate report: %s: outputs.%s: expected \"%s\"\n", paths[0],
                               keys[i], names[i]);
                rc = MG_EXIT_USAGE;
            }
            listed[i] = f;
        }
    }
    for (size_t i = 1; i < 5 && rc == 0; i++) {
        if (has_outputs && listed[i] == NULL)
            continue;
        rc = read_result(results, names[i], has_outputs, &texts[i], &paths[i]);
    }
    json_decref(gate_root);
    /* The output is never one of the inputs: writing it would replace one. */
    struct stat ost;
    if (rc == 0 && strcmp(output, "-") != 0 && stat(output, &ost) == 0)
        for (size_t i = 0; i < 5 && rc == 0; i++) {
            struct stat ist;
            if (texts[i] != NULL && paths[i] != NULL && stat(paths[i], &ist) == 0 &&
                ist.st_dev == ost.st_dev && ist.st_ino == ost.st_ino) {
                mg_cli_eprintf("modelgate report: --output %s is the input %s; writing it would "
                               "replace that input\n",
                               output, paths[i]);
                rc = MG_EXIT_USAGE;
            }
        }
    if (rc == 0 && model_name != NULL)
        rc = registry_meta(mg_registry_locate(registry), model_name, &meta);
    if (rc == 0) {
        mg_report_inputs in;
        memset(&in, 0, sizeof in);
        in.gate_json = texts[0];
        in.metrics_json = texts[1];
        in.fairness_json = texts[2];
        in.latency_json = texts[3];
        in.comparison_json = texts[4];
        /* the reports name the files as the folder holds them ("see
         * fairness.json"), as `modelgate gate` does, so both give the same
         * bytes; error lines get the folder in front (report_error) */
        in.model_meta_json = meta;
        mg_report_options o;
        mg_report_options_init(&o);
        if (marker != NULL)
            o.marker_id = marker;
        if (max_markdown > 0)
            o.max_markdown = (size_t)max_markdown;
        if (max_annotations > 0)
            o.max_annotations = (int)max_annotations;
        /* annotations point at the policy file relative to the workspace */
        char cwd[4096];
        const char *ws = getenv("GITHUB_WORKSPACE");
        o.workspace = ws != NULL && ws[0] != '\0' ? ws : NULL;
        o.cwd = getcwd(cwd, sizeof cwd);
        mg_error err;
        mg_error_clear(&err);
        mg_status st = mg_report_render(format, &in, &o, &out, &len, &err);
        if (st != MG_OK)
            rc = report_error(results, names, &err);
        else
            rc = mg_cli_write_file("report", output, out, len);
        if (rc == 0 && github_output != NULL)
            rc = append_outputs(&in, github_output, strcmp(output, "-") != 0 ? output : NULL,
                                paths[0]);
    }
    free(out);
    free(meta);
    for (size_t i = 0; i < 5; i++) {
        free(texts[i]);
        free(paths[i]);
    }
    return rc;
}
