/* config.h: node settings in the manner of vzctl's /etc/vz/vz.conf.
 *
 * Read from $P2V_CONFIG, else /etc/p2v/p2v.conf. A missing default file
 * means defaults; a missing file named by P2V_CONFIG, an unreadable file
 * or a bad line is an error naming the file and line. Format: KEY=value
 * or KEY="value" lines, # comments, as vzctl's parser takes them. */
#ifndef P2V_CONFIG_H
#define P2V_CONFIG_H

#include "common.h"

#define P2V_CONFIG_DEFAULT "/etc/p2v/p2v.conf"

struct p2v_config {
    char *path;          /* the file read, or NULL when defaults only */
    char *ve_private;    /* "/vz/private/$VEID" */
    char *ve_root;       /* "/vz/root/$VEID" */
    char *vz_conf_dir;   /* "/etc/vz/conf" */
    char *runtime;       /* "vzctl", "lxc" or "none" */
    char *lxc_path;      /* "/var/lib/lxc" */
    char *state_dir;     /* "/var/lib/p2v": resume state per container */
    char *node_os;       /* "linux" or "windows-2003" / "windows-2008" */
    char *agent_binary;  /* local agent to upload; NULL = next to p2vmigrate */
    char *agent_binary_windows;
};

int p2v_config_load(struct p2v_config *out);
int p2v_config_load_file(struct p2v_config *out, const char *path, bool must_exist);
void p2v_config_release(struct p2v_config *cfg);

/* Substitute $VEID / ${VEID} and drop trailing slashes (as vzctl does). */
char *p2v_config_expand(const char *tmpl, const char *ctid);

/* CTIDs are vzctl's: decimal 1..2147483644, no sign or leading zero. */
#define P2V_CTID_MAX 2147483644UL
int p2v_ctid_check(const char *s);

#endif
