/* codec.c: field encoding and bounded decoding (see codec.h). */
#include "codec.h"
#include "error.h"

int p2v_put_u8(struct p2v_buf *b, uint8_t v)
{
    return p2v_buf_add(b, &v, 1);
}

int p2v_put_u16(struct p2v_buf *b, uint16_t v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    return p2v_buf_add(b, x, sizeof(x));
}

int p2v_put_u32(struct p2v_buf *b, uint32_t v)
{
    unsigned char x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (unsigned char)(v >> (24 - 8 * i));
    return p2v_buf_add(b, x, sizeof(x));
}

int p2v_put_u64(struct p2v_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (56 - 8 * i));
    return p2v_buf_add(b, x, sizeof(x));
}

int p2v_put_bytes(struct p2v_buf *b, const void *p, size_t n)
{
    if (n > UINT32_MAX)
        return p2v_error_set("field of %zu bytes is too long to encode", n);
    if (p2v_put_u32(b, (uint32_t)n) < 0)
        return -1;
    return p2v_buf_add(b, p, n);
}

int p2v_put_str(struct p2v_buf *b, const char *s)
{
    return p2v_put_bytes(b, s, strlen(s));
}

void p2v_dec_init(struct p2v_dec *d, const void *p, size_t len)
{
    d->p = p;
    d->len = len;
    d->pos = 0;
    d->err = NULL;
}

static const unsigned char *take(struct p2v_dec *d, size_t n)
{
    if (d->err)
        return NULL;
    if (n > d->len - d->pos) {
        d->err = "truncated";
        return NULL;
    }
    const unsigned char *p = d->p + d->pos;
    d->pos += n;
    return p;
}

static uint64_t get_be(struct p2v_dec *d, size_t n)
{
    const unsigned char *p = take(d, n);
    uint64_t v = 0;
    if (!p)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

uint8_t p2v_get_u8(struct p2v_dec *d)
{
    return (uint8_t)get_be(d, 1);
}

uint16_t p2v_get_u16(struct p2v_dec *d)
{
    return (uint16_t)get_be(d, 2);
}

uint32_t p2v_get_u32(struct p2v_dec *d)
{
    return (uint32_t)get_be(d, 4);
}

uint64_t p2v_get_u64(struct p2v_dec *d)
{
    return get_be(d, 8);
}

/* len bytes of input if len is within max. */
static const void *take_field(struct p2v_dec *d, uint64_t len, size_t *n, size_t max)
{
    *n = 0;
    if (d->err)
        return NULL;
    if (len > max) {
        d->err = "field longer than its limit";
        return NULL;
    }
    const unsigned char *p = take(d, (size_t)len);
    if (p)
        *n = (size_t)len;
    return p;
}

const void *p2v_get_bytes(struct p2v_dec *d, size_t *n, size_t max)
{
    uint32_t len = p2v_get_u32(d);
    return take_field(d, len, n, max);
}

int p2v_put_uv(struct p2v_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    return p2v_buf_add(b, tmp, n);
}

int p2v_put_vbytes(struct p2v_buf *b, const void *p, size_t n)
{
    if (p2v_put_uv(b, n) < 0)
        return -1;
    return n ? p2v_buf_add(b, p, n) : 0;
}

uint64_t p2v_get_uv(struct p2v_dec *d)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const unsigned char *c = take(d, 1);
        if (!c)
            return 0;
        if (shift == 63 && *c > 1) {
            d->err = "varint overflows 64 bits";
            return 0;
        }
        v |= (uint64_t)(*c & 0x7f) << shift;
        if (!(*c & 0x80)) {
            if (*c == 0 && shift) {
                d->err = "overlong varint";
                return 0;
            }
            return v;
        }
    }
}

const void *p2v_get_vbytes(struct p2v_dec *d, size_t *n, size_t max)
{
    uint64_t len = p2v_get_uv(d);
    return take_field(d, len, n, max);
}

char *p2v_get_str(struct p2v_dec *d, size_t max)
{
    size_t n;
    const char *p = p2v_get_bytes(d, &n, max);
    if (!p)
        return NULL;
    if (memchr(p, '\0', n)) {
        d->err = "string contains a NUL byte";
        return NULL;
    }
    return p2v_xstrndup(p, n);
}

int p2v_dec_finish(struct p2v_dec *d, const char *what)
{
    if (d->err)
        return p2v_error_set("malformed %s: %s at byte %zu of %zu", what, d->err, d->pos, d->len);
    if (d->pos != d->len)
        return p2v_error_set("malformed %s: %zu unexpected trailing bytes", what, d->len - d->pos);
    return 0;
}
