/* netcfg_networkd.c: systemd-networkd. Every .network and .netdev in
 * /etc/systemd/network moves to .migsave (the first matching .network
 * wins, and a catch-all would take venet0); a mask (symlink to /dev/null)
 * stays, or the packaged file it hides would come back. .link files only
 * rename cards through udev: left alone. venet0 gets one .network with
 * Gateway=0.0.0.0 / Gateway=:: default routes, networkd's spelling of
 * `default dev venet0`. */
#include "netcfg_int.h"

#define SNW "/etc/systemd/network"
#define NWD_OURS "10-venet0.network"

static bool is_mask(struct netcfg *c, const char *path)
{
    p2v_autofree char *target = NULL;
    return ctfs_readlink(c->fs, path, &target) == 0 && strcmp(target, "/dev/null") == 0;
}

int netcfg_networkd(struct netcfg *c)
{
    char **names;
    size_t n;
    if (nc_list(c, SNW, &names, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (strcmp(names[i], NWD_OURS) == 0)
            continue;
        p2v_autofree char *p = p2v_xasprintf(SNW "/%s", names[i]);
        bool unit = nc_has_suffix(names[i], ".network") || nc_has_suffix(names[i], ".netdev");
        if (unit && is_mask(c, p))
            ctfs_note(c->fs, p, "left as it was: masks a packaged file");
        else if (unit)
            r = nc_disable(c, p, "configures a network card the container does not have");
        else
            ctfs_note(c->fs, p, "left as it was: does not configure addresses");
    }
    p2v_strv_free(names, n);
    if (r < 0)
        return -1;
    return nc_write(c, SNW "/" NWD_OURS, "networkd/venet0.network", 0644,
                    "every address on venet0 (systemd-networkd)");
}
