/* cmd_gate.c - `modelgate gate`: the whole pipeline of a policy file in one
 * process, its result files and reports in one folder, and the exit code. */
#include "adapters.h"
#include "commands.h"
#include "modelgate/github.h"
#include "common_options.h"
#include "digest.h"
#include "exit.h"
#include "modelgate/gate_run.h"
#include "modelgate/policy.h"
#include "modelgate/registry.h"
#include "modelgate/render.h"
#include "options.h"
#include "precheck.h"
#include "output.h"
#include "progress.h"
#include "read_limits.h"
#include "shard_options.h"
#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static const char synopsis[] =
    "Run every gate of a policy file (modelgate.yml) in one process: the test data read once,\n"
    "each model predicting each row once. Writes metrics.json, fairness.json, latency.json,\n"
    "comparison.json, gate.json, report.md, report.html and junit.xml into the outputs folder.\n"
    "Exit code 0 when every gate passed, 1 when one failed, 3 when one was inconclusive and the\n"
    "policy says that blocks, 2 for a bad policy or input, 4 for an internal error.";

/* At most this many --set overrides. */
#define MAX_SETS 64

typedef struct gate_args {
    const char *policy, *model, *test_data, *baseline, *registry, *outputs, *on_inconclusive;
    const char *marker, *python;
    long threads;
    bool quiet;
    mg_strlist sets;
    mg_cli_limits limits;
    /* Sharded runs (docs/scale.md): --shard/--partial, the option table they
     * record, and the merged rows of a `modelgate merge`. */
    mg_cli_shard shard;
    const mg_opt *opts;
    const mg_partial *from;
} gate_args;

/* Sets a policy key from a flag (mg_policy_override: a path is taken
 * literally, relative to the working folder). Returns 0 or prints and
 * returns 2. */
static int set_flag(mg_policy *p, const char *key, const char *flag, const char *value) {
    if (value == NULL)
        return 0;
    mg_error err;
    mg_error_clear(&err);
    if (mg_policy_override(p, key, value, flag, &err) != MG_OK) {
        mg_cli_eprintf("modelgate gate: %s\n", err.text);
        return MG_EXIT_USAGE;
    }
    return 0;
}

/* mkdir -p for the outputs folder. Returns 0, or prints and returns 2. */
static int make_folder(const char *dir) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        mg_cli_eprintf("modelgate gate: outputs folder %s: path too long\n", dir);
        return MG_EXIT_USAGE;
    }
    for (char *s = path + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                mg_cli_eprintf("modelgate gate: outputs folder %s: cannot create %s: %s\n", dir,
                               path, strerror(errno));
                return MG_EXIT_USAGE;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        mg_cli_eprintf("modelgate gate: outputs folder %s is not a folder\n", dir);
        return MG_EXIT_USAGE;
    }
    return 0;
}

/* --sign-key is tried on a scratch file before any work, so that a key that
 * cannot sign fails the run before a result is written. Returns 0 or prints
 * and returns 2. */
static int check_sign_key(void) {
    if (mg_cli_sign_key == NULL)
        return 0;
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/modelgate-key-check-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        mg_cli_eprintf("modelgate gate: --sign-key: cannot make a scratch file to try the key: %s\n",
                       strerror(errno));
        return MG_EXIT_USAGE;
    }
    close(fd);
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_sign_file(path, mg_cli_sign_key, &err);
    char sig[4096 + 8];
    snprintf(sig, sizeof sig, "%.4095s.sig", path);
    unlink(sig);
    unlink(path);
    if (st != MG_OK) {
        mg_cli_eprintf("modelgate gate: --sign-key: %s\n", err.text);
        return MG_EXIT_USAGE;
    }
    return 0;
}

/* A progress line per stage on a terminal. */
typedef struct stage_ctx {
    bool tty;
    mg_cli_progress *bar;
} stage_ctx;

static void on_stage(void *ctx, const char *stage) {
    stage_ctx *s = ctx;
    mg_cli_progress_end(s->bar);
    if (s->tty)
        mg_cli_eprintf("modelgate gate: %s\n", stage);
    mg_cli_progress_init_unit(s->bar, stage, strcmp(stage, "latency") == 0 ? "calls" : NULL);
}

static const char *digest_of(void *ctx) {
    return mg_cli_digest_finish(ctx);
}

/* Appends text to the file an environment variable names (GitHub's
 * $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY). Returns 0 or prints and returns 2. */
