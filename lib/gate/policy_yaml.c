/* policy_yaml.c - libyaml's events into the small tree the policy schema
 * walks (policy_yaml.h), refusing on the way what a policy never needs and
 * what would let two readers disagree: aliases, anchors, tags, directives
 * other than %YAML 1.2, a second document, tabs in the indentation. */
#include "gate/policy_yaml.h"

#include <yaml.h>

typedef struct reader {
    yaml_parser_t parser;
    const char *name;
    const char *text; /* after the BOM, for places computed from offsets */
    size_t len;
    mg_error *err;
} reader;

/* 1-based line and column (in characters) of byte `offset` of the text. */
static void offset_place(const char *text, size_t len, size_t offset, int *line, int *column) {
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

static mg_status fail_at(reader *r, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static mg_status fail_at(reader *r, int line, int column, const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    mg__fail(r->err, MG_ERR_USAGE, "%s:%d:%d: %s", r->name, line, column, what);
    return mg__error_at(r->err, r->name, line, column, -1);
}

static mg_status fail_mark(reader *r, yaml_mark_t m, const char *what) {
    return fail_at(r, (int)m.line + 1, (int)m.column + 1, "%s", what);
}

/* libyaml's own complaint, at its place. */
static mg_status parser_error(reader *r) {
    yaml_parser_t *ps = &r->parser;
    if (ps->error == YAML_MEMORY_ERROR)
        return mg__nomem(r->err, "the policy's YAML events");
    const char *problem = ps->problem ? ps->problem : "unreadable YAML";
    if (ps->error == YAML_READER_ERROR) {
        int line, column;
        offset_place(r->text, r->len, ps->problem_offset, &line, &column);
        return fail_at(r, line, column, "not UTF-8 text the policy can hold (%s)", problem);
    }
    if (ps->context != NULL)
        return fail_at(r, (int)ps->problem_mark.line + 1, (int)ps->problem_mark.column + 1,
                       "not valid YAML: %s %s", ps->context, problem);
    return fail_at(r, (int)ps->problem_mark.line + 1, (int)ps->problem_mark.column + 1,
                   "not valid YAML: %s", problem);
}

static mg_status next(reader *r, yaml_event_t *ev) {
    if (!yaml_parser_parse(&r->parser, ev))
        return parser_error(r);
    return MG_OK;
}

static void node_release(mg__ynode *n) {
    free(n->text);
    for (int i = 0; i < n->nkids; i++)
        node_release(&n->kids[i]);
    free(n->kids);
}

void mg__ynode_free(mg__ynode *n) {
    if (n == NULL)
        return;
    node_release(n);
    free(n);
}

bool mg__ynode_is_null(const mg__ynode *n) {
    if (n->kind != MG__Y_SCALAR || !n->plain)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

/* Anchors and tags change what a value means far from where it is read; a
 * policy is read as written. */
static mg_status refuse_decorations(reader *r, const yaml_event_t *ev, const yaml_char_t *anchor,
                                    const yaml_char_t *tag) {
    if (anchor != NULL)
        return fail_mark(r, ev->start_mark,
                         "an anchor (&name) in a policy; write each value out instead");
    if (tag != NULL)
        return fail_mark(r, ev->start_mark,
                         "a tag (!!type or !name) in a policy; write the value plainly "
                         "(quote it to make it text)");
    return MG_OK;
}

static mg_status read_node(reader *r, yaml_event_t *ev, int depth, mg__ynode *out);

/* The children of a mapping or sequence up to its end event. */
static mg_status read_children(reader *r, yaml_event_type_t end, int depth, mg__ynode *out) {
    int cap = 0;
    for (;;) {
        yaml_event_t ev;
        MG_TRY(next(r, &ev));
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return MG_OK;
        }
        mg__ynode kid;
        mg_status st = read_node(r, &ev, depth + 1, &kid);
        yaml_event_delete(&ev);
        if (st != MG_OK)
            return st;
        if (out->nkids == cap) {
            int ncap = cap == 0 ? 8 : cap * 2;
            mg__ynode *k = mg__realloc_array(out->kids, (size_t)ncap, sizeof *k);
            if (k == NULL) {
                node_release(&kid);
                return mg__nomem(r->err, "the policy's YAML tree");
            }
            out->kids = k;
            cap = ncap;
        }
        out->kids[out->nkids++] = kid;
    }
}

/* One node from its first event (owned by the caller). On error *out holds
 * nothing. */
static mg_status read_node(reader *r, yaml_event_t *ev, int depth, mg__ynode *out) {
    memset(out, 0, sizeof *out);
    out->line = (int)ev->start_mark.line + 1;
    out->column = (int)ev->start_mark.column + 1;
    if (depth > MG__YAML_MAX_DEPTH)
        return fail_mark(r, ev->start_mark,
                         "nesting deeper than any policy key needs (see docs/policy.md)");
    mg_status st = MG_OK;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return fail_mark(r, ev->start_mark,
                         "an alias (*name) in a policy; write each value out instead");
    case YAML_SCALAR_EVENT:
        MG_TRY(refuse_decorations(r, ev, ev->data.scalar.anchor, ev->data.scalar.tag));
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
            return fail_mark(r, ev->start_mark, "a value holding a NUL character");
        out->kind = MG__Y_SCALAR;
        out->text = mg__strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (out->text == NULL)
            return mg__nomem(r->err, "a policy value");
        out->len = ev->data.scalar.length;
        out->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return MG_OK;
    case YAML_MAPPING_START_EVENT:
        MG_TRY(
            refuse_decorations(r, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag));
        out->kind = MG__Y_MAP;
        st = read_children(r, YAML_MAPPING_END_EVENT, depth, out);
        break;
    case YAML_SEQUENCE_START_EVENT:
        MG_TRY(
            refuse_decorations(r, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag));
        out->kind = MG__Y_SEQ;
        st = read_children(r, YAML_SEQUENCE_END_EVENT, depth, out);
        break;
    default: return fail_mark(r, ev->start_mark, "unexpected YAML structure");
    }
    if (st != MG_OK) {
        node_release(out);
        memset(out, 0, sizeof *out);
    }
    return st;
}

/* A tab in a line's leading whitespace: libyaml lets some through (and
 * YAML forbids them), and an editor shows them at any width. */
static mg_status refuse_tabs(reader *r) {
    int line = 1;
    bool at_start = true;
    int column = 1;
    for (size_t i = 0; i < r->len; i++) {
        char c = r->text[i];
        if (c == '\n') {
            line++;
            column = 1;
            at_start = true;
            continue;
        }
        if (at_start && c == '\t')
            return fail_at(
                r, line, column,
                "a tab in the indentation; indent with spaces (YAML forbids tabs there)");
        if (c != ' ' && c != '\r')
            at_start = false;
        column++;
    }
    return MG_OK;
}

static mg_status check_directives(reader *r, const yaml_event_t *ev) {
    const yaml_version_directive_t *v = ev->data.document_start.version_directive;
    if (v != NULL && !(v->major == 1 && v->minor == 2))
        return fail_at(r, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                       "%%YAML %d.%d: a policy is read as YAML 1.2 (remove the directive)",
                       v->major, v->minor);
    if (ev->data.document_start.tag_directives.start != ev->data.document_start.tag_directives.end)
        return fail_mark(r, ev->start_mark, "a %TAG directive in a policy; remove it");
    return MG_OK;
}

static mg_status read_stream(reader *r, mg__ynode **root) {
    yaml_event_t ev;
    MG_TRY(next(r, &ev)); /* stream start */
    yaml_event_delete(&ev);
    MG_TRY(next(r, &ev));
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return MG_OK; /* nothing but comments */
    }
    mg_status st = check_directives(r, &ev);
    yaml_event_delete(&ev);
    MG_TRY(st);
    MG_TRY(next(r, &ev));
    mg__ynode *n = mg__calloc(1, sizeof *n);
    if (n == NULL) {
        yaml_event_delete(&ev);
        return mg__nomem(r->err, "the policy's YAML tree");
    }
    st = read_node(r, &ev, 1, n);
    yaml_event_delete(&ev);
    if (st != MG_OK) {
        free(n);
        return st;
    }
    st = next(r, &ev); /* document end */
    if (st == MG_OK) {
        yaml_event_delete(&ev);
        st = next(r, &ev);
        if (st == MG_OK) {
            if (ev.type == YAML_DOCUMENT_START_EVENT)
                st = fail_mark(r, ev.start_mark,
                               "a second YAML document (---); a policy is one document");
            yaml_event_delete(&ev);
        }
    }
    if (st != MG_OK) {
        mg__ynode_free(n);
        return st;
    }
    *root = n;
    return MG_OK;
}

mg_status mg__yaml_read(const char *text, size_t len, const char *name, mg__ynode **root,
                        mg_error *err) {
    *root = NULL;
    if (text == NULL || len == 0) {
        text = "";
        len = 0;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    reader r;
    memset(&r, 0, sizeof r);
    r.name = name;
    r.text = text;
    r.len = len;
    r.err = err;
    MG_TRY(refuse_tabs(&r));
    if (!yaml_parser_initialize(&r.parser))
        return mg__nomem(err, "the YAML parser");
    yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    mg_status st = read_stream(&r, root);
    yaml_parser_delete(&r.parser);
    return st;
}
