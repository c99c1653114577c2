/* common.h: included first by every p2v source file.
 *
 * Cleanup attributes with an explicit hand-off (crun's pattern): a variable
 * declared p2v_autofree is freed when it leaves scope unless ownership was
 * passed on with p2v_steal(). Works with GCC, Clang and mingw-w64. */
#ifndef P2V_COMMON_H
#define P2V_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <errno.h>

#define P2V_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define P2V_UNUSED __attribute__((unused))
/* The printf flavour that format checks assume: the C library's own.
 * mingw-w64's msvcrt printf is not C99 (no %zu); the Windows agent's build
 * uses mingw's C99 printf (__USE_MINGW_ANSI_STDIO) and passes
 * -DP2V_PRINTF_ARCHETYPE=gnu_printf so that the checks match it. */
#ifndef P2V_PRINTF_ARCHETYPE
#define P2V_PRINTF_ARCHETYPE printf
#endif
#define P2V_PRINTF(f, a) __attribute__((format(P2V_PRINTF_ARCHETYPE, f, a)))

void p2v_free_ptr(void *pp);
void p2v_close_ptr(int *fdp);
void p2v_fclose_ptr(FILE **fp);

#define p2v_autofree __attribute__((cleanup(p2v_free_ptr)))
#define p2v_autoclose __attribute__((cleanup(p2v_close_ptr)))
#define p2v_autofclose __attribute__((cleanup(p2v_fclose_ptr)))

/* Hand ownership on: returns the pointer and clears the variable. */
static inline void *p2v_steal_ptr(void **pp)
{
    void *p = *pp;
    *pp = NULL;
    return p;
}
#define p2v_steal(p) p2v_steal_ptr((void **)&(p))

/* Overflow-checked size arithmetic (libgit2's GIT_ERROR_CHECK_ALLOC_ADD). */
static inline bool p2v_add_overflows(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out);
}
static inline bool p2v_mul_overflows(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

/* Allocation that never returns NULL: out of memory is fatal (as in git's
 * xmalloc); bounds on wire-controlled sizes are checked before calling. */
void *p2v_xmalloc(size_t n);
void *p2v_xcalloc(size_t n, size_t size);
void *p2v_xrealloc(void *p, size_t n);
char *p2v_xstrdup(const char *s);
char *p2v_xstrndup(const char *s, size_t n);
char *p2v_xasprintf(const char *fmt, ...) P2V_PRINTF(1, 2);

#include "banned.h"

#endif
