/* policy_yaml.h - the policy file's YAML, read with libyaml's event API into
 * a small tree of scalars, mappings and sequences with their places. Only
 * what a policy may contain gets through: no alias, anchor, tag or second
 * document, no tab in the indentation, no deeper nesting than
 * MG__YAML_MAX_DEPTH. Internal to lib/gate. */
#ifndef MG_GATE_POLICY_YAML_H
#define MG_GATE_POLICY_YAML_H

#include "internal.h"

/* Deeper than any key of the policy schema needs (gates.latency.p99_ms.max
 * is 4 mappings down); anything deeper is refused while reading. */
#define MG__YAML_MAX_DEPTH 8

typedef enum mg__ykind { MG__Y_SCALAR, MG__Y_MAP, MG__Y_SEQ } mg__ykind;

typedef struct mg__ynode {
    mg__ykind kind;
    char *text; /* scalar: its bytes, NUL-terminated (may hold no NUL: refused) */
    size_t len;
    bool plain;       /* scalar written without quotes (or block style: false) */
    int line, column; /* 1-based place of the node's first character */
    /* map: 2*n children, key then value; seq: n children */
    struct mg__ynode *kids;
    int nkids;
} mg__ynode;

/* Parses text[0..len) (a UTF-8 BOM at the start is skipped) as one YAML
 * document into *root (a new tree; free with mg__ynode_free). `name` is
 * used in messages ("name:line:column: ..."). An empty document (only
 * comments) gives *root == NULL and MG_OK. Errors: MG_ERR_USAGE naming the
 * place, or MG_ERR_NOMEM. */
mg_status mg__yaml_read(const char *text, size_t len, const char *name, mg__ynode **root,
                        mg_error *err);

/* Frees a tree from mg__yaml_read (NULL is fine). */
void mg__ynode_free(mg__ynode *n);

/* True for a plain scalar that YAML 1.2's core schema reads as null: empty,
 * "~", "null", "Null", "NULL". */
bool mg__ynode_is_null(const mg__ynode *n);

#endif
