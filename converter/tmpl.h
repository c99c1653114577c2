/* tmpl.h: a tiny text template engine for the files the conversion
 * writes (templates/net/...): the text lives in data, the choice in C.
 *
 * Syntax (nothing else is special):
 *   {{NAME}}                 a scalar's value; unknown or list -> error
 *   {{#each LIST}}..{{/each}} body once per item; inside, {{ADDR}} is the
 *                            item, {{N}} its index from 0, {{N1}} from 1,
 *                            and {{SEP}} / {{SEPNL}} are "" for the first
 *                            item, " " / a newline for the others
 *   {{#if NAME}}..{{/if}}    body when the list is non-empty / the scalar
 *                            is set and non-empty
 *   {{#unless NAME}}..{{/unless}}  the opposite
 *   {{! comment }}           dropped
 * A block or comment tag alone at the start of a line and ending it takes
 * its newline with it, so templates can put tags on lines of their own.
 *
 * Bounded: templates up to TMPL_MAX_TEXT bytes, blocks nested up to
 * TMPL_MAX_DEPTH, output up to TMPL_MAX_OUT. Values are inserted
 * verbatim: callers pass only validated text (see net_plan_build). */
#ifndef P2V_TMPL_H
#define P2V_TMPL_H

#include "common.h"
#include "buf.h"

#define TMPL_MAX_VARS 32
#define TMPL_MAX_TEXT ((size_t)64 << 10)
#define TMPL_MAX_OUT ((size_t)1 << 20)
#define TMPL_MAX_DEPTH 8

struct tmpl_var {
    const char *name;
    const char *value;          /* scalar; NULL = known but unset */
    char *const *items;         /* list */
    size_t nitems;
    bool is_list;
};

struct tmpl_vars {
    struct tmpl_var v[TMPL_MAX_VARS];
    size_t n;
};

/* Set (or replace) a scalar / a list. Names and values are borrowed: they
 * must outlive the rendering. Aborts past TMPL_MAX_VARS (a program bug). */
void tmpl_set(struct tmpl_vars *t, const char *name, const char *value);
void tmpl_set_list(struct tmpl_vars *t, const char *name, char *const *items, size_t n);

/* Render TEXT (NAME is for messages) and append to OUT. 0 or -1. */
int tmpl_render(const char *name, const char *text, size_t len, const struct tmpl_vars *t,
                struct p2v_buf *out);

/* The templates directory: $P2V_TEMPLATES_DIR, else the source tree's
 * (compile time), else the installed share/p2v/templates. */
const char *tmpl_dir(void);
/* Load templates/NAME ("net/netplan/venet0.yaml"): 0 or -1. */
int tmpl_load(const char *name, struct p2v_buf *out);
/* Load and render into OUT (reset first). 0 or -1. */
int tmpl_expand(const char *name, const struct tmpl_vars *t, struct p2v_buf *out);

#endif
