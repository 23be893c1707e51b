/* cmd_version.c - `modelgate version`. */
#include "commands.h"
#include "modelgate/modelgate.h"
#include "options.h"

#include <stdio.h>

int cmd_version(int argc, char **argv) {
    mg_opt opts[] = {MG_OPT_END_ENTRY};
    int rc = mg_opts_parse("version", "Print modelgate's version.", opts, argc, argv, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    printf("modelgate %s\n", mg_version());
    return 0;
}
