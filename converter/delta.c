/* delta.c: signatures and patching with librsync (see delta.h). */
#include "delta.h"
#include "error.h"
#include "filesum.h"
#include <librsync.h>
#include <unistd.h>

#define IOBUF (256u << 10)

/* Strong sums. Long: librsync's minimum for this file and block size
 * (safe against random collisions) plus 4 bytes of margin. Not the
 * 32-byte maximum: that guards against crafted collisions, and the
 * source, which chooses the content anyway, has no use for one.
 *
 * Short, when the agent sums what its delta describes (the node checks
 * the patched output against that sum and sends the file whole when they
 * differ): rsync's sizing, bits enough that a chance match of a block
 * beside the 32-bit rolling sum is unlikely (about 2^-10 a file), plus a
 * byte, since a miss costs the whole file again. About half the bytes of
 * the long sums, and signatures are most of what a final sync sends. */
#define STRONG_MARGIN 4

/* Short sums are MD4, not BLAKE2b: librsync's MD4 signs at 550 MB/s
 * against 300 (RabinKarp weak sums, 256 KiB feeds), and the agent's delta
 * sums every matched block with the same hash. Collisions can be
 * crafted in MD4, but only by the source, which chooses the content
 * anyway, and the delta's own sum (p2v/filesum.h) catches any that
 * happen. Long sums stay BLAKE2b: --verify uses them, and the Windows
 * agent matches blocks by BLAKE2b sums only. */
#define SHORT_STRONG_MAX 16   /* MD4's digest (RS_MD4_SUM_LENGTH) */

static size_t short_strong_len(uint64_t len, size_t block_len)
{
    int bits = 10;   /* rsync's BLOCKSUM_BIAS */
    for (uint64_t l = len; l >>= 1;)
        bits += 2;
    for (size_t b = block_len; b >>= 1;)
        bits--;
    int bytes = (bits + 1 - 32 + 7) / 8;
    if (bytes < 2)
        bytes = 2;
    return (size_t)bytes + 1 > SHORT_STRONG_MAX ? SHORT_STRONG_MAX : (size_t)bytes + 1;
}

int delta_signature(int basis_fd, uint64_t len, bool short_sums, struct p2v_buf *sig)
{
    rs_magic_number magic = 0;
    size_t block_len = 0, strong_len = (size_t)-1;
    if (rs_sig_args((rs_long_t)len, &magic, &block_len, &strong_len) != RS_DONE)
        return p2v_error_set("librsync cannot size a signature for %llu bytes",
                             (unsigned long long)len);
    if (short_sums) {
        magic = RS_RK_MD4_SIG_MAGIC;
        strong_len = short_strong_len(len, block_len);
    } else
        strong_len = strong_len + STRONG_MARGIN > RS_MAX_STRONG_SUM_LENGTH
                         ? RS_MAX_STRONG_SUM_LENGTH
                         : strong_len + STRONG_MARGIN;
    rs_job_t *job = rs_sig_begin(block_len, strong_len, magic);
    if (!job)
        return p2v_error_set("librsync: cannot start a signature");
    char *in = p2v_xmalloc(IOBUF), *out = p2v_xmalloc(IOBUF);
    uint64_t pos = 0;
    rs_buffers_t b = {0};
    int rc = -1;
    for (;;) {
        if (b.avail_in == 0 && !b.eof_in) {
            size_t want = len - pos < IOBUF ? (size_t)(len - pos) : IOBUF;
            ssize_t got = want ? pread(basis_fd, in, want, (off_t)pos) : 0;
            if (got < 0) {
                p2v_error_set_errno(errno, "read the basis file for its signature");
                break;
            }
            pos += (uint64_t)got;
            b.next_in = in;
            b.avail_in = (size_t)got;
            b.eof_in = got == 0 || pos >= len;
        }
        b.next_out = out;
        b.avail_out = IOBUF;
        rs_result r = rs_job_iter(job, &b);
        if (p2v_buf_add(sig, out, IOBUF - b.avail_out) < 0)
            break;
        if (r == RS_DONE) {
            rc = 0;
            break;
        }
        if (r != RS_BLOCKED) {
            p2v_error_set("librsync signature failed: %s", rs_strerror(r));
            break;
        }
    }
    rs_job_free(job);
    free(in);
    free(out);
    return rc;
}

struct delta_patch {
    rs_job_t *job;
    int basis_fd, out_fd, compare_fd;
    uint64_t basis_len, out_len, out_max;
    bool done, bad_copy, differs;
    char *out, *cmp;
    struct p2v_filesum *sum;   /* of the output, to check the agent's */
};

