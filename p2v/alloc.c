/* alloc.c: allocation helpers and cleanup-attribute callbacks. */
#include "common.h"
#include <unistd.h>

static void p2v_oom(size_t n)
{
    fprintf(stderr, "p2v: out of memory allocating %zu bytes\n", n);
    abort();
}

void *p2v_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        p2v_oom(n);
    return p;
}

void *p2v_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        p2v_oom(n * size);
    return p;
}

void *p2v_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        p2v_oom(n);
    return q;
}

char *p2v_xstrdup(const char *s)
{
    return p2v_xstrndup(s, strlen(s));
}

char *p2v_xstrndup(const char *s, size_t n)
{
    char *p = p2v_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *p2v_xasprintf(const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        p2v_oom(0);
    char *p = p2v_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, aq);
    va_end(aq);
    return p;
}

void p2v_free_ptr(void *pp)
{
    free(*(void **)pp);
}

void p2v_close_ptr(int *fdp)
{
    if (*fdp >= 0)
        close(*fdp);
}

void p2v_fclose_ptr(FILE **fp)
{
    if (*fp)
        fclose(*fp);
}
