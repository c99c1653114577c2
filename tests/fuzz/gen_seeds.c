/* gen_seeds.c: write the seed corpora of the fuzz targets from real
 * encodings: p2v's own encoders (frames, messages, entries, JSON facts),
 * librsync signatures and deltas against the delta target's basis, zstd
 * chunks, and the fixtures under tests/fixtures (quota files, os-release,
 * mountinfo, facts). Extra facts documents (e.g. `p2v-agent --facts
 * --no-scan` output) are added to the inventory corpus as they are.
 *
 *   fuzz-gen-seeds OUTDIR FIXTURES_DIR [FACTS.json...]
 *
 * writes OUTDIR/<target>/<name> (see tests/fuzz/gen-corpus.sh). A few
 * seeds are hand-made where no encoder can produce them: corrupt deltas,
 * truncated streams, hostile facts. */
#include "fuzz.h"
#include "delta.h"
#include "error.h"
#include "json_write.h"
#include "proto.h"
#include "xfer.h"
#include <librsync.h>
#include <sys/stat.h>

static const char *outdir, *fixtures;

static void die(const char *what)
{
    fprintf(stderr, "fuzz-gen-seeds: %s: %s\n", what, p2v_error_message());
    exit(1);
}

static void put(const char *target, const char *name, const void *p, size_t n)
{
    p2v_autofree char *dir = p2v_xasprintf("%s/%s", outdir, target);
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        perror(dir);
        exit(1);
    }
    p2v_autofree char *path = p2v_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void putb(const char *target, const char *name, struct p2v_buf *b)
{
    put(target, name, b->data ? b->data : "", b->len);
    p2v_buf_release(b);
}

/* A file's bytes; path relative to the fixtures unless absolute. */
static char *slurp(const char *path, size_t *len)
{
    p2v_autofree char *full = path[0] == '/' ? p2v_xstrdup(path)
                                              : p2v_xasprintf("%s/%s", fixtures, path);
    FILE *f = fopen(full, "rb");
    if (!f) {
        perror(full);
        exit(1);
    }
    struct p2v_buf b = P2V_BUF_INIT(16u << 20);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        if (p2v_buf_add(&b, tmp, n) < 0)
            die(full);
    fclose(f);
    *len = b.len;
    return p2v_buf_detach(&b);
}

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
    for (size_t i = from; i < from + n; i++)
        if (p2v_entry_encode(b, &entries[i]) < 0)
            die("entry");
}

/* path_len and link_len from the strings (none holds a NUL) */
static void fix_entries(void)
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

static void seeds_msg(const unsigned char *basis)
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
        p2v_entry_encode(&b, &entries[i]);
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

static void seeds_frame(const unsigned char *basis, const struct p2v_buf *delta)
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

/* ---- deltas ---- */

static void job(rs_job_t *j, const void *in, size_t n, struct p2v_buf *out)
{
    char tmp[65536];
    rs_buffers_t b = {.next_in = (char *)in, .avail_in = n, .eof_in = true};
    for (;;) {
        b.next_out = tmp;
        b.avail_out = sizeof(tmp);
        rs_result r = rs_job_iter(j, &b);
        if (out && p2v_buf_add(out, tmp, sizeof(tmp) - b.avail_out) < 0)
            die("librsync output");
        if (r == RS_DONE)
            break;
        if (r != RS_BLOCKED) {
            fprintf(stderr, "fuzz-gen-seeds: librsync: %s\n", rs_strerror(r));
            exit(1);
        }
    }
    rs_job_free(j);
}

/* The real delta of `target` against the basis, via delta_signature. */
static void make_delta(const unsigned char *basis, const void *target, size_t n,
                       struct p2v_buf *out)
{
    int fd = fuzz_memfd(basis, FUZZ_BASIS_LEN);
    struct p2v_buf sig = P2V_BUF_INIT(1u << 20);
    if (fd < 0 || delta_signature(fd, FUZZ_BASIS_LEN, &sig) < 0)
        die("signature");
    close(fd);
    rs_signature_t *sums = NULL;
    job(rs_loadsig_begin(&sums), sig.data, sig.len, NULL);
    p2v_buf_release(&sig);
    if (rs_build_hash_table(sums) != RS_DONE)
        die("hash table");
    job(rs_delta_begin(sums), target, n, out);
    rs_free_sumset(sums);
}

