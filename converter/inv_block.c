/* inv_block.c: block devices, and which are raw: no filesystem or
 * partition table, not mounted, not swap, not part of LVM/RAID (no
 * holders), not a disk whose partitions carry the data. Raw devices
 * cannot be migrated into a container (seed 003). */
#include "inventory.h"
#include "error.h"

static char *dup_or_null(const char *s)
{
    return s ? p2v_xstrdup(s) : NULL;
}

static bool dev_mounted(const struct inventory *inv, const char *dev, const char *path)
{
    for (size_t i = 0; i < inv->nmounts; i++) {
        const struct inv_mount *m = &inv->mounts[i];
        char mm[32];
        snprintf(mm, sizeof(mm), "%u:%u", m->major, m->minor);
        if ((dev && strcmp(mm, dev) == 0) || (path && m->source && strcmp(m->source, path) == 0))
            return true;
    }
    return false;
}

static bool is_swap(const struct inventory *inv, const char *path)
{
    for (size_t i = 0; i < inv->nswaps; i++)
        if (path && strcmp(inv->swaps[i], path) == 0)
            return true;
    return false;
}

/* Devices that are never data disks. */
static bool ignorable(const char *name, uint64_t size)
{
    return size == 0 || strncmp(name, "ram", 3) == 0 || strncmp(name, "zram", 4) == 0 ||
           strncmp(name, "sr", 2) == 0 || strncmp(name, "fd", 2) == 0 ||
           strncmp(name, "nbd", 3) == 0;
}

static void classify(struct inv_blockdev *b)
{
    const char *why = NULL;
    if (b->fstype)
        why = strcmp(b->fstype, "swap") == 0 ? "swap signature" : "has a filesystem signature";
    else if (b->pttype)
        why = "has a partition table";
    else if (b->has_partitions)
        why = "has partitions";
    else if (b->has_holders)
        why = "is part of LVM, RAID or device-mapper";
    else if (b->is_mounted)
        why = "is mounted";
    else if (b->is_swap)
        why = "is in use as swap";
    else if (ignorable(b->name, b->size))
        why = "not a data device";
    b->is_raw = why == NULL;
    b->why_not_raw = why ? p2v_xstrdup(why) : NULL;
}

int inv_block_load(struct inventory *inv)
{
    json_object *bd = fj_arr(inv->facts, "block_devices");
    size_t n = fj_len(bd);
    inv->blockdevs = p2v_xcalloc(n + 1, sizeof(*inv->blockdevs));
    for (size_t i = 0; i < n; i++) {
        json_object *o = fj_at(bd, i);
        const char *name = fj_str(o, "name");
        if (!name)
            continue;
        struct inv_blockdev *b = &inv->blockdevs[inv->nblockdevs++];
        b->name = p2v_xstrdup(name);
        b->path = dup_or_null(fj_str(o, "path"));
        b->dev = dup_or_null(fj_str(o, "dev"));
        int64_t size = fj_int(o, "size", 0);
        b->size = size > 0 ? (uint64_t)size : 0;
        b->partition = fj_bool(o, "partition", false);
        b->has_holders = fj_len(fj_arr(o, "holders")) > 0;
        b->has_partitions = fj_len(fj_arr(o, "partitions")) > 0;
        json_object *id = fj_obj(o, "blkid");
        b->fstype = dup_or_null(fj_str(id, "TYPE"));
        b->uuid = dup_or_null(fj_str(id, "UUID"));
        b->label = dup_or_null(fj_str(id, "LABEL"));
        b->pttype = dup_or_null(fj_str(id, "PTTYPE"));
        b->is_mounted = dev_mounted(inv, b->dev, b->path);
        b->is_swap = is_swap(inv, b->path);
        /* a device we could not probe is not called raw: we do not know */
        if (!id && fj_str(o, "blkid_error")) {
            b->why_not_raw = p2v_xasprintf("could not be probed: %s", fj_str(o, "blkid_error"));
            continue;
        }
        classify(b);
    }
    return 0;
}
