/* evil-agent.c: an agent that speaks the protocol but lies (issue #5).
 *
 *   EVIL_CASE=NAME EVIL_FACTS=FILE [EVIL_SENTINEL=DIR] evil-agent --serve
 *
 * Run by p2vmigrate through `-e tests/tools/local-rsh --agent evil-agent`
 * (tests/integration/hostile-agent.sh). It answers HELLO, sends FILE as
 * its facts, lists a small made-up tree and serves its files, except
 * where the case says otherwise: see the table at the end. Everything is
 * encoded with libp2v's own encoders, so only the lie differs from what
 * agent-linux/serve.c, files_list.c and files_send.c send. Test-only:
 * never installed. */
#include "common.h"
#include "error.h"
#include "filesum.h"
#include "proto.h"
#include "xfer.h"
#include <signal.h>
#include <unistd.h>

#define MTIME 1600000000
#define BIG_SIZE (200u << 10)

static const char *cas = "honest";
static const char *sentinel = "/nonexistent";   /* a directory next to the private area */
static const char *target = "/nonexistent";     /* a file the attacks aim at */
static struct p2v_conn conn;

static bool is(const char *name)
{
    return strcmp(cas, name) == 0;
}

static void die(const char *what)
{
    fprintf(stderr, "evil-agent (%s): %s: %s\n", cas, what, p2v_error_message());
    exit(1);
}

static void hang(void)
{
    for (;;)
        pause();
}

static void send_frame(uint16_t type, const struct p2v_buf *b)
{
    if (p2v_frame_send(&conn, type, b->data ? b->data : "", b->len) < 0)
        die("send");
}

static void send_raw(const void *p, size_t n)
{
    if (p2v_conn_write(&conn, p, n) < 0)
        die("write");
}

/* A frame header as bytes, whatever it says. */
static void send_header(uint32_t len, uint16_t type, uint16_t flags)
{
    unsigned char h[8] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                          (unsigned char)(len >> 8), (unsigned char)len,
                          (unsigned char)(type >> 8), (unsigned char)type,
                          (unsigned char)(flags >> 8), (unsigned char)flags};
    send_raw(h, sizeof(h));
}

static void recv_frame(uint16_t *type, const void **p, size_t *n)
{
    if (p2v_frame_recv(&conn, type, p, n) < 0) {
        if (conn.closed)
            exit(0);   /* the node hung up: the case is over */
        die("receive");
    }
}

/* ---- the tree ---- */

struct ent {
    const char *path;
    size_t path_len;   /* 0: strlen(path) */
    uint8_t type;
    uint64_t size;     /* regular files */
    const char *link;
    size_t link_len;
    int64_t mtime;
    const char *text;  /* the content, else content() */
};

/* The content of every file: a pattern that depends on the offset only. */
/* The "delta-sum-" cases change the first bytes of data/big for the
 * sync (the only file that goes by delta): the copy must end with them. */
#define NEW_HEAD "P2V-NEW-CONTENT!"

static void content(uint64_t off, char *p, size_t n)
{
    bool new_head = strncmp(cas, "delta-sum-", 10) == 0;
    for (size_t i = 0; i < n; i++)
        p[i] = new_head && off + i < sizeof(NEW_HEAD) - 1 ? NEW_HEAD[off + i]
                                                         : (char)('a' + (off + i) % 26);
}

static struct ent tree[64];
static size_t ntree;

static struct ent *add(const char *path, uint8_t type, uint64_t size, const char *link)
{
    if (ntree == P2V_ARRAY_LEN(tree))
        exit(2);
    struct ent *e = &tree[ntree++];
    *e = (struct ent){.path = path, .type = type, .size = size, .link = link, .mtime = MTIME};
    return e;
}

static void add_text(const char *path, const char *text)
{
    add(path, P2V_FT_REG, strlen(text), NULL)->text = text;
}

