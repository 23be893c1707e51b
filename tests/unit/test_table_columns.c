/* test_table_columns.c - mg_table_columns, the header/schema reader behind
 * the checks made before any data is read: CSV headers (delimiters, BOM,
 * quoted names, rows never parsed), Parquet footers against the DuckDB and
 * hyparquet references of the conformance files, part folders, nested
 * columns, and the inputs it refuses (pipes, missing files). Also the CSV
 * reader with other delimiters, serial against chunked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/data.h"

#define CONF MG_SOURCE_DIR "/tests/data/parquet/conformance/"
#define PQ_DIR MG_SOURCE_DIR "/tests/data/parquet-testing/data/"

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mg_columns_XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char p[400];
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
    if (d != NULL)
        closedir(d);
    return rmdir(tmpdir);
}

static const char *write_file(const char *name, const char *text, size_t len) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

/* Reads the columns of `path` and checks their names (types are -1: CSV). */
static void expect_csv_names(const char *path, char delimiter, const char *const *names, int n) {
    mg_read_options o = {.delimiter = delimiter};
    mg_column_schema *cols = NULL;
    int got = -1;
    mg_error err = {0};
    mg_status st = mg_table_columns(path, &o, &cols, &got, &err);
    if (st != MG_OK)
        fail_msg("unexpected error: %s", err.text);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++) {
        assert_string_equal(cols[i].name, names[i]);
        assert_int_equal(cols[i].type, -1);
        assert_int_equal(cols[i].nested, 0);
    }
    mg_column_schemas_free(cols, got);
}

static void csv_header_only(void **state) {
    (void)state;
    /* Row 2 is ragged and row 3 has an unterminated quote: the rows are never
     * parsed, so the header still reads. */
    static const char text[] = "label,\"in,come\",\"say \"\"hi\"\"\"\r\n1,2\n\"3\n";
    const char *p = write_file("a.csv", text, sizeof text - 1);
    static const char *const names[] = {"label", "in,come", "say \"hi\""};
    expect_csv_names(p, 0, names, 3);
    /* The same bytes in full are an error. */
    mg_table *t = NULL;
    mg_error err = {0};
    assert_int_equal(mg_table_read(p, NULL, &t, &err), MG_ERR_FORMAT);
}

static void csv_bom_and_delimiters(void **state) {
    (void)state;
    static const char bom[] = "\xef\xbb\xbfx;\"y;z\";w\n1;2;3\n";
    const char *p = write_file("b.csv", bom, sizeof bom - 1);
    static const char *const semi[] = {"x", "y;z", "w"};
    expect_csv_names(p, ';', semi, 3);
    static const char tsv[] = "a\tb c\t|d\n1\t2\t3\n";
    p = write_file("c.tsv", tsv, sizeof tsv - 1);
    static const char *const tabs[] = {"a", "b c", "|d"};
    expect_csv_names(p, '\t', tabs, 3);
    static const char *const one[] = {"a\tb c\t|d"};
    expect_csv_names(p, 0, one, 1);
    assert_int_equal(mg_csv_delimiter_guess("a\tb c\t|d"), '\t');
    assert_int_equal(mg_csv_delimiter_guess("a;b;c|d"), ';');
    assert_int_equal(mg_csv_delimiter_guess("a|b"), '|');
    assert_int_equal(mg_csv_delimiter_guess("label"), 0);
}

static void csv_header_errors(void **state) {
    (void)state;
    mg_column_schema *cols = (mg_column_schema *)(uintptr_t)1;
    int n = -1;
    mg_error err = {0};
    const char *p = write_file("empty.csv", "\n\n", 2);
    assert_int_equal(mg_table_columns(p, NULL, &cols, &n, &err), MG_ERR_FORMAT);
    assert_null(cols);
    assert_int_equal(n, 0);
    char want[300];
    snprintf(want, sizeof want, "%s:1: empty file, expected a header row", p);
    assert_string_equal(err.text, want);
    p = write_file("dup.csv", "a,b,a\n", 6);
    assert_int_equal(mg_table_columns(p, NULL, &cols, &n, &err), MG_ERR_FORMAT);
    snprintf(want, sizeof want,
             "%s:1:3 (column 'a'): duplicate column name, column 1 has it too; expected unique "
             "names in the header",
             p);
    assert_string_equal(err.text, want);
    mg_read_options o = {.delimiter = ':'};
    assert_int_equal(mg_table_columns(p, &o, &cols, &n, &err), MG_ERR_USAGE);
    snprintf(want, sizeof want, "%s: delimiter byte 0x3a is not one of ',', ';', tab or '|'", p);
    assert_string_equal(err.text, want);
    assert_int_equal(mg_table_columns("/nonexistent/x.csv", NULL, &cols, &n, &err), MG_ERR_IO);
    assert_string_equal(err.text, "/nonexistent/x.csv: cannot open: No such file or directory");
}

