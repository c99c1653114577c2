/* proto.h: p2v protocol messages (docs/protocol.md).
 *
 * The node speaks first with HELLO; the agent answers HELLO (or ERROR if
 * it cannot speak any version the node offers). Both sides then use the
 * highest version both support. Everything after is request/answer
 * frames of the types below. */
#ifndef P2V_PROTO_H
#define P2V_PROTO_H

#include "frame.h"

/* Protocol versions this build speaks: PROTO_MIN..PROTO_VERSION. */
#define P2V_PROTO_VERSION 1u
#define P2V_PROTO_MIN 1u

enum p2v_msg_type {
    P2V_MSG_HELLO = 1,
    P2V_MSG_ERROR = 2,
    P2V_MSG_BYE = 3,
    P2V_MSG_PROGRESS = 4,
    P2V_MSG_FACTS_REQ = 16,
    P2V_MSG_FACTS_DATA = 17,
    P2V_MSG_FACTS_END = 18,
};

/* Capability bits announced in HELLO. */
#define P2V_CAP_FACTS (1u << 0)

/* Limits on decoded fields. */
#define P2V_NAME_FIELD_MAX 256u
#define P2V_MESSAGE_FIELD_MAX 4096u
#define P2V_FACTS_MAX (64u << 20)
#define P2V_FACTS_CHUNK (256u << 10)

struct p2v_hello {
    uint32_t proto_max, proto_min;
    char *software;   /* "p2v-agent 0.1.0" */
    char *os;         /* "linux", "windows", or "node" for the node */
    char *arch;       /* uname machine: "x86_64" */
    uint64_t caps;
};

int p2v_hello_encode(struct p2v_buf *out, const struct p2v_hello *h);
int p2v_hello_decode(const void *p, size_t n, struct p2v_hello *out);
void p2v_hello_clear(struct p2v_hello *h);
/* Pick the version both speak, or fail naming both sides' ranges. */
int p2v_proto_negotiate(const struct p2v_hello *ours, const struct p2v_hello *theirs,
                        uint32_t *out);

/* ERROR: code (errno-like, 0 if none) and a one-line message. */
/* The agent's side of the handshake: the node's HELLO, the version both
 * speak (an ERROR to the node if none), our HELLO. THEIRS is filled (clear
 * it). */
int p2v_agent_hello(struct p2v_conn *c, const struct p2v_hello *ours, struct p2v_hello *theirs,
                    uint32_t *version);
/* The agent's session (agentloop.c): the handshake, then FACTS_REQ,
 * LIST_REQ and FILE_REQ to their handlers (each returns 0, or -1 to end
 * the session) until BYE; anything else ends it with an ERROR naming
 * ours->software. */
struct p2v_agent_handlers {
    int (*facts)(struct p2v_conn *c, const void *p, size_t n, void *ctx);
    int (*list)(struct p2v_conn *c, const void *p, size_t n, void *ctx);
    int (*file)(struct p2v_conn *c, const void *p, size_t n, void *ctx);
    void *ctx;
};
int p2v_agent_serve(struct p2v_conn *c, const struct p2v_hello *ours,
                    const struct p2v_agent_handlers *h);
int p2v_send_error(struct p2v_conn *c, uint32_t code, const char *fmt, ...) P2V_PRINTF(3, 4);
int p2v_error_decode(const void *p, size_t n, uint32_t *code, char **msg);

/* PROGRESS: a stage name and counters, sent by long agent work. */
int p2v_send_progress(struct p2v_conn *c, const char *stage, uint64_t done, uint64_t total);
int p2v_progress_decode(const void *p, size_t n, char **stage, uint64_t *done, uint64_t *total);

/* Send a document as DATA chunks and an END frame carrying its length. */
int p2v_send_blob(struct p2v_conn *c, uint16_t data_type, uint16_t end_type,
                  const char *data, size_t len);

const char *p2v_msg_name(uint16_t type);

#endif
