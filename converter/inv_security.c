/* inv_security.c: SELinux state, extended-attribute namespaces found by
 * the agent's scan, and files that mention an interface's MAC. */
#include "inventory.h"
#include "error.h"

static char *dup_or_null(const char *s)
{
    return s ? p2v_xstrdup(s) : NULL;
}

static void load_selinux(struct inventory *inv)
{
    p2v_autofree char *enforce = fj_file_text(inv->facts, "/sys/fs/selinux/enforce");
    if (enforce)
        inv->selinux_runtime = p2v_xstrdup(enforce[0] == '1' ? "enforcing" : "permissive");
    else
        inv->selinux_runtime = p2v_xstrdup("disabled");
    p2v_autofree char *cfg = fj_file_text(inv->facts, "/etc/selinux/config");
    if (cfg) {
        char *v = osrelease_get(cfg, "SELINUX");
        if (v && (!strcmp(v, "enforcing") || !strcmp(v, "permissive") || !strcmp(v, "disabled")))
            inv->selinux_config = v;
        else
            free(v);
    }
}

static void load_xattrs(struct inventory *inv)
{
    json_object *scan = fj_obj(inv->facts, "xattr_scan");
    if (!scan)
        return;
    inv->xattr_scanned = true;
    inv->xattr_truncated = fj_bool(scan, "truncated", false);
    inv->xattr_files = (uint64_t)fj_int(scan, "files", 0);
    json_object *ns = fj_obj(scan, "namespaces");
    if (!ns)
        return;
    inv->xattr_ns = p2v_xcalloc((size_t)json_object_object_length(ns) + 1, sizeof(*inv->xattr_ns));
    json_object_object_foreach(ns, name, val) {
        if (!json_object_is_type(val, json_type_object))
            continue;
        struct inv_xattr_ns *x = &inv->xattr_ns[inv->nxattr_ns++];
        x->name = p2v_xstrdup(name);
        x->count = (uint64_t)fj_int(val, "count", 0);
        json_object *s = fj_arr(val, "samples");
        size_t n = fj_len(s) < 20 ? fj_len(s) : 20;
        x->samples = p2v_xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(s, i);
            if (json_object_is_type(e, json_type_string))
                x->samples[x->nsamples++] = p2v_xstrdup(json_object_get_string(e));
        }
    }
}

static void load_macs(struct inventory *inv)
{
    json_object *m = fj_arr(inv->facts, "mac_mentions");
    size_t n = fj_len(m);
    inv->macs = p2v_xcalloc(n + 1, sizeof(*inv->macs));
    for (size_t i = 0; i < n; i++) {
        json_object *o = fj_at(m, i);
        if (!fj_str(o, "path") || !fj_str(o, "mac"))
            continue;
        struct inv_mac_mention *x = &inv->macs[inv->nmacs++];
        x->path = p2v_xstrdup(fj_str(o, "path"));
        x->mac = p2v_xstrdup(fj_str(o, "mac"));
        x->iface = dup_or_null(fj_str(o, "interface"));
    }
}

int inv_security_load(struct inventory *inv)
{
    load_selinux(inv);
    load_xattrs(inv);
    load_macs(inv);
    return 0;
}
