/* runtime.h: what starts the container on this node (RUNTIME in p2v.conf).
 *
 *   vzctl  OpenVZ: CTID.conf is the container; `vzctl start CTID`.
 *   lxc    LXC_PATH/CTID/config boots the private area directly, with a
 *          device venet0 that behaves like OpenVZ's (routed veth, both
 *          ends NOARP: templates/lxc/venet-up); `lxc-start -P LXC_PATH -n CTID`.
 *   none   only the files; the administrator starts it some other way. */
#ifndef P2V_RUNTIME_H
#define P2V_RUNTIME_H

#include "convert.h"

struct runtime {
    const char *name;
    int (*prepare)(struct convert_ctx *x);      /* write its config */
    char *(*start_command)(const struct convert_ctx *x);  /* malloc'd shell line */
};

const struct runtime *runtime_find(const char *name);
/* Run the start command (argv form, no shell). */
int runtime_start(const struct runtime *rt, const struct convert_ctx *x);

#endif
