/* facts_statfs.c: size and use of every mounted filesystem, by statvfs
 * on each mount point of /proc/self/mountinfo.
 *
 * The node sums these to check the container's disk space and to size
 * its quota. A mount point hidden by a later mount on the same path is
 * skipped: statvfs would report the top mount for it. */
#include "facts.h"
#include "error.h"
#include <sys/statvfs.h>

/* True if a later line mounts on the same path (covers this one). */
static bool covered(const struct facts_mount *m, int n, int i)
{
    for (int k = i + 1; k < n; k++)
        if (strcmp(m[k].mountpoint, m[i].mountpoint) == 0)
            return true;
    return false;
}

void facts_statfs(struct p2v_json *j, const struct facts_options *opt)
{
    struct facts_mount *m;
    int n = facts_mountinfo_read(opt, &m);
    if (n < 0) {
        facts_error("statfs", "%s", p2v_error_message());
        return;
    }
    p2v_json_key(j, "statfs");
    p2v_json_arr_begin(j);
    for (int i = 0; i < n; i++) {
        if (covered(m, n, i))
            continue;
        char pbuf[4096];
        const char *path = facts_path(opt, m[i].mountpoint, pbuf, sizeof(pbuf));
        struct statvfs sv;
        if (!path)
            continue;
        if (statvfs(path, &sv) < 0) {
            facts_error("statfs", "statvfs `%s`: %s", m[i].mountpoint, strerror(errno));
            continue;
        }
        char dev[32];
        snprintf(dev, sizeof(dev), "%u:%u", m[i].major, m[i].minor);
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "mountpoint", m[i].mountpoint);
        /* bsize is the unit blocks count in (f_frsize, as df uses), so
         * that blocks * bsize is bytes; f_bsize is only the preferred
         * I/O size, sent as iosize. */
        p2v_json_kuint(j, "bsize", sv.f_frsize);
        p2v_json_kuint(j, "iosize", sv.f_bsize);
        p2v_json_kuint(j, "blocks", sv.f_blocks);
        p2v_json_kuint(j, "bfree", sv.f_bfree);
        p2v_json_kuint(j, "bavail", sv.f_bavail);
        p2v_json_kuint(j, "files", sv.f_files);
        p2v_json_kuint(j, "ffree", sv.f_ffree);
        p2v_json_kstr(j, "dev", dev);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
    facts_mountinfo_free(m, n);
}
