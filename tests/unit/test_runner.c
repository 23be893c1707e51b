/* test_runner.c - the runner protocol without a process: argv splitting with
 * quotes, frame encoding (bytes checked by hand) and frame decoding,
 * including the malformed INFO and SCOR frames a broken runner may send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/runner_protocol.h"

static void split_ok(const char *cmd, const char *const *want, int n) {
    char **argv = NULL;
    int argc = 0;
    mg_error err = {0};
    assert_int_equal(mg__split_command(cmd, &argv, &argc, &err), MG_OK);
    assert_int_equal(argc, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[n]);
    mg__argv_free(argv);
}

static void split_fails(const char *cmd, const char *needle) {
    char **argv = NULL;
    int argc = 0;
    mg_error err = {0};
    assert_int_equal(mg__split_command(cmd, &argv, &argc, &err), MG_ERR_USAGE);
    assert_null(argv);
    assert_non_null(strstr(err.text, needle));
}

static void argv_splitting(void **state) {
    (void)state;
    split_ok("python3 runner.py model.pkl",
             (const char *const[]){"python3", "runner.py", "model.pkl"}, 3);
    split_ok("  a\t b  ", (const char *const[]){"a", "b"}, 2);
    split_ok("a 'b c' \"d e\"", (const char *const[]){"a", "b c", "d e"}, 3);
    split_ok("x'y'\"z\"", (const char *const[]){"xyz"}, 1);
    split_ok("'it''s'", (const char *const[]){"its"}, 1);
    split_ok("a\\ b c", (const char *const[]){"a b", "c"}, 2);
    split_ok("\"say \\\"hi\\\" \\\\ \\n\"", (const char *const[]){"say \"hi\" \\ \\n"}, 1);
    split_ok("'$HOME' *.pkl | x ; y", (const char *const[]){"$HOME", "*.pkl", "|", "x", ";", "y"},
             6);
    split_ok("a '' b", (const char *const[]){"a", "", "b"}, 3);
    split_ok("'\\'", (const char *const[]){"\\"}, 1);
    split_fails("", "expected a program");
    split_fails("   ", "expected a program");
    split_fails("a 'b", "unterminated ' quote");
    split_fails("a \"b", "unterminated \" quote");
    split_fails("a \\", "trailing backslash");
}

static void frames_encode(void **state) {
    (void)state;
    mg__buf b = {0};
    mg__frame_hello(&b);
    assert_int_equal(b.len, 12);
    assert_memory_equal(b.data, "HELO\x04\x00\x00\x00\x02\x00\x00\x00", 12);
    b.len = 0;
    const char *names[] = {"ab", "c"};
    mg__frame_cols(&b, names, 2);
    assert_int_equal(b.len, 8 + 8 + 6 + 5);
    assert_memory_equal(b.data,
                        "COLS\x13\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"
                        "\x02\x00\x00\x00"
                        "ab\x01\x00\x00\x00"
                        "c",
                        27);
    b.len = 0;
    mg__frame_cols(&b, NULL, 3);
    assert_memory_equal(b.data, "COLS\x08\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00", 16);
    b.len = 0;
    double rows[] = {1.0, -2.5, NAN, 0.0};
    mg_error err = {0};
    assert_int_equal(mg__frame_rows(&b, rows, 2, 2, &err), MG_OK);
    assert_int_equal(b.len, 8 + 8 + 32);
    assert_memory_equal(b.data, "ROWS\x28\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00", 16);
    /* 1.0 = 0x3FF0000000000000 and -2.5 = 0xC004000000000000, little-endian. */
    assert_memory_equal(b.data + 16, "\0\0\0\0\0\0\xf0\x3f\0\0\0\0\0\0\x04\xc0", 16);
    uint8_t nan_hi = (uint8_t)b.data[16 + 23];
    assert_true(nan_hi == 0x7f || nan_hi == 0xff);
    char tag[5];
    uint32_t len;
    mg__frame_parse_header((const uint8_t *)b.data, tag, &len);
    assert_string_equal(tag, "ROWS");
    assert_int_equal(len, 40);
    mg__buf_release(&b);
}

/* TBLK (protocol 2): a table's columns typed, with a null mask where a column
 * has nulls, byte for byte as docs/runner-protocol.md lays them out. */
