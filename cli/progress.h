/* progress.h - a progress bar on stderr for long predictions, drawn only
 * when stderr is a terminal (the model options' progress callback). */
#ifndef MG_CLI_PROGRESS_H
#define MG_CLI_PROGRESS_H

#include <stdint.h>

typedef struct mg_cli_progress {
    const char *label; /* e.g. "predicting" */
    int active;        /* 1 once a bar is on screen */
    int enabled;       /* stderr is a terminal */
    int last_percent;
} mg_cli_progress;

/* Prepares a bar; draws nothing unless stderr is a terminal. */
void mg_cli_progress_init(mg_cli_progress *p, const char *label);

/* The mg_model_options.progress callback: ctx is an mg_cli_progress. */
void mg_cli_progress_report(void *ctx, int64_t done, int64_t total);

/* Clears the bar's line, if one was drawn. */
void mg_cli_progress_end(mg_cli_progress *p);

#endif
