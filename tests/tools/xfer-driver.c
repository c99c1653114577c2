/* xfer-driver.c: a minimal node for testing the agent's file server.
 *
 *   xfer-driver AGENT BASE [-r ROOT]... [-x PATTERN]... [REQUEST]...
 *     REQUEST: whole REL OUT | delta REL BASIS OUT | resume REL PARTIAL OUT
 *
 * Spawns `AGENT --serve`, says HELLO, sends LIST_REQ for BASE and prints
 * every entry as one line (bytes escaped as \ooo, so names with newlines
 * stay on one line), every warning, and the totals. Then it sends all
 * FILE_REQs at once (pipelined, from a child process so neither side can
 * block the other), signatures made here with the system librsync (real
 * libb2), and writes each answer to OUT: raw data at its offsets, holes
 * left unwritten, deltas patched with rs_patch_file against BASIS or
 * PARTIAL. One line per file: status, size, bytes of data and delta. */
#include "common.h"
#include "error.h"
#include "log.h"
#include "proto.h"
#include "xfer.h"
#include <fcntl.h>
#include <librsync.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct req {
    uint8_t method;
    const char *rel, *basis, *out;
    char *sig;
    size_t sig_len;
    uint64_t offset;
};

static void die(const char *what)
{
    fprintf(stderr, "xfer-driver: %s: %s\n", what, p2v_error_message());
    exit(1);
}

static void put_escaped(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch <= 32 || ch >= 127 || ch == '\\' || ch == '=')
            printf("\\%03o", ch);
        else
            putchar(ch);
    }
}

static void print_entry(const struct p2v_entry *e)
{
    printf("entry ");
    put_escaped(e->path, e->path_len);
    printf(" type=%s mode=%04o uid=%u gid=%u", p2v_ftype_name(e->type), e->mode, e->uid, e->gid);
    if (e->type == P2V_FT_REG || e->type == P2V_FT_SYMLINK)
        printf(" size=%llu", (unsigned long long)e->size);
    if (e->type != P2V_FT_DIR)   /* directory mtimes move while tests build the tree */
        printf(" mtime=%lld.%09u", (long long)e->mtime_sec, e->mtime_nsec);
    if (e->type == P2V_FT_CHR || e->type == P2V_FT_BLK)
        printf(" rdev=%u,%u", e->rdev_major, e->rdev_minor);
    printf(" fsflags=%#x flags=%u", e->fsflags, e->flags);
    if (e->link_len) {
        printf(" link=");
        put_escaped(e->link, e->link_len);
    }
    for (size_t i = 0; i < e->nxattrs; i++) {
        printf(" x:%s=", e->xattrs[i].name);
        for (size_t j = 0; j < e->xattrs[i].len; j++)
            printf("%02x", e->xattrs[i].value[j]);
    }
    printf("\n");
}

static char *make_signature(const char *basis, size_t *len)
{
    FILE *in = fopen(basis, "rb"), *sig = tmpfile();
    if (!in || !sig) {
        perror(basis);
        exit(1);
    }
    rs_result r = rs_sig_file(in, sig, 1024, 0, RS_BLAKE2_SIG_MAGIC, NULL);
    if (r != RS_DONE) {
        fprintf(stderr, "xfer-driver: signature of %s: %s\n", basis, rs_strerror(r));
        exit(1);
    }
    long n = ftell(sig);
    char *p = p2v_xmalloc((size_t)n + 1);
    rewind(sig);
    if (fread(p, 1, (size_t)n, sig) != (size_t)n)
        exit(1);
    fclose(in);
    fclose(sig);
    *len = (size_t)n;
    return p;
}

