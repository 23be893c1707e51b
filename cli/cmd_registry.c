/* cmd_registry.c - `modelgate registry SUBCOMMAND`: the thin caller of
 * lib/registry (DESIGN §12). Refusals and unknown names exit 2; a verify
 * that finds tampering exits 1. */
#include "commands.h"
#include "modelgate/registry.h"
#include "options.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

typedef struct sub {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis;
} sub;

static const char *registry_dir = NULL;
static const char *reason = NULL;

#define REGISTRY_OPT                                                                               \
    {                                                                                              \
        "registry", MG_OPT_STRING, &registry_dir, "DIR",                                           \
            "the registry (default $MODELGATE_REGISTRY, else .modelgate/registry)", false, false   \
    }
#define REASON_OPT                                                                                 \
    { "reason", MG_OPT_STRING, &reason, "TEXT", "why, recorded in the event", false, false }

static int fail(const mg_error *err) {
    return mg_cli_fail("registry", err);
}

static int open_reg(int create, mg_registry **reg) {
    mg_error err;
    mg_error_clear(&err);
    if (mg_registry_open(mg_registry_locate(registry_dir), create, reg, &err) != MG_OK)
        return fail(&err);
    return 0;
}

/* Parses a subcommand's flags and exactly `npos` positional arguments. */
static int parse(const char *cmd, const char *synopsis, mg_opt *opts, int argc, char **argv,
                 mg_strlist *pos, int npos, const char *what) {
    int rc = mg_opts_parse(cmd, synopsis, opts, argc, argv, pos);
    if (rc != 0)
        return rc == 1 ? -1 : rc;
    if (pos->n != npos) {
        mg_cli_eprintf("modelgate %s: expects %s (see --help)\n", cmd, what);
        return MG_EXIT_USAGE;
    }
    return 0;
}

static int parse_version(const char *s, int64_t *v) {
    if (s[0] == 'v')
        s++;
    char *end = NULL;
    long long n = strtoll(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || n <= 0)
        return -1;
    *v = n;
    return 0;
}

