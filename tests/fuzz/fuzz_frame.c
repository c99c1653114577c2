/* fuzz_frame.c: the node's receive path, from bytes to decoded messages.
 *
 * Input: byte 0 holds flags (bit 0: the stream starts with lines read by
 * p2v_conn_read_line, as the bootstrap's start marker is), bytes 1-2 a
 * big-endian length L, then L bytes the peer writes to its stderr, then
 * the stream itself. The stream is read with p2v_frame_recv from an
 * anonymous file (never blocks: EOF ends it) and every frame is decoded as
 * the node decodes that message type (session.c, transfer*.c), including
 * zstd chunks and listing batches. */
#include "fuzz.h"
#include "codec.h"
#include "error.h"
#include "proto.h"
#include "xfer.h"

#define INPUT_MAX (P2V_FRAME_MAX + (1u << 20))
#define FRAMES_MAX 4096
#define FACTS_FUZZ_MAX (1u << 20)

static unsigned char unz[P2V_FRAME_MAX];

static void check_entry(const struct p2v_entry *e)
{
    FUZZ_CHECK(e->path && strlen(e->path) == e->path_len && e->path_len <= P2V_PATH_MAX);
    FUZZ_CHECK(e->type >= P2V_FT_REG && e->type <= P2V_FT_HARDLINK);
    FUZZ_CHECK((e->mode & ~07777u) == 0 && e->mtime_nsec < 1000000000u);
    FUZZ_CHECK(!e->link || strlen(e->link) == e->link_len);
    FUZZ_CHECK(e->nxattrs <= P2V_XATTR_COUNT_MAX);
    for (size_t i = 0; i < e->nxattrs; i++)
        FUZZ_CHECK(strlen(e->xattrs[i].name) <= P2V_XATTR_NAME_MAX &&
                   e->xattrs[i].len <= P2V_XATTR_VALUE_MAX);
}

/* LIST_DATA: u32 count, then entries (transfer.c take_list). */
static void list_batch(const void *p, size_t n)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    uint32_t count = p2v_get_u32(&d);
    static struct p2v_entry_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    for (uint32_t i = 0; i < count && !d.err; i++) {
        struct p2v_entry e;
        if (p2v_entry_decode(&d, &e, &ctx) < 0)
            break;
        check_entry(&e);
        p2v_entry_clear(&e);
    }
    p2v_dec_finish(&d, "LIST_DATA message");
}

static void hello(const void *p, size_t n)
{
    struct p2v_hello h;
    if (p2v_hello_decode(p, n, &h) < 0)
        return;
    FUZZ_CHECK(h.software && h.os && h.arch && h.proto_min <= h.proto_max);
    struct p2v_hello ours = {.proto_max = P2V_PROTO_VERSION, .proto_min = P2V_PROTO_MIN,
                             .software = "p2vmigrate", .os = "node", .arch = "x86_64"};
    uint32_t v;
    if (p2v_proto_negotiate(&ours, &h, &v) == 0)
        FUZZ_CHECK(v >= h.proto_min && v <= h.proto_max && v >= P2V_PROTO_MIN &&
                   v <= P2V_PROTO_VERSION);
    p2v_hello_clear(&h);
}

static void chunk(uint16_t type, const void *p, size_t n)
{
    uint32_t id;
    uint64_t off;
    const void *data;
    size_t len, plain;
    if (p2v_chunk_decode(p, n, &id, &off, &data, &len) < 0)
        return;
    FUZZ_CHECK(len <= P2V_XFER_CHUNK && off <= (uint64_t)INT64_MAX - len);
    if (type == P2V_MSG_FILE_ZDATA || type == P2V_MSG_FILE_ZDELTA)
        if (p2v_chunk_decompress(data, len, unz, P2V_XFER_CHUNK, &plain) == 0)
            FUZZ_CHECK(plain <= P2V_XFER_CHUNK);
}

