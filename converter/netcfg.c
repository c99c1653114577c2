/* netcfg.c: which network configuration families the copied tree uses,
 * and the dispatch to one writer per family (netcfg_<family>.c).
 *
 * Detection reads only the tree (ctfs), never runs anything from it. A
 * family counts when its files are there; a family's own backup directory
 * (DIR/.migsave) counts too, so a second run on a converted tree finds
 * the same families and writes the same files. */
#include "netcfg_int.h"
#include "error.h"
#include "log.h"

static const char *const family_names[NETCFG_COUNT] = {
    [NETCFG_IFUPDOWN] = "ifupdown", [NETCFG_NETPLAN] = "netplan",
    [NETCFG_REDHAT] = "redhat",     [NETCFG_NM] = "networkmanager",
    [NETCFG_SUSE] = "suse",         [NETCFG_NETWORKD] = "networkd",
    [NETCFG_NETCTL] = "netctl",     [NETCFG_GENTOO] = "gentoo",
    [NETCFG_ALPINE] = "alpine",
};

const char *netcfg_family_name(enum netcfg_family f)
{
    return (unsigned)f < NETCFG_COUNT ? family_names[f] : "unknown";
}

/* ---- helpers shared with the writers ---- */

bool nc_exists(struct netcfg *c, const char *path)
{
    struct stat st;
    return ctfs_stat(c->fs, path, &st) == 0;
}

bool nc_is_dir(struct netcfg *c, const char *path)
{
    struct stat st;
    return ctfs_stat(c->fs, path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool nc_any_exists(struct netcfg *c, const char *const *paths)
{
    for (; *paths; paths++)
        if (nc_exists(c, *paths))
            return true;
    return false;
}

int nc_list(struct netcfg *c, const char *dir, char ***names, size_t *n)
{
    char **all = NULL;
    size_t nall = 0;
    *names = NULL;
    *n = 0;
    int r = ctfs_list(c->fs, dir, &all, &nall);
    if (r < 0)
        return -1;
    for (size_t i = 0; i < nall; i++) {
        if (all[i][0] == '.') {
            free(all[i]);
            continue;
        }
        if (!*names)
            *names = p2v_xcalloc(nall, sizeof(char *));
        (*names)[(*n)++] = all[i];
    }
    free(all);
    return 0;
}

int nc_read(struct netcfg *c, const char *path, struct p2v_buf *b)
{
    return ctfs_read(c->fs, path, b);
}

int nc_write_text(struct netcfg *c, const char *path, const char *data, size_t len, mode_t mode,
                  const char *why)
{
    return ctfs_write(c->fs, path, data, len, mode, why) < 0 ? -1 : 0;
}

int nc_write(struct netcfg *c, const char *path, const char *tmpl, mode_t mode, const char *why)
{
    return nc_write_vars(c, &c->vars, path, tmpl, mode, why);
}

int nc_write_vars(struct netcfg *c, const struct tmpl_vars *v, const char *path, const char *tmpl,
                  mode_t mode, const char *why)
{
    struct p2v_buf out = P2V_BUF_INIT(TMPL_MAX_OUT);
    p2v_autofree char *name = p2v_xasprintf("net/%s", tmpl);
    int r = tmpl_expand(name, v, &out);
    if (r == 0)
        r = nc_write_text(c, path, out.data ? out.data : "", out.len, mode, why);
    p2v_buf_release(&out);
    return r;
}

int nc_disable(struct netcfg *c, const char *path, const char *why)
{
    return ctfs_disable(c->fs, path, why) < 0 ? -1 : 0;
}

bool nc_plan_iface(const struct netcfg *c, const char *name)
{
    for (size_t i = 0; i < c->p->nifaces; i++)
        if (strcmp(c->p->ifaces[i], name) == 0)
            return true;
    return false;
}

bool nc_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- detection ---- */

typedef bool (*name_pred)(const char *name);

/* Does DIR, or DIR/.migsave (an earlier run's backups), hold a name
 * matching PRED? */
static bool dir_has(struct netcfg *c, const char *dir, name_pred pred)
{
    for (int pass = 0; pass < 2; pass++) {
        p2v_autofree char *d = pass ? p2v_xasprintf("%s/" CTFS_BACKUP_DIR, dir) : p2v_xstrdup(dir);
        char **names;
        size_t n;
        if (nc_list(c, d, &names, &n) < 0) {
            p2v_debug("netcfg: %s", p2v_error_message());
            continue;
        }
        bool hit = false;
        for (size_t i = 0; i < n && !hit; i++)
            hit = pred(names[i]);
        p2v_strv_free(names, n);
        if (hit)
            return true;
    }
    return false;
}

static bool is_yaml(const char *n)
{
    return nc_has_suffix(n, ".yaml") || nc_has_suffix(n, ".yml");
}

static bool is_network_unit(const char *n)
{
    return nc_has_suffix(n, ".network");
}

static bool is_ifcfg_nic(const char *n)
{
    return strncmp(n, "ifcfg-", 6) == 0 && strcmp(n + 6, "lo") != 0 && n[6] != '\0';
}

static bool is_any(const char *n)
{
    (void)n;
    return true;
}

/* a netctl profile: a regular file at the top of /etc/netctl (examples/,
 * hooks/ and interfaces/ are directories) */
static bool netctl_has_profile(struct netcfg *c)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *dir = pass ? "/etc/netctl/" CTFS_BACKUP_DIR : "/etc/netctl";
        char **names;
        size_t n;
        if (nc_list(c, dir, &names, &n) < 0)
            continue;
        bool hit = false;
        for (size_t i = 0; i < n && !hit; i++) {
            p2v_autofree char *p = p2v_xasprintf("%s/%s", dir, names[i]);
            struct stat st;
            hit = ctfs_lstat(c->fs, p, &st) == 0 && S_ISREG(st.st_mode);
        }
        p2v_strv_free(names, n);
        if (hit)
            return true;
    }
    return false;
}

