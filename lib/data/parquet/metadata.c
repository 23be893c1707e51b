/* metadata.c - decodes Parquet's FileMetaData (schema, row groups, column
 * chunks) and page headers from Thrift into the small structs of pq.h,
 * keeping only what the reader uses. */
#include "data/parquet/pq.h"

static void parse_time_unit(mg__tr *t, int *unit) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id >= 1 && id <= 3 && ft == MG__TT_STRUCT)
            *unit = id;
        mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
}

/* TimestampType / TimeType: {1: isAdjustedToUTC, 2: unit}. */
static void parse_time_type(mg__tr *t, pq_schema_el *e) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 2 && ft == MG__TT_STRUCT)
            parse_time_unit(t, &e->unit);
        else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
}

static void parse_int_fields(mg__tr *t, pq_schema_el *e, bool decimal) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (decimal && id == 1 && ft == MG__TT_I32)
            e->scale = mg__tr_i32(t);
        else if (decimal && id == 2 && ft == MG__TT_I32)
            e->precision = mg__tr_i32(t);
        else if (!decimal && id == 1 && ft == MG__TT_I8)
            e->bits = mg__tr_i8(t);
        else if (!decimal && id == 2)
            e->is_signed = mg__tr_bool(t, ft);
        else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
}

/* LogicalType is a union: one field set, whose id says the kind. */
static void parse_logical(mg__tr *t, pq_schema_el *e) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (ft != MG__TT_STRUCT) {
            mg__tr_skip(t, ft);
            continue;
        }
        switch (id) {
        case 1:
        case 4:
        case 12:
            e->kind = PQ_K_STRING;
            mg__tr_skip(t, ft);
            break;
        case 2:
        case 3:
            e->kind = PQ_K_NESTED;
            mg__tr_skip(t, ft);
            break;
        case 5:
            e->kind = PQ_K_DECIMAL;
            parse_int_fields(t, e, true);
            break;
        case 6:
            e->kind = PQ_K_DATE;
            mg__tr_skip(t, ft);
            break;
        case 7:
            e->kind = PQ_K_TIME;
            parse_time_type(t, e);
            break;
        case 8:
            e->kind = PQ_K_TIMESTAMP;
            parse_time_type(t, e);
            break;
        case 10:
            e->kind = PQ_K_INT;
            parse_int_fields(t, e, false);
            break;
        case 14:
            e->kind = PQ_K_UUID;
            mg__tr_skip(t, ft);
            break;
        case 15:
            e->kind = PQ_K_FLOAT16;
            mg__tr_skip(t, ft);
            break;
        default: mg__tr_skip(t, ft); break; /* unknown logical types read as physical */
        }
    }
    mg__tr_leave(t);
}

/* The legacy ConvertedType, used when no LogicalType is present. */
static void apply_converted(pq_schema_el *e, int ct) {
    switch (ct) {
    case 0:
    case 4:
    case 19: e->kind = PQ_K_STRING; break;
    case 1:
    case 2:
    case 3: e->kind = PQ_K_NESTED; break;
    case 5: e->kind = PQ_K_DECIMAL; break;
    case 6: e->kind = PQ_K_DATE; break;
    case 7: e->kind = PQ_K_TIME, e->unit = 1; break;
    case 8: e->kind = PQ_K_TIME, e->unit = 2; break;
    case 9: e->kind = PQ_K_TIMESTAMP, e->unit = 1; break;
    case 10: e->kind = PQ_K_TIMESTAMP, e->unit = 2; break;
    case 11:
    case 12:
    case 13:
    case 14: e->kind = PQ_K_INT, e->bits = 8 << (ct - 11), e->is_signed = false; break;
    case 15:
    case 16:
    case 17:
    case 18: e->kind = PQ_K_INT, e->bits = 8 << (ct - 15), e->is_signed = true; break;
    default: break;
    }
}

