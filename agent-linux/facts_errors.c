/* facts_errors.c: the top-level "errors" array of the facts document.
 *
 * A collector that cannot read something records {what, error} here and
 * carries on; facts_collect() writes the list after every collector has
 * run, so one failing collector never costs the rest of the document. The
 * list is bounded: a source with thousands of unreadable things must not
 * blow the document's size cap. */
#include "facts.h"
#include "common.h"

#define FACTS_ERRORS_MAX 256

struct facts_err {
    char *what;
    char *error;
};

static struct facts_err errs[FACTS_ERRORS_MAX];
static size_t nerrs;
static uint64_t dropped;

void facts_errors_reset(void)
{
    for (size_t i = 0; i < nerrs; i++) {
        free(errs[i].what);
        free(errs[i].error);
    }
    nerrs = 0;
    dropped = 0;
}

void facts_error(const char *what, const char *fmt, ...)
{
    if (nerrs == FACTS_ERRORS_MAX) {
        dropped++;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    errs[nerrs].what = p2v_xstrdup(what);
    errs[nerrs].error = p2v_xstrdup(msg);
    nerrs++;
}

void facts_errors_emit(struct p2v_json *j)
{
    p2v_json_key(j, "errors");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < nerrs; i++) {
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "what", errs[i].what);
        p2v_json_kstr(j, "error", errs[i].error);
        p2v_json_obj_end(j);
    }
    if (dropped) {
        /* Said once, so the bound is never silent (docs/facts.md). */
        char msg[128];
        snprintf(msg, sizeof(msg), "%llu more errors not listed", (unsigned long long)dropped);
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "what", "errors");
        p2v_json_kstr(j, "error", msg);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
    facts_errors_reset();
}
