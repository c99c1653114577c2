/* tmpl.c: {{VAR}}, {{#each}}, {{#if}}/{{#unless}} over validated values
 * (tmpl.h). A recursive walk over the template text; no allocation but
 * the output buffer. */
#include "tmpl.h"
#include "error.h"
#include <sys/stat.h>

#ifndef P2V_TEMPLATES_DIR
#define P2V_TEMPLATES_DIR ""
#endif
#ifndef P2V_INSTALL_SHARE
#define P2V_INSTALL_SHARE "/usr/local/share/p2v"
#endif

#define TAG_MAX 64

static struct tmpl_var *slot(struct tmpl_vars *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0)
            return &t->v[i];
    if (t->n == TMPL_MAX_VARS) {
        fprintf(stderr, "tmpl: more than %d variables\n", TMPL_MAX_VARS);
        abort();
    }
    return &t->v[t->n++];
}

void tmpl_set(struct tmpl_vars *t, const char *name, const char *value)
{
    *slot(t, name) = (struct tmpl_var){.name = name, .value = value};
}

void tmpl_set_list(struct tmpl_vars *t, const char *name, char *const *items, size_t n)
{
    *slot(t, name) = (struct tmpl_var){.name = name, .items = items, .nitems = n, .is_list = true};
}

/* The innermost {{#each}} item, if any. */
struct loop {
    const char *item;
    size_t index;
    const struct loop *up;
};

struct render {
    const char *name;          /* template name, for messages */
    const char *start, *end;   /* the whole template */
    const struct tmpl_vars *t;
    struct p2v_buf *out;
};

static const struct tmpl_var *lookup(const struct tmpl_vars *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strlen(t->v[i].name) == len && memcmp(t->v[i].name, name, len) == 0)
            return &t->v[i];
    return NULL;
}

static int line_of(const struct render *r, const char *at)
{
    int line = 1;
    for (const char *p = r->start; p < at; p++)
        line += *p == '\n';
    return line;
}

/* One tag: p points at "{{". Sets the tag's inner text and its end. */
static int parse_tag(const struct render *r, const char *p, const char **in, size_t *inlen,
                     const char **after)
{
    const char *s = p + 2;
    const char *e = NULL;
    bool comment = s < r->end && *s == '!';
    for (const char *q = s; q + 1 < r->end && (comment || q - s <= TAG_MAX); q++)
        if (q[0] == '}' && q[1] == '}') {
            e = q;
            break;
        }
    if (!e)
        return p2v_error_set("template %s:%d: unterminated or overlong {{ tag", r->name,
                             line_of(r, p));
    *in = s;
    *inlen = (size_t)(e - s);
    *after = e + 2;
    return 0;
}

/* A block tag alone on its line takes the newline that ends it. */
static const char *eat_newline(const struct render *r, const char *tag, const char *after)
{
    bool at_bol = tag == r->start || tag[-1] == '\n';
    if (at_bol && after < r->end && *after == '\n')
        return after + 1;
    return after;
}

