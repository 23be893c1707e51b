/* adapters.h - where the bundled model runners (adapters/) are for this binary. */
#ifndef MG_CLI_ADAPTERS_H
#define MG_CLI_ADAPTERS_H

/* The folder holding sklearn_runner.py for this binary: NULL when
 * $MODELGATE_ADAPTERS is set (the library reads it) or when none is found
 * (the library then uses the install location it was built for). Otherwise
 * <prefix>/share/modelgate/adapters beside the running binary, else the
 * source tree's adapters/ (a binary run from its build folder). Static
 * storage; valid for the process. */
const char *mg_cli_adapters_dir(void);

/* The help line of the --python option that every model-running command takes. */
#define MG_CLI_PYTHON_HELP                                                                         \
    "interpreter for a pickled scikit-learn model (default $MODELGATE_PYTHON, else python3)"

#endif
