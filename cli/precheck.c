/* precheck.c - the columns named by flags checked against the test data's
 * header or schema before any data is read or any model starts; a missing
 * one is reported with the available columns, closest first. */
#include "precheck.h"
#include "commands.h"
#include "modelgate/metric_registry.h"
#include "modelgate/modelgate.h"
#include "output.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "banned.h"

/* Names listed in a message before "... (N more)". */
#define MAX_LISTED 12

char mg_cli_parse_delimiter(const char *text) {
    if (strcmp(text, ",") == 0 || strcmp(text, ";") == 0 || strcmp(text, "|") == 0)
        return text[0];
    if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0 || strcmp(text, "\t") == 0)
        return '\t';
    return 0;
}

static const mg_opt *find_opt(const mg_opt *opts, const char *name) {
    for (const mg_opt *o = opts; o->kind != MG_OPT_END; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

static const char *string_opt(const mg_opt *opts, const char *name) {
    const mg_opt *o = find_opt(opts, name);
    return o != NULL && o->kind == MG_OPT_STRING ? *(const char *const *)o->value : NULL;
}

/* Edit distance, case-insensitive, of the first 63 bytes of each word: only
 * orders the suggestions. */
static int distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    la = la > 63 ? 63 : la;
    lb = lb > 63 ? 63 : lb;
    int row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            int best = diag + !same;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

typedef struct checker {
    const char *command, *path;
    const mg_column_schema *cols;
    int n;
    char delimiter; /* the one the header was read with (',' by default) */
} checker;

/* Prints the message for `name` missing (named by --flag). */
static void report_missing(const checker *c, const char *name, const char *flag) {
    char guess = c->n == 1 ? mg_csv_delimiter_guess(c->cols[0].name) : 0;
    if (guess != 0 && guess != c->delimiter) {
        const char *how = guess == '\t' ? "a tab" : guess == ';' ? "';'" : "'|'";
        const char *arg = guess == '\t' ? "tab" : guess == ';' ? "';'" : "'|'";
        mg_cli_eprintf("modelgate %s: %s: no column '%s' (--%s); the header is one column that "
                       "looks separated by %s: --delimiter %s reads it\n",
                       c->command, c->path, name, flag, how, arg);
        return;
    }
    const char **names = malloc((size_t)c->n * sizeof *names);
    int *dist = malloc((size_t)c->n * sizeof *dist);
    if (names == NULL || dist == NULL) {
        free(names);
        free(dist);
        mg_cli_eprintf("modelgate %s: %s: no column '%s' (--%s)\n", c->command, c->path, name,
                       flag);
        return;
    }
    for (int i = 0; i < c->n; i++) {
        names[i] = c->cols[i].name;
        dist[i] = distance(name, names[i]);
    }
    const char *near = mg_closest_name(name, names, c->n);
    /* Closest first: the suggestion, then the others by distance (stable). */
    for (int i = 1; i < c->n; i++)
        for (int k = i; k > 0 && dist[k] < dist[k - 1]; k--) {
            const char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
            int d = dist[k];
            dist[k] = dist[k - 1];
            dist[k - 1] = d;
        }
    char list[1024];
    size_t used = 0;
    list[0] = '\0';
    int listed = 0;
    if (near != NULL) {
        used += (size_t)snprintf(list, sizeof list, "%s", near);
        listed++;
    }
    for (int i = 0; i < c->n && listed < MAX_LISTED && used < sizeof list; i++) {
        if (names[i] == near)
            continue;
        int w = snprintf(list + used, sizeof list - used, "%s%s", listed ? ", " : "", names[i]);
        used += w > 0 ? (size_t)w : 0;
        listed++;
    }
    char more[48] = "";
    if (c->n > listed)
        snprintf(more, sizeof more, ", ... (%d more)", c->n - listed);
    char hint[160] = "";
    if (near != NULL)
        snprintf(hint, sizeof hint, "; did you mean '%.120s'?", near);
    mg_cli_eprintf("modelgate %s: %s: no column '%s' (--%s)%s columns: %s%s\n", c->command, c->path,
                   name, flag, near != NULL ? hint : ";", list, more);
    free(names);
    free(dist);
}

/* 0 when `name` (the first `len` bytes) is a column, else reports it. */
static int check_name(const checker *c, const char *name, size_t len, const char *flag) {
    char buf[256];
    if (len >= sizeof buf)
        return 0; /* longer than any sane name: the read reports it */
    memcpy(buf, name, len);
    buf[len] = '\0';
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->cols[i].name, buf) == 0)
            return 0;
    report_missing(c, buf, flag);
    return MG_EXIT_USAGE;
}

static int check_string(const checker *c, const mg_opt *opts, const char *flag, const char *def) {
    const mg_opt *o = find_opt(opts, flag);
    if (o == NULL || o->kind != MG_OPT_STRING)
        return 0;
    const char *v = *(const char *const *)o->value;
    if (v == NULL)
        v = def;
    return v == NULL ? 0 : check_name(c, v, strlen(v), flag);
}

/* Each item of a list flag; with `upto` an item is the text before it. */
static int check_list(const checker *c, const mg_opt *opts, const char *flag, char upto) {
    const mg_opt *o = find_opt(opts, flag);
    if (o == NULL || o->kind != MG_OPT_LIST)
        return 0;
    const mg_strlist *l = o->value;
    for (int i = 0; i < l->n; i++) {
        const char *s = l->items[i];
        const char *e = upto ? strchr(s, upto) : NULL;
        if (check_name(c, s, e != NULL ? (size_t)(e - s) : strlen(s), flag) != 0)
            return MG_EXIT_USAGE;
    }
    return 0;
}