static void typed_frames_encode(void **state) {
    (void)state;
    const char *csv = "x,n,ok,city\n1.5,7,true,Oslo\n,-1,false,\n";
    mg_table *t = NULL;
    mg_error err = {0};
    assert_int_equal(mg_csv_read_buffer(csv, strlen(csv), "t.csv", NULL, &t, &err), MG_OK);
    int idx[] = {3, 0, 1, 2}; /* city, x, n, ok */
    mg__buf b = {0};
    assert_int_equal(mg__frame_typed_rows(&b, t, idx, 4, 0, 2, &err), MG_OK);
    static const char want[] =
        "TBLK\x42\x00\x00\x00"         /* 66 bytes of payload */
        "\x02\x00\x00\x00\x04\x00\x00\x00" /* 2 rows, 4 columns */
        "\x03\x01\x00\x01"              /* city: string, nulls: row 1 */
        "\x04\x00\x00\x00Oslo\x00\x00\x00\x00"
        "\x00\x01\x00\x01"              /* x: float64, nulls: row 1 */
        "\x00\x00\x00\x00\x00\x00\xf8\x3f\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x00"                      /* n: int64, no nulls */
        "\x07\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"
        "\x02\x00\x01\x00";             /* ok: bool, no nulls */
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, sizeof want - 1);
    /* A slice of the rows: row 1 alone. */
    b.len = 0;
    assert_int_equal(mg__frame_typed_rows(&b, t, idx, 1, 1, 1, &err), MG_OK);
    assert_memory_equal(b.data, "TBLK\x0f\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x03\x01\x01"
                                "\x00\x00\x00\x00", 23);
    mg__buf_release(&b);
    mg_table_free(t);
}

/* An INFO payload built field by field. */
static void info_payload(mg__buf *b, uint32_t version, uint32_t kind, uint32_t nout, uint32_t nf,
                         const char *const *names, uint32_t nnames, const char *const *labels,
                         uint32_t nlabels) {
    b->len = 0;
    mg__frame_put_u32(b, version);
    mg__frame_put_u32(b, kind);
    mg__frame_put_u32(b, nout);
    mg__frame_put_u32(b, nf);
    mg__frame_put_u32(b, nnames);
    for (uint32_t i = 0; i < nnames; i++)
        mg__frame_put_str(b, names[i]);
    mg__frame_put_u32(b, nlabels);
    for (uint32_t i = 0; i < nlabels; i++)
        mg__frame_put_str(b, labels[i]);
}

static mg_status parse_info(const mg__buf *b, mg__runner_info *info, mg_error *err) {
    return mg__frame_parse_info((const uint8_t *)b->data, b->len, "r", info, err);
}

static void info_frames(void **state) {
    (void)state;
    mg__buf b = {0};
    mg__runner_info info;
    mg_error err = {0};
    const char *names[] = {"x", "y"}, *labels[] = {"cat", "dog", "eel"};
    info_payload(&b, 1, 1, 3, 2, names, 2, labels, 3);
    assert_int_equal(parse_info(&b, &info, &err), MG_OK);
    assert_int_equal(info.kind, MG_OUTPUT_CLASS_PROBS);
    assert_int_equal(info.noutputs, 3);
    assert_int_equal(info.nfeatures, 2);
    assert_int_equal(info.nnames, 2);
    assert_string_equal(info.names[1], "y");
    assert_int_equal(info.nlabels, 3);
    assert_string_equal(info.labels[2], "eel");
    mg__runner_info_release(&info);

    info_payload(&b, 1, 3, 1, UINT32_MAX, NULL, 0, NULL, 0);
    assert_int_equal(parse_info(&b, &info, &err), MG_OK);
    assert_int_equal(info.kind, MG_OUTPUT_VALUE);
    assert_int_equal(info.nfeatures, -1);
    mg__runner_info_release(&info);

    struct {
        uint32_t version, kind, nout, nf, nnames, nlabels;
        const char *needle;
    } bad[] = {
        {3, 0, 1, 2, 0, 0, "protocol version 3, modelgate versions 1 to 2"},
        {0, 0, 1, 2, 0, 0, "protocol version 0, modelgate versions 1 to 2"},
        {1, 9, 1, 2, 0, 0, "unknown output kind 9"},
        {1, 0, 2, 2, 0, 0, "2 outputs per row"},
        {1, 1, 1, 2, 0, 0, "1 outputs per row"},
        {1, 0, 1, 3, 2, 0, "names 2 features but says it takes 3"},
        {1, 0, 1, 2, 0, 3, "3 class labels"},
        {1, 3, 1, 2, 0, 2, "2 class labels"},
    };
    for (size_t i = 0; i < MG_ARRAY_LEN(bad); i++) {
        info_payload(&b, bad[i].version, bad[i].kind, bad[i].nout, bad[i].nf, names, bad[i].nnames,
                     labels, bad[i].nlabels);
        assert_int_equal(parse_info(&b, &info, &err), MG_ERR_MODEL);
        assert_non_null(strstr(err.text, bad[i].needle));
        mg__runner_info_release(&info);
    }
    /* Truncated anywhere: malformed, never a read past the end. */
    info_payload(&b, 1, 1, 3, 2, names, 2, labels, 3);
    for (size_t cut = 0; cut < b.len; cut++) {
        assert_int_equal(mg__frame_parse_info((const uint8_t *)b.data, cut, "r", &info, &err),
                         MG_ERR_MODEL);
        mg__runner_info_release(&info);
    }
    /* A string length far past the end. */
    info_payload(&b, 1, 0, 1, 1, NULL, 0, NULL, 0);
    b.len -= 4;
    mg__frame_put_u32(&b, 1);
    mg__frame_put_u32(&b, 0x7fffffff);
    assert_int_equal(parse_info(&b, &info, &err), MG_ERR_MODEL);
    assert_non_null(strstr(err.text, "malformed"));
    mg__runner_info_release(&info);
    mg__buf_release(&b);
}

