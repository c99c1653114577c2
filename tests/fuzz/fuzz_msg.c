/* fuzz_msg.c: every message decoder (proto.h, entry.h, xfer.h) on its own.
 *
 * Input: byte 0 picks the decoder (enum below, modulo their count), the
 * rest is the payload. What decodes must be within the documented bounds
 * and encode back to the very bytes it came from (the encoding is
 * canonical; HELLO may carry trailing fields a later version adds). */
#include "fuzz.h"
#include "codec.h"
#include "error.h"
#include "proto.h"
#include "xfer.h"

enum {
    MSG_HELLO,
    MSG_ERROR,
    MSG_PROGRESS,
    MSG_LIST_DATA,    /* u32 count, entries: as transfer.c reads a batch */
    MSG_ENTRY,        /* one entry */
    MSG_LIST_REQ,
    MSG_FILE_REQ,
    MSG_FILE_END,
    MSG_CHUNK,
    MSG_HOLE,
    MSG_ZCHUNK,       /* zstd chunk: decompress, and compress the input back and forth */
    MSG_COUNT
};

static unsigned char out[P2V_FRAME_MAX];

/* enc must be exactly the n bytes at p (or a prefix of them) */
static void same(struct p2v_buf *enc, const void *p, size_t n, bool prefix)
{
    FUZZ_CHECK(prefix ? enc->len <= n : enc->len == n);
    FUZZ_CHECK(enc->len == 0 || memcmp(enc->data, p, enc->len) == 0);
    p2v_buf_release(enc);
}

static void entry_batch(const unsigned char *p, size_t n, bool one)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    uint32_t count = one ? 1 : p2v_get_u32(&d);
    static struct p2v_entry_ctx dctx, ectx;   /* decoding and re-encoding keep step */
    memset(&dctx, 0, sizeof(dctx));
    memset(&ectx, 0, sizeof(ectx));
    for (uint32_t i = 0; i < count && !d.err; i++) {
        size_t start = d.pos;
        struct p2v_entry e;
        if (p2v_entry_decode(&d, &e, &dctx) < 0) {
            FUZZ_CHECK(d.err && !e.path && !e.xattrs);
            break;
        }
        FUZZ_CHECK(e.path && strlen(e.path) == e.path_len && e.path_len <= P2V_PATH_MAX);
        FUZZ_CHECK(e.type >= P2V_FT_REG && e.type <= P2V_FT_HARDLINK);
        FUZZ_CHECK((e.mode & ~07777u) == 0 && e.mtime_nsec < 1000000000u);
        FUZZ_CHECK(e.link && strlen(e.link) == e.link_len && e.nxattrs <= P2V_XATTR_COUNT_MAX);
        (void)p2v_ftype_name(e.type);
        struct p2v_buf enc = P2V_BUF_INIT(2 * P2V_FRAME_MAX);
        FUZZ_CHECK(p2v_entry_encode(&enc, &e, &ectx) == 0);
        same(&enc, p + start, d.pos - start, false);
        p2v_entry_clear(&e);
    }
    p2v_dec_finish(&d, "LIST_DATA message");
}

static void hello(const void *p, size_t n)
{
    struct p2v_hello h;
    if (p2v_hello_decode(p, n, &h) < 0) {
        FUZZ_CHECK(!h.software && !h.os && !h.arch);
        return;
    }
    FUZZ_CHECK(h.proto_min <= h.proto_max);
    FUZZ_CHECK(strlen(h.software) <= P2V_NAME_FIELD_MAX && strlen(h.os) <= P2V_NAME_FIELD_MAX &&
               strlen(h.arch) <= P2V_NAME_FIELD_MAX);
    struct p2v_buf enc = P2V_BUF_INIT(2 * P2V_FRAME_MAX);
    FUZZ_CHECK(p2v_hello_encode(&enc, &h) == 0);
    same(&enc, p, n, true);
    struct p2v_hello ours = {.proto_max = P2V_PROTO_VERSION, .proto_min = P2V_PROTO_MIN,
                             .software = "p2vmigrate", .os = "node", .arch = "x86_64"};
    uint32_t v;
    if (p2v_proto_negotiate(&ours, &h, &v) == 0)
        FUZZ_CHECK(v >= h.proto_min && v <= h.proto_max);
    p2v_hello_clear(&h);
}

static void list_req(const void *p, size_t n)
{
    struct p2v_list_req r;
    if (p2v_list_req_decode(p, n, &r) < 0) {
        FUZZ_CHECK(!r.base && !r.roots && !r.excludes);
        return;
    }
    FUZZ_CHECK(r.nroots <= P2V_LIST_ROOTS_MAX && r.nexcludes <= P2V_EXCLUDES_MAX);
    FUZZ_CHECK(r.roots[r.nroots] == NULL && r.excludes[r.nexcludes] == NULL);
    struct p2v_buf enc = P2V_BUF_INIT(2 * P2V_FRAME_MAX);
    FUZZ_CHECK(p2v_list_req_encode(&enc, &r) == 0);
    same(&enc, p, n, false);
    p2v_list_req_clear(&r);
}