/* A model flag of the form column:NAME or columns:A,B,C. */
static int check_model(const checker *c, const mg_opt *opts, const char *flag) {
    const char *v = string_opt(opts, flag);
    if (v == NULL)
        return 0;
    if (strncmp(v, "column:", 7) == 0)
        return check_name(c, v + 7, strlen(v + 7), flag);
    if (strncmp(v, "columns:", 8) != 0)
        return 0;
    for (const char *s = v + 8;;) {
        const char *e = strchr(s, ',');
        size_t len = e != NULL ? (size_t)(e - s) : strlen(s);
        if (len > 0 && check_name(c, s, len, flag) != 0)
            return MG_EXIT_USAGE;
        if (e == NULL)
            return 0;
        s = e + 1;
    }
}

int mg_cli_refuse_overwrite(const char *command, const mg_opt *opts, const char *flag) {
    const char *output = string_opt(opts, flag);
    struct stat ost;
    if (output == NULL || strcmp(output, "-") == 0 || stat(output, &ost) != 0 ||
        !S_ISREG(ost.st_mode))
        return 0;
    static const char *const inputs[] = {"test-data",   "model",    "new",   "baseline",
                                         "predictions", "sign-key", "policy"};
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        const char *in = string_opt(opts, inputs[k]);
        struct stat ist;
        if (in != NULL && stat(in, &ist) == 0 && ist.st_dev == ost.st_dev &&
            ist.st_ino == ost.st_ino) {
            mg_cli_eprintf("modelgate %s: --%s %s is the --%s file; writing it would replace "
                           "that input\n",
                           command, flag, output, inputs[k]);
            return MG_EXIT_USAGE;
        }
    }
    return 0;
}

int mg_cli_precheck(const char *command, mg_opt *opts, bool label_required, char *delimiter) {
    *delimiter = 0;
    /* --test-data - reads standard input, as --output - writes standard output. */
    mg_opt *td = (mg_opt *)(uintptr_t)find_opt(opts, "test-data");
    if (td != NULL && td->kind == MG_OPT_STRING && *(const char **)td->value != NULL &&
        strcmp(*(const char **)td->value, "-") == 0)
        *(const char **)td->value = "/dev/stdin";
    /* --predictions - reads standard input too. */
    mg_opt *pr = (mg_opt *)(uintptr_t)find_opt(opts, "predictions");
    if (pr != NULL && pr->kind == MG_OPT_STRING && *(const char **)pr->value != NULL &&
        strcmp(*(const char **)pr->value, "-") == 0)
        *(const char **)pr->value = "/dev/stdin";
    /* A decision threshold is a probability. */
    const mg_opt *dt = find_opt(opts, "decision-threshold");
    if (dt != NULL && dt->seen && dt->kind == MG_OPT_DOUBLE &&
        !(*(const double *)dt->value >= 0 && *(const double *)dt->value <= 1)) {
        mg_cli_eprintf("modelgate %s: --decision-threshold %g: expected a probability in [0, 1]\n",
                       command, *(const double *)dt->value);
        return MG_EXIT_USAGE;
    }
    /* The output is never one of the inputs: writing it would replace them. */
    if (mg_cli_refuse_overwrite(command, opts, "output") != 0 ||
        mg_cli_refuse_overwrite(command, opts, "partial") != 0)
        return MG_EXIT_USAGE;
    /* One column, one role: the label cannot also weigh or name the rows. */
    const char *label = string_opt(opts, "label");
    label = label != NULL ? label : "label";
    static const char *const roles[] = {"weight", "id"};
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
        const char *v = string_opt(opts, roles[k]);
        if (v != NULL && strcmp(v, label) == 0) {
            mg_cli_eprintf("modelgate %s: --%s names column '%s', which is the label (--label); "
                           "a column has one role\n",
                           command, roles[k], v);
            return MG_EXIT_USAGE;
        }
    }
    const char *dtext = string_opt(opts, "delimiter");
    if (dtext != NULL && (*delimiter = mg_cli_parse_delimiter(dtext)) == 0) {
        mg_cli_eprintf("modelgate %s: --delimiter '%s': expected ',', ';', '|' or tab\n", command,
                       dtext);
        return MG_EXIT_USAGE;
    }
    const char *path = string_opt(opts, "test-data");
    struct stat st;
    if (path == NULL || stat(path, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
        return 0;
    mg_read_options ro = {.delimiter = *delimiter};
    mg_column_schema *cols = NULL;
    int n = 0;
    mg_error err;
    mg_error_clear(&err);
    if (mg_table_columns(path, &ro, &cols, &n, &err) != MG_OK)
        return 0; /* the read says what is wrong with the file */
    checker c = {command, path, cols, n, *delimiter ? *delimiter : ','};
    const char *preds = string_opt(opts, "predictions");
    /* Without a required label (predict, benchmark) a test set may lack it:
     * --label only says which column is not a feature when there is one. */
    int rc = label_required ? check_string(&c, opts, "label", "label") : 0;
    if (rc == 0)
        rc = check_string(&c, opts, "weight", NULL);
    if (rc == 0)
        rc = check_string(&c, opts, "id", NULL);
    static const char *const lists[] = {"protected-attributes", "ignore", "features", "columns"};
    for (size_t k = 0; rc == 0 && k < sizeof lists / sizeof lists[0]; k++)
        rc = check_list(&c, opts, lists[k], 0);
    if (rc == 0)
        rc = check_list(&c, opts, "column-type", '=');
    static const char *const models[] = {"model", "new", "baseline"};
    for (size_t k = 0; rc == 0 && preds == NULL && k < sizeof models / sizeof models[0]; k++)
        rc = check_model(&c, opts, models[k]);
    mg_column_schemas_free(cols, n);
    return rc;
}
