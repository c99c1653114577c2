/* session.c: HELLO, FACTS and BYE over a transport (docs/protocol.md). */
#include "session.h"
#include "codec.h"
#include "error.h"
#include "log.h"
#include "progress.h"
#include "version.h"
#include <sys/utsname.h>

/* Receive one frame, turning an agent's ERROR into our error and
 * showing PROGRESS; returns the first other frame. */
static int recv_frame(struct session *s, uint16_t *type, const void **p, size_t *n, const char *doing)
{
    for (;;) {
        if (p2v_frame_recv(&s->t.conn, type, p, n) < 0)
            return transport_explain_failure(&s->t, doing);
        if (*type == P2V_MSG_ERROR)
            return session_agent_error(s, *p, *n);
        if (*type != P2V_MSG_PROGRESS)
            return 0;
        char *stage;
        uint64_t done, total;
        if (p2v_progress_decode(*p, *n, &stage, &done, &total) < 0)
            return p2v_error_prefix("from %s", s->t.peer);
        struct p2v_progress pr = {.stage = stage, .files_done = done, .files_total = total};
        p2v_progress_update(&pr, false);
        free(stage);
    }
}

int session_agent_error(const struct session *s, const void *p, size_t n)
{
    uint32_t code;
    char *msg;
    if (p2v_error_decode(p, n, &code, &msg) < 0)
        return -1;
    p2v_error_set("%s reports: %s", s->t.peer, msg);
    free(msg);
    return -1;
}

int session_open(struct session *s, const struct transport_opts *o)
{
    memset(s, 0, sizeof(*s));
    if (transport_open(&s->t, o) < 0) {
        session_abort(s);
        return -1;
    }
    s->open = true;
    struct utsname u;
    uname(&u);
    struct p2v_hello ours = {
        .proto_max = o->protocol ? o->protocol : P2V_PROTO_VERSION,
        .proto_min = P2V_PROTO_MIN,
        .software = "p2vmigrate " P2V_VERSION, .os = "node", .arch = u.machine,
        .caps = P2V_CAP_FACTS,
    };
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = p2v_hello_encode(&b, &ours);
    if (rc == 0 && p2v_frame_send(&s->t.conn, P2V_MSG_HELLO, b.data, b.len) < 0)
        rc = transport_explain_failure(&s->t, "during the greeting");
    p2v_buf_release(&b);
    uint16_t type;
    const void *p;
    size_t n;
    if (rc == 0)
        rc = recv_frame(s, &type, &p, &n, "waiting for the agent's HELLO");
    if (rc == 0 && type != P2V_MSG_HELLO)
        rc = p2v_error_set("%s answered HELLO with %s", s->t.peer, p2v_msg_name(type));
    if (rc == 0 && p2v_hello_decode(p, n, &s->agent) < 0)
        rc = p2v_error_prefix("%s", s->t.peer);
    if (rc == 0)
        rc = p2v_proto_negotiate(&ours, &s->agent, &s->version);
    if (rc < 0) {
        session_abort(s);
        return -1;
    }
    p2v_debug("%s: %s (%s %s), protocol %u", s->t.peer, s->agent.software, s->agent.os,
              s->agent.arch, s->version);
    return 0;
}

int session_get_facts(struct session *s, bool scan, char **out, size_t *len)
{
    struct p2v_buf req = P2V_BUF_INIT(16);
    p2v_put_u32(&req, scan ? 3u : 0u);
    int rc = p2v_frame_send(&s->t.conn, P2V_MSG_FACTS_REQ, req.data, req.len);
    p2v_buf_release(&req);
    if (rc < 0)
        return transport_explain_failure(&s->t, "asking for facts");
    struct p2v_buf doc = P2V_BUF_INIT(P2V_FACTS_MAX);
    for (;;) {
        uint16_t type;
        const void *p;
        size_t n;
        if (recv_frame(s, &type, &p, &n, "while it collected facts") < 0)
            goto fail;
        if (type == P2V_MSG_FACTS_DATA) {
            if (p2v_buf_add(&doc, p, n) < 0) {
                p2v_error_prefix("facts from %s", s->t.peer);
                goto fail;
            }
            continue;
        }
        if (type != P2V_MSG_FACTS_END) {
            p2v_error_set("%s sent %s in the middle of its facts", s->t.peer, p2v_msg_name(type));
            goto fail;
        }
        struct p2v_dec d;
        p2v_dec_init(&d, p, n);
        uint64_t total = p2v_get_u64(&d);
        if (p2v_dec_finish(&d, "FACTS_END message") < 0)
            goto fail;
        if (total != doc.len) {
            p2v_error_set("%s announced %llu bytes of facts but sent %zu", s->t.peer,
                          (unsigned long long)total, doc.len);
            goto fail;
        }
        *len = doc.len;
        *out = p2v_buf_detach(&doc);
        return 0;
    }
fail:
    p2v_buf_release(&doc);
    return -1;
}

int session_close(struct session *s)
{
    int rc = 0;
    if (!s->open)
        return 0;
    if (p2v_frame_send(&s->t.conn, P2V_MSG_BYE, "", 0) == 0) {
        uint16_t type;
        const void *p;
        size_t n;
        if (recv_frame(s, &type, &p, &n, "saying goodbye") < 0 || type != P2V_MSG_BYE)
            rc = -1;
    } else {
        rc = -1;
    }
    int status = transport_close(&s->t, 10000);
    if (rc == 0 && status != 0) {
        p2v_warn("the remote shell ended with status %d", status);
    }
    p2v_hello_clear(&s->agent);
    s->open = false;
    return rc;
}

void session_abort(struct session *s)
{
    transport_close(&s->t, 2000);
    p2v_hello_clear(&s->agent);
    s->open = false;
}
