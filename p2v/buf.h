/* buf.h: a growable byte buffer with a hard cap (curl's dynbuf).
 *
 * Invariants: data is NULL or NUL-terminated at data[len]; len < cap;
 * growing past max fails with an error naming the cap instead of
 * allocating. Everything read from the wire goes through one of these. */
#ifndef P2V_BUF_H
#define P2V_BUF_H

#include "common.h"

struct p2v_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;      /* the most len may ever be */
};

#define P2V_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void p2v_buf_init(struct p2v_buf *b, size_t max);
int p2v_buf_grow(struct p2v_buf *b, size_t extra);
int p2v_buf_add(struct p2v_buf *b, const void *data, size_t n);
int p2v_buf_adds(struct p2v_buf *b, const char *s);
int p2v_buf_addc(struct p2v_buf *b, char c);
int p2v_buf_printf(struct p2v_buf *b, const char *fmt, ...) P2V_PRINTF(2, 3);
void p2v_buf_reset(struct p2v_buf *b);
void p2v_buf_release(struct p2v_buf *b);
/* Take the contents (NUL-terminated, never NULL) and reset the buffer. */
char *p2v_buf_detach(struct p2v_buf *b);
/* Replace the contents with the whole file at PATH (at most max bytes;
 * NUL-terminated, data never NULL). -1 with the error set and errno kept,
 * so a caller may treat ENOENT as "absent". */
int p2v_buf_read_file(struct p2v_buf *b, const char *path);
/* Drop the first n bytes. */
void p2v_buf_consume(struct p2v_buf *b, size_t n);

#endif
