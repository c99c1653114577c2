/* buf.c: bounded growable buffer (see buf.h). */
#include "buf.h"
#include "error.h"
#include <errno.h>

void p2v_buf_init(struct p2v_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

int p2v_buf_grow(struct p2v_buf *b, size_t extra)
{
    size_t need;
    if (p2v_add_overflows(b->len, extra, &need) || need > b->max)
        return p2v_error_set("data exceeds the limit of %zu bytes", b->max);
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need + 1)
        cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    b->data = p2v_xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int p2v_buf_add(struct p2v_buf *b, const void *data, size_t n)
{
    if (p2v_buf_grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int p2v_buf_adds(struct p2v_buf *b, const char *s)
{
    return p2v_buf_add(b, s, strlen(s));
}

int p2v_buf_addc(struct p2v_buf *b, char c)
{
    return p2v_buf_add(b, &c, 1);
}

int p2v_buf_printf(struct p2v_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return p2v_error_set("format error");
    if (p2v_buf_grow(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void p2v_buf_reset(struct p2v_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void p2v_buf_release(struct p2v_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *p2v_buf_detach(struct p2v_buf *b)
{
    char *p = b->data ? b->data : p2v_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void p2v_buf_consume(struct p2v_buf *b, size_t n)
{
    if (n >= b->len) {
        p2v_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

int p2v_buf_read_file(struct p2v_buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        p2v_error_set_errno(err, "open `%s`", path);
        errno = err;
        return -1;
    }
    p2v_buf_reset(b);
    int rc = p2v_buf_grow(b, 0);
    char chunk[8192];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (p2v_buf_add(b, chunk, n) < 0)
            rc = p2v_error_prefix("`%s`", path);
    if (rc == 0 && ferror(f))
        rc = p2v_error_set("read `%s`: an I/O error", path);
    fclose(f);
    if (rc == 0)
        b->data[b->len] = '\0';
    return rc;
}
