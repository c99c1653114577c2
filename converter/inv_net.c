/* inv_net.c: network interfaces, MACs and addresses from getifaddrs
 * facts, each address checked and normalised with inet_pton/ntop (the way
 * vzctl normalises IP_ADDRESS). */
#include "inventory.h"
#include "error.h"
#include "log.h"
#include <arpa/inet.h>
#include <ctype.h>

static bool valid_mac(const char *s)
{
    if (strlen(s) != 17)
        return false;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* Interface names come from the source: keep what Linux allows. */
static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == '/' || *s == '"' || *s == '\'' || *s == '\\' ||
            (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

static bool load_addr(json_object *a, struct inv_addr *out)
{
    const char *fam = fj_str(a, "family"), *addr = fj_str(a, "address");
    int64_t prefix = fj_int(a, "prefix", -1);
    if (!fam || !addr)
        return false;
    int af = strcmp(fam, "inet") == 0 ? AF_INET : strcmp(fam, "inet6") == 0 ? AF_INET6 : -1;
    unsigned char bin[16];
    char text[INET6_ADDRSTRLEN];
    if (af < 0 || inet_pton(af, addr, bin) != 1 || !inet_ntop(af, bin, text, sizeof(text)))
        return false;
    if (prefix < 0 || prefix > (af == AF_INET ? 32 : 128))
        return false;
    out->family = af;
    out->address = p2v_xstrdup(text);
    out->prefix = (unsigned)prefix;
    return true;
}

int inv_net_load(struct inventory *inv)
{
    json_object *ifs = fj_arr(inv->facts, "interfaces");
    size_t n = fj_len(ifs);
    inv->ifaces = p2v_xcalloc(n + 1, sizeof(*inv->ifaces));
    for (size_t i = 0; i < n; i++) {
        json_object *o = fj_at(ifs, i);
        const char *name = fj_str(o, "name"), *mac = fj_str(o, "mac");
        if (!name || !valid_ifname(name)) {
            p2v_warn("ignoring an interface with an invalid name from the source");
            continue;
        }
        struct inv_iface *f = &inv->ifaces[inv->nifaces++];
        f->name = p2v_xstrdup(name);
        f->mac = mac && valid_mac(mac) && strcmp(mac, "00:00:00:00:00:00") ? p2v_xstrdup(mac) : NULL;
        json_object *flags = fj_arr(o, "flags");
        for (size_t k = 0; k < fj_len(flags); k++) {
            const char *fl = json_object_get_string(json_object_array_get_idx(flags, k));
            if (fl && strcmp(fl, "loopback") == 0)
                f->loopback = true;
            if (fl && strcmp(fl, "up") == 0)
                f->up = true;
        }
        json_object *addrs = fj_arr(o, "addresses");
        size_t na = fj_len(addrs);
        f->addrs = p2v_xcalloc(na + 1, sizeof(*f->addrs));
        for (size_t k = 0; k < na; k++) {
            if (!load_addr(fj_at(addrs, k), &f->addrs[f->naddrs]))
                p2v_warn("ignoring an invalid address on %s from the source", f->name);
            else
                f->naddrs++;
        }
    }
    return 0;
}
