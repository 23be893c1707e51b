/* test_csv.c - the CSV reader: dialect, type inference, nulls, overrides,
 * column selection, every error message, exact doubles, and the parallel
 * parse against the single-threaded one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "data/data.h"

/* ---- helpers ------------------------------------------------------------- */

static mg_table *read_ok_n(const char *text, size_t len, const mg_read_options *opts) {
    mg_table *t = NULL;
    mg_error err = {0};
    mg_status st = mg_csv_read_buffer(text, len, "data.csv", opts, &t, &err);
    if (st != MG_OK)
        fail_msg("unexpected error: %s", err.text);
    assert_non_null(t);
    return t;
}

static mg_table *read_ok(const char *text, const mg_read_options *opts) {
    return read_ok_n(text, strlen(text), opts);
}

static void expect_error_n(const char *text, size_t len, const mg_read_options *opts,
                           mg_status status, const char *message) {
    mg_table *t = (mg_table *)(uintptr_t)1;
    mg_error err = {0};
    mg_status st = mg_csv_read_buffer(text, len, "data.csv", opts, &t, &err);
    assert_null(t);
    assert_string_equal(err.text, message);
    assert_int_equal(st, status);
    assert_int_equal(err.status, status);
}

static void expect_error(const char *text, const mg_read_options *opts, mg_status status,
                         const char *message) {
    expect_error_n(text, strlen(text), opts, status, message);
}

static const mg_column *col(const mg_table *t, const char *name) {
    const mg_column *c = mg_table_column(t, name);
    if (c == NULL)
        fail_msg("no column %s", name);
    return c;
}

static const char *str_at(const mg_column *c, int64_t i) {
    const char *s = mg_column_string(c, i);
    return s != NULL ? s : "<null>";
}

/* ---- dialect ------------------------------------------------------------- */

static void infers_each_type(void **state) {
    (void)state;
    mg_table *t = read_ok("i,f,b,s,n\n"
                          "1,1.5,true,x,\n"
                          "-20,2,FALSE,y,NA\n"
                          "+3,-0.25e2,True,x,\n",
                          NULL);
    assert_string_equal(t->source, "data.csv");
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->ncols, 5);
    const mg_column *i = col(t, "i"), *f = col(t, "f"), *b = col(t, "b"), *s = col(t, "s"),
                    *n = col(t, "n");
    assert_int_equal(i->type, MG_TYPE_I64);
    assert_int_equal(i->i64[0], 1);
    assert_int_equal(i->i64[1], -20);
    assert_int_equal(i->i64[2], 3);
    assert_null(i->valid);
    assert_int_equal(f->type, MG_TYPE_F64);
    assert_true(f->f64[0] == 1.5 && f->f64[1] == 2.0 && f->f64[2] == -25.0);
    assert_int_equal(b->type, MG_TYPE_BOOL);
    assert_int_equal(b->b[0], 1);
    assert_int_equal(b->b[1], 0);
    assert_int_equal(b->b[2], 1);
    assert_int_equal(s->type, MG_TYPE_STR);
    assert_int_equal(s->ndict, 2);
    assert_string_equal(s->dict[0], "x");
    assert_string_equal(s->dict[1], "y");
    assert_int_equal(s->codes[0], 0);
    assert_int_equal(s->codes[1], 1);
    assert_int_equal(s->codes[2], 0);
    /* A column of nulls only is float, all null. */
    assert_int_equal(n->type, MG_TYPE_F64);
    assert_int_equal(n->null_count, 3);
    for (int64_t r = 0; r < 3; r++)
        assert_true(mg_column_is_null(n, r));
    mg_table_free(t);
}

static void widening_rules(void **state) {
    (void)state;
    /* int then float -> float; int64 overflow -> float; bool + int -> string;
     * numbers with spaces around them still count as numbers. */
    mg_table *t = read_ok("a,b,c,d,e\n"
                          "1,9223372036854775807,true,1,\" 7 \"\n"
                          "2.5,9223372036854775808,1,x,8\n",
                          NULL);
    assert_int_equal(col(t, "a")->type, MG_TYPE_F64);
    assert_true(col(t, "a")->f64[0] == 1.0 && col(t, "a")->f64[1] == 2.5);
    const mg_column *b = col(t, "b");
    assert_int_equal(b->type, MG_TYPE_F64);
    assert_true(b->f64[0] == 9223372036854775807.0 && b->f64[1] == 9223372036854775808.0);
    assert_int_equal(col(t, "c")->type, MG_TYPE_STR);
    assert_string_equal(str_at(col(t, "c"), 0), "true");
    assert_string_equal(str_at(col(t, "c"), 1), "1");
    assert_int_equal(col(t, "d")->type, MG_TYPE_STR);
    assert_int_equal(col(t, "e")->type, MG_TYPE_I64);
    assert_int_equal(col(t, "e")->i64[0], 7);
    mg_table_free(t);

    /* The largest int64 stays an int. */
    t = read_ok("a\n9223372036854775807\n-9223372036854775808\n", NULL);
    assert_int_equal(col(t, "a")->type, MG_TYPE_I64);
    assert_true(col(t, "a")->i64[0] == INT64_MAX && col(t, "a")->i64[1] == INT64_MIN);
    mg_table_free(t);
}

static void null_tokens(void **state) {
    (void)state;
    mg_table *t = read_ok("v,s\n"
                          "1.5,a\n"
                          ",\n"
                          "NA,NA\n"
                          "N/A,N/A\n"
                          "NaN,NaN\n"
                          "nan,nan\n"
                          "NAN,-nan\n"
                          "null,null\n"
                          " NA ,\"\"\n"
                          "2,Null\n"
                          "3,na\n",
                          NULL);
    const mg_column *v = col(t, "v"), *s = col(t, "s");
    assert_int_equal(t->nrows, 11);
    assert_int_equal(v->type, MG_TYPE_F64);
    assert_int_equal(v->null_count, 8);
    for (int64_t r = 1; r <= 8; r++)
        assert_true(mg_column_is_null(v, r));
    /* NaN as text is null, never a NaN value. */
    for (int64_t r = 0; r < t->nrows; r++)
        if (!mg_column_is_null(v, r))
            assert_false(isnan(v->f64[r]));
    assert_true(v->f64[0] == 1.5 && v->f64[9] == 2.0 && v->f64[10] == 3.0);
    assert_int_equal(s->type, MG_TYPE_STR);
    assert_int_equal(s->null_count, 8);
    assert_string_equal(str_at(s, 0), "a");
    assert_string_equal(str_at(s, 9), "Null");
    assert_string_equal(str_at(s, 10), "na");
    assert_int_equal(s->ndict, 3);
    mg_table_free(t);
}

