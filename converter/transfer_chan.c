/* transfer_chan.c: more than one channel on a long link.
 *
 * ssh gives each session channel a 2 MiB window: one stream moves at most
 * 2 MiB per round trip (about 52 MB/s at 40 ms, whatever the bandwidth).
 * So on a long link p2vmigrate opens more sessions to the same host, each
 * with its own agent, and lets every channel take regular files from the
 * one queue the listing fills. Each extra channel is a thread that
 * requests, receives, writes and commits its own files, so file creation
 * on the node overlaps too.
 *
 * The number of channels is --channels, or by default one per 10 ms of
 * round trip (measured on the first session; at most 8), so a LAN copy
 * keeps one. Extra channels start only once enough data is queued for
 * them to pay off, and a channel that cannot open (a host that allows one
 * login at a time, a password prompt) is reported and done without. */
#include "transfer_int.h"
#include "agent_pack.h"
#include "log.h"
#include <signal.h>
#include <time.h>

#define CHANNEL_RTT_STEP_MS 10.0
#define CHANNELS_MIN_BYTES (32ull << 20)
#define CHANNELS_MIN_FILES 2000u
#define EMPTY_LISTING_FRAMES_MAX 64   /* the root entry, warnings, progress */

/* A LIST_REQ for "/" with everything beneath excluded: the root entry and
 * LIST_END come back at once. It sets the agent's base for FILE_REQ, and
 * timed it is the link's round trip. */
static int list_nothing(struct session *s, struct sender *snd)
{
    char *ex[] = {(char *)"/*"};
    struct p2v_list_req req = {.base = (char *)"/", .excludes = ex, .nexcludes = 1};
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = p2v_list_req_encode(&b, &req);
    if (rc == 0)
        rc = snd ? sender_queue(snd, P2V_MSG_LIST_REQ, b.data, b.len)
                 : p2v_frame_send(&s->t.conn, P2V_MSG_LIST_REQ, b.data, b.len);
    p2v_buf_release(&b);
    if (rc < 0)
        return transport_explain_failure(&s->t, "starting a channel");
    for (unsigned frames = 0;; frames++) {
        uint16_t type;
        const void *p;
        size_t n;
        if (frames > EMPTY_LISTING_FRAMES_MAX)
            return p2v_error_set("%s answered an empty listing with more than %u messages",
                                 s->t.peer, EMPTY_LISTING_FRAMES_MAX);
        if (p2v_frame_recv(&s->t.conn, &type, &p, &n) < 0)
            return transport_explain_failure(&s->t, "starting a channel");
        switch (type) {
        case P2V_MSG_LIST_END: return 0;
        case P2V_MSG_LIST_DATA:
        case P2V_MSG_LIST_ZDATA:
        case P2V_MSG_LIST_WARN:
        case P2V_MSG_PROGRESS: break;
        default:
            return p2v_error_set("%s answered an empty listing with %s", s->t.peer,
                                 p2v_msg_name(type));
        }
    }
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int xfer_channels_plan(struct session *s, const struct xfer_opts *o, unsigned *out)
{
    *out = 1;
    if (o->channels) {
        *out = o->channels;
        if (*out == 1)
            agent_memo_drop();
        return 0;
    }
    if (!o->transport) {
        agent_memo_drop();
        return 0;
    }
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t0 = now_ms();
        if (list_nothing(s, NULL) < 0)
            return -1;
        double t = now_ms() - t0;
        if (t < best)
            best = t;
    }
    unsigned n = best >= P2V_CHANNELS_MAX * CHANNEL_RTT_STEP_MS
                     ? P2V_CHANNELS_MAX
                     : (unsigned)(best / CHANNEL_RTT_STEP_MS);
    if (n < P2V_CHANNELS_MAX && n * CHANNEL_RTT_STEP_MS < best)
        n++;   /* rounded up: 41 ms wants 5 */
    if (n < 1)
        n = 1;
    if (n > 1)
        p2v_info("round trip to %s: %.0f ms: up to %u ssh channels (--channels N to choose)",
                 o->host, best, n);
    else
        p2v_debug("round trip to %s: %.2f ms: one channel", o->host, best);
    *out = n;
    if (n == 1)
        agent_memo_drop();   /* no other channel will upload it */
    return 0;
}

int xfer_failed(struct xfer *x)
{
    xfer_lock(x);
    bool failed = x->failed;
    char msg[P2V_ERROR_MAX], hint[P2V_ERROR_MAX];
    snprintf(msg, sizeof(msg), "%s", x->fail_msg);
    snprintf(hint, sizeof(hint), "%s", x->fail_hint);
    xfer_unlock(x);
    if (!failed)
        return 0;
    p2v_error_set("%s", msg);
    if (hint[0])
        p2v_error_hint("%s", hint);
    return -1;
}

/* A worker's error ends the transfer, unless the transfer is already
 * ending (then the error is its echo). */
static void record_failure(struct chan *c)
{
    struct xfer *x = c->x;
    xfer_lock(x);
    if (!x->failed && !x->done) {
        x->failed = true;
        snprintf(x->fail_msg, sizeof(x->fail_msg), "channel %u: %s", c->index,
                 p2v_error_message());
        snprintf(x->fail_hint, sizeof(x->fail_hint), "%s", p2v_error_hint_text());
    }
    pthread_cond_broadcast(&x->cond);
    xfer_unlock(x);
}

