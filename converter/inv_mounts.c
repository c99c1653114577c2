/* inv_mounts.c: the source's mounts (its mountinfo, parsed with libmount),
 * classified as local (merged), bind, pseudo or network, joined with the
 * agent's statvfs and blkid results; and its swap areas. */
#include "inventory.h"
#include "error.h"
#include <libmount.h>
#include <sys/sysmacros.h>

/* Filesystems whose contents are the server's data even when their
 * source is not a /dev path (btrfs subvolumes, zfs datasets). */
static const char *const local_types[] = {
    "ext2", "ext3", "ext4", "xfs", "btrfs", "jfs", "reiserfs", "reiser4", "zfs", "f2fs",
    "vfat", "msdos", "exfat", "ntfs", "ntfs3", "hfsplus", "nilfs2", "bcachefs", "ocfs2", "gfs2",
};
static const char *const network_types[] = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "ceph", "glusterfs", "9p",
    "fuse.sshfs", "fuse.glusterfs", "fuse.s3fs", "fuse.rclone", "davfs", "fuse.davfs2",
    "lustre", "gpfs", "beegfs",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

enum mount_kind mount_classify(const char *fstype, const char *source)
{
    if (in_list(fstype, network_types, P2V_ARRAY_LEN(network_types)))
        return MOUNT_NETWORK;
    if (in_list(fstype, local_types, P2V_ARRAY_LEN(local_types)))
        return MOUNT_LOCAL;
    if (mnt_fstype_is_netfs(fstype))
        return MOUNT_NETWORK;
    if (mnt_fstype_is_pseudofs(fstype) || strcmp(fstype, "overlay") == 0 ||
        strcmp(fstype, "squashfs") == 0 || strcmp(fstype, "iso9660") == 0 ||
        strcmp(fstype, "udf") == 0)
        return strcmp(fstype, "overlay") == 0 || strcmp(fstype, "squashfs") == 0 ||
                       strcmp(fstype, "iso9660") == 0 || strcmp(fstype, "udf") == 0
                   ? MOUNT_OTHER
                   : MOUNT_PSEUDO;
    if (source && strncmp(source, "/dev/", 5) == 0 && strncmp(fstype, "fuse", 4) != 0)
        return MOUNT_LOCAL;
    return MOUNT_OTHER;
}

const char *mount_kind_name(enum mount_kind k)
{
    switch (k) {
    case MOUNT_LOCAL: return "local";
    case MOUNT_BIND: return "bind";
    case MOUNT_PSEUDO: return "pseudo";
    case MOUNT_NETWORK: return "network";
    default: return "other";
    }
}

static char *dup_or_null(const char *s)
{
    return s ? p2v_xstrdup(s) : NULL;
}

/* A local filesystem mounted a second time (bind mount) is copied once,
 * through its first mount point. */
static void mark_binds(struct inventory *inv)
{
    for (size_t i = 0; i < inv->nmounts; i++) {
        struct inv_mount *m = &inv->mounts[i];
        if (m->kind != MOUNT_LOCAL)
            continue;
        for (size_t k = 0; k < i; k++) {
            struct inv_mount *o = &inv->mounts[k];
            if (o->kind == MOUNT_LOCAL && o->major == m->major && o->minor == m->minor) {
                m->kind = MOUNT_BIND;
                break;
            }
        }
    }
}

static void join_statfs(struct inventory *inv)
{
    json_object *st = fj_arr(inv->facts, "statfs");
    for (size_t i = 0; i < fj_len(st); i++) {
        json_object *s = fj_at(st, i);
        const char *mp = fj_str(s, "mountpoint");
        if (!mp)
            continue;
        for (size_t k = 0; k < inv->nmounts; k++) {
            struct inv_mount *m = &inv->mounts[k];
            if (strcmp(m->target, mp) != 0)
                continue;
            uint64_t bsize = (uint64_t)fj_int(s, "bsize", 0);
            uint64_t blocks = (uint64_t)fj_int(s, "blocks", 0);
            uint64_t bfree = (uint64_t)fj_int(s, "bfree", 0);
            uint64_t bavail = (uint64_t)fj_int(s, "bavail", 0);
            uint64_t files = (uint64_t)fj_int(s, "files", 0);
            uint64_t ffree = (uint64_t)fj_int(s, "ffree", 0);
            if (bfree > blocks || bavail > blocks || ffree > files || bsize > (1u << 24))
                continue; /* nonsense from the source: no usage rather than a wrong one */
            m->have_usage = true;
            m->size = blocks * bsize;
            m->used = (blocks - bfree) * bsize;
            m->avail = bavail * bsize;
            m->inodes_used = files - ffree;
        }
    }
}

