/* facts_adapters.c: "interfaces" from GetAdaptersAddresses, in the Linux
 * agent's form ({name, index, flags, mac, addresses: [{family, address,
 * prefix}]}) plus the adapter's GUID name, description, type and DNS. */
/* Windows headers first: they use functions banned.h poisons. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include "facts.h"
#include "wstr.h"

/* Text form of an address: dotted quad, or RFC 5952 IPv6 (longest run of
 * zero groups as "::", lower case). Returns false for other families. */
static bool addr_text(const SOCKADDR *sa, char *out, size_t len, const char **family)
{
    if (sa->sa_family == AF_INET) {
        const unsigned char *b = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
        snprintf(out, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        *family = "inet";
        return true;
    }
    if (sa->sa_family != AF_INET6)
        return false;
    const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        int k = i;
        while (k < 8 && g[k] == 0)
            k++;
        if (k - i > bestlen) {
            best = i;
            bestlen = k - i;
        }
        i = k > i ? k : i + 1;
    }
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 8 && n < len; i++) {
        if (i == best) {
            n += (size_t)snprintf(out + n, len - n, "::");
            i += bestlen - 1;
            continue;
        }
        n += (size_t)snprintf(out + n, len - n, "%s%x", n && out[n - 1] != ':' ? ":" : "", g[i]);
    }
    *family = "inet6";
    return true;
}

static void one_adapter(struct p2v_json *j, const IP_ADAPTER_ADDRESSES *a)
{
    p2v_autofree char *name = win_utf8(a->FriendlyName);
    p2v_autofree char *desc = win_utf8(a->Description);
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "name", name);
    p2v_json_kstr(j, "adapter_name", a->AdapterName ? a->AdapterName : "");
    p2v_json_kstr(j, "description", desc);
    p2v_json_kuint(j, "index", a->IfIndex ? a->IfIndex : a->Ipv6IfIndex);
    p2v_json_kuint(j, "if_type", a->IfType);
    p2v_json_key(j, "flags");
    p2v_json_arr_begin(j);
    if (a->OperStatus == IfOperStatusUp) {
        p2v_json_str(j, "up");
        p2v_json_str(j, "running");
    }
    if (a->IfType == IF_TYPE_SOFTWARE_LOOPBACK)
        p2v_json_str(j, "loopback");
    if (a->IfType == IF_TYPE_PPP || a->IfType == IF_TYPE_TUNNEL)
        p2v_json_str(j, "pointopoint");
    p2v_json_arr_end(j);
    if (a->PhysicalAddressLength == 6) {
        char mac[18];
        const BYTE *m = a->PhysicalAddress;
        snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        p2v_json_kstr(j, "mac", mac);
    }
    p2v_json_key(j, "addresses");
    p2v_json_arr_begin(j);
    for (const IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u; u = u->Next) {
        char text[64];
        const char *family;
        if (!u->Address.lpSockaddr || !addr_text(u->Address.lpSockaddr, text, sizeof(text), &family))
            continue;
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "family", family);
        p2v_json_kstr(j, "address", text);
        /* OnLinkPrefixLength is there from Vista/2008 on; 2003's shorter
         * structure has none, and then the prefix is not reported. */
        if (u->Length >= offsetof(IP_ADAPTER_UNICAST_ADDRESS, OnLinkPrefixLength) + 1)
            p2v_json_kuint(j, "prefix", u->OnLinkPrefixLength);
        p2v_json_kbool(j, "dhcp", u->PrefixOrigin == IpPrefixOriginDhcp);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
    if (a->DnsSuffix && a->DnsSuffix[0]) {
        p2v_autofree char *s = win_utf8(a->DnsSuffix);
        p2v_json_kstr(j, "dns_suffix", s);
    }
    p2v_json_key(j, "dns_servers");
    p2v_json_arr_begin(j);
    for (const IP_ADAPTER_DNS_SERVER_ADDRESS *d = a->FirstDnsServerAddress; d; d = d->Next) {
        char text[64];
        const char *family;
        if (d->Address.lpSockaddr && addr_text(d->Address.lpSockaddr, text, sizeof(text), &family))
            p2v_json_str(j, text);
    }
    p2v_json_arr_end(j);
    p2v_json_obj_end(j);
}

void facts_adapters(struct p2v_json *j)
{
    ULONG flags = GAA_FLAG_INCLUDE_PREFIX | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST;
    ULONG size = 64 * 1024;
    IP_ADAPTER_ADDRESSES *list = NULL;
    ULONG rc = ERROR_BUFFER_OVERFLOW;
    for (int tries = 0; tries < 4 && rc == ERROR_BUFFER_OVERFLOW && size <= (16u << 20); tries++) {
        free(list);
        list = p2v_xmalloc(size);
        rc = GetAdaptersAddresses(AF_UNSPEC, flags, NULL, list, &size);
    }
    if (rc != ERROR_SUCCESS && rc != ERROR_NO_DATA) {
        facts_error("interfaces", "GetAdaptersAddresses: %s", win_strerror(rc));
        free(list);
        return;
    }
    p2v_json_key(j, "interfaces");
    p2v_json_arr_begin(j);
    if (rc == ERROR_SUCCESS)
        for (const IP_ADAPTER_ADDRESSES *a = list; a; a = a->Next)
            one_adapter(j, a);
    p2v_json_arr_end(j);
    free(list);
}
