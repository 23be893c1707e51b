/* column_types.c - --column-type COL=TYPE, shared by the commands that read
 * test data. */
#include "common_options.h"
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

int mg_cli_column_types(const char *command, mg_strlist *l, mg_type_override **out) {
    *out = calloc((size_t)(l->n > 0 ? l->n : 1), sizeof **out);
    if (*out == NULL)
        return -1;
    for (int i = 0; i < l->n; i++) {
        const char *item = l->items[i];
        const char *eq = strchr(item, '=');
        if (eq == NULL) {
            mg_cli_eprintf("modelgate %s: --column-type '%s': expected NAME=TYPE\n", command,
                           item);
            return -1;
        }
        const char *type = eq + 1;
        static const mg_type types[] = {MG_TYPE_F64, MG_TYPE_I64, MG_TYPE_BOOL, MG_TYPE_STR};
        int found = 0;
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            if (strcmp(type, mg_type_name(types[t])) == 0) {
                (*out)[i].type = types[t];
                found = 1;
            }
        if (!found) {
            mg_cli_eprintf("modelgate %s: --column-type %s: type must be float, int, bool or "
                           "string\n",
                           command, item);
            return -1;
        }
        /* The item stays NAME=TYPE (a partial result records it as given):
         * the name goes after its terminator, in the same allocation. */
        size_t len = strlen(item), namelen = (size_t)(eq - item);
        char *grown = realloc(l->items[i], len + 1 + namelen + 1);
        if (grown == NULL) {
            mg_cli_eprintf("modelgate %s: out of memory\n", command);
            return -1;
        }
        l->items[i] = grown;
        memcpy(grown + len + 1, grown, namelen);
        grown[len + 1 + namelen] = '\0';
        (*out)[i].column = grown + len + 1;
    }
    return 0;
}
