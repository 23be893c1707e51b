/* read.c - mg_table_read: detect the format of test data from its content and
 * hand it to the matching reader; mg_table_columns: the same for the header
 * or schema alone. */
#include "internal.h"
#include "data/data.h"
#include "data/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

mg_status mg_table_read(const char *path, const mg_read_options *opts, mg_table **out,
                        mg_error *err) {
    *out = NULL;
    mg_read_options defaults = {0};
    if (opts == NULL)
        opts = &defaults;
    if (opts->sha256_out != NULL)
        opts->sha256_out[0] = '\0';
    struct stat st;
    if (stat(path, &st) != 0)
        return mg__fail(err, MG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return mg__parquet_read_dir(path, opts, out, err);
    mg__file f;
    MG_TRY(mg__file_map_capped(path, opts->max_input_bytes, &f, err));
    if (f.mapped == 0 && opts->sha256_out != NULL)
        mg__sha256_hex(f.data, f.size, opts->sha256_out); /* read once: hashed here */
    mg_status st2;
    if (f.size >= 4 && memcmp(f.data, "PAR1", 4) == 0)
        st2 = mg__parquet_read_buffer(f.data, f.size, path, opts, out, err);
    else if (f.size >= 4 && memcmp(f.data, "PARE", 4) == 0)
        st2 = mg__fail(err, MG_ERR_UNSUPPORTED,
                       "%s: byte 0: Parquet file with an encrypted footer (magic PARE); "
                       "modelgate does not decrypt Parquet, write the test set unencrypted",
                       path);
    else if (f.mapped == 1)
        st2 = mg__csv_read_mapped(f.data, f.size, path, opts, out, err);
    else
        st2 = mg_csv_read_buffer(f.data, f.size, path, opts, out, err);
    mg__file_unmap(&f);
    return st2;
}

void mg_column_schemas_free(mg_column_schema *cols, int n) {
    for (int i = 0; cols != NULL && i < n; i++)
        free(cols[i].name);
    free(cols);
}

char mg_csv_delimiter_guess(const char *name) {
    return mg__csv_delim_guess(name);
}

static mg_status csv_columns(const mg__file *f, const char *path, const mg_read_options *opts,
                             mg_column_schema **cols, int *n, mg_error *err) {
    char **names;
    int nn;
    MG_TRY(mg__csv_header(f->data, f->size, path, opts, &names, &nn, err));
    *cols = mg__calloc((size_t)nn, sizeof **cols);
    if (*cols == NULL) {
        for (int i = 0; i < nn; i++)
            free(names[i]);
        free(names);
        return mg__nomem(err, "the column list");
    }
    for (int i = 0; i < nn; i++)
        (*cols)[i] = (mg_column_schema){names[i], -1, 0};
    free(names);
    *n = nn;
    return MG_OK;
}

mg_status mg_table_columns(const char *path, const mg_read_options *opts,
                           mg_column_schema **cols, int *n, mg_error *err) {
    *cols = NULL;
    *n = 0;
    mg_read_options defaults = {0};
    if (opts == NULL)
        opts = &defaults;
    struct stat st;
    if (stat(path, &st) != 0)
        return mg__fail(err, MG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return mg__parquet_dir_columns(path, opts, cols, n, err);
    if (!S_ISREG(st.st_mode))
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: not a regular file: its columns are known only by reading it", path);
    mg__file f;
    MG_TRY(mg__file_map(path, &f, err));
    mg_status s;
    if (f.size >= 4 && memcmp(f.data, "PAR1", 4) == 0)
        s = mg__parquet_columns(f.data, f.size, path, cols, n, err);
    else if (f.size >= 4 && memcmp(f.data, "PARE", 4) == 0)
        s = mg__fail(err, MG_ERR_UNSUPPORTED,
                     "%s: byte 0: Parquet file with an encrypted footer (magic PARE); "
                     "modelgate does not decrypt Parquet, write the test set unencrypted",
                     path);
    else
        s = csv_columns(&f, path, opts, cols, n, err);
    mg__file_unmap(&f);
    if (s != MG_OK) {
        mg_column_schemas_free(*cols, *n);
        *cols = NULL;
        *n = 0;
    }
    return s;
}