static void delta_seed(const char *name, unsigned mode, struct p2v_buf *delta)
{
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    p2v_put_u8(&b, (uint8_t)mode);
    p2v_buf_add(&b, delta->data ? delta->data : "", delta->len);
    p2v_buf_release(delta);
    putb("delta", name, &b);
}

static void seeds_delta(const unsigned char *basis, struct p2v_buf *keep)
{
    unsigned char *t = p2v_xmalloc(3 * FUZZ_BASIS_LEN);
    struct p2v_buf d = P2V_BUF_INIT(4u << 20);

    make_delta(basis, basis, FUZZ_BASIS_LEN, &d);
    delta_seed("same", 0, &d);
    make_delta(basis, basis, FUZZ_BASIS_LEN, &d);
    delta_seed("same-verify", 1, &d);

    memcpy(t, basis, FUZZ_BASIS_LEN);
    memcpy(t + 2000, "a change in the middle of the file", 34);
    t[5000] ^= 0xff;
    make_delta(basis, t, FUZZ_BASIS_LEN, &d);
    p2v_buf_add(keep, d.data, d.len);
    delta_seed("changed", 0, &d);
    make_delta(basis, t, FUZZ_BASIS_LEN, &d);
    delta_seed("changed-fed-7", 2, &d);
    make_delta(basis, t, FUZZ_BASIS_LEN, &d);
    delta_seed("changed-verify-fed-91", 27, &d);

    memcpy(t, basis + 3000, 3000);        /* moved blocks */
    memcpy(t + 3000, basis, 3000);
    make_delta(basis, t, 6000, &d);
    delta_seed("moved", 0, &d);

    memcpy(t, basis, FUZZ_BASIS_LEN);      /* grown */
    memcpy(t + FUZZ_BASIS_LEN, basis, FUZZ_BASIS_LEN);
    for (size_t i = 0; i < FUZZ_BASIS_LEN; i++)
        t[2 * FUZZ_BASIS_LEN + i] = (unsigned char)(i * 7);
    make_delta(basis, t, 3 * FUZZ_BASIS_LEN, &d);
    delta_seed("grown", 4, &d);

    make_delta(basis, "", 0, &d);
    delta_seed("empty", 0, &d);
    make_delta(basis, "brand new short text\n", 21, &d);
    delta_seed("literal-only", 0, &d);

    /* hand-made: copies beyond the basis, a literal longer than the
     * stream, no END (opcodes: 0x41 LITERAL_N1, 0x45 + 4*p + l COPY) */
    static const unsigned char beyond[] = {0x72, 0x73, 0x02, 0x36, 0x4f, 0, 0, 0x17, 0x70,
                                           0, 0, 0x03, 0xe8, 0};
    p2v_buf_add(&d, beyond, sizeof(beyond));
    delta_seed("copy-beyond-basis", 0, &d);
    static const unsigned char far[] = {0x72, 0x73, 0x02, 0x36, 0x51, 0x40, 0, 0, 0, 0, 0, 0,
                                        0, 0x10, 0};
    p2v_buf_add(&d, far, sizeof(far));
    delta_seed("copy-far", 0, &d);
    static const unsigned char longlit[] = {0x72, 0x73, 0x02, 0x36, 0x41, 0xff, 'a', 'b'};
    p2v_buf_add(&d, longlit, sizeof(longlit));
    delta_seed("literal-truncated", 0, &d);
    static const unsigned char noend[] = {0x72, 0x73, 0x02, 0x36, 0x03, 'a', 'b', 'c'};
    p2v_buf_add(&d, noend, sizeof(noend));
    delta_seed("no-end", 0, &d);
    static const unsigned char wrong[] = {0x72, 0x73, 0x01, 0x36, 0};
    p2v_buf_add(&d, wrong, sizeof(wrong));
    delta_seed("signature-magic", 0, &d);
    free(t);
}

