/* proto.c: HELLO, ERROR and PROGRESS messages; version negotiation. */
#include "proto.h"
#include "codec.h"
#include "error.h"
#include "xfer.h"

static const char hello_magic[4] = {'P', '2', 'V', 'H'};

int p2v_hello_encode(struct p2v_buf *out, const struct p2v_hello *h)
{
    if (p2v_buf_add(out, hello_magic, sizeof(hello_magic)) < 0 ||
        p2v_put_u32(out, h->proto_max) < 0 || p2v_put_u32(out, h->proto_min) < 0 ||
        p2v_put_str(out, h->software) < 0 || p2v_put_str(out, h->os) < 0 ||
        p2v_put_str(out, h->arch) < 0 || p2v_put_u64(out, h->caps) < 0)
        return -1;
    return 0;
}

int p2v_hello_decode(const void *p, size_t n, struct p2v_hello *out)
{
    memset(out, 0, sizeof(*out));
    if (n < sizeof(hello_magic) || memcmp(p, hello_magic, sizeof(hello_magic)) != 0)
        return p2v_error_set("not a p2v HELLO message");
    struct p2v_dec d;
    p2v_dec_init(&d, (const char *)p + sizeof(hello_magic), n - sizeof(hello_magic));
    out->proto_max = p2v_get_u32(&d);
    out->proto_min = p2v_get_u32(&d);
    out->software = p2v_get_str(&d, P2V_NAME_FIELD_MAX);
    out->os = p2v_get_str(&d, P2V_NAME_FIELD_MAX);
    out->arch = p2v_get_str(&d, P2V_NAME_FIELD_MAX);
    out->caps = p2v_get_u64(&d);
    /* Later versions may append fields: extra bytes are not an error. */
    if (d.err) {
        p2v_hello_clear(out);
        return p2v_error_set("malformed HELLO message: %s", d.err);
    }
    if (out->proto_min > out->proto_max) {
        p2v_hello_clear(out);
        return p2v_error_set("malformed HELLO message: version range %u..%u is empty",
                             out->proto_min, out->proto_max);
    }
    return 0;
}

void p2v_hello_clear(struct p2v_hello *h)
{
    free(h->software);
    free(h->os);
    free(h->arch);
    memset(h, 0, sizeof(*h));
}

static void range(char *buf, size_t len, const struct p2v_hello *h)
{
    if (h->proto_min == h->proto_max)
        snprintf(buf, len, "protocol %u", h->proto_max);
    else
        snprintf(buf, len, "protocols %u..%u", h->proto_min, h->proto_max);
}

int p2v_proto_negotiate(const struct p2v_hello *ours, const struct p2v_hello *theirs,
                        uint32_t *out)
{
    uint32_t hi = ours->proto_max < theirs->proto_max ? ours->proto_max : theirs->proto_max;
    uint32_t lo = ours->proto_min > theirs->proto_min ? ours->proto_min : theirs->proto_min;
    if (hi < lo) {
        char a[64], b[64];
        range(a, sizeof(a), ours);
        range(b, sizeof(b), theirs);
        p2v_error_set("protocol version mismatch: %s speaks %s, %s speaks %s",
                      ours->software, a, theirs->software, b);
        p2v_error_hint("install the same p2v release on both sides, or pass --protocol "
                       "to the newer side to make it speak the older version");
        return -1;
    }
    *out = hi;
    return 0;
}

int p2v_send_error(struct p2v_conn *c, uint32_t code, const char *fmt, ...)
{
    char msg[P2V_MESSAGE_FIELD_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = -1;
    if (p2v_put_u32(&b, code) == 0 && p2v_put_str(&b, msg) == 0)
        rc = p2v_frame_send(c, P2V_MSG_ERROR, b.data, b.len);
    p2v_buf_release(&b);
    return rc;
}

int p2v_error_decode(const void *p, size_t n, uint32_t *code, char **msg)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    *code = p2v_get_u32(&d);
    *msg = p2v_get_str(&d, P2V_MESSAGE_FIELD_MAX);
    if (p2v_dec_finish(&d, "ERROR message") < 0) {
        free(*msg);
        *msg = NULL;
        return -1;
    }
    return 0;
}

