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

/* Messages carry text from the source (an agent's ERROR, a file name, its
 * stderr): a control byte there must not reach the terminal or the log as
 * is (an escape sequence, a forged second line), so each is written as
 * \xNN. Messages never hold an intended newline. */
static void put_safe(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

void p2v_vlog(enum p2v_log_level level, const char *fmt, va_list ap)
{
    if (!log_file && level > log_threshold)
        return;
    char small[1024];
    char *msg = small;
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(small, sizeof(small), fmt, aq);
    va_end(aq);
    if (n < 0) {
        small[0] = '\0';
    } else if ((size_t)n >= sizeof(small)) {
        msg = p2v_xmalloc((size_t)n + 1);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    }
    if (log_file) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
        fprintf(log_file, "%s %s: ", stamp, level_names[level]);
        put_safe(log_file, msg);
        fputc('\n', log_file);
        fflush(log_file);
    }
    if (level <= log_threshold) {
        p2v_progress_clear_line();
        if (level == P2V_LOG_INFO)
            fprintf(stderr, "%s: ", log_prog);
        else
            fprintf(stderr, "%s: %s: ", log_prog, level_names[level]);
        put_safe(stderr, msg);
        fputc('\n', stderr);
    }
    if (msg != small)
        free(msg);
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
        fprintf(stderr, "%s: hint: ", log_prog);
        put_safe(stderr, hint);
        fputc('\n', stderr);
        if (log_file) {
            fputs("hint: ", log_file);
            put_safe(log_file, hint);
            fputc('\n', log_file);
        }
    }
}