static void quoting(void **state) {
    (void)state;
    mg_table *t = read_ok("\"na,me\",\"q\"\"uote\"\n"
                          "\"a,b\",\"he said \"\"hi\"\"\"\n"
                          "\"line1\nline2\",\"\"\"\"\n"
                          "plain,\"x\r\ny\"\n",
                          NULL);
    assert_int_equal(t->nrows, 3);
    assert_string_equal(t->cols[0].name, "na,me");
    assert_string_equal(t->cols[1].name, "q\"uote");
    const mg_column *a = &t->cols[0], *b = &t->cols[1];
    assert_string_equal(str_at(a, 0), "a,b");
    assert_string_equal(str_at(a, 1), "line1\nline2");
    assert_string_equal(str_at(a, 2), "plain");
    assert_string_equal(str_at(b, 0), "he said \"hi\"");
    assert_string_equal(str_at(b, 1), "\"");
    assert_string_equal(str_at(b, 2), "x\r\ny");
    mg_table_free(t);

    /* Quoted numbers are numbers; a quoted empty field is null. */
    t = read_ok("x,y\n\"1.5\",\"\"\n\"2\",\"3\"\n", NULL);
    assert_int_equal(col(t, "x")->type, MG_TYPE_F64);
    assert_true(col(t, "x")->f64[0] == 1.5);
    assert_int_equal(col(t, "y")->type, MG_TYPE_I64);
    assert_true(mg_column_is_null(col(t, "y"), 0));
    assert_int_equal(col(t, "y")->i64[1], 3);
    mg_table_free(t);
}

static void crlf_bom_and_line_ends(void **state) {
    (void)state;
    mg_table *t = read_ok("\xef\xbb\xbf"
                          "id,name\r\n1,\"a\r\nb\"\r\n2,c\r\n",
                          NULL);
    assert_string_equal(t->cols[0].name, "id");
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->cols[0].i64[1], 2);
    assert_string_equal(str_at(&t->cols[1], 0), "a\r\nb");
    assert_string_equal(str_at(&t->cols[1], 1), "c");
    mg_table_free(t);

    /* Last line without a line end; trailing blank lines ignored. */
    t = read_ok("a,b\n1,2\n3,4", NULL);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->cols[1].i64[1], 4);
    mg_table_free(t);
    t = read_ok("a,b\r\n1,2\r\n\r\n\n\r\n", NULL);
    assert_int_equal(t->nrows, 1);
    mg_table_free(t);
    /* A trailing comma is an empty last field. */
    t = read_ok("a,b\n1,\n", NULL);
    assert_int_equal(t->nrows, 1);
    assert_true(mg_column_is_null(&t->cols[1], 0));
    mg_table_free(t);

    /* With one column, a blank line inside the data is a null value. */
    t = read_ok("a\n1\n\n2\n\n", NULL);
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->cols[0].type, MG_TYPE_I64);
    assert_true(mg_column_is_null(&t->cols[0], 1));
    assert_int_equal(t->cols[0].i64[2], 2);
    mg_table_free(t);
}

static void header_only(void **state) {
    (void)state;
    mg_type_override ov[] = {{"b", MG_TYPE_STR}};
    mg_read_options opts = {.overrides = ov, .noverrides = 1};
    const char *inputs[] = {"a,b\n", "a,b", "a,b\r\n\r\n"};
    for (size_t k = 0; k < MG_ARRAY_LEN(inputs); k++) {
        mg_table *t = read_ok(inputs[k], &opts);
        assert_int_equal(t->nrows, 0);
        assert_int_equal(t->ncols, 2);
        assert_int_equal(t->cols[0].type, MG_TYPE_F64);
        assert_int_equal(t->cols[1].type, MG_TYPE_STR);
        assert_int_equal(t->cols[1].ndict, 0);
        mg_table_free(t);
    }
}

/* ---- overrides and selection -------------------------------------------- */

static void overrides(void **state) {
    (void)state;
    mg_type_override ov[] = {
        {"zip", MG_TYPE_STR}, {"n", MG_TYPE_F64}, {"flag", MG_TYPE_BOOL}, {"k", MG_TYPE_I64}};
    mg_read_options opts = {.overrides = ov, .noverrides = 4};
    mg_table *t = read_ok("zip,n,flag,k\n007,1,true,5\n010,2,false,\n", &opts);
    const mg_column *zip = col(t, "zip"), *n = col(t, "n");
    assert_int_equal(zip->type, MG_TYPE_STR);
    assert_string_equal(str_at(zip, 0), "007");
    assert_string_equal(str_at(zip, 1), "010");
    assert_int_equal(n->type, MG_TYPE_F64);
    assert_true(n->f64[1] == 2.0);
    assert_int_equal(col(t, "flag")->type, MG_TYPE_BOOL);
    assert_int_equal(col(t, "k")->type, MG_TYPE_I64);
    assert_true(mg_column_is_null(col(t, "k"), 1));
    mg_table_free(t);

    ov[0] = (mg_type_override){"b", MG_TYPE_I64};
    opts.noverrides = 1;
    expect_error("a,b\n1,2\n3,2.5\n", &opts, MG_ERR_DATA,
                 "data.csv:3:2 (column 'b'): '2.5' is not a valid int; expected a base-10 "
                 "integer that fits in 64 bits (the column's type is overridden to int)");
    ov[0].type = MG_TYPE_F64;
    expect_error("a,b\n1,2\n3,\"x\"\"\"\n", &opts, MG_ERR_DATA,
                 "data.csv:3:2 (column 'b'): 'x\"\"' is not a valid float; expected a decimal "
                 "number (the column's type is overridden to float)");
    ov[0].type = MG_TYPE_BOOL;
    expect_error("a,b\n1,true\n3,1\n", &opts, MG_ERR_DATA,
                 "data.csv:3:2 (column 'b'): '1' is not a valid bool; expected true or false "
                 "(the column's type is overridden to bool)");
    ov[0].column = "zz";
    expect_error("a,b\n1,true\n", &opts, MG_ERR_DATA,
                 "data.csv:1: type override column 'zz' is not in the header; expected one of "
                 "'a', 'b'");
}