static void fifo_is_not_looked_at(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    mg_column_schema *cols = NULL;
    int n = -1;
    mg_error err = {0};
    /* Returns at once: a FIFO without a writer would block an open. */
    assert_int_equal(mg_table_columns(path, NULL, &cols, &n, &err), MG_ERR_UNSUPPORTED);
    assert_null(cols);
    char want[400];
    snprintf(want, sizeof want, "%s: not a regular file: its columns are known only by reading it",
             path);
    assert_string_equal(err.text, want);
}

static const char *type_word(int t) {
    switch (t) {
    case MG_TYPE_F64: return "float";
    case MG_TYPE_I64: return "int";
    case MG_TYPE_BOOL: return "bool";
    case MG_TYPE_STR: return "string";
    default: return "?";
    }
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = '\0';
    fclose(f);
    return b;
}

/* Every conformance file: the footer's columns are the reference's columns
 * (DuckDB and hyparquet agree on them), in order and with their types; a
 * column the reference lacks is one it dropped (nested, or not comparable),
 * as dropped.json says. */
static void parquet_footer_matches_references(void **state) {
    (void)state;
    char *dropped = slurp(CONF "dropped.json");
    assert_non_null(dropped);
    DIR *d = opendir(CONF);
    assert_non_null(d);
    struct dirent *e;
    int files = 0, checked = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 13 || strcmp(e->d_name + len - 13, ".parquet.json") != 0)
            continue;
        char ref_path[512], pq_path[512];
        snprintf(ref_path, sizeof ref_path, CONF "%s", e->d_name);
        snprintf(pq_path, sizeof pq_path, PQ_DIR "%.*s", (int)(len - 5), e->d_name);
        char *ref = slurp(ref_path);
        assert_non_null(ref);
        mg_column_schema *cols = NULL;
        int n = 0;
        mg_error err = {0};
        if (mg_table_columns(pq_path, NULL, &cols, &n, &err) != MG_OK)
            fail_msg("%s: %s", pq_path, err.text);
        files++;
        const char *p = ref;
        int c = 0;
        char key[300];
        while ((p = strstr(p, "{\"name\": \"")) != NULL) {
            p += 10;
            const char *q = strchr(p, '"');
            assert_non_null(q);
            char name[256], type[16];
            snprintf(name, sizeof name, "%.*s", (int)(q - p), p);
            const char *t = strstr(q, "\"type\": \"");
            assert_non_null(t);
            t += 9;
            snprintf(type, sizeof type, "%.*s", (int)(strchr(t, '"') - t), t);
            /* Skip the columns the reference dropped. */
            while (c < n && strcmp(cols[c].name, name) != 0) {
                snprintf(key, sizeof key, "\"column\": \"%s\"", cols[c].name);
                if (strstr(dropped, key) == NULL)
                    fail_msg("%s: column '%s' is in no reference", e->d_name, cols[c].name);
                c++;
            }
            if (c == n)
                fail_msg("%s: reference column '%s' not in the footer", e->d_name, name);
            if (strcmp(type_word(cols[c].type), type) != 0)
                fail_msg("%s: column '%s': footer type %s, reference %s", e->d_name, name,
                         type_word(cols[c].type), type);
            c++;
            checked++;
        }
        for (; c < n; c++) {
            snprintf(key, sizeof key, "\"column\": \"%s\"", cols[c].name);
            if (strstr(dropped, key) == NULL)
                fail_msg("%s: column '%s' is in no reference", e->d_name, cols[c].name);
        }
        mg_column_schemas_free(cols, n);
        free(ref);
    }
    closedir(d);
    free(dropped);
    assert_true(files >= 40);
    assert_true(checked >= 200);
}