static const char push_syn[] = "NAME FILE: store FILE as the next version of model NAME; prints it";
static int sub_push(int argc, char **argv) {
    mg_strlist meta = {0}, pos = {0};
    mg_opt opts[] = {
        REGISTRY_OPT,
        {"meta", MG_OPT_LIST, &meta, "KEY=VALUE", "metadata (repeatable)", false, false},
        REASON_OPT,
        MG_OPT_END_ENTRY};
    int rc = parse("registry push", push_syn, opts, argc, argv, &pos, 2, "NAME FILE");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(1, &reg);
    if (rc == 0) {
        mg_error err;
        mg_registry_version v;
        if (mg_registry_push(reg, pos.items[0], pos.items[1], (const char *const *)meta.items,
                             meta.n, reason, &v, &err) != MG_OK) {
            rc = fail(&err);
        } else {
            printf("v%lld\n", (long long)v.version);
            mg_cli_eprintf("modelgate registry: pushed %s v%lld (%s, sha256 %s)\n", v.name,
                           (long long)v.version, v.filename, v.digest);
            mg_registry_version_release(&v);
        }
    }
    mg_registry_close(reg);
    mg_strlist_release(&meta);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char fetch_syn[] =
    "NAME: write a version (default: the one --stage production holds) under its original file "
    "name, and meta.json, into --output DIR";
static int sub_fetch(int argc, char **argv) {
    mg_strlist pos = {0};
    const char *stage = NULL, *version = NULL, *output = NULL;
    mg_opt opts[] = {
        REGISTRY_OPT,
        {"stage", MG_OPT_STRING, &stage, "STAGE", "the version this stage holds", false, false},
        {"version", MG_OPT_STRING, &version, "N", "version N (or vN)", false, false},
        {"output", MG_OPT_STRING, &output, "DIR", "where to write", true, false},
        MG_OPT_END_ENTRY};
    int rc = parse("registry fetch", fetch_syn, opts, argc, argv, &pos, 1, "NAME");
    int64_t v = 0;
    if (rc == 0 && stage != NULL && version != NULL) {
        mg_cli_eprintf("modelgate registry fetch: give --stage or --version, not both\n");
        rc = MG_EXIT_USAGE;
    }
    if (rc == 0 && version != NULL && parse_version(version, &v) != 0) {
        mg_cli_eprintf("modelgate registry fetch: --version expects N or vN, got '%s'\n", version);
        rc = MG_EXIT_USAGE;
    }
    if (rc == 0 && stage == NULL && version == NULL)
        stage = "production";
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        mg_registry_version ver;
        if (mg_registry_resolve(reg, pos.items[0], stage, v, &ver, &err) != MG_OK ||
            mg_registry_fetch(reg, &ver, output, &err) != MG_OK) {
            rc = fail(&err);
        } else {
            size_t n = strlen(output);
            while (n > 1 && output[n - 1] == '/')
                n--;
            printf("%.*s/%s\n", (int)n, output, ver.filename);
            mg_cli_eprintf("modelgate registry: fetched %s v%lld (sha256 %s, verified)\n", ver.name,
                           (long long)ver.version, ver.digest);
        }
        mg_registry_version_release(&ver);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char promote_syn[] =
    "NAME VERSION --stage STAGE --evidence gate.json: point STAGE at VERSION, refused unless "
    "gate.json passed for this very model (and is signed by a trusted key, when keys are trusted)";
static int sub_promote(int argc, char **argv) {
    mg_strlist pos = {0};
    const char *stage = NULL, *evidence = NULL;
    mg_opt opts[] = {
        REGISTRY_OPT,
        {"stage", MG_OPT_STRING, &stage, "STAGE", "staging, production, ...", true, false},
        {"evidence", MG_OPT_STRING, &evidence, "gate.json",
         "the passing gate result (and gate.json.sig when keys are trusted)", false, false},
        REASON_OPT,
        MG_OPT_END_ENTRY};
    int rc = parse("registry promote", promote_syn, opts, argc, argv, &pos, 2, "NAME VERSION");
    int64_t v = 0;
    if (rc == 0 && parse_version(pos.items[1], &v) != 0) {
        mg_cli_eprintf("modelgate registry promote: VERSION expects N or vN, got '%s'\n",
                       pos.items[1]);
        rc = MG_EXIT_USAGE;
    }
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        mg_error_clear(&err);
        if (mg_registry_promote(reg, pos.items[0], v, stage, evidence, reason, &err) != MG_OK)
            rc = fail(&err);
        else
            mg_cli_eprintf("modelgate registry: %s v%lld is now %s\n", pos.items[0], (long long)v,
                           stage);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char rollback_syn[] =
    "NAME --stage STAGE: point STAGE back at the version it held before its current one";
static int sub_rollback(int argc, char **argv) {
    mg_strlist pos = {0};
    const char *stage = NULL;
    mg_opt opts[] = {
        REGISTRY_OPT,
        {"stage", MG_OPT_STRING, &stage, "STAGE", "the stage to roll back", true, false},
        REASON_OPT,
        MG_OPT_END_ENTRY};
    int rc = parse("registry rollback", rollback_syn, opts, argc, argv, &pos, 1, "NAME");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        int64_t from = 0, to = 0;
        if (mg_registry_rollback(reg, pos.items[0], stage, reason, &from, &to, &err) != MG_OK)
            rc = fail(&err);
        else
            mg_cli_eprintf("modelgate registry: %s %s rolled back from v%lld to v%lld\n",
                           pos.items[0], stage, (long long)from, (long long)to);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static void print_entry(void *ctx, const mg_registry_entry *e) {
    (void)ctx;
    printf("%-24s v%-5lld %.12s  %s\n", e->name, (long long)e->versions, e->latest_digest,
           e->stages[0] ? e->stages : "-");
}

static const char list_syn[] = ": every model, its latest version and what each stage holds";
static int sub_list(int argc, char **argv) {
    mg_strlist pos = {0};
    mg_opt opts[] = {REGISTRY_OPT, MG_OPT_END_ENTRY};
    int rc = parse("registry list", list_syn, opts, argc, argv, &pos, 0, "no arguments");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        printf("%-24s %-6s %-12s  %s\n", "NAME", "LATEST", "SHA256", "STAGES");
        if (mg_registry_list(reg, print_entry, NULL, &err) != MG_OK)
            rc = fail(&err);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static void print_event(void *ctx, const mg_registry_event *e) {
    (void)ctx;
    printf("%s  %-8s v%-3lld", e->at, e->action, (long long)e->version);
    if (e->stage != NULL) {
        if (e->from_version > 0)
            printf(" %s (was v%lld)", e->stage, (long long)e->from_version);
        else
            printf(" %s", e->stage);
    }
    printf("  by %s  sha256 %.12s", e->who, e->digest ? e->digest : "-");
    if (e->evidence_sha256)
        printf("  evidence %.12s", e->evidence_sha256);
    if (e->signer)
        printf("  signed by key %.12s", e->signer);
    if (e->why)
        printf("  \"%s\"", e->why);
    printf("\n");
}

static const char history_syn[] = "NAME: every event of model NAME, oldest first";
static int sub_history(int argc, char **argv) {
    mg_strlist pos = {0};
    mg_opt opts[] = {REGISTRY_OPT, MG_OPT_END_ENTRY};
    int rc = parse("registry history", history_syn, opts, argc, argv, &pos, 1, "NAME");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        if (mg_registry_history(reg, pos.items[0], print_event, NULL, &err) != MG_OK)
            rc = fail(&err);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static void print_problem(void *ctx, const char *line) {
    (*(int *)ctx)++;
    mg_cli_eprintf("modelgate registry verify: %s\n", line);
}

static const char verify_syn[] =
    ": check every event's hash and chain link, the stages and versions against the events, and "
    "every blob against its digest (exit 1 when anything is wrong)";
static int sub_verify(int argc, char **argv) {
    mg_strlist pos = {0};
    mg_opt opts[] = {REGISTRY_OPT, MG_OPT_END_ENTRY};
    int rc = parse("registry verify", verify_syn, opts, argc, argv, &pos, 0, "no arguments");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        int64_t nev = 0, nblobs = 0;
        int nproblems = 0;
        mg_status st = mg_registry_verify(reg, print_problem, &nproblems, &nev, &nblobs, &err);
        if (st == MG_OK) {
            printf("ok: %lld events, %lld blobs verified\n", (long long)nev, (long long)nblobs);
        } else if (st == MG_ERR_DATA) {
            /* The last line says why: the one problem, or how many and the first. */
            if (nproblems > 1)
                mg_cli_eprintf("modelgate registry verify: %d problems; the first: %s\n", nproblems,
                               err.text);
            rc = MG_EXIT_FAIL;
        } else {
            rc = fail(&err);
        }
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char trust_syn[] =
    "add KEY.pub: require promotions' evidence to be signed by this Ed25519 public key (or "
    "another trusted one)";
static int sub_trust(int argc, char **argv) {
    mg_strlist pos = {0};
    mg_opt opts[] = {REGISTRY_OPT, MG_OPT_END_ENTRY};
    int rc = parse("registry trust", trust_syn, opts, argc, argv, &pos, 2, "add KEY.pub");
    if (rc == 0 && strcmp(pos.items[0], "add") != 0) {
        mg_cli_eprintf("modelgate registry trust: unknown action '%s' (expected: add)\n",
                       pos.items[0]);
        rc = MG_EXIT_USAGE;
    }
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(1, &reg);
    if (rc == 0) {
        mg_error err;
        char fpr[65];
        if (mg_registry_trust_add(reg, pos.items[1], fpr, &err) != MG_OK)
            rc = fail(&err);
        else
            printf("trusted key sha256 %s\n", fpr);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char export_syn[] =
    "NAME --output FILE.tar: model NAME's events and blobs, for another machine or a CI cache";
static int sub_export(int argc, char **argv) {
    mg_strlist pos = {0};
    const char *output = NULL;
    mg_opt opts[] = {
        REGISTRY_OPT,
        {"output", MG_OPT_STRING, &output, "FILE.tar", "the tar to write", true, false},
        MG_OPT_END_ENTRY};
    int rc = parse("registry export", export_syn, opts, argc, argv, &pos, 1, "NAME");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(0, &reg);
    if (rc == 0) {
        mg_error err;
        int64_t n = 0;
        if (mg_registry_export(reg, pos.items[0], output, &n, &err) != MG_OK)
            rc = fail(&err);
        else
            mg_cli_eprintf("modelgate registry: exported %s (%lld events) to %s\n", pos.items[0],
                           (long long)n, output);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char import_syn[] =
    "FILE.tar: verify an export (digests and hash chain) and add the events this registry lacks";
static int sub_import(int argc, char **argv) {
    mg_strlist pos = {0};
    mg_opt opts[] = {REGISTRY_OPT, MG_OPT_END_ENTRY};
    int rc = parse("registry import", import_syn, opts, argc, argv, &pos, 1, "FILE.tar");
    mg_registry *reg = NULL;
    if (rc == 0)
        rc = open_reg(1, &reg);
    if (rc == 0) {
        mg_error err;
        char *name = NULL;
        int64_t n = 0;
        if (mg_registry_import(reg, pos.items[0], &name, &n, &err) != MG_OK)
            rc = fail(&err);
        else
            mg_cli_eprintf("modelgate registry: imported %s (%lld new events, verified)\n", name,
                           (long long)n);
        free(name);
    }
    mg_registry_close(reg);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const char sign_syn[] =
    "FILE --sign-key KEY.pem: write FILE.sig, a detached Ed25519 signature of FILE";
static int sub_sign(int argc, char **argv) {
    mg_strlist pos = {0};
    mg_opt opts[] = {MG_CLI_SIGN_KEY_OPTION, MG_OPT_END_ENTRY};
    opts[0].required = true;
    int rc = parse("registry sign", sign_syn, opts, argc, argv, &pos, 1, "FILE");
    if (rc == 0)
        rc = mg_cli_sign_output("registry sign", pos.items[0]);
    if (rc == 0)
        mg_cli_eprintf("modelgate registry: wrote %s.sig\n", pos.items[0]);
    mg_strlist_release(&pos);
    return rc < 0 ? 0 : rc;
}

static const sub subs[] = {
    {"push", sub_push, push_syn},          {"fetch", sub_fetch, fetch_syn},
    {"promote", sub_promote, promote_syn}, {"rollback", sub_rollback, rollback_syn},
    {"list", sub_list, list_syn},          {"history", sub_history, history_syn},
    {"verify", sub_verify, verify_syn},    {"trust", sub_trust, trust_syn},
    {"export", sub_export, export_syn},    {"import", sub_import, import_syn},
    {"sign", sub_sign, sign_syn},
};

static void usage(FILE *out) {
    fprintf(out, "usage: modelgate registry SUBCOMMAND [OPTIONS]\n\n"
                 "The model registry: versions, stages, and promotions proven by evidence.\n\n");
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        fprintf(out, "  registry %-8s %s\n", subs[i].name, subs[i].synopsis);
    fprintf(out, "\noptions:\n"
                 "  --registry DIR     the registry (default $MODELGATE_REGISTRY, else "
                 ".modelgate/registry)\n"
                 "  --meta KEY=VALUE   push: metadata (repeatable)\n"
                 "  --reason TEXT      push, promote, rollback: why, recorded in the event\n"
                 "  --stage STAGE      fetch, promote, rollback: the stage\n"
                 "  --version N        fetch: a version instead of a stage\n"
                 "  --evidence FILE    promote: the passing gate.json\n"
                 "  --output PATH      fetch: a directory; export: a tar file\n"
                 "  --sign-key KEY.pem sign: the Ed25519 private key\n"
                 "\nRun 'modelgate registry SUBCOMMAND --help' for one subcommand.\n");
}

int cmd_registry(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return MG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return MG_EXIT_PASS;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(subs[i].name, argv[1]) == 0)
            return subs[i].fn(argc - 1, argv + 1);
    mg_cli_eprintf(
        "modelgate registry: unknown subcommand '%s' (see 'modelgate registry --help')\n", argv[1]);
    return MG_EXIT_USAGE;
}