static void column_selection(void **state) {
    (void)state;
    const char *want[] = {"d", "b", "b"};
    mg_read_options opts = {.columns = want, .ncolumns = 3};
    /* Unselected columns are only tokenized: 'c' mixes anything. */
    mg_table *t = read_ok("a,b,c,d\n1,x,\"q,\"\"\",2.5\n2,y,zz,3\n", &opts);
    assert_int_equal(t->ncols, 2);
    assert_string_equal(t->cols[0].name, "b");
    assert_string_equal(t->cols[1].name, "d");
    assert_string_equal(str_at(&t->cols[0], 1), "y");
    assert_true(t->cols[1].f64[0] == 2.5);
    mg_table_free(t);

    const char *missing[] = {"b", "score"};
    opts = (mg_read_options){.columns = missing, .ncolumns = 2};
    expect_error("a,b\n1,2\n", &opts, MG_ERR_DATA,
                 "data.csv:1: column 'score' is not in the header; expected one of 'a', 'b'");
    /* Structure is checked in unselected columns too. */
    const char *only_a[] = {"a"};
    opts = (mg_read_options){.columns = only_a, .ncolumns = 1};
    expect_error("a,b\n1,x\"y\n", &opts, MG_ERR_FORMAT,
                 "data.csv:2:2 (column 'b'): '\"' inside an unquoted field; expected the whole "
                 "field in quotes, with each '\"' in it doubled");
}

/* ---- errors ---------------------------------------------------------------- */

static void structural_errors(void **state) {
    (void)state;
    expect_error("", NULL, MG_ERR_FORMAT, "data.csv:1: empty file, expected a header row");
    expect_error("\xef\xbb\xbf", NULL, MG_ERR_FORMAT,
                 "data.csv:1: empty file, expected a header row");
    expect_error("\n\r\n", NULL, MG_ERR_FORMAT, "data.csv:1: empty file, expected a header row");
    expect_error("a,,c\n1,2,3\n", NULL, MG_ERR_FORMAT,
                 "data.csv:1:2: header field 2 is empty; expected a column name");
    expect_error("a,b,\n", NULL, MG_ERR_FORMAT,
                 "data.csv:1:3: header field 3 is empty; expected a column name");
    expect_error("a,b,a\n1,2,3\n", NULL, MG_ERR_FORMAT,
                 "data.csv:1:3 (column 'a'): duplicate column name, column 1 has it too; "
                 "expected unique names in the header");
    expect_error("a,b,c\n1,2,3\n4,5\n", NULL, MG_ERR_FORMAT,
                 "data.csv:3:3 (column 'c'): row has 2 fields, expected 3 as in the header");
    expect_error("a,b,c\n1,2,3\n4", NULL, MG_ERR_FORMAT,
                 "data.csv:3:2 (column 'b'): row has 1 field, expected 3 as in the header");
    expect_error("a,b,c\n1,\"2\n\",3,4\n", NULL, MG_ERR_FORMAT,
                 "data.csv:3:4: row has 4 fields, expected 3 as in the header");
    expect_error("a,b\n1,2\n\n3,4\n", NULL, MG_ERR_FORMAT,
                 "data.csv:3: blank line; expected 2 fields as in the header (blank lines are "
                 "allowed only at the end)");
    expect_error("a,b\n1,\"x\n2,3\n4,5\n", NULL, MG_ERR_FORMAT,
                 "data.csv:2:2 (column 'b'): quoted field opened here is never closed; expected "
                 "a closing '\"' before the end of the file");
    expect_error("a,\"b\n", NULL, MG_ERR_FORMAT,
                 "data.csv:1:2: quoted field opened here is never closed; expected a closing "
                 "'\"' before the end of the file");
    expect_error("a,b\n1,x\"y\n", NULL, MG_ERR_FORMAT,
                 "data.csv:2:2 (column 'b'): '\"' inside an unquoted field; expected the whole "
                 "field in quotes, with each '\"' in it doubled");
    expect_error("a,b\n1,\"x\"y\n", NULL, MG_ERR_FORMAT,
                 "data.csv:2:2 (column 'b'): 'y' after the closing quote; expected ',' or the "
                 "end of the line");
    expect_error("a,b\n1,\"x\" \n", NULL, MG_ERR_FORMAT,
                 "data.csv:2:2 (column 'b'): byte 0x20 after the closing quote; expected ',' or "
                 "the end of the line");
    expect_error_n("a,b\n1,x\0y\n", 10, NULL, MG_ERR_FORMAT,
                   "data.csv:2:2 (column 'b'): NUL byte at byte offset 7; expected text");
    expect_error_n("a,b\n1,\"x\0\"\n", 11, NULL, MG_ERR_FORMAT,
                   "data.csv:2:2 (column 'b'): NUL byte at byte offset 8; expected text");
    expect_error_n("a\0,b\n", 5, NULL, MG_ERR_FORMAT,
                   "data.csv:1:1: NUL byte at byte offset 1; expected text");
    expect_error("a,b\r1,2\n", NULL, MG_ERR_FORMAT,
                 "data.csv:1:2: carriage return not followed by a line feed; expected LF or CRLF "
                 "line endings");
    expect_error("a,b\n1,2\r\n3,4\r5,6\r\n", NULL, MG_ERR_FORMAT,
                 "data.csv:3:2 (column 'b'): carriage return not followed by a line feed; "
                 "expected LF or CRLF line endings");
    /* Lines count physical lines, including those inside quotes. */
    expect_error("a,b\n\"x\ny\",1\n\"z\",2,3\n", NULL, MG_ERR_FORMAT,
                 "data.csv:4:3: row has 3 fields, expected 2 as in the header");
}

static void reads_files_by_path(void **state) {
    (void)state;
    char path[] = "/tmp/mg_test_csv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "label,score\n1,0.75\n0,0.25\n1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    mg_table *t = NULL;
    mg_error err = {0};
    assert_int_equal(mg_table_read(path, NULL, &t, &err), MG_ERR_FORMAT);
    assert_null(t);
    char want[256];
    snprintf(want, sizeof want,
             "%s:4:2 (column 'score'): row has 1 field, expected 2 as in the header", path);
    assert_string_equal(err.text, want);
    unlink(path);
}

