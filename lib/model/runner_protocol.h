/* runner_protocol.h - the runner protocol's pieces that need no process:
 * splitting a cmd: argument into argv, and encoding/decoding frames
 * (docs/runner-protocol.md is the specification). */
#ifndef MG_MODEL_RUNNER_PROTOCOL_H
#define MG_MODEL_RUNNER_PROTOCOL_H

#include "internal.h"
#include "modelgate/model.h"

#define MG__RUNNER_PROTOCOL_VERSION 2u /* the newest version modelgate speaks */
#define MG__RUNNER_PROTOCOL_MIN 1u     /* the oldest it still accepts */
#define MG__FRAME_HEADER_SIZE 8
#define MG__FRAME_INFO_MAX (16u << 20) /* the largest INFO or FAIL payload accepted */

/* Splits a command line into a NULL-terminated argv with shell-like quoting
 * ('...' literal, "..." with \" and \\ escapes, a backslash outside quotes
 * escapes the next character) but no shell: no variables, globs or pipes.
 * On success *argv_out is new (free with mg__argv_free) and *argc_out >= 1. */
mg_status mg__split_command(const char *cmd, char ***argv_out, int *argc_out, mg_error *err);
void mg__argv_free(char **argv);

/* Appends a frame header: the 4-byte tag, then the payload length (u32 LE). */
void mg__frame_header(mg__buf *b, const char tag[4], uint32_t len);
void mg__frame_put_u32(mg__buf *b, uint32_t v);
void mg__frame_put_str(mg__buf *b, const char *s);

/* Whole frames appended to b. */
void mg__frame_hello(mg__buf *b);
void mg__frame_cols(mg__buf *b, const char *const *names, int n);
mg_status mg__frame_rows(mg__buf *b, const double *rows, int64_t nrows, int nfeatures,
                         mg_error *err);

/* A TBLK frame (protocol 2): rows [r0, r0+nrows) of the table columns idx[0..ncols)
 * column by column, each with its type and nulls (docs/runner-protocol.md). */
mg_status mg__frame_typed_rows(mg__buf *b, const mg_table *t, const int *idx, int ncols, int64_t r0,
                               int64_t nrows, mg_error *err);

/* Reads a frame header: tag (4 chars + NUL) and payload length. */
void mg__frame_parse_header(const uint8_t in[MG__FRAME_HEADER_SIZE], char tag[5], uint32_t *len);

/* What a runner says about itself in its INFO frame. */
typedef struct mg__runner_info {
    uint32_t version;
    mg_output_kind kind;
    int noutputs;
    int nfeatures; /* -1 when the runner does not say */
    char **names;  /* nnames (0 or nfeatures) */
    int nnames;
    char **labels; /* nlabels class labels */
    int nlabels;
} mg__runner_info;

/* Decodes an INFO payload; `who` names the runner in errors. On failure the
 * partially filled info must still be released. */
mg_status mg__frame_parse_info(const uint8_t *p, size_t n, const char *who, mg__runner_info *info,
                               mg_error *err);
void mg__runner_info_release(mg__runner_info *info);

/* Decodes a SCOR payload answering a batch of nrows rows with k values each
 * into out. *compute_s is the runner's own compute time for the batch in
 * seconds when the payload ends with it, else -1; a reported time that is not
 * finite and >= 0 is an error. */
mg_status mg__frame_parse_scores(const uint8_t *p, size_t n, const char *who, int64_t nrows, int k,
                                 double *out, double *compute_s, mg_error *err);

#endif
