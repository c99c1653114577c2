/* gen_seeds_wire.c: seeds of entries, messages and frame streams. */
#include "gen_seeds.h"
#include "delta.h"
#include "error.h"
#include "json_write.h"
#include "proto.h"
#include "xfer.h"
#include <librsync.h>
#include <sys/stat.h>

/* ---- entries, messages ---- */

static struct p2v_xattr xa_user = {"user.comment", (unsigned char *)"hello", 5};
static struct p2v_xattr xa_cap[] = {
    {"security.capability", (unsigned char *)"\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00"
                                             "\x00\x00\x00\x00\x00\x00\x00\x00", 20},
    {"trusted.x", (unsigned char *)"", 0},
};

static struct p2v_entry entries[] = {
    {.path = "", .type = P2V_FT_DIR, .mode = 0755, .mtime_sec = 1700000000},
    {.path = "etc", .path_len = 3, .type = P2V_FT_DIR, .mode = 0755, .mtime_sec = 1700000001,
     .mtime_nsec = 999999999},
    {.path = "etc/passwd", .path_len = 10, .type = P2V_FT_REG, .mode = 0644, .size = 1234,
     .mtime_sec = 1700000002, .xattrs = &xa_user, .nxattrs = 1},
    {.path = "usr/bin/ping", .path_len = 12, .type = P2V_FT_REG, .mode = 04755, .size = 70000,
     .mtime_sec = 1600000000, .xattrs = xa_cap, .nxattrs = 2},
    {.path = "var/lib/sparse.img", .path_len = 18, .type = P2V_FT_REG, .mode = 0600,
     .size = 1ull << 40, .flags = P2V_EF_SPARSE, .fsflags = 0x10},
    {.path = "etc/localtime", .path_len = 13, .type = P2V_FT_SYMLINK, .mode = 0777, .size = 33,
     .link = "/usr/share/zoneinfo/Europe/Paris", .link_len = 32},
    {.path = "etc/passwd.hard", .path_len = 15, .type = P2V_FT_HARDLINK, .mode = 0644,
     .link = "etc/passwd", .link_len = 10},
    {.path = "dev/null", .path_len = 8, .type = P2V_FT_CHR, .mode = 0666, .rdev_major = 1,
     .rdev_minor = 3},
    {.path = "dev/sda", .path_len = 7, .type = P2V_FT_BLK, .mode = 0660, .gid = 6,
     .rdev_major = 8},
    {.path = "run/fifo", .path_len = 8, .type = P2V_FT_FIFO, .mode = 0600, .uid = 1000,
     .gid = 1000, .mtime_sec = -1},
    {.path = "run/sock", .path_len = 8, .type = P2V_FT_SOCK, .mode = 0777},
    {.path = "srv/caf\xe9 \x01name", .path_len = 14, .type = P2V_FT_REG, .mode = 0644, .size = 3},
    /* shapes a lying agent sends: the decoder passes them, destfs refuses */
    {.path = "../escape", .path_len = 9, .type = P2V_FT_REG, .mode = 0644},
    {.path = "lnk/inside", .path_len = 10, .type = P2V_FT_SYMLINK, .mode = 0777,
     .link = "../../../../etc", .link_len = 15},
};

static void entry_batch(struct p2v_buf *b, size_t from, size_t n)
{
    if (p2v_put_u32(b, (uint32_t)n) < 0)
        die("batch");
    static struct p2v_entry_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    for (size_t i = from; i < from + n; i++)
        if (p2v_entry_encode(b, &entries[i], &ctx) < 0)
            die("entry");
}

/* path_len and link_len from the strings (none holds a NUL) */
void fix_entries(void)
{
    for (size_t i = 0; i < P2V_ARRAY_LEN(entries); i++) {
        entries[i].path_len = strlen(entries[i].path);
        entries[i].link_len = entries[i].link ? strlen(entries[i].link) : 0;
    }
}

static struct p2v_hello agent_hello = {.proto_max = P2V_PROTO_VERSION, .proto_min = P2V_PROTO_MIN,
                                       .software = "p2v-agent 0.1.0", .os = "linux",
                                       .arch = "x86_64", .caps = P2V_CAP_FACTS | P2V_CAP_FILES};

/* byte 0 picks the decoder in fuzz_msg.c */
enum { M_HELLO, M_ERROR, M_PROGRESS, M_LIST_DATA, M_ENTRY, M_LIST_REQ, M_FILE_REQ, M_FILE_END,
       M_CHUNK, M_HOLE, M_ZCHUNK };

