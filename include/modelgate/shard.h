/* shard.h - test sets beyond one machine (docs/scale.md): a run over one
 * shard of the rows writes a partial result, and partials merge into the
 * state the whole run would have had.
 *
 * The state of a run is its rows as the metrics see them: the targets (label,
 * score or classes or prediction, weight) and the columns that slices or
 * fairness groups are cut from. Every result modelgate writes is a function
 * of that state in its canonical order: the rows sorted by their targets,
 * then weight, then the kept columns' values (mg_rows_canonicalize). The
 * unsharded run sorts its rows the same way before it computes anything, so
 * the merge of any split of the rows into shards gives byte for byte the
 * same metrics, intervals, slices and fairness measures as the whole run.
 *
 * A partial file (format version MG_PARTIAL_VERSION) is:
 *   8 bytes  magic "MGPART\r\n"
 *   4 bytes  format version, little-endian
 *   8 bytes  length L of the body, little-endian
 *   L bytes  the body (fields below, little-endian, strings as u32 length +
 *            bytes)
 *  32 bytes  SHA-256 of the body
 * The body: command, the caller's options (an opaque list of strings that
 * must be equal across partials), shard index and count, data path and
 * sha256, model and model sha256, the policy's sha256 (gate), the targets (task, reasons, labels,
 * classes, thresholds, weight scale, the row arrays) and the kept columns
 * (name, type, null bitmap, values; strings as a dictionary and codes). */
#ifndef MODELGATE_SHARD_H
#define MODELGATE_SHARD_H

#include "evaluate.h"
#include "modelgate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The format version this library writes and reads. */
#define MG_PARTIAL_VERSION 1

/* At most this many shards (--shard K/N). */
#define MG_SHARD_MAX 100000

/* Parses "K/N" (0 <= K < N <= MG_SHARD_MAX, K 0-based like Kubernetes'
 * JOB_COMPLETION_INDEX). Returns 0, or -1 with a reason in why (static). */
MG_API int mg_shard_parse(const char *text, int *index, int *count, const char **why);

/* The rows of shard `index` of `count` of a table of n rows: the contiguous
 * range [*lo, *hi) = [floor(index * n / count), floor((index + 1) * n /
 * count)), so the shards cover every row once, in order. */
MG_API void mg_shard_range(int64_t n, int index, int count, int64_t *lo, int64_t *hi);

/* Keeps rows [lo, hi) of every column of `table` (in place; 0 <= lo <= hi
 * <= table->nrows). Errors: MG_ERR_NOMEM (then the table is partly cut:
 * free it). */
MG_API mg_status mg_table_keep_rows(mg_table *table, int64_t lo, int64_t hi, mg_error *err);

/* A new table of `table`'s columns named in names[0..n) (a repeated or
 * missing name once / not at all), copied; *out owned by the caller
 * (mg_table_free). Errors: MG_ERR_NOMEM. */
MG_API mg_status mg_table_select(const mg_table *table, const char *const *names, int n,
                                 mg_table **out, mg_error *err);

/* Sorts the rows of t, of every column of cols and of paired (same row
 * count; cols and paired may be NULL: paired is a baseline's targets, which
 * must stay paired with t's rows) into the canonical order: by the targets
 * (binary: score, label; multiclass: the first class's probability when
 * there are probabilities, true class, predicted class, probabilities;
 * regression: prediction, label) and weight, then paired's, then each
 * column's value (nulls first; numbers by value, strings by bytes); equal
 * values by their bits.
 * String dictionaries are renumbered in first-seen order of the new order.
 * Rows equal in every field are interchangeable, so the result depends only
 * on the multiset of rows. Errors: MG_ERR_NOMEM (then t may be partly
 * permuted: discard it; cols is unchanged). */
MG_API mg_status mg_rows_canonicalize(mg_targets *t, mg_table *cols, mg_targets *paired,
                                      mg_error *err);

/* A deep copy of t into *out (release with mg_targets_release). Errors:
 * MG_ERR_NOMEM (then *out holds nothing). */
MG_API mg_status mg_targets_copy(const mg_targets *t, mg_targets *out, mg_error *err);

/* One partial result: everything owned, release with mg_partial_release. */
typedef struct mg_partial {
    int version;
    char *command;       /* "evaluate" or "fairness": the command that wrote it */
    char **options;      /* the caller's options, equal across mergeable partials */
    int noptions;
    int shard_index;     /* --shard K/N, or -1 and 0 without --shard */
    int shard_count;
    char *data_path;     /* the test data of this shard (may be NULL) */
    char *data_sha256;   /* may be NULL */
    char *model_arg;     /* may be NULL */
    char *model_sha256;  /* may be NULL */
    char *policy_sha256; /* the gate's policy file (after --set), or NULL */
    mg_targets targets;  /* the rows, in canonical order */
    mg_table *columns;   /* the kept columns, same rows; never NULL once read */
} mg_partial;

/* Frees what p owns and zeroes it; safe on a zeroed struct. */
MG_API void mg_partial_release(mg_partial *p);

/* Serialises p into a new buffer (*out, *len; free(*out)). p's rows should be
 * canonical. Errors: MG_ERR_NOMEM. */
MG_API mg_status mg_partial_encode(const mg_partial *p, char **out, size_t *len, mg_error *err);

/* Reads the partial file at path into *out (release with mg_partial_release
 * whatever the status). Errors, MG_ERR_DATA naming the file: "not a modelgate
 * partial result", "partial format version V; this modelgate reads version
 * 1", "truncated at byte B", "damaged (checksum mismatch)", malformed fields
 * at byte B; those of opening the file (MG_ERR_IO). */
MG_API mg_status mg_partial_read(const char *path, mg_partial *out, mg_error *err);

/* As mg_partial_read, on the `size` bytes at `data` (borrowed for the call);
 * messages name `source`. */
MG_API mg_status mg_partial_decode(const void *data, size_t size, const char *source,
                                   mg_partial *out, mg_error *err);

/* Merges parts[0..n) (read from paths[0..n), used in messages) into *out:
 * the rows of all of them in canonical order, the header fields of the first
 * (shard fields -1/0, data fields NULL). The partials must come from the same
 * command, options, model, policy, task, labels, classes, thresholds, weight scale
 * and kept columns (names and types); partials of --shard K/N must have the
 * same N and every K exactly once; partials without --shard must not share
 * a data sha256 (a shard given twice). Errors: MG_ERR_DATA naming the file
 * and what differs; MG_ERR_USAGE for n < 1; MG_ERR_NOMEM. *out is always
 * initialised: release it with mg_partial_release. */
MG_API mg_status mg_partials_merge(const mg_partial *parts, const char *const *paths, int n,
                                   mg_partial *out, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