static int append_env_file(const char *var, const char *text, size_t len) {
    const char *path = getenv(var);
    if (path == NULL || path[0] == '\0')
        return 0;
    FILE *f = fopen(path, "ab");
    if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        mg_cli_eprintf("modelgate gate: $%s %s: cannot append: %s\n", var, path, strerror(errno));
        return MG_EXIT_USAGE;
    }
    return 0;
}

/* GitHub Actions: annotations on stdout, outputs and the step summary. */
static int github(const mg_report_inputs *in, const mg_report_options *ro, const char *dir,
                  const char *markdown, size_t mdlen) {
    mg_error err;
    mg_error_clear(&err);
    char *text = NULL;
    size_t len = 0;
    if (mg_report_render(MG_REPORT_GITHUB, in, ro, &text, &len, &err) != MG_OK)
        return mg_cli_fail("gate", &err);
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    free(text);
    char report[4096], gate[4096];
    snprintf(report, sizeof report, "%s/report.md", dir);
    snprintf(gate, sizeof gate, "%s/gate.json", dir);
    uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (mg_report_github_outputs(in, report, gate, seed, &text, &len, &err) != MG_OK)
        return mg_cli_fail("gate", &err);
    int rc = append_env_file("GITHUB_OUTPUT", text, len);
    free(text);
    /* The step summary holds at most 1 MiB per step: the report is far
     * smaller (it is cut to a comment's size), but never write more. */
    if (rc == 0 && mdlen < 1024 * 1024)
        rc = append_env_file("GITHUB_STEP_SUMMARY", markdown, mdlen);
    return rc;
}

/* The files of one run: the JSON documents, then the reports rendered from
 * them by the same code as `modelgate report`. */
#define NFILES 8
typedef struct run_files {
    const char *name[NFILES];
    char *text[NFILES]; /* NULL: not written by this run */
    size_t len[NFILES];
    bool owned[NFILES];
} run_files;

static void run_files_release(run_files *f) {
    for (int i = 0; i < NFILES; i++)
        if (f->owned[i])
            free(f->text[i]);
}

/* Renders the reports into f after the JSON documents of o. Returns 0 or
 * prints and returns the exit code. */
static int render(const mg_gate_outcome *o, const mg_report_inputs *in,
                  const mg_report_options *ro, run_files *f) {
    static const char *const json_names[] = {"metrics.json", "fairness.json", "latency.json",
                                             "comparison.json", "gate.json"};
    char *const docs[] = {o->metrics_json, o->fairness_json, o->latency_json, o->comparison_json,
                          o->gate_json};
    const size_t lens[] = {o->metrics_len, o->fairness_len, o->latency_len, o->comparison_len,
                           o->gate_len};
    for (int i = 0; i < 5; i++) {
        f->name[i] = json_names[i];
        f->text[i] = docs[i];
        f->len[i] = lens[i];
    }
    static const struct {
        mg_report_format format;
        const char *name;
    } reports[] = {{MG_REPORT_MARKDOWN, "report.md"},
                   {MG_REPORT_HTML, "report.html"},
                   {MG_REPORT_JUNIT, "junit.xml"}};
    for (int i = 0; i < 3; i++) {
        mg_error err;
        mg_error_clear(&err);
        f->name[5 + i] = reports[i].name;
        f->owned[5 + i] = true;
        if (mg_report_render(reports[i].format, in, ro, &f->text[5 + i], &f->len[5 + i], &err) !=
            MG_OK)
            return mg_cli_fail("gate", &err);
    }
    return 0;
}

/* Writes the run's files into dir as one set: every output is prepared (its
 * temporary file made) before any is written, so a folder that refuses one
 * file (a directory in its place, no space) fails before any is replaced;
 * a JSON file an earlier run left and this one does not write is removed,
 * so the folder holds one run's results only. Returns 0 or the exit code. */