/* the frame type carrying each decoder's payload (0: none) */
static const uint16_t msg_frame_type[] = {
    [M_HELLO] = P2V_MSG_HELLO,         [M_ERROR] = P2V_MSG_ERROR,
    [M_PROGRESS] = P2V_MSG_PROGRESS,   [M_LIST_DATA] = P2V_MSG_LIST_DATA,
    [M_ENTRY] = 0,                     [M_LIST_REQ] = P2V_MSG_LIST_REQ,
    [M_FILE_REQ] = P2V_MSG_FILE_REQ,   [M_FILE_END] = P2V_MSG_FILE_END,
    [M_CHUNK] = P2V_MSG_FILE_DATA,     [M_HOLE] = P2V_MSG_FILE_HOLE,
    [M_ZCHUNK] = P2V_MSG_LIST_ZDATA,
};

/* Each payload is also a one-frame stream for the frame target. */
static void msg(unsigned which, const char *name, struct p2v_buf *payload)
{
    if (msg_frame_type[which]) {
        struct p2v_buf f = P2V_BUF_INIT(4u << 20);
        p2v_put_u8(&f, 0);
        p2v_put_u16(&f, 0);
        p2v_put_u32(&f, (uint32_t)payload->len);
        p2v_put_u16(&f, msg_frame_type[which]);
        p2v_put_u16(&f, 0);
        p2v_buf_add(&f, payload->data ? payload->data : "", payload->len);
        p2v_autofree char *fname = p2v_xasprintf("msg-%s", name);
        putb("frame", fname, &f);
    }
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    p2v_put_u8(&b, (uint8_t)which);
    p2v_buf_add(&b, payload->data ? payload->data : "", payload->len);
    p2v_buf_release(payload);
    putb("msg", name, &b);
}

static void zchunk(const void *p, size_t n, struct p2v_buf *out)
{
    if (p2v_chunk_compress(p, n, out) != 0)
        die("zstd");
}

void seeds_msg(const unsigned char *basis)
{
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    p2v_hello_encode(&b, &agent_hello);
    msg(M_HELLO, "hello-agent", &b);
    struct p2v_hello node = {.proto_max = 1, .proto_min = 1, .software = "p2vmigrate 0.1.0",
                             .os = "node", .arch = "aarch64", .caps = P2V_CAP_FACTS};
    p2v_hello_encode(&b, &node);
    msg(M_HELLO, "hello-node", &b);
    struct p2v_hello future = {.proto_max = 9, .proto_min = 7, .software = "p2v-agent 9",
                               .os = "windows", .arch = "AMD64", .caps = ~0ull};
    p2v_hello_encode(&b, &future);
    p2v_put_str(&b, "a field from a later version");
    msg(M_HELLO, "hello-v9-extra", &b);

    p2v_put_u32(&b, 13);
    p2v_put_str(&b, "open `/etc/shadow`: Permission denied");
    msg(M_ERROR, "error-eacces", &b);
    p2v_put_u32(&b, 0);
    p2v_put_str(&b, "");
    msg(M_ERROR, "error-empty", &b);
    p2v_put_str(&b, "listing");
    p2v_put_u64(&b, 12345);
    p2v_put_u64(&b, 99999);
    msg(M_PROGRESS, "progress", &b);

    entry_batch(&b, 0, P2V_ARRAY_LEN(entries));
    msg(M_LIST_DATA, "list-all", &b);
    entry_batch(&b, 0, 0);
    msg(M_LIST_DATA, "list-empty", &b);
    for (size_t i = 0; i < P2V_ARRAY_LEN(entries); i++) {
        static struct p2v_entry_ctx fresh;   /* one entry alone: against nothing */
        memset(&fresh, 0, sizeof(fresh));
        p2v_entry_encode(&b, &entries[i], &fresh);
        char name[32];
        snprintf(name, sizeof(name), "entry-%02zu", i);
        msg(M_ENTRY, name, &b);
    }

    char *roots[] = {"/", "/home", "/srv/my data"}, *ex[] = {"/proc/*", "/tmp/*", "*.swp"};
    struct p2v_list_req lr = {.base = "/", .roots = roots, .nroots = 3, .excludes = ex,
                              .nexcludes = 3, .flags = P2V_LIST_COMPRESS | P2V_LIST_ZLIST};
    p2v_list_req_encode(&b, &lr);
    msg(M_LIST_REQ, "list-req", &b);
    struct p2v_list_req lr0 = {.base = "/mnt/snap", .roots = roots, .nroots = 1};
    p2v_list_req_encode(&b, &lr0);
    msg(M_LIST_REQ, "list-req-min", &b);

    struct p2v_file_req fr = {.id = 7, .path = "etc/passwd", .path_len = 10,
                              .method = P2V_FILE_DELTA, .sig_len = 1024};
    p2v_file_req_encode(&b, &fr);
    msg(M_FILE_REQ, "file-req-delta", &b);
    fr.method = P2V_FILE_RESUME;
    fr.offset = 4096;
    p2v_file_req_encode(&b, &fr);
    msg(M_FILE_REQ, "file-req-resume", &b);

    struct p2v_file_end fe = {.id = 7, .status = P2V_FILE_OK, .size = 1234,
                              .mtime_sec = 1700000002, .mtime_nsec = 5};
    p2v_file_end_encode(&b, &fe);
    msg(M_FILE_END, "file-end-ok", &b);
    fe.status = P2V_FILE_ERROR;
    fe.message = "read: Input/output error";
    p2v_file_end_encode(&b, &fe);
    msg(M_FILE_END, "file-end-error", &b);

    p2v_chunk_encode(&b, 7, 4096, basis, 300);
    msg(M_CHUNK, "chunk", &b);
    p2v_chunk_encode(&b, 1, (uint64_t)INT64_MAX - 10, "0123456789", 10);
    msg(M_CHUNK, "chunk-at-limit", &b);
    p2v_hole_encode(&b, 7, 8192, 1u << 20);
    msg(M_HOLE, "hole", &b);
    p2v_hole_encode(&b, 7, 0, (uint64_t)INT64_MAX);
    msg(M_HOLE, "hole-at-limit", &b);

    zchunk(basis, FUZZ_BASIS_LEN, &b);
    msg(M_ZCHUNK, "zstd-basis", &b);
    static char zeros[65536];
    zchunk(zeros, sizeof(zeros), &b);
    msg(M_ZCHUNK, "zstd-zeros", &b);
    p2v_buf_add(&b, basis, 2000);
    msg(M_ZCHUNK, "plain-text", &b);
}