int p2v_send_progress(struct p2v_conn *c, const char *stage, uint64_t done, uint64_t total)
{
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = -1;
    if (p2v_put_str(&b, stage) == 0 && p2v_put_u64(&b, done) == 0 && p2v_put_u64(&b, total) == 0)
        rc = p2v_frame_send(c, P2V_MSG_PROGRESS, b.data, b.len);
    p2v_buf_release(&b);
    return rc;
}

int p2v_progress_decode(const void *p, size_t n, char **stage, uint64_t *done, uint64_t *total)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    *stage = p2v_get_str(&d, P2V_NAME_FIELD_MAX);
    *done = p2v_get_u64(&d);
    *total = p2v_get_u64(&d);
    if (p2v_dec_finish(&d, "PROGRESS message") < 0) {
        free(*stage);
        *stage = NULL;
        return -1;
    }
    return 0;
}

int p2v_send_blob(struct p2v_conn *c, uint16_t data_type, uint16_t end_type,
                  const char *data, size_t len)
{
    for (size_t off = 0; off < len; off += P2V_FACTS_CHUNK) {
        size_t n = len - off < P2V_FACTS_CHUNK ? len - off : P2V_FACTS_CHUNK;
        if (p2v_frame_send(c, data_type, data + off, n) < 0)
            return -1;
    }
    struct p2v_buf b = P2V_BUF_INIT(16);
    int rc = p2v_put_u64(&b, len) == 0 ? p2v_frame_send(c, end_type, b.data, b.len) : -1;
    p2v_buf_release(&b);
    return rc;
}

const char *p2v_msg_name(uint16_t type)
{
    switch (type) {
    case P2V_MSG_HELLO: return "HELLO";
    case P2V_MSG_ERROR: return "ERROR";
    case P2V_MSG_BYE: return "BYE";
    case P2V_MSG_PROGRESS: return "PROGRESS";
    case P2V_MSG_FACTS_REQ: return "FACTS_REQ";
    case P2V_MSG_FACTS_DATA: return "FACTS_DATA";
    case P2V_MSG_FACTS_END: return "FACTS_END";
    case P2V_MSG_LIST_REQ: return "LIST_REQ";
    case P2V_MSG_LIST_DATA: return "LIST_DATA";
    case P2V_MSG_LIST_WARN: return "LIST_WARN";
    case P2V_MSG_LIST_END: return "LIST_END";
    case P2V_MSG_FILE_REQ: return "FILE_REQ";
    case P2V_MSG_FILE_SIG: return "FILE_SIG";
    case P2V_MSG_FILE_DATA: return "FILE_DATA";
    case P2V_MSG_FILE_HOLE: return "FILE_HOLE";
    case P2V_MSG_FILE_DELTA: return "FILE_DELTA";
    case P2V_MSG_FILE_END: return "FILE_END";
    case P2V_MSG_FILE_ZDATA: return "FILE_ZDATA";
    case P2V_MSG_FILE_ZDELTA: return "FILE_ZDELTA";
    case P2V_MSG_LIST_ZDATA: return "LIST_ZDATA";
    default: return "unknown";
    }
}

int p2v_agent_hello(struct p2v_conn *c, const struct p2v_hello *ours, struct p2v_hello *theirs,
                    uint32_t *version)
{
    uint16_t type;
    const void *p;
    size_t n;
    if (p2v_frame_recv(c, &type, &p, &n) < 0)
        return -1;
    if (type != P2V_MSG_HELLO || p2v_hello_decode(p, n, theirs) < 0)
        return p2v_error_set("the node did not start with HELLO (got %s)", p2v_msg_name(type));
    if (p2v_proto_negotiate(ours, theirs, version) < 0) {
        p2v_send_error(c, 0, "%s", p2v_error_message());
        return -1;
    }
    struct p2v_buf out = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = p2v_hello_encode(&out, ours) < 0 ||
                     p2v_frame_send(c, P2V_MSG_HELLO, out.data, out.len) < 0
                 ? -1 : 0;
    p2v_buf_release(&out);
    return rc;
}
