/* frame.c: frame I/O over a pair of file descriptors (see frame.h). */
#include "frame.h"
#include "error.h"
#include "log.h"
#include <poll.h>
#include <unistd.h>

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

long p2v__conn_read_some(struct p2v_conn *c, void *buf, size_t room)
{
    /* a non-blocking descriptor is read first and polled only when empty
     * (one system call, not two, while data streams in) */
    bool try_first = c->read_nonblock;
    for (;;) {
        if (!try_first && wait_fd(c, c->rfd, POLLIN, "reading from") < 0)
            return -1;
        try_first = false;
        ssize_t n = read(c->rfd, buf, room);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return p2v_error_set_errno(errno, "read from %s", c->peer);
        return (long)n;
    }
}
