/* netcfg.h: the container's network configuration for venet0 (#4).
 *
 * On an OpenVZ node every address of the container lives on venet0, a
 * routed point-to-point device without ARP, and the default route is
 * `dev venet0`. The source server configured its NICs with one of many
 * families of config files; netcfg finds which the copied tree uses and
 * rewrites them for venet0: every address (IPv4 as /32, IPv6 as /128),
 * default routes dev venet0, the physical NIC configs disabled (kept as
 * backups, see ctfs.h). The text of each family's files lives in
 * templates/net/ (tmpl.h); the choice of family is made here in C.
 *
 * Families: Debian/Ubuntu ifupdown (iproute2 commands, or net-tools
 * ones where only those exist), netplan, Red Hat ifcfg (network-scripts),
 * NetworkManager keyfiles, SUSE ifcfg/wicked, systemd-networkd, Arch
 * netctl, Gentoo conf.d/net, Alpine. */
#ifndef P2V_NETCFG_H
#define P2V_NETCFG_H

#include "common.h"
#include "ctfs.h"

struct inventory;

/* What venet0 gets. Every string is validated text (see net_plan_build):
 * safe to write into a config file or a shell line without quoting. */
struct net_plan {
    char *hostname;          /* the source's, [A-Za-z0-9.-], <= 253 */
    char **ipv4;             /* "198.51.100.10" */
    size_t nipv4;
    char **ipv6;             /* "2001:db8:10::10", inet_ntop form */
    size_t nipv6;
    char **ifaces;           /* the source's NIC names, [A-Za-z0-9_.:@-]{1,15} */
    size_t nifaces;
    char **dns;              /* nameserver addresses */
    size_t ndns;
    char **search;           /* search domains */
    size_t nsearch;
};

/* From the inventory: all global addresses of all non-loopback interfaces
 * (loopback, link-local, 0.0.0.0 and :: skipped; duplicates dropped; order
 * kept). Strings that fail validation are skipped with a warning. */
int net_plan_build(struct net_plan *p, const struct inventory *inv);
void net_plan_release(struct net_plan *p);

enum netcfg_family {
    NETCFG_IFUPDOWN,
    NETCFG_NETPLAN,
    NETCFG_REDHAT,
    NETCFG_NM,
    NETCFG_SUSE,
    NETCFG_NETWORKD,
    NETCFG_NETCTL,
    NETCFG_GENTOO,
    NETCFG_ALPINE,
    NETCFG_COUNT
};
const char *netcfg_family_name(enum netcfg_family f);

/* Which families the tree under fs uses (bit per family). os_family is the
 * inventory's ("debian", "redhat", "suse", "arch", "gentoo", "alpine") and
 * breaks ties. */
unsigned netcfg_detect(struct ctfs *fs, const char *os_family);

/* Rewrite every detected family for venet0. Every file written, disabled
 * or left alone is in fs->changes. 0, or -1 with p2v_error set (nothing
 * half-written: each file is replaced atomically). When no family is
 * found, writes nothing and returns 1 (the caller reports it). */
int netcfg_apply(struct ctfs *fs, const struct net_plan *p, const char *os_family);

#endif
