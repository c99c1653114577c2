/* facts_block.c: the block devices this system can see, their sysfs
 * details and what libblkid finds on them.
 *
 * Devices are enumerated from the nodes in /dev (top level, /dev/mapper,
 * /dev/md), not from /sys/class/block: inside a container /sys shows the
 * host's devices while /dev holds only those passed in. Nodes are
 * deduplicated by device number. Details come from /sys/dev/block/MAJ:MIN
 * and a read-only libblkid probe (superblocks and partition tables). */
#include "facts.h"
#include <blkid.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DEVICES_MAX 4096
#define LIST_MAX 1024

struct blockdev {
    char *path;      /* as on the source: /dev/sda1 */
    dev_t rdev;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool have_rdev(const struct blockdev *d, size_t n, dev_t rdev)
{
    for (size_t i = 0; i < n; i++)
        if (d[i].rdev == rdev)
            return true;
    return false;
}

/* Sorted names in a directory (NULL-terminated), or NULL if unreadable. */
static char **list_dir(int dfd, const char *path, size_t *count)
{
    int fd = dfd >= 0 ? openat(dfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                      : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *count = 0;
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < LIST_MAX * 16) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 32;
            names = p2v_xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = p2v_xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    else
        names = p2v_xcalloc(1, sizeof(*names));
    names[n] = NULL;
    *count = n;
    return names;
}

static void free_list(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

/* Add the block nodes of one /dev directory not seen yet. */
static void scan_dev_dir(const struct facts_options *opt, const char *dir, struct blockdev **d,
                         size_t *n)
{
    char pbuf[4096];
    const char *real = facts_path(opt, dir, pbuf, sizeof(pbuf));
    size_t count;
    char **names = real ? list_dir(-1, real, &count) : NULL;
    if (!names) {
        if (real && errno != ENOENT)
            facts_error("block_devices", "read directory `%s`: %s", dir, strerror(errno));
        return;
    }
    int dfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (size_t i = 0; dfd >= 0 && i < count; i++) {
        struct stat st;
        /* Symlinks (udev's /dev/mapper links, /dev/disk/...) point at
         * nodes found elsewhere; only real nodes count. */
        if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISBLK(st.st_mode))
            continue;
        if (have_rdev(*d, *n, st.st_rdev))
            continue;
        if (*n == DEVICES_MAX) {
            facts_error("block_devices", "more than %d devices; the rest not listed", DEVICES_MAX);
            break;
        }
        *d = p2v_xrealloc(*d, (*n + 1) * sizeof(**d));
        (*d)[*n].path = p2v_xasprintf("%s/%s", strcmp(dir, "/dev") ? dir : "/dev", names[i]);
        (*d)[*n].rdev = st.st_rdev;
        (*n)++;
    }
    if (dfd >= 0)
        close(dfd);
    free_list(names);
}

/* The first line of a small sysfs attribute, or false if absent. */
static bool read_attr(int dfd, const char *name, char *out, size_t len)
{
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, out, len - 1);
    close(fd);
    if (n < 0)
        return false;
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return true;
}

static void emit_attr_uint(struct p2v_json *j, int dfd, const char *attr, const char *key,
                           uint64_t scale)
{
    char v[64];
    if (!read_attr(dfd, attr, v, sizeof(v)))
        return;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v)
        return;
    p2v_json_kuint(j, key, (uint64_t)x * scale);
}

/* "0"/"1" sysfs flags as JSON booleans; absent attributes are omitted. */
static void emit_attr_bool(struct p2v_json *j, int dfd, const char *attr, const char *key)
{
    char v[64];
    if (read_attr(dfd, attr, v, sizeof(v)))
        p2v_json_kbool(j, key, strcmp(v, "0") != 0);
}

static void emit_attr_str(struct p2v_json *j, int dfd, const char *attr, const char *key)
{
    char v[4096];
    if (read_attr(dfd, attr, v, sizeof(v)))
        p2v_json_kstr(j, key, v);
}

static void emit_list(struct p2v_json *j, int dfd, const char *sub, const char *key)
{
    size_t count;
    char **names = list_dir(dfd, sub, &count);
    p2v_json_key(j, key);
    p2v_json_arr_begin(j);
    for (size_t i = 0; names && i < count && i < LIST_MAX; i++)
        p2v_json_str(j, names[i]);
    p2v_json_arr_end(j);
    free_list(names);
}

/* Subdirectories of a whole disk's sysfs directory that are partitions. */
static void emit_partitions(struct p2v_json *j, int dfd)
{
    size_t count;
    char **names = list_dir(dfd, ".", &count);
    p2v_json_key(j, "partitions");
    p2v_json_arr_begin(j);
    for (size_t i = 0, shown = 0; names && i < count && shown < LIST_MAX; i++) {
        char attr[512];
        struct stat st;
        snprintf(attr, sizeof(attr), "%s/partition", names[i]);
        if (fstatat(dfd, attr, &st, 0) == 0) {
            p2v_json_str(j, names[i]);
            shown++;
        }
    }
    p2v_json_arr_end(j);
    free_list(names);
}

