/* test_github.c - the parts of github.h that need no server: the marker on a
 * report's first line, the event payload's pull request and head commit, and
 * the refusals made before any request (checked against hand-written inputs;
 * the HTTP side is tests/e2e/test_comment.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "modelgate/github.h"

#include <unistd.h>

static void marker_read(void **state) {
    (void)state;
    char id[72];
    mg_error err;
    mg_error_clear(&err);
    const char *ok = "<!-- modelgate:credit-v2.1_x -->\n## report\n";
    assert_int_equal(mg_github_marker_read(ok, strlen(ok), "r.md", id, sizeof id, &err), MG_OK);
    assert_string_equal(id, "credit-v2.1_x");
    const char *crlf = "<!-- modelgate:gate -->\r\nbody";
    assert_int_equal(mg_github_marker_read(crlf, strlen(crlf), "r.md", id, sizeof id, &err), MG_OK);
    assert_string_equal(id, "gate");
    const char *only = "<!-- modelgate:a -->";
    assert_int_equal(mg_github_marker_read(only, strlen(only), "r.md", id, sizeof id, &err), MG_OK);
    assert_string_equal(id, "a");

    static const char *const bad[] = {"", "## report\n<!-- modelgate:gate -->\n",
                                      "<!-- modelgate: -->\n", "<!-- modelgate:a b -->\n",
                                      " <!-- modelgate:gate -->\n", "<!-- modelgate:gate-->\n",
                                      "<!-- modelgate:gate --> x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mg_error_clear(&err);
        assert_int_equal(mg_github_marker_read(bad[i], strlen(bad[i]), "r.md", id, sizeof id, &err),
                         MG_ERR_FORMAT);
        assert_non_null(strstr(err.text, "r.md:1"));
        assert_int_equal(err.place.line, 1);
    }
    char long_id[80];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    char body[128];
    snprintf(body, sizeof body, "<!-- modelgate:%s -->\n", long_id);
    assert_int_equal(mg_github_marker_read(body, strlen(body), "r.md", id, sizeof id, &err),
                     MG_ERR_FORMAT);
    long_id[64] = '\0';
    snprintf(body, sizeof body, "<!-- modelgate:%s -->\n", long_id);
    assert_int_equal(mg_github_marker_read(body, strlen(body), "r.md", id, sizeof id, &err), MG_OK);
    assert_int_equal(strlen(id), 64);
}

static const char *write_tmp(char *path, const char *text) {
    snprintf(path, 64, "%s", "/tmp/mg_github_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void event_read(void **state) {
    (void)state;
    char path[64];
    mg_github_event ev;
    mg_error err;
    mg_error_clear(&err);

    write_tmp(path, "{\"pull_request\": {\"number\": 42, \"head\": {\"sha\": \"abcdef1234567\"}}}");
    assert_int_equal(mg_github_event_read(path, &ev, &err), MG_OK);
    assert_int_equal(ev.pr, 42);
    assert_string_equal(ev.head_sha, "abcdef1234567");
    assert_string_equal(ev.pr_from, "pull_request.number");
    unlink(path);

    write_tmp(path, "{\"workflow_run\": {\"head_sha\": \"0123456789abcdef0123456789abcdef01234567\","
                    " \"pull_requests\": [{\"number\": 7}, {\"number\": 8}]}}");
    assert_int_equal(mg_github_event_read(path, &ev, &err), MG_OK);
    assert_int_equal(ev.pr, 7);
    assert_string_equal(ev.head_sha, "0123456789abcdef0123456789abcdef01234567");
    assert_string_equal(ev.pr_from, "workflow_run.pull_requests[0].number");
    unlink(path);

    /* A fork's workflow_run: no pull request listed, the head SHA kept. */
    write_tmp(path, "{\"workflow_run\": {\"head_sha\": \"89abcdef\", \"pull_requests\": []}}");
    assert_int_equal(mg_github_event_read(path, &ev, &err), MG_OK);
    assert_int_equal(ev.pr, 0);
    assert_string_equal(ev.head_sha, "89abcdef");
    assert_string_equal(ev.pr_from, "");
    unlink(path);

    /* A push payload; a number that is not a positive integer; a SHA that is not hex. */
    write_tmp(path, "{\"ref\": \"refs/heads/main\", \"pull_request\": {\"number\": -3, \"head\": "
                    "{\"sha\": \"$(rm -rf /)\"}}}");
    assert_int_equal(mg_github_event_read(path, &ev, &err), MG_OK);
    assert_int_equal(ev.pr, 0);
    assert_string_equal(ev.head_sha, "");
    unlink(path);

    write_tmp(path, "{\"pull_request\": {\"number\": 1,\n  }");
    assert_int_equal(mg_github_event_read(path, &ev, &err), MG_ERR_FORMAT);
    assert_non_null(strstr(err.text, path));
    assert_int_equal(err.place.line, 2);
    unlink(path);

    write_tmp(path, "[1, 2]");
    assert_int_equal(mg_github_event_read(path, &ev, &err), MG_ERR_FORMAT);
    unlink(path);

    assert_int_equal(mg_github_event_read("/nonexistent/event.json", &ev, &err), MG_ERR_IO);
}