/* The child: send every FILE_REQ and its signature, then BYE. */
static void send_requests(int wfd, struct req *reqs, size_t nreq)
{
    struct p2v_conn c;
    p2v_conn_init(&c, -1, wfd, -1, "the agent");
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    for (size_t i = 0; i < nreq; i++) {
        struct p2v_file_req fr = {.id = (uint32_t)i + 1, .path = (char *)reqs[i].rel,
                                  .path_len = strlen(reqs[i].rel), .method = reqs[i].method,
                                  .offset = reqs[i].offset, .sig_len = reqs[i].sig_len};
        p2v_buf_reset(&b);
        if (p2v_file_req_encode(&b, &fr) < 0 ||
            p2v_frame_send(&c, P2V_MSG_FILE_REQ, b.data, b.len) < 0)
            die("send FILE_REQ");
        for (size_t off = 0; off < reqs[i].sig_len; off += P2V_XFER_CHUNK) {
            size_t n = reqs[i].sig_len - off;
            if (n > P2V_XFER_CHUNK)
                n = P2V_XFER_CHUNK;
            p2v_buf_reset(&b);
            if (p2v_chunk_encode(&b, fr.id, 0, reqs[i].sig + off, n) < 0 ||
                p2v_frame_send(&c, P2V_MSG_FILE_SIG, b.data, b.len) < 0)
                die("send FILE_SIG");
        }
    }
    p2v_frame_send(&c, P2V_MSG_BYE, "", 0);
    _exit(0);
}

static void copy_range(int from, int to, uint64_t off, uint64_t end)
{
    char buf[65536];
    while (off < end) {
        size_t n = end - off > sizeof(buf) ? sizeof(buf) : (size_t)(end - off);
        ssize_t r = pread(from, buf, n, (off_t)off);
        if (r <= 0 || pwrite(to, buf, (size_t)r, (off_t)off) != r) {
            perror("copy");
            exit(1);
        }
        off += (uint64_t)r;
    }
}

