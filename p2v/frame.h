/* frame.h: the framed byte stream between node and agent.
 *
 * Every message is one frame: an 8-byte header (u32 payload length, u16
 * message type, u16 flags, all big-endian) and the payload. A payload is
 * at most P2V_FRAME_MAX bytes; a header announcing more ends the
 * connection with an error before anything is allocated.
 *
 * A connection may also carry the peer's stderr (the ssh process's): it is
 * drained while waiting so the peer never blocks on it, logged at debug
 * level, and its last lines are kept for error messages. */
#ifndef P2V_FRAME_H
#define P2V_FRAME_H

#include "buf.h"

#define P2V_FRAME_HDR 8u
#define P2V_FRAME_MAX (1u << 20)
#define P2V_ERRTAIL_MAX 4096u
#define P2V_FRAME_TYPES 64u   /* types counted apart; higher ones share the last */

struct p2v_conn {
    int rfd, wfd;
    int errfd;             /* peer's stderr or -1 */
    int timeout_ms;        /* longest silence accepted while reading; <0 none */
    const char *peer;      /* "the agent on HOST", for messages */
    struct p2v_buf in;     /* received bytes not yet returned as a frame */
    struct p2v_buf out;    /* frames sent with _more, not yet written */
    unsigned out_frames;   /* how many */
    struct p2v_buf errtail;
    struct p2v_buf errline;
    uint64_t bytes_in, bytes_out;
    /* frame bytes (header included) by message type, for -vv accounting */
    uint64_t type_in[P2V_FRAME_TYPES], type_out[P2V_FRAME_TYPES];
    size_t in_off;         /* bytes of `in` already consumed */
    size_t consumed;       /* bytes after in_off belonging to the last frame */
    bool closed;           /* the peer closed the stream (EOF or EPIPE) */
    bool read_nonblock;    /* rfd is O_NONBLOCK: read first, poll when empty */
};

void p2v_conn_init(struct p2v_conn *c, int rfd, int wfd, int errfd, const char *peer);
void p2v_conn_release(struct p2v_conn *c);

/* Send one frame now (with any frames buffered before it). */
int p2v_frame_send(struct p2v_conn *c, uint16_t type, const void *payload, size_t len);
/* Send one frame of a stream (file data, listing batches): small ones are
 * gathered into writes of up to P2V_FRAME_OUT_MAX bytes or
 * P2V_FRAME_OUT_FRAMES frames, so that a small file is not three writes
 * and three ssh packets. The frame count keeps answers flowing: a peer
 * waiting for the first of many small answers must not wait for all of
 * them (the node would stop pipelining and both sides take turns).
 * Buffered frames also go out with the next p2v_frame_send, before the
 * connection blocks to read, and with p2v_conn_flush. */
int p2v_frame_send_more(struct p2v_conn *c, uint16_t type, const void *payload, size_t len);
int p2v_conn_flush(struct p2v_conn *c);
/* The P2V_FRAME_HDR bytes that start a frame of `len` payload bytes. */
void p2v_frame_header(unsigned char *h, uint16_t type, size_t len);
#define P2V_FRAME_OUT_MAX (64u << 10)
#define P2V_FRAME_OUT_FRAMES 16u
/* Receive one frame. *payload points into the connection's buffer and
 * stays valid until the next receive. Returns 0, or -1 with an error for
 * EOF, timeout, or a malformed header. */
int p2v_frame_recv(struct p2v_conn *c, uint16_t *type, const void **payload, size_t *len);

/* Write all n bytes (raw, unframed: used for the agent upload). */
int p2v_conn_write(struct p2v_conn *c, const void *p, size_t n);
/* Read one '\n'-terminated line of at most max bytes (before framing
 * starts: the bootstrap's marker). */
int p2v_conn_read_line(struct p2v_conn *c, char **line, size_t max);

/* Drain the peer's stderr without blocking; also used after EOF. */
void p2v_conn_drain_stderr(struct p2v_conn *c, int wait_ms);
/* The peer's last stderr output, trimmed, "" if none. */
const char *p2v_conn_stderr_tail(struct p2v_conn *c);

/* Platform part (frame.c, agent-windows/frame_win.c): read what is there
 * into BUF, waiting within the connection's timeout: > 0 bytes, 0 at the
 * end of the stream, -1 with the error set. */
long p2v__conn_read_some(struct p2v_conn *c, void *buf, size_t room);

#endif
