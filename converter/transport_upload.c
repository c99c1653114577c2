/* transport_upload.c: which agent goes to the source, and in which form.
 *
 * Two builds of the agent: the static one runs on any Linux of the
 * node's architecture, whatever its C library; p2v-agent-sys uses the
 * source's own glibc, libzstd and libblkid and is a tenth of the size,
 * which counts on every incremental sync. The bootstrap reports the
 * source's glibc (getconf GNU_LIBC_VERSION, with the x86-64 loader
 * present); where it is at least the one the build recorded in
 * p2v-agent-sys.glibc, p2v-agent-sys goes first with "test": the
 * bootstrap runs it with --version (bound at start, -z now, so a missing
 * library or symbol shows there) and answers "go", or "retry" and waits
 * for the static agent on the same connection.
 *
 * Either goes in the best form the source unpacks: what this process
 * sent before (agent_memo.c), the build's checked .xz, gzip made here,
 * or raw. The header line is "LENGTH FORM SIZE [test]". */
#include "transport_int.h"
#include "error.h"
#include "log.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYS_SUFFIX "-sys"
#define REPLY_MAX 256

static int send_bytes(struct transport *t, const struct transport_opts *o, const char *what,
                      const char *form, const struct p2v_buf *b, off_t size, bool again,
                      bool test)
{
    if (strcmp(form, "raw") == 0)
        p2v_debug("uploading %s (%lld bytes, sent raw%s) to %s:%s", what, (long long)size,
                  again ? ", as before" : "", o->host, t->remote_dir);
    else
        p2v_debug("uploading %s (%lld bytes, sent %s'd as %zu%s) to %s:%s", what,
                  (long long)size, strcmp(form, "xz") == 0 ? "xz" : "gzip", b->len,
                  again ? ", as before" : "", o->host, t->remote_dir);
    char line[80];
    int ln = snprintf(line, sizeof(line), "%zu %s %lld%s\n", b->len, form, (long long)size,
                      test ? " test" : "");
    if (p2v_conn_write(&t->conn, line, (size_t)ln) < 0 ||
        p2v_conn_write(&t->conn, b->data, b->len) < 0)
        return transport_explain_failure(t, "during the agent upload");
    return 0;
}

/* One build of the agent, from the memo or from pack (read from path
 * when empty). */
static int send_agent(struct transport *t, const struct transport_opts *o, const char *what,
                      const char *path, off_t size, struct agent_pack *p, bool test)
{
    const char *const order[] = {t->takes_xz ? "xz" : NULL, t->takes_gz ? "gz" : NULL, "raw"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(order); i++) {
        const struct p2v_buf *kept = order[i] ? agent_memo_take(path, size, order[i]) : NULL;
        if (kept) {
            int rc = send_bytes(t, o, what, order[i], kept, size, true, test);
            agent_memo_give_back();
            return rc;
        }
    }
    if (!p->raw.len) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return p2v_error_set_errno(errno, "cannot read the agent binary `%s`", path);
        int rc = agent_pack_load(p, fd, size, path);
        close(fd);
        if (rc < 0)
            return -1;
    }
    const char *form = "raw";
    struct p2v_buf *send = &p->raw;
    if (t->takes_xz && p->xz.len) {
        form = "xz";
        send = &p->xz;
    } else if (t->takes_gz) {
        if (!p->gz.len && agent_pack_gzip(p) < 0)
            return -1;
        form = "gz";
        send = &p->gz;
    }
    if (send_bytes(t, o, what, form, send, size, false, test) < 0)
        return -1;
    agent_memo_keep(path, size, form, send);
    return 0;
}

/* "2.34" into major/minor; false for anything else. */
static bool parse_version(const char *s, unsigned *major, unsigned *minor)
{
    char tail;
    return sscanf(s, "%u.%u%c", major, minor, &tail) == 2;
}

bool transport_sys_agent_exists(const char *agent_binary)
{
    p2v_autofree char *path = p2v_xasprintf("%s" SYS_SUFFIX, agent_binary);
    return access(path, R_OK) == 0;
}

/* p2v-agent-sys's path and size when the source's glibc can run it. */
static char *sys_agent_for(const struct transport *t, const char *agent_binary, off_t *size)
{
    unsigned have_major, have_minor, need_major, need_minor;
    if (!parse_version(t->glibc, &have_major, &have_minor))
        return NULL;
    char *path = p2v_xasprintf("%s" SYS_SUFFIX, agent_binary);
    p2v_autofree char *note = p2v_xasprintf("%s.glibc", path);
    struct stat st;
    char need[32] = "";
    FILE *f = fopen(note, "r");
    bool ok = f && fgets(need, sizeof(need), f) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (f)
        fclose(f);
    need[strcspn(need, "\n")] = '\0';
    if (!ok || !parse_version(need, &need_major, &need_minor)) {
        p2v_debug("no usable `%s` (with its .glibc): the static agent goes", path);
        free(path);
        return NULL;
    }
    if (have_major < need_major || (have_major == need_major && have_minor < need_minor)) {
        p2v_debug("the source's glibc %s is older than the %s %s needs: the static agent goes",
                  t->glibc, need, path);
        free(path);
        return NULL;
    }
    *size = st.st_size;
    return path;
}

int transport_upload(struct transport *t, const struct transport_opts *o, struct agent_pack *pack,
                     off_t size)
{
    off_t sys_size = 0;
    p2v_autofree char *sys = sys_agent_for(t, o->agent_binary, &sys_size);
    if (sys) {
        struct agent_pack sp = {0};
        int rc = send_agent(t, o, "the agent for the source's glibc", sys, sys_size, &sp, true);
        agent_pack_release(&sp);
        if (rc < 0)
            return -1;
        char *reply = NULL;
        if (p2v_conn_read_line(&t->conn, &reply, REPLY_MAX) < 0)
            return transport_explain_failure(t, "while the agent was tried on the source");
        bool go = strcmp(reply, MARKER "go") == 0, retry = strcmp(reply, MARKER "retry") == 0;
        free(reply);
        if (go)
            return 0;
        if (!retry)
            return p2v_error_set("%s answered the agent's test with a line p2v does not know",
                                 t->peer);
        p2v_debug("`%s` does not start on %s (a library missing or too old): the static agent "
                  "goes", sys, o->host);
    }
    return send_agent(t, o, "the agent", o->agent_binary, size, pack, false);
}