/* ---- numbers ------------------------------------------------------------- */

static uint64_t next_rand(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void doubles_round_trip_exactly(void **state) {
    (void)state;
    enum { N = 10000 };
    double *want = malloc(N * sizeof *want);
    mg__buf text = {0};
    mg__buf_puts(&text, "x\n");
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < N; i++) {
        double d;
        do {
            uint64_t bits = next_rand(&seed);
            memcpy(&d, &bits, sizeof d);
        } while (!isfinite(d));
        /* Mix in ordinary magnitudes and subnormals as well as random bit patterns. */
        if (i % 3 == 1)
            d = (double)(next_rand(&seed) >> 11) / 9007199254740992.0 * 1e4 - 5e3;
        if (i % 97 == 0)
            d = 4.9e-324 * (double)(i + 1);
        want[i] = d;
        mg__buf_printf(&text, "%.17g\n", d);
    }
    mg_table *t = read_ok_n(text.data, text.len, NULL);
    const mg_column *x = col(t, "x");
    assert_int_equal(x->type, MG_TYPE_F64);
    assert_int_equal(t->nrows, N);
    for (int i = 0; i < N; i++)
        assert_memory_equal(&x->f64[i], &want[i], sizeof(double));
    mg_table_free(t);
    mg__buf_release(&text);
    free(want);
}

/* The first pass checks the float grammar without converting; it must accept
 * exactly what mg_parse_double accepts. */
static void float_inference_matches_parser(void **state) {
    (void)state;
    const char *tokens[] = {"inf", "-Infinity", "+INF",   "infinit", "1e5", "1e",   "1e+",
                            ".",   "+.5e-3",    "5.",     ".5",      "e5",  "0x10", "1.2.3",
                            "-",   "+",         "1e-400", "1E400",   "--1", "1..",  "0.1e+07",
                            "12a", "1 2",       "1,5",    "١",       "+-1", "9.9E", "00.00"};
    for (size_t k = 0; k < MG_ARRAY_LEN(tokens); k++) {
        char text[64];
        snprintf(text, sizeof text, "x\n\"%s\"\n", tokens[k]);
        mg_table *t = read_ok(text, NULL);
        double want;
        int64_t i;
        bool is_float = mg_parse_double(tokens[k], strlen(tokens[k]), &want) == 0;
        bool is_int = mg_parse_int64(tokens[k], strlen(tokens[k]), &i) == 0;
        const mg_column *x = &t->cols[0];
        if (is_int) {
            assert_int_equal(x->type, MG_TYPE_I64);
        } else if (is_float) {
            assert_int_equal(x->type, MG_TYPE_F64);
            assert_memory_equal(&x->f64[0], &want, sizeof want);
        } else {
            assert_int_equal(x->type, MG_TYPE_STR);
            assert_string_equal(str_at(x, 0), tokens[k]);
        }
        mg_table_free(t);
    }
}

/* ---- parallel parse ------------------------------------------------------ */

static void assert_tables_equal(const mg_table *a, const mg_table *b) {
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->ncols, b->ncols);
    for (int c = 0; c < a->ncols; c++) {
        const mg_column *x = &a->cols[c], *y = &b->cols[c];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->null_count, y->null_count);
        assert_int_equal(x->ndict, y->ndict);
        for (int32_t k = 0; k < x->ndict; k++)
            assert_string_equal(x->dict[k], y->dict[k]);
        for (int64_t r = 0; r < a->nrows; r++) {
            assert_int_equal(mg_column_is_null(x, r), mg_column_is_null(y, r));
            if (mg_column_is_null(x, r))
                continue;
            switch (x->type) {
            case MG_TYPE_F64: assert_memory_equal(&x->f64[r], &y->f64[r], sizeof(double)); break;
            case MG_TYPE_I64: assert_true(x->i64[r] == y->i64[r]); break;
            case MG_TYPE_BOOL: assert_int_equal(x->b[r], y->b[r]); break;
            case MG_TYPE_STR: assert_int_equal(x->codes[r], y->codes[r]); break;
            }
        }
    }
}

/* A few MiB where quoted fields with commas, quotes and line ends that look
 * like records are frequent, so that many chunk cuts fall inside quotes. */
static void make_tricky_csv(mg__buf *b, int rows, bool crlf, int64_t *lines) {
    uint64_t seed = 12345;
    const char *eol = crlf ? "\r\n" : "\n";
    const char *cats[] = {"red", "green", "blue", "\"quoted, cat\"", "NA", "yellow"};
    mg__buf_printf(b, "id,x,flag,text,maybe,cat%s", eol);
    int64_t nl = 1;
    for (int r = 0; r < rows; r++) {
        uint64_t u = next_rand(&seed);
        mg__buf_printf(b, "%d,%.17g,%s,", r, (double)(u >> 11) * 0x1p-53 - 0.5,
                       (u & 1) ? "true" : "False");
        switch ((u >> 1) % 5) {
        case 0: mg__buf_printf(b, "plain%d", (int)(u % 50)); break;
        case 1:
            mg__buf_printf(b, "\"%d,%d,%d%s%d,x,y\"", r, r + 1, r + 2, eol, r + 3);
            nl++;
            break;
        case 2: mg__buf_printf(b, "\"say \"\"%d\"\"\"", (int)(u % 20)); break;
        case 3:
            mg__buf_printf(b, "\"%s\"\"a\"\",b%s%s\"", eol, eol, eol);
            nl += 3;
            break;
        default: break; /* empty: null */
        }
        if ((u >> 8) % 4 == 0)
            mg__buf_printf(b, ",NA,");
        else
            mg__buf_printf(b, ",%d,", (int)((u >> 12) % 1000));
        mg__buf_printf(b, "%s%s", cats[(u >> 20) % MG_ARRAY_LEN(cats)], eol);
        nl++;
    }
    if (lines != NULL)
        *lines = nl;
}

static mg_status read_chunked(const char *text, size_t len, size_t chunk, int threads, mg_table **t,
                              mg_error *err) {
    mg_read_options opts = {.threads = threads};
    return mg__csv_read(text, len, "big.csv", &opts, chunk, t, err);
}

