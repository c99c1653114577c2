/* check_windows.c: windows-version (seed 003: "Physical servers running
 * Windows Server 2008 can be migrated only to destination servers running
 * Windows Server 2008", and 2003 only to 2003). The node says what it is
 * with NODE_OS in the node config: linux, windows-2003 or windows-2008.
 *
 * Read closely, the rule names Windows *Server* releases: a workstation
 * edition of the same kernel (XP x64 is 5.2, Vista 6.0, 7 6.1) is neither,
 * and 2008 R2 (6.1) is counted with 2008. A Linux node takes no Windows
 * server, and a Windows node no Linux one (node-os). */
#include "restrictions.h"

static const char *node_windows_release(const struct node_info *node)
{
    const char *os = node->cfg ? node->cfg->node_os : NULL;
    if (os && strncmp(os, "windows-", 8) == 0)
        return os + 8;
    return NULL;
}

void check_windows_version(const struct inventory *inv, const struct node_info *node,
                           struct report *r)
{
    const struct inv_windows *w = &inv->windows;
    const char *src = inv_windows_server_release(w);
    const char *dst = node_windows_release(node);
    char what[256];
    snprintf(what, sizeof(what), "%s%s%s (%s %u.%u.%u%s%s)",
             src ? "Windows Server " : (w->product_name ? w->product_name : "Windows"),
             src ? src : "", src && w->major == 6 && w->minor == 1 ? " R2" : "",
             w->product_type ? w->product_type : "?", w->major, w->minor, w->build,
             w->service_pack && *w->service_pack ? ", " : "", w->service_pack ? w->service_pack : "");
    struct restriction *x;
    if (!dst) {
        x = report_add(r, "windows-version", SEV_BLOCKER,
                       "the source runs %s: a Windows server cannot become a container on this "
                       "Linux node (NODE_OS=%s); migrate it to a Windows node of the same "
                       "release%s%s",
                       what, node->cfg ? node->cfg->node_os : "linux",
                       src ? ", NODE_OS=windows-" : "", src ? src : "");
    } else if (!src) {
        x = report_add(r, "windows-version", SEV_BLOCKER,
                       "the source runs %s, which is not Windows Server 2003 or 2008: only those "
                       "migrate into containers, each to a node of the same release; this node is "
                       "Windows Server %s",
                       what, dst);
    } else if (strcmp(src, dst) != 0) {
        x = report_add(r, "windows-version", SEV_BLOCKER,
                       "the source runs %s and this node runs Windows Server %s: a Windows Server "
                       "%s can move only to a Windows Server %s node",
                       what, dst, src, src);
    } else {
        x = report_add(r, "windows-version", SEV_INFO,
                       "the source runs %s and this node runs Windows Server %s: the releases match",
                       what, dst);
    }
    restriction_detail(x, "source: version %u.%u build %u, product type %s%s%s", w->major, w->minor,
                       w->build, w->product_type ? w->product_type : "?",
                       w->product_name ? ", " : "", w->product_name ? w->product_name : "");
    restriction_detail(x, "node: NODE_OS=%s", node->cfg ? node->cfg->node_os : "linux");
}

void check_node_os(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    const char *dst = node_windows_release(node);
    if (!dst)
        return;
    report_add(r, "node-os", SEV_BLOCKER,
               "the source runs %s and this node is a Windows Server %s node (NODE_OS=%s): a "
               "Linux server becomes a container only on a Linux node",
               inv->os.pretty ? inv->os.pretty : "Linux", dst, node->cfg->node_os);
}
