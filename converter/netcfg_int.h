/* netcfg_int.h: shared by netcfg.c and the per-family writers
 * netcfg_<family>.c only. */
#ifndef P2V_NETCFG_INT_H
#define P2V_NETCFG_INT_H

#include "netcfg.h"
#include "tmpl.h"

struct netcfg {
    struct ctfs *fs;
    const struct net_plan *p;
    const char *os;            /* inventory os family, "" if unknown */
    unsigned families;         /* what netcfg_detect found */
    struct tmpl_vars vars;     /* the plan's lists and values, + per family */
};

#define NETCFG_BIT(f) (1u << (f))

/* ctfs wrappers: absent is not an error */
bool nc_exists(struct netcfg *c, const char *path);          /* stat, links followed */
bool nc_is_dir(struct netcfg *c, const char *path);
bool nc_any_exists(struct netcfg *c, const char *const *paths);
/* names in DIR without dot-files; empty when absent. 0 or -1 */
int nc_list(struct netcfg *c, const char *dir, char ***names, size_t *n);
/* 0 read, 1 absent, -1 error */
int nc_read(struct netcfg *c, const char *path, struct p2v_buf *b);
/* Render templates/net/TMPL and write it to PATH: 0 or -1. */
int nc_write(struct netcfg *c, const char *path, const char *tmpl, mode_t mode, const char *why);
/* The same with the writer's own variables (a copy of c->vars changed). */
int nc_write_vars(struct netcfg *c, const struct tmpl_vars *v, const char *path, const char *tmpl,
                  mode_t mode, const char *why);
/* Write DATA to PATH: 0 or -1. */
int nc_write_text(struct netcfg *c, const char *path, const char *data, size_t len, mode_t mode,
                  const char *why);
int nc_disable(struct netcfg *c, const char *path, const char *why);
/* Red Hat's legacy `network` service (initscripts / network-scripts) */
extern const char *const nc_legacy_network[];
bool nc_plan_iface(const struct netcfg *c, const char *name);
bool nc_has_suffix(const char *s, const char *suffix);

/* ifupdown syntax (netcfg_ifupdown.c): does TEXT configure an interface
 * other than lo and venet0? */
bool nc_ifupdown_configures_nic(const char *text);
/* Disable every file in /etc/network/interfaces.d that configures a NIC. */
int nc_ifupdown_disable_parts(struct netcfg *c);

/* The writers, one file each. 0 or -1. */
int netcfg_ifupdown(struct netcfg *c);
int netcfg_netplan(struct netcfg *c);
int netcfg_redhat(struct netcfg *c);
int netcfg_nm(struct netcfg *c);
int netcfg_suse(struct netcfg *c);
int netcfg_networkd(struct netcfg *c);
int netcfg_netctl(struct netcfg *c);
int netcfg_gentoo(struct netcfg *c);
int netcfg_alpine(struct netcfg *c);

#endif
