/* progress.c - the stderr progress bar: redrawn when the percentage moves,
 * shown only for runs long enough to need one, and only on a terminal. */
#include "progress.h"
#include "output.h"

#include <stdio.h>

#include "banned.h"

#define BAR_WIDTH 30
#define MIN_ROWS 100000 /* smaller runs end before a bar helps */

void mg_cli_progress_init(mg_cli_progress *p, const char *label) {
    p->label = label;
    p->active = 0;
    p->enabled = mg_cli_stderr_is_tty();
    p->last_percent = -1;
}

void mg_cli_progress_report(void *ctx, int64_t done, int64_t total) {
    mg_cli_progress *p = ctx;
    if (!p->enabled || total < MIN_ROWS)
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
    mg_cli_eprintf("\r%s [%s] %3d%% %lld/%lld rows", p->label, bar, percent, (long long)done,
                   (long long)total);
    fflush(stderr);
    p->active = 1;
}

void mg_cli_progress_end(mg_cli_progress *p) {
    if (p->active)
        fprintf(stderr, "\r\033[K"); /* ours: clears the progress line */
    p->active = 0;
}
