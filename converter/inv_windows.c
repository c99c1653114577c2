/* inv_windows.c: interpret a Windows agent's facts (the "windows" member,
 * agent-windows/): version and edition, volumes as the mounts the checks
 * know (fixed volumes are local, network drives network, removable and
 * optical "other"), volumes without a filesystem as raw devices, NTFS
 * quota state as quotas, and the DNS servers. */
#include "inventory.h"
#include "error.h"
#include <arpa/inet.h>
#include <sys/socket.h>

static char *dup_or_null(const char *s)
{
    return s ? p2v_xstrdup(s) : NULL;
}

const char *inv_windows_server_release(const struct inv_windows *w)
{
    if (!w->present || !w->product_type || strcmp(w->product_type, "workstation") == 0 ||
        strcmp(w->product_type, "unknown") == 0)
        return NULL;
    if (w->major == 5 && w->minor == 2)
        return "2003";
    if (w->major == 6 && (w->minor == 0 || w->minor == 1))
        return "2008";
    return NULL;
}

static void load_version(struct inventory *inv, json_object *win)
{
    struct inv_windows *w = &inv->windows;
    json_object *v = fj_obj(win, "version");
    w->present = true;
    w->major = (unsigned)fj_int(v, "major", 0);
    w->minor = (unsigned)fj_int(v, "minor", 0);
    w->build = (unsigned)fj_int(v, "build", 0);
    w->sp_major = (unsigned)fj_int(v, "sp_major", 0);
    w->product_type = dup_or_null(fj_str(v, "product_type"));
    w->product_name = dup_or_null(fj_str(v, "product_name"));
    w->service_pack = dup_or_null(fj_str(v, "service_pack"));
    inv->os.id = p2v_xstrdup("windows");
    inv->os.family = p2v_xstrdup("windows");
    inv->os.version_id = p2v_xasprintf("%u.%u.%u", w->major, w->minor, w->build);
    inv->os.pretty = p2v_xasprintf("%s %s%s%s (%s)",
                                   w->product_name ? w->product_name : "Windows", inv->os.version_id,
                                   w->service_pack && *w->service_pack ? " " : "",
                                   w->service_pack ? w->service_pack : "",
                                   w->product_type ? w->product_type : "?");
}

static enum mount_kind volume_kind(const char *type)
{
    if (!type)
        return MOUNT_OTHER;
    if (strcmp(type, "fixed") == 0)
        return MOUNT_LOCAL;
    if (strcmp(type, "remote") == 0)
        return MOUNT_NETWORK;
    if (strcmp(type, "ramdisk") == 0)
        return MOUNT_PSEUDO;
    return MOUNT_OTHER;
}

static void add_quota(struct inventory *inv, const char *drive, const char *fs, json_object *q)
{
    const char *state = fj_str(q, "state");
    if (!fj_bool(q, "supported", false) || (!state && !fj_str(q, "error")) ||
        (state && strcmp(state, "disabled") == 0))
        return;
    inv->quotas = p2v_xrealloc(inv->quotas, (inv->nquotas + 1) * sizeof(*inv->quotas));
    struct inv_quota *iq = &inv->quotas[inv->nquotas++];
    memset(iq, 0, sizeof(*iq));
    iq->mountpoint = p2v_xstrdup(drive);
    iq->device = p2v_xstrdup(drive);
    iq->fstype = p2v_xstrdup(fs ? fs : "?");
    iq->type = p2v_xstrdup("user");
    iq->format = p2v_xstrdup("ntfs");
    /* describe() in check_quota.c says "enforced by the kernel" for "kernel" */
    iq->origin = p2v_xstrdup(state && strcmp(state, "enforced") == 0 ? "kernel"
                                                                     : "tracked, not enforced");
    if (!state)
        iq->error = p2v_xstrdup(fj_str(q, "error"));
}

static void load_volumes(struct inventory *inv, json_object *win)
{
    json_object *vols = fj_arr(win, "volumes");
    size_t n = fj_len(vols);
    inv->mounts = p2v_xcalloc(n + 1, sizeof(*inv->mounts));
    for (size_t i = 0; i < n; i++) {
        json_object *v = fj_at(vols, i);
        const char *drive = fj_str(v, "drive"), *type = fj_str(v, "type");
        const char *fs = fj_str(v, "filesystem");
        if (!drive)
            continue;
        if (fj_bool(v, "raw", false)) {
            inv->blockdevs = p2v_xrealloc(inv->blockdevs, (inv->nblockdevs + 1) * sizeof(*inv->blockdevs));
            struct inv_blockdev *b = &inv->blockdevs[inv->nblockdevs++];
            memset(b, 0, sizeof(*b));
            b->name = p2v_xstrdup(drive);
            b->path = dup_or_null(fj_str(v, "volume"));
            b->dev = p2v_xstrdup(drive);
            b->size = (uint64_t)fj_int(v, "size", 0);
            b->is_raw = true;
            continue;
        }
        if (!fs)   /* an empty CD drive, an unreadable volume: nothing to copy */
            continue;
        struct inv_mount *m = &inv->mounts[inv->nmounts++];
        m->target = p2v_xstrdup(drive);
        m->source = dup_or_null(fj_str(v, "volume"));
        if (!m->source)
            m->source = p2v_xstrdup(drive);
        m->fstype = p2v_xstrdup(fs);
        m->root = p2v_xstrdup("\\");
        m->kind = volume_kind(type);
        m->uuid = dup_or_null(fj_str(v, "serial"));
        const char *label = fj_str(v, "label");
        m->label = label && *label ? p2v_xstrdup(label) : NULL;
        int64_t size = fj_int(v, "size", -1), freeb = fj_int(v, "free", -1);
        if (size >= 0 && freeb >= 0 && freeb <= size) {
            m->have_usage = true;
            m->size = (uint64_t)size;
            m->used = (uint64_t)(size - freeb);
            m->avail = (uint64_t)fj_int(v, "available", freeb);
        }
        if (m->kind == MOUNT_LOCAL)
            add_quota(inv, drive, fs, fj_obj(v, "quota"));
    }
}

static void load_dns(struct inventory *inv, json_object *win)
{
    json_object *a = fj_arr(win, "dns_servers");
    size_t n = fj_len(a);
    inv->nameservers = p2v_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n && i < 64; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(a, i));
        unsigned char bin[16];
        if (s && (inet_pton(AF_INET, s, bin) == 1 || inet_pton(AF_INET6, s, bin) == 1))
            inv->nameservers[inv->nnameservers++] = p2v_xstrdup(s);
    }
}

int inv_windows_load(struct inventory *inv)
{
    json_object *win = fj_obj(inv->facts, "windows");
    if (!win)
        return p2v_error_set("the agent reported no \"windows\" facts");
    load_version(inv, win);
    load_volumes(inv, win);
    load_dns(inv, win);
    return 0;
}