static void parallel_equals_serial(void **state) {
    (void)state;
    for (int crlf = 0; crlf <= 1; crlf++) {
        mg__buf text = {0};
        make_tricky_csv(&text, 60000, crlf, NULL);
        assert_true(text.len > (size_t)(3 << 20));
        mg_table *serial = NULL, *par = NULL;
        mg_error err = {0};
        assert_int_equal(read_chunked(text.data, text.len, 0, 1, &serial, &err), MG_OK);
        assert_int_equal(serial->nrows, 60000);
        assert_int_equal(col(serial, "id")->type, MG_TYPE_I64);
        assert_int_equal(col(serial, "x")->type, MG_TYPE_F64);
        assert_int_equal(col(serial, "flag")->type, MG_TYPE_BOOL);
        assert_int_equal(col(serial, "text")->type, MG_TYPE_STR);
        assert_int_equal(col(serial, "maybe")->type, MG_TYPE_I64);
        assert_true(col(serial, "maybe")->null_count > 10000);
        assert_int_equal(col(serial, "cat")->ndict, 5);
        assert_int_equal(col(serial, "id")->i64[59999], 59999);
        /* Odd chunk sizes so that cuts land everywhere, inside quotes too. */
        const size_t chunks[] = {4099, 65536 + 7, 1 << 20};
        for (size_t k = 0; k < MG_ARRAY_LEN(chunks); k++) {
            assert_int_equal(read_chunked(text.data, text.len, chunks[k], 4, &par, &err), MG_OK);
            assert_tables_equal(serial, par);
            mg_table_free(par);
        }
        mg_table_free(serial);
        mg__buf_release(&text);
    }
}

static void public_entry_parallelises_large_inputs(void **state) {
    (void)state;
    mg__buf text = {0};
    make_tricky_csv(&text, 170000, false, NULL);
    assert_true(text.len > (size_t)(8 << 20));
    mg_read_options one = {.threads = 1}, three = {.threads = 3};
    mg_table *a = read_ok_n(text.data, text.len, &one);
    mg_table *b = read_ok_n(text.data, text.len, &three);
    assert_int_equal(a->nrows, 170000);
    assert_tables_equal(a, b);
    mg_table_free(a);
    mg_table_free(b);
    mg__buf_release(&text);
}

/* Writes rows of the tricky data with a fault put at row `bad` (0-based) and
 * returns the physical line of that row. */
static int64_t tricky_with(mg__buf *b, int rows, int bad, const char *bad_row) {
    int64_t before = 0;
    make_tricky_csv(b, bad, false, &before);
    mg__buf_puts(b, bad_row);
    mg__buf tail = {0};
    make_tricky_csv(&tail, rows - bad, false, NULL);
    /* Skip the tail's header line. */
    const char *nl = memchr(tail.data, '\n', tail.len);
    mg__buf_append(b, nl + 1, tail.len - (size_t)(nl + 1 - tail.data));
    mg__buf_release(&tail);
    return before + 1;
}

static void expect_same_error(const mg__buf *text, const char *want) {
    const size_t chunks[] = {0, 4099, 65536 + 7};
    for (size_t k = 0; k < MG_ARRAY_LEN(chunks); k++) {
        mg_table *t = (mg_table *)(uintptr_t)1;
        mg_error err = {0};
        mg_status st = read_chunked(text->data, text->len, chunks[k], chunks[k] ? 4 : 1, &t, &err);
        assert_int_not_equal(st, MG_OK);
        assert_null(t);
        assert_string_equal(err.text, want);
    }
}

static void parallel_reports_first_error(void **state) {
    (void)state;
    char want[256];
    /* A ragged row late in the file. */
    mg__buf text = {0};
    int64_t line = tricky_with(&text, 40000, 35000, "1,2,3\n");
    snprintf(want, sizeof want,
             "big.csv:%" PRId64 ":4 (column 'text'): row has 3 fields, expected 6 as in the "
             "header",
             line);
    expect_same_error(&text, want);
    mg__buf_release(&text);

    /* A stray quote early breaks the quote parity of every later cut; the
     * first bad line is still the one reported. */
    line = tricky_with(&text, 40000, 1000, "1,2,true,ab\"c,1,red\n");
    snprintf(want, sizeof want,
             "big.csv:%" PRId64 ":4 (column 'text'): '\"' inside an unquoted field; expected "
             "the whole field in quotes, with each '\"' in it doubled",
             line);
    expect_same_error(&text, want);
    mg__buf_release(&text);

    /* A quote opened and never closed: named at the line where it opened. */
    make_tricky_csv(&text, 30000, false, &line);
    mg__buf_puts(&text, "7,0.5,true,\"never closed\n1,2,3\n4,5,6\n");
    snprintf(want, sizeof want,
             "big.csv:%" PRId64 ":4 (column 'text'): quoted field opened here is never "
             "closed; expected a closing '\"' before the end of the file",
             line + 1);
    expect_same_error(&text, want);
    mg__buf_release(&text);

    /* A quote opened early and never closed puts every cut inside quotes. */
    mg__buf_puts(&text, "a,b\n1,2\n3,\"open\n");
    for (int i = 0; i < 1000000; i++)
        mg__buf_puts(&text, "4,5\n");
    expect_same_error(&text, "big.csv:3:2 (column 'b'): quoted field opened here is never closed; "
                             "expected a closing '\"' before the end of the file");
    mg__buf_release(&text);

    /* A value error early wins over a structural error later. */
    line = tricky_with(&text, 40000, 2000, "1,oops,true,a,1,red\n");
    mg__buf_puts(&text, "1,2\n");
    mg_type_override ov[] = {{"x", MG_TYPE_F64}};
    mg_read_options opts = {.overrides = ov, .noverrides = 1, .threads = 4};
    const size_t chunks[] = {0, 4099};
    for (size_t k = 0; k < MG_ARRAY_LEN(chunks); k++) {
        mg_table *t = NULL;
        mg_error err = {0};
        assert_int_equal(mg__csv_read(text.data, text.len, "big.csv", &opts, chunks[k], &t, &err),
                         MG_ERR_DATA);
        snprintf(want, sizeof want,
                 "big.csv:%" PRId64 ":2 (column 'x'): 'oops' is not a valid float; expected a "
                 "decimal number (the column's type is overridden to float)",
                 line);
        assert_string_equal(err.text, want);
    }
    mg__buf_release(&text);
}