static int write_all(const char *dir, const run_files *f) {
    char path[NFILES][4096];
    for (int i = 0; i < NFILES; i++) {
        if (snprintf(path[i], sizeof path[i], "%s/%s", dir, f->name[i]) >= (int)sizeof path[i]) {
            mg_cli_eprintf("modelgate gate: outputs folder %s: path too long\n", dir);
            return MG_EXIT_USAGE;
        }
        int rc = f->text[i] != NULL ? mg_cli_output_prepare("gate", path[i]) : 0;
        if (rc != 0)
            return rc;
    }
    for (int i = 0; i < NFILES; i++) {
        char sig[4096 + 8];
        snprintf(sig, sizeof sig, "%.4095s.sig", path[i]);
        if (f->text[i] != NULL) {
            /* An unsigned run leaves no earlier run's signature beside its file. */
            if (mg_cli_sign_key == NULL && unlink(sig) != 0 && errno != ENOENT) {
                mg_cli_eprintf("modelgate gate: %s: cannot remove an earlier run's signature: %s\n",
                               sig, strerror(errno));
                return MG_EXIT_USAGE;
            }
            int rc = mg_cli_write_file("gate", path[i], f->text[i], f->len[i]);
            if (rc != 0)
                return rc;
            continue;
        }
        if ((unlink(path[i]) != 0 && errno != ENOENT) || (unlink(sig) != 0 && errno != ENOENT)) {
            mg_cli_eprintf("modelgate gate: %s: cannot remove an earlier run's file: %s\n",
                           path[i], strerror(errno));
            return MG_EXIT_USAGE;
        }
    }
    return 0;
}

/* The gates that decided the verdict, worst last: the last line on stderr
 * says why the exit code is not 0 (DESIGN §4). */
static void print_verdicts(const mg_gate_outcome *o, const mg_policy *p) {
    for (int i = 0; i < o->ngates; i++) {
        const mg_gate_entry *g = &o->gates[i];
        if (!g->skipped && g->r.verdict == MG_VERDICT_PASS && g->r.straddles &&
            !g->r.decided_on_interval)
            mg_cli_eprintf("modelgate gate: warning: %s passes on the point only: %s\n",
                           g->r.name, g->r.reason);
    }
    for (int i = 0; i < o->ngates && p->on_inconclusive != MG_ON_INCONCLUSIVE_PASS; i++) {
        const mg_gate_entry *g = &o->gates[i];
        if (!g->skipped && g->r.verdict == MG_VERDICT_INCONCLUSIVE)
            mg_cli_eprintf("modelgate gate: %s%s is inconclusive: %s (%s)\n",
                           p->on_inconclusive == MG_ON_INCONCLUSIVE_FAIL ? "" : "warning: ",
                           g->r.name, g->r.reason, g->source);
    }
    for (int i = 0; i < o->ngates; i++) {
        const mg_gate_entry *g = &o->gates[i];
        if (!g->skipped && g->r.verdict == MG_VERDICT_FAIL)
            mg_cli_eprintf("modelgate gate: gate failed: %s: %s (%s)\n", g->r.name, g->r.reason,
                           g->source);
    }
}

/* A shard's gate: its rows into the partial result file. */
static int write_partial(gate_args *a, mg_policy *p, mg_gate_outcome *out) {
    free(out->partial.policy_sha256);
    out->partial.policy_sha256 = p->sha256[0] ? strdup(p->sha256) : NULL;
    if (p->sha256[0] && out->partial.policy_sha256 == NULL) {
        mg_cli_eprintf("modelgate gate: out of memory for the partial result\n");
        return MG_EXIT_INTERNAL;
    }
    return mg_cli_write_partial("gate", a->opts, &out->partial, a->shard.partial);
}