/* Copy commands come from the agent: refuse any outside the basis. */
static rs_result copy_cb(void *arg, rs_long_t pos, size_t *len, void **buf)
{
    struct delta_patch *p = arg;
    if (pos < 0 || (uint64_t)pos > p->basis_len || *len > p->basis_len - (uint64_t)pos) {
        p->bad_copy = true;
        return RS_CORRUPT;
    }
    ssize_t got = pread(p->basis_fd, *buf, *len, (off_t)pos);
    if (got <= 0)
        return RS_IO_ERROR;
    *len = (size_t)got;
    return RS_DONE;
}

struct delta_patch *delta_patch_begin(int basis_fd, uint64_t basis_len, int out_fd,
                                      uint64_t out_max)
{
    struct delta_patch *p = p2v_xcalloc(1, sizeof(*p));
    p->basis_fd = basis_fd;
    p->basis_len = basis_len;
    p->out_fd = out_fd;
    p->compare_fd = -1;
    p->out_max = out_max;
    p->sum = p2v_filesum_new();
    p->job = rs_patch_begin(copy_cb, p);
    if (!p->job) {
        delta_patch_free(p);
        p2v_error_set("librsync: cannot start a patch");
        return NULL;
    }
    return p;
}

static int run(struct delta_patch *p, const void *data, size_t n, bool eof)
{
    /* the buffers come with the first data and go at the end: a channel
     * keeps dozens of patches waiting for their turn, and patches one */
    if (!p->out)
        p->out = p2v_xmalloc(IOBUF);
    if (p->compare_fd >= 0 && !p->cmp)
        p->cmp = p2v_xmalloc(IOBUF);
    rs_buffers_t b = {.next_in = (char *)data, .avail_in = n, .eof_in = eof};
    for (;;) {
        if (p->done)
            return b.avail_in ? p2v_error_set("the delta runs on after its end") : 0;
        b.next_out = p->out;
        b.avail_out = IOBUF;
        rs_result r = rs_job_iter(p->job, &b);
        size_t made = IOBUF - b.avail_out;
        if (made) {
            if (p->out_len + made > p->out_max)
                return p2v_error_set("the delta expands beyond %llu bytes",
                                     (unsigned long long)p->out_max);
            p2v_filesum_update(p->sum, p->out, made);
            if (p->compare_fd >= 0) {
                ssize_t got = pread(p->compare_fd, p->cmp, made, (off_t)p->out_len);
                if (got != (ssize_t)made || memcmp(p->cmp, p->out, made) != 0)
                    p->differs = true;
            }
            for (size_t off = 0; p->out_fd >= 0 && off < made;) {
                ssize_t w = pwrite(p->out_fd, p->out + off, made - off, (off_t)(p->out_len + off));
                if (w < 0)
                    return p2v_error_set_errno(errno, "write the patched file");
                off += (size_t)w;
            }
            p->out_len += made;
        }
        if (r == RS_DONE) {
            p->done = true;
            continue;
        }
        if (r != RS_BLOCKED)
            return p2v_error_set("corrupt delta from the agent: %s%s", rs_strerror(r),
                                 p->bad_copy ? " (a copy beyond the basis file)" : "");
        if (b.avail_in == 0 && made == 0)
            return 0;
    }
}

int delta_patch_feed(struct delta_patch *p, const void *data, size_t n)
{
    return run(p, data, n, false);
}

int delta_patch_end(struct delta_patch *p, uint64_t *out_len)
{
    if (run(p, "", 0, true) < 0)
        return -1;
    if (!p->done)
        return p2v_error_set("the delta from the agent ended early");
    *out_len = p->out_len;
    free(p->out);
    free(p->cmp);
    p->out = p->cmp = NULL;
    return 0;
}

struct delta_patch *delta_patch_compare(int basis_fd, uint64_t basis_len, int compare_fd,
                                        uint64_t out_max)
{
    struct delta_patch *p = delta_patch_begin(basis_fd, basis_len, -1, out_max);
    if (p)
        p->compare_fd = compare_fd;
    return p;
}

bool delta_patch_sum_matches(struct delta_patch *p, const unsigned char *sum, size_t len)
{
    unsigned char mine[P2V_FILE_SUM_LEN];
    if (len != sizeof(mine))
        return false;
    p2v_filesum_final(p->sum, mine);
    return memcmp(mine, sum, sizeof(mine)) == 0;
}

bool delta_patch_differs(const struct delta_patch *p)
{
    return p->differs;
}

void delta_patch_free(struct delta_patch *p)
{
    if (!p)
        return;
    free(p->cmp);
    p2v_filesum_free(p->sum);
    if (p->job)
        rs_job_free(p->job);
    free(p->out);
    free(p);
}