/* ---- facts ---- */

struct file_fixture {
    const char *path, *fixture;
};

/* A facts document: uname, the files given, raw JSON members appended. */
static void facts(const char *name, const char *hostname, const struct file_fixture *files,
                  size_t nfiles, const char *extra)
{
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_kint(&j, "schema", 1);
    if (hostname)
        p2v_json_kstr(&j, "hostname", hostname);
    p2v_json_key(&j, "uname");
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "release", "3.10.0-1160.el7.x86_64");
    p2v_json_kstr(&j, "machine", "x86_64");
    p2v_json_kstr(&j, "nodename", "web1");
    p2v_json_obj_end(&j);
    p2v_json_key(&j, "files");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; i < nfiles; i++) {
        size_t len;
        p2v_autofree char *text = slurp(files[i].fixture, &len);
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "path", files[i].path);
        p2v_json_key(&j, "blob");
        p2v_json_obj_begin(&j);
        p2v_json_blob(&j, text, len);
        p2v_json_obj_end(&j);
        p2v_json_obj_end(&j);
    }
    p2v_json_arr_end(&j);
    p2v_json_obj_end(&j);
    if (p2v_json_finish(&j) < 0)
        die("json");
    if (extra && *extra) {
        b.data[--b.len] = '\0';
        p2v_buf_printf(&b, ",%s}", extra);
    }
    putb("inventory", name, &b);
}

/* quota_files members from the fixture files (blob: base64) */
static char *quota_files_member(void)
{
    static const struct {
        const char *file, *type;
    } q[] = {{"quota/vfsv0/aquota.user", "user"}, {"quota/vfsv1/aquota.group", "group"},
             {"quota/vfsold/quota.user", "user"}};
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_key(&j, "quota_files");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; i < P2V_ARRAY_LEN(q); i++) {
        size_t len;
        p2v_autofree char *data = slurp(q[i].file, &len);
        if (len > 4000)
            len = 4000;   /* the first 100 ids of the flat vfsold file */
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "mountpoint", i == 0 ? "/home" : i == 1 ? "/srv/my data" : "/");
        p2v_json_kstr(&j, "path", q[i].file);
        p2v_json_kstr(&j, "type", q[i].type);
        p2v_json_kuint(&j, "size", len);
        p2v_json_key(&j, "blob");
        p2v_json_obj_begin(&j);
        p2v_json_blob(&j, data, len);
        p2v_json_obj_end(&j);
        p2v_json_obj_end(&j);
    }
    p2v_json_arr_end(&j);
    p2v_json_obj_end(&j);
    if (p2v_json_finish(&j) < 0)
        die("json");
    /* the member alone, without the braces */
    char *s = p2v_xstrndup(b.data + 1, b.len - 2);
    p2v_buf_release(&b);
    return s;
}

static const char net_member[] =
    "\"interfaces\":[{\"name\":\"lo\",\"flags\":[\"up\",\"loopback\"],\"mac\":\"00:00:00:00:00:00\","
    "\"addresses\":[{\"family\":\"inet\",\"address\":\"127.0.0.1\",\"prefix\":8}]},"
    "{\"name\":\"eth0\",\"flags\":[\"up\"],\"mac\":\"02:00:00:00:00:10\",\"addresses\":["
    "{\"family\":\"inet\",\"address\":\"198.51.100.10\",\"prefix\":24},"
    "{\"family\":\"inet6\",\"address\":\"2001:DB8:10:0::10\",\"prefix\":64},"
    "{\"family\":\"inet6\",\"address\":\"fe80::1\",\"prefix\":64},"
    "{\"family\":\"inet\",\"address\":\"1.2.3.4; rm -rf /\",\"prefix\":24},"
    "{\"family\":\"inet\",\"address\":\"203.0.113.9\",\"prefix\":99}]},"
    "{\"name\":\"bad\\nname\",\"addresses\":[]},"
    "{\"name\":\"venet0:0\",\"addresses\":[{\"family\":\"inet\",\"address\":\"10.0.0.1\",\"prefix\":32}]},"
    "{\"name\":\"eth1\",\"mac\":\"02:00:00:00:00:11\",\"addresses\":[{\"family\":\"inet\","
    "\"address\":\"203.0.113.10\",\"prefix\":24}]}],"
    "\"mac_mentions\":[{\"path\":\"/opt/licence/app.lic\",\"mac\":\"02:00:00:00:00:10\","
    "\"interface\":\"eth0\"}]";