/* ---- frame streams ---- */

struct stream {
    struct p2v_conn c;
    int fd;
};

static void stream_begin(struct stream *s)
{
    s->fd = fuzz_memfd("", 0);
    if (s->fd < 0)
        die("memfd");
    p2v_conn_init(&s->c, -1, s->fd, -1, "seed");
}

static void send_msg(struct stream *s, uint16_t type, struct p2v_buf *payload)
{
    if (p2v_frame_send(&s->c, type, payload->data ? payload->data : "", payload->len) < 0)
        die("frame");
    p2v_buf_release(payload);
}

/* flags: bit 0 lines first; cut: drop that many bytes from the end */
static void stream_end(struct stream *s, const char *name, unsigned flags, const char *lines,
                       const char *err, size_t cut)
{
    struct stat st;
    if (fstat(s->fd, &st) < 0)
        die("fstat");
    size_t n = (size_t)st.st_size;
    unsigned char *data = p2v_xmalloc(n + 1);
    if (pread(s->fd, data, n, 0) != (ssize_t)n)
        die("pread");
    close(s->fd);
    p2v_conn_release(&s->c);
    size_t errlen = err ? strlen(err) : 0;
    struct p2v_buf b = P2V_BUF_INIT(8u << 20);
    p2v_put_u8(&b, (uint8_t)flags);
    p2v_put_u16(&b, (uint16_t)errlen);
    p2v_buf_add(&b, err ? err : "", errlen);
    if (lines)
        p2v_buf_adds(&b, lines);
    p2v_buf_add(&b, data, n > cut ? n - cut : 0);
    free(data);
    putb("frame", name, &b);
}