/* The single pass guesses each column's type from the first rows of each
 * chunk; a later value the guess cannot hold makes that column be filled
 * again with the inferred type. Hand-made columns: 'a' ints then a float at
 * row 4000, 'b' ints then text at row 4500, 'c' booleans then an int at row
 * 4600, 'd' floats throughout with NA at every 700th row; in one chunk
 * and in many. */
static void late_values_change_the_guessed_type(void **state) {
    (void)state;
    mg__buf text = {0};
    mg__buf_puts(&text, "a,b,c,d\n");
    for (int i = 0; i < 5000; i++) {
        char a[32], b[32], c[32], d[32];
        snprintf(a, sizeof a, i == 4000 ? "2.5" : "%d", i);
        snprintf(b, sizeof b, i == 4500 ? "x" : "%d", i % 7);
        snprintf(c, sizeof c, "%s", i == 4600 ? "1" : i % 2 ? "true" : "false");
        if (i % 700 == 0)
            snprintf(d, sizeof d, "NA");
        else
            snprintf(d, sizeof d, "%d.25", i);
        mg__buf_printf(&text, "%s,%s,%s,%s\n", a, b, c, d);
    }
    const size_t chunks[] = {0, 4099};
    for (size_t k = 0; k < MG_ARRAY_LEN(chunks); k++) {
        mg_table *t = NULL;
        mg_error err = {0};
        assert_int_equal(read_chunked(text.data, text.len, chunks[k], chunks[k] ? 3 : 1, &t, &err),
                         MG_OK);
        assert_int_equal(t->nrows, 5000);
        const mg_column *a = &t->cols[0], *b = &t->cols[1], *c = &t->cols[2], *d = &t->cols[3];
        assert_int_equal(a->type, MG_TYPE_F64);
        assert_int_equal(b->type, MG_TYPE_STR);
        assert_int_equal(c->type, MG_TYPE_STR);
        assert_int_equal(d->type, MG_TYPE_F64);
        assert_true(a->f64[0] == 0.0 && a->f64[3999] == 3999.0 && a->f64[4000] == 2.5 &&
                    a->f64[4999] == 4999.0);
        assert_null(a->valid);
        assert_string_equal(b->dict[b->codes[0]], "0");
        assert_string_equal(b->dict[b->codes[13]], "6");
        assert_string_equal(b->dict[b->codes[4500]], "x");
        assert_int_equal(b->ndict, 8);
        assert_string_equal(c->dict[c->codes[0]], "false");
        assert_string_equal(c->dict[c->codes[4601]], "true");
        assert_string_equal(c->dict[c->codes[4600]], "1");
        assert_int_equal(d->null_count, 8);
        for (int i = 0; i < 5000; i++) {
            assert_int_equal(mg_column_is_null(d, i), i % 700 == 0);
            if (i % 700 != 0)
                assert_true(d->f64[i] == i + 0.25);
        }
        mg_table_free(t);
    }
    mg__buf_release(&text);
}

/* A file read by path is mapped, and its reader gives each page back once
 * scanned (the file is never resident in full): the same table as from the
 * bytes in memory, and the same error, byte offset included, for a fault
 * late in the file. The file is above the size parsed in parallel. */
static void mapped_file_equals_buffer(void **state) {
    (void)state;
    for (int fault = 0; fault <= 2; fault++) {
        mg__buf text = {0};
        make_tricky_csv(&text, 200000, false, NULL);
        assert_true(text.len > (size_t)(9 << 20));
        if (fault == 1)
            mg__buf_puts(&text, "1,2,3\n");
        else if (fault == 2)
            mg__buf_append(&text, "1,0.5,true,a\0b,1,red\n", 21);
        char path[] = "/tmp/mg_test_csv_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text.data, text.len), (ssize_t)text.len);
        close(fd);
        for (int threads = 1; threads <= 2; threads++) {
            mg_read_options opts = {.threads = threads};
            mg_table *mem = NULL, *mapped = NULL;
            mg_error em = {0}, ef = {0};
            mg_status sm = mg__csv_read(text.data, text.len, path, &opts, 0, &mem, &em);
            mg_status sf = mg_table_read(path, &opts, &mapped, &ef);
            assert_int_equal(sm, sf);
            if (fault == 0) {
                assert_int_equal(sm, MG_OK);
                assert_int_equal(mapped->nrows, 200000);
                assert_tables_equal(mem, mapped);
            } else {
                assert_int_not_equal(sm, MG_OK);
                assert_string_equal(em.text, ef.text);
                assert_int_equal(em.place.offset, ef.place.offset);
                if (fault == 2)
                    assert_non_null(strstr(ef.text, "NUL byte at byte offset"));
            }
            mg_table_free(mem);
            mg_table_free(mapped);
        }
        unlink(path);
        mg__buf_release(&text);
    }
}

/* Random small inputs from an alphabet of CSV's special bytes, valid or not:
 * tiny chunks must give the same table or the same error as one chunk. */
static void parallel_matches_serial_on_random_input(void **state) {
    (void)state;
    const char alphabet[] = {'a', '1', '.', ',', ',', '"', '"', '\n', '\n', '\r', ' ', 'N', 'A'};
    uint64_t seed = 0xdeadbeefcafef00dull;
    char text[1200];
    int tables = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0;
        int ncols = 1 + (int)(next_rand(&seed) % 3);
        for (int c = 0; c < ncols; c++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%sc%d", c ? "," : "", c);
        text[len++] = '\n';
        size_t target = len + next_rand(&seed) % 900;
        /* Well-formed rows, and in half of the inputs random bytes thrown in. */
        bool noisy = next_rand(&seed) & 1;
        while (len < target) {
            uint64_t u = next_rand(&seed);
            if (!noisy || u % 8 != 0) {
                for (int c = 0; c < ncols; c++) {
                    uint64_t v = next_rand(&seed);
                    const char *cell = v % 5 == 0   ? "\"x,\n\"\"y\""
                                       : v % 5 == 1 ? "NA"
                                       : v % 5 == 2 ? "1.5"
                                       : v % 5 == 3 ? "7"
                                                    : "\"\r\n\"";
                    len +=
                        (size_t)snprintf(text + len, sizeof text - len, "%s%s", c ? "," : "", cell);
                }
                text[len++] = '\n';
            } else {
                text[len++] = alphabet[(u >> 8) % sizeof alphabet];
            }
        }
        mg_table *a = NULL, *b = NULL;
        mg_error ea = {0}, eb = {0};
        mg_status sa = read_chunked(text, len, 0, 1, &a, &ea);
        mg_status sb = read_chunked(text, len, 5 + next_rand(&seed) % 60, 3, &b, &eb);
        assert_int_equal(sa, sb);
        if (sa == MG_OK) {
            assert_tables_equal(a, b);
            tables++;
        } else {
            assert_string_equal(ea.text, eb.text);
        }
        mg_table_free(a);
        mg_table_free(b);
    }
    /* Both outcomes are exercised. */
    assert_true(tables > 300 && tables < 2700);
}

