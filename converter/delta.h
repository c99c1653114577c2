/* delta.h: librsync on the node: the signature of a basis file, and
 * applying the agent's delta stream to it into a new file. The delta is
 * untrusted: copy commands are checked against the basis, the output is
 * bounded, and a stream that ends early or runs on is an error. */
#ifndef P2V_DELTA_H
#define P2V_DELTA_H

#include "buf.h"
#include "xfer.h"

/* Signature of bytes [0, len) of basis_fd, appended to sig (whose cap
 * bounds it; -1 with an error when it would exceed). short_sums: rsync's
 * short strong sums, only for an agent that sums its deltas
 * (P2V_CAP_DELTA_SUM): the patch must then be checked with
 * delta_patch_sum_matches(). */
int delta_signature(int basis_fd, uint64_t len, bool short_sums, struct p2v_buf *sig);

struct delta_patch;
/* Patch into out_fd from offset 0; never more than out_max bytes. */
struct delta_patch *delta_patch_begin(int basis_fd, uint64_t basis_len, int out_fd,
                                      uint64_t out_max);
/* Compare mode (--verify): out_fd -1 and compare_fd the file the output
 * should equal; nothing is written, and delta_patch_differs() tells. */
struct delta_patch *delta_patch_compare(int basis_fd, uint64_t basis_len, int compare_fd,
                                        uint64_t out_max);
bool delta_patch_differs(const struct delta_patch *p);
int delta_patch_feed(struct delta_patch *p, const void *data, size_t n);
/* End of the stream: the delta must be complete. *out_len gets the size
 * written. */
int delta_patch_end(struct delta_patch *p, uint64_t *out_len);
/* After delta_patch_end: whether the output's sum (p2v/filesum.h) is sum
 * (the agent's, of what it read); once only. */
bool delta_patch_sum_matches(struct delta_patch *p, const unsigned char *sum, size_t len);
void delta_patch_free(struct delta_patch *p);

#endif
