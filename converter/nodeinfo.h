/* nodeinfo.h: what the dry run needs to know about this node and the
 * target container: arch, kernel, CPU, free space where the private area
 * goes, and whether CTID is taken or holds a resumable partial copy. */
#ifndef P2V_NODEINFO_H
#define P2V_NODEINFO_H

#include "config.h"

struct node_info {
    const struct p2v_config *cfg;
    char *ctid, *host;
    char *machine, *kernel, *cpu_flags;
    unsigned kmajor, kminor, kpatch;
    bool kernel_known;
    char *private_dir, *ve_root_dir, *conf_file, *lxc_config, *resume_marker;
    bool conf_exists, lxc_exists, private_exists, private_nonempty;
    char *resume_host;           /* host named by the resume marker, or NULL */
    bool resume_complete;        /* the marker says the last copy finished */
    bool space_known;
    char *space_path;            /* the existing directory statvfs looked at */
    uint64_t free_bytes, free_inodes;
};

int node_info_load(struct node_info *n, const struct p2v_config *cfg, const char *ctid,
                   const char *host);
void node_info_release(struct node_info *n);
/* Where a partial copy records its source: STATE_DIR/CTID.source */
char *node_resume_marker_path(const struct p2v_config *cfg, const char *ctid);

#endif