static const char block_member[] =
    "\"block_devices\":["
    "{\"name\":\"loop7\",\"path\":\"/dev/loop7\",\"dev\":\"7:7\",\"size\":8388608,\"blkid\":{}},"
    "{\"name\":\"sdb\",\"path\":\"/dev/sdb\",\"dev\":\"8:16\",\"size\":1000,\"partitions\":[\"sdb1\"],"
    "\"blkid\":{\"PTTYPE\":\"gpt\"}},"
    "{\"name\":\"sdb1\",\"path\":\"/dev/sdb1\",\"dev\":\"8:17\",\"size\":1000,\"partition\":true,"
    "\"blkid\":{\"TYPE\":\"ext4\",\"UUID\":\"u-1\",\"LABEL\":\"data\"}},"
    "{\"name\":\"sdc\",\"path\":\"/dev/sdc\",\"dev\":\"8:32\",\"size\":1000,\"holders\":[\"dm-0\"],\"blkid\":{}},"
    "{\"name\":\"sda2\",\"path\":\"/dev/sda2\",\"dev\":\"8:2\",\"size\":1000,\"partition\":true,"
    "\"blkid\":{\"TYPE\":\"swap\"}},"
    "{\"name\":\"vda\",\"path\":\"/dev/vda\",\"dev\":\"254:0\",\"size\":1000,"
    "\"blkid_error\":\"Operation not permitted\"}]";

static const char statfs_member[] =
    "\"statfs\":[{\"mountpoint\":\"/home\",\"bsize\":4096,\"blocks\":1000,\"bfree\":400,"
    "\"bavail\":400,\"files\":100,\"ffree\":40,\"dev\":\"253:2\"},"
    "{\"mountpoint\":\"/\",\"bsize\":4096,\"blocks\":100000000,\"bfree\":0,\"bavail\":0,"
    "\"files\":10,\"ffree\":0},{\"mountpoint\":\"/boot\",\"bsize\":4096,\"blocks\":10,"
    "\"bfree\":99,\"bavail\":1,\"files\":1,\"ffree\":1}]";

static const char quota_member[] =
    "\"quotas\":[{\"mountpoint\":\"/home\",\"device\":\"/dev/mapper/home\",\"fstype\":\"xfs\","
    "\"type\":\"user\",\"format\":\"xfs\",\"active\":true,\"enforcing\":true,\"bgrace\":604800,"
    "\"igrace\":604800,\"entries\":[{\"id\":1000,\"bsoft\":100,\"bhard\":200,\"curspace\":4096},"
    "{\"id\":1001}]},{\"mountpoint\":\"/srv/my data\",\"type\":\"group\",\"format\":\"vfsv1\","
    "\"active\":true,\"entries\":[{\"id\":100,\"isoft\":5,\"ihard\":10}],\"truncated\":true}]";

static const char security_member[] =
    "\"xattr_scan\":{\"files\":42,\"truncated\":false,\"namespaces\":{"
    "\"user\":{\"count\":2,\"samples\":[\"/srv/a\"]},"
    "\"security.selinux\":{\"count\":40,\"samples\":[\"/etc/passwd\",\"/etc/shadow\"]},"
    "\"trusted\":{\"count\":0,\"samples\":[]}}},"
    "\"errors\":[{\"what\":\"/proc/mounts\",\"error\":\"Permission denied\"},{\"what\":1}]";

