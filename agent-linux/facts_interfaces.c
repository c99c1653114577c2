/* facts_interfaces.c: network interfaces and their addresses from
 * getifaddrs(3).
 *
 * The node moves the source's addresses onto the container's venet0 and
 * rewrites the network config; it needs each interface's name, MAC and
 * addresses with prefix lengths. getifaddrs returns one entry per
 * (interface, address); they are grouped by name here, in the order the
 * kernel lists them. */
#include "facts.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>

#define IFACES_MAX 4096

/* Length of the run of leading one bits in the netmask. */
static int prefix_len(const unsigned char *mask, size_t n)
{
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = mask[i];
        while (b & 0x80) {
            bits++;
            b = (unsigned char)(b << 1);
        }
        if (mask[i] != 0xff)
            break;
    }
    return bits;
}

static void emit_flags(struct p2v_json *j, unsigned flags)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {IFF_UP, "up"}, {IFF_LOOPBACK, "loopback"},
        {IFF_POINTOPOINT, "pointopoint"}, {IFF_RUNNING, "running"},
    };
    p2v_json_key(j, "flags");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < P2V_ARRAY_LEN(names); i++)
        if (flags & names[i].bit)
            p2v_json_str(j, names[i].name);
    p2v_json_arr_end(j);
}

static void emit_mac(struct p2v_json *j, const struct sockaddr_ll *ll)
{
    if (ll->sll_halen == 0 || ll->sll_halen > sizeof(ll->sll_addr))
        return;
    char mac[3 * sizeof(ll->sll_addr)];
    size_t off = 0;
    for (size_t i = 0; i < ll->sll_halen; i++)
        off += (size_t)snprintf(mac + off, sizeof(mac) - off, "%s%02x", i ? ":" : "",
                                ll->sll_addr[i]);
    p2v_json_kstr(j, "mac", mac);
}

static void emit_address(struct p2v_json *j, const struct ifaddrs *a)
{
    char text[INET6_ADDRSTRLEN];
    int family = a->ifa_addr->sa_family;
    const void *addr, *mask = NULL;
    size_t masklen;
    if (family == AF_INET) {
        addr = &((const struct sockaddr_in *)(const void *)a->ifa_addr)->sin_addr;
        if (a->ifa_netmask)
            mask = &((const struct sockaddr_in *)(const void *)a->ifa_netmask)->sin_addr;
        masklen = 4;
    } else {
        addr = &((const struct sockaddr_in6 *)(const void *)a->ifa_addr)->sin6_addr;
        if (a->ifa_netmask)
            mask = &((const struct sockaddr_in6 *)(const void *)a->ifa_netmask)->sin6_addr;
        masklen = 16;
    }
    if (!inet_ntop(family, addr, text, sizeof(text)))
        return;
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "family", family == AF_INET ? "inet" : "inet6");
    p2v_json_kstr(j, "address", text);
    if (mask)
        p2v_json_kint(j, "prefix", prefix_len(mask, masklen));
    p2v_json_obj_end(j);
}

static bool is_inet(const struct ifaddrs *a)
{
    return a->ifa_addr && (a->ifa_addr->sa_family == AF_INET || a->ifa_addr->sa_family == AF_INET6);
}

/* Everything getifaddrs says about the interface named a->ifa_name. */
static void emit_interface(struct p2v_json *j, const struct ifaddrs *first)
{
    const char *name = first->ifa_name;
    const struct sockaddr_ll *ll = NULL;
    unsigned flags = first->ifa_flags;
    for (const struct ifaddrs *a = first; a; a = a->ifa_next) {
        if (strcmp(a->ifa_name, name) == 0 && a->ifa_addr && a->ifa_addr->sa_family == AF_PACKET) {
            ll = (const struct sockaddr_ll *)(const void *)a->ifa_addr;
            flags = a->ifa_flags;
            break;
        }
    }
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "name", name);
    /* if_nametoindex is an ioctl, not an NSS lookup: safe when static. */
    p2v_json_kint(j, "index", ll ? ll->sll_ifindex : (int)if_nametoindex(name));
    emit_flags(j, flags);
    if (ll)
        emit_mac(j, ll);
    p2v_json_key(j, "addresses");
    p2v_json_arr_begin(j);
    for (const struct ifaddrs *a = first; a; a = a->ifa_next)
        if (strcmp(a->ifa_name, name) == 0 && is_inet(a))
            emit_address(j, a);
    p2v_json_arr_end(j);
    p2v_json_obj_end(j);
}

void facts_interfaces(struct p2v_json *j, const struct facts_options *opt)
{
    (void)opt;
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0) {
        facts_error("interfaces", "getifaddrs: %s", strerror(errno));
        return;
    }
    p2v_json_key(j, "interfaces");
    p2v_json_arr_begin(j);
    int count = 0;
    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_name)
            continue;
        bool seen = false;
        for (const struct ifaddrs *b = list; b != a; b = b->ifa_next)
            if (b->ifa_name && strcmp(b->ifa_name, a->ifa_name) == 0) {
                seen = true;
                break;
            }
        if (seen)
            continue;
        if (count++ == IFACES_MAX) {
            facts_error("interfaces", "more than %d interfaces; the rest not listed", IFACES_MAX);
            break;
        }
        emit_interface(j, a);
    }
    p2v_json_arr_end(j);
    freeifaddrs(list);
}