/* Count this worker in or out of workers_busy (under the lock); ch[0]
 * waits for the count to reach zero. */
static void set_busy(struct xfer *x, bool *busy, bool now)
{
    if (*busy == now)
        return;
    if (now)
        x->workers_busy++;
    else
        x->workers_busy--;
    *busy = now;
    pthread_cond_broadcast(&x->cond);
}

/* Until there is a file to request (0), or the transfer is over (1). */
static int wait_for_work(struct chan *c, bool *busy)
{
    struct xfer *x = c->x;
    xfer_lock(x);
    while (!x->failed && !x->done && x->waiting.count == 0) {
        set_busy(x, busy, false);
        pthread_cond_wait(&x->cond, &x->lock);
    }
    int rc = x->failed || x->done ? 1 : 0;
    set_busy(x, busy, rc == 0);
    xfer_unlock(x);
    return rc;
}

static int work(struct chan *c, bool *busy)
{
    struct xfer *x = c->x;
    struct p2v_conn *conn = &c->s->t.conn;
    for (;;) {
        if (c->ring_count == 0 && wait_for_work(c, busy) > 0)
            return 0;
        if (xfer_dispatch(c) < 0)
            return -1;
        if (c->ring_count == 0)
            continue;
        uint16_t type;
        const void *p;
        size_t n;
        if (p2v_frame_recv(conn, &type, &p, &n) < 0)
            return transport_explain_failure(&c->s->t, "during the transfer");
        if (type == P2V_MSG_PROGRESS)
            continue;
        if (type == P2V_MSG_ERROR)
            return session_agent_error(c->s, p, n);
        if (xfer_file_frame(c, type, p, n) < 0)
            return -1;
        xfer_lock(x);
        bool stop = x->failed || (x->done && c->ring_count == 0);
        xfer_unlock(x);
        if (stop)
            return 0;
    }
}

static void *worker(void *arg)
{
    struct chan *c = arg;
    struct xfer *x = c->x;
    bool busy = false;
    if (session_open(&c->own, x->o->transport) < 0) {
        p2v_warn("channel %u to %s did not open (%s); the copy goes on with the others",
                 c->index, x->o->host, p2v_error_message());
        return NULL;
    }
    xfer_lock(x);
    c->opened = true;
    xfer_unlock(x);
    int rc = -1;
    if (!(c->own.agent.caps & P2V_CAP_FILES))
        p2v_error_set("%s (%s) cannot serve files", c->own.t.peer, c->own.agent.software);
    else if (sender_start(&c->snd, c->own.t.conn.wfd) == 0 && list_nothing(&c->own, &c->snd) == 0)
        rc = work(c, &busy);
    if (rc < 0)
        record_failure(c);
    xfer_lock(x);
    set_busy(x, &busy, false);
    bool clean = rc == 0 && !x->failed;
    c->opened = false;   /* from here its ssh is ours alone to end */
    pthread_cond_broadcast(&x->cond);
    xfer_unlock(x);
    if (clean && session_close(&c->own) < 0)
        p2v_warn("channel %u did not end cleanly: %s", c->index, p2v_error_message());
    else if (!clean)
        session_abort(&c->own);
    sender_stop(&c->snd);
    xfer_lock(x);
    xfer_count_wire(x->st, &c->own.t.conn, &c->snd);
    x->st->channels++;
    xfer_unlock(x);
    return NULL;
}

void xfer_channels_maybe_start(struct xfer *x)
{
    if (x->nch_started >= x->nch)
        return;
    xfer_lock(x);
    bool enough = x->bytes_planned >= CHANNELS_MIN_BYTES ||
                  x->waiting.count >= CHANNELS_MIN_FILES;
    xfer_unlock(x);
    if (!enough)
        return;
    /* made here, once: the threads would race to create it */
    if (destfs__ensure_tmp(&x->df) < 0) {
        p2v_warn("no extra channels: %s", p2v_error_message());
        p2v_error_clear();
        x->nch = 1;
        return;
    }
    for (; x->nch_started < x->nch; x->nch_started++) {
        struct chan *c = &x->ch[x->nch_started];
        if (pthread_create(&c->thread, NULL, worker, c) != 0) {
            p2v_warn("cannot start channel %u: %s", c->index, strerror(errno));
            break;
        }
        c->thread_started = true;
    }
}

int xfer_channels_wait(struct xfer *x)
{
    xfer_lock(x);
    while (!x->failed && x->waiting.count == 0 && x->workers_busy > 0)
        pthread_cond_wait(&x->cond, &x->lock);
    int rc = x->failed ? -1 : x->waiting.count > 0 ? 0 : 1;
    if (rc == 1) {
        x->done = true;
        pthread_cond_broadcast(&x->cond);
    }
    xfer_unlock(x);
    return rc < 0 ? xfer_failed(x) : rc;
}

void xfer_channels_stop(struct xfer *x, bool abort)
{
    xfer_lock(x);
    x->done = true;
    pthread_cond_broadcast(&x->cond);
    for (unsigned i = 1; abort && i < x->nch; i++) {
        /* a worker blocked reading its agent wakes when its ssh ends */
        struct chan *c = &x->ch[i];
        if (c->opened && c->own.t.pid > 0)
            kill(-c->own.t.pid, SIGTERM);
    }
    xfer_unlock(x);
    for (unsigned i = 1; i < x->nch; i++)
        if (x->ch[i].thread_started)
            pthread_join(x->ch[i].thread, NULL);
}