static bool word_is(const char *s, size_t len, const char *w)
{
    return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* From just after an opening block tag, find its closing tag. */
static int find_close(const struct render *r, const char *from, const char *kind,
                      const char **close, const char **after)
{
    int depth = 0;
    for (const char *p = from; p + 1 < r->end; p++) {
        if (p[0] != '{' || p[1] != '{')
            continue;
        const char *in, *a;
        size_t len;
        if (parse_tag(r, p, &in, &len, &a) < 0)
            return -1;
        if (len && in[0] == '#') {
            depth++;
        } else if (len && in[0] == '/') {
            if (depth == 0) {
                if (!word_is(in + 1, len - 1, kind))
                    return p2v_error_set("template %s:%d: {{/%.*s}} closes {{#%s}}", r->name,
                                         line_of(r, p), (int)(len - 1), in + 1, kind);
                *close = p;
                *after = a;
                return 0;
            }
            depth--;
        }
        p = a - 1;
    }
    return p2v_error_set("template %s: {{#%s}} is never closed", r->name, kind);
}

static int render(const struct render *r, const char *p, const char *end, const struct loop *lp,
                  int depth);

static int emit_var(const struct render *r, const char *tag, const char *in, size_t len,
                    const struct loop *lp)
{
    if (lp && word_is(in, len, "ADDR"))
        return p2v_buf_adds(r->out, lp->item);
    if (lp && word_is(in, len, "N"))
        return p2v_buf_printf(r->out, "%zu", lp->index);
    if (lp && word_is(in, len, "N1"))
        return p2v_buf_printf(r->out, "%zu", lp->index + 1);
    if (lp && word_is(in, len, "SEP"))
        return lp->index ? p2v_buf_addc(r->out, ' ') : 0;
    if (lp && word_is(in, len, "SEPNL"))
        return lp->index ? p2v_buf_addc(r->out, '\n') : 0;
    const struct tmpl_var *v = lookup(r->t, in, len);
    if (!v || v->is_list)
        return p2v_error_set("template %s:%d: {{%.*s}} is %s", r->name, line_of(r, tag),
                             (int)len, in, v ? "a list, not a value" : "not defined");
    return v->value ? p2v_buf_adds(r->out, v->value) : 0;
}

static int block(const struct render *r, const char *tag, const char *in, size_t len,
                 const char **next, const struct loop *lp, int depth)
{
    const char *sp = memchr(in, ' ', len);
    size_t klen = sp ? (size_t)(sp - in) : len;
    const char *kind = word_is(in + 1, klen - 1, "each")     ? "each"
                       : word_is(in + 1, klen - 1, "if")     ? "if"
                       : word_is(in + 1, klen - 1, "unless") ? "unless"
                                                             : NULL;
    if (!kind || !sp || sp + 1 >= in + len)
        return p2v_error_set("template %s:%d: unknown block {{%.*s}}", r->name,
                             line_of(r, tag), (int)len, in);
    const char *vname = sp + 1;
    size_t vlen = (size_t)(in + len - vname);
    const struct tmpl_var *v = lookup(r->t, vname, vlen);
    if (!v)
        return p2v_error_set("template %s:%d: {{#%s %.*s}}: not defined", r->name,
                             line_of(r, tag), kind, (int)vlen, vname);
    if (depth >= TMPL_MAX_DEPTH)
        return p2v_error_set("template %s:%d: blocks nested deeper than %d", r->name,
                             line_of(r, tag), TMPL_MAX_DEPTH);
    const char *body = eat_newline(r, tag, in + len + 2);
    const char *close = NULL, *after = NULL;
    if (find_close(r, body, kind, &close, &after) < 0)
        return -1;
    *next = eat_newline(r, close, after);

    if (strcmp(kind, "each") == 0) {
        if (!v->is_list)
            return p2v_error_set("template %s:%d: {{#each %.*s}}: not a list", r->name,
                                 line_of(r, tag), (int)vlen, vname);
        for (size_t i = 0; i < v->nitems; i++) {
            struct loop inner = {v->items[i], i, lp};
            if (render(r, body, close, &inner, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    bool truth = v->is_list ? v->nitems > 0 : (v->value && *v->value);
    if (strcmp(kind, "unless") == 0)
        truth = !truth;
    return truth ? render(r, body, close, lp, depth + 1) : 0;
}

static int render(const struct render *r, const char *p, const char *end, const struct loop *lp,
                  int depth)
{
    while (p < end) {
        const char *open = NULL;
        for (const char *q = p; q + 1 < end; q++)
            if (q[0] == '{' && q[1] == '{') {
                open = q;
                break;
            }
        if (!open)
            return p2v_buf_add(r->out, p, (size_t)(end - p));
        if (p2v_buf_add(r->out, p, (size_t)(open - p)) < 0)
            return -1;
        const char *in, *after;
        size_t len;
        if (parse_tag(r, open, &in, &len, &after) < 0)
            return -1;
        if (len && in[0] == '!') {
            p = eat_newline(r, open, after);
        } else if (len && in[0] == '#') {
            if (block(r, open, in, len, &p, lp, depth) < 0)
                return -1;
        } else if (len && in[0] == '/') {
            return p2v_error_set("template %s:%d: {{%.*s}} without its block", r->name,
                                 line_of(r, open), (int)len, in);
        } else {
            if (emit_var(r, open, in, len, lp) < 0)
                return -1;
            p = after;
        }
    }
    return 0;
}

int tmpl_render(const char *name, const char *text, size_t len, const struct tmpl_vars *t,
                struct p2v_buf *out)
{
    if (len > TMPL_MAX_TEXT)
        return p2v_error_set("template %s: %zu bytes, more than %zu", name, len, TMPL_MAX_TEXT);
    struct render r = {name, text, text + len, t, out};
    return render(&r, text, text + len, NULL, 0);
}

const char *tmpl_dir(void)
{
    const char *env = getenv("P2V_TEMPLATES_DIR");
    if (env && *env)
        return env;
    struct stat st;
    if (P2V_TEMPLATES_DIR[0] && stat(P2V_TEMPLATES_DIR "/net", &st) == 0 && S_ISDIR(st.st_mode))
        return P2V_TEMPLATES_DIR;
    return P2V_INSTALL_SHARE "/templates";
}

int tmpl_load(const char *name, struct p2v_buf *out)
{
    p2v_autofree char *path = p2v_xasprintf("%s/%s", tmpl_dir(), name);
    if (p2v_buf_read_file(out, path) < 0)
        return p2v_error_prefix("template");
    if (out->len > TMPL_MAX_TEXT)
        return p2v_error_set("template `%s`: more than %zu bytes", path, TMPL_MAX_TEXT);
    return 0;
}

int tmpl_expand(const char *name, const struct tmpl_vars *t, struct p2v_buf *out)
{
    struct p2v_buf text = P2V_BUF_INIT(TMPL_MAX_TEXT + 1);
    int r = tmpl_load(name, &text);
    if (r == 0) {
        p2v_buf_reset(out);
        r = tmpl_render(name, text.data ? text.data : "", text.len, t, out);
    }
    p2v_buf_release(&text);
    return r;
}
