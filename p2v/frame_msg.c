/* frame_msg.c: a connection's state, frames and lines, the same on every
 * platform; the bytes come and go through p2v__conn_read_some and
 * p2v_conn_write (frame.c with poll(2), agent-windows/frame_win.c). */
#include "frame.h"
#include "error.h"

void p2v_conn_init(struct p2v_conn *c, int rfd, int wfd, int errfd, const char *peer)
{
    memset(c, 0, sizeof(*c));
    c->rfd = rfd;
    c->wfd = wfd;
    c->errfd = errfd;
    c->timeout_ms = -1;
    c->peer = peer;
    p2v_buf_init(&c->in, P2V_FRAME_HDR + P2V_FRAME_MAX + 65536);
    p2v_buf_init(&c->out, P2V_FRAME_OUT_MAX);
    p2v_buf_init(&c->errtail, 2 * P2V_ERRTAIL_MAX);
    p2v_buf_init(&c->errline, P2V_ERRTAIL_MAX);
}

void p2v_conn_release(struct p2v_conn *c)
{
    p2v_buf_release(&c->in);
    p2v_buf_release(&c->out);
    p2v_buf_release(&c->errtail);
    p2v_buf_release(&c->errline);
}

void p2v_frame_header(unsigned char *h, uint16_t type, size_t len)
{
    h[0] = (unsigned char)(len >> 24);
    h[1] = (unsigned char)(len >> 16);
    h[2] = (unsigned char)(len >> 8);
    h[3] = (unsigned char)len;
    h[4] = (unsigned char)(type >> 8);
    h[5] = (unsigned char)type;
    h[6] = h[7] = 0;
}

int p2v_conn_flush(struct p2v_conn *c)
{
    if (!c->out.len)
        return 0;
    int rc = p2v_conn_write(c, c->out.data, c->out.len);
    p2v_buf_reset(&c->out);
    c->out_frames = 0;
    return rc;
}

static int send_frame(struct p2v_conn *c, uint16_t type, const void *payload, size_t len,
                      bool more)
{
    if (len > P2V_FRAME_MAX)
        return p2v_error_set("internal: frame of %zu bytes exceeds %u", len, P2V_FRAME_MAX);
    if (c->out.len + P2V_FRAME_HDR + len > P2V_FRAME_OUT_MAX && p2v_conn_flush(c) < 0)
        return -1;
    c->type_out[type < P2V_FRAME_TYPES ? type : P2V_FRAME_TYPES - 1] += P2V_FRAME_HDR + len;
    if (P2V_FRAME_HDR + len <= P2V_FRAME_OUT_MAX) {
        unsigned char h[P2V_FRAME_HDR];
        p2v_frame_header(h, type, len);
        if (p2v_buf_add(&c->out, h, sizeof(h)) < 0 || p2v_buf_add(&c->out, payload, len) < 0)
            return -1;
        return more && ++c->out_frames < P2V_FRAME_OUT_FRAMES ? 0 : p2v_conn_flush(c);
    }
    /* a big frame: the header alone is one small write, the payload is
     * written from where it is */
    unsigned char h[P2V_FRAME_HDR];
    p2v_frame_header(h, type, len);
    if (p2v_conn_write(c, h, sizeof(h)) < 0)
        return -1;
    return p2v_conn_write(c, payload, len);
}

int p2v_frame_send(struct p2v_conn *c, uint16_t type, const void *payload, size_t len)
{
    return send_frame(c, type, payload, len, false);
}

int p2v_frame_send_more(struct p2v_conn *c, uint16_t type, const void *payload, size_t len)
{
    return send_frame(c, type, payload, len, true);
}

/* Frames are read in place: consumed bytes are only skipped (in_off),
 * and the rest moves to the front only when the buffer needs the room.
 * Moving it after every frame cost a memmove of up to a megabyte per
 * small file. */
static void compact(struct p2v_conn *c)
{
    if (!c->in_off)
        return;
    p2v_buf_consume(&c->in, c->in_off);
    c->in_off = 0;
}

/* Until `want` unconsumed bytes are buffered. */
static int fill(struct p2v_conn *c, size_t want)
{
    while (c->in.len - c->in_off < want) {
        if (c->in.cap < c->in.len + 65536 + 1)
            compact(c);
        if (p2v_buf_grow(&c->in, 65536) < 0)
            return -1;
        /* the peer may be waiting for what we hold before it says more */
        if (p2v_conn_flush(c) < 0)
            return -1;
        long n = p2v__conn_read_some(c, c->in.data + c->in.len, c->in.cap - c->in.len - 1);
        if (n < 0)
            return -1;
        if (n == 0) {
            c->closed = true;
            if (c->in.len == c->in_off)
                return p2v_error_set("%s closed the connection", c->peer);
            return p2v_error_set("%s closed the connection in the middle of a message "
                                 "(%zu of %zu bytes)", c->peer, c->in.len - c->in_off, want);
        }
        c->in.len += (size_t)n;
        c->in.data[c->in.len] = '\0';
        c->bytes_in += (uint64_t)n;
    }
    return 0;
}

int p2v_frame_recv(struct p2v_conn *c, uint16_t *type, const void **payload, size_t *len)
{
    c->in_off += c->consumed;
    c->consumed = 0;
    if (c->in_off == c->in.len) {
        p2v_buf_reset(&c->in);
        c->in_off = 0;
    }
    if (fill(c, P2V_FRAME_HDR) < 0)
        return -1;
    const unsigned char *h = (const unsigned char *)c->in.data + c->in_off;
    uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    uint16_t flags = (uint16_t)(h[6] << 8 | h[7]);
    if (n > P2V_FRAME_MAX)
        return p2v_error_set("%s sent a frame of %u bytes, over the limit of %u",
                             c->peer, n, P2V_FRAME_MAX);
    if (flags != 0)
        return p2v_error_set("%s sent a frame with unknown flags 0x%04x", c->peer, flags);
    if (fill(c, P2V_FRAME_HDR + n) < 0)
        return -1;
    h = (const unsigned char *)c->in.data + c->in_off;   /* fill may have moved it */
    *type = (uint16_t)(h[4] << 8 | h[5]);
    c->type_in[*type < P2V_FRAME_TYPES ? *type : P2V_FRAME_TYPES - 1] += P2V_FRAME_HDR + n;
    *payload = h + P2V_FRAME_HDR;
    *len = n;
    c->consumed = P2V_FRAME_HDR + n;
    return 0;
}

int p2v_conn_read_line(struct p2v_conn *c, char **line, size_t max)
{
    /* lines come before any frame (the start marker): plain offsets */
    c->in_off += c->consumed;
    c->consumed = 0;
    compact(c);
    size_t scanned = 0;
    for (;;) {
        char *nl = c->in.len > scanned ? memchr(c->in.data + scanned, '\n', c->in.len - scanned) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->in.data);
            if (n > max)   /* one read may bring more than max before the newline */
                return p2v_error_set("%s sent a line longer than %zu bytes", c->peer, max);
            *line = p2v_xstrndup(c->in.data, n);
            p2v_buf_consume(&c->in, n + 1);
            return 0;
        }
        scanned = c->in.len;
        if (c->in.len >= max)
            return p2v_error_set("%s sent a line longer than %zu bytes", c->peer, max);
        if (fill(c, c->in.len + 1) < 0)
            return -1;
    }
}