static int run(gate_args *a, mg_policy *p) {
    /* --outputs and outputs.dir are relative to the working folder. */
    const char *outputs = a->outputs != NULL ? a->outputs : p->outputs_dir;
    char *data_path = mg_policy_path(p, "data.test", p->test_data);
    int rc = data_path == NULL ? MG_EXIT_INTERNAL
             : a->shard.partial != NULL ? mg_cli_output_prepare("gate", a->shard.partial)
                                        : make_folder(outputs);
    mg_read_options limited = {0};
    if (rc == 0)
        rc = check_sign_key();
    if (rc == 0)
        rc = mg_cli_limits_apply("gate", &a->limits, &limited);
    if (rc != 0) {
        free(data_path);
        return rc;
    }
    mg_cli_progress bar;
    mg_cli_progress_init(&bar, "reading");
    stage_ctx sc = {.tty = mg_cli_stderr_is_tty() != 0, .bar = &bar};
    mg_cli_digest digest = {0};
    if (a->from == NULL)
        mg_cli_digest_start(&digest, data_path);

    mg_gate_run_options o;
    mg_gate_run_options_init(&o);
    o.threads = (int)a->threads;
    o.model_options = (mg_model_options){.threads = (int)a->threads,
                                         .progress = mg_cli_progress_report,
                                         .progress_ctx = &bar,
                                         .python = a->python,
                                         .adapters_dir = mg_cli_adapters_dir()};
    o.read = (mg_read_options){.threads = (int)a->threads,
                               .max_rows = limited.max_rows,
                               .progress = mg_cli_progress_report,
                               .progress_ctx = &bar,
                               .sha256_out = mg_cli_digest_sink(&digest)};
    o.stage = on_stage;
    o.stage_ctx = &sc;
    o.progress = mg_cli_progress_report;
    o.progress_ctx = &bar;
    o.marker = a->marker;
    o.data_sha256 = digest_of;
    o.data_sha256_ctx = &digest;
    o.shard_index = a->shard.index;
    o.shard_count = a->shard.count;
    o.partial_only = a->shard.partial != NULL;
    o.from = a->from;

    mg_error err;
    mg_error_clear(&err);
    mg_gate_outcome out;
    mg_status st = mg_gate_run(p, &o, &out, &err);
    mg_cli_progress_end(&bar);
    mg_cli_digest_finish(&digest);
    if (st != MG_OK) {
        rc = mg_cli_fail("gate", &err);
        goto done;
    }
    for (int i = 0; i < out.nnotes; i++)
        mg_cli_eprintf("modelgate gate: %s\n", out.notes[i]);
    if (o.partial_only) {
        rc = write_partial(a, p, &out);
        mg_gate_outcome_release(&out);
        goto done;
    }
    mg_report_inputs in = {.gate_json = out.gate_json,
                           .metrics_json = out.metrics_json,
                           .fairness_json = out.fairness_json,
                           .latency_json = out.latency_json,
                           .comparison_json = out.comparison_json};
    mg_report_options ro;
    mg_report_options_init(&ro);
    if (a->marker != NULL)
        ro.marker_id = a->marker;
    char cwd[4096];
    const char *ws = getenv("GITHUB_WORKSPACE");
    ro.workspace = ws != NULL && ws[0] != '\0' ? ws : NULL;
    ro.cwd = getcwd(cwd, sizeof cwd);
    run_files files;
    memset(&files, 0, sizeof files);
    rc = render(&out, &in, &ro, &files);
    if (rc == 0)
        rc = write_all(outputs, &files);
    const char *gh = getenv("GITHUB_ACTIONS");
    if (rc == 0 && gh != NULL && strcmp(gh, "true") == 0)
        rc = github(&in, &ro, outputs, files.text[5], files.len[5]);
    run_files_release(&files);
    if (rc == 0) {
        if (!a->quiet)
            mg_cli_summary(MG_SUMMARY_GATE, out.gate_json, stderr);
        print_verdicts(&out, p);
        rc = mg_cli_exit_code(out.verdict);
        mg_cli_eprintf("modelgate gate: %s: %d gate%s; results in %s/\n",
                       out.verdict == MG_VERDICT_PASS   ? "pass"
                       : out.verdict == MG_VERDICT_FAIL ? "FAIL"
                                                        : "INCONCLUSIVE",
                       out.ngates, out.ngates == 1 ? "" : "s", outputs);
    }
    mg_gate_outcome_release(&out);
done:
    free(data_path);
    return rc;
}

