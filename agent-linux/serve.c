/* serve.c: the agent side of the protocol on stdin/stdout.
 *
 * Wait for the node's HELLO, answer with ours (or ERROR when no version
 * is shared), then answer requests until BYE or end of input. Listing and
 * file transfer live in files_list.c and files_send.c. */
#include "serve.h"
#include "facts.h"
#include "files.h"
#include "xfer.h"
#include "proto.h"
#include "codec.h"
#include "error.h"
#include "log.h"
#include "version.h"
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

static int answer_facts(struct p2v_conn *c, const void *p, size_t n)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    uint32_t flags = p2v_get_u32(&d);
    if (p2v_dec_finish(&d, "FACTS_REQ message") < 0)
        return -1;
    struct facts_options opt = {
        .scan_xattrs = flags & 1u,
        .scan_macs = flags & 2u,
        .root = "",
        .progress = c,
    };
    struct p2v_buf doc = P2V_BUF_INIT(P2V_FACTS_MAX);
    int rc = facts_collect(&doc, &opt, false);
    if (rc == 0)
        rc = p2v_send_blob(c, P2V_MSG_FACTS_DATA, P2V_MSG_FACTS_END, doc.data, doc.len);
    else
        p2v_send_error(c, 0, "collecting facts: %s", p2v_error_message());
    p2v_buf_release(&doc);
    return rc;
}

static int on_facts(struct p2v_conn *c, const void *p, size_t n, void *ctx)
{
    (void)ctx;
    return answer_facts(c, p, n);
}

static int on_list(struct p2v_conn *c, const void *p, size_t n, void *ctx)
{
    return files_list(c, ctx, p, n);
}

static int on_file(struct p2v_conn *c, const void *p, size_t n, void *ctx)
{
    return files_send(c, ctx, p, n);
}

int agent_serve(int in_fd, int out_fd, uint32_t proto_max)
{
    struct utsname u;
    uname(&u);
    struct p2v_conn c;
    p2v_conn_init(&c, in_fd, out_fd, -1, "the node");
    c.timeout_ms = 600 * 1000;  /* an idle node for ten minutes is gone */
    /* where sshd gives us pipes, 1 MiB ones: fewer wake-ups each way
     * (fails harmlessly on sockets and old kernels) */
    (void)fcntl(in_fd, F_SETPIPE_SZ, 1 << 20);
    (void)fcntl(out_fd, F_SETPIPE_SZ, 1 << 20);
    struct p2v_hello ours = {
        .proto_max = proto_max, .proto_min = P2V_PROTO_MIN,
        .software = "p2v-agent " P2V_VERSION, .os = "linux", .arch = u.machine,
        .caps = P2V_CAP_FACTS | P2V_CAP_FILES | P2V_CAP_DELTA_SUM,
    };
    struct files_state files = {0};
    struct p2v_agent_handlers h = {on_facts, on_list, on_file, &files};
    int rc = p2v_agent_serve(&c, &ours, &h);
    files_state_release(&files);
    p2v_conn_release(&c);
    return rc;
}