static void put_f64(mg__buf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    for (int k = 0; k < 8; k++) {
        uint8_t byte = (uint8_t)(u >> (8 * k));
        mg__buf_append(b, &byte, 1);
    }
}

static void score_frames(void **state) {
    (void)state;
    mg__buf b = {0};
    mg_error err = {0};
    double out[4] = {0};
    mg__frame_put_u32(&b, 2);
    mg__frame_put_u32(&b, 2);
    double v[] = {0.25, 0.75, 1e-300, -0.0};
    for (int i = 0; i < 4; i++)
        put_f64(&b, v[i]);
    double compute = 0;
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, b.len, "r", 2, 2, out, &compute, &err),
        MG_OK);
    assert_memory_equal(out, v, sizeof v);
    assert_true(compute < 0); /* no compute time reported */
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, b.len, "r", 3, 2, out, &compute, &err),
        MG_ERR_MODEL);
    assert_non_null(strstr(err.text, "answered 2 rows of 2 values for a batch of 3 rows"));
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, b.len - 8, "r", 2, 2, out, &compute, &err),
        MG_ERR_MODEL);
    assert_non_null(strstr(err.text, "holds 24 bytes of values, 32 expected"));
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, 5, "r", 2, 2, out, &compute, &err),
        MG_ERR_MODEL);

    /* the optional trailing float64: the runner's compute time in seconds */
    size_t values_end = b.len;
    put_f64(&b, 0.0125);
    memset(out, 0, sizeof out);
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, b.len, "r", 2, 2, out, &compute, &err),
        MG_OK);
    assert_memory_equal(out, v, sizeof v);
    assert_true(compute == 0.0125);
    b.len = values_end;
    put_f64(&b, 0.0); /* zero is a valid time */
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, b.len, "r", 2, 2, out, &compute, &err),
        MG_OK);
    assert_true(compute == 0.0);
    const double bad[] = {-0.001, NAN, INFINITY};
    const char *bad_text[] = {"compute time of -0.001 s", "compute time of nan s",
                              "compute time of inf s"};
    for (int i = 0; i < 3; i++) {
        b.len = values_end;
        put_f64(&b, bad[i]);
        compute = 7;
        assert_int_equal(
            mg__frame_parse_scores((const uint8_t *)b.data, b.len, "r", 2, 2, out, &compute, &err),
            MG_ERR_MODEL);
        assert_non_null(strstr(err.text, "runner r: its SCOR frame reports a"));
        assert_non_null(strstr(err.text, bad_text[i]));
        assert_true(compute < 0);
    }
    /* two trailing floats are one too many */
    b.len = values_end;
    put_f64(&b, 0.5);
    put_f64(&b, 0.5);
    assert_int_equal(
        mg__frame_parse_scores((const uint8_t *)b.data, b.len, "r", 2, 2, out, &compute, &err),
        MG_ERR_MODEL);
    assert_non_null(strstr(err.text, "holds 48 bytes of values, 32 expected"));
    mg__buf_release(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(argv_splitting),
        cmocka_unit_test(frames_encode),
        cmocka_unit_test(typed_frames_encode),
        cmocka_unit_test(info_frames),
        cmocka_unit_test(score_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
