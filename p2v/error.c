/* error.c: thread-local last error message and hint (see error.h). */
#include "error.h"

/* Messages are cut at P2V_ERROR_MAX on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static _Thread_local char err_msg[P2V_ERROR_MAX];
static _Thread_local char err_hint[P2V_ERROR_MAX];

static void set_v(char *dst, const char *fmt, va_list ap)
{
    vsnprintf(dst, P2V_ERROR_MAX, fmt, ap);
}

int p2v_error_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_v(err_msg, fmt, ap);
    va_end(ap);
    err_hint[0] = '\0';
    return -1;
}

int p2v_error_set_errno(int errnum, const char *fmt, ...)
{
    char head[P2V_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    set_v(head, fmt, ap);
    va_end(ap);
    snprintf(err_msg, sizeof(err_msg), "%s: %s", head, strerror(errnum));
    err_hint[0] = '\0';
    return -1;
}

int p2v_error_prefix(const char *fmt, ...)
{
    char head[P2V_ERROR_MAX], old[P2V_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    set_v(head, fmt, ap);
    va_end(ap);
    memcpy(old, err_msg, sizeof(old));
    snprintf(err_msg, sizeof(err_msg), "%s: %s", head, old);
    return -1;
}

void p2v_error_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_v(err_hint, fmt, ap);
    va_end(ap);
}

const char *p2v_error_message(void)
{
    return err_msg[0] ? err_msg : "unknown error";
}

const char *p2v_error_hint_text(void)
{
    return err_hint;
}

void p2v_error_clear(void)
{
    err_msg[0] = '\0';
    err_hint[0] = '\0';
}
