/* error.h: the one error convention of p2v (docs/errors.md).
 *
 * A function that can fail returns int: 0 (or a count) on success and -1 on
 * failure. Before returning -1 it records a one-line message naming the
 * thing that failed ("open `/etc/p2v/p2v.conf`: Permission denied") with
 * p2v_error_set() or p2v_error_set_errno(); callers that add context do so
 * with p2v_error_prefix(). A hint saying what the user can do is attached
 * with p2v_error_hint(). The message is thread-local and stays until the
 * next p2v_error_set/clear. Programs print it once, at the top, with
 * p2v_log_error_last(), and exit with P2V_EXIT_ERROR. */
#ifndef P2V_ERROR_H
#define P2V_ERROR_H

#include "common.h"

/* Exit codes follow vzcptcheck: 0 possible/done, 1 error, 2 not possible. */
enum {
    P2V_EXIT_OK = 0,
    P2V_EXIT_ERROR = 1,
    P2V_EXIT_IMPOSSIBLE = 2,
};

#define P2V_ERROR_MAX 1024

int p2v_error_set(const char *fmt, ...) P2V_PRINTF(1, 2);
int p2v_error_set_errno(int errnum, const char *fmt, ...) P2V_PRINTF(2, 3);
int p2v_error_prefix(const char *fmt, ...) P2V_PRINTF(1, 2);
void p2v_error_hint(const char *fmt, ...) P2V_PRINTF(1, 2);
const char *p2v_error_message(void);
const char *p2v_error_hint_text(void);
void p2v_error_clear(void);

#endif
