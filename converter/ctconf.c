/* ctconf.c: read and write CTID.conf by vzctl's rules (ctconf.h). */
#include "ctconf.h"
#include "error.h"
#include <ctype.h>

#define CTCONF_MAX_LINES 100000

static void warn(struct ctconf *c, size_t lineno, const char *msg)
{
    c->warnings = p2v_xrealloc(c->warnings, (c->nwarnings + 1) * sizeof(*c->warnings));
    c->warnings[c->nwarnings++] = p2v_xasprintf("line %zu: %s", lineno, msg);
}

static void push(struct ctconf *c, char *text, char *key, char *value)
{
    c->lines = p2v_xrealloc(c->lines, (c->n + 1) * sizeof(*c->lines));
    c->lines[c->n++] = (struct ctconf_line){text, key, value};
}

static bool key_ok(const char *k, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isupper((unsigned char)k[i]) || isdigit((unsigned char)k[i]) || k[i] == '_'))
            return false;
    return true;
}

const char *ctconf_get(const struct ctconf *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->lines[i].key && strcmp(c->lines[i].key, key) == 0)
            return c->lines[i].value;
    return NULL;
}

/* one line, as vzctl's parse_line takes it */
static int parse_line(struct ctconf *c, const char *s, size_t len, size_t lineno)
{
    char *text = p2v_xstrndup(s, len);
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#') {
        push(c, text, NULL, NULL);
        return 0;
    }
    const char *eq = strchr(p, '=');
    if (!eq) {
        warn(c, lineno, "no `=`: line ignored");
        push(c, text, NULL, NULL);
        return 0;
    }
    size_t klen = (size_t)(eq - p);
    while (klen && (p[klen - 1] == ' ' || p[klen - 1] == '\t'))
        klen--;
    const char *v = eq + 1;
    char *value;
    if (*v == '"') {
        const char *last = strrchr(v + 1, '"');
        if (!last) {
            free(text);
            return p2v_error_set("line %zu: unmatched quotes", lineno);
        }
        value = p2v_xstrndup(v + 1, (size_t)(last - v - 1));
    } else {
        size_t vlen = strlen(v);
        while (vlen && isspace((unsigned char)v[vlen - 1]))
            vlen--;
        value = p2v_xstrndup(v, vlen);
    }
    char *key = p2v_xstrndup(p, klen);
    if (ctconf_get(c, key)) {
        char *m = p2v_xasprintf("duplicate %s: ignored (the first wins)", key);
        warn(c, lineno, m);
        free(m);
        free(key);
        free(value);
        push(c, text, NULL, NULL);   /* kept as text so a rewrite loses nothing */
        return 0;
    }
    push(c, text, key, value);
    return 0;
}

int ctconf_parse(struct ctconf *c, const char *text, size_t len)
{
    memset(c, 0, sizeof(*c));
    size_t lineno = 0;
    for (size_t off = 0; off < len;) {
        const char *s = text + off;
        const char *nl = memchr(s, '\n', len - off);
        size_t l = nl ? (size_t)(nl - s) : len - off;
        if (memchr(s, '\0', l)) {
            ctconf_release(c);
            return p2v_error_set("line %zu: a NUL byte", lineno + 1);
        }
        if (++lineno > CTCONF_MAX_LINES) {
            ctconf_release(c);
            return p2v_error_set("more than %d lines", CTCONF_MAX_LINES);
        }
        if (parse_line(c, s, l, lineno) < 0) {
            ctconf_release(c);
            return -1;
        }
        off += l + (nl ? 1 : 0);
    }
    return 0;
}

void ctconf_release(struct ctconf *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->lines[i].text);
        free(c->lines[i].key);
        free(c->lines[i].value);
    }
    free(c->lines);
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    memset(c, 0, sizeof(*c));
}

bool ctconf_value_ok(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || *p == '$' || *p == '`')
            return false;
    return true;
}

int ctconf_set(struct ctconf *c, const char *key, const char *value)
{
    if (!key_ok(key, strlen(key)))
        return p2v_error_set("container config: `%s` is not a key", key);
    if (!ctconf_value_ok(value))
        return p2v_error_set("container config: the value for %s holds a quote, backslash, "
                             "`$`, backquote or control character: not written", key);
    char *text = p2v_xasprintf("%s=\"%s\"", key, value);
    for (size_t i = 0; i < c->n; i++) {
        struct ctconf_line *l = &c->lines[i];
        if (l->key && strcmp(l->key, key) == 0) {
            free(l->text);
            free(l->value);
            l->text = text;
            l->value = p2v_xstrdup(value);
            return 0;
        }
    }
    push(c, text, p2v_xstrdup(key), p2v_xstrdup(value));
    return 0;
}

int ctconf_default(struct ctconf *c, const char *key, const char *value)
{
    return ctconf_get(c, key) ? 0 : ctconf_set(c, key, value);
}

void ctconf_comment(struct ctconf *c, const char *text)
{
    /* one line, printable: the text may name the source host */
    char *t = p2v_xasprintf("# %s", text);
    for (char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    push(c, t, NULL, NULL);
}

int ctconf_render(const struct ctconf *c, struct p2v_buf *out)
{
    for (size_t i = 0; i < c->n; i++)
        if (p2v_buf_adds(out, c->lines[i].text) < 0 || p2v_buf_addc(out, '\n') < 0)
            return -1;
    return 0;
}
