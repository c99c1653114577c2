/* log.c: stderr logging with a threshold, plus an optional log file. */
#include "log.h"
#include "error.h"
#include "progress.h"
#include <time.h>

static const char *log_prog = "p2v";
static enum p2v_log_level log_threshold = P2V_LOG_INFO;
static FILE *log_file;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void p2v_log_init(const char *progname, enum p2v_log_level threshold)
{
    log_prog = progname;
    log_threshold = threshold;
}

void p2v_log_set_level(enum p2v_log_level threshold)
{
    log_threshold = threshold;
}

enum p2v_log_level p2v_log_level(void)
{
    return log_threshold;
}

const char *p2v_log_progname(void)
{
    return log_prog;
}

int p2v_log_open_file(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return p2v_error_set_errno(errno, "open log file `%s`", path);
    if (log_file)
        fclose(log_file);
    log_file = f;
    return 0;
}

void p2v_log_close_file(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}

void p2v_vlog(enum p2v_log_level level, const char *fmt, va_list ap)
{
    if (log_file) {
        va_list aq;
        va_copy(aq, ap);
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
        fprintf(log_file, "%s %s: ", stamp, level_names[level]);
        vfprintf(log_file, fmt, aq);
        fputc('\n', log_file);
        fflush(log_file);
        va_end(aq);
    }
    if (level > log_threshold)
        return;
    p2v_progress_clear_line();
    if (level == P2V_LOG_INFO)
        fprintf(stderr, "%s: ", log_prog);
    else
        fprintf(stderr, "%s: %s: ", log_prog, level_names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void p2v_log(enum p2v_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    p2v_vlog(level, fmt, ap);
    va_end(ap);
}

void p2v_log_error_last(void)
{
    p2v_log(P2V_LOG_ERROR, "%s", p2v_error_message());
    const char *hint = p2v_error_hint_text();
    if (hint[0]) {
        p2v_progress_clear_line();
        fprintf(stderr, "%s: hint: %s\n", log_prog, hint);
        if (log_file)
            fprintf(log_file, "hint: %s\n", hint);
    }
}
