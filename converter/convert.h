/* convert.h: turn the copied tree into a container (#4).
 *
 * After each successful copy (first pass or incremental sync, which
 * restores the source's files), convert_run:
 *   1. runs the administrator's VZ_CONF_DIR/p2v.convert hook, if any
 *      (exit 0: it converted the tree, the built-in fixups are skipped;
 *      128: as if it did not exist; else the conversion fails, naming it);
 *   2. applies the fixups: venet0 network (netcfg.h), hostname, hosts, DNS,
 *      what cannot work in a container disabled, device nodes, quotas;
 *   3. installs the first-boot step (quotas, VZ_CONF_DIR/p2v.configure);
 *   4. writes VZ_CONF_DIR/CTID.conf and the runtime's config (runtime.h);
 *   5. reports every change and what was done for each restriction.
 * Nothing from the migrated tree is ever run on the node. */
#ifndef P2V_CONVERT_H
#define P2V_CONVERT_H

#include "common.h"
#include "config.h"
#include "ctfs.h"
#include "inventory.h"
#include "netcfg.h"
#include "nodeinfo.h"
#include "restrictions.h"

struct convert_opts {
    const char *host, *ctid;
    const char *quota_partition;   /* NULL: none */
    bool start;                    /* --start: ONBOOT yes, start at the end */
    uint64_t data_bytes;           /* what the copy holds, for DISKSPACE */
    uint64_t data_entries;         /* for DISKINODES */
    size_t *changes_out;           /* optional: how many changes were made */
};

enum init_kind { INIT_SYSTEMD, INIT_UPSTART, INIT_SYSVINIT, INIT_OPENRC, INIT_UNKNOWN };

struct convert_ctx {
    const struct convert_opts *o;
    const struct inventory *inv;
    const struct node_info *node;
    const struct p2v_config *cfg;
    struct report *report;         /* restriction ids: what was done */
    struct ctfs fs;
    struct net_plan plan;
    enum init_kind init;
    bool hook_converted;           /* p2v.convert said exit 0 */
    bool firstboot_quota, firstboot_configure;
    size_t net_from, net_to;       /* the network fixups' part of fs.changes */
};

int convert_run(const struct convert_opts *o, const struct inventory *inv,
                const struct node_info *node, const struct p2v_config *cfg, struct report *r);

/* Before a pass over a converted tree: undo the last conversion (its
 * change list in STATE_DIR/CTID.changes) so the sync compares the source
 * with the source's own files. 0 also when there is nothing to undo. */
int convert_revert(const struct p2v_config *cfg, const char *ctid, const char *private_dir);

/* steps, one file each */
enum init_kind convert_detect_init(struct ctfs *fs);
const char *init_kind_name(enum init_kind k);
int convert_hook_convert(struct convert_ctx *x);          /* convert_hooks.c */
int convert_fix_system(struct convert_ctx *x);            /* convert_system.c */
int convert_fix_disable(struct convert_ctx *x);           /* convert_disable.c */
int convert_fix_devices(struct convert_ctx *x);           /* convert_disable.c */
int convert_firstboot(struct convert_ctx *x);             /* convert_firstboot.c */
int convert_write_ctconf(struct convert_ctx *x);          /* convert_ctconf.c */

#endif