/* A Debian-like /etc, so that the conversion writes network files too. */
static void base_tree(void)
{
    add("", P2V_FT_DIR, 0, NULL);
    add("etc", P2V_FT_DIR, 0, NULL);
    add_text("etc/hostname", "oldname\n");
    add_text("etc/debian_version", "12.5\n");
    add("etc/network", P2V_FT_DIR, 0, NULL);
    add_text("etc/network/interfaces", "auto lo\niface lo inet loopback\n\nauto eth0\n"
             "iface eth0 inet static\n    address 192.0.2.2/24\n    gateway 192.0.2.1\n");
    add("data", P2V_FT_DIR, 0, NULL);
    struct ent *big = add("data/big", P2V_FT_REG, BIG_SIZE, NULL);
    /* the second pass of a delta case: the file changed, so it goes by delta */
    if (strncmp(cas, "delta-", 6) == 0)
        big->mtime = MTIME + 1;
    add("sub", P2V_FT_DIR, 0, NULL);
    add("sub/file", P2V_FT_REG, 5, NULL);
}

static const struct ent *find(const char *path, size_t len)
{
    for (size_t i = 0; i < ntree; i++) {
        size_t n = tree[i].path_len ? tree[i].path_len : strlen(tree[i].path);
        if (n == len && memcmp(tree[i].path, path, len) == 0)
            return &tree[i];
    }
    return NULL;
}

static void encode_ent(struct p2v_buf *b, const struct ent *t, struct p2v_entry_ctx *ctx)
{
    struct p2v_entry e = {
        .path = (char *)t->path, .path_len = t->path_len ? t->path_len : strlen(t->path),
        .type = t->type, .mode = t->type == P2V_FT_DIR ? 0755 : 0644,
        .size = t->type == P2V_FT_SYMLINK ? strlen(t->link) : t->size,
        .mtime_sec = t->mtime,
        .link = (char *)t->link,
        .link_len = t->link ? (t->link_len ? t->link_len : strlen(t->link)) : 0,
    };
    if (p2v_entry_encode(b, &e, ctx) < 0)
        die("encode an entry");
}

/* LIST_DATA with `count` announced and the whole tree in it. */
static void send_list(uint32_t count)
{
    struct p2v_buf b = P2V_BUF_INIT(2 * P2V_FRAME_MAX);
    p2v_put_u32(&b, count);
    static struct p2v_entry_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    for (size_t i = 0; i < ntree; i++)
        encode_ent(&b, &tree[i], &ctx);
    send_frame(P2V_MSG_LIST_DATA, &b);
    p2v_buf_release(&b);
}

static void send_list_end(uint64_t entries)
{
    struct p2v_buf b = P2V_BUF_INIT(64);
    uint64_t bytes = 0;
    for (size_t i = 0; i < ntree; i++)
        if (tree[i].type == P2V_FT_REG)
            bytes += tree[i].size;
    p2v_put_u64(&b, entries);
    p2v_put_u64(&b, bytes);
    send_frame(P2V_MSG_LIST_END, &b);
    p2v_buf_release(&b);
}

/* ---- the listing's lies ---- */

