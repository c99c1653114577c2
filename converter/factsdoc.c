/* factsdoc.c: bounded parse of the facts document and typed accessors. */
#include "factsdoc.h"
#include "error.h"
#include "json_write.h"

int factsdoc_parse(const char *text, size_t len, json_object **out)
{
    if (len > INT32_MAX)
        return p2v_error_set("facts document of %zu bytes is too large", len);
    json_tokener *tok = json_tokener_new_ex(FACTSDOC_DEPTH_MAX);
    if (!tok)
        return p2v_error_set("out of memory parsing facts");
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || err != json_tokener_success) {
        json_object_put(o);
        return p2v_error_set("the facts document is not valid JSON: %s at byte %zu",
                             json_tokener_error_desc(err), used);
    }
    while (used < len && (text[used] == '\n' || text[used] == ' '))
        used++;
    if (used != len || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return p2v_error_set("the facts document is not a single JSON object");
    }
    *out = o;
    return 0;
}

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return json_object_is_type(v, type) ? v : NULL;
}

json_object *fj_obj(json_object *o, const char *key)
{
    return member(o, key, json_type_object);
}

json_object *fj_arr(json_object *o, const char *key)
{
    return member(o, key, json_type_array);
}

const char *fj_str(json_object *o, const char *key)
{
    json_object *v = member(o, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

int64_t fj_int(json_object *o, const char *key, int64_t def)
{
    json_object *v = member(o, key, json_type_int);
    return v ? json_object_get_int64(v) : def;
}

bool fj_bool(json_object *o, const char *key, bool def)
{
    json_object *v = member(o, key, json_type_boolean);
    return v ? json_object_get_boolean(v) : def;
}

size_t fj_len(json_object *arr)
{
    return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

json_object *fj_at(json_object *arr, size_t i)
{
    if (i >= fj_len(arr))
        return NULL;
    json_object *v = json_object_array_get_idx(arr, i);
    return json_object_is_type(v, json_type_object) ? v : NULL;
}

int fj_blob(json_object *o, struct p2v_buf *out)
{
    json_object *inner = member(o, "blob", json_type_object);
    if (inner)
        o = inner;
    json_object *v = member(o, "text", json_type_string);
    if (v)
        return p2v_buf_add(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
    v = member(o, "base64", json_type_string);
    if (v)
        return p2v_base64_decode(out, json_object_get_string(v), (size_t)json_object_get_string_len(v));
    return p2v_error_set("blob has neither text nor base64");
}

json_object *fj_file(json_object *facts, const char *path)
{
    json_object *files = fj_arr(facts, "files");
    for (size_t i = 0; i < fj_len(files); i++) {
        json_object *f = fj_at(files, i);
        const char *p = fj_str(f, "path");
        if (p && strcmp(p, path) == 0)
            return f;
    }
    return NULL;
}

char *fj_file_text(json_object *facts, const char *path)
{
    json_object *f = fj_file(facts, path);
    if (!f)
        return NULL;
    struct p2v_buf b = P2V_BUF_INIT((64u << 20));
    if (fj_blob(f, &b) < 0) {
        p2v_buf_release(&b);
        return NULL;
    }
    return p2v_buf_detach(&b);
}
