/* netcfg_nm.c: NetworkManager keyfiles. The connections of cards
 * (ethernet, wifi, bonds, bridges, vlans, or any bound to one of the
 * server's interface names) move to system-connections/.migsave; others
 * (vpn, wireguard, loopback) stay. venet0 gets a generic-type keyfile with
 * device routes (no gateway: NM makes them scope link). 0600 root, or NM
 * ignores the file. */
#include "netcfg_int.h"

#define SC "/etc/NetworkManager/system-connections"
#define NM_OURS "venet0.nmconnection"

/* key's value in the [connection] group, into out (empty if none) */
static void keyfile_get(const char *text, const char *key, char *out, size_t outlen)
{
    bool in_conn = false;
    size_t kl = strlen(key);
    out[0] = '\0';
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len && (*line == ' ' || *line == '\t'))
            line++, len--;
        if (len && line[0] == '[') {
            in_conn = len >= 12 && strncmp(line, "[connection]", 12) == 0;
        } else if (in_conn && len > kl && strncmp(line, key, kl) == 0 && line[kl] == '=') {
            size_t vl = len - kl - 1;
            while (vl && (line[kl + 1 + vl - 1] == '\r' || line[kl + 1 + vl - 1] == ' '))
                vl--;
            if (vl >= outlen)
                vl = outlen - 1;
            memcpy(out, line + kl + 1, vl);
            out[vl] = '\0';
            return;
        }
        line = end ? end + 1 : NULL;
    }
}

static bool card_connection(const struct netcfg *c, const char *text)
{
    static const char *const card_types[] = {
        "ethernet", "802-3-ethernet", "wifi",    "802-11-wireless", "bond", "bond-slave",
        "bridge",   "bridge-slave",   "vlan",    "team",            "team-slave",
        "infiniband", "macvlan",      "vxlan",   "dummy",           "ovs-interface", NULL};
    char type[64], ifname[64];
    keyfile_get(text, "type", type, sizeof(type));
    keyfile_get(text, "interface-name", ifname, sizeof(ifname));
    if (ifname[0] && strcmp(ifname, "venet0") == 0)
        return true;
    if (ifname[0] && nc_plan_iface(c, ifname))
        return true;
    for (const char *const *t = card_types; *t; t++)
        if (strcmp(type, *t) == 0)
            return true;
    return false;
}

int netcfg_nm(struct netcfg *c)
{
    char **names;
    size_t n;
    if (nc_list(c, SC, &names, &n) < 0)
        return -1;
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (strcmp(names[i], NM_OURS) == 0)
            continue;
        p2v_autofree char *p = p2v_xasprintf(SC "/%s", names[i]);
        int rr = nc_read(c, p, &b);
        if (rr < 0)
            r = -1;
        else if (rr == 0 && b.data && card_connection(c, b.data))
            r = nc_disable(c, p, "a connection for a network card the container does not have");
        else
            ctfs_note(c->fs, p, "left as it was: not a network card's connection");
    }
    p2v_buf_release(&b);
    p2v_strv_free(names, n);
    if (r < 0)
        return -1;
    /* dns= of [ipv4] takes IPv4 servers only, [ipv6] IPv6 ones */
    size_t nd = c->p->ndns, n4 = 0, n6 = 0;
    p2v_autofree char **d4 = p2v_xcalloc(nd + 1, sizeof(char *));
    p2v_autofree char **d6 = p2v_xcalloc(nd + 1, sizeof(char *));
    for (size_t i = 0; i < nd; i++) {
        if (strchr(c->p->dns[i], ':'))
            d6[n6++] = c->p->dns[i];
        else
            d4[n4++] = c->p->dns[i];
    }
    struct tmpl_vars v = c->vars;
    tmpl_set_list(&v, "dns4", d4, n4);
    tmpl_set_list(&v, "dns6", d6, n6);
    return nc_write_vars(c, &v, SC "/" NM_OURS, "nm/venet0.nmconnection", 0600,
                         "every address on venet0 (NetworkManager keyfile)");
}
