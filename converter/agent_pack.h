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

/* agent_memo.c: the bytes of this process's first upload, kept for the
 * other channels of the run (same source, same form). keep takes bytes
 * (left empty) the first time only; take returns them or NULL, and each
 * take is followed by give_back once they are sent; drop frees them
 * when no other channel will open. */
void agent_memo_keep(const char *path, off_t size, const char *form, struct p2v_buf *bytes);
bool agent_memo_has(const char *path, off_t size);
const struct p2v_buf *agent_memo_take(const char *path, off_t size, const char *form);
void agent_memo_give_back(void);
void agent_memo_drop(void);

#endif
