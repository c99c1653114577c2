/* test_destfs_new.c: small new files made unnamed (O_TMPFILE) in their
 * directory and linked into place whole (destfs_new.c), with openat2 and
 * with the O_NOFOLLOW walk: metadata kept, a name planted before the
 * commit replaced and never written through, an abandoned file leaving
 * nothing. */
#include "common.h"
#include "destfs.h"
#include "error.h"
#include "tap.h"
#include "destfs_fixture.h"

#include <fcntl.h>

/* Small new files: unnamed (O_TMPFILE) in their directory until linked. */
static void t_new_inplace(struct destfs *d)
{
    struct p2v_entry dir = ent("newdir", P2V_FT_DIR, 0755, 0, 0);
    struct p2v_entry f = ent("newdir/small", P2V_FT_REG, 04750, 12, 34);
    f.size = 5;
    add_xattr(&f, "user.note", "n", 1);
    ok(destfs_mkdir(d, &dir) == 0, "newdir made");
    struct destfs_at at;
    int fd;
    int r = destfs_new_open(d, "newdir/small", &at, &fd);
    ok(r == 0, "an unnamed file in its directory: %s", r < 0 ? p2v_error_message() : "ok");
    if (r != 0) {
        p2v_entry_clear(&dir);
        p2v_entry_clear(&f);
        return;
    }
    ok(write(fd, "hello", 5) == 5, "written");
    struct stat st;
    ok(lst("newdir/small", &st) < 0, "nothing has its name before the commit");
    r = destfs_new_commit(d, &at, fd, &f);
    ok(r == 0, "linked into place%s%s", r ? ": " : "", r ? p2v_error_message() : "");
    close(fd);
    destfs__at_close(&at);
    ok(lst("newdir/small", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5 &&
           (st.st_mode & 07777) == 04750 && st.st_mtim.tv_nsec == 123456789,
       "content size, mode (setuid kept) and mtime");
    if (is_root)
        ok(st.st_uid == 12 && st.st_gid == 34, "owner 12:34");
    /* the name taken meanwhile (a symlink to outside): replaced, never
     * written through */
    char target[PATH_MAX];
    snprintf(target, sizeof(target), "%s/victim", outside);
    char link[PATH_MAX];
    snprintf(link, sizeof(link), "%s/newdir/taken", priv);
    struct p2v_entry g = ent("newdir/taken", P2V_FT_REG, 0644, 0, 0);
    g.size = 3;
    ok(destfs_new_open(d, "newdir/taken", &at, &fd) == 0 && write(fd, "new", 3) == 3,
       "another new file");
    ok(symlink(target, link) == 0, "its name taken by a symlink before the commit");
    r = destfs_new_commit(d, &at, fd, &g);
    ok(r == 0, "committed over it%s%s", r ? ": " : "", r ? p2v_error_message() : "");
    close(fd);
    destfs__at_close(&at);
    ok(lst("newdir/taken", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3,
       "the symlink replaced by the file");
    ok(access(target, F_OK) < 0, "nothing written outside");
    /* abandoned before the commit: no trace */
    ok(destfs_new_open(d, "newdir/dropped", &at, &fd) == 0 && write(fd, "x", 1) == 1,
       "a third, abandoned");
    close(fd);
    destfs__at_close(&at);
    ok(lst("newdir/dropped", &st) < 0, "an abandoned unnamed file leaves nothing");
    p2v_entry_clear(&dir);
    p2v_entry_clear(&f);
    p2v_entry_clear(&g);
}

int main(void)
{
    /* /tmp: tmpfs or not, as the system has it */
    return fixture_both_ways("/tmp", t_new_inplace);
}
