/* test_destfs_probe.c: the listing thread's look at the destination
 * (destfs_probe.c) answers as destfs_lstat does while it keeps a parent
 * open: across directories, after a kept directory is removed and made
 * again, through a symlinked parent (refused or absent, never followed),
 * and with the chattr flags statx shows. */
#include "common.h"
#include "destfs.h"
#include "error.h"
#include "tap.h"
#include "destfs_fixture.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

/* A shell command run in the private area (paths below are relative). */
static void in_priv(const char *cmd)
{
    char full[PATH_MAX * 3];
    snprintf(full, sizeof(full), "cd '%s' && %s", priv, cmd);
    if (system(full) != 0)
        printf("# command failed: %s\n", full);
}

static int probe(struct destfs *d, const char *path, struct stat *st)
{
    uint32_t seen, known;
    return destfs_probe(d, path, strlen(path), st, &seen, &known);
}

static void t_same_as_lstat(struct destfs *d)
{
    in_priv("mkdir -p a/b c && echo one > a/b/f && echo two2 > c/g");
    struct stat a, b;
    const char *paths[] = {"a", "a/b", "a/b/f", "c/g", "a/b/f", "", "c"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int r = probe(d, paths[i], &a);
        ok(r == 0 && destfs_lstat(d, paths[i], &b) == 0 && a.st_ino == b.st_ino &&
               a.st_size == b.st_size && a.st_mode == b.st_mode &&
               a.st_mtim.tv_nsec == b.st_mtim.tv_nsec,
           "/%s: as lstat sees it", paths[i]);
    }
    ok(probe(d, "a/b/none", &a) == 1, "a missing file is absent");
    ok(probe(d, "a/none/x", &a) == 1, "a missing parent: absent");
    ok(probe(d, "a/b/f/x", &a) == 1, "a parent that is a file: absent");
}

/* The kept parent is removed (as a transfer removes a directory in the
 * way) and a new one takes its name: the probe must see the new one. */
static void t_removed_parent(struct destfs *d)
{
    struct stat st;
    ok(probe(d, "a/b/f", &st) == 0, "a/b kept open");
    ok(destfs_remove(d, "a/b") == 0, "a/b removed through destfs");
    in_priv("mkdir a/b && echo longer-content > a/b/f");
    ok(probe(d, "a/b/f", &st) == 0 && st.st_size == 15, "the new a/b/f is seen");
}

/* A parent swapped for a symlink to outside behind destfs's back: never
 * followed (the kept one is the old directory, which has been moved). */
static void t_symlinked_parent(struct destfs *d)
{
    struct stat st;
    in_priv("mkdir -p s");
    sh("echo secret > '%s/h'", outside);
    ok(probe(d, "s/h", &st) == 1, "s/h absent before it is made");
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof(cmd), "rm -rf s && ln -s '%s' s", outside);
    in_priv(cmd);
    ok(destfs_remove(d, "c") == 0, "another directory removed (drops what was kept)");
    int r = probe(d, "s/h", &st);
    ok(r != 0, "s/h through a symlinked parent: %s",
       r < 0 ? p2v_error_message() : "absent");
    p2v_error_clear();
}

static void t_flags(struct destfs *d)
{
    in_priv("echo flagged > a/fl");
    struct stat st;
    uint32_t seen, known;
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/a/fl", priv);
    int fd = open(p, O_RDONLY);
    int fl = 0;
    bool can = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 &&
               (fl |= FS_NODUMP_FL, ioctl(fd, FS_IOC_SETFLAGS, &fl) == 0);
    ok(destfs_probe(d, "a/fl", 4, &st, &seen, &known) == 0, "a/fl probed");
    if (can && (known & FS_NODUMP_FL)) {
        ok(seen & FS_NODUMP_FL, "nodump seen through statx");
        ok(!destfs_flags_may_differ(FS_NODUMP_FL | FS_EXTENT_FL, seen, known),
           "the same settable flags: nothing to do (extents ignored)");
        ok(destfs_flags_may_differ(0, seen, known), "nodump to clear: flagged");
        ok(!destfs_flags_differ_fd(fd, FS_NODUMP_FL), "open file: the same flags");
        ok(destfs_flags_differ_fd(fd, 0), "open file: nodump to clear");
    } else {
        printf("# this filesystem keeps no nodump flag: its checks skipped\n");
    }
    ok(destfs_flags_may_differ(FS_NOATIME_FL, 0, FS_NODUMP_FL),
       "noatime, which statx cannot show: flagged when the source has it");
    ok(!destfs_flags_may_differ(FS_EXTENT_FL, 0, 0), "only unsettable flags: nothing to do");
    if (fd >= 0)
        close(fd);
}

static void all(struct destfs *d)
{
    t_same_as_lstat(d);
    t_removed_parent(d);
    t_symlinked_parent(d);
    t_flags(d);
}

int main(void)
{
    /* /var/tmp: a disk filesystem, for the chattr flags */
    return fixture_both_ways("/var/tmp", all);
}
