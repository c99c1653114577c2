/* test_codec.c: codec, buffer, frame and HELLO round trips and bounds. */
#include "tap.h"
#include "codec.h"
#include "proto.h"
#include "entry.h"
#include "json_write.h"
#include "error.h"
#include <unistd.h>

static void test_buf_cap(void)
{
    struct p2v_buf b = P2V_BUF_INIT(8);
    ok(p2v_buf_add(&b, "12345678", 8) == 0, "buffer takes exactly its cap");
    ok(p2v_buf_addc(&b, 'x') < 0, "buffer refuses to grow past its cap");
    ok(strstr(p2v_error_message(), "limit of 8") != NULL, "error names the cap");
    p2v_buf_release(&b);
}

static void test_codec_bounds(void)
{
    struct p2v_buf b = P2V_BUF_INIT(1024);
    p2v_put_u32(&b, 0xdeadbeef);
    p2v_put_u64(&b, 0x0102030405060708ull);
    p2v_put_str(&b, "hello");
    struct p2v_dec d;
    p2v_dec_init(&d, b.data, b.len);
    is_int(p2v_get_u32(&d), 0xdeadbeef, "u32 round trip");
    ok(p2v_get_u64(&d) == 0x0102030405060708ull, "u64 round trip");
    char *s = p2v_get_str(&d, 16);
    is_str(s, "hello", "string round trip");
    free(s);
    ok(p2v_dec_finish(&d, "test") == 0, "nothing left over");

    p2v_dec_init(&d, b.data, b.len - 1);
    p2v_get_u32(&d);
    p2v_get_u64(&d);
    s = p2v_get_str(&d, 16);
    ok(s == NULL && p2v_dec_finish(&d, "test") < 0, "truncated string is refused");
    free(s);

    p2v_dec_init(&d, b.data, b.len);
    p2v_get_u32(&d);
    p2v_get_u64(&d);
    s = p2v_get_str(&d, 4);
    ok(s == NULL && strstr(d.err, "limit"), "string over its limit is refused");

    struct p2v_buf z = P2V_BUF_INIT(64);
    p2v_put_bytes(&z, "a\0b", 3);
    p2v_dec_init(&d, z.data, z.len);
    s = p2v_get_str(&d, 16);
    ok(s == NULL && strstr(d.err, "NUL"), "string with embedded NUL is refused");
    unsigned char huge[4] = {0xff, 0xff, 0xff, 0xff};
    p2v_dec_init(&d, huge, 4);
    size_t n;
    ok(p2v_get_bytes(&d, &n, SIZE_MAX) == NULL && d.err, "length beyond the input is refused");
    p2v_buf_release(&z);
    p2v_buf_release(&b);
}

static void test_varints(void)
{
    const uint64_t vals[] = {0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, UINT64_MAX};
    struct p2v_buf b = P2V_BUF_INIT(256);
    for (size_t i = 0; i < P2V_ARRAY_LEN(vals); i++)
        p2v_put_uv(&b, vals[i]);
    struct p2v_dec d;
    p2v_dec_init(&d, b.data, b.len);
    bool same = true;
    for (size_t i = 0; i < P2V_ARRAY_LEN(vals); i++)
        same = same && p2v_get_uv(&d) == vals[i];
    ok(same && p2v_dec_finish(&d, "test") == 0, "varints round trip, 0 to 2^64-1");
    is_int((int)b.len, 1 + 1 + 1 + 2 + 2 + 2 + 3 + 5 + 10, "varints take 7 bits a byte");

    const unsigned char overlong[] = {0x81, 0x00}, wide[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                                             0xff, 0xff, 0xff, 0xff, 0x02};
    p2v_dec_init(&d, overlong, sizeof(overlong));
    p2v_get_uv(&d);
    ok(d.err && strstr(d.err, "overlong"), "an overlong varint is refused");
    p2v_dec_init(&d, wide, sizeof(wide));
    p2v_get_uv(&d);
    ok(d.err && strstr(d.err, "64 bits"), "a varint beyond 64 bits is refused");
    p2v_buf_release(&b);
}

/* A batch is coded entry against entry: what comes out is what went in,
 * and the shared parts cost next to nothing. */
