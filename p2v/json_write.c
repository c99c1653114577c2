/* json_write.c: streaming JSON writer (see json_write.h). */
#include "json_write.h"
#include "error.h"

void p2v_json_init(struct p2v_json *j, struct p2v_buf *out, bool pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
}

static void emit(struct p2v_json *j, const char *s, size_t n)
{
    if (!j->failed && p2v_buf_add(j->out, s, n) < 0)
        j->failed = true;
}

static void emits(struct p2v_json *j, const char *s)
{
    emit(j, s, strlen(s));
}

static void newline(struct p2v_json *j)
{
    if (!j->pretty)
        return;
    emit(j, "\n", 1);
    for (int i = 0; i < j->depth; i++)
        emit(j, "  ", 2);
}

/* Before any value: a comma and indentation unless it follows a key. */
static void value_prefix(struct p2v_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            emit(j, ",", 1);
        j->need_comma[j->depth] = true;
        newline(j);
    }
}

static void open(struct p2v_json *j, char c)
{
    value_prefix(j);
    emit(j, &c, 1);
    if (j->depth + 1 >= P2V_JSON_DEPTH_MAX) {
        j->failed = true;
        return;
    }
    j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_(struct p2v_json *j, char c)
{
    if (j->depth == 0) {
        j->failed = true;
        return;
    }
    bool had = j->need_comma[j->depth];
    j->depth--;
    if (had)
        newline(j);
    emit(j, &c, 1);
}

void p2v_json_obj_begin(struct p2v_json *j) { open(j, '{'); }
void p2v_json_obj_end(struct p2v_json *j) { close_(j, '}'); }
void p2v_json_arr_begin(struct p2v_json *j) { open(j, '['); }
void p2v_json_arr_end(struct p2v_json *j) { close_(j, ']'); }

static void quoted(struct p2v_json *j, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    emit(j, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            emit(j, esc, 2);
            i++;
        } else if (c == '\n' || c == '\t' || c == '\r') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
            emit(j, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            emits(j, esc);
            i++;
        } else if (c < 0x80) {
            emit(j, (const char *)u + i, 1);
            i++;
        } else {
            size_t l = p2v_utf8_seq_len(u + i, n - i);
            if (l) {
                emit(j, (const char *)u + i, l);
                i += l;
            } else {
                snprintf(esc, sizeof(esc), "\\\\x%02x", c);
                emits(j, esc);
                i++;
            }
        }
    }
    emit(j, "\"", 1);
}

void p2v_json_key(struct p2v_json *j, const char *key)
{
    value_prefix(j);
    quoted(j, key, strlen(key));
    emit(j, j->pretty ? ": " : ":", j->pretty ? 2 : 1);
    j->after_key = true;
}

void p2v_json_strn(struct p2v_json *j, const char *s, size_t n)
{
    value_prefix(j);
    quoted(j, s, n);
}

void p2v_json_str(struct p2v_json *j, const char *s)
{
    if (!s) {
        p2v_json_null(j);
        return;
    }
    p2v_json_strn(j, s, strlen(s));
}

void p2v_json_int(struct p2v_json *j, int64_t v)
{
    char tmp[32];
    value_prefix(j);
    snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    emits(j, tmp);
}

void p2v_json_uint(struct p2v_json *j, uint64_t v)
{
    char tmp[32];
    value_prefix(j);
    snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
    emits(j, tmp);
}

void p2v_json_bool(struct p2v_json *j, bool v)
{
    value_prefix(j);
    emits(j, v ? "true" : "false");
}

void p2v_json_null(struct p2v_json *j)
{
    value_prefix(j);
    emits(j, "null");
}

void p2v_json_blob(struct p2v_json *j, const void *data, size_t n)
{
    if (p2v_utf8_valid(data, n)) {
        p2v_json_key(j, "text");
        p2v_json_strn(j, data, n);
        return;
    }
    p2v_json_key(j, "base64");
    value_prefix(j);
    emit(j, "\"", 1);
    if (!j->failed && p2v_base64_encode(j->out, data, n) < 0)
        j->failed = true;
    emit(j, "\"", 1);
}

void p2v_json_kstr(struct p2v_json *j, const char *key, const char *s)
{
    p2v_json_key(j, key);
    p2v_json_str(j, s);
}

void p2v_json_kint(struct p2v_json *j, const char *key, int64_t v)
{
    p2v_json_key(j, key);
    p2v_json_int(j, v);
}

void p2v_json_kuint(struct p2v_json *j, const char *key, uint64_t v)
{
    p2v_json_key(j, key);
    p2v_json_uint(j, v);
}

void p2v_json_kbool(struct p2v_json *j, const char *key, bool v)
{
    p2v_json_key(j, key);
    p2v_json_bool(j, v);
}

int p2v_json_finish(struct p2v_json *j)
{
    if (j->failed)
        return p2v_error_set("JSON output too large or nested too deep");
    if (j->depth != 0)
        return p2v_error_set("internal: JSON document left open at depth %d", j->depth);
    if (j->pretty)
        emit(j, "\n", 1);
    return j->failed ? -1 : 0;
}
