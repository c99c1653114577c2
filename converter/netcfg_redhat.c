/* netcfg_redhat.c: Red Hat network-scripts (ifcfg), as vzctl's redhat
 * scripts write them: ifcfg-venet0 (127.0.0.1, IPv6 as secondaries) and
 * ifcfg-venet0:N per IPv4 address, GATEWAYDEV="venet0" in
 * /etc/sysconfig/network instead of a GATEWAY.
 *
 * Every card's ifcfg/route/rule file moves to network-scripts/.migsave
 * (the Virtuozzo P2V removed them); ifcfg-lo stays. Where the legacy
 * `network` service is missing NetworkManager reads the ifcfg files, and
 * it does not understand venet0:N aliases: there venet0 gets a keyfile
 * (netcfg_nm.c) and no ifcfg-venet0 is written. */
#include "netcfg_int.h"
#include "error.h"

#define NS "/etc/sysconfig/network-scripts"

static const char *const file_kinds[] = {"ifcfg-", "route-", "route6-", "rule-", "rule6-", NULL};

/* "ifcfg-eth0" -> "eth0", NULL if not one of the kinds */
static const char *device_of(const char *name)
{
    for (const char *const *k = file_kinds; *k; k++)
        if (strncmp(name, *k, strlen(*k)) == 0)
            return name + strlen(*k);
    return NULL;
}

/* venet0:N for N < count is ours; a higher N is from a run with more
 * addresses */
static bool ours(const char *dev, size_t nipv4)
{
    if (strcmp(dev, "venet0") == 0)
        return true;
    if (strncmp(dev, "venet0:", 7) != 0 || !dev[7])
        return false;
    char *end;
    unsigned long k = strtoul(dev + 7, &end, 10);
    return *end == '\0' && k < nipv4;
}

static int disable_cards(struct netcfg *c, bool write_ifcfg)
{
    char **names;
    size_t n;
    if (nc_list(c, NS, &names, &n) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *dev = device_of(names[i]);
        if (!dev || !*dev)
            continue;
        p2v_autofree char *p = p2v_xasprintf(NS "/%s", names[i]);
        if (strcmp(dev, "lo") == 0)
            ctfs_note(c->fs, p, "left as it was: the loopback");
        else if (!write_ifcfg || !ours(dev, c->p->nipv4))
            r = nc_disable(c, p, "configures a network card the container does not have");
    }
    p2v_strv_free(names, n);
    return r;
}

/* /etc/sysconfig/network keeps its other settings (HOSTNAME, NOZEROCONF,
 * ...); the gateway lines are replaced by GATEWAYDEV. */
static int sysconfig_network(struct netcfg *c)
{
    static const char *const dropped[] = {"GATEWAY=", "GATEWAYDEV=", "NETWORKING=",
                                          "NETWORKING_IPV6=", "IPV6_DEFAULTGW=",
                                          "IPV6_DEFAULTDEV=", NULL};
    struct p2v_buf old = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    struct p2v_buf kept = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    int r = nc_read(c, "/etc/sysconfig/network", &old);
    for (const char *line = r == 0 ? old.data : NULL; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        bool drop = false;
        for (const char *const *d = dropped; *d && !drop; d++)
            drop = strncmp(s, *d, strlen(*d)) == 0;
        if (!drop && (p2v_buf_add(&kept, line, len) < 0 ||
                      (!end && p2v_buf_addc(&kept, '\n') < 0)))
            r = -1;
        line = end ? end + 1 : NULL;
    }
    if (r >= 0) {
        struct tmpl_vars v = c->vars;
        tmpl_set(&v, "KEPT", kept.data);
        r = nc_write_vars(c, &v, "/etc/sysconfig/network", "redhat/network", 0644,
                          "default route through venet0 (GATEWAYDEV), no GATEWAY");
    }
    p2v_buf_release(&old);
    p2v_buf_release(&kept);
    return r;
}

int netcfg_redhat(struct netcfg *c)
{
    bool write_ifcfg =
        nc_any_exists(c, nc_legacy_network) || !(c->families & NETCFG_BIT(NETCFG_NM));
    if (disable_cards(c, write_ifcfg) < 0)
        return -1;
    if (!write_ifcfg) {
        ctfs_note(c->fs, NS "/ifcfg-venet0",
                  "not written: NetworkManager configures venet0 (keyfile), the legacy network "
                  "service is not installed");
    } else {
        if (nc_write(c, NS "/ifcfg-venet0", "redhat/ifcfg-venet0", 0644,
                     "venet0 (network-scripts)") < 0)
            return -1;
        for (size_t i = 0; i < c->p->nipv4; i++) {
            char num[24];
            snprintf(num, sizeof(num), "%zu", i);
            struct tmpl_vars v = c->vars;
            tmpl_set(&v, "ADDR", c->p->ipv4[i]);
            tmpl_set(&v, "N", num);
            p2v_autofree char *p = p2v_xasprintf(NS "/ifcfg-venet0:%zu", i);
            if (nc_write_vars(c, &v, p, "redhat/ifcfg-venet0-alias", 0644,
                              "an IPv4 address on venet0") < 0)
                return -1;
        }
    }
    return sysconfig_network(c);
}
