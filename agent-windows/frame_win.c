/* frame_win.c: the Windows counterpart of p2v/frame.c (frame.h's API).
 *
 * p2v/frame.c waits with poll(2), which Windows lacks for pipes. The
 * agent needs none of that: it reads one stream (stdin) and writes one
 * (stdout), both CRT descriptors in binary mode (main.c), and has no peer
 * stderr to drain. So reads and writes simply block; an idle node is
 * noticed when ssh closes the pipe. The framing rules (header layout,
 * P2V_FRAME_MAX checked before allocating, flags 0) are the same. */
#include "frame.h"
#include "error.h"
#include <io.h>

void p2v_conn_drain_stderr(struct p2v_conn *c, int wait_ms)
{
    (void)c;
    (void)wait_ms;
}

const char *p2v_conn_stderr_tail(struct p2v_conn *c)
{
    (void)c;
    return "";
}

int p2v_conn_write(struct p2v_conn *c, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        unsigned chunk = n > (1u << 20) ? (1u << 20) : (unsigned)n;
        int w = _write(c->wfd, s, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            c->closed = true;
            return p2v_error_set_errno(w < 0 ? errno : EPIPE, "write to %s", c->peer);
        }
        s += w;
        n -= (size_t)w;
        c->bytes_out += (uint64_t)w;
    }
    return 0;
}

long p2v__conn_read_some(struct p2v_conn *c, void *buf, size_t room)
{
    for (;;) {
        int n = _read(c->rfd, buf, room > (1u << 20) ? (1u << 20) : (unsigned)room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return p2v_error_set_errno(errno, "read from %s", c->peer);
        return n;
    }
}
