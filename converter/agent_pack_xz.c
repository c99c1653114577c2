/* agent_pack_xz.c: the build-time .xz of the agent, checked before use.
 *
 * The build writes p2v-agent.xz beside p2v-agent (agent-linux/
 * CMakeLists.txt): a fifth smaller than with gzip, and xz at run time
 * would cost a second. A stale .xz from another build, or a damaged one,
 * would start the wrong agent or none on the source, so it is used only
 * when it decodes here to exactly the binary about to be announced. */
#include "agent_pack.h"
#include "error.h"
#include "log.h"
#include <lzma.h>

/* What the source's `xz -dc` may need too: the build uses a 4 MiB
 * dictionary; a .xz needing more is not one we made. */
#define XZ_MEMLIMIT (16u << 20)

/* Decode one whole .xz stream, refusing any output beyond raw's size. */
static const char *xz_differs(const struct p2v_buf *xz, const struct p2v_buf *raw)
{
    p2v_autofree uint8_t *out = p2v_xmalloc(raw->len);
    uint64_t memlimit = XZ_MEMLIMIT;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, NULL, (const uint8_t *)xz->data,
                                           &in_pos, xz->len, out, &out_pos, raw->len);
    if (r == LZMA_BUF_ERROR)
        return "it is cut short or decodes to more than the agent binary";
    if (r == LZMA_MEMLIMIT_ERROR)
        return "decoding it needs more than 16 MiB";
    if (r != LZMA_OK)
        return "it is not a valid .xz file";
    if (in_pos != xz->len)
        return "it has data after its xz stream";
    if (out_pos != raw->len || memcmp(out, raw->data, raw->len) != 0)
        return "it decodes to another binary than the agent";
    return NULL;
}

void agent_pack_load_xz(const char *path, const struct p2v_buf *raw, struct p2v_buf *out)
{
    p2v_buf_reset(out);
    if (p2v_buf_read_file(out, path) < 0) {
        p2v_debug("not uploading the agent xz'd: %s", p2v_error_message());
        p2v_buf_reset(out);
        return;
    }
    const char *why = xz_differs(out, raw);
    if (why) {
        p2v_debug("not uploading the agent xz'd: `%s`: %s", path, why);
        p2v_buf_reset(out);
    }
}
