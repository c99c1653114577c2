/* log.h: the one logging facility. Messages go to stderr prefixed with the
 * program name ("p2vmigrate: warning: ..."); -q lowers and -v raises the
 * threshold. An optional log file receives everything at debug level with
 * timestamps, whatever the terminal threshold. */
#ifndef P2V_LOG_H
#define P2V_LOG_H

#include "common.h"

enum p2v_log_level {
    P2V_LOG_ERROR = 0,
    P2V_LOG_WARN = 1,
    P2V_LOG_INFO = 2,
    P2V_LOG_DEBUG = 3,
};

void p2v_log_init(const char *progname, enum p2v_log_level threshold);
void p2v_log_set_level(enum p2v_log_level threshold);
enum p2v_log_level p2v_log_level(void);
const char *p2v_log_progname(void);
int p2v_log_open_file(const char *path);
void p2v_log_close_file(void);
void p2v_log(enum p2v_log_level level, const char *fmt, ...) P2V_PRINTF(2, 3);
void p2v_vlog(enum p2v_log_level level, const char *fmt, va_list ap);

/* Print the last error (and its hint) recorded by p2v_error_set. */
void p2v_log_error_last(void);

#define p2v_err(...) p2v_log(P2V_LOG_ERROR, __VA_ARGS__)
#define p2v_warn(...) p2v_log(P2V_LOG_WARN, __VA_ARGS__)
#define p2v_info(...) p2v_log(P2V_LOG_INFO, __VA_ARGS__)
#define p2v_debug(...) p2v_log(P2V_LOG_DEBUG, __VA_ARGS__)

#endif
