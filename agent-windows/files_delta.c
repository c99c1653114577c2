/* files_delta.c: librsync-format deltas without librsync (see files.h).
 *
 * Debian has no librsync for mingw. The node only needs a delta that
 * librsync's patcher accepts and that proves or repairs its basis, so this
 * one compares the file block by block at the same offsets as the
 * signature (no rolling search): a block whose BLAKE2b strong sum matches
 * the basis's becomes a COPY, any other a LITERAL. That is exact for what
 * RESUME sends (the basis is a prefix of the file) and for files changed
 * in place or appended to; a file whose bytes moved goes as literals, as
 * if sent whole. MD4 signatures (old librsync) have no strong sum here:
 * all literals, still a correct delta.
 *
 * Delta stream (librsync's prototab): u32 RS_DELTA_MAGIC 0x72730236, then
 * commands: 0x43 LITERAL u32 len + bytes; 0x53 COPY u64 offset u32 len;
 * 0x00 END. Signature: u32 magic | u32 block_len | u32 strong_len, then per
 * block u32 weak sum | strong_len bytes. */
#include "files.h"
#include "../agent-linux/blake2b.h"
#include "buf.h"

#define DELTA_MAGIC 0x72730236u
#define SIG_BLAKE2 0x72730137u
#define SIG_RK_BLAKE2 0x72730147u
#define SIG_MD4 0x72730136u
#define SIG_RK_MD4 0x72730146u
#define OP_LITERAL_N4 0x43
#define OP_COPY_N8_N4 0x53
#define STRONG_MAX 32u
#define BLOCK_MAX (16u << 20)
#define LITERAL_UNIT (256u << 10)

struct files_sig {
    bool blake2;            /* strong sums usable */
    uint32_t block_len, strong_len;
    size_t nblocks;
    const unsigned char *sums;   /* nblocks * (4 + strong_len), into data */
    unsigned char *data;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct files_sig *files_sig_parse(const void *sig, size_t len, char *why, size_t whylen)
{
    const unsigned char *p = sig;
    if (len < 12) {
        snprintf(why, whylen, "signature of %zu bytes is truncated", len);
        return NULL;
    }
    uint32_t magic = be32(p), block = be32(p + 4), strong = be32(p + 8);
    if (magic != SIG_BLAKE2 && magic != SIG_RK_BLAKE2 && magic != SIG_MD4 && magic != SIG_RK_MD4) {
        snprintf(why, whylen, "bad signature magic %#x", magic);
        return NULL;
    }
    if (block == 0 || strong == 0 || strong > STRONG_MAX || (len - 12) % (4 + strong) != 0) {
        snprintf(why, whylen, "bad signature (block %u, strong sum %u, %zu bytes)", block, strong,
                 len);
        return NULL;
    }
    struct files_sig *s = p2v_xcalloc(1, sizeof(*s));
    s->data = p2v_xmalloc(len);
    memcpy(s->data, sig, len);
    s->blake2 = (magic == SIG_BLAKE2 || magic == SIG_RK_BLAKE2) && block <= BLOCK_MAX;
    s->block_len = block;
    s->strong_len = strong;
    s->nblocks = (len - 12) / (4 + strong);
    s->sums = s->data + 12;
    return s;
}

void files_sig_free(struct files_sig *s)
{
    if (s)
        free(s->data);
    free(s);
}

static void put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static int copy_cmd(files_emit_fn emit, void *ctx, uint64_t off, uint64_t len)
{
    while (len) {
        uint32_t n = len > 0x40000000u ? 0x40000000u : (uint32_t)len;
        unsigned char cmd[13] = {OP_COPY_N8_N4};
        put_be(cmd + 1, off, 8);
        put_be(cmd + 9, n, 4);
        if (emit(ctx, cmd, sizeof(cmd)) < 0)
            return -1;
        off += n;
        len -= n;
    }
    return 0;
}

static int literal_cmd(files_emit_fn emit, void *ctx, const char *p, size_t n)
{
    unsigned char cmd[5] = {OP_LITERAL_N4};
    put_be(cmd + 1, n, 4);
    return emit(ctx, cmd, sizeof(cmd)) < 0 || emit(ctx, p, n) < 0 ? -1 : 0;
}

int files_delta(const struct files_sig *s, uint64_t limit, files_read_fn rd, files_emit_fn emit,
                void *ctx, uint64_t *got)
{
    size_t unit = s->blake2 ? s->block_len : LITERAL_UNIT;
    char *buf = p2v_xmalloc(unit);
    unsigned char hdr[4], sum[STRONG_MAX];
    uint64_t pos = 0, copy_off = 0, copy_len = 0;
    int rc = 0;
    put_be(hdr, DELTA_MAGIC, 4);
    if (emit(ctx, hdr, 4) < 0)
        rc = -2;
    while (rc == 0 && pos < limit) {
        size_t want = limit - pos > unit ? unit : (size_t)(limit - pos);
        long long n = rd(ctx, buf, want, pos);
        if (n < 0) {
            rc = -1;
            break;
        }
        bool same = false;
        size_t blk = (size_t)(pos / unit);
        if (s->blake2 && n > 0 && blk < s->nblocks) {
            blake2b(sum, buf, NULL, STRONG_MAX, (size_t)n, 0);
            same = memcmp(sum, s->sums + blk * (4 + s->strong_len) + 4, s->strong_len) == 0;
        }
        if (same) {
            if (copy_len && copy_off + copy_len != pos) {
                if (copy_cmd(emit, ctx, copy_off, copy_len) < 0)
                    rc = -2;
                copy_len = 0;
            }
            if (!copy_len)
                copy_off = pos;
            copy_len += (uint64_t)n;
        } else if (n > 0) {
            if (copy_len && copy_cmd(emit, ctx, copy_off, copy_len) < 0)
                rc = -2;
            copy_len = 0;
            if (rc == 0 && literal_cmd(emit, ctx, buf, (size_t)n) < 0)
                rc = -2;
        }
        pos += (uint64_t)n;
        if ((size_t)n < want && rc == 0)
            rc = 1;
    }
    if (rc >= 0 && copy_len && copy_cmd(emit, ctx, copy_off, copy_len) < 0)
        rc = -2;
    unsigned char end = 0;
    if (rc >= 0 && emit(ctx, &end, 1) < 0)
        rc = -2;
    *got = pos;
    free(buf);
    return rc;
}
