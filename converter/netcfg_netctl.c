/* netcfg_netctl.c: Arch's netctl. A profile /etc/netctl/venet0 and what
 * `netctl enable venet0` makes, made by us (nothing from the tree runs):
 * the drop-in netctl@venet0.service.d/profile.conf and the wants link to
 * /usr/lib/systemd/system/netctl@.service. The drop-in has no BindsTo on
 * the device unit: without udev in the container that unit never
 * appears. The other profiles and their enable files move to .migsave. */
#include "netcfg_int.h"
#include <ctype.h>
#include <sys/stat.h>

#define SDS "/etc/systemd/system"

/* systemd-escape for a unit instance name */
static char *escape(const char *s)
{
    struct p2v_buf b = P2V_BUF_INIT(4096);
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '/')
            p2v_buf_addc(&b, '-');
        else if (ch < 0x80 && (isalnum(ch) || ch == ':' || ch == '_' || (ch == '.' && p != s)))
            p2v_buf_addc(&b, (char)ch);
        else
            p2v_buf_printf(&b, "\\x%02x", ch);
    }
    return p2v_buf_detach(&b);
}

static int disable_profile(struct netcfg *c, const char *name)
{
    p2v_autofree char *unit = escape(name);
    p2v_autofree char *prof = p2v_xasprintf("/etc/netctl/%s", name);
    p2v_autofree char *want = p2v_xasprintf(SDS "/multi-user.target.wants/netctl@%s.service", unit);
    p2v_autofree char *old = p2v_xasprintf(SDS "/netctl@%s.service", unit);
    p2v_autofree char *drop = p2v_xasprintf(SDS "/netctl@%s.service.d/profile.conf", unit);
    const char *why = "a netctl profile for a network card the container does not have";
    if (nc_disable(c, prof, why) < 0 || nc_disable(c, want, why) < 0 ||
        nc_disable(c, drop, why) < 0)
        return -1;
    struct stat st;
    /* netctl before 1.12 wrote a whole unit file instead of a drop-in */
    if (ctfs_lstat(c->fs, old, &st) == 0 && S_ISREG(st.st_mode))
        return nc_disable(c, old, why);
    return 0;
}

int netcfg_netctl(struct netcfg *c)
{
    static const char *const resolvconf[] = {"/usr/bin/resolvconf", "/usr/sbin/resolvconf",
                                             "/sbin/resolvconf", NULL};
    char **names;
    size_t n;
    if (nc_list(c, "/etc/netctl", &names, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        p2v_autofree char *p = p2v_xasprintf("/etc/netctl/%s", names[i]);
        struct stat st;
        if (strcmp(names[i], "venet0") == 0 || ctfs_lstat(c->fs, p, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        r = disable_profile(c, names[i]);
    }
    p2v_strv_free(names, n);
    if (r < 0)
        return -1;

    /* netctl hands DNS= to resolvconf; without one the profile fails */
    struct tmpl_vars v = c->vars;
    if (!nc_any_exists(c, resolvconf)) {
        tmpl_set_list(&v, "dns", NULL, 0);
        tmpl_set_list(&v, "search", NULL, 0);
    }
    if (nc_write_vars(c, &v, "/etc/netctl/venet0", "netctl/venet0", 0644,
                      "every address on venet0 (netctl profile)") < 0 ||
        nc_write(c, SDS "/netctl@venet0.service.d/profile.conf", "netctl/profile.conf", 0644,
                 "what `netctl enable venet0` writes") < 0)
        return -1;
    return ctfs_symlink(c->fs, SDS "/multi-user.target.wants/netctl@venet0.service",
                        "/usr/lib/systemd/system/netctl@.service",
                        "netctl enable venet0: start the profile at boot") < 0
               ? -1
               : 0;
}
