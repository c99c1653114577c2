/* agent_pack.h: the agent binary gzip-compressed for the upload.
 *
 * The static agent is about 2 MB and is uploaded on every run and every
 * extra channel; gzip, which every Linux server has, makes that under
 * half. It is compressed while ssh connects; the bootstrap falls back to
 * the raw binary where gzip is missing. */
#ifndef P2V_AGENT_PACK_H
#define P2V_AGENT_PACK_H

#include "buf.h"
#include <sys/types.h>

/* Read `size` bytes from fd (from offset 0) and gzip them into out. */
int agent_pack_gzip(int fd, off_t size, struct p2v_buf *out);

#endif
