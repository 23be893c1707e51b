/* read.c - mg_table_read: detect the format of test data from its content and
 * hand it to the matching reader. */
#include "internal.h"
#include "data/data.h"

#include <errno.h>
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
    else
        st2 = mg_csv_read_buffer(f.data, f.size, path, opts, out, err);
    mg__file_unmap(&f);
    return st2;
}
