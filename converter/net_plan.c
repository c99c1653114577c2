/* net_plan.c: what venet0 gets, from the inventory (netcfg.h). Every
 * string comes from the source, so each is checked again here, strictly,
 * before it can reach a config file or a shell line in one: a value that
 * fails is skipped with a warning, never quoted or escaped. */
#include "netcfg.h"
#include "inventory.h"
#include "log.h"
#include <arpa/inet.h>
#include <ctype.h>

static void push(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0)
            return;
    *v = p2v_xrealloc(*v, (*n + 1) * sizeof(char *));
    (*v)[(*n)++] = p2v_xstrdup(s);
}

/* RFC 1123 labels: [A-Za-z0-9-], 1..63, no leading/trailing '-'. With
 * allow_underscore for search domains (resolv.conf accepts them; some
 * internal zones use them). */
static bool valid_dns_name(const char *s, bool allow_underscore)
{
    size_t len = strlen(s), label = 0;
    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        bool ok = c < 0x80 && (isalnum(c) || (c == '-' && label > 0) ||
                               (allow_underscore && c == '_'));
        if (!ok || ++label > 63)
            return false;
    }
    return label > 0 && s[len - 1] != '-';
}

static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.:@-", *s))
            return false;
    return true;
}

/* Parse and print again: only inet_ntop's own text survives. */
static bool normalise(int af, const char *in, char out[INET6_ADDRSTRLEN], unsigned char bin[16])
{
    if (strlen(in) >= INET6_ADDRSTRLEN || inet_pton(af, in, bin) != 1)
        return false;
    return inet_ntop(af, bin, out, INET6_ADDRSTRLEN) != NULL;
}

/* Addresses the container can be reached on: not loopback, link-local,
 * unspecified or multicast. */
static bool global_addr(int af, const unsigned char *b)
{
    if (af == AF_INET)
        return !(b[0] == 0 || b[0] == 127 || (b[0] == 169 && b[1] == 254) || b[0] >= 224);
    static const unsigned char zero[16], one[16] = {[15] = 1};
    if (memcmp(b, zero, 16) == 0 || memcmp(b, one, 16) == 0)
        return false;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)   /* fe80::/10 */
        return false;
    if (b[0] == 0xff)                            /* multicast */
        return false;
    return true;
}

static void add_addr(struct net_plan *p, const struct inv_addr *a, const char *iface)
{
    char text[INET6_ADDRSTRLEN];
    unsigned char bin[16];
    int af = a->family == AF_INET6 ? AF_INET6 : AF_INET;
    if (!a->address || !normalise(af, a->address, text, bin)) {
        p2v_warn("venet0: skipping an invalid address on %s", iface);
        return;
    }
    if (!global_addr(af, bin))
        return;
    if (af == AF_INET)
        push(&p->ipv4, &p->nipv4, text);
    else
        push(&p->ipv6, &p->nipv6, text);
}

int net_plan_build(struct net_plan *p, const struct inventory *inv)
{
    memset(p, 0, sizeof(*p));
    if (inv->hostname) {
        if (valid_dns_name(inv->hostname, false))
            p->hostname = p2v_xstrdup(inv->hostname);
        else
            p2v_warn("the source's hostname is not a valid host name: not written to any "
                     "network file");
    }
    for (size_t i = 0; i < inv->nifaces; i++) {
        const struct inv_iface *f = &inv->ifaces[i];
        if (f->loopback || !f->name)
            continue;
        if (!valid_ifname(f->name)) {
            p2v_warn("venet0: skipping an interface with an invalid name");
            continue;
        }
        if (strncmp(f->name, "venet", 5) != 0)
            push(&p->ifaces, &p->nifaces, f->name);
        for (size_t k = 0; k < f->naddrs; k++)
            add_addr(p, &f->addrs[k], f->name);
    }
    for (size_t i = 0; i < inv->nnameservers; i++) {
        const char *ns = inv->nameservers[i];
        int af = ns && strchr(ns, ':') ? AF_INET6 : AF_INET;
        char text[INET6_ADDRSTRLEN];
        unsigned char bin[16];
        if (!ns || !normalise(af, ns, text, bin)) {
            p2v_warn("venet0: skipping an invalid nameserver");
            continue;
        }
        /* a local resolver (systemd-resolved's 127.0.0.53, dnsmasq) stays
         * in resolv.conf; as venet0's DNS it would point at itself */
        if (!global_addr(af, bin))
            continue;
        push(&p->dns, &p->ndns, text);
    }
    for (size_t i = 0; i < inv->nsearch; i++) {
        const char *d = inv->search[i];
        if (d && valid_dns_name(d, true))
            push(&p->search, &p->nsearch, d);
        else
            p2v_warn("venet0: skipping an invalid search domain");
    }
    return 0;
}

void net_plan_release(struct net_plan *p)
{
    free(p->hostname);
    p2v_strv_free(p->ipv4, p->nipv4);
    p2v_strv_free(p->ipv6, p->nipv6);
    p2v_strv_free(p->ifaces, p->nifaces);
    p2v_strv_free(p->dns, p->ndns);
    p2v_strv_free(p->search, p->nsearch);
    memset(p, 0, sizeof(*p));
}