/* By hand, from the parquet-testing README: alltypes_plain's eleven columns. */
static void parquet_alltypes_by_hand(void **state) {
    (void)state;
    static const char *const names[] = {"id",         "bool_col",   "tinyint_col",     "smallint_col",
                                        "int_col",    "bigint_col", "float_col",       "double_col",
                                        "date_string_col", "string_col", "timestamp_col"};
    static const int types[] = {MG_TYPE_I64, MG_TYPE_BOOL, MG_TYPE_I64, MG_TYPE_I64,
                                MG_TYPE_I64, MG_TYPE_I64,  MG_TYPE_F64, MG_TYPE_F64,
                                MG_TYPE_STR, MG_TYPE_STR,  MG_TYPE_I64};
    mg_column_schema *cols = NULL;
    int n = 0;
    mg_error err = {0};
    assert_int_equal(mg_table_columns(PQ_DIR "alltypes_plain.parquet", NULL, &cols, &n, &err),
                     MG_OK);
    assert_int_equal(n, 11);
    for (int i = 0; i < n; i++) {
        assert_string_equal(cols[i].name, names[i]);
        assert_int_equal(cols[i].type, types[i]);
        assert_int_equal(cols[i].nested, 0);
    }
    mg_column_schemas_free(cols, n);
}

/* A nested column is listed once, by its top-level name, flagged. */
static void parquet_nested_listed_once(void **state) {
    (void)state;
    mg_column_schema *cols = NULL;
    int n = 0;
    mg_error err = {0};
    assert_int_equal(mg_table_columns(PQ_DIR "datapage_v2.snappy.parquet", NULL, &cols, &n, &err),
                     MG_OK);
    /* a: string, b: int, c: float (double), d: bool, e: list<int> */
    assert_int_equal(n, 5);
    assert_string_equal(cols[4].name, "e");
    assert_int_equal(cols[4].nested, 1);
    assert_int_equal(cols[4].type, -1);
    assert_int_equal(cols[0].type, MG_TYPE_STR);
    assert_int_equal(cols[3].type, MG_TYPE_BOOL);
    mg_column_schemas_free(cols, n);
}

/* A part folder: the first part's schema, which is the folder's table's. */
static void parquet_folder_first_part(void **state) {
    (void)state;
    const char *dir = MG_SOURCE_DIR "/tests/data/parquet/matrix/parts";
    mg_column_schema *cols = NULL;
    int n = 0;
    mg_error err = {0};
    assert_int_equal(mg_table_columns(dir, NULL, &cols, &n, &err), MG_OK);
    /* make_matrix.mjs: label INTEGER, score/f1/f2/f3 DOUBLE, gender and
     * age_group VARCHAR, ts TIMESTAMP. */
    static const char *const names[] = {"label", "score",  "f1",        "f2",
                                        "f3",    "gender", "age_group", "ts"};
    static const int types[] = {MG_TYPE_I64, MG_TYPE_F64, MG_TYPE_F64, MG_TYPE_F64,
                                MG_TYPE_F64, MG_TYPE_STR, MG_TYPE_STR, MG_TYPE_I64};
    assert_int_equal(n, 8);
    mg_table *t = NULL;
    assert_int_equal(mg_table_read(dir, NULL, &t, &err), MG_OK);
    for (int i = 0; i < n; i++) {
        assert_string_equal(cols[i].name, names[i]);
        assert_int_equal(cols[i].type, types[i]);
        assert_string_equal(t->cols[i].name, names[i]);
        assert_int_equal(t->cols[i].type, types[i]);
    }
    mg_table_free(t);
    mg_column_schemas_free(cols, n);
}

/* ---- other delimiters in the reader ----------------------------------------- */

