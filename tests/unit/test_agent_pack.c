/* test_agent_pack.c: the agent's .xz is taken only when it declares
 * exactly the agent: whole, cut, of other bytes, longer, missing. */
#include "tap.h"
#include "agent_pack.h"
#include <lzma.h>
#include <unistd.h>

static char dir[] = "/tmp/p2v-test-agent-pack.XXXXXX";
static char path[sizeof(dir) + 16];

/* Write bytes xz-compressed to `path`, less its last `cut` bytes. */
static void write_xz(const void *bytes, size_t n, size_t cut)
{
    size_t cap = lzma_stream_buffer_bound(n), len = 0;
    uint8_t *xz = p2v_xmalloc(cap);
    if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, bytes, n, xz, &len, cap) != LZMA_OK)
        printf("# lzma_easy_buffer_encode failed\n");
    FILE *f = fopen(path, "wb");
    fwrite(xz, 1, len - cut, f);
    fclose(f);
    free(xz);
}

static size_t loaded(const struct p2v_buf *raw)
{
    struct p2v_buf out = P2V_BUF_INIT(64u << 20);
    agent_pack_load_xz(path, raw, &out);
    size_t n = out.len;
    p2v_buf_release(&out);
    return n;
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/agent.xz", dir);
    struct p2v_buf raw = P2V_BUF_INIT(1 << 20);
    for (int i = 0; i < 100000; i++)
        p2v_buf_printf(&raw, "%d ", i % 977);
    is_int(loaded(&raw), 0, "no .xz: none taken");
    write_xz(raw.data, raw.len, 0);
    ok(loaded(&raw) > 0, "the .xz of the agent is taken");
    write_xz(raw.data, raw.len, 20);
    is_int(loaded(&raw), 0, "a cut .xz is not");
    write_xz(raw.data, raw.len - 1, 0);
    is_int(loaded(&raw), 0, "a .xz of fewer bytes is not");
    write_xz(raw.data, raw.len / 2, 0);
    raw.len /= 2;
    raw.data[0] ^= 1;
    is_int(loaded(&raw), 0, "a .xz of other bytes is not");
    raw.data[0] ^= 1;
    raw.len -= 1;
    is_int(loaded(&raw), 0, "a .xz of more bytes is not");
    p2v_buf_release(&raw);
    unlink(path);
    rmdir(dir);
    return tap_done();
}
