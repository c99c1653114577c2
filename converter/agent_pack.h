/* agent_pack.h: the agent binary packed for the upload.
 *
 * The static agent is about 1.9 MB and is uploaded on every run and every
 * extra channel, so its size weighs on every incremental sync. The
 * smallest form is the .xz made at build time beside the binary
 * (agent_pack_xz.c): compressing it here would take a second. gzip, which
 * every Linux server has, is the fallback, made here in a tenth of a
 * second; the raw binary is the last resort. */
#ifndef P2V_AGENT_PACK_H
#define P2V_AGENT_PACK_H

#include "buf.h"
#include <sys/types.h>

struct agent_pack {
    struct p2v_buf raw;   /* the binary itself */
    struct p2v_buf xz;    /* its build-time .xz, checked; empty if none */
    struct p2v_buf gz;    /* empty until agent_pack_gzip */
};

/* Read `size` bytes of the agent from fd (from offset 0) into p->raw, and
 * its .xz from `path`.xz when that declares exactly those bytes. */
int agent_pack_load(struct agent_pack *p, int fd, off_t size, const char *path);
/* gzip p->raw into p->gz. */
int agent_pack_gzip(struct agent_pack *p);
void agent_pack_release(struct agent_pack *p);

/* Load PATH into out if it is an .xz file that declares exactly raw
 * (size and CRC32 of its one block; see agent_pack_xz.c).
 * Anything else (missing, unreadable, corrupt, another build) is logged
 * at debug level and leaves out empty: the upload then uses gzip. */
void agent_pack_load_xz(const char *path, const struct p2v_buf *raw, struct p2v_buf *out);

#endif