static bool ifupdown_configures_nic(struct netcfg *c)
{
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    bool nic = nc_read(c, "/etc/network/interfaces", &b) == 0 && b.data &&
               nc_ifupdown_configures_nic(b.data);
    char **names;
    size_t n;
    if (!nic && nc_list(c, "/etc/network/interfaces.d", &names, &n) == 0) {
        for (size_t i = 0; i < n && !nic; i++) {
            p2v_autofree char *p = p2v_xasprintf("/etc/network/interfaces.d/%s", names[i]);
            nic = nc_read(c, p, &b) == 0 && b.data && nc_ifupdown_configures_nic(b.data);
        }
        p2v_strv_free(names, n);
    }
    p2v_buf_release(&b);
    return nic;
}

static bool os_is(const struct netcfg *c, const char *family)
{
    return strcmp(c->os, family) == 0;
}

const char *const nc_legacy_network[] = {"/etc/rc.d/init.d/network", "/etc/init.d/network", NULL};

unsigned netcfg_detect(struct ctfs *fs, const char *os_family)
{
    struct netcfg c = {.fs = fs, .os = os_family ? os_family : ""};
    unsigned f = 0;
    static const char *const ifup[] = {"/sbin/ifup", "/usr/sbin/ifup", NULL};
    static const char *const nm[] = {"/usr/sbin/NetworkManager", "/usr/bin/NetworkManager", NULL};
    static const char *const netctl[] = {"/usr/bin/netctl", "/usr/sbin/netctl", NULL};

    bool alpine = os_is(&c, "alpine") || nc_exists(&c, "/etc/alpine-release");
    bool interfaces = nc_exists(&c, "/etc/network/interfaces");
    bool netplan = dir_has(&c, "/etc/netplan", is_yaml);
    bool legacy = nc_any_exists(&c, nc_legacy_network);

    if (netplan)
        f |= NETCFG_BIT(NETCFG_NETPLAN);
    /* netplan renders for networkd itself (into /run): with netplan yaml
     * present, /etc/systemd/network is not ours to convert */
    if (!netplan && dir_has(&c, "/etc/systemd/network", is_network_unit))
        f |= NETCFG_BIT(NETCFG_NETWORKD);
    if (dir_has(&c, "/etc/sysconfig/network-scripts", is_ifcfg_nic) ||
        (os_is(&c, "redhat") && legacy && nc_is_dir(&c, "/etc/sysconfig/network-scripts")))
        f |= NETCFG_BIT(NETCFG_REDHAT);
    /* NM: its keyfiles; on Red Hat also when it reads ifcfg files itself
     * (EL8/9 without the legacy network service) */
    if (!netplan && nc_any_exists(&c, nm) &&
        (dir_has(&c, "/etc/NetworkManager/system-connections", is_any) ||
         (os_is(&c, "redhat") && !legacy)))
        f |= NETCFG_BIT(NETCFG_NM);
    if (nc_is_dir(&c, "/etc/sysconfig/network") &&
        (dir_has(&c, "/etc/sysconfig/network", is_ifcfg_nic) || os_is(&c, "suse")))
        f |= NETCFG_BIT(NETCFG_SUSE);
    if (nc_any_exists(&c, netctl) && netctl_has_profile(&c))
        f |= NETCFG_BIT(NETCFG_NETCTL);
    if (nc_exists(&c, "/etc/conf.d/net") &&
        (os_is(&c, "gentoo") || nc_exists(&c, "/etc/init.d/net.lo")))
        f |= NETCFG_BIT(NETCFG_GENTOO);
    if (interfaces && alpine)
        f |= NETCFG_BIT(NETCFG_ALPINE);
    /* ifupdown: installed, and either it configures a card or nothing
     * else manages the network (a Debian with networkd keeps an
     * interfaces file with only lo in it) */
    if (interfaces && !alpine && !netplan && nc_any_exists(&c, ifup) &&
        (ifupdown_configures_nic(&c) ||
         !(f & (NETCFG_BIT(NETCFG_NETWORKD) | NETCFG_BIT(NETCFG_NM)))))
        f |= NETCFG_BIT(NETCFG_IFUPDOWN);
    if (!f) {
        static const char *const networkd_on[] = {
            "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
            "/etc/systemd/system/sockets.target.wants/systemd-networkd.socket", NULL};
        for (const char *const *p = networkd_on; *p; p++)
            if (ctfs_exists(fs, *p))
                f |= NETCFG_BIT(NETCFG_NETWORKD);
    }
    p2v_error_clear();
    return f;
}

