/* test_registry.c - lib/registry through its C API: the event hash against
 * a value computed by Python's hashlib from the documented serialisation,
 * push/resolve/promote/rollback status codes, a concurrent-safe version
 * count, and verify on a clean and a tampered registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/registry_internal.h"

static void event_hash_is_the_documented_serialisation(void **state) {
    (void)state;
    char digest[65], prev[65];
    for (int i = 0; i < 64; i++)
        digest[i] = "ab"[i & 1], prev[i] = '0';
    digest[64] = prev[64] = '\0';
    char name[] = "churn", action[] = "push", file[] = "model.json", meta[] = "{}", who[] = "ci",
         at[] = "2026-01-01T00:00:00.000Z";
    mg__event e;
    memset(&e, 0, sizeof e);
    e.name = name;
    e.n = 1;
    e.action = action;
    e.version = 1;
    e.digest = digest;
    e.filename = file;
    e.size = 10;
    e.meta = meta;
    e.who = who;
    e.at = at;
    memcpy(e.prev_hash, prev, 65);
    char h[65];
    mg__event_hash(&e, h);
    /* hashlib.sha256("modelgate-event-1;5:churn;1;4:push;1;0;-;64:abab...;10:model.json;
     * 10;2:{};2:ci;24:2026-01-01T00:00:00.000Z;-;-;-;-;64:000...;") */
    assert_string_equal(h, "1544cc651e2053f0bbbe25ccceb733494186f630d74aee956b49d268cef7805d");
    who[0] = 'C', who[1] = 'I';
    mg__event_hash(&e, h);
    assert_string_equal(h, "5c14234512fa9bd30624e2e0d9813d41928140d038f98becad5bcb4e11dd2bf7");
}

static char tmpdir[] = "/tmp/mg_registry_XXXXXX";

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void api_round_trip(void **state) {
    (void)state;
    assert_non_null(mkdtemp(tmpdir));
    char reg_dir[128], model[128], gate[160], other[128];
    snprintf(reg_dir, sizeof reg_dir, "%s/reg", tmpdir);
    snprintf(model, sizeof model, "%s/m.bin", tmpdir);
    snprintf(other, sizeof other, "%s/o.bin", tmpdir);
    write_file(model, "abc");
    write_file(other, "abd");
    mg_error err;
    mg_registry *reg = NULL;
    assert_int_equal(mg_registry_open(reg_dir, 0, &reg, &err), MG_ERR_USAGE);
    assert_int_equal(mg_registry_open(reg_dir, 1, &reg, &err), MG_OK);
    mg_registry_version v;
    const char *meta[] = {"k=v"};
    assert_int_equal(mg_registry_push(reg, "m", model, meta, 1, NULL, &v, &err), MG_OK);
    assert_int_equal(v.version, 1);
    /* sha256("abc"), FIPS 180-2 appendix B.1 */
    assert_string_equal(v.digest,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(v.meta_json, "{\"k\":\"v\"}");
    assert_string_equal(v.filename, "m.bin");
    mg_registry_version_release(&v);
    const char *bad_meta[] = {"novalue"};
    assert_int_equal(mg_registry_push(reg, "m", model, bad_meta, 1, NULL, &v, &err), MG_ERR_USAGE);
    assert_int_equal(mg_registry_push(reg, "m", other, NULL, 0, "why", &v, &err), MG_OK);
    assert_int_equal(v.version, 2);
    mg_registry_version_release(&v);

    assert_int_equal(mg_registry_resolve(reg, "m", NULL, 0, &v, &err), MG_OK);
    assert_int_equal(v.version, 2);
    mg_registry_version_release(&v);
    assert_int_equal(mg_registry_resolve(reg, "m", "production", 0, &v, &err), MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "holds no version"));
    assert_int_equal(mg_registry_resolve(reg, "x", NULL, 3, &v, &err), MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "no model named 'x'"));

    snprintf(gate, sizeof gate, "%s/gate.json", tmpdir);
    write_file(gate, "{\"verdict\": \"pass\", \"provenance\": {\"model_sha256\": "
                     "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}}");
    assert_int_equal(mg_registry_promote(reg, "m", 2, "production", gate, NULL, &err),
                     MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "for another model"));
    assert_int_equal(mg_registry_promote(reg, "m", 1, "production", NULL, NULL, &err),
                     MG_ERR_USAGE);
    assert_int_equal(mg_registry_promote(reg, "m", 1, "production", gate, NULL, &err), MG_OK);
    assert_int_equal(mg_registry_promote(reg, "m", 1, "production", gate, NULL, &err), MG_OK);
    int64_t from = 0, to = 0;
    assert_int_equal(mg_registry_rollback(reg, "m", "production", NULL, &from, &to, &err), MG_OK);
    assert_int_equal(from, 1);
    assert_int_equal(to, 1);
    assert_int_equal(mg_registry_rollback(reg, "m", "production", NULL, &from, &to, &err),
                     MG_ERR_USAGE);

    int64_t nev = 0, nblobs = 0;
    assert_int_equal(mg_registry_verify(reg, NULL, NULL, &nev, &nblobs, &err), MG_OK);
    assert_int_equal(nev, 5);    /* 2 pushes, 2 promotes, 1 rollback */
    assert_int_equal(nblobs, 3); /* two models, one gate.json */
    assert_int_equal(
        sqlite3_exec(reg->db, "UPDATE events SET who = 'mallory' WHERE n = 2", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(mg_registry_verify(reg, NULL, NULL, &nev, &nblobs, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "was edited"));
    mg_registry_close(reg);

    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_hash_is_the_documented_serialisation),
        cmocka_unit_test(api_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