static const char elf_member[] =
    "\"elf\":[{\"path\":\"/lib64/libc.so.6\",\"class\":64,\"endian\":\"little\",\"machine\":183,"
    "\"notes\":{\"base64\":\"BAAAABAAAAABAAAAR05VAAAAAAAJAAAAAAAAAAAAAAA=\"}},"
    "{\"path\":\"/sbin/init\",\"class\":32,\"endian\":\"big\",\"machine\":8,\"notes\":{\"text\":\"\"}}],"
    "\"cpu\":{\"flags\":\"fpu cmov sse sse2 lm avx2 aes\",\"model_name\":\"x\",\"count\":2},"
    "\"agent\":{\"software\":\"p2v-agent 0.1.0\"}";

static void seeds_inventory(int argc, char **argv)
{
    static const struct file_fixture os[] = {
        {"/etc/os-release", "facts/os-release.debian12"},
        {"/etc/os-release", "facts/os-release.debian11"},
        {"/etc/os-release", "facts/os-release.ubuntu2204"},
        {"/etc/os-release", "facts/os-release.centos7"},
        {"/etc/os-release", "facts/os-release.alpine318"},
        {"/etc/redhat-release", "facts/redhat-release.centos6"},
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(os); i++) {
        struct file_fixture f[] = {{"/proc/self/mountinfo", "facts/mountinfo.centos7"}, os[i]};
        char name[64];
        snprintf(name, sizeof(name), "os-%s", strrchr(os[i].fixture, '/') + 1);
        facts(name, NULL, f, 2, NULL);
    }
    struct file_fixture mounts[] = {{"/proc/self/mountinfo", "facts/mountinfo.centos7"},
                                    {"/proc/swaps", "facts/swaps.centos7"},
                                    {"/etc/os-release", "facts/os-release.centos7"}};
    facts("mounts-statfs", "web1.example.com", mounts, 3, statfs_member);
    facts("net-block", "web1.example.com", mounts, 1, net_member);
    char *nb = p2v_xasprintf("%s,%s", net_member, block_member);
    facts("net-block-devices", "web1", mounts, 1, nb);
    free(nb);
    facts("hostile-hostname", "web1\nIP_ADDRESS=\"6.6.6.6\" $(reboot)", mounts, 1, net_member);
    facts("quotas", NULL, mounts, 1, quota_member);
    char *qf = quota_files_member();
    facts("quota-files", NULL, mounts, 1, qf);
    free(qf);
    facts("security-elf", NULL, mounts, 1, security_member);
    facts("elf-cpu", NULL, mounts, 1, elf_member);

    /* resolv.conf, fstab and the SELinux files of each network fixture tree */
    static const char *const trees[] = {"debian12-ifupdown", "none-unknown", "alpine-ifupdown"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(trees); i++) {
        struct file_fixture f[4] = {{"/proc/self/mountinfo", "facts/mountinfo.centos7"}};
        size_t n = 1;
        static const char *const names[] = {"/etc/resolv.conf", "/etc/hostname", "/etc/alpine-release"};
        for (size_t k = 0; k < P2V_ARRAY_LEN(names); k++) {
            p2v_autofree char *rel = p2v_xasprintf("net/%s/in%s", trees[i], names[k]);
            p2v_autofree char *full = p2v_xasprintf("%s/%s", fixtures, rel);
            if (access(full, R_OK) == 0) {
                f[n].path = names[k];
                f[n++].fixture = p2v_steal(rel);
            }
        }
        char name[64];
        snprintf(name, sizeof(name), "tree-%s", trees[i]);
        facts(name, "host-1", f, n, net_member);
        for (size_t k = 1; k < n; k++)
            free((char *)f[k].fixture);
    }
    char *files = p2v_xasprintf(
        "\"files\":[{\"path\":\"/etc/selinux/config\",\"blob\":{\"text\":\"%s\"}},"
        "{\"path\":\"/sys/fs/selinux/enforce\",\"blob\":{\"text\":\"1\"}},"
        "{\"path\":\"/etc/fstab\",\"blob\":{\"text\":\"%s\"}},"
        "{\"path\":\"/etc/resolv.conf\",\"blob\":{\"base64\":\"bmFtZXNlcnZlciAxLjEuMS4xCg==\"}},"
        "{\"path\":\"/etc/resolv.conf\",\"blob\":{\"text\":\"%s\"}}]",
        "SELINUX=enforcing\\nSELINUXTYPE=targeted\\n",
        "UUID=u-1 / ext4 defaults 0 1\\n/dev/sda2 none swap sw 0 0\\n# comment\\n",
        "nameserver 198.51.100.53\\nnameserver 127.0.0.53\\nnameserver 2001:db8::53\\n"
        "search example.com in_ternal.lan\\nnameserver ;reboot\\n");
    char *doc = p2v_xasprintf("{\"schema\":1,\"uname\":{\"nodename\":\"n\"},%s}", files);
    put("inventory", "selinux-fstab-resolv", doc, strlen(doc));
    free(doc);
    free(files);

    static const char *const small[] = {
        "{\"schema\":1}", "{\"schema\":2}", "[1]", "{\"schema\":1,\"files\":{}}",
        "{\"schema\":1,\"interfaces\":[1,\"x\",null,{\"addresses\":7}]}",
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(small); i++) {
        char name[32];
        snprintf(name, sizeof(name), "small-%zu", i);
        put("inventory", name, small[i], strlen(small[i]));
    }
    size_t len;
    char *c6 = slurp("facts/centos6-quota.json", &len);
    put("inventory", "centos6-quota", c6, len);
    free(c6);
    for (int i = 0; i < argc; i++) {
        char *d = slurp(argv[i], &len);
        char name[32];
        snprintf(name, sizeof(name), "agent-facts-%d", i);
        put("inventory", name, d, len);
        free(d);
    }
}

