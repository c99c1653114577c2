/* agentloop.c: the agent's side of a session, the same for the Linux and
 * Windows agents: the handshake, then each request to its handler until
 * BYE or the end of input. */
#include "proto.h"
#include "xfer.h"
#include "error.h"
#include "log.h"

int p2v_agent_serve(struct p2v_conn *c, const struct p2v_hello *ours,
                    const struct p2v_agent_handlers *h)
{
    struct p2v_hello theirs = {0};
    uint32_t version;
    int rc = -1;
    if (p2v_agent_hello(c, ours, &theirs, &version) < 0)
        goto done;
    p2v_debug("speaking protocol %u with %s", version, theirs.software);
    for (;;) {
        uint16_t type;
        const void *p;
        size_t n;
        if (p2v_frame_recv(c, &type, &p, &n) < 0)
            goto done;
        int (*fn)(struct p2v_conn *, const void *, size_t, void *) =
            type == P2V_MSG_FACTS_REQ ? h->facts
            : type == P2V_MSG_LIST_REQ ? h->list
            : type == P2V_MSG_FILE_REQ ? h->file
            : NULL;
        if (fn) {
            if (fn(c, p, n, h->ctx) < 0)
                goto done;
            continue;
        }
        if (type == P2V_MSG_BYE) {
            p2v_frame_send(c, P2V_MSG_BYE, "", 0);
            rc = 0;
            goto done;
        }
        p2v_send_error(c, 0, "%s does not know message %s (%u)", ours->software,
                       p2v_msg_name(type), type);
        p2v_error_set("unexpected message %u from the node", type);
        goto done;
    }
done:
    p2v_hello_clear(&theirs);
    return rc;
}
