/* options.c - the option-table parser and the --help it generates. */
#include "options.h"
#include "modelgate/metric_registry.h"
#include "output.h"
#include "modelgate/modelgate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void mg_strlist_release(mg_strlist *l) {
    for (int i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static int strlist_push(mg_strlist *l, const char *s, size_t len) {
    char **items = realloc(l->items, (size_t)(l->n + 1) * sizeof *items);
    if (items == NULL)
        return -1;
    l->items = items;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->items[l->n++] = copy;
    return 0;
}

void mg_opts_help(const char *command, const char *synopsis, const mg_opt *opts, void *stream) {
    FILE *out = stream;
    /* The synopsis: the required options with their values, then the rest. */
    fprintf(out, "usage: modelgate %s", command);
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        if (o->required)
            fprintf(out, " --%s %s", o->name, o->metavar ? o->metavar : "");
    fprintf(out, " [OPTIONS]\n\n%s\n\noptions:\n", synopsis);
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++) {
        char left[64];
        if (o->metavar != NULL)
            snprintf(left, sizeof left, "--%s %s", o->name, o->metavar);
        else
            snprintf(left, sizeof left, "--%s", o->name);
        fprintf(out, "  %-30s %s%s%s\n", left, o->help, o->required ? " (required)" : "",
                o->kind == MG_OPT_LIST || o->kind == MG_OPT_REPEAT ? " (repeatable)" : "");
    }
    fprintf(out, "  %-30s %s\n", "--help", "show this help and exit");
}

static mg_opt *find(mg_opt *opts, const char *name, size_t len) {
    for (mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

int mg_opts_parse(const char *command, const char *synopsis, mg_opt *opts, int argc, char **argv,
                  mg_strlist *positional) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            mg_opts_help(command, synopsis, opts, stdout);
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (positional != NULL) {
                if (strlist_push(positional, arg, strlen(arg)) != 0)
                    return 2;
                continue;
            }
            mg_cli_eprintf("modelgate %s: unexpected argument '%s' (see --help)\n", command, arg);
            return 2;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
        mg_opt *o = find(opts, name, namelen);
        if (o == NULL) {
            char given[64];
            snprintf(given, sizeof given, "%.*s", (int)namelen, name);
            const char *names[128];
            int n = 0;
            for (const mg_opt *c = opts; c->kind != MG_OPT_END && n < 128; c++)
                names[n++] = c->name;
            const char *near = mg_closest_name(given, names, n);
            if (near != NULL)
                mg_cli_eprintf("modelgate %s: unknown option '--%.*s'; did you mean '--%s'? (see "
                               "--help)\n",
                               command, (int)namelen, name, near);
            else
                mg_cli_eprintf("modelgate %s: unknown option '--%.*s' (see --help)\n", command,
                               (int)namelen, name);
            return 2;
        }
        const char *val = NULL;
        if (o->kind == MG_OPT_FLAG) {
            if (eq != NULL) {
                mg_cli_eprintf("modelgate %s: option '--%s' takes no value\n", command, o->name);
                return 2;
            }
            *(bool *)o->value = true;
            o->seen = true;
            continue;
        }
        if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            mg_cli_eprintf("modelgate %s: option '--%s' needs a value (%s)\n", command, o->name,
                           o->metavar ? o->metavar : "VALUE");
            return 2;
        }
        switch (o->kind) {
        case MG_OPT_STRING:
            if (o->seen) {
                mg_cli_eprintf("modelgate %s: option '--%s' given twice\n", command, o->name);
                return 2;
            }
            *(const char **)o->value = val;
            break;
        case MG_OPT_DOUBLE: {
            double d;
            if (mg_parse_double(val, strlen(val), &d) != 0 || d != d) {
                mg_cli_eprintf("modelgate %s: option '--%s' expects a number, got '%s'\n", command,
                               o->name, val);
                return 2;
            }
            *(double *)o->value = d;
            break;
        }
        case MG_OPT_INT: {
            int64_t v;
            if (mg_parse_int64(val, strlen(val), &v) != 0 || v < -2147483647 || v > 2147483647) {
                mg_cli_eprintf("modelgate %s: option '--%s' expects an integer, got '%s'\n",
                               command, o->name, val);
                return 2;
            }
            /* Every command's --threads: a thread per CPU is the useful most; a
             * value far beyond any machine is a typo or an attack on the host. */
            if (strcmp(o->name, "threads") == 0 && (v < 0 || v > MG_CLI_MAX_THREADS)) {
                mg_cli_eprintf(
                    "modelgate %s: option '--threads' expects 0 to %d (0 = one per CPU), "
                    "got '%s'\n",
                    command, MG_CLI_MAX_THREADS, val);
                return 2;
            }
            *(long *)o->value = (long)v;
            break;
        }
        case MG_OPT_REPEAT:
            if (strlist_push(o->value, val, strlen(val)) != 0)
                return 2;
            break;
        case MG_OPT_LIST: {
            mg_strlist *l = o->value;
            const char *p = val;
            for (;;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                if (len == 0) {
                    mg_cli_eprintf("modelgate %s: option '--%s' has an empty item in '%s'\n",
                                   command, o->name, val);
                    return 2;
                }
                if (strlist_push(l, p, len) != 0)
                    return 2;
                if (comma == NULL)
                    break;
                p = comma + 1;
            }
            break;
        }
        case MG_OPT_FLAG:
        case MG_OPT_END: break;
        }
        o->seen = true;
    }
    for (mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        if (o->required && !o->seen) {
            mg_cli_eprintf("modelgate %s: missing required option '--%s %s' (see --help)\n",
                           command, o->name, o->metavar ? o->metavar : "");
            return 2;
        }
    return 0;
}

int mg_parse_key_number(const char *arg, char *key, size_t keycap, double *value) {
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= keycap)
        return -1;
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    /* A NaN bound would make every comparison false, so every gate pass. */
    if (mg_parse_double(eq + 1, strlen(eq + 1), value) != 0 || *value != *value)
        return -1;
    return 0;
}

int mg_na_values_split(const char *arg, mg_strlist *out) {
    if (arg == NULL)
        return 0;
    for (const char *p = arg;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (strlist_push(out, p, len) != 0)
            return -1;
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}
