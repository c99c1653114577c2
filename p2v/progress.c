/* progress.c: terminal line or JSON lines for long work (see progress.h). */
#include "progress.h"
#include <time.h>
#include <unistd.h>

static enum p2v_progress_mode pmode = P2V_PROGRESS_NONE;
static bool line_shown;
static double stage_start, last_draw;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void p2v_progress_init(enum p2v_progress_mode mode)
{
    if (mode == P2V_PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? P2V_PROGRESS_TTY : P2V_PROGRESS_NONE;
    pmode = mode;
}

const char *p2v_format_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < P2V_ARRAY_LEN(units)) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
    return buf;
}

void p2v_progress_clear_line(void)
{
    if (line_shown) {
        fputs("\r\033[K", stderr);
        line_shown = false;
    }
}

void p2v_progress_stage(const char *stage)
{
    stage_start = now_s();
    last_draw = 0;
    if (pmode == P2V_PROGRESS_JSON) {
        printf("{\"event\":\"stage\",\"stage\":\"%s\"}\n", stage);
        fflush(stdout);
    } else if (pmode == P2V_PROGRESS_TTY) {
        p2v_progress_clear_line();
        fprintf(stderr, "%s...", stage);
        line_shown = true;
    }
}

static void draw_tty(const struct p2v_progress *p, double elapsed)
{
    char done[32], total[32], rate[32];
    double bps = elapsed > 0 ? (double)p->bytes_done / elapsed : 0;
    p2v_format_bytes(p->bytes_done, done, sizeof(done));
    p2v_format_bytes((uint64_t)bps, rate, sizeof(rate));
    fprintf(stderr, "\r\033[K%s: %llu", p->stage, (unsigned long long)p->files_done);
    if (p->files_total)
        fprintf(stderr, "/%llu", (unsigned long long)p->files_total);
    fprintf(stderr, " files, %s", done);
    if (p->bytes_total) {
        p2v_format_bytes(p->bytes_total, total, sizeof(total));
        fprintf(stderr, " of %s", total);
    }
    fprintf(stderr, ", %s/s", rate);
    if (p->bytes_total > p->bytes_done && bps > 1) {
        double left = (double)(p->bytes_total - p->bytes_done) / bps;
        fprintf(stderr, ", %d:%02d left", (int)(left / 60), (int)left % 60);
    }
    line_shown = true;
}

void p2v_progress_update(const struct p2v_progress *p, bool force)
{
    if (pmode == P2V_PROGRESS_NONE)
        return;
    double t = now_s();
    if (!force && t - last_draw < 0.25)
        return;
    last_draw = t;
    double elapsed = t - stage_start;
    if (pmode == P2V_PROGRESS_TTY) {
        draw_tty(p, elapsed);
        return;
    }
    printf("{\"event\":\"progress\",\"stage\":\"%s\",\"files_done\":%llu,"
           "\"files_total\":%llu,\"bytes_done\":%llu,\"bytes_total\":%llu,"
           "\"elapsed\":%.3f}\n",
           p->stage, (unsigned long long)p->files_done,
           (unsigned long long)p->files_total, (unsigned long long)p->bytes_done,
           (unsigned long long)p->bytes_total, elapsed);
    fflush(stdout);
}

void p2v_progress_done(void)
{
    if (pmode == P2V_PROGRESS_TTY && line_shown) {
        fputc('\n', stderr);
        line_shown = false;
    }
}