static void test_entries(void)
{
    struct p2v_xattr xa = {.name = "user.k", .value = (unsigned char *)"v", .len = 1};
    struct p2v_entry in[] = {
        {.path = "", .type = P2V_FT_DIR, .mode = 0755, .mtime_sec = 1700000000},
        {.path = "etc", .type = P2V_FT_DIR, .mode = 0755, .mtime_sec = 1700000000},
        {.path = "etc/passwd", .type = P2V_FT_REG, .mode = 0644, .size = 1234,
         .mtime_sec = 1700000005, .mtime_nsec = 123456789},
        {.path = "etc/pass\nwd", .type = P2V_FT_REG, .mode = 04755, .uid = 1000, .gid = 1000,
         .size = 1ull << 40, .mtime_sec = -5, .fsflags = 0x10, .flags = 1, .xattrs = &xa,
         .nxattrs = 1},
        {.path = "etc/hl", .type = P2V_FT_HARDLINK, .link = "etc/passwd", .uid = 1000,
         .gid = 1000, .mode = 04755, .mtime_sec = -5},
        {.path = "dev/null", .type = P2V_FT_CHR, .mode = 0666, .rdev_major = 1, .rdev_minor = 3,
         .mtime_sec = INT64_MAX},
    };
    size_t n = P2V_ARRAY_LEN(in);
    struct p2v_entry_ctx ectx = {0}, dctx = {0};
    struct p2v_buf b = P2V_BUF_INIT(4096);
    bool encoded = true;
    for (size_t i = 0; i < n; i++) {
        in[i].path_len = strlen(in[i].path);
        in[i].link_len = in[i].link ? strlen(in[i].link) : 0;
        encoded = encoded && p2v_entry_encode(&b, &in[i], &ectx) == 0;
    }
    ok(encoded, "a batch of entries encodes");
    struct p2v_dec d;
    p2v_dec_init(&d, b.data, b.len);
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        struct p2v_entry e;
        if (p2v_entry_decode(&d, &e, &dctx) < 0) {
            same = false;
            break;
        }
        same = same && e.path_len == in[i].path_len &&
               memcmp(e.path, in[i].path, e.path_len) == 0 && e.type == in[i].type &&
               e.mode == in[i].mode && e.uid == in[i].uid && e.gid == in[i].gid &&
               e.size == in[i].size && e.mtime_sec == in[i].mtime_sec &&
               e.mtime_nsec == in[i].mtime_nsec && e.rdev_major == in[i].rdev_major &&
               e.rdev_minor == in[i].rdev_minor && e.fsflags == in[i].fsflags &&
               e.flags == in[i].flags && e.link_len == in[i].link_len &&
               e.nxattrs == in[i].nxattrs &&
               (!e.nxattrs || (strcmp(e.xattrs[0].name, "user.k") == 0 &&
                               e.xattrs[0].len == 1 && e.xattrs[0].value[0] == 'v'));
        p2v_entry_clear(&e);
    }
    ok(same && p2v_dec_finish(&d, "test") == 0, "every field of every entry round trips");

    /* "etc/hl" after "etc/pass\nwd": shares 4 bytes, owner/mode/time unchanged */
    struct p2v_entry_ctx c = {0};
    struct p2v_buf one = P2V_BUF_INIT(4096);
    for (size_t i = 0; i < 4; i++)
        p2v_entry_encode(&one, &in[i], &c);
    size_t before = one.len;
    p2v_entry_encode(&one, &in[4], &c);
    is_int((int)(one.len - before), 1 + 1 + 2 + 1 + 2 + 1 + 10, "a hard link costs its new bytes");

    /* a shared prefix shorter than the real one is a second spelling: refused */
    struct p2v_buf bad = P2V_BUF_INIT(64);
    struct p2v_entry_ctx z = {0};
    p2v_entry_encode(&bad, &in[1], &z);
    p2v_put_uv(&bad, 0);
    p2v_put_vbytes(&bad, "etc/x", 5);
    p2v_put_u8(&bad, P2V_FT_REG);
    p2v_put_uv(&bad, 0);
    struct p2v_entry_ctx dz = {0};
    struct p2v_entry e;
    p2v_dec_init(&d, bad.data, bad.len);
    ok(p2v_entry_decode(&d, &e, &dz) == 0 && (p2v_entry_clear(&e), 1) &&
           p2v_entry_decode(&d, &e, &dz) < 0 && strstr(d.err, "never makes"),
       "a shorter shared prefix than there is is refused");
    p2v_buf_release(&bad);
    p2v_buf_release(&one);
    p2v_buf_release(&b);
}