static void read_both_ways(const char *text, char delim, mg_table **one, mg_table **many) {
    mg_read_options o = {.delimiter = delim, .threads = 1};
    mg_error err = {0};
    if (mg__csv_read(text, strlen(text), "d.csv", &o, 0, one, &err) != MG_OK)
        fail_msg("serial: %s", err.text);
    o.threads = 3;
    if (mg__csv_read(text, strlen(text), "d.csv", &o, 5, many, &err) != MG_OK)
        fail_msg("chunked: %s", err.text);
}

static void delimiters_read_like_commas(void **state) {
    (void)state;
    static const char *const texts[] = {
        "a;b;c\n1;\"x;y\";2.5\n2;\"q\"\"r\";NA\n3;,;-1\n",
        "a\tb\tc\n1\t\"x\ty\"\t2.5\n2\t\"q\"\"r\"\tNA\n3\t,\t-1\n",
        "a|b|c\n1|\"x|y\"|2.5\n2|\"q\"\"r\"|NA\n3|,|-1\n",
    };
    static const char delims[] = {';', '\t', '|'};
    for (int k = 0; k < 3; k++) {
        mg_table *one = NULL, *many = NULL;
        read_both_ways(texts[k], delims[k], &one, &many);
        for (int pass = 0; pass < 2; pass++) {
            mg_table *t = pass ? many : one;
            assert_int_equal(t->nrows, 3);
            assert_int_equal(t->ncols, 3);
            assert_int_equal(t->cols[0].type, MG_TYPE_I64);
            assert_int_equal(t->cols[1].type, MG_TYPE_STR);
            assert_int_equal(t->cols[2].type, MG_TYPE_F64);
            char want[4] = {'x', delims[k], 'y', '\0'};
            assert_string_equal(mg_column_string(&t->cols[1], 0), want);
            assert_string_equal(mg_column_string(&t->cols[1], 1), "q\"r");
            assert_string_equal(mg_column_string(&t->cols[1], 2), ",");
            assert_true(mg_column_is_null(&t->cols[2], 1));
            assert_true(t->cols[2].f64[2] == -1.0);
        }
        mg_table_free(one);
        mg_table_free(many);
    }
}

static void delimiter_errors_name_it(void **state) {
    (void)state;
    mg_table *t = NULL;
    mg_error err = {0};
    mg_read_options o = {.delimiter = '\t'};
    static const char after[] = "a\tb\n1\t\"x\"y\n";
    assert_int_equal(mg_csv_read_buffer(after, sizeof after - 1, "d.tsv", &o, &t, &err),
                     MG_ERR_FORMAT);
    assert_string_equal(err.text, "d.tsv:2:2 (column 'b'): 'y' after the closing quote; expected "
                                  "a tab or the end of the line");
    /* A TSV read with ',' and a column asked for: the reader says what it
     * looks like. */
    static const char tsv[] = "label\tscore\n1\t0.5\n";
    const char *const want[] = {"label"};
    mg_read_options c = {.columns = want, .ncolumns = 1};
    assert_int_equal(mg_csv_read_buffer(tsv, sizeof tsv - 1, "d.tsv", &c, &t, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "d.tsv:1: column 'label' is not in the header, whose one column "
                                  "'label\tscore' looks separated by a tab, not ','; set the "
                                  "delimiter (--delimiter) to read it");
    /* A missing-value word holding the delimiter could never match. */
    static const char *const na[] = {"a;b"};
    mg_read_options s = {.delimiter = ';', .na_values = na, .nna_values = 1};
    assert_int_equal(mg_csv_read_buffer("x\n1\n", 4, "d.csv", &s, &t, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "d.csv: missing-value word 'a;b' could never match a cell; "
                                  "expected at most 63 bytes without '\"', ';', line ends or "
                                  "blanks at either end");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_header_only),
        cmocka_unit_test(csv_bom_and_delimiters),
        cmocka_unit_test(csv_header_errors),
        cmocka_unit_test(fifo_is_not_looked_at),
        cmocka_unit_test(parquet_footer_matches_references),
        cmocka_unit_test(parquet_alltypes_by_hand),
        cmocka_unit_test(parquet_nested_listed_once),
        cmocka_unit_test(parquet_folder_first_part),
        cmocka_unit_test(delimiters_read_like_commas),
        cmocka_unit_test(delimiter_errors_name_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