static mg_status parse_schema_el(mg__tr *t, pq_schema_el *e, mg_error *err) {
    memset(e, 0, sizeof *e);
    e->type = -1;
    e->repetition = -1;
    int converted = -1;
    bool has_logical = false;
    int32_t cscale = 0, cprec = 0;
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return MG_OK;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 1 && ft == MG__TT_I32) {
            e->type = mg__tr_i32(t);
            if (e->type < PQ_BOOLEAN || e->type > PQ_FLBA)
                mg__tr_error(t, "schema element with an unknown physical type");
        } else if (id == 2 && ft == MG__TT_I32)
            e->type_length = mg__tr_i32(t);
        else if (id == 3 && ft == MG__TT_I32)
            e->repetition = mg__tr_i32(t);
        else if (id == 4 && ft == MG__TT_BINARY) {
            uint32_t len;
            const uint8_t *s = mg__tr_binary(t, &len);
            if (t->bad)
                break;
            free(e->name);
            e->name = mg__strndup((const char *)s, len);
            if (e->name == NULL)
                return mg__nomem(err, "a column name");
        } else if (id == 5 && ft == MG__TT_I32)
            e->num_children = mg__tr_i32(t);
        else if (id == 6 && ft == MG__TT_I32)
            converted = mg__tr_i32(t);
        else if (id == 7 && ft == MG__TT_I32)
            cscale = mg__tr_i32(t);
        else if (id == 8 && ft == MG__TT_I32)
            cprec = mg__tr_i32(t);
        else if (id == 10 && ft == MG__TT_STRUCT) {
            has_logical = true;
            parse_logical(t, e);
        } else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
    if (!has_logical || e->kind == PQ_K_PLAIN) {
        if (converted >= 0)
            apply_converted(e, converted);
        if (e->kind == PQ_K_DECIMAL)
            e->scale = cscale, e->precision = cprec;
    }
    if (e->name == NULL && !t->bad) {
        e->name = mg__strdup("");
        if (e->name == NULL)
            return mg__nomem(err, "a column name");
    }
    return MG_OK;
}

static mg_status parse_column_meta(mg__tr *t, pq_chunk *c, mg_error *err) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return MG_OK;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 1 && ft == MG__TT_I32)
            c->type = mg__tr_i32(t);
        else if (id == 3 && ft == MG__TT_LIST) {
            int et;
            uint32_t n = mg__tr_list(t, &et);
            mg__buf path = {0};
            for (uint32_t i = 0; i < n && !t->bad; i++) {
                if (et != MG__TT_BINARY) {
                    mg__tr_skip(t, et);
                    continue;
                }
                uint32_t len;
                const uint8_t *s = mg__tr_binary(t, &len);
                if (i > 0)
                    mg__buf_puts(&path, ".");
                mg__buf_append(&path, s, len);
            }
            mg__buf_append(&path, "", 0);
            if (path.failed) {
                mg__buf_release(&path);
                return mg__nomem(err, "a column path");
            }
            free(c->path);
            c->path = mg__buf_detach(&path);
        } else if (id == 4 && ft == MG__TT_I32)
            c->codec = mg__tr_i32(t);
        else if (id == 5 && ft == MG__TT_I64)
            c->num_values = mg__tr_i64(t);
        else if (id == 7 && ft == MG__TT_I64)
            c->total_compressed = mg__tr_i64(t);
        else if (id == 9 && ft == MG__TT_I64)
            c->data_page_offset = mg__tr_i64(t);
        else if (id == 11 && ft == MG__TT_I64)
            c->dictionary_page_offset = mg__tr_i64(t);
        else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
    return MG_OK;
}

static mg_status parse_chunk(mg__tr *t, pq_chunk *c, mg_error *err) {
    memset(c, 0, sizeof *c);
    c->type = -1;
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return MG_OK;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 3 && ft == MG__TT_STRUCT)
            MG_TRY(parse_column_meta(t, c, err));
        else if (id == 8 || id == 9) {
            c->encrypted = true; /* crypto_metadata / encrypted_column_metadata */
            mg__tr_skip(t, ft);
        } else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
    return MG_OK;
}

static mg_status parse_rowgroup(mg__tr *t, pq_rowgroup *rg, mg_error *err) {
    memset(rg, 0, sizeof *rg);
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return MG_OK;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 1 && ft == MG__TT_LIST && rg->cols == NULL) {
            int et;
            uint32_t n = mg__tr_list(t, &et);
            if (et != MG__TT_STRUCT && n > 0) {
                mg__tr_error(t, "row group columns are not structs");
                break;
            }
            rg->cols = mg__calloc(n ? n : 1, sizeof *rg->cols);
            if (rg->cols == NULL)
                return mg__nomem(err, "row group columns");
            for (uint32_t i = 0; i < n && !t->bad; i++) {
                rg->ncols++;
                MG_TRY(parse_chunk(t, &rg->cols[i], err));
            }
        } else if (id == 3 && ft == MG__TT_I64)
            rg->num_rows = mg__tr_i64(t);
        else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
    return MG_OK;
}

