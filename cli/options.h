/* options.h - options as data: one table per command drives parsing, --help
 * and the docs check (git's parse-options, curl's getparam table). */
#ifndef MG_CLI_OPTIONS_H
#define MG_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* The largest --threads any command accepts (each command's docs page says so). */
#define MG_CLI_MAX_THREADS 1024

typedef enum mg_opt_kind {
    MG_OPT_FLAG,   /* bool, no value */
    MG_OPT_STRING, /* const char *, the argv string (borrowed) */
    MG_OPT_DOUBLE, /* double */
    MG_OPT_INT,    /* long */
    MG_OPT_LIST,   /* mg_strlist: repeatable; comma-separated values are split */
    MG_OPT_REPEAT, /* mg_strlist: repeatable; each value kept whole (commas and all) */
    MG_OPT_END
} mg_opt_kind;

/* A repeatable option's values (owned strings; free with mg_strlist_release). */
typedef struct mg_strlist {
    char **items;
    int n;
} mg_strlist;

typedef struct mg_opt {
    const char *name; /* long name without dashes */
    mg_opt_kind kind;
    void *value;         /* where the parsed value goes; type by kind */
    const char *metavar; /* shown in --help (NULL for flags) */
    const char *help;    /* one line */
    bool required;
    bool seen; /* set by the parser */
} mg_opt;

#define MG_OPT_END_ENTRY                                                                           \
    { NULL, MG_OPT_END, NULL, NULL, NULL, false, false }

/* Parses argv[1..argc) (argv[0] is the command name) against opts. Prints the
 * command's help to stdout and returns 1 on --help; prints one line naming the
 * offending option to stderr and returns 2 on a usage error; returns 0 when
 * every required option was given. Positional arguments are refused unless
 * `positional` is non-NULL, where they are collected. */
int mg_opts_parse(const char *command, const char *synopsis, mg_opt *opts, int argc, char **argv,
                  mg_strlist *positional);

/* Prints the help generated from the table. */
void mg_opts_help(const char *command, const char *synopsis, const mg_opt *opts, void *stream);

void mg_strlist_release(mg_strlist *l);

/* Splits "a=b" into key and number; returns 0 on success. */
int mg_parse_key_number(const char *arg, char *key, size_t keycap, double *value);

/* Splits --na-values' argument on commas into out, keeping empty items (an
 * empty item is the empty cell: "" alone means only empty cells are
 * missing). NULL adds nothing. Returns 0, or -1 when out of memory. */
int mg_na_values_split(const char *arg, mg_strlist *out);

/* The --na-values entry of a command's option table. */
#define MG_OPT_NA_VALUES(ptr)                                                                      \
    {                                                                                              \
        "na-values", MG_OPT_STRING, (ptr), "LIST",                                                 \
            "cells read as missing, comma-separated, replacing pandas' defaults ('' = only empty " \
            "cells)",                                                                              \
            false, false                                                                           \
    }

#endif
