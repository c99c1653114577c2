/* agent_pack_xz.c: the build-time .xz of the agent, checked before use.
 *
 * The build writes p2v-agent.xz beside p2v-agent (agent-linux/
 * CMakeLists.txt): a fifth smaller than with gzip, and xz at run time
 * would cost a second. A stale .xz from another build, or a damaged one,
 * would start the wrong agent or none on the source, so it is used only
 * when it declares exactly the binary about to be announced. */
#include "agent_pack.h"
#include "error.h"
#include "log.h"
#include <lzma.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether the .xz declares exactly raw: one stream of one block, whose
 * size and CRC32 (the block's last four bytes) are raw's. Read from its
 * footer and index, nothing decoded: decoding held three copies of the
 * agent (dictionary, output, binary) at once, on every channel. A .xz
 * damaged inside its data would pass here; the source's `xz -dc` checks
 * the CRC32 as it unpacks, and the bootstrap stops on its failure. */
static const char *xz_differs(const struct p2v_buf *xz, const struct p2v_buf *raw)
{
    const uint8_t *b = (const uint8_t *)xz->data;
    lzma_stream_flags head, foot;
    if (xz->len < 2 * LZMA_STREAM_HEADER_SIZE ||
        lzma_stream_header_decode(&head, b) != LZMA_OK ||
        lzma_stream_footer_decode(&foot, b + xz->len - LZMA_STREAM_HEADER_SIZE) != LZMA_OK ||
        lzma_stream_flags_compare(&head, &foot) != LZMA_OK)
        return "it is cut short or not an .xz file";
    if (head.check != LZMA_CHECK_CRC32)
        return "it was not made with --check=crc32";
    if (foot.backward_size > xz->len - 2 * LZMA_STREAM_HEADER_SIZE)
        return "its index lies outside the file";
    size_t at = xz->len - LZMA_STREAM_HEADER_SIZE - (size_t)foot.backward_size, pos = 0;
    lzma_index *index = NULL;
    uint64_t memlimit = 1u << 20;
    if (lzma_index_buffer_decode(&index, &memlimit, NULL, b + at, &pos,
                                 (size_t)foot.backward_size) != LZMA_OK)
        return "its index is damaged";
    const char *why = NULL;
    lzma_index_iter it;
    lzma_index_iter_init(&it, index);
    if (lzma_index_block_count(index) != 1 || lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK))
        why = "it is not one block (made without -T1?)";
    else if (lzma_index_uncompressed_size(index) != raw->len)
        why = "it holds another size than the agent binary";
    else if (it.block.compressed_file_offset + it.block.total_size > at ||
             it.block.total_size < 4)
        why = "its block lies outside the file";
    /* the check is a block's last bytes, after its padding */
    else if (le32(b + it.block.compressed_file_offset + it.block.total_size - 4) !=
             lzma_crc32((const uint8_t *)raw->data, raw->len, 0))
        why = "it holds other bytes than the agent binary";
    lzma_index_end(index, NULL);
    return why;
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
