/* netcfg_ifupdown.c: Debian/Ubuntu /etc/network/interfaces for venet0.
 *
 * Rewritten whole (the old file stays as interfaces.migsave), as vzctl's
 * debian scripts do: lo, then venet0 with every address. With iproute2 in
 * the tree the addresses go straight onto venet0 with `ip ... replace`
 * (repeatable if vzctl already added them); without it, vzctl's net-tools
 * form (ifconfig/route, venet0:N aliases). Parts in interfaces.d that
 * configure a card move to interfaces.d/.migsave. */
#include "netcfg_int.h"
#include "error.h"
#include <ctype.h>

/* Names after `auto`, `allow-*`, `iface`, `mapping`: anything but lo? */
bool nc_ifupdown_configures_nic(const char *text)
{
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512];
        if (len >= sizeof(buf))
            len = sizeof(buf) - 1;
        memcpy(buf, line, len);
        buf[len] = '\0';
        char *save = NULL;
        char *w = strtok_r(buf, " \t\r", &save);
        bool stanza = w && (strcmp(w, "auto") == 0 || strncmp(w, "allow-", 6) == 0 ||
                            strcmp(w, "iface") == 0 || strcmp(w, "mapping") == 0);
        bool only_first = w && strcmp(w, "iface") == 0;
        if (stanza) {
            for (char *n = strtok_r(NULL, " \t\r", &save); n; n = strtok_r(NULL, " \t\r", &save)) {
                if (strcmp(n, "lo") != 0)
                    return true;
                if (only_first)
                    break;
            }
        }
        line = end ? end + 1 : NULL;
    }
    return false;
}

int nc_ifupdown_disable_parts(struct netcfg *c)
{
    char **names;
    size_t n;
    if (nc_list(c, "/etc/network/interfaces.d", &names, &n) < 0)
        return -1;
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        p2v_autofree char *p = p2v_xasprintf("/etc/network/interfaces.d/%s", names[i]);
        int rr = nc_read(c, p, &b);
        if (rr < 0) {
            r = -1;
        } else if (rr == 0 && b.data && nc_ifupdown_configures_nic(b.data)) {
            r = nc_disable(c, p, "configures a network card the container does not have");
        } else {
            ctfs_note(c->fs, p, "left as it was: configures no network card");
        }
    }
    p2v_buf_release(&b);
    p2v_strv_free(names, n);
    return r;
}

int netcfg_ifupdown(struct netcfg *c)
{
    static const char *const ip[] = {"/sbin/ip", "/bin/ip", "/usr/sbin/ip", "/usr/bin/ip", NULL};
    static const char *const resolvconf[] = {"/sbin/resolvconf", "/usr/sbin/resolvconf",
                                             "/usr/bin/resolvconf", NULL};
    struct tmpl_vars v = c->vars;
    /* dns-* lines are read only by resolvconf's ifupdown hook */
    if (!nc_any_exists(c, resolvconf)) {
        tmpl_set_list(&v, "dns", NULL, 0);
        tmpl_set_list(&v, "search", NULL, 0);
    }
    tmpl_set(&v, "interfaces_d", nc_is_dir(c, "/etc/network/interfaces.d") ? "yes" : NULL);
    if (nc_ifupdown_disable_parts(c) < 0)
        return -1;
    bool iproute = nc_any_exists(c, ip);
    return nc_write_vars(c, &v, "/etc/network/interfaces",
                         iproute ? "ifupdown/interfaces-iproute2" : "ifupdown/interfaces-nettools",
                         0644,
                         iproute ? "every address on venet0 (iproute2)"
                                 : "every address on venet0 (net-tools, as vzctl writes it)");
}