/* Receive one file's answer, up to FILE_END. */
static void receive_file(struct p2v_conn *c, uint32_t id, const struct req *rq)
{
    int out = open(rq->out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *delta = tmpfile();
    if (out < 0 || !delta) {
        perror(rq->out);
        exit(1);
    }
    uint64_t data_bytes = 0, delta_bytes = 0, holes = 0;
    for (;;) {
        uint16_t type;
        const void *p, *data;
        size_t n, len;
        uint32_t got_id;
        uint64_t off, hlen;
        if (p2v_frame_recv(c, &type, &p, &n) < 0)
            die("receive");
        if (type == P2V_MSG_FILE_DATA) {
            if (p2v_chunk_decode(p, n, &got_id, &off, &data, &len) < 0 || got_id != id)
                die("FILE_DATA");
            if (pwrite(out, data, len, (off_t)off) != (ssize_t)len)
                exit(1);
            data_bytes += len;
        } else if (type == P2V_MSG_FILE_HOLE) {
            if (p2v_hole_decode(p, n, &got_id, &off, &hlen) < 0 || got_id != id)
                die("FILE_HOLE");
            struct stat st;
            fstat(out, &st);
            if ((uint64_t)st.st_size < off + hlen && ftruncate(out, (off_t)(off + hlen)) < 0)
                exit(1);
            holes++;
        } else if (type == P2V_MSG_FILE_DELTA) {
            if (p2v_chunk_decode(p, n, &got_id, &off, &data, &len) < 0 || got_id != id)
                die("FILE_DELTA");
            fwrite(data, 1, len, delta);
            delta_bytes += len;
        } else if (type == P2V_MSG_FILE_END) {
            struct p2v_file_end e;
            if (p2v_file_end_decode(p, n, &e) < 0 || e.id != id)
                die("FILE_END");
            if (rq->method != P2V_FILE_WHOLE && e.status == P2V_FILE_OK) {
                /* Patch basis+delta into a temporary, then lay the raw tail over it. */
                char tmp[4096];
                snprintf(tmp, sizeof(tmp), "%s.patched", rq->out);
                FILE *basis = fopen(rq->basis, "rb"), *res = fopen(tmp, "wb");
                rewind(delta);
                rs_result r = rs_patch_file(basis, delta, res, NULL);
                fclose(basis);
                fclose(res);
                if (r != RS_DONE) {
                    fprintf(stderr, "xfer-driver: patch %s: %s\n", rq->out, rs_strerror(r));
                    exit(1);
                }
                int pf = open(tmp, O_RDONLY | O_CLOEXEC);
                struct stat st;
                fstat(pf, &st);
                copy_range(pf, out, 0, (uint64_t)st.st_size);
                close(pf);
                unlink(tmp);
                if (ftruncate(out, (off_t)e.size) < 0)
                    exit(1);
            }
            printf("file ");
            put_escaped(rq->rel, strlen(rq->rel));
            printf(" status=%u size=%llu mtime=%lld.%09u data=%llu delta=%llu holes=%llu msg=",
                   e.status, (unsigned long long)e.size, (long long)e.mtime_sec, e.mtime_nsec,
                   (unsigned long long)data_bytes, (unsigned long long)delta_bytes,
                   (unsigned long long)holes);
            put_escaped(e.message, strlen(e.message));
            printf("\n");
            free(e.message);
            break;
        } else if (type == P2V_MSG_ERROR) {
            uint32_t code;
            char *msg = NULL;
            p2v_error_decode(p, n, &code, &msg);
            fprintf(stderr, "xfer-driver: agent error: %s\n", msg ? msg : "?");
            exit(1);
        } else {
            fprintf(stderr, "xfer-driver: unexpected %s\n", p2v_msg_name(type));
            exit(1);
        }
    }
    fclose(delta);
    close(out);
}

int main(int argc, char **argv)
{
    p2v_log_init("xfer-driver", P2V_LOG_WARN);
    if (argc < 3) {
        fprintf(stderr, "usage: xfer-driver AGENT BASE [-r ROOT]... [-x PATTERN]... [REQUEST]...\n");
        return 2;
    }
    struct p2v_list_req lr = {.base = argv[2]};
    lr.roots = p2v_xcalloc((size_t)argc, sizeof(char *));
    lr.excludes = p2v_xcalloc((size_t)argc, sizeof(char *));
    struct req *reqs = p2v_xcalloc((size_t)argc, sizeof(*reqs));
    size_t nreq = 0;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-r") == 0 && i + 1 < argc)
            lr.roots[lr.nroots++] = argv[++i];
        else if (strcmp(a, "-x") == 0 && i + 1 < argc)
            lr.excludes[lr.nexcludes++] = argv[++i];
        else if (strcmp(a, "whole") == 0 && i + 2 < argc) {
            reqs[nreq++] = (struct req){.method = P2V_FILE_WHOLE, .rel = argv[i + 1], .out = argv[i + 2]};
            i += 2;
        } else if ((strcmp(a, "delta") == 0 || strcmp(a, "resume") == 0) && i + 3 < argc) {
            struct req *r = &reqs[nreq++];
            *r = (struct req){.method = a[0] == 'd' ? P2V_FILE_DELTA : P2V_FILE_RESUME,
                              .rel = argv[i + 1], .basis = argv[i + 2], .out = argv[i + 3]};
            r->sig = make_signature(r->basis, &r->sig_len);
            if (r->method == P2V_FILE_RESUME) {
                struct stat st;
                if (stat(r->basis, &st) < 0)
                    return 1;
                r->offset = (uint64_t)st.st_size;
            }
            i += 3;
        } else {
            fprintf(stderr, "xfer-driver: bad argument `%s`\n", a);
            return 2;
        }
    }
    int to_agent[2], from_agent[2];
    if (pipe2(to_agent, O_CLOEXEC) < 0 || pipe2(from_agent, O_CLOEXEC) < 0)
        return 1;
    pid_t agent = fork();
    if (agent == 0) {
        dup2(to_agent[0], 0);
        dup2(from_agent[1], 1);
        execl(argv[1], argv[1], "--serve", (char *)NULL);
        _exit(127);
    }
    close(to_agent[0]);
    close(from_agent[1]);
    signal(SIGPIPE, SIG_IGN);
    struct p2v_conn c;
    p2v_conn_init(&c, from_agent[0], to_agent[1], -1, "the agent");
    c.timeout_ms = 120 * 1000;
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    struct p2v_hello ours = {.proto_max = P2V_PROTO_VERSION, .proto_min = P2V_PROTO_MIN,
                             .software = "xfer-driver", .os = "node", .arch = "x86_64"};
    struct p2v_hello theirs = {0};
    uint16_t type;
    const void *p;
    size_t n;
    if (p2v_hello_encode(&b, &ours) < 0 || p2v_frame_send(&c, P2V_MSG_HELLO, b.data, b.len) < 0 ||
        p2v_frame_recv(&c, &type, &p, &n) < 0 || type != P2V_MSG_HELLO ||
        p2v_hello_decode(p, n, &theirs) < 0)
        die("HELLO");
    if (!(theirs.caps & P2V_CAP_FILES)) {
        fprintf(stderr, "xfer-driver: the agent does not announce P2V_CAP_FILES\n");
        return 1;
    }
    p2v_buf_reset(&b);
    if (p2v_list_req_encode(&b, &lr) < 0 || p2v_frame_send(&c, P2V_MSG_LIST_REQ, b.data, b.len) < 0)
        die("LIST_REQ");
    for (bool end = false; !end;) {
        if (p2v_frame_recv(&c, &type, &p, &n) < 0)
            die("listing");
        struct p2v_dec d;
        p2v_dec_init(&d, p, n);
        if (type == P2V_MSG_LIST_DATA) {
            uint32_t count = p2v_get_u32(&d);
            static struct p2v_entry_ctx ctx;
            memset(&ctx, 0, sizeof(ctx));
            for (uint32_t i = 0; i < count; i++) {
                struct p2v_entry e;
                if (p2v_entry_decode(&d, &e, &ctx) < 0)
                    break;
                print_entry(&e);
                p2v_entry_clear(&e);
            }
            if (p2v_dec_finish(&d, "LIST_DATA") < 0)
                die("LIST_DATA");
            if (n > P2V_FRAME_MAX)
                return 1;
        } else if (type == P2V_MSG_LIST_WARN) {
            size_t plen;
            const void *path = p2v_get_bytes(&d, &plen, P2V_PATH_MAX);
            char *msg = p2v_get_str(&d, P2V_MESSAGE_FIELD_MAX);
            if (p2v_dec_finish(&d, "LIST_WARN") < 0)
                die("LIST_WARN");
            printf("warn ");
            put_escaped(path, plen);
            printf(" %s\n", msg);
            free(msg);
        } else if (type == P2V_MSG_LIST_END) {
            uint64_t entries = p2v_get_u64(&d), bytes = p2v_get_u64(&d);
            if (p2v_dec_finish(&d, "LIST_END") < 0)
                die("LIST_END");
            printf("end entries=%llu bytes=%llu\n", (unsigned long long)entries,
                   (unsigned long long)bytes);
            end = true;
        } else if (type != P2V_MSG_PROGRESS) {
            fprintf(stderr, "xfer-driver: unexpected %s during the listing\n", p2v_msg_name(type));
            return 1;
        }
    }
    fflush(stdout);
    pid_t writer = fork();
    if (writer == 0)
        send_requests(to_agent[1], reqs, nreq);
    close(to_agent[1]);
    for (size_t i = 0; i < nreq; i++)
        receive_file(&c, (uint32_t)i + 1, &reqs[i]);
    if (p2v_frame_recv(&c, &type, &p, &n) < 0 || type != P2V_MSG_BYE)
        die("BYE");
    int st1 = 0, st2 = 0;
    waitpid(writer, &st1, 0);
    waitpid(agent, &st2, 0);
    fflush(stdout);
    for (size_t i = 0; i < nreq; i++)
        free(reqs[i].sig);
    free(reqs);
    free(lr.roots);
    free(lr.excludes);
    p2v_hello_clear(&theirs);
    p2v_buf_release(&b);
    p2v_conn_release(&c);
    return WIFEXITED(st2) && WEXITSTATUS(st2) == 0 && WIFEXITED(st1) && WEXITSTATUS(st1) == 0 ? 0 : 1;
}
