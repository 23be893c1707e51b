/* cmd_comment.c - `modelgate comment`: one sticky pull-request comment with
 * the report, updated in place on every run (DESIGN §13, docs/comment.md). */
#include "commands.h"
#include "modelgate/github.h"
#include "options.h"
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char synopsis[] =
    "Post the report as the pull request's modelgate comment, or update the one posted\n"
    "before (found by the hidden marker <!-- modelgate:ID --> on the report's first line and\n"
    "by its author), through GitHub's REST API ($GITHUB_API_URL, $GITHUB_TOKEN). The pull\n"
    "request is --pr, else the one in $GITHUB_EVENT_PATH's payload (pull_request, or\n"
    "workflow_run.pull_requests[0]), else the open one whose head is the commit (--sha,\n"
    "workflow_run.head_sha or $GITHUB_SHA). Exit 0 when the comment is written, 2 when the\n"
    "input is bad or GitHub refuses a request, 4 on an internal error.";

#define MAX_REPORT_BYTES (4u << 20)

/* Reads the report (a regular file or a pipe, at most MAX_REPORT_BYTES) into
 * a NUL-terminated buffer; prints the error and returns 2 on failure. */
static int read_report(const char *path, char **out, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        mg_cli_eprintf("modelgate comment: %s: cannot open: %s\n", path, strerror(errno));
        return MG_EXIT_USAGE;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    int rc = 0;
    while (buf != NULL) {
        if (n == cap) {
            if (cap >= MAX_REPORT_BYTES) {
                mg_cli_eprintf("modelgate comment: %s: larger than %u MiB; a comment holds at "
                               "most 65,536 characters\n",
                               path, MAX_REPORT_BYTES >> 20);
                rc = MG_EXIT_USAGE;
                break;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                mg_cli_eprintf("modelgate comment: %s: read error at byte %zu: %s\n", path, n,
                               strerror(errno));
                rc = MG_EXIT_USAGE;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf == NULL) {
        mg_cli_eprintf("modelgate comment: out of memory reading %s\n", path);
        return MG_EXIT_INTERNAL;
    }
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

/* A positive number of seconds from the environment, or 0 (the default). */
static int env_seconds(const char *name, double *out) {
    const char *v = env(name);
    *out = 0;
    if (v == NULL)
        return 0;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || errno != 0 || !(d > 0) || d > 3600) {
        mg_cli_eprintf("modelgate comment: %s '%s': expected seconds, more than 0 and at most "
                       "3600\n",
                       name, v);
        return -1;
    }
    *out = d;
    return 0;
}

static void on_trace(void *ctx, const char *method, const char *url, const char *note,
                     long status) {
    int dry = *(const int *)ctx;
    if (dry) {
        if (note)
            printf("%s %s  # %s\n", method, url, note);
        else
            printf("%s %s\n", method, url);
        return;
    }
    if (status)
        mg_cli_eprintf("modelgate comment: %s %s: HTTP %ld\n", method, url, status);
    else
        mg_cli_eprintf("modelgate comment: %s %s: no answer\n", method, url);
}

static int exit_for(const mg_error *err) {
    int rc = mg_cli_fail("comment", err);
    return err->status == MG_ERR_NOMEM ? MG_EXIT_INTERNAL : rc;
}

int cmd_comment(int argc, char **argv) {
    const char *report = NULL, *marker = NULL, *repo = NULL, *sha = NULL, *author = NULL;
    long pr = 0;
    bool dry_run = false, quiet = false;
    mg_opt opts[] = {
        {"report", MG_OPT_STRING, &report, "FILE",
         "the Markdown report to post (report.md); at most 65,536 characters", true, false},
        {"marker", MG_OPT_STRING, &marker, "ID",
         "the comment's marker ID (default: from the report's first line "
         "<!-- modelgate:ID -->; added there when missing)",
         false, false},
        {"dry-run", MG_OPT_FLAG, &dry_run, NULL,
         "print the requests that would be made, make none", false, false},
        {"repo", MG_OPT_STRING, &repo, "OWNER/NAME", "the repository (default $GITHUB_REPOSITORY)",
         false, false},
        {"pr", MG_OPT_INT, &pr, "N", "the pull request number (default: from the event payload)",
         false, false},
        {"sha", MG_OPT_STRING, &sha, "SHA",
         "the head commit whose open pull request gets the comment when the payload names none "
         "(default workflow_run.head_sha, else $GITHUB_SHA)",
         false, false},
        {"author", MG_OPT_STRING, &author, "LOGIN",
         "the bot whose comment is updated when the token cannot tell its own login "
         "(default github-actions[bot])",
         false, false},
        {"quiet", MG_OPT_FLAG, &quiet, NULL, "print only errors", false, false},
        MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("comment", synopsis, opts, argc, argv, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (opts[4].seen && (pr <= 0 || pr > 1000000000)) {
        mg_cli_eprintf("modelgate comment: --pr %ld: expected a pull request number, 1 or more\n",
                       pr);
        return MG_EXIT_USAGE;
    }
    if (marker != NULL && !mg_github_marker_id_valid(marker)) {
        mg_cli_eprintf("modelgate comment: --marker '%s': expected 1 to 64 characters of A-Z a-z "
                       "0-9 . _ -\n",
                       marker);
        return MG_EXIT_USAGE;
    }
    mg_github_options go = {0};
    int dry = dry_run;
    go.api_url = env("GITHUB_API_URL");
    go.token = env("GITHUB_TOKEN");
    go.repository = repo ? repo : env("GITHUB_REPOSITORY");
    go.author = author;
    go.dry_run = dry;
    go.trace = quiet && !dry ? NULL : on_trace;
    go.trace_ctx = &dry;
    if (env_seconds("MODELGATE_GITHUB_MAX_WAIT", &go.max_wait_s) != 0 ||
        env_seconds("MODELGATE_GITHUB_BACKOFF", &go.backoff_s) != 0)
        return MG_EXIT_USAGE;
    if (go.repository == NULL) {
        mg_cli_eprintf("modelgate comment: no repository: give --repo OWNER/NAME or set "
                       "GITHUB_REPOSITORY\n");
        return MG_EXIT_USAGE;
    }
    if (go.token == NULL && !dry) {
        mg_cli_eprintf("modelgate comment: GITHUB_TOKEN is not set (in a workflow: env: "
                       "GITHUB_TOKEN: ${{ github.token }})\n");
        return MG_EXIT_USAGE;
    }

    /* The report and its marker, before any request. */
    mg_error err;
    mg_error_clear(&err);
    char *body = NULL;
    size_t len = 0;
    rc = read_report(report, &body, &len);
    if (rc != 0)
        return rc;
    char id[72];
    if (marker == NULL) {
        if (mg_github_marker_read(body, len, report, id, sizeof id, &err) != MG_OK) {
            free(body);
            return exit_for(&err);
        }
    } else {
        snprintf(id, sizeof id, "%s", marker);
        char line[96];
        int n = snprintf(line, sizeof line, "<!-- modelgate:%s -->", id);
        if (len < (size_t)n || memcmp(body, line, (size_t)n) != 0) {
            /* Put the marker first so that the next run finds this comment. */
            char *nb = malloc(len + (size_t)n + 2);
            if (nb == NULL) {
                free(body);
                mg_cli_eprintf("modelgate comment: out of memory reading %s\n", report);
                return MG_EXIT_INTERNAL;
            }
            memcpy(nb, line, (size_t)n);
            nb[n] = '\n';
            memcpy(nb + n + 1, body, len);
            len += (size_t)n + 1;
            nb[len] = '\0';
            free(body);
            body = nb;
        }
    }

    /* The pull request. */
    const char *event_path = env("GITHUB_EVENT_PATH");
    mg_github_event ev = {0};
    if (!opts[4].seen && event_path != NULL &&
        mg_github_event_read(event_path, &ev, &err) != MG_OK) {
        free(body);
        return exit_for(&err);
    }
    if (!opts[4].seen)
        pr = ev.pr;
    if (dry)
        printf("dry run: no request is made\n");
    if (pr == 0) {
        const char *head = sha ? sha : ev.head_sha[0] ? ev.head_sha : env("GITHUB_SHA");
        if (head == NULL) {
            free(body);
            mg_cli_eprintf("modelgate comment: no pull request: give --pr N, or run in a "
                           "pull_request or workflow_run workflow (GITHUB_EVENT_PATH), or give "
                           "--sha\n");
            return MG_EXIT_USAGE;
        }
        if (mg_github_find_pr(&go, head, &pr, &err) != MG_OK) {
            free(body);
            return exit_for(&err);
        }
    } else if (dry) {
        printf("pull request #%ld (%s)\n", pr, opts[4].seen ? "--pr" : ev.pr_from);
    }

    mg_github_comment_result res;
    mg_status st = mg_github_comment_upsert(&go, pr, id, body, len, &res, &err);
    free(body);
    if (st != MG_OK)
        return exit_for(&err);
    if (!dry && !quiet)
        printf("%s comment %lld on pull request #%ld%s%s\n", res.updated ? "updated" : "created",
               (long long)res.id, pr, res.url[0] ? ": " : "", res.url);
    return 0;
}
