/* session.h: one conversation with an agent: start it, say HELLO, ask
 * for facts, say BYE. Built on transport.h. */
#ifndef P2V_SESSION_H
#define P2V_SESSION_H

#include "transport.h"
#include "proto.h"

struct session {
    struct transport t;
    struct p2v_hello agent;   /* what the agent announced */
    uint32_t version;         /* negotiated protocol version */
    bool open;
};

/* proto_max: highest version to offer (--protocol), 0 = ours. */
int session_open(struct session *s, const struct transport_opts *o);
/* Ask for the raw facts document; *out is malloc'd, NUL-terminated. */
int session_get_facts(struct session *s, bool scan, char **out, size_t *len);
/* An ERROR frame from the agent (payload p, n) as our error: always -1. */
int session_agent_error(const struct session *s, const void *p, size_t n);
/* Say BYE and wait for the agent and the remote shell to end. */
int session_close(struct session *s);
/* Tear down without ceremony (after an error). */
void session_abort(struct session *s);

#endif
