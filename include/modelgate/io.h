/* io.h - writing output files safely, and undoing a run that a signal stops:
 * the runner processes it started and the temporary files it created.
 *
 * An output goes through two steps: mg_output_open before the work starts
 * (so that a folder that is missing or not writable fails before any model
 * runs) and mg_output_commit when the bytes are ready. A regular target (or
 * one that does not exist yet) is written to a temporary file made by
 * mkstemp in the target's folder (O_EXCL: a planted file or symlink is never
 * followed), fsynced and renamed over the target, so a failed run never
 * leaves half a file. A target that exists and is not a regular file
 * (/dev/null, /dev/full, /dev/stdout, a FIFO) is opened and written directly,
 * so a device node is never replaced by a regular file. "-" is standard
 * output (file descriptor 1), also written directly.
 */
#ifndef MODELGATE_IO_H
#define MODELGATE_IO_H

#include "modelgate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An output file being prepared. */
typedef struct mg_output mg_output;

/* Prepares the output `path` ("-" = stdout). For a new or regular target it
 * creates the temporary file now (mode 0644 minus the umask, or the target's
 * mode when it exists) and registers it for mg_cleanup_after_signal; for a
 * non-regular target it checks that it can be written. Fails with MG_ERR_IO
 * naming the path when the folder is missing or not writable, the target is
 * a directory, or a device cannot be written. On success *out is new: the
 * caller ends it with mg_output_commit or mg_output_discard. Not
 * thread-safe: it reads the umask by setting it. */
MG_API mg_status mg_output_open(const char *path, mg_output **out, mg_error *err);

/* Writes len bytes of data to the output and finishes it: temporary file
 * fsynced, closed and renamed over the target (the folder fsynced too), or
 * the device / stdout written directly. A write error (ENOSPC on /dev/full,
 * say) is MG_ERR_IO naming the path; the temporary file is then removed and
 * the target left as it was. Always frees `o` (NULL is allowed: MG_ERR_USAGE). */
MG_API mg_status mg_output_commit(mg_output *o, const void *data, size_t len, mg_error *err);

/* Abandons an output: removes its temporary file and frees `o` (NULL is a
 * no-op). The target is left as it was. */
MG_API void mg_output_discard(mg_output *o);

/* The path given to mg_output_open; borrowed, lives as long as `o`. */
MG_API const char *mg_output_path(const mg_output *o);

/* One call for both steps: mg_output_open then mg_output_commit. */
MG_API mg_status mg_write_file(const char *path, const void *data, size_t len, mg_error *err);

/* ---- cleanup after a signal -------------------------------------------- */

/* What a signal handler calls before _exit: sends SIGKILL to the process
 * group of every runner the library started and still owns, and to every
 * child process of this process (with the group it leads), reaps them, and
 * repeats until no child is left, so that descendants reparented to this
 * process are killed too - which needs the caller to have made the process a
 * child subreaper (prctl(PR_SET_CHILD_SUBREAPER, 1)), or a grandchild that
 * called setsid() escapes. Gives up on a child that is not reaped within 10 s
 * (a process stuck in the kernel). Then removes every temporary output file
 * still open. Async-signal-safe: no allocation, no locks, no stdio; uses
 * /proc to find children. Never prints, never exits. Safe to call from any
 * thread, and more than once. */
MG_API void mg_cleanup_after_signal(void);

/* The part of mg_cleanup_after_signal that a program also wants when it ends
 * normally: SIGKILL to every remaining child process (and the group it
 * leads), reaping them and any descendants reparented to this process, until
 * none is left - so that a helper a runner left behind with setsid() (which
 * the runner's own group kill misses) does not outlive the run. Returns at
 * once when this process has no child. Async-signal-safe; never prints. Call
 * it only when every runner has been freed: it kills every child. */
MG_API void mg_cleanup_descendants(void);

#ifdef __cplusplus
}
#endif

#endif