static void parallel_trailing_blank_lines(void **state) {
    (void)state;
    mg__buf text = {0};
    make_tricky_csv(&text, 5000, true, NULL);
    for (int i = 0; i < 20000; i++)
        mg__buf_puts(&text, i % 2 ? "\n" : "\r\n");
    mg_table *a = NULL, *b = NULL;
    mg_error err = {0};
    assert_int_equal(read_chunked(text.data, text.len, 0, 1, &a, &err), MG_OK);
    assert_int_equal(read_chunked(text.data, text.len, 1000, 4, &b, &err), MG_OK);
    assert_int_equal(a->nrows, 5000);
    assert_tables_equal(a, b);
    mg_table_free(a);
    mg_table_free(b);
    mg__buf_release(&text);
}

/* pandas' default na_values (pandas 2, as docs/data.md lists them). */
static const char *const pandas_na[] = {
    "",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A",  "NA",       "NULL", "NaN",    "None",     "n/a",  "nan",  "null",
};

/* Each default spelling is null in a float, an int, a bool and a string
 * column, quoted or not, and with blanks around it. */
static void every_default_na_spelling(void **state) {
    (void)state;
    for (size_t k = 0; k < MG_ARRAY_LEN(pandas_na); k++) {
        const char *w = pandas_na[k];
        char text[256];
        snprintf(text, sizeof text, "f,i,b,s,q\n1.5,1,true,a,x\n%s,%s,%s, %s\t,\"%s\"\n2.5,2,false,b,y\n",
                 w, w, w, w, w);
        mg_table *t = read_ok(text, NULL);
        assert_int_equal(t->nrows, 3);
        const mg_type want[] = {MG_TYPE_F64, MG_TYPE_I64, MG_TYPE_BOOL, MG_TYPE_STR, MG_TYPE_STR};
        for (int c = 0; c < 5; c++) {
            const mg_column *x = &t->cols[c];
            if (x->type != want[c] || x->null_count != 1 || !mg_column_is_null(x, 1))
                fail_msg("'%s' in column %s: type %d, %lld nulls", w, x->name, (int)x->type,
                         (long long)x->null_count);
        }
        assert_true(t->cols[0].f64[2] == 2.5 && t->cols[1].i64[2] == 2);
        assert_string_equal(str_at(col(t, "s"), 2), "b");
        mg_table_free(t);
    }
}

/* Near misses are text: the match is exact and case-sensitive, as in pandas,
 * and a number column holding one becomes a string column. */
static void na_near_misses_are_text(void **state) {
    (void)state;
    const char *miss[] = {"Null", "none", "NONE", "na", "Na", "#n/a", "N/a", "<na>", "NUL",
                          "1.#ind", "#N/A  N/A", "-NA", "nil"};
    for (size_t k = 0; k < MG_ARRAY_LEN(miss); k++) {
        char text[128];
        snprintf(text, sizeof text, "x,s\n0.5,a\n%s,%s\n", miss[k], miss[k]);
        mg_table *t = read_ok(text, NULL);
        for (int c = 0; c < 2; c++) {
            const mg_column *x = &t->cols[c];
            if (x->type != MG_TYPE_STR || x->null_count != 0)
                fail_msg("'%s' in column %s: type %d, %lld nulls", miss[k], x->name,
                         (int)x->type, (long long)x->null_count);
            assert_string_equal(str_at(x, 1), miss[k]);
        }
        assert_string_equal(str_at(col(t, "x"), 0), "0.5");
        mg_table_free(t);
    }
}

/* NaN in a case or sign outside the list: null among numbers (a NaN is
 * never stored), text in a string column; the same whatever the list. */
static void nan_words_outside_the_list(void **state) {
    (void)state;
    const char *const only_q[] = {"?"};
    const mg_read_options custom = {.na_values = only_q, .nna_values = 1};
    const mg_read_options *opts[] = {NULL, &custom};
    for (int o = 0; o < 2; o++) {
        mg_table *t = read_ok("f,i,s\n1.5,1,a\nNAN,+nan,NAN\nnAn,-NAN,+nan\n2,3,b\n", opts[o]);
        const mg_column *f = col(t, "f"), *i = col(t, "i"), *s = col(t, "s");
        assert_int_equal(f->type, MG_TYPE_F64);
        assert_int_equal(i->type, MG_TYPE_I64);
        assert_int_equal(f->null_count, 2);
        assert_int_equal(i->null_count, 2);
        assert_true(mg_column_is_null(f, 1) && mg_column_is_null(f, 2));
        assert_true(mg_column_is_null(i, 1) && mg_column_is_null(i, 2));
        assert_true(f->f64[3] == 2.0 && i->i64[3] == 3);
        assert_int_equal(s->type, MG_TYPE_STR);
        assert_int_equal(s->null_count, 0);
        assert_string_equal(str_at(s, 1), "NAN");
        assert_string_equal(str_at(s, 2), "+nan");
        mg_table_free(t);
    }
    /* With a list lacking nan, "nan" is still null among numbers, text among words. */
    mg_table *t = read_ok("f,s\n1,nan\nnan,a\n", &custom);
    assert_int_equal(col(t, "f")->type, MG_TYPE_I64);
    assert_true(mg_column_is_null(col(t, "f"), 1));
    assert_string_equal(str_at(col(t, "s"), 0), "nan");
    mg_table_free(t);
}

/* --na-values replaces the list: listed words are null, the defaults are
 * text, and without the empty item an empty field is an empty string. */