void seeds_frame(const unsigned char *basis, const struct p2v_buf *delta)
{
    struct stream s;
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);

    stream_begin(&s);
    p2v_hello_encode(&b, &agent_hello);
    send_msg(&s, P2V_MSG_HELLO, &b);
    stream_end(&s, "hello", 1, "Last login: Mon Nov 20 10:00:00 2023\nP2VBOOT 1 x86_64 /tmp/p2v.1\n",
               NULL, 0);

    stream_begin(&s);
    p2v_hello_encode(&b, &agent_hello);
    send_msg(&s, P2V_MSG_HELLO, &b);
    const char *doc = "{\"schema\":1,\"hostname\":\"web1\",\"uname\":{\"machine\":\"x86_64\"}}";
    p2v_buf_add(&b, doc, 20);
    send_msg(&s, P2V_MSG_FACTS_DATA, &b);
    p2v_buf_adds(&b, doc + 20);
    send_msg(&s, P2V_MSG_FACTS_DATA, &b);
    p2v_put_u64(&b, strlen(doc));
    send_msg(&s, P2V_MSG_FACTS_END, &b);
    stream_end(&s, "hello-facts", 0, NULL, "bash: warning: setlocale: LC_ALL: cannot change\n", 0);

    stream_begin(&s);
    entry_batch(&b, 0, 6);
    send_msg(&s, P2V_MSG_LIST_DATA, &b);
    entry_batch(&b, 6, P2V_ARRAY_LEN(entries) - 6);
    struct p2v_buf z = P2V_BUF_INIT(4u << 20);
    zchunk(b.data, b.len, &z);
    p2v_buf_release(&b);
    send_msg(&s, P2V_MSG_LIST_ZDATA, &z);
    p2v_put_bytes(&b, "proc/1/fd", 9);
    p2v_put_str(&b, "Permission denied");
    send_msg(&s, P2V_MSG_LIST_WARN, &b);
    p2v_put_str(&b, "listing");
    p2v_put_u64(&b, 14);
    p2v_put_u64(&b, 0);
    send_msg(&s, P2V_MSG_PROGRESS, &b);
    p2v_put_u64(&b, 14);
    send_msg(&s, P2V_MSG_LIST_END, &b);
    stream_end(&s, "listing", 0, NULL, NULL, 0);

    stream_begin(&s);
    p2v_chunk_encode(&b, 1, 0, basis, 1000);
    send_msg(&s, P2V_MSG_FILE_DATA, &b);
    p2v_hole_encode(&b, 1, 1000, 8192);
    send_msg(&s, P2V_MSG_FILE_HOLE, &b);
    zchunk(basis, FUZZ_BASIS_LEN, &z);
    p2v_chunk_encode(&b, 1, 9192, z.data, z.len);
    p2v_buf_release(&z);
    send_msg(&s, P2V_MSG_FILE_ZDATA, &b);
    struct p2v_file_end fe = {.id = 1, .size = 9192 + FUZZ_BASIS_LEN, .mtime_sec = 1700000000};
    p2v_file_end_encode(&b, &fe);
    send_msg(&s, P2V_MSG_FILE_END, &b);
    stream_end(&s, "file-whole", 0, NULL, NULL, 0);

    stream_begin(&s);
    p2v_chunk_encode(&b, 2, 0, delta->data, delta->len);
    send_msg(&s, P2V_MSG_FILE_DELTA, &b);
    zchunk(delta->data, delta->len, &z);
    p2v_chunk_encode(&b, 2, 0, z.data, z.len);
    p2v_buf_release(&z);
    send_msg(&s, P2V_MSG_FILE_ZDELTA, &b);
    p2v_chunk_encode(&b, 2, 0, "sig", 3);
    send_msg(&s, P2V_MSG_FILE_SIG, &b);
    fe = (struct p2v_file_end){.id = 2, .status = P2V_FILE_CHANGED, .size = 6000,
                               .message = "changed while read"};
    p2v_file_end_encode(&b, &fe);
    send_msg(&s, P2V_MSG_FILE_END, &b);
    stream_end(&s, "file-delta", 0, NULL, NULL, 0);

    stream_begin(&s);
    p2v_put_u32(&b, 2);
    p2v_put_str(&b, "cannot open /: No such file or directory");
    send_msg(&s, P2V_MSG_ERROR, &b);
    send_msg(&s, P2V_MSG_BYE, &b);
    stream_end(&s, "error-bye", 0, NULL, "p2v-agent: fatal\nline two\nline three\nline four\n", 0);

    /* a chatty stderr beyond the kept tail, lines longer than a line */
    stream_begin(&s);
    p2v_hello_encode(&b, &agent_hello);
    send_msg(&s, P2V_MSG_HELLO, &b);
    struct p2v_buf err = P2V_BUF_INIT(8192);
    for (int i = 0; err.len < 6000; i++)
        p2v_buf_printf(&err, i % 7 ? "warning %d: something\n" : "%0300d", i);
    stream_end(&s, "stderr-long", 0, NULL, err.data, 0);
    p2v_buf_release(&err);

    /* a stream that stops in the middle of a frame */
    stream_begin(&s);
    p2v_hello_encode(&b, &agent_hello);
    send_msg(&s, P2V_MSG_HELLO, &b);
    stream_end(&s, "truncated", 0, NULL, NULL, 5);

    /* only shell noise, no marker */
    stream_begin(&s);
    stream_end(&s, "junk-lines", 1, "motd\nmore motd\nno marker here", NULL, 0);

    /* headers no encoder writes: over the limit, unknown flags */
    static const unsigned char big[] = {0, 0, 0, 0x00, 0x10, 0x00, 0x01, 0, 1, 0, 0};
    put("frame", "oversize-header", big, sizeof(big));
    static const unsigned char fl[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0};
    put("frame", "unknown-flags", fl, sizeof(fl));
}