static void emit_sysfs(struct p2v_json *j, const struct facts_options *opt,
                       const struct blockdev *d, uint64_t *size)
{
    char sys[64], pbuf[4096];
    snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(d->rdev), minor(d->rdev));
    const char *real = facts_path(opt, sys, pbuf, sizeof(pbuf));
    int dfd = real ? open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    /* The kernel's name for the device: /dev may call it otherwise. */
    char link[4096];
    ssize_t ln = real ? readlink(real, link, sizeof(link) - 1) : -1;
    const char *slash = strrchr(d->path, '/');
    if (ln > 0) {
        link[ln] = '\0';
        p2v_json_kstr(j, "name", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
    } else {
        p2v_json_kstr(j, "name", slash ? slash + 1 : d->path);
    }
    p2v_json_kstr(j, "path", d->path);
    char dev[32];
    snprintf(dev, sizeof(dev), "%u:%u", major(d->rdev), minor(d->rdev));
    p2v_json_kstr(j, "dev", dev);
    if (dfd < 0)
        return;
    char v[64];
    if (read_attr(dfd, "size", v, sizeof(v)))
        *size = strtoull(v, NULL, 10) * 512;
    /* sysfs counts 512-byte sectors whatever the device's block size. */
    emit_attr_uint(j, dfd, "size", "size", 512);
    emit_attr_bool(j, dfd, "ro", "ro");
    emit_attr_bool(j, dfd, "removable", "removable");
    /* partition: whether it is one (what the node asks); its number too. */
    struct stat st;
    p2v_json_kbool(j, "partition", fstatat(dfd, "partition", &st, 0) == 0);
    emit_attr_uint(j, dfd, "partition", "partition_number", 1);
    emit_list(j, dfd, "holders", "holders");
    emit_list(j, dfd, "slaves", "slaves");
    emit_partitions(j, dfd);
    emit_attr_str(j, dfd, "dm/name", "dm_name");
    emit_attr_str(j, dfd, "md/level", "md_level");
    emit_attr_str(j, dfd, "loop/backing_file", "loop_backing");
    close(dfd);
}

/* blkid: {NAME: value...} from a read-only probe, or blkid_error. */
static void emit_blkid(struct p2v_json *j, const char *path)
{
    blkid_probe pr = blkid_new_probe_from_filename(path);
    if (!pr) {
        p2v_json_kstr(j, "blkid_error", errno ? strerror(errno) : "cannot open for probing");
        return;
    }
    blkid_probe_enable_superblocks(pr, 1);
    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
                                              BLKID_SUBLKS_TYPE | BLKID_SUBLKS_SECTYPE |
                                              BLKID_SUBLKS_USAGE | BLKID_SUBLKS_VERSION);
    blkid_probe_enable_partitions(pr, 1);
    blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
    int rc = blkid_do_safeprobe(pr);
    if (rc == -2) {
        p2v_json_kstr(j, "blkid_error", "ambivalent result: more than one signature found");
    } else if (rc < 0) {
        p2v_json_kstr(j, "blkid_error", errno ? strerror(errno) : "probing failed");
    } else {
        p2v_json_key(j, "blkid");
        p2v_json_obj_begin(j);
        int nv = rc == 0 ? blkid_probe_numof_values(pr) : 0;
        for (int i = 0; i < nv; i++) {
            const char *name, *data;
            size_t len;
            if (blkid_probe_get_value(pr, i, &name, &data, &len) < 0)
                continue;
            /* len counts the NUL libblkid ends each value with. */
            if (len && data[len - 1] == '\0')
                len--;
            p2v_json_key(j, name);
            p2v_json_strn(j, data, len);
        }
        p2v_json_obj_end(j);
    }
    blkid_free_probe(pr);
}

void facts_block(struct p2v_json *j, const struct facts_options *opt)
{
    struct blockdev *d = NULL;
    size_t n = 0;
    scan_dev_dir(opt, "/dev", &d, &n);
    scan_dev_dir(opt, "/dev/mapper", &d, &n);
    scan_dev_dir(opt, "/dev/md", &d, &n);
    p2v_json_key(j, "block_devices");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        uint64_t size = UINT64_MAX;
        p2v_json_obj_begin(j);
        emit_sysfs(j, opt, &d[i], &size);
        char pbuf[4096];
        const char *real = facts_path(opt, d[i].path, pbuf, sizeof(pbuf));
        /* An empty device (unbound loop, drive without medium) has
         * nothing to probe: no blkid member, which the node reads as
         * "not probed". */
        if (real && size != 0) {
            errno = 0;
            emit_blkid(j, real);
        }
        p2v_json_obj_end(j);
        free(d[i].path);
    }
    p2v_json_arr_end(j);
    free(d);
}