/* ---- text and file parsers ---- */

static void copy_fixture(const char *target, const char *name, const char *fixture, size_t cut)
{
    size_t len;
    char *d = slurp(fixture, &len);
    put(target, name, d, cut && cut < len ? cut : len);
    free(d);
}

static void seeds_files(void)
{
    static const char *const osr[] = {"os-release.alpine318", "os-release.centos7",
                                      "os-release.debian11", "os-release.debian12",
                                      "os-release.ubuntu2204", "redhat-release.centos6"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(osr); i++) {
        p2v_autofree char *f = p2v_xasprintf("facts/%s", osr[i]);
        copy_fixture("osrelease", osr[i], f, 0);
    }
    static const char *const osx[] = {
        "NAME='x y'\nID=\"deb\\\"ian\"\nVERSION_ID=12\n",
        "  ID=  \nID_LIKE=\"rhel fedora\nPRETTY_NAME='unterminated\n",
        "ID=a\\\nVERSION_ID=\"1.2\\\\\"\t \nI=\n",
        "ID=ubuntu\nVERSION_ID=\"22.04\"\nID_LIKE=debian\n",
        "ID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\nID_LIKE=\"suse opensuse\"\n",
        "ID=arch\nBUILD_ID=rolling\nPRETTY_NAME=\"Arch Linux\"\n",
        "ID=gentoo\nVERSION_ID=2.14\nNAME=Gentoo\n",
        "ID=\"rhel\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\n",
        "ID='debian; rm -rf /'\nVERSION_ID=\"12\\n\"\nPRETTY_NAME=\"$(id)\"\n",
        "ID=\nVERSION_ID=\n",
        "IDX=1\nID =2\n ID=3\n\tID=4\n",
        "PRETTY_NAME=\"\xc3\x9c" "buntu \xe2\x80\x94 caf\xc3\xa9\"\nID=\"\\",
        "VERSION_ID='12'trailing\nID=\"deb\"ian\"\n",
        "ID=\"'\"\nID_LIKE='\"'\n",
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(osx); i++) {
        char name[32];
        snprintf(name, sizeof(name), "quoting-%zu", i);
        put("osrelease", name, osx[i], strlen(osx[i]));
    }

    static const char *const q[] = {"vfsv0/aquota.user", "vfsv0/aquota.group",
                                    "vfsv1/aquota.user", "vfsv1/aquota.group",
                                    "vfsold/quota.user", "vfsold/quota.group"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(q); i++) {
        p2v_autofree char *f = p2v_xasprintf("quota/%s", q[i]);
        char name[64];
        snprintf(name, sizeof(name), "%.*s-%s", (int)(strchr(q[i], '/') - q[i]), q[i],
                 strchr(q[i], '/') + 1);
        /* the flat vfsold files are 120 KB: one whole, the other cut */
        copy_fixture("quota_file", name, f, strcmp(q[i], "vfsold/quota.group") == 0 ? 8000 : 0);
        static const size_t cuts[] = {8, 1024, 2048, 3072, 1100};
        for (size_t k = 0; k < P2V_ARRAY_LEN(cuts); k++) {
            if (k >= 2 && i >= 4)
                break;
            char cut[80];
            snprintf(cut, sizeof(cut), "%s-first-%zu", name, cuts[k]);
            copy_fixture("quota_file", cut, f, cuts[k]);
        }
    }

    copy_fixture("ctconf", "ve-vswap-p2v.conf-sample", "../../templates/ve-vswap-p2v.conf-sample", 0);
    static const char *const conf[] = {
        "# comment\nVE_ROOT=\"/vz/root/$VEID\"\nVE_PRIVATE=\"/vz/private/$VEID\"\n"
        "OSTEMPLATE=\"debian-12-x86_64\"\nHOSTNAME=\"web1.example.com\"\n",
        "  ONBOOT=yes # inline stays\nNOEQUALS\nA=\"x\"y\"\nA=dup\n\t\n=\"empty key\"\nweb1",
        "X=\"unmatched\n",
        "IP_ADDRESS=\"198.51.100.10 2001:db8::10\"\nNAMESERVER=\"1.1.1.1\"\nHOSTNAME=old\n"
        "web1.example.com",
        "HOSTNAME=\"a\"\nnew\"host$(x)",
        "",
        "\n\n\n",
        "PHYSPAGES=\"0:262144\"\nSWAPPAGES=\"0:131072\"\nDISKSPACE=\"10G:11G\"\n"
        "DISKINODES=\"200000:220000\"\nQUOTATIME=\"0\"\nCPUUNITS=\"1000\"\n"
        "NETFILTER=\"stateless\"\nVE_LAYOUT=\"simfs\"\nhost\twith tab",
        "# only comments\n   # indented\n\t#tab\n",
        "KEY=\"\"\nKEY2=\n KEY3 = \"spaced\" \nlowercase=ok\nK-EY=x\n",
        "A=\"one\"\"two\"\nB='single'\nC=\"x\" # \"quoted comment\"\n",
        "HOSTNAME=first\nHOSTNAME=second\nHOSTNAME=\"third\"\n\xc3\xa9t\xc3\xa9.example",
        "X=\"a\r\"\r\nY=b\r\nvalue with spaces and ; & | < >",
        "NOQUOTE\nNOQUOTE=\nNO QUOTE=\"v\"\nback\\slash",
        "=\n==\n\"=\"\n$(reboot)",
        "DESCRIPTION=\"migrated from web1 by p2v\"\nORIGIN_SAMPLE=\"vswap.1g\"\n"
        "IP_ADDRESS=\"\"\n`id`",
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(conf); i++) {
        char name[32];
        snprintf(name, sizeof(name), "conf-%zu", i);
        put("ctconf", name, conf[i], strlen(conf[i]));
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz-gen-seeds OUTDIR FIXTURES_DIR [FACTS.json...]\n");
        return 2;
    }
    outdir = argv[1];
    fixtures = argv[2];
    fuzz_quiet();
    rs_trace_set_level(RS_LOG_EMERG);
    if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
        perror(outdir);
        return 1;
    }
    fix_entries();
    unsigned char basis[FUZZ_BASIS_LEN];
    fuzz_basis(basis);
    struct p2v_buf delta = P2V_BUF_INIT(4u << 20);
    seeds_delta(basis, &delta);
    seeds_msg(basis);
    seeds_frame(basis, &delta);
    p2v_buf_release(&delta);
    seeds_inventory(argc - 3, argv + 3);
    seeds_files();
    return 0;
}
