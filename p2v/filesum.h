/* filesum.h: the sum that ends a delta (P2V_CAP_DELTA_SUM), XXH3-128.
 *
 * It catches a block that rsync's short strong sums matched by chance;
 * it is no defence against a crafted collision and needs none: the
 * source chooses the file's content anyway. Not BLAKE2b: the agent sums
 * every byte of a delta and the node every byte of its patched output,
 * and at 0.5 GB/s that was two extra passes over each big changed file
 * on a final sync; XXH3 costs a fraction of the read. */
#ifndef P2V_FILESUM_H
#define P2V_FILESUM_H

#include "common.h"
#include "xfer.h"

struct p2v_filesum;

/* Aborts when out of memory, as p2v_xmalloc does. */
struct p2v_filesum *p2v_filesum_new(void);
void p2v_filesum_update(struct p2v_filesum *s, const void *data, size_t n);
void p2v_filesum_final(const struct p2v_filesum *s, unsigned char out[P2V_FILE_SUM_LEN]);
void p2v_filesum_free(struct p2v_filesum *s);

#endif
