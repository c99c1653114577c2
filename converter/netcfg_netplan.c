/* netcfg_netplan.c: Ubuntu's netplan. netplan merges every yaml in
 * /etc/netplan, so the server's files move to /etc/netplan/.migsave and
 * one file for venet0 takes their place (rendered for networkd, netplan's
 * default; 0600 as netplan wants). networkd's own directory and an old
 * interfaces file are left to netplan and said so. */
#include "netcfg_int.h"

#define NETPLAN_OURS "10-venet0.yaml"

int netcfg_netplan(struct netcfg *c)
{
    char **names;
    size_t n;
    if (nc_list(c, "/etc/netplan", &names, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (strcmp(names[i], NETPLAN_OURS) == 0)
            continue;
        p2v_autofree char *p = p2v_xasprintf("/etc/netplan/%s", names[i]);
        if (nc_has_suffix(names[i], ".yaml") || nc_has_suffix(names[i], ".yml"))
            r = nc_disable(c, p, "netplan would configure cards the container does not have");
    }
    p2v_strv_free(names, n);
    if (r < 0)
        return -1;
    if (nc_write(c, "/etc/netplan/" NETPLAN_OURS, "netplan/venet0.yaml", 0600,
                 "every address on venet0 (netplan)") < 0)
        return -1;

    if (nc_list(c, "/etc/systemd/network", &names, &n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        p2v_autofree char *p = p2v_xasprintf("/etc/systemd/network/%s", names[i]);
        ctfs_note(c->fs, p, "left as it was: netplan configures venet0 (its networkd files "
                            "are generated in /run)");
    }
    p2v_strv_free(names, n);
    if (nc_exists(c, "/etc/network/interfaces"))
        ctfs_note(c->fs, "/etc/network/interfaces",
                  "left as it was: netplan configures the network on this system");
    return 0;
}