/* Refusals that happen before any request: nothing listens at the URL. */
static void refusals_before_requests(void **state) {
    (void)state;
    mg_github_options o;
    memset(&o, 0, sizeof o);
    o.api_url = "http://127.0.0.1:9";
    o.token = "secret-token-value";
    o.repository = "octo/credit";
    mg_error err;
    mg_error_clear(&err);
    const char *body = "<!-- modelgate:gate -->\nok";

    o.repository = "octo";
    assert_int_equal(mg_github_comment_upsert(&o, 1, "gate", body, strlen(body), NULL, &err),
                     MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "not OWNER/NAME"));
    o.repository = "octo/credit";

    assert_int_equal(mg_github_comment_upsert(&o, 1, "a b", body, strlen(body), NULL, &err),
                     MG_ERR_USAGE);
    assert_int_equal(mg_github_comment_upsert(&o, 0, "gate", body, strlen(body), NULL, &err),
                     MG_ERR_USAGE);

    o.api_url = "ftp://example.com";
    assert_int_equal(mg_github_comment_upsert(&o, 1, "gate", body, strlen(body), NULL, &err),
                     MG_ERR_USAGE);
    o.api_url = "http://127.0.0.1:9";

    o.token = "two words";
    assert_int_equal(mg_github_comment_upsert(&o, 1, "gate", body, strlen(body), NULL, &err),
                     MG_ERR_USAGE);
    assert_null(strstr(err.text, "two words"));
    o.token = "secret-token-value";

    /* 65,536 characters pass the check (and then fail to connect); 65,537
     * do not. Two-byte characters: the limit counts characters, not bytes. */
    size_t n = 65537;
    char *big = test_malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 2 * i, "\xc3\xa9", 2);
    big[2 * n] = '\0';
    assert_int_equal(mg_github_comment_upsert(&o, 1, "gate", big, 2 * n, NULL, &err),
                     MG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.text, "65537 characters"));
    o.max_wait_s = 0.001;
    o.timeout_s = 2;
    mg_github_comment_result res;
    assert_int_equal(mg_github_comment_upsert(&o, 1, "gate", big, 2 * (n - 1), &res, &err),
                     MG_ERR_IO);
    assert_non_null(strstr(err.text, "no answer"));
    assert_null(strstr(err.text, "secret-token-value"));
    assert_true(res.requests >= 1);
    test_free(big);

    const char bad_utf8[] = "<!-- modelgate:gate -->\n\xc3(";
    assert_int_equal(
        mg_github_comment_upsert(&o, 1, "gate", bad_utf8, sizeof bad_utf8 - 1, NULL, &err),
        MG_ERR_FORMAT);
    assert_non_null(strstr(err.text, "byte 24"));

    o.token = NULL;
    assert_int_equal(mg_github_comment_upsert(&o, 1, "gate", body, strlen(body), NULL, &err),
                     MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "GITHUB_TOKEN"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marker_read),
        cmocka_unit_test(event_read),
        cmocka_unit_test(refusals_before_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
