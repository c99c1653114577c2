/* ctconf.h: CTID.conf in vzctl 4.x format (facts/openvz.md).
 *
 * vzctl reads it with its own parser and its scripts source it with the
 * shell, so every value is written KEY="value" with nothing the shell would
 * expand inside the quotes: values with `"`, `\`, `$`, a backquote or a
 * control byte are refused (the source is untrusted). Reading follows
 * vzctl's rules: leading blanks skipped, `#` lines are comments, a line
 * without `=` is warned about and skipped, a quoted value runs to the LAST
 * `"` of the line (no closing quote: "unmatched quotes"), an unquoted value
 * is the rest of the line less trailing blanks (an inline `# x` stays part
 * of it), and of duplicated keys the first wins with a warning.
 *
 * Rewriting an existing file does what `vzctl set --save` does: each key
 * we set replaces the first line for that key, missing keys are appended,
 * every other line (the administrator's) is kept as it was. */
#ifndef P2V_CTCONF_H
#define P2V_CTCONF_H

#include "common.h"
#include "buf.h"

struct ctconf_line {
    char *text;       /* the line as read or rendered, no newline */
    char *key;        /* NULL for comments, blanks and bad lines */
    char *value;      /* unquoted value */
};

struct ctconf {
    struct ctconf_line *lines;
    size_t n;
    char **warnings;  /* parser warnings, "line 3: ..." */
    size_t nwarnings;
};

/* Parse TEXT (may be empty). -1 only on a hard error (unmatched quotes),
 * with p2v_error naming the line; warnings are collected. */
int ctconf_parse(struct ctconf *c, const char *text, size_t len);
void ctconf_release(struct ctconf *c);
/* value of KEY (the first occurrence) or NULL */
const char *ctconf_get(const struct ctconf *c, const char *key);
/* true if VALUE can go between double quotes for vzctl and the shell */
bool ctconf_value_ok(const char *value);
/* Set KEY (replacing its first line or appending). -1 if the value is not
 * safe (ctconf_value_ok) or the key is not [A-Z0-9_]+. */
int ctconf_set(struct ctconf *c, const char *key, const char *value);
/* Set only when absent. */
int ctconf_default(struct ctconf *c, const char *key, const char *value);
void ctconf_comment(struct ctconf *c, const char *text);
int ctconf_render(const struct ctconf *c, struct p2v_buf *out);

#endif
