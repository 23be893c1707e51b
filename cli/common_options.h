/* common_options.h - the options that evaluate, fairness, compare, benchmark
 * and predict share: one name, one metavar, one help line and one default
 * each, so that a flag means the same on every command (git's OPT_* macros). */
#ifndef MG_CLI_COMMON_OPTIONS_H
#define MG_CLI_COMMON_OPTIONS_H

#include "options.h"

/* The default of --seed on every command that draws random numbers
 * (bootstrap replicates, the order of benchmark requests). */
#define MG_CLI_DEFAULT_SEED 42

/* Bootstrap replicates: fewer than 100 give percentile intervals whose ends
 * are single replicates (with 2, a "95%" interval is the two values). */
#define MG_CLI_MIN_BOOTSTRAP 100
#define MG_CLI_MAX_BOOTSTRAP 1000000

#include "modelgate/modelgate.h"

/* Parses the --column-type COL=TYPE items of l into *out, a new array of
 * l->n overrides whose column names point into l's items (each item keeps
 * its text COL=TYPE and holds a copy of COL after its terminator): free(*out)
 * before releasing l. Returns 0, or prints one line
 * naming the item and returns -1 (*out may then be non-NULL: free it). */
int mg_cli_column_types(const char *command, mg_strlist *l, mg_type_override **out);

/* clang-format off */
#define MG_CLI_OPT_COLUMN_TYPE(p)                                                                  \
    {"column-type", MG_OPT_LIST, (p), "COL=TYPE",                                                  \
     "read a CSV column as float, int, bool or string", false, false}
#define MG_CLI_OPT_TEST_DATA(p)                                                                    \
    {"test-data", MG_OPT_STRING, (p), "FILE",                                                      \
     "test set: CSV or Parquet file, or a folder of Parquet parts", true, false}
#define MG_CLI_OPT_OUTPUT(p, what)                                                                 \
    {"output", MG_OPT_STRING, (p), "FILE", "where " what " goes; - for stdout (default -)", false, \
     false}
#define MG_CLI_OPT_LABEL(p)                                                                        \
    {"label", MG_OPT_STRING, (p), "COL", "label column, not a feature (default label)", false,     \
     false}
#define MG_CLI_OPT_IGNORE(p)                                                                       \
    {"ignore", MG_OPT_LIST, (p), "COLS", "columns that are not features", false, false}
#define MG_CLI_OPT_PROTECTED(p)                                                                    \
    {"protected-attributes", MG_OPT_LIST, (p), "COLS",                                             \
     "protected attribute columns, not features", false, false}
#define MG_CLI_OPT_WEIGHT(p)                                                                       \
    {"weight", MG_OPT_STRING, (p), "COL", "sample weight column, not a feature", false, false}
#define MG_CLI_OPT_ID(p)                                                                           \
    {"id", MG_OPT_STRING, (p), "COL",                                                              \
     "row id column, not a feature (pairs --predictions rows where given)", false, false}
#define MG_CLI_OPT_SEED(p)                                                                         \
    {"seed", MG_OPT_INT, (p), "S", "seed of every random draw (default 42)", false, false}
#define MG_CLI_OPT_THREADS(p)                                                                      \
    {"threads", MG_OPT_INT, (p), "N", "worker threads, 0 = one per CPU (default 0)", false, false}
#define MG_CLI_OPT_DECISION_THRESHOLD(p)                                                           \
    {"decision-threshold", MG_OPT_DOUBLE, (p), "T",                                                \
     "binary: predicted positive when score > T (default 0.5)", false, false}
#define MG_CLI_OPT_POSITIVE_LABEL(p)                                                               \
    {"positive-label", MG_OPT_STRING, (p), "V",                                                    \
     "binary: the positive class (default 1/true, else the larger label)", false, false}
#define MG_CLI_OPT_TASK(p)                                                                         \
    {"task", MG_OPT_STRING, (p), "TASK",                                                           \
     "auto, binary, multiclass or regression (default auto)", false, false}
#define MG_CLI_OPT_FEATURES(p)                                                                     \
    {"features", MG_OPT_LIST, (p), "COLS",                                                         \
     "the feature columns in the model's input order (default: by name, else file order)",       \
     false, false}
#define MG_CLI_OPT_CLASSES(p)                                                                      \
    {"classes", MG_OPT_LIST, (p), "A,B,C",                                                         \
     "the model's classes in output order, for a model that names none (XGBoost)", false, false}
#define MG_CLI_OPT_PYTHON(p)                                                                       \
    {"python", MG_OPT_STRING, (p), "PATH",                                                         \
     "interpreter for a pickled scikit-learn model (default $MODELGATE_PYTHON, else python3)",    \
     false, false}
#define MG_CLI_OPT_QUIET(p)                                                                        \
    {"quiet", MG_OPT_FLAG, (p), NULL,                                                              \
     "print no summary table on stderr (errors and gate verdicts still)", false, false}
/* clang-format on */

#endif