static void decode(uint16_t type, const void *p, size_t n, struct p2v_buf *facts)
{
    uint32_t code, id;
    uint64_t a, b;
    char *s;
    size_t len;
    switch (type) {
    case P2V_MSG_HELLO: hello(p, n); break;
    case P2V_MSG_ERROR:
        if (p2v_error_decode(p, n, &code, &s) == 0) {
            FUZZ_CHECK(strlen(s) <= P2V_MESSAGE_FIELD_MAX);
            free(s);
        }
        break;
    case P2V_MSG_PROGRESS:
        if (p2v_progress_decode(p, n, &s, &a, &b) == 0) {
            FUZZ_CHECK(strlen(s) <= P2V_NAME_FIELD_MAX);
            free(s);
        }
        break;
    case P2V_MSG_FACTS_DATA: p2v_buf_add(facts, p, n); break;
    case P2V_MSG_FACTS_END: {
        struct p2v_dec d;
        p2v_dec_init(&d, p, n);
        a = p2v_get_u64(&d);
        if (p2v_dec_finish(&d, "FACTS_END message") == 0 && a == facts->len)
            p2v_buf_reset(facts);
        break;
    }
    case P2V_MSG_LIST_DATA: list_batch(p, n); break;
    case P2V_MSG_LIST_ZDATA:
        if (p2v_chunk_decompress(p, n, unz, P2V_FRAME_MAX, &len) == 0)
            list_batch(unz, len);
        break;
    case P2V_MSG_LIST_WARN: {
        struct p2v_dec d;
        p2v_dec_init(&d, p, n);
        p2v_get_bytes(&d, &len, P2V_PATH_MAX);
        s = p2v_get_str(&d, 4096);
        p2v_dec_finish(&d, "LIST_WARN message");
        free(s);
        break;
    }
    case P2V_MSG_FILE_DATA:
    case P2V_MSG_FILE_DELTA:
    case P2V_MSG_FILE_SIG:
    case P2V_MSG_FILE_ZDATA:
    case P2V_MSG_FILE_ZDELTA: chunk(type, p, n); break;
    case P2V_MSG_FILE_HOLE:
        if (p2v_hole_decode(p, n, &id, &a, &b) == 0)
            FUZZ_CHECK(a <= (uint64_t)INT64_MAX && b <= (uint64_t)INT64_MAX - a);
        break;
    case P2V_MSG_FILE_END: {
        struct p2v_file_end e;
        if (p2v_file_end_decode(p, n, &e) == 0) {
            FUZZ_CHECK(e.message && e.status <= P2V_FILE_ERROR && e.mtime_nsec < 1000000000u);
            free(e.message);
        }
        break;
    }
    case P2V_MSG_LIST_REQ: {
        struct p2v_list_req r;
        if (p2v_list_req_decode(p, n, &r) == 0)
            p2v_list_req_clear(&r);
        break;
    }
    case P2V_MSG_FILE_REQ: {
        struct p2v_file_req r;
        if (p2v_file_req_decode(p, n, &r) == 0) {
            FUZZ_CHECK(strlen(r.path) == r.path_len && r.method <= P2V_FILE_RESUME);
            p2v_file_req_clear(&r);
        }
        break;
    }
    default: break;
    }
    (void)p2v_msg_name(type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < FUZZ_FRAME_PREFIX || size > INPUT_MAX)
        return 0;
    unsigned flags = data[0];
    size_t errlen = (size_t)data[1] << 8 | data[2];
    data += FUZZ_FRAME_PREFIX;
    size -= FUZZ_FRAME_PREFIX;
    if (errlen > size)
        errlen = size;
    int rfd = fuzz_memfd(data + errlen, size - errlen);
    int errfd = errlen ? fuzz_memfd(data, errlen) : -1;
    if (rfd < 0 || (errlen && errfd < 0))
        abort();
    struct p2v_conn c;
    p2v_conn_init(&c, rfd, -1, errfd, "the fuzzed agent");
    c.timeout_ms = 1000;
    struct p2v_buf facts = P2V_BUF_INIT(FACTS_FUZZ_MAX);
    bool ok = true;
    /* junk a login shell prints, up to the start marker */
    for (int i = 0; (flags & 1) && i < 4; i++) {
        char *line = NULL;
        if (p2v_conn_read_line(&c, &line, 65536) < 0) {
            ok = false;
            break;
        }
        FUZZ_CHECK(strlen(line) <= 65536);
        bool marker = strncmp(line, "P2VBOOT 1 ", 10) == 0;
        free(line);
        if (marker)
            break;
    }
    for (int i = 0; ok && i < FRAMES_MAX; i++) {
        uint16_t type;
        const void *p;
        size_t n;
        if (p2v_frame_recv(&c, &type, &p, &n) < 0)
            break;
        FUZZ_CHECK(n <= P2V_FRAME_MAX);
        decode(type, p, n, &facts);
    }
    FUZZ_CHECK(p2v_error_message() != NULL);
    const char *tail = p2v_conn_stderr_tail(&c);
    FUZZ_CHECK(strlen(tail) <= 2 * P2V_ERRTAIL_MAX);
    p2v_conn_drain_stderr(&c, 0);
    if (c.errfd >= 0)
        close(c.errfd);
    p2v_conn_release(&c);
    p2v_buf_release(&facts);
    close(rfd);
    return 0;
}