static void test_frames(void)
{
    int p[2];
    if (pipe(p) < 0)
        return;
    struct p2v_conn w, r;
    p2v_conn_init(&w, -1, p[1], -1, "writer");
    p2v_conn_init(&r, p[0], -1, -1, "reader");
    r.timeout_ms = 2000;
    ok(p2v_frame_send(&w, P2V_MSG_BYE, "abc", 3) == 0, "frame sent");
    uint16_t type;
    const void *pl;
    size_t n;
    ok(p2v_frame_recv(&r, &type, &pl, &n) == 0 && type == P2V_MSG_BYE && n == 3 &&
           memcmp(pl, "abc", 3) == 0, "frame received intact");
    /* a header announcing more than the bound */
    unsigned char hdr[8] = {0x7f, 0xff, 0xff, 0xff, 0, 1, 0, 0};
    ok(write(p[1], hdr, 8) == 8, "wrote oversized header");
    ok(p2v_frame_recv(&r, &type, &pl, &n) < 0 && strstr(p2v_error_message(), "over the limit"),
       "oversized frame refused before allocation: %s", p2v_error_message());
    close(p[1]);
    p2v_conn_release(&r);
    p2v_conn_release(&w);
    close(p[0]);

    if (pipe(p) < 0)
        return;
    p2v_conn_init(&r, p[0], -1, -1, "reader");
    r.timeout_ms = 2000;
    unsigned char half[12] = {0, 0, 0, 10, 0, 3, 0, 0, 'x', 'y'};
    ok(write(p[1], half, 10) == 10, "wrote half a frame");
    close(p[1]);
    ok(p2v_frame_recv(&r, &type, &pl, &n) < 0 && strstr(p2v_error_message(), "middle"),
       "stream ending mid-frame is reported: %s", p2v_error_message());
    p2v_conn_release(&r);
    close(p[0]);
}

static void test_hello(void)
{
    struct p2v_hello a = {.proto_max = 3, .proto_min = 2, .software = "p2vmigrate 9",
                          .os = "node", .arch = "x86_64", .caps = 1};
    struct p2v_hello b = {.proto_max = 1, .proto_min = 1, .software = "p2v-agent 0.1",
                          .os = "linux", .arch = "x86_64", .caps = 1};
    struct p2v_buf buf = P2V_BUF_INIT(4096);
    struct p2v_hello got;
    ok(p2v_hello_encode(&buf, &a) == 0 && p2v_hello_decode(buf.data, buf.len, &got) == 0,
       "hello round trip");
    is_str(got.software, "p2vmigrate 9", "software survives");
    ok(got.proto_max == 3 && got.proto_min == 2, "versions survive");
    p2v_hello_clear(&got);
    uint32_t v;
    ok(p2v_proto_negotiate(&a, &b, &v) < 0, "disjoint versions refused");
    ok(strstr(p2v_error_message(), "p2vmigrate 9 speaks protocols 2..3") &&
           strstr(p2v_error_message(), "p2v-agent 0.1 speaks protocol 1"),
       "mismatch names both sides: %s", p2v_error_message());
    b.proto_max = 5;
    ok(p2v_proto_negotiate(&a, &b, &v) == 0 && v == 3, "highest shared version chosen");
    ok(p2v_hello_decode("P2VX", 4, &got) < 0, "wrong magic refused");
    p2v_buf_release(&buf);
}

static void test_json(void)
{
    struct p2v_buf b = P2V_BUF_INIT(4096);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "a", "q\"\n\x01");
    p2v_json_key(&j, "l");
    p2v_json_arr_begin(&j);
    p2v_json_uint(&j, 1);
    p2v_json_strn(&j, "\xff", 1);
    p2v_json_arr_end(&j);
    p2v_json_key(&j, "f");
    p2v_json_obj_begin(&j);
    p2v_json_blob(&j, "\x00\x01", 2);
    p2v_json_obj_end(&j);
    p2v_json_obj_end(&j);
    ok(p2v_json_finish(&j) == 0, "json finished");
    is_str(b.data, "{\"a\":\"q\\\"\\n\\u0001\",\"l\":[1,\"\\\\xff\"],\"f\":{\"base64\":\"AAE=\"}}",
           "escaping, arrays and blobs");
    struct p2v_buf d = P2V_BUF_INIT(64);
    ok(p2v_base64_decode(&d, "AAE=", 4) == 0 && d.len == 2 && d.data[1] == 1, "base64 decodes");
    ok(p2v_base64_decode(&d, "A=AE", 4) < 0, "bad base64 refused");
    ok(!p2v_utf8_valid("\xc0\x80", 2), "overlong UTF-8 refused");
    ok(p2v_utf8_valid("h\xc3\xa9", 3), "valid UTF-8 accepted");
    p2v_buf_release(&d);
    p2v_buf_release(&b);
}

int main(void)
{
    test_buf_cap();
    test_codec_bounds();
    test_varints();
    test_entries();
    test_frames();
    test_hello();
    test_json();
    return tap_done();
}
