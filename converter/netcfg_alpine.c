/* netcfg_alpine.c: Alpine's /etc/network/interfaces, read by busybox
 * ifupdown (or ifupdown-ng, which accepts the same stanzas). One
 * `inet manual` stanza runs busybox `ip` for both families: busybox
 * ifupdown's inet6 methods vary between versions, `manual` and `up` do
 * not. */
#include "netcfg_int.h"

int netcfg_alpine(struct netcfg *c)
{
    if (nc_ifupdown_disable_parts(c) < 0)
        return -1;
    return nc_write(c, "/etc/network/interfaces", "alpine/interfaces", 0644,
                    "every address on venet0 (busybox ifupdown)");
}
