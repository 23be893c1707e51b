/* shard_options.c - --shard and --partial, and the options a partial records. */
#include "shard_options.h"
#include "commands.h"
#include "exit.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int mg_cli_shard_check(const char *command, const mg_opt *opts, mg_cli_shard *s) {
    s->index = -1;
    s->count = 0;
    /* A shard's run writes its partial result and nothing else: an output
     * flag beside --partial would be silently unused. */
    for (const mg_opt *o = opts; s->partial != NULL && o->kind != MG_OPT_END; o++)
        if (o->seen && (strcmp(o->name, "output") == 0 || strcmp(o->name, "outputs") == 0)) {
            mg_cli_eprintf("modelgate %s: --%s has no use with --partial: a shard writes only its "
                           "partial result (`modelgate merge PARTIAL... --output` writes the "
                           "results)\n",
                           command, o->name);
            return MG_EXIT_USAGE;
        }
    if (s->shard == NULL)
        return 0;
    const char *why = NULL;
    if (mg_shard_parse(s->shard, &s->index, &s->count, &why) != 0) {
        mg_cli_eprintf("modelgate %s: --shard %s: %s\n", command, s->shard, why);
        return MG_EXIT_USAGE;
    }
    if (s->partial == NULL) {
        mg_cli_eprintf("modelgate %s: --shard %s needs --partial FILE (a shard's result is "
                       "merged with `modelgate merge`)\n",
                       command, s->shard);
        return MG_EXIT_USAGE;
    }
    return 0;
}

/* The options one shard may set otherwise than another. */
static const char *const per_shard[] = {
    "test-data", "model",          "output",  "shard",    "partial", "threads",
    "python",    "batch-size",     "quiet",   "max-rows", "max-memory",
    "sign-key",  "runner-timeout", "runner-start-timeout", "max-input-bytes", "predictions"};

static int add(char ***out, int *n, const char *name, const char *value) {
    char **l = realloc(*out, ((size_t)*n + 1) * sizeof *l);
    if (l == NULL)
        return -1;
    *out = l;
    size_t len = strlen(name) + (value ? strlen(value) : 0) + 4;
    if ((l[*n] = malloc(len)) == NULL)
        return -1;
    snprintf(l[*n], len, "--%s%s%s", name, value ? "=" : "", value ? value : "");
    (*n)++;
    return 0;
}

int mg_cli_record_options(const mg_opt *opts, char ***out, int *n) {
    *out = NULL;
    *n = 0;
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++) {
        if (!o->seen)
            continue;
        bool skip = false;
        for (size_t k = 0; k < sizeof per_shard / sizeof per_shard[0]; k++)
            skip |= strcmp(o->name, per_shard[k]) == 0;
        if (skip)
            continue;
        char num[40];
        int rc = 0;
        switch (o->kind) {
        case MG_OPT_FLAG:
            if (*(const bool *)o->value)
                rc = add(out, n, o->name, NULL);
            break;
        case MG_OPT_STRING: rc = add(out, n, o->name, *(const char *const *)o->value); break;
        case MG_OPT_DOUBLE:
            /* The shortest text that reads back as the same double. */
            mg_format_double(*(const double *)o->value, num, sizeof num);
            rc = add(out, n, o->name, num);
            break;
        case MG_OPT_INT:
            snprintf(num, sizeof num, "%ld", *(const long *)o->value);
            rc = add(out, n, o->name, num);
            break;
        case MG_OPT_LIST:
        case MG_OPT_REPEAT: {
            const mg_strlist *l = o->value;
            for (int i = 0; rc == 0 && i < l->n; i++)
                rc = add(out, n, o->name, l->items[i]);
            break;
        }
        case MG_OPT_END: break;
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

int mg_cli_write_partial(const char *command, const mg_opt *opts, mg_partial *p,
                         const char *path) {
    free(p->command);
    p->command = strdup(command);
    if (p->command == NULL || mg_cli_record_options(opts, &p->options, &p->noptions) != 0) {
        mg_cli_eprintf("modelgate %s: out of memory for the partial result\n", command);
        return MG_EXIT_INTERNAL;
    }
    char *data = NULL;
    size_t len = 0;
    mg_error err;
    mg_error_clear(&err);
    if (mg_partial_encode(p, &data, &len, &err) != MG_OK)
        return mg_cli_fail(command, &err);
    int rc = mg_cli_write_file(command, path, data, len);
    free(data);
    return rc;
}

void mg_cli_merge_relax(mg_opt *opts) {
    for (mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        if (strcmp(o->name, "model") == 0 || strcmp(o->name, "test-data") == 0)
            o->required = false;
}
