/* tap.h: a tiny TAP producer for unit tests (one C program per module).
 *
 *   ok(cond, "what");  is_int(got, want, "what");  is_str(got, want, "what");
 *   return tap_done();   -- exit 1 if any check failed
 *
 * Output is TAP so failures name the check; ctest runs each program. */
#ifndef P2V_TAP_H
#define P2V_TAP_H
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stdarg.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                          \
    do {                                                                                \
        long long g_ = (long long)(got), w_ = (long long)(want);                         \
        if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                          \
            printf("#   got %lld, want %lld\n", g_, w_);                                 \
    } while (0)
#define is_str(got, want, ...)                                                          \
    do {                                                                                \
        const char *g_ = (got), *w_ = (want);                                           \
        int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;                        \
        if (!tap_ok(same_, __FILE__, __LINE__, __VA_ARGS__))                             \
            printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

__attribute__((format(printf, 4, 5), unused)) static int tap_ok(int cond, const char *file,
                                                                int line, const char *fmt, ...)
{
    va_list ap;
    tap_n++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   at %s:%d\n", file, line);
    }
    return cond;
}

__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_n);
    if (tap_failed)
        printf("# %d of %d checks failed\n", tap_failed, tap_n);
    return tap_failed ? 1 : 0;
}
#endif
