/* netcfg_suse.c: SUSE /etc/sysconfig/network, read by wicked (and by
 * ifup on older releases): ifcfg-venet0 with IPADDR_N per address and
 * ifroute-venet0 with device default routes. The cards' ifcfg-* and
 * ifroute-* and the global `routes` (its default goes via a gateway the
 * container cannot reach) move to /etc/sysconfig/network/.migsave. */
#include "netcfg_int.h"

#define SN "/etc/sysconfig/network"

static const char *device_of(const char *name)
{
    if (strncmp(name, "ifcfg-", 6) == 0)
        return name + 6;
    if (strncmp(name, "ifroute-", 8) == 0)
        return name + 8;
    return NULL;
}

int netcfg_suse(struct netcfg *c)
{
    char **names;
    size_t n;
    if (nc_list(c, SN, &names, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *dev = device_of(names[i]);
        p2v_autofree char *p = p2v_xasprintf(SN "/%s", names[i]);
        if (strcmp(names[i], "routes") == 0)
            r = nc_disable(c, p, "routes through a gateway the container cannot reach");
        else if (!dev || !*dev || strcmp(dev, "venet0") == 0)
            continue;
        else if (strcmp(dev, "lo") == 0)
            ctfs_note(c->fs, p, "left as it was: the loopback");
        else
            r = nc_disable(c, p, "configures a network card the container does not have");
    }
    p2v_strv_free(names, n);
    if (r < 0)
        return -1;
    if (nc_write(c, SN "/ifcfg-venet0", "suse/ifcfg-venet0", 0600,
                 "every address on venet0 (wicked)") < 0)
        return -1;
    return nc_write(c, SN "/ifroute-venet0", "suse/ifroute-venet0", 0600,
                    "default routes through venet0");
}
