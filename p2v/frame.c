/* frame.c: frame I/O over a pair of file descriptors (see frame.h). */
#include "frame.h"
#include "error.h"
#include "log.h"
#include <poll.h>
#include <unistd.h>

void p2v_conn_init(struct p2v_conn *c, int rfd, int wfd, int errfd, const char *peer)
{
    memset(c, 0, sizeof(*c));
    c->rfd = rfd;
    c->wfd = wfd;
    c->errfd = errfd;
    c->timeout_ms = -1;
    c->peer = peer;
    p2v_buf_init(&c->in, P2V_FRAME_HDR + P2V_FRAME_MAX + 65536);
    p2v_buf_init(&c->errtail, 2 * P2V_ERRTAIL_MAX);
    p2v_buf_init(&c->errline, P2V_ERRTAIL_MAX);
}

void p2v_conn_release(struct p2v_conn *c)
{
    p2v_buf_release(&c->in);
    p2v_buf_release(&c->errtail);
    p2v_buf_release(&c->errline);
}

/* Keep the tail bounded and log each complete stderr line. */
static void stderr_bytes(struct p2v_conn *c, const char *p, size_t n)
{
    if (c->errtail.len + n > P2V_ERRTAIL_MAX)
        p2v_buf_consume(&c->errtail, c->errtail.len + n > 2 * P2V_ERRTAIL_MAX
                                         ? c->errtail.len
                                         : c->errtail.len + n - P2V_ERRTAIL_MAX);
    if (n > P2V_ERRTAIL_MAX) {
        p += n - P2V_ERRTAIL_MAX;
        n = P2V_ERRTAIL_MAX;
    }
    p2v_buf_add(&c->errtail, p, n);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' || c->errline.len + 1 >= c->errline.max) {
            p2v_debug("remote: %s", c->errline.data ? c->errline.data : "");
            p2v_buf_reset(&c->errline);
        } else {
            p2v_buf_addc(&c->errline, p[i]);
        }
    }
}

static int read_stderr_once(struct p2v_conn *c)
{
    char tmp[4096];
    ssize_t n = read(c->errfd, tmp, sizeof(tmp));
    if (n > 0) {
        stderr_bytes(c, tmp, (size_t)n);
        return 1;
    }
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(c->errfd);
        c->errfd = -1;
    }
    return 0;
}

void p2v_conn_drain_stderr(struct p2v_conn *c, int wait_ms)
{
    while (c->errfd >= 0) {
        struct pollfd pfd = {.fd = c->errfd, .events = POLLIN};
        int r = poll(&pfd, 1, wait_ms);
        if (r <= 0)
            return;
        if (!read_stderr_once(c))
            return;
    }
}

const char *p2v_conn_stderr_tail(struct p2v_conn *c)
{
    if (!c->errtail.data)
        return "";
    while (c->errtail.len && (c->errtail.data[c->errtail.len - 1] == '\n' ||
                              c->errtail.data[c->errtail.len - 1] == '\r'))
        c->errtail.data[--c->errtail.len] = '\0';
    /* keep only the last three lines: the cause is at the end */
    const char *s = c->errtail.data;
    int lines = 0;
    for (size_t i = c->errtail.len; i > 0; i--) {
        if (s[i - 1] == '\n' && ++lines == 3)
            return s + i;
    }
    return s;
}

/* Wait until fd is ready for `events`, draining stderr meanwhile. */
static int wait_fd(struct p2v_conn *c, int fd, short events, const char *doing)
{
    for (;;) {
        struct pollfd pfd[2] = {{.fd = fd, .events = events}, {.fd = c->errfd, .events = POLLIN}};
        int r = poll(pfd, c->errfd >= 0 ? 2 : 1, c->timeout_ms);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return p2v_error_set_errno(errno, "poll while %s %s", doing, c->peer);
        }
        if (r == 0)
            return p2v_error_set("%s gave no sign of life for %d seconds while %s it",
                                 c->peer, c->timeout_ms / 1000, doing);
        if (c->errfd >= 0 && pfd[1].revents)
            read_stderr_once(c);
        if (pfd[0].revents)
            return 0;
    }
}

int p2v_conn_write(struct p2v_conn *c, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = write(c->wfd, s, n);
        if (w < 0 && errno == EAGAIN) {
            if (wait_fd(c, c->wfd, POLLOUT, "writing to") < 0)
                return -1;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            c->closed = errno == EPIPE;
            p2v_error_set_errno(errno, "write to %s", c->peer);
            return -1;
        }
        s += w;
        n -= (size_t)w;
        c->bytes_out += (uint64_t)w;
    }
    return 0;
}

int p2v_frame_send(struct p2v_conn *c, uint16_t type, const void *payload, size_t len)
{
    if (len > P2V_FRAME_MAX)
        return p2v_error_set("internal: frame of %zu bytes exceeds %u", len, P2V_FRAME_MAX);
    unsigned char hdr[P2V_FRAME_HDR] = {
        (unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8),
        (unsigned char)len, (unsigned char)(type >> 8), (unsigned char)type, 0, 0,
    };
    if (p2v_conn_write(c, hdr, sizeof(hdr)) < 0)
        return -1;
    return p2v_conn_write(c, payload, len);
}

static int fill(struct p2v_conn *c, size_t want)
{
    while (c->in.len < want) {
        if (wait_fd(c, c->rfd, POLLIN, "reading from") < 0)
            return -1;
        if (p2v_buf_grow(&c->in, 65536) < 0)
            return -1;
        ssize_t n = read(c->rfd, c->in.data + c->in.len, c->in.cap - c->in.len - 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return p2v_error_set_errno(errno, "read from %s", c->peer);
        if (n == 0) {
            c->closed = true;
            if (c->in.len == 0)
                return p2v_error_set("%s closed the connection", c->peer);
            return p2v_error_set("%s closed the connection in the middle of a message "
                                 "(%zu of %zu bytes)", c->peer, c->in.len, want);
        }
        c->in.len += (size_t)n;
        c->in.data[c->in.len] = '\0';
        c->bytes_in += (uint64_t)n;
    }
    return 0;
}

int p2v_conn_read_line(struct p2v_conn *c, char **line, size_t max)
{
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

int p2v_frame_recv(struct p2v_conn *c, uint16_t *type, const void **payload, size_t *len)
{
    if (c->consumed) {
        p2v_buf_consume(&c->in, c->consumed);
        c->consumed = 0;
    }
    if (fill(c, P2V_FRAME_HDR) < 0)
        return -1;
    const unsigned char *h = (const unsigned char *)c->in.data;
    uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    uint16_t flags = (uint16_t)(h[6] << 8 | h[7]);
    if (n > P2V_FRAME_MAX)
        return p2v_error_set("%s sent a frame of %u bytes, over the limit of %u",
                             c->peer, n, P2V_FRAME_MAX);
    if (flags != 0)
        return p2v_error_set("%s sent a frame with unknown flags 0x%04x", c->peer, flags);
    if (fill(c, P2V_FRAME_HDR + n) < 0)
        return -1;
    h = (const unsigned char *)c->in.data;
    *type = (uint16_t)(h[4] << 8 | h[5]);
    *payload = c->in.data + P2V_FRAME_HDR;
    *len = n;
    c->consumed = P2V_FRAME_HDR + n;
    return 0;
}
