/* progress.c - the stderr progress line: redrawn when the percentage moves,
 * shown only for steps that have run for about a second (shorter ones end
 * before a line helps), and only on a terminal. */
#include "progress.h"
#include "output.h"

#include "modelgate/modelgate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

#define BAR_WIDTH 30

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* MG_CLI_PROGRESS_DELAY, or $MODELGATE_PROGRESS_DELAY seconds (>= 0) when
 * set: tests draw lines at once without a slow run. */
static double delay(void) {
    const char *env = getenv("MODELGATE_PROGRESS_DELAY");
    double d;
    if (env != NULL && mg_parse_double(env, strlen(env), &d) == 0 && d >= 0 && d < 1e6)
        return d;
    return MG_CLI_PROGRESS_DELAY;
}

void mg_cli_progress_init_unit(mg_cli_progress *p, const char *label, const char *unit) {
    snprintf(p->label, sizeof p->label, "%s", label);
    p->unit = unit;
    p->active = 0;
    p->enabled = mg_cli_stderr_is_tty();
    p->last_percent = -1;
    p->start = now();
    p->delay = delay();
}

void mg_cli_progress_init(mg_cli_progress *p, const char *label) {
    mg_cli_progress_init_unit(p, label, "rows");
}

void mg_cli_progress_init_reading(mg_cli_progress *p, const char *path) {
    const char *base = strrchr(path, '/');
    base = base != NULL && base[1] != '\0' ? base + 1 : path;
    char label[96];
    snprintf(label, sizeof label, "reading %.80s", base);
    mg_cli_progress_init_unit(p, label, NULL);
}

void mg_cli_progress_report(void *ctx, int64_t done, int64_t total) {
    mg_cli_progress *p = ctx;
    if (!p->enabled || total <= 0)
        return;
    if (!p->active && now() - p->start < p->delay)
        return;
    int percent = (int)(done * 100 / total);
    if (percent == p->last_percent)
        return;
    p->last_percent = percent;
    char bar[BAR_WIDTH + 1];
    int filled = percent * BAR_WIDTH / 100;
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    if (p->unit != NULL)
        mg_cli_eprintf("\r%s [%s] %3d%% %lld/%lld %s", p->label, bar, percent, (long long)done,
                       (long long)total, p->unit);
    else
        mg_cli_eprintf("\r%s [%s] %3d%%", p->label, bar, percent);
    fflush(stderr);
    p->active = 1;
}

void mg_cli_progress_end(mg_cli_progress *p) {
    if (p->active)
        fprintf(stderr, "\r\033[K"); /* ours: clears the progress line */
    p->active = 0;
}

void mg_cli_stages_init(mg_cli_stages *s, const char *command, const char *test_data) {
    s->command = command;
    s->test_data = test_data;
    s->model_names = NULL;
    mg_cli_progress_init_reading(&s->reading, test_data);
    mg_cli_progress_init(&s->bar, "predicting");
}

void mg_cli_stages_end(mg_cli_stages *s) {
    mg_cli_progress_end(&s->reading);
    mg_cli_progress_end(&s->bar);
}

void mg_cli_stage(void *ctx, const char *stage) {
    mg_cli_stages *s = ctx;
    mg_cli_stages_end(s);
    if (strcmp(stage, "reading") == 0)
        mg_cli_progress_init_reading(&s->reading, s->test_data);
    else if (strcmp(stage, "predicting") == 0)
        mg_cli_progress_init(&s->bar, "predicting"); /* its second counts from here */
    else if (strcmp(stage, "bootstrap") == 0 || strcmp(stage, "fairness") == 0)
        mg_cli_progress_init_unit(&s->bar, "bootstrap", "replicates");
}

void mg_cli_note(void *ctx, int model, const char *text) {
    mg_cli_stages *s = ctx;
    mg_cli_stages_end(s);
    if (s->model_names != NULL && model >= 0)
        mg_cli_eprintf("modelgate %s: %s: %s\n", s->command, s->model_names[model], text);
    else
        mg_cli_eprintf("modelgate %s: %s\n", s->command, text);
}