/* `gate`, or with `from` the gates decided on merged partials (merge). */
static int gate_main(int argc, char **argv, const mg_partial *from) {
    gate_args a = {.threads = 0, .from = from};
    mg_opt opts[] = {
        {"policy", MG_OPT_STRING, &a.policy, "FILE", "the policy file (modelgate.yml)", true,
         false},
        {"model", MG_OPT_STRING, &a.model, "M", "the candidate model (overrides model:)", false,
         false},
        {"test-data", MG_OPT_STRING, &a.test_data, "FILE",
         "the test set (overrides data.test)", false, false},
        {"baseline", MG_OPT_STRING, &a.baseline, "M0", "the baseline model (overrides baseline:)",
         false, false},
        {"registry", MG_OPT_STRING, &a.registry, "DIR",
         "the registry for registry: models (default $MODELGATE_REGISTRY, else "
         ".modelgate/registry)",
         false, false},
        {"outputs", MG_OPT_STRING, &a.outputs, "DIR",
         "where the result files go (overrides outputs.dir; default modelgate-results/)",
         false, false},
        {"set", MG_OPT_REPEAT, &a.sets, "KEY=VALUE",
         "override one policy key, e.g. gates.accuracy.min=0.9", false, false},
        {"on-inconclusive", MG_OPT_STRING, &a.on_inconclusive, "fail|warn|pass",
         "what an inconclusive gate does (overrides on_inconclusive:)", false, false},
        {"marker", MG_OPT_STRING, &a.marker, "ID",
         "the report's hidden marker <!-- modelgate:ID --> (default outputs.id, else gate)", false,
         false},
        MG_CLI_OPT_THREADS(&a.threads),
        MG_CLI_OPT_PYTHON(&a.python),
        MG_CLI_OPT_QUIET(&a.quiet),
        MG_CLI_SIGN_KEY_OPTION,
        MG_CLI_LIMIT_OPTS(&a.limits),
        MG_CLI_SHARD_OPTS(&a.shard),
        MG_OPT_END_ENTRY,
    };
    a.opts = opts;
    int rc = mg_opts_parse("gate", synopsis, opts, argc, argv, NULL);
    if (rc == 0)
        rc = mg_cli_shard_check("gate", opts, &a.shard);
    if (rc == 0)
        rc = mg_cli_refuse_overwrite("gate", opts, "partial");
    if (rc != 0) {
        rc = rc == 1 ? MG_EXIT_PASS : rc;
        mg_strlist_release(&a.sets);
        return rc;
    }
    if (a.threads < 0) {
        mg_cli_eprintf("modelgate gate: --threads must not be negative\n");
        mg_strlist_release(&a.sets);
        return MG_EXIT_USAGE;
    }
    if (a.sets.n > MAX_SETS) {
        mg_cli_eprintf("modelgate gate: at most %d --set overrides\n", MAX_SETS);
        mg_strlist_release(&a.sets);
        return MG_EXIT_USAGE;
    }
    if (a.registry != NULL)
        setenv("MODELGATE_REGISTRY", a.registry, 1);
    mg_policy p;
    mg_error err;
    mg_error_clear(&err);
    if (mg_policy_load(a.policy, &p, &err) != MG_OK) {
        rc = mg_cli_fail("gate", &err);
        goto out;
    }
    /* Flags over --set over the file. */
    for (int i = 0; i < a.sets.n; i++) {
        mg_error_clear(&err);
        if (mg_policy_set(&p, a.sets.items[i], &err) != MG_OK) {
            mg_cli_eprintf("modelgate gate: --set %s: %s\n", a.sets.items[i], err.text);
            rc = MG_EXIT_USAGE;
            goto out;
        }
    }
    if ((rc = set_flag(&p, "model", "--model", a.model)) != 0 ||
        (rc = set_flag(&p, "data.test", "--test-data", a.test_data)) != 0 ||
        (rc = set_flag(&p, "baseline", "--baseline", a.baseline)) != 0 ||
        (rc = set_flag(&p, "on_inconclusive", "--on-inconclusive", a.on_inconclusive)) != 0)
        goto out;
    mg_error_clear(&err);
    if (mg_policy_validate(&p, &err) != MG_OK) {
        rc = mg_cli_fail("gate", &err);
        goto out;
    }
    if (a.marker != NULL && !mg_github_marker_id_valid(a.marker)) {
        mg_cli_eprintf("modelgate gate: --marker '%s': expected 1 to 64 characters of A-Z a-z "
                       "0-9 . _ -\n",
                       a.marker);
        rc = MG_EXIT_USAGE;
        goto out;
    }
    if (a.marker == NULL && p.report_id != NULL) {
        a.marker = p.report_id;
        if (!mg_github_marker_id_valid(a.marker)) {
            char place[240];
            mg_cli_eprintf("modelgate gate: %s '%s': expected 1 to 64 characters of "
                           "A-Z a-z 0-9 . _ -\n",
                           mg_policy_where(&p, "outputs.id", place, sizeof place), a.marker);
            rc = MG_EXIT_USAGE;
            goto out;
        }
    }
    /* A merge decides with the policy the shards used: the same bytes (the
     * --set overrides are among the options the partials recorded). */
    if (from != NULL && (from->policy_sha256 == NULL || strcmp(from->policy_sha256, p.sha256) != 0)) {
        mg_cli_eprintf("modelgate gate: %s: not the policy the shards ran with (sha256 %.12s..., "
                       "theirs %.12s...); merge with the same policy file\n",
                       a.policy, p.sha256, from->policy_sha256 ? from->policy_sha256 : "(none)");
        rc = MG_EXIT_USAGE;
        goto out;
    }
    rc = run(&a, &p);
out:
    mg_policy_release(&p);
    mg_strlist_release(&a.sets);
    return rc;
}

int cmd_gate(int argc, char **argv) {
    return gate_main(argc, argv, NULL);
}

int mg_cli_gate_merged(int argc, char **argv, const mg_partial *from) {
    return gate_main(argc, argv, from);
}
