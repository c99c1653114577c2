/* factsdoc.h: safe access to the agent's facts document (json-c).
 *
 * The document comes from a host we do not trust: it is parsed with a
 * depth limit, and every accessor checks the member's type, returning
 * NULL/default for anything missing or of the wrong type. */
#ifndef P2V_FACTSDOC_H
#define P2V_FACTSDOC_H

#include "buf.h"
#include <json-c/json.h>

#define FACTSDOC_DEPTH_MAX 24

/* Parse len bytes as one JSON object. */
int factsdoc_parse(const char *text, size_t len, json_object **out);

json_object *fj_obj(json_object *o, const char *key);   /* object member */
json_object *fj_arr(json_object *o, const char *key);   /* array member */
const char *fj_str(json_object *o, const char *key);
int64_t fj_int(json_object *o, const char *key, int64_t def);
bool fj_bool(json_object *o, const char *key, bool def);
size_t fj_len(json_object *arr);
json_object *fj_at(json_object *arr, size_t i);        /* object element or NULL */

/* The bytes of a blob object ({"text"} or {"base64"}), appended to out. */
int fj_blob(json_object *o, struct p2v_buf *out);
/* The entry of facts.files with that path, or NULL. */
json_object *fj_file(json_object *facts, const char *path);
/* The file's content as text (NUL-terminated), or NULL when absent. */
char *fj_file_text(json_object *facts, const char *path);

#endif
