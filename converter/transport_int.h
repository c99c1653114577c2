/* transport_int.h: what transport.c and transport_upload.c share. */
#ifndef P2V_TRANSPORT_INT_H
#define P2V_TRANSPORT_INT_H

#include "transport.h"
#include "agent_pack.h"

/* Exit codes of the bootstrap script, explained by transport_explain. */
enum {
    BOOT_NO_DIR = 97,
    BOOT_SHORT = 98,
};

#define MARKER "P2VBOOT 1 "

/* Send the agent the bootstrap waits for: p2v-agent-sys where the
 * source's glibc allows and it starts there, else the static agent at
 * o->agent_binary (size bytes; pack holds it when it was read while ssh
 * connected, else it is read when needed). */
int transport_upload(struct transport *t, const struct transport_opts *o, struct agent_pack *pack,
                     off_t size);
/* The system-library agent beside agent_binary ("PATH-sys"), if built. */
bool transport_sys_agent_exists(const char *agent_binary);

#endif
