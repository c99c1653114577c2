/* json_write.h: a small streaming JSON writer into a p2v_buf.
 *
 * Commas and nesting are tracked for the caller; strings are escaped.
 * Byte strings that are not valid UTF-8 (file names are bytes) are written
 * with each invalid byte as the text \xNN, so output is always valid JSON;
 * contents that must round-trip exactly use p2v_json_blob(), which writes
 * "text" when the bytes are UTF-8 and "base64" otherwise. Errors (a buffer
 * cap, nesting too deep) are sticky: check p2v_json_finish() once. */
#ifndef P2V_JSON_WRITE_H
#define P2V_JSON_WRITE_H

#include "buf.h"

#define P2V_JSON_DEPTH_MAX 32

struct p2v_json {
    struct p2v_buf *out;
    int depth;
    bool pretty;
    bool need_comma[P2V_JSON_DEPTH_MAX];
    bool after_key;
    bool failed;
};

void p2v_json_init(struct p2v_json *j, struct p2v_buf *out, bool pretty);
void p2v_json_obj_begin(struct p2v_json *j);
void p2v_json_obj_end(struct p2v_json *j);
void p2v_json_arr_begin(struct p2v_json *j);
void p2v_json_arr_end(struct p2v_json *j);
void p2v_json_key(struct p2v_json *j, const char *key);
void p2v_json_str(struct p2v_json *j, const char *s);
void p2v_json_strn(struct p2v_json *j, const char *s, size_t n);
void p2v_json_int(struct p2v_json *j, int64_t v);
void p2v_json_uint(struct p2v_json *j, uint64_t v);
void p2v_json_bool(struct p2v_json *j, bool v);
void p2v_json_null(struct p2v_json *j);
/* Inside an object: "text": "..." or "base64": "..." for the bytes. */
void p2v_json_blob(struct p2v_json *j, const void *data, size_t n);

/* key + value shorthands */
void p2v_json_kstr(struct p2v_json *j, const char *key, const char *s);
void p2v_json_kint(struct p2v_json *j, const char *key, int64_t v);
void p2v_json_kuint(struct p2v_json *j, const char *key, uint64_t v);
void p2v_json_kbool(struct p2v_json *j, const char *key, bool v);

int p2v_json_finish(struct p2v_json *j);

/* True if the n bytes are well-formed UTF-8 with no NUL. */
bool p2v_utf8_valid(const void *data, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t p2v_utf8_seq_len(const unsigned char *s, size_t n);
int p2v_base64_encode(struct p2v_buf *out, const void *data, size_t n);
/* Decode base64 (no whitespace) appending to out; -1 on bad input. */
int p2v_base64_decode(struct p2v_buf *out, const char *s, size_t n);

#endif