/* ---- apply ---- */

static int cloud_init(struct netcfg *c)
{
    /* cloud-init rewrites the network config at every boot from its
     * datasource (which the container does not have): tell it not to */
    if (!nc_exists(c, "/etc/cloud/cloud.cfg"))
        return 0;
    return nc_write(c, "/etc/cloud/cloud.cfg.d/99-p2v-network.cfg", "cloud-init/99-p2v-network.cfg",
                    0644, "cloud-init must not regenerate the network configuration");
}

int netcfg_apply(struct ctfs *fs, const struct net_plan *p, const char *os_family)
{
    static int (*const writers[NETCFG_COUNT])(struct netcfg *) = {
        [NETCFG_IFUPDOWN] = netcfg_ifupdown, [NETCFG_NETPLAN] = netcfg_netplan,
        [NETCFG_REDHAT] = netcfg_redhat,     [NETCFG_NM] = netcfg_nm,
        [NETCFG_SUSE] = netcfg_suse,         [NETCFG_NETWORKD] = netcfg_networkd,
        [NETCFG_NETCTL] = netcfg_netctl,     [NETCFG_GENTOO] = netcfg_gentoo,
        [NETCFG_ALPINE] = netcfg_alpine,
    };
    struct netcfg c = {.fs = fs, .p = p, .os = os_family ? os_family : ""};
    c.families = netcfg_detect(fs, os_family);
    if (!c.families) {
        ctfs_note(fs, "/etc", "no known network configuration found: venet0 is not configured "
                              "inside the container");
        return 1;
    }
    tmpl_set_list(&c.vars, "ipv4", p->ipv4, p->nipv4);
    tmpl_set_list(&c.vars, "ipv6", p->ipv6, p->nipv6);
    tmpl_set_list(&c.vars, "dns", p->dns, p->ndns);
    tmpl_set_list(&c.vars, "search", p->search, p->nsearch);
    tmpl_set_list(&c.vars, "ifaces", p->ifaces, p->nifaces);
    tmpl_set(&c.vars, "HOSTNAME", p->hostname);
    tmpl_set(&c.vars, "addresses", p->nipv4 + p->nipv6 ? "yes" : NULL);

    for (int f = 0; f < NETCFG_COUNT; f++) {
        if (!(c.families & NETCFG_BIT(f)))
            continue;
        p2v_debug("netcfg: converting the %s configuration for venet0", family_names[f]);
        if (writers[f](&c) < 0) {
            p2v_error_prefix("venet0 (%s)", family_names[f]);
            return -1;
        }
    }
    /* an interfaces file no family of ours rewrote: say why it stays */
    unsigned ifupdown = NETCFG_BIT(NETCFG_IFUPDOWN) | NETCFG_BIT(NETCFG_ALPINE) |
                        NETCFG_BIT(NETCFG_NETPLAN);
    if (!(c.families & ifupdown) && nc_exists(&c, "/etc/network/interfaces"))
        ctfs_note(fs, "/etc/network/interfaces",
                  ifupdown_configures_nic(&c)
                      ? "left as it was: ifupdown is not what configures the network here"
                      : "left as it was: configures no network card");
    return cloud_init(&c);
}
