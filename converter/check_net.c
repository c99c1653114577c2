/* check_net.c: ips-to-venet0 and mac-bound (seed 003: every address
 * moves to venet0; applications bound to a MAC need a new licence). */
#include "restrictions.h"
#include <arpa/inet.h>

/* Link-local and loopback addresses belong to a link, not the server. */
static bool movable(const struct inv_addr *a)
{
    if (a->family == AF_INET)
        return strncmp(a->address, "127.", 4) != 0 && strncmp(a->address, "169.254.", 8) != 0;
    unsigned char b[16];
    if (inet_pton(AF_INET6, a->address, b) != 1)
        return false;
    bool loop = true;
    for (int i = 0; i < 15; i++)
        loop = loop && b[i] == 0;
    return !(loop && b[15] == 1) && !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

void check_addresses(const struct inventory *inv, struct report *r)
{
    size_t n4 = 0, n6 = 0;
    for (size_t i = 0; i < inv->nifaces; i++)
        for (size_t k = 0; k < inv->ifaces[i].naddrs; k++)
            if (movable(&inv->ifaces[i].addrs[k])) {
                if (inv->ifaces[i].addrs[k].family == AF_INET)
                    n4++;
                else
                    n6++;
            }
    struct restriction *x;
    if (n4 + n6 == 0) {
        x = report_add(r, "ips-to-venet0", SEV_WARNING,
                       "the source has no address that can move to venet0: the container "
                       "will not be reachable until you add one (vzctl set CTID --ipadd)");
        return;
    }
    x = report_add(r, "ips-to-venet0", SEV_INFO,
                   "%zu IPv4 and %zu IPv6 address%s move onto the container's single venet0 "
                   "device (routed, no ARP, no MAC); the physical interfaces' configs are disabled",
                   n4, n6, n4 + n6 == 1 ? "" : "es");
    for (size_t i = 0; i < inv->nifaces; i++) {
        const struct inv_iface *f = &inv->ifaces[i];
        for (size_t k = 0; k < f->naddrs; k++) {
            const struct inv_addr *a = &f->addrs[k];
            if (movable(a)) {
                restriction_path(x, "%s/%u", a->address, a->prefix);
                restriction_detail(x, "%s/%u from %s -> venet0", a->address, a->prefix, f->name);
            } else if (!f->loopback) {
                restriction_detail(x, "not moved: %s/%u on %s (link-local)", a->address, a->prefix,
                                   f->name);
            }
        }
    }
}

void check_mac_bound(const struct inventory *inv, struct report *r)
{
    struct restriction *x = report_add(
        r, "mac-bound", inv->nmacs ? SEV_WARNING : SEV_INFO,
        inv->nmacs ? "the container's venet0 has no MAC address: applications bound to a MAC "
                     "(licences) will stop working; get a new licence or reconfigure them. "
                     "Files that mention a MAC are listed"
        : inv->windows.present
            ? "the container's venet0 has no MAC address: applications bound to a MAC "
              "(licences) will stop working; the Windows agent does not search files for the "
              "source's MAC addresses, so check licensed applications yourself"
            : "the container's venet0 has no MAC address; no file under /etc or /opt "
              "mentions the source's MAC addresses");
    for (size_t i = 0; i < inv->nifaces; i++) {
        const struct inv_iface *f = &inv->ifaces[i];
        if (f->loopback || !f->mac)
            continue;
        restriction_detail(x, "%s has MAC %s", f->name, f->mac);
    }
    for (size_t i = 0; i < inv->nmacs; i++) {
        const struct inv_mac_mention *m = &inv->macs[i];
        restriction_path(x, "%s", m->path);
        restriction_detail(x, "%s mentions %s (%s)", m->path, m->mac, m->iface ? m->iface : "?");
    }
}