static void zchunk(const void *p, size_t n)
{
    size_t len;
    if (p2v_chunk_decompress(p, n, out, P2V_XFER_CHUNK, &len) == 0)
        FUZZ_CHECK(len <= P2V_XFER_CHUNK);
    if (n > P2V_XFER_CHUNK)
        return;
    struct p2v_buf z = P2V_BUF_INIT(2 * P2V_FRAME_MAX);
    int rc = p2v_chunk_compress(p, n, &z);
    FUZZ_CHECK(rc >= 0);
    if (rc == 0) {
        FUZZ_CHECK(z.len < n);
        FUZZ_CHECK(p2v_chunk_decompress(z.data, z.len, out, P2V_XFER_CHUNK, &len) == 0);
        FUZZ_CHECK(len == n && memcmp(out, p, n) == 0);
    }
    p2v_buf_release(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < 1 || size > P2V_FRAME_MAX + 1)
        return 0;
    unsigned which = data[0] % MSG_COUNT;
    const unsigned char *p = data + 1;
    size_t n = size - 1;
    struct p2v_buf enc = P2V_BUF_INIT(2 * P2V_FRAME_MAX);
    uint32_t code, id;
    uint64_t a, b;
    char *s;
    switch (which) {
    case MSG_HELLO: hello(p, n); break;
    case MSG_ERROR:
        if (p2v_error_decode(p, n, &code, &s) < 0) {
            FUZZ_CHECK(!s);
            break;
        }
        FUZZ_CHECK(strlen(s) <= P2V_MESSAGE_FIELD_MAX);
        FUZZ_CHECK(p2v_put_u32(&enc, code) == 0 && p2v_put_str(&enc, s) == 0);
        same(&enc, p, n, false);
        free(s);
        break;
    case MSG_PROGRESS:
        if (p2v_progress_decode(p, n, &s, &a, &b) < 0) {
            FUZZ_CHECK(!s);
            break;
        }
        FUZZ_CHECK(strlen(s) <= P2V_NAME_FIELD_MAX);
        FUZZ_CHECK(p2v_put_str(&enc, s) == 0 && p2v_put_u64(&enc, a) == 0 &&
                   p2v_put_u64(&enc, b) == 0);
        same(&enc, p, n, false);
        free(s);
        break;
    case MSG_LIST_DATA: entry_batch(p, n, false); break;
    case MSG_ENTRY: entry_batch(p, n, true); break;
    case MSG_LIST_REQ: list_req(p, n); break;
    case MSG_FILE_REQ: {
        struct p2v_file_req r;
        if (p2v_file_req_decode(p, n, &r) < 0) {
            FUZZ_CHECK(!r.path);
            break;
        }
        FUZZ_CHECK(strlen(r.path) == r.path_len && r.method <= P2V_FILE_RESUME &&
                   r.sig_len <= P2V_SIG_MAX);
        FUZZ_CHECK(p2v_file_req_encode(&enc, &r) == 0);
        same(&enc, p, n, false);
        p2v_file_req_clear(&r);
        break;
    }
    case MSG_FILE_END: {
        struct p2v_file_end e;
        if (p2v_file_end_decode(p, n, &e) < 0) {
            FUZZ_CHECK(!e.message);
            break;
        }
        FUZZ_CHECK(e.message && e.status <= P2V_FILE_ERROR && e.mtime_nsec < 1000000000u);
        FUZZ_CHECK(p2v_file_end_encode(&enc, &e) == 0);
        same(&enc, p, n, false);
        free(e.message);
        break;
    }
    case MSG_CHUNK: {
        const void *d;
        size_t len;
        if (p2v_chunk_decode(p, n, &id, &a, &d, &len) < 0)
            break;
        FUZZ_CHECK(len <= P2V_XFER_CHUNK && a <= (uint64_t)INT64_MAX - len);
        FUZZ_CHECK(p2v_chunk_encode(&enc, id, a, d, len) == 0);
        same(&enc, p, n, false);
        break;
    }
    case MSG_HOLE:
        if (p2v_hole_decode(p, n, &id, &a, &b) < 0)
            break;
        FUZZ_CHECK(a <= (uint64_t)INT64_MAX && b <= (uint64_t)INT64_MAX - a);
        FUZZ_CHECK(p2v_hole_encode(&enc, id, a, b) == 0);
        same(&enc, p, n, false);
        break;
    case MSG_ZCHUNK: zchunk(p, n); break;
    }
    p2v_buf_release(&enc);
    return 0;
}
