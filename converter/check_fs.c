/* check_fs.c: filesystems-merged and raw-devices (seed 003: all
 * filesystems are joined into the container's one filesystem; raw
 * devices cannot be migrated). */
#include "restrictions.h"
#include "progress.h"

static const char *src_or(const struct inv_mount *m)
{
    return m->source ? m->source : "none";
}

void check_filesystems(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    size_t local = 0, lost = 0;
    for (size_t i = 0; i < inv->nmounts; i++) {
        local += inv->mounts[i].kind == MOUNT_LOCAL;
        lost += inv->mounts[i].kind == MOUNT_NETWORK || inv->mounts[i].kind == MOUNT_OTHER;
    }
    struct restriction *x = report_add(
        r, "filesystems-merged", lost ? SEV_WARNING : SEV_INFO,
        "%zu local filesystem%s will be joined into one tree in %s; pseudo filesystems are "
        "recreated by the container%s",
        local, local == 1 ? "" : "s", node->private_dir,
        lost ? "; network and other filesystems listed below are NOT copied: mount them "
               "inside the container after the move"
             : "");
    for (size_t i = 0; i < inv->nmounts; i++) {
        const struct inv_mount *m = &inv->mounts[i];
        char used[32] = "";
        if (m->have_usage)
            p2v_format_bytes(m->used, used, sizeof(used));
        switch (m->kind) {
        case MOUNT_LOCAL:
            restriction_path(x, "%s", m->target);
            restriction_detail(x, "merged: %s (%s on %s%s%s%s%s)", m->target, m->fstype, src_or(m),
                               m->uuid ? ", UUID " : "", m->uuid ? m->uuid : "",
                               m->have_usage ? ", used " : "", used);
            break;
        case MOUNT_BIND:
            restriction_detail(x, "bind mount: %s shows %s of an already merged filesystem (%s); "
                                  "copied once, recreate the bind mount in the container",
                               m->target, m->root ? m->root : "/", src_or(m));
            break;
        case MOUNT_NETWORK:
            restriction_detail(x, "left out (network, not copied): %s (%s from %s)", m->target,
                               m->fstype, src_or(m));
            break;
        case MOUNT_OTHER:
            restriction_detail(x, "left out (not copied): %s (%s from %s)", m->target, m->fstype,
                               src_or(m));
            break;
        case MOUNT_PSEUDO:
            break;
        }
    }
    /* pseudo filesystems are many and uninteresting: one line */
    struct p2v_buf ps = P2V_BUF_INIT(1 << 20);
    for (size_t i = 0; i < inv->nmounts; i++)
        if (inv->mounts[i].kind == MOUNT_PSEUDO)
            p2v_buf_printf(&ps, "%s%s (%s)", ps.len ? ", " : "", inv->mounts[i].target,
                           inv->mounts[i].fstype);
    if (ps.len)
        restriction_detail(x, "left out (pseudo, recreated by the container): %s", ps.data);
    p2v_buf_release(&ps);
    for (size_t i = 0; i < inv->nswaps; i++)
        restriction_detail(x, "left out (swap): %s; the container's memory limits replace swap",
                           inv->swaps[i]);
}

void check_raw_devices(const struct inventory *inv, struct report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < inv->nblockdevs; i++)
        n += inv->blockdevs[i].is_raw;
    if (n == 0) {
        report_add(r, "raw-devices", SEV_INFO, "no raw block devices found");
        return;
    }
    struct restriction *x = report_add(
        r, "raw-devices", SEV_WARNING,
        "%zu raw block device%s (no filesystem, not mounted, not swap, not part of LVM/RAID) "
        "cannot be migrated into a container; copy their data separately if it matters",
        n, n == 1 ? "" : "s");
    for (size_t i = 0; i < inv->nblockdevs; i++) {
        const struct inv_blockdev *b = &inv->blockdevs[i];
        if (!b->is_raw)
            continue;
        char size[32];
        p2v_format_bytes(b->size, size, sizeof(size));
        restriction_path(x, "%s", b->path ? b->path : b->name);
        restriction_detail(x, "raw device: %s (%s, %s)", b->path ? b->path : b->name,
                           b->dev ? b->dev : "?", size);
    }
}
