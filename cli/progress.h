/* progress.h - a progress line on stderr for long steps (reading the test
 * data, predicting, bootstrap replicates), drawn only when stderr is a
 * terminal and only once the step has run for about a second. The library
 * reports through the progress callbacks of its options structs. */
#ifndef MG_CLI_PROGRESS_H
#define MG_CLI_PROGRESS_H

#include <stdint.h>

/* Seconds a step runs before its progress line appears
 * ($MODELGATE_PROGRESS_DELAY overrides it, for tests). */
#define MG_CLI_PROGRESS_DELAY 1.0

typedef struct mg_cli_progress {
    char label[96];   /* e.g. "predicting", "reading test.csv" */
    const char *unit; /* "rows", "replicates"; NULL shows the percentage alone */
    int active;       /* 1 once a line is on screen */
    int enabled;      /* stderr is a terminal */
    int last_percent;
    double start; /* monotonic seconds at init */
    double delay; /* seconds before the line appears */
} mg_cli_progress;

/* Prepares a line counting rows; draws nothing unless stderr is a terminal. */
void mg_cli_progress_init(mg_cli_progress *p, const char *label);

/* The same with another unit ("replicates"; NULL for bytes, shown as a
 * percentage only). */
void mg_cli_progress_init_unit(mg_cli_progress *p, const char *label, const char *unit);

/* Prepares a "reading FILE" line (FILE's last path component) counting in
 * percent; for mg_read_options.progress. */
void mg_cli_progress_init_reading(mg_cli_progress *p, const char *path);

/* The progress callback of the library's options (mg_read_options,
 * mg_model_options, mg_compare_options, mg_fairness_options): ctx is an
 * mg_cli_progress. */
void mg_cli_progress_report(void *ctx, int64_t done, int64_t total);

/* Clears the line, if one was drawn; the struct may be reused after init. */
void mg_cli_progress_end(mg_cli_progress *p);

/* The progress lines of a pipeline run (mg_evaluate_run, mg_fairness_run):
 * `reading` for the test data (mg_read_options.progress_ctx), `bar` for the
 * later stages (the predictions, then the bootstrap). */
typedef struct mg_cli_stages {
    const char *command;   /* "evaluate": notes print as "modelgate evaluate: ..." */
    const char *test_data; /* for the reading line */
    /* How notes name the models ("--new", "--baseline": "modelgate compare:
     * --new: ..."); NULL = not named. */
    const char *const *model_names;
    mg_cli_progress reading, bar;
} mg_cli_stages;

/* Prepares both lines (bar as "predicting"); no model names. */
void mg_cli_stages_init(mg_cli_stages *s, const char *command, const char *test_data);

/* The stage callback of the pipeline specs (ctx an mg_cli_stages): ends the
 * current line and starts the stage's: "reading", "predicting", and
 * "bootstrap" or "fairness" (bootstrap replicates); other stages draw none. */
void mg_cli_stage(void *ctx, const char *stage);

/* The note callback of the pipeline specs: ends the current line and prints
 * "modelgate COMMAND: TEXT" ("modelgate COMMAND: MODEL: TEXT" with
 * model_names). */
void mg_cli_note(void *ctx, int model, const char *text);

/* Clears both lines. */
void mg_cli_stages_end(mg_cli_stages *s);

#endif
