/* netcfg_gentoo.c: Gentoo's netifrc. /etc/conf.d/net is rewritten whole
 * for venet0 (the old one stays as net.migsave: vzctl only commented the
 * eth lines out), net.venet0 -> net.lo is made and added to the default
 * runlevel, and the cards' net.* links leave /etc/init.d and the
 * runlevels (OpenRC skips dot-directories). */
#include "netcfg_int.h"
#include <sys/stat.h>

static bool card_service(const char *name)
{
    return strncmp(name, "net.", 4) == 0 && name[4] && strcmp(name, "net.lo") != 0 &&
           strcmp(name, "net.venet0") != 0;
}

static int disable_services(struct netcfg *c, const char *dir)
{
    char **names;
    size_t n;
    if (nc_list(c, dir, &names, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (!card_service(names[i]))
            continue;
        p2v_autofree char *p = p2v_xasprintf("%s/%s", dir, names[i]);
        struct stat st;
        /* only links: a real script named net.* is not netifrc's */
        if (ctfs_lstat(c->fs, p, &st) == 0 && S_ISLNK(st.st_mode))
            r = nc_disable(c, p, "the service of a network card the container does not have");
    }
    p2v_strv_free(names, n);
    return r;
}

int netcfg_gentoo(struct netcfg *c)
{
    static const char *const runlevels[] = {"/etc/runlevels/boot", "/etc/runlevels/default",
                                            NULL};
    if (disable_services(c, "/etc/init.d") < 0)
        return -1;
    for (const char *const *rl = runlevels; *rl; rl++)
        if (disable_services(c, *rl) < 0)
            return -1;
    /* netifrc takes one address or route per line */
    size_t na = c->p->nipv4 + c->p->nipv6, nr = 0;
    char **cidrs = p2v_xcalloc(na + 1, sizeof(char *));
    char *routes[2];
    for (size_t i = 0; i < c->p->nipv4; i++)
        cidrs[i] = p2v_xasprintf("%s/32", c->p->ipv4[i]);
    for (size_t i = 0; i < c->p->nipv6; i++)
        cidrs[c->p->nipv4 + i] = p2v_xasprintf("%s/128", c->p->ipv6[i]);
    if (c->p->nipv4)
        routes[nr++] = "default";
    if (c->p->nipv6)
        routes[nr++] = "-6 default";
    struct tmpl_vars v = c->vars;
    tmpl_set_list(&v, "cidrs", cidrs, na);
    tmpl_set_list(&v, "routes", routes, nr);
    int r = nc_write_vars(c, &v, "/etc/conf.d/net", "gentoo/net", 0644,
                          "every address on venet0 (netifrc)");
    p2v_strv_free(cidrs, na);
    if (r < 0)
        return -1;
    if (ctfs_symlink(c->fs, "/etc/init.d/net.venet0", "net.lo", "netifrc's service for venet0") < 0)
        return -1;
    return ctfs_symlink(c->fs, "/etc/runlevels/default/net.venet0", "/etc/init.d/net.venet0",
                        "start venet0 in the default runlevel") < 0
               ? -1
               : 0;
}