static char *repeat(char c, size_t n)
{
    char *s = p2v_xmalloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Components of 250 bytes joined by '/' up to about len bytes. */
static char *deep_path(size_t len)
{
    struct p2v_buf b = P2V_BUF_INIT(len + 512);
    while (b.len < len) {
        if (b.len)
            p2v_buf_addc(&b, '/');
        for (size_t i = 0; i < 250 && b.len < len; i++)
            p2v_buf_addc(&b, 'd');
    }
    return p2v_buf_detach(&b);
}

static void answer_list(void)
{
    base_tree();
    if (is("dotdot")) {
        add("etc/../../../sentinel/owned", P2V_FT_REG, 5, NULL);
    } else if (is("absolute")) {
        add(p2v_xasprintf("%s/owned", sentinel), P2V_FT_REG, 5, NULL);
    } else if (is("nul")) {
        add("etc/pass\0wd", P2V_FT_REG, 5, NULL)->path_len = 11;
    } else if (is("empty-component")) {
        add("etc//owned", P2V_FT_REG, 5, NULL);
    } else if (is("root-as-file")) {
        tree[0].type = P2V_FT_REG;   /* the root entry itself */
        tree[0].size = 5;
    } else if (is("root-as-symlink")) {
        tree[0].type = P2V_FT_SYMLINK;
        tree[0].link = sentinel;
    } else if (is("name-max")) {
        add(p2v_xasprintf("etc/%s", repeat('n', 256)), P2V_FT_REG, 5, NULL);
    } else if (is("path-max")) {
        /* every component legal, the whole too long beneath the private area */
        add(deep_path(4090), P2V_FT_DIR, 0, NULL);
    } else if (is("path-over-wire-max")) {
        add(deep_path(P2V_PATH_MAX + 100), P2V_FT_REG, 5, NULL);
    } else if (is("symlink-parent")) {
        add("esc", P2V_FT_SYMLINK, 0, sentinel);
        add("esc/owned", P2V_FT_REG, 5, NULL);
    } else if (is("symlink-parent-dir")) {
        add("esc", P2V_FT_SYMLINK, 0, sentinel);
        add("esc/newdir", P2V_FT_DIR, 0, NULL);
    } else if (is("symlink-then-file")) {
        add("etc/shadow", P2V_FT_SYMLINK, 0, target);
        add("etc/shadow", P2V_FT_REG, 5, NULL);
    } else if (is("symlink-then-dir")) {
        add("esc", P2V_FT_SYMLINK, 0, sentinel);
        add("esc", P2V_FT_DIR, 0, NULL);
        add("esc/owned", P2V_FT_REG, 5, NULL);
    } else if (is("hardlink-absolute")) {
        add("etc/hl", P2V_FT_HARDLINK, 0, target);
    } else if (is("hardlink-dotdot")) {
        add("etc/hl", P2V_FT_HARDLINK, 0, "../../sentinel/target");
    } else if (is("hardlink-via-symlink")) {
        add("esc", P2V_FT_SYMLINK, 0, sentinel);
        add("etc/hl", P2V_FT_HARDLINK, 0, "esc/target");
    } else if (is("hardlink-to-dir")) {
        add("etc/hl", P2V_FT_HARDLINK, 0, "etc");
    } else if (is("size-huge")) {
        add("data/huge", P2V_FT_REG, UINT64_MAX, NULL);
    } else if (is("size-end-lie") || is("more-bytes") || is("offset-beyond") ||
               is("offset-wrap") || is("hole-huge") || is("zdata-unasked") ||
               is("wrong-id") || is("delta-unasked")) {
        add("data/lie", P2V_FT_REG, 10, NULL);
    }
    
    if (is("frame-huge")) {
        send_header(UINT32_MAX, P2V_MSG_LIST_DATA, 0);
        hang();
    }
    if (is("frame-max")) {
        /* exactly the limit, and nothing in it decodes */
        send_header(P2V_FRAME_MAX, P2V_MSG_LIST_DATA, 0);
        char *junk = repeat('\xff', P2V_FRAME_MAX);
        send_raw(junk, P2V_FRAME_MAX);
        hang();
    }
    if (is("frame-flags")) {
        send_header(0, P2V_MSG_LIST_END, 1);
        hang();
    }
    if (is("mid-frame-eof")) {
        send_header(100, P2V_MSG_LIST_DATA, 0);
        send_raw("\0\0\0\1", 4);
        exit(0);
    }
    if (is("mid-frame-hang")) {
        send_header(100, P2V_MSG_LIST_DATA, 0);
        send_raw("\0\0\0\1", 4);
        hang();
    }
    if (is("unknown-type")) {
        struct p2v_buf b = P2V_BUF_INIT(16);
        send_frame(999, &b);
        hang();
    }
    if (is("zlist-bomb")) {
        /* a zstd frame that states 16 MiB: refused before decompressing */
        size_t n = 16u << 20;
        char *zeros = p2v_xcalloc(1, n);
        struct p2v_buf z = P2V_BUF_INIT(2 * n);
        if (p2v_chunk_compress(zeros, n, &z) != 0)
            die("compress");
        send_frame(P2V_MSG_LIST_ZDATA, &z);
        hang();
    }
    if (is("xattr-count")) {
        struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
        /* one entry by hand: "etc/x", a file of 1 byte with mode 0644 and
         * 2^32-1 xattrs announced */
        p2v_put_u32(&b, 1);
        p2v_put_uv(&b, 0);
        p2v_put_vbytes(&b, "etc/x", 5);
        p2v_put_u8(&b, P2V_FT_REG);
        p2v_put_uv(&b, P2V_EB_MODE | P2V_EB_SIZE | P2V_EB_XATTRS);
        p2v_put_uv(&b, 0644);
        p2v_put_uv(&b, 1);
        p2v_put_uv(&b, UINT32_MAX);
        send_frame(P2V_MSG_LIST_DATA, &b);
        hang();
    }
    if (is("error-frame")) {
        p2v_send_error(&conn, 5, "disk on fire\n\033[2J\033]0;owned\007 $(touch %s/owned)", sentinel);
        hang();
    }

    uint32_t count = (uint32_t)ntree;
    if (is("count-more"))
        count = (uint32_t)ntree - 2;       /* entries beyond the count */
    else if (is("count-less"))
        count = (uint32_t)ntree + 3;       /* count beyond the entries */
    else if (is("count-huge"))
        count = UINT32_MAX;
    send_list(count);
    if (is("list-end-twice"))
        send_list_end(ntree);
    send_list_end(is("list-end-lie") ? 1000000 : ntree);
}

/* ---- files ---- */

static void send_chunk(uint16_t type, uint32_t id, uint64_t off, const void *p, size_t n)
{
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    if (p2v_chunk_encode(&b, id, off, p, n) < 0)
        die("encode a chunk");
    send_frame(type, &b);
    p2v_buf_release(&b);
}

/* sum: a delta's sum (p2v/filesum.h, P2V_CAP_DELTA_SUM), or NULL for none */
static void send_end_sum(uint32_t id, uint8_t status, uint64_t size, int64_t mtime,
                         const unsigned char *sum)
{
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    struct p2v_file_end e = {.id = id, .status = status, .size = size, .mtime_sec = mtime,
                             .message = status ? "lied about" : ""};
    if (sum) {
        memcpy(e.sum, sum, P2V_FILE_SUM_LEN);
        e.sum_len = P2V_FILE_SUM_LEN;
    }
    if (p2v_file_end_encode(&b, &e) < 0)
        die("encode FILE_END");
    send_frame(P2V_MSG_FILE_END, &b);
    p2v_buf_release(&b);
}

static void send_end(uint32_t id, uint8_t status, uint64_t size, int64_t mtime)
{
    send_end_sum(id, status, size, mtime, NULL);
}

static void send_data(uint32_t id, const struct ent *t, uint64_t size)
{
    static char buf[P2V_XFER_CHUNK];
    for (uint64_t off = 0; off < size;) {
        size_t n = size - off > sizeof(buf) ? sizeof(buf) : (size_t)(size - off);
        if (t && t->text)
            memcpy(buf, t->text + off, n);
        else
            content(off, buf, n);
        send_chunk(P2V_MSG_FILE_DATA, id, off, buf, n);
        off += n;
    }
}

/* librsync delta commands (prototab.h): big-endian arguments. */
#define RS_MAGIC 0x72730236u
#define OP_END 0x00
#define OP_LITERAL_N4 0x43
#define OP_COPY_N8_N4 0x53
#define OP_COPY_N4_N4 0x4f

static void put_be(struct p2v_buf *b, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        p2v_buf_addc(b, (char)(v >> (8 * i)));
}

static void send_delta_buf(uint32_t id, const struct p2v_buf *d)
{
    for (size_t off = 0; off < d->len; off += P2V_XFER_CHUNK) {
        size_t n = d->len - off > P2V_XFER_CHUNK ? P2V_XFER_CHUNK : d->len - off;
        send_chunk(P2V_MSG_FILE_DELTA, id, 0, d->data + off, n);
    }
}

/* An honest delta: the whole file as one literal. */
static void send_literal_delta(uint32_t id, const struct ent *t, uint64_t size)
{
    struct p2v_buf d = P2V_BUF_INIT(size + 64);
    put_be(&d, RS_MAGIC, 4);
    p2v_buf_addc(&d, OP_LITERAL_N4);
    put_be(&d, size, 4);
    p2v_buf_grow(&d, size);
    if (t && t->text)
        memcpy(d.data + d.len, t->text, size);
    else
        content(0, d.data + d.len, size);
    d.len += size;
    p2v_buf_addc(&d, OP_END);
    send_delta_buf(id, &d);
    p2v_buf_release(&d);
}

/* The lies of the delta cases, against the honest first pass's copy. */
static bool lying_delta(uint32_t id)
{
    struct p2v_buf d = P2V_BUF_INIT(64u << 20);
    put_be(&d, RS_MAGIC, 4);
    if (is("delta-copy-beyond")) {
        p2v_buf_addc(&d, OP_COPY_N4_N4);
        put_be(&d, BIG_SIZE - 10, 4);
        put_be(&d, 4096, 4);
        p2v_buf_addc(&d, OP_END);
    } else if (is("delta-copy-negative")) {
        p2v_buf_addc(&d, OP_COPY_N8_N4);
        put_be(&d, UINT64_MAX - 100, 8);   /* -101 as rs_long_t */
        put_be(&d, 50, 4);
        p2v_buf_addc(&d, OP_END);
    } else if (is("delta-truncated")) {
        p2v_buf_addc(&d, OP_LITERAL_N4);
        put_be(&d, 1000, 4);
        p2v_buf_adds(&d, "only a few bytes");
    } else if (is("delta-bad-magic")) {
        d.len = 0;
        p2v_buf_adds(&d, "this is no librsync delta at all");
    } else if (is("delta-runs-on")) {
        p2v_buf_addc(&d, OP_END);
        p2v_buf_adds(&d, "and then some more");
    } else if (is("delta-expand")) {
        /* 400 copies of the whole basis: 80 MiB out of a few KiB */
        for (int i = 0; i < 400; i++) {
            p2v_buf_addc(&d, OP_COPY_N4_N4);
            put_be(&d, 0, 4);
            put_be(&d, BIG_SIZE, 4);
        }
        p2v_buf_addc(&d, OP_END);
    } else {
        p2v_buf_release(&d);
        return false;
    }
    send_delta_buf(id, &d);
    p2v_buf_release(&d);
    return true;
}

/* The agent sums what its delta describes: "delta-sum-right" honestly;
 * "delta-sum-wrong" answers as if every block had matched by chance (a
 * copy of the old file) with the sum of the new one; "delta-sum-missing"
 * leaves the sum out. The node must keep only the new content. */
static void sum_case(const struct p2v_file_req *r, const struct ent *t, uint64_t size,
                     int64_t mtime)
{
    char *buf = p2v_xmalloc(size);
    content(0, buf, size);
    unsigned char sum[P2V_FILE_SUM_LEN];
    struct p2v_filesum *st = p2v_filesum_new();
    p2v_filesum_update(st, buf, size);
    p2v_filesum_final(st, sum);
    p2v_filesum_free(st);
    free(buf);
    if (is("delta-sum-wrong")) {
        struct p2v_buf d = P2V_BUF_INIT(64);
        put_be(&d, RS_MAGIC, 4);
        p2v_buf_addc(&d, OP_COPY_N4_N4);
        put_be(&d, 0, 4);
        put_be(&d, BIG_SIZE, 4);
        p2v_buf_addc(&d, OP_END);
        send_delta_buf(r->id, &d);
        p2v_buf_release(&d);
    } else {
        send_literal_delta(r->id, t, size);
    }
    send_end_sum(r->id, P2V_FILE_OK, size, mtime, is("delta-sum-missing") ? NULL : sum);
}

static void answer_file(const void *p, size_t n)
{
    struct p2v_file_req r;
    if (p2v_file_req_decode(p, n, &r) < 0)
        die("FILE_REQ");
    /* the signature frames follow the request: consume them */
    for (uint64_t got = 0; got < r.sig_len;) {
        uint16_t type;
        const void *q, *data;
        size_t m, len;
        uint32_t id;
        uint64_t off;
        recv_frame(&type, &q, &m);
        if (type != P2V_MSG_FILE_SIG || p2v_chunk_decode(q, m, &id, &off, &data, &len) < 0)
            die("FILE_SIG");
        got += len;
    }
    const struct ent *t = find(r.path, r.path_len);
    uint64_t size = t ? t->size : 0;
    int64_t mtime = t ? t->mtime : MTIME;
    bool lie_file = r.path_len == 8 && memcmp(r.path, "data/lie", 8) == 0;
    bool big = r.path_len == 8 && memcmp(r.path, "data/big", 8) == 0;
    if (is("wrong-id") && lie_file) {
        send_chunk(P2V_MSG_FILE_DATA, r.id + 7, 0, "0123456789", 10);
    } else if (is("offset-beyond") && lie_file) {
        send_chunk(P2V_MSG_FILE_DATA, r.id, 100u << 20, "0123456789", 10);
    } else if (is("offset-wrap") && lie_file) {
        send_chunk(P2V_MSG_FILE_DATA, r.id, UINT64_MAX - 4, "0123456789", 10);
    } else if (is("hole-huge") && lie_file) {
        struct p2v_buf b = P2V_BUF_INIT(64);
        p2v_hole_encode(&b, r.id, 0, UINT64_MAX);
        send_frame(P2V_MSG_FILE_HOLE, &b);
        p2v_buf_release(&b);
    } else if (is("more-bytes") && lie_file) {
        send_data(r.id, NULL, 4096);
    } else if (is("size-end-lie") && lie_file) {
        send_data(r.id, NULL, 10);
        size = 1ull << 40;                 /* a terabyte of zeros after 10 bytes */
    } else if (is("zdata-unasked") && lie_file) {
        char zeros[4096] = {0};
        struct p2v_buf z = P2V_BUF_INIT(P2V_FRAME_MAX);
        if (p2v_chunk_compress(zeros, sizeof(zeros), &z) != 0)
            die("compress");
        send_chunk(P2V_MSG_FILE_ZDATA, r.id, 0, z.data, z.len);
    } else if (is("delta-unasked") && lie_file) {
        send_literal_delta(r.id, NULL, 10);
    } else if (is("size-huge") && r.path_len == 9 && memcmp(r.path, "data/huge", 9) == 0) {
        send_chunk(P2V_MSG_FILE_DATA, r.id, 1ull << 62, "x", 1);
    } else if (r.method != P2V_FILE_WHOLE && big && strncmp(cas, "delta-sum-", 10) == 0) {
        sum_case(&r, t, size, mtime);
        p2v_file_req_clear(&r);
        return;
    } else if (r.method != P2V_FILE_WHOLE && big && lying_delta(r.id)) {
        /* sent */
    } else if (r.method != P2V_FILE_WHOLE) {
        send_literal_delta(r.id, t, size);
    } else {
        send_data(r.id, t, size);
    }
    send_end(r.id, P2V_FILE_OK, size, mtime);
    p2v_file_req_clear(&r);
}

/* ---- the conversation ---- */

static void answer_facts(void)
{
    const char *path = getenv("EVIL_FACTS");
    struct p2v_buf doc = P2V_BUF_INIT(128u << 20);
    if (is("facts-huge")) {
        /* 65 MiB of facts, over P2V_FACTS_MAX */
        char *chunk = repeat(' ', P2V_FACTS_CHUNK);
        struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
        p2v_buf_add(&b, chunk, P2V_FACTS_CHUNK);
        for (int i = 0; i < 65 * 4; i++)
            send_frame(P2V_MSG_FACTS_DATA, &b);
        hang();
    }
    if (is("facts-deep")) {
        for (int i = 0; i < 100000; i++)
            p2v_buf_addc(&doc, '[');
        for (int i = 0; i < 100000; i++)
            p2v_buf_addc(&doc, ']');
    } else if (is("facts-garbage")) {
        p2v_buf_adds(&doc, "{\"schema\": 1, \"hostname\": \"unterminated");
    } else {
        FILE *f = path ? fopen(path, "rb") : NULL;
        if (!f) {
            p2v_error_set("EVIL_FACTS `%s` cannot be read", path ? path : "");
            die("facts");
        }
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            p2v_buf_add(&doc, buf, n);
        fclose(f);
    }
    if (is("facts-length")) {
        /* announce more than was sent */
        struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
        p2v_buf_add(&b, doc.data, doc.len < 1000 ? doc.len : 1000);
        send_frame(P2V_MSG_FACTS_DATA, &b);
        p2v_buf_reset(&b);
        p2v_put_u64(&b, doc.len);
        send_frame(P2V_MSG_FACTS_END, &b);
        hang();
    }
    if (p2v_send_blob(&conn, P2V_MSG_FACTS_DATA, P2V_MSG_FACTS_END, doc.data, doc.len) < 0)
        die("send facts");
    p2v_buf_release(&doc);
}

static void answer_hello(void)
{
    uint16_t type;
    const void *p;
    size_t n;
    recv_frame(&type, &p, &n);
    if (type != P2V_MSG_HELLO)
        die("expected HELLO");
    if (is("no-hello"))
        hang();
    if (is("hello-garbage")) {
        struct p2v_buf b = P2V_BUF_INIT(64);
        p2v_buf_adds(&b, "P2VX not a hello");
        send_frame(P2V_MSG_HELLO, &b);
        hang();
    }
    struct p2v_hello h = {.proto_max = P2V_PROTO_VERSION, .proto_min = P2V_PROTO_MIN,
                          .software = "evil-agent 6.6.6", .os = "linux", .arch = "x86_64",
                          .caps = P2V_CAP_FACTS | P2V_CAP_FILES};
    if (strncmp(cas, "delta-sum-", 10) == 0)
        h.caps |= P2V_CAP_DELTA_SUM;
    if (is("hello-version")) {
        h.proto_max = 0;
        h.proto_min = UINT32_MAX;   /* an empty, inverted range */
    }
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    if (p2v_hello_encode(&b, &h) < 0)
        die("encode HELLO");
    send_frame(P2V_MSG_HELLO, &b);
    p2v_buf_release(&b);
}

/* p2vmigrate's round-trip probe (also how an extra channel sets its
 * base): a listing of "/" with everything beneath excluded. Answered
 * honestly, so each case's lie reaches the real listing; "probe-flood"
 * lies to the probe itself with empty batches that never end. */
static bool answer_probe(const void *p, size_t n)
{
    struct p2v_list_req r;
    if (p2v_list_req_decode(p, n, &r) < 0)
        die("decode LIST_REQ");
    bool probe = r.nexcludes == 1 && strcmp(r.excludes[0], "/*") == 0;
    p2v_list_req_clear(&r);
    if (!probe)
        return false;
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    if (is("probe-flood")) {
        for (;;) {
            p2v_buf_reset(&b);
            p2v_put_u32(&b, 0);
            send_frame(P2V_MSG_LIST_DATA, &b);
        }
    }
    struct ent root = {.path = "", .type = P2V_FT_DIR, .mtime = MTIME};
    p2v_put_u32(&b, 1);
    static struct p2v_entry_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    encode_ent(&b, &root, &ctx);
    send_frame(P2V_MSG_LIST_DATA, &b);
    p2v_buf_reset(&b);
    p2v_put_u64(&b, 1);
    p2v_put_u64(&b, 0);
    send_frame(P2V_MSG_LIST_END, &b);
    p2v_buf_release(&b);
    return true;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    if (getenv("EVIL_CASE"))
        cas = getenv("EVIL_CASE");
    if (getenv("EVIL_SENTINEL"))
        sentinel = getenv("EVIL_SENTINEL");
    if (getenv("EVIL_TARGET"))
        target = getenv("EVIL_TARGET");
    const char *pidfile = getenv("EVIL_PIDFILE");
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    if (is("never-exits"))
        signal(SIGTERM, SIG_IGN);
    p2v_conn_init(&conn, 0, 1, -1, "the node");
    answer_hello();
    for (;;) {
        uint16_t type;
        const void *p;
        size_t n;
        recv_frame(&type, &p, &n);
        switch (type) {
        case P2V_MSG_FACTS_REQ:
            answer_facts();
            break;
        case P2V_MSG_LIST_REQ:
            if (!answer_probe(p, n))
                answer_list();
            break;
        case P2V_MSG_FILE_REQ:
            answer_file(p, n);
            break;
        case P2V_MSG_BYE: {
            struct p2v_buf b = P2V_BUF_INIT(16);
            send_frame(P2V_MSG_BYE, &b);
            if (is("never-exits")) {
                /* keep the stream open and ignore SIGTERM: only SIGKILL ends us */
                hang();
            }
            return 0;
        }
        default:
            fprintf(stderr, "evil-agent: unexpected message %u\n", type);
            return 1;
        }
    }
}
