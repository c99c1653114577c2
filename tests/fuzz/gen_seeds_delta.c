/* gen_seeds_delta.c: librsync deltas against the delta target's basis. */
#include "gen_seeds.h"
#include "delta.h"
#include "error.h"
#include "json_write.h"
#include "proto.h"
#include "xfer.h"
#include <librsync.h>
#include <sys/stat.h>

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
    if (fd < 0 || delta_signature(fd, FUZZ_BASIS_LEN, false, &sig) < 0)
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

void seeds_delta(const unsigned char *basis, struct p2v_buf *keep)
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