static void join_blkid(struct inventory *inv)
{
    json_object *bd = fj_arr(inv->facts, "block_devices");
    for (size_t i = 0; i < fj_len(bd); i++) {
        json_object *b = fj_at(bd, i);
        const char *dev = fj_str(b, "dev");
        json_object *id = fj_obj(b, "blkid");
        if (!dev || !id)
            continue;
        for (size_t k = 0; k < inv->nmounts; k++) {
            struct inv_mount *m = &inv->mounts[k];
            char mm[32];
            snprintf(mm, sizeof(mm), "%u:%u", m->major, m->minor);
            if (strcmp(mm, dev) == 0 && !m->uuid) {
                m->uuid = dup_or_null(fj_str(id, "UUID"));
                m->label = dup_or_null(fj_str(id, "LABEL"));
            }
        }
    }
}

static void load_swaps(struct inventory *inv)
{
    p2v_autofree char *text = fj_file_text(inv->facts, "/proc/swaps");
    if (!text)
        return;
    char *save = NULL;
    bool header = true;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (header) {
            header = false;
            continue;
        }
        char *sp = strpbrk(line, " \t");
        if (sp)
            *sp = '\0';
        if (!*line)
            continue;
        inv->swaps = p2v_xrealloc(inv->swaps, (inv->nswaps + 1) * sizeof(char *));
        inv->swaps[inv->nswaps++] = p2v_xstrdup(line);
    }
}

int inv_mounts_load(struct inventory *inv)
{
    p2v_autofree char *text = fj_file_text(inv->facts, "/proc/self/mountinfo");
    if (!text)
        return p2v_error_set("the agent did not report /proc/self/mountinfo");
    FILE *f = fmemopen(text, strlen(text), "r");
    if (!f)
        return p2v_error_set_errno(errno, "read mountinfo");
    struct libmnt_table *tb = mnt_new_table();
    int rc = tb ? mnt_table_parse_stream(tb, f, "mountinfo of the source") : -ENOMEM;
    fclose(f);
    if (rc < 0) {
        mnt_unref_table(tb);
        return p2v_error_set("cannot parse the source's mountinfo: %s", strerror(-rc));
    }
    struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
    struct libmnt_fs *fs;
    size_t n = (size_t)mnt_table_get_nents(tb);
    inv->mounts = p2v_xcalloc(n + 1, sizeof(*inv->mounts));
    while (mnt_table_next_fs(tb, it, &fs) == 0 && inv->nmounts < n) {
        const char *target = mnt_fs_get_target(fs), *type = mnt_fs_get_fstype(fs);
        if (!target || !type)
            continue;
        struct inv_mount *m = &inv->mounts[inv->nmounts++];
        m->target = p2v_xstrdup(target);
        m->fstype = p2v_xstrdup(type);
        m->source = dup_or_null(mnt_fs_get_source(fs));
        m->options = dup_or_null(mnt_fs_get_options(fs));
        m->root = dup_or_null(mnt_fs_get_root(fs));
        dev_t d = mnt_fs_get_devno(fs);
        m->major = major(d);
        m->minor = minor(d);
        m->kind = mount_classify(m->fstype, m->source);
    }
    mnt_free_iter(it);
    mnt_unref_table(tb);
    mark_binds(inv);
    join_statfs(inv);
    join_blkid(inv);
    load_swaps(inv);
    return 0;
}