static void na_values_replace_the_defaults(void **state) {
    (void)state;
    const char *const q_and_empty[] = {"?", ""};
    mg_read_options o = {.na_values = q_and_empty, .nna_values = 2};
    mg_table *t = read_ok("x,s,n\n1,NA,1\n?,?,?\n,,\n2,NULL,None\n", &o);
    const mg_column *x = col(t, "x"), *s = col(t, "s"), *n = col(t, "n");
    assert_int_equal(x->type, MG_TYPE_I64);
    assert_int_equal(x->null_count, 2);
    assert_true(mg_column_is_null(x, 1) && mg_column_is_null(x, 2));
    assert_int_equal(s->type, MG_TYPE_STR);
    assert_int_equal(s->null_count, 2);
    assert_string_equal(str_at(s, 0), "NA");
    assert_string_equal(str_at(s, 3), "NULL");
    assert_int_equal(n->type, MG_TYPE_STR); /* "None" is a word now */
    assert_string_equal(str_at(n, 3), "None");
    mg_table_free(t);

    /* Without "": an empty field is text, so its column is a string column. */
    o.nna_values = 1;
    t = read_ok("x,s\n1,a\n,\n?,?\n", &o);
    x = col(t, "x");
    s = col(t, "s");
    assert_int_equal(x->type, MG_TYPE_STR);
    assert_int_equal(x->null_count, 1);
    assert_string_equal(str_at(x, 1), "");
    assert_true(mg_column_is_null(x, 2));
    assert_string_equal(str_at(s, 1), "");
    mg_table_free(t);

    /* An empty list: nothing is null but a NaN among numbers. */
    o.nna_values = 0;
    t = read_ok("x,s\n1.5,NA\nnan,\n", &o);
    assert_int_equal(col(t, "x")->null_count, 1);
    assert_int_equal(col(t, "s")->null_count, 0);
    assert_string_equal(str_at(col(t, "s"), 1), "");
    mg_table_free(t);

    /* A word that could never match a field is refused. */
    const char *const bad[][1] = {{" NA"}, {"NA\t"}, {"a\"b"}, {"a,b"}, {"a\nb"}};
    for (size_t k = 0; k < MG_ARRAY_LEN(bad); k++) {
        mg_read_options b = {.na_values = bad[k], .nna_values = 1};
        char want[256];
        snprintf(want, sizeof want,
                 "data.csv: missing-value word '%s' could never match a cell; expected at most 63 "
                 "bytes without '\"', ',', line ends or blanks at either end",
                 bad[k][0]);
        char *nl = strchr(want, '\n');
        if (nl != NULL)
            *nl = ' '; /* error messages are one line */
        expect_error("x\n1\n", &b, MG_ERR_USAGE, want);
    }
    char longw[80];
    memset(longw, 'z', 64);
    longw[64] = '\0';
    const char *const lw[] = {longw};
    mg_read_options b = {.na_values = lw, .nna_values = 1};
    expect_error("x\n1\n", &b, MG_ERR_USAGE,
                 "data.csv: missing-value word "
                 "'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' could never "
                 "match a cell; expected at most 63 bytes without '\"', ',', line ends or blanks at "
                 "either end");
}

/* The chunked parallel parse gives the serial table on data full of missing
 * spellings, NaN words and near misses, with the default and a custom list. */
static void parallel_equals_serial_with_na_words(void **state) {
    (void)state;
    const char *words[] = {"NULL", "None", "#N/A", "n/a", "<NA>", "NAN", "+nan", "Null", "?", "",
                           "-1.#IND", "nan"};
    const char *const custom_list[] = {"?", "Null", ""};
    uint64_t seed = 99;
    mg__buf text = {0};
    mg__buf_puts(&text, "id,x,n,s\n");
    for (int r = 0; r < 40000; r++) {
        uint64_t u = next_rand(&seed);
        const char *w = words[(u >> 8) % MG_ARRAY_LEN(words)];
        const char *w2 = words[(u >> 16) % MG_ARRAY_LEN(words)];
        if (r < 30000 && (u & 3) == 0)
            mg__buf_printf(&text, "%d,%s,%d,%s\n", r, w, (int)(u % 7), w2);
        else if ((u & 3) == 0)
            mg__buf_printf(&text, "%d,%s,%s,word%d\n", r, w, w2, (int)(u % 9));
        else
            mg__buf_printf(&text, "%d,%.3f,%d,cat%d\n", r, (double)(u % 1000) / 7, (int)(u % 5),
                           (int)(u % 4));
    }
    for (int list = 0; list < 2; list++) {
        mg_read_options o1 = {.threads = 1}, o4 = {.threads = 4};
        if (list) {
            o1.na_values = o4.na_values = custom_list;
            o1.nna_values = o4.nna_values = 3;
        }
        mg_table *a = NULL, *b = NULL;
        mg_error err = {0};
        assert_int_equal(mg__csv_read(text.data, text.len, "na.csv", &o1, 0, &a, &err), MG_OK);
        assert_int_equal(mg__csv_read(text.data, text.len, "na.csv", &o4, 20000, &b, &err), MG_OK);
        assert_true(a->cols[1].null_count > 0 && a->cols[3].null_count > 0);
        assert_tables_equal(a, b);
        mg_table_free(a);
        mg_table_free(b);
    }
    mg__buf_release(&text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(infers_each_type),
        cmocka_unit_test(widening_rules),
        cmocka_unit_test(null_tokens),
        cmocka_unit_test(quoting),
        cmocka_unit_test(crlf_bom_and_line_ends),
        cmocka_unit_test(header_only),
        cmocka_unit_test(overrides),
        cmocka_unit_test(column_selection),
        cmocka_unit_test(structural_errors),
        cmocka_unit_test(reads_files_by_path),
        cmocka_unit_test(doubles_round_trip_exactly),
        cmocka_unit_test(float_inference_matches_parser),
        cmocka_unit_test(parallel_equals_serial),
        cmocka_unit_test(public_entry_parallelises_large_inputs),
        cmocka_unit_test(parallel_reports_first_error),
        cmocka_unit_test(parallel_matches_serial_on_random_input),
        cmocka_unit_test(parallel_trailing_blank_lines),
        cmocka_unit_test(every_default_na_spelling),
        cmocka_unit_test(na_near_misses_are_text),
        cmocka_unit_test(nan_words_outside_the_list),
        cmocka_unit_test(na_values_replace_the_defaults),
        cmocka_unit_test(parallel_equals_serial_with_na_words),
        cmocka_unit_test(mapped_file_equals_buffer),
        cmocka_unit_test(late_values_change_the_guessed_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