static mg_status parse_meta(mg__tr *t, pq_meta *m, mg_error *err) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return MG_OK;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 2 && ft == MG__TT_LIST && m->schema == NULL) {
            int et;
            uint32_t n = mg__tr_list(t, &et);
            if (et != MG__TT_STRUCT && n > 0) {
                mg__tr_error(t, "schema elements are not structs");
                break;
            }
            m->schema = mg__calloc(n ? n : 1, sizeof *m->schema);
            if (m->schema == NULL)
                return mg__nomem(err, "the schema");
            for (uint32_t i = 0; i < n && !t->bad; i++) {
                m->nschema++;
                MG_TRY(parse_schema_el(t, &m->schema[i], err));
            }
        } else if (id == 3 && ft == MG__TT_I64)
            m->num_rows = mg__tr_i64(t);
        else if (id == 4 && ft == MG__TT_LIST && m->rgs == NULL) {
            int et;
            uint32_t n = mg__tr_list(t, &et);
            if (et != MG__TT_STRUCT && n > 0) {
                mg__tr_error(t, "row groups are not structs");
                break;
            }
            m->rgs = mg__calloc(n ? n : 1, sizeof *m->rgs);
            if (m->rgs == NULL)
                return mg__nomem(err, "row groups");
            for (uint32_t i = 0; i < n && !t->bad; i++) {
                m->nrg++;
                MG_TRY(parse_rowgroup(t, &m->rgs[i], err));
            }
        } else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
    return MG_OK;
}

mg_status mg__pq_meta_parse(const uint8_t *base, size_t start, size_t end, const char *source,
                            pq_meta *m, mg_error *err) {
    memset(m, 0, sizeof *m);
    m->footer_off = start;
    mg__tr t;
    mg__tr_init(&t, base, start, end);
    mg_status st = parse_meta(&t, m, err);
    if (st != MG_OK)
        return st;
    if (t.bad)
        return mg__fail(err, MG_ERR_FORMAT, "%s: byte %zu: malformed Parquet footer: %s", source,
                        t.bad_off, t.bad_what);
    return MG_OK;
}

void mg__pq_meta_release(pq_meta *m) {
    for (int i = 0; i < m->nschema; i++)
        free(m->schema[i].name);
    free(m->schema);
    for (int r = 0; r < m->nrg; r++) {
        for (int c = 0; c < m->rgs[r].ncols; c++)
            free(m->rgs[r].cols[c].path);
        free(m->rgs[r].cols);
    }
    free(m->rgs);
    memset(m, 0, sizeof *m);
}

static void parse_data_header(mg__tr *t, pq_page_header *h, bool v2) {
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (ft != MG__TT_I32 && !(v2 && id == 7)) {
            mg__tr_skip(t, ft);
            continue;
        }
        if (id == 1)
            h->num_values = mg__tr_i32(t);
        else if (!v2 && id == 2)
            h->encoding = mg__tr_i32(t);
        else if (!v2 && id == 3)
            h->def_encoding = mg__tr_i32(t);
        else if (v2 && id == 2)
            h->num_nulls = mg__tr_i32(t);
        else if (v2 && id == 4)
            h->encoding = mg__tr_i32(t);
        else if (v2 && id == 5)
            h->def_len = mg__tr_i32(t);
        else if (v2 && id == 6)
            h->rep_len = mg__tr_i32(t);
        else if (v2 && id == 7)
            h->is_compressed = mg__tr_bool(t, ft);
        else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
}

mg_status mg__pq_page_header_parse(mg__tr *t, pq_page_header *h) {
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->is_compressed = true;
    h->def_encoding = PQ_ENC_RLE;
    int16_t last = 0, id;
    int ft;
    if (!mg__tr_enter(t))
        return MG_ERR_FORMAT;
    while (mg__tr_field(t, &last, &id, &ft)) {
        if (id == 1 && ft == MG__TT_I32)
            h->type = mg__tr_i32(t);
        else if (id == 2 && ft == MG__TT_I32)
            h->uncompressed_size = mg__tr_i32(t);
        else if (id == 3 && ft == MG__TT_I32)
            h->compressed_size = mg__tr_i32(t);
        else if (id == 4 && ft == MG__TT_I32) {
            h->has_crc = true;
            h->crc = (uint32_t)mg__tr_i32(t);
        } else if ((id == 5 || id == 8) && ft == MG__TT_STRUCT)
            parse_data_header(t, h, id == 8);
        else if (id == 7 && ft == MG__TT_STRUCT) {
            /* DictionaryPageHeader: num_values, encoding, is_sorted */
            int16_t dl = 0, did;
            int dt;
            if (!mg__tr_enter(t))
                break;
            while (mg__tr_field(t, &dl, &did, &dt)) {
                if (did == 1 && dt == MG__TT_I32)
                    h->num_values = mg__tr_i32(t);
                else if (did == 2 && dt == MG__TT_I32)
                    h->encoding = mg__tr_i32(t);
                else
                    mg__tr_skip(t, dt);
            }
            mg__tr_leave(t);
        } else
            mg__tr_skip(t, ft);
    }
    mg__tr_leave(t);
    return t->bad ? MG_ERR_FORMAT : MG_OK;
}
