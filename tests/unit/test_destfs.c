/* test_destfs.c: the destination file-system layer against a hostile
 * listing. Every case runs twice: with openat2 and with the O_NOFOLLOW
 * walk forced (destfs_force_walk). Root-only checks are skipped with a note
 * when not root. */
#include "common.h"
#include "destfs.h"
#include "error.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "destfs_fixture.h"

/* Write a regular file through tmp_open + commit. */
static int put_file(struct destfs *d, struct p2v_entry *e, const char *content)
{
    int fd;
    uint64_t have;
    e->size = strlen(content);
    if (destfs_tmp_open(d, e->path, false, &fd, &have) < 0)
        return -1;
    if (write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
        close(fd);
        return -1;
    }
    int r = destfs_commit(d, e->path, fd, e);
    close(fd);
    if (r < 0)
        destfs_tmp_discard(d, e->path);   /* as the transfer engine does */
    return r;
}

static char *slurp(const char *dir, const char *name)
{
    static char buf[4096];
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    int fd = open(p, O_RDONLY | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}


/* outside holds exactly "secret" (content "s3cret", one link); nothing else */
static bool outside_intact(void)
{
    DIR *dir = opendir(outside);
    if (!dir)
        return false;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(dir);
    struct stat st;
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/secret", outside);
    if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
        (st.st_mode & 07777) != 0600 || st.st_uid != geteuid() || st.st_mtime != 1000)
        return false;
    const char *c = slurp(outside, "secret");
    struct stat od;
    struct stat sd;
    snprintf(p, sizeof(p), "%s/sub", outside);
    DIR *sub = opendir(p);
    int m = 0;
    while (sub && (de = readdir(sub)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            m++;
    if (sub)
        closedir(sub);
    return n == 2 && m == 0 && c && strcmp(c, "s3cret") == 0 && stat(outside, &od) == 0 &&
           od.st_mtime == 2000 && lstat(p, &sd) == 0 && S_ISDIR(sd.st_mode) &&
           (sd.st_mode & 07777) == 0755 && sd.st_mtime == 3000;
}

static void reset_outside(void)
{
    sh("rm -rf '%s' 2>/dev/null; true", outside);
    mkdir(outside, 0755);
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/secret", outside);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        if (write(fd, "s3cret", 6) != 6)
            printf("# write failed\n");
        close(fd);
    }
    struct timespec ts[2] = {{1000, 0}, {1000, 0}};
    utimensat(AT_FDCWD, p, ts, 0);
    snprintf(p, sizeof(p), "%s/sub", outside);
    mkdir(p, 0755);
    chmod(p, 0755);
    struct timespec tsub[2] = {{3000, 0}, {3000, 0}};
    utimensat(AT_FDCWD, p, tsub, 0);
    struct timespec td[2] = {{2000, 0}, {2000, 0}};
    utimensat(AT_FDCWD, outside, td, 0);
}

static void t_check_path(void)
{
    ok(destfs_check_path("", 0) == 0, "\"\" is the root");
    ok(destfs_check_path("a/b/c", 5) == 0, "a/b/c accepted");
    const char *bad[] = {"..", "a/../b", "/etc/passwd", "a//b", "a/./b", "a/", ".", "../../x", "a/.."};
    for (size_t i = 0; i < P2V_ARRAY_LEN(bad); i++)
        ok(destfs_check_path(bad[i], strlen(bad[i])) < 0, "rejects \"%s\": %s", bad[i],
           p2v_error_message());
    ok(destfs_check_path("a\0b", 3) < 0, "rejects an embedded NUL: %s", p2v_error_message());
    char name[300];
    memset(name, 'n', sizeof(name));
    ok(destfs_check_path(name, 255) == 0, "a 255-byte component is fine");
    ok(destfs_check_path(name, 256) < 0, "a 256-byte component is refused");
    static char longp[PATH_MAX + 10];
    for (size_t i = 0; i < sizeof(longp); i++)
        longp[i] = (i % 100 == 99) ? '/' : 'x';
    ok(destfs_check_path(longp, PATH_MAX) < 0, "a path of PATH_MAX bytes is refused");
    ok(destfs_check_path(longp, 3998) == 0, "a path of 3998 bytes passes the plain check");
    struct destfs d = {.root = (char *)"/vz/private/101"};
    ok(destfs_check_path_in(&d, longp, 4085) < 0, "too long beneath the root");
    ok(destfs_check_path("bad\n\x01..", 7) == 0, "odd bytes are legal in names");
    ok(destfs_check_path("x/\n/..", 6) < 0 && strstr(p2v_error_message(), "x/\\n/..") != NULL,
       "the message escapes control bytes: %s", p2v_error_message());
}

static void t_create_meta(struct destfs *d)
{
    struct stat st;
    struct p2v_entry root = ent("", P2V_FT_DIR, 0755, 0, 0);
    ok(destfs_mkdir(d, &root) == 0, "root entry");
    struct p2v_entry dir = ent("etc", P2V_FT_DIR, 02775, 1234, 5678);
    ok(destfs_mkdir(d, &dir) == 0, "mkdir etc: %s", p2v_error_message());
    ok(lst("etc", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 02775,
       "dir mode 2775");
    if (is_root)
        ok(st.st_uid == 1234 && st.st_gid == 5678, "dir owner numeric 1234:5678");
    /* an existing directory is kept */
    struct p2v_entry f0 = ent("etc/keep", P2V_FT_REG, 0644, 0, 0);
    ok(put_file(d, &f0, "keep") == 0, "file in etc");
    ok(destfs_mkdir(d, &dir) == 0 && lst("etc/keep", &st) == 0, "mkdir again keeps contents");
    ok(destfs_set_times(d, "etc", &dir) == 0, "dir times");
    ok(lst("etc", &st) == 0 && st.st_mtim.tv_sec == 1600000000 && st.st_mtim.tv_nsec == 123456789,
       "dir mtime to the ns");

    /* a setuid file with xattrs */
    struct p2v_entry f = ent("etc/su", P2V_FT_REG, 04755, 1000, 1001);
    f.mtime_nsec = 987654321;
    add_xattr(&f, "user.note", "hello", 5);
    add_xattr(&f, "security.selinux", "system_u:object_r:bin_t:s0", 27);
    add_xattr(&f, "security.ima", "x", 1);
    add_xattr(&f, "trusted.t", "tv", 2);
    /* vfs_cap_data v2, effective, permitted CAP_NET_BIND_SERVICE */
    unsigned char cap[20] = {0x01, 0, 0, 0x02, 0x00, 0x04, 0, 0};
    add_xattr(&f, "security.capability", cap, sizeof(cap));
    /* ACL: user::rwx user:1001:r-x group::r-x mask::r-x other::r-x (mode 0755) */
    unsigned char acl[4 + 5 * 8] = {2, 0, 0, 0,
                                    1, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
                                    2, 0, 5, 0, 0xe9, 0x03, 0, 0,
                                    4, 0, 5, 0, 0xff, 0xff, 0xff, 0xff,
                                    0x10, 0, 5, 0, 0xff, 0xff, 0xff, 0xff,
                                    0x20, 0, 5, 0, 0xff, 0xff, 0xff, 0xff};
    add_xattr(&f, "system.posix_acl_access", acl, sizeof(acl));
    uint64_t sel = d->selinux_dropped, drop = d->xattrs_dropped;
    ok(put_file(d, &f, "#!/bin/sh\n") == 0, "commit etc/su: %s", p2v_error_message());
    ok(lst("etc/su", &st) == 0 && S_ISREG(st.st_mode), "etc/su is a file");
    ok((st.st_mode & 07777) == 04755, "setuid survives the chown (mode %04o)",
       (unsigned)(st.st_mode & 07777));
    ok(st.st_mtim.tv_sec == 1600000000 && st.st_mtim.tv_nsec == 987654321, "file mtime to the ns");
    if (is_root)
        ok(st.st_uid == 1000 && st.st_gid == 1001, "file owner numeric");
    ok(strcmp(slurp(priv, "etc/su") ?: "", "#!/bin/sh\n") == 0, "content");
    is_int(d->selinux_dropped - sel, 1, "security.selinux dropped and counted");
    is_int(d->xattrs_dropped - drop, 1, "security.ima dropped and counted");
    char p[PATH_MAX], v[256];
    snprintf(p, sizeof(p), "%s/etc/su", priv);
    ok(getxattr(p, "security.selinux", v, sizeof(v)) < 0 || d->selinux_dropped > sel,
       "selinux label not copied");
    ssize_t n = getxattr(p, "user.note", v, sizeof(v));
    ok(n == 5 && memcmp(v, "hello", 5) == 0, "user.note round trip");
    n = getxattr(p, DESTFS_TAG_XATTR, v, sizeof(v));
    ok(n < 0, "the temporary tag does not survive the commit");
    if (is_root) {
        n = getxattr(p, "trusted.t", v, sizeof(v));
        ok(n == 2 && memcmp(v, "tv", 2) == 0, "trusted.t round trip");
        n = getxattr(p, "security.capability", v, sizeof(v));
        ok(n == (ssize_t)sizeof(cap) && memcmp(v, cap, sizeof(cap)) == 0,
           "security.capability round trip (after chown) n=%zd", n);
        n = getxattr(p, "system.posix_acl_access", v, sizeof(v));
        ok(n == (ssize_t)sizeof(acl) && memcmp(v, acl, sizeof(acl)) == 0,
           "POSIX ACL round trip n=%zd", n);
    } else {
        printf("# skip: trusted.*, capability and ACL checks need root\n");
    }
    ok(destfs_lstat(d, "etc/su", &st) == 0 && destfs_same(&st, &f), "destfs_same: identical");
    f.mtime_nsec++;
    ok(!destfs_same(&st, &f), "destfs_same: a ns of difference");
    f.mtime_nsec--;
    f.mode = 0755;
    ok(!destfs_same(&st, &f), "destfs_same: mode");
    ok(destfs_lstat(d, "etc/none", &st) == 1, "lstat absent -> 1");
    ok(destfs_lstat(d, "etc/su/x", &st) == 1, "lstat beneath a file -> 1");

    /* symlinks */
    struct p2v_entry sl = ent("etc/up", P2V_FT_SYMLINK, 0777, 1000, 1001);
    set_link(&sl, "../../..");
    ok(destfs_symlink(d, &sl) == 0, "symlink: %s", p2v_error_message());
    char t[64];
    snprintf(p, sizeof(p), "%s/etc/up", priv);
    n = readlink(p, t, sizeof(t));
    ok(n == 8 && memcmp(t, "../../..", 8) == 0, "symlink target verbatim");
    ok(lstat(p, &st) == 0 && S_ISLNK(st.st_mode) && st.st_mtim.tv_nsec == 123456789,
       "symlink mtime to the ns");
    if (is_root)
        ok(st.st_uid == 1000 && st.st_gid == 1001, "symlink owner (lchown)");
    ok(destfs_apply_meta(d, "etc/up", &sl) == 0, "apply_meta on a symlink");
    set_link(&sl, "/etc/hostname");
    ok(destfs_symlink(d, &sl) == 0 && readlink(p, t, sizeof(t)) == 13,
       "symlink replaced atomically");
    /* stale kept-namespace xattrs go; inherited default ACLs do not stick */
    struct p2v_entry nox = ent("etc/su", P2V_FT_REG, 04755, 1000, 1001);
    ok(destfs_apply_meta(d, "etc/su", &nox) == 0 && getxattr(p, "user.note", v, sizeof(v)) < 0,
       "apply_meta removes an xattr the entry no longer has");
    p2v_entry_clear(&nox);
    if (is_root) {
        struct p2v_entry ad = ent("acl", P2V_FT_DIR, 0755, 0, 0);
        add_xattr(&ad, "system.posix_acl_default", acl, sizeof(acl));
        struct p2v_entry ac = ent("acl/child", P2V_FT_DIR, 0755, 0, 0);
        struct p2v_entry af = ent("acl/fifo", P2V_FT_FIFO, 0644, 0, 0);
        char cp[PATH_MAX];
        snprintf(cp, sizeof(cp), "%s/acl", priv);
        ok(destfs_mkdir(d, &ad) == 0 &&
               getxattr(cp, "system.posix_acl_default", v, sizeof(v)) == (ssize_t)sizeof(acl),
           "default ACL on a directory");
        snprintf(cp, sizeof(cp), "%s/acl/child", priv);
        ok(destfs_mkdir(d, &ac) == 0 && getxattr(cp, "system.posix_acl_access", v, sizeof(v)) < 0 &&
               getxattr(cp, "system.posix_acl_default", v, sizeof(v)) < 0,
           "a child directory does not keep the inherited ACLs");
        snprintf(cp, sizeof(cp), "%s/acl/fifo", priv);
        ok(destfs_mknod(d, &af) == 0 && getxattr(cp, "system.posix_acl_access", v, sizeof(v)) < 0,
           "a child FIFO does not keep the inherited ACL");
        p2v_entry_clear(&ad);
        p2v_entry_clear(&ac);
        p2v_entry_clear(&af);
    }
    /* special files */
    if (is_root) {
        struct p2v_entry c = ent("null", P2V_FT_CHR, 0666, 0, 0);
        c.rdev_major = 1;
        c.rdev_minor = 3;
        ok(destfs_mknod(d, &c) == 0, "mknod chr: %s", p2v_error_message());
        ok(lst("null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
               (st.st_mode & 07777) == 0666,
           "char device 1:3 0666");
        struct p2v_entry b = ent("sda", P2V_FT_BLK, 0660, 0, 6);
        b.rdev_major = 8;
        ok(destfs_mknod(d, &b) == 0 && lst("sda", &st) == 0 && S_ISBLK(st.st_mode) &&
               st.st_rdev == makedev(8, 0) && st.st_gid == 6,
           "block device 8:0");
        ok(destfs_lstat(d, "null", &st) == 0 && destfs_same(&st, &c), "same device");
        int bfd;
        ok(destfs_open_basis(d, "null", &bfd) == 1 && bfd == -1, "a device is no basis");
        p2v_entry_clear(&c);
        p2v_entry_clear(&b);
    } else {
        printf("# skip: device nodes need root\n");
    }
    struct p2v_entry fi = ent("fifo", P2V_FT_FIFO, 0620, 0, 0);
    ok(destfs_mknod(d, &fi) == 0 && lst("fifo", &st) == 0 && S_ISFIFO(st.st_mode) &&
           (st.st_mode & 07777) == 0620 && st.st_mtim.tv_nsec == 123456789,
       "fifo with mode and mtime");
    int bfd;
    ok(destfs_open_basis(d, "fifo", &bfd) == 1, "a FIFO is no basis (and did not block)");
    struct p2v_entry so = ent("sock", P2V_FT_SOCK, 0755, 0, 0);
    ok(destfs_mknod(d, &so) == 0 && lst("sock", &st) == 0 && S_ISSOCK(st.st_mode),
       "socket inode");
    ok(destfs_apply_meta(d, "fifo", &fi) == 0, "apply_meta on a FIFO");
    ok(destfs_apply_meta(d, "fifo", &so) < 0, "apply_meta refuses a type mismatch");
    ok(destfs_open_basis(d, "etc/su", &bfd) == 0 && bfd >= 0, "basis of a regular file");
    if (bfd >= 0)
        close(bfd);
    ok(destfs_open_basis(d, "etc/up", &bfd) == 1, "a symlink is no basis");
    ok(destfs_open_basis(d, "nothing/here", &bfd) == 1, "absent -> 1");
    /* hard link */
    struct p2v_entry h = ent("etc/su2", P2V_FT_HARDLINK, 0, 0, 0);
    set_link(&h, "etc/su");
    ok(destfs_hardlink(d, &h) == 0, "hardlink: %s", p2v_error_message());
    struct stat a;
    ok(lst("etc/su", &a) == 0 && lst("etc/su2", &st) == 0 && a.st_ino == st.st_ino &&
           a.st_nlink == 2,
       "same inode");
    ok(destfs_hardlink(d, &h) == 0, "hardlink again is a no-op");
    p2v_entry_clear(&root);
    p2v_entry_clear(&dir);
    p2v_entry_clear(&f0);
    p2v_entry_clear(&f);
    p2v_entry_clear(&sl);
    p2v_entry_clear(&fi);
    p2v_entry_clear(&so);
    p2v_entry_clear(&h);
}

/* entries beneath a symlink that points outside must fail or stay inside */
static void t_escape(struct destfs *d, const char *target)
{
    struct stat st;
    struct p2v_entry x = ent("x", P2V_FT_SYMLINK, 0777, 0, 0);
    set_link(&x, target);
    ok(destfs_symlink(d, &x) == 0, "symlink x -> %s", target);
    struct p2v_entry ed = ent("x/evil", P2V_FT_DIR, 0777, 0, 0);
    ok(destfs_mkdir(d, &ed) < 0, "mkdir x/evil refused: %s", p2v_error_message());
    struct p2v_entry ef = ent("x/evil", P2V_FT_REG, 04777, 0, 0);
    int fd;
    uint64_t have;
    int r = destfs_tmp_open(d, "x/evil", false, &fd, &have);
    if (r == 0) {
        ok(destfs_commit(d, "x/evil", fd, &ef) < 0, "commit x/evil refused: %s",
           p2v_error_message());
        close(fd);
        destfs_tmp_discard(d, "x/evil");
    }
    /* deeper: the symlink is an intermediate component */
    struct p2v_entry deep = ent("x/sub/evil", P2V_FT_DIR, 0777, 0, 0);
    ok(destfs_mkdir(d, &deep) < 0, "mkdir x/sub/evil refused");
    deep.type = P2V_FT_REG;
    ok(put_file(d, &deep, "pwned") < 0, "file x/sub/evil refused");
    deep.type = P2V_FT_FIFO;
    ok(destfs_mknod(d, &deep) < 0, "fifo x/sub/evil refused");
    struct p2v_entry subm = ent("x/sub", P2V_FT_DIR, 0777, 0, 0);
    ok(destfs_apply_meta(d, "x/sub", &subm) < 0 && destfs_set_times(d, "x/sub", &subm) < 0 &&
           destfs_mkdir(d, &subm) < 0,
       "metadata of x/sub refused");
    ok(destfs_remove(d, "x/sub") < 0, "remove x/sub refused");
    p2v_entry_clear(&deep);
    p2v_entry_clear(&subm);
    struct p2v_entry ef2 = ent("x/secret", P2V_FT_REG, 04777, 0, 0);
    ok(put_file(d, &ef2, "pwned") < 0, "overwrite x/secret refused");
    struct p2v_entry eh = ent("x/evil", P2V_FT_HARDLINK, 0, 0, 0);
    set_link(&eh, "etc/su");
    ok(destfs_hardlink(d, &eh) < 0, "hardlink x/evil refused");
    struct p2v_entry eh2 = ent("stolen", P2V_FT_HARDLINK, 0, 0, 0);
    set_link(&eh2, "x/secret");
    ok(destfs_hardlink(d, &eh2) < 0 && lst("stolen", &st) < 0,
       "hardlink to x/secret (through the symlink) refused");
    struct p2v_entry es = ent("x/evil", P2V_FT_SYMLINK, 0777, 0, 0);
    set_link(&es, "/");
    ok(destfs_symlink(d, &es) < 0, "symlink x/evil refused");
    struct p2v_entry en = ent("x/evil", P2V_FT_FIFO, 0666, 0, 0);
    ok(destfs_mknod(d, &en) < 0, "mknod x/evil refused");
    ok(destfs_remove(d, "x/secret") < 0, "remove x/secret refused");
    ok(destfs_set_times(d, "x/secret", &ef) < 0, "set_times x/secret refused");
    ok(destfs_apply_meta(d, "x/secret", &ef) < 0, "apply_meta x/secret refused");
    ok(destfs_set_flags(d, "x/secret", FS_IMMUTABLE_FL) < 0, "set_flags x/secret refused");
    ok(destfs_lstat(d, "x/secret", &st) != 0, "lstat x/secret does not see through");
    ok(destfs_open_basis(d, "x/secret", &fd) != 0, "basis x/secret not opened");
    /* the final component being the symlink: operations act on the link */
    ok(destfs_set_times(d, "x", &ef) == 0, "set_times on the link itself");
    ok(destfs_apply_meta(d, "x", &ef) < 0, "apply_meta as a file on a symlink refused");
    ok(destfs_set_flags(d, "x", FS_IMMUTABLE_FL) == 0, "set_flags on a symlink: reported only");
    struct p2v_entry xf = ent("x", P2V_FT_REG, 04777, 0, 0);
    ok(put_file(d, &xf, "replaced") == 0, "a file replaces the symlink x");
    ok(lst("x", &st) == 0 && S_ISREG(st.st_mode), "x is now a regular file");
    ok(outside_intact(), "outside untouched (%s)", target);
    ok(destfs_remove(d, "x") == 0 && lst("x", &st) < 0, "x removed");
    p2v_entry_clear(&x);
    p2v_entry_clear(&ed);
    p2v_entry_clear(&ef);
    p2v_entry_clear(&ef2);
    p2v_entry_clear(&eh);
    p2v_entry_clear(&eh2);
    p2v_entry_clear(&es);
    p2v_entry_clear(&en);
    p2v_entry_clear(&xf);
}

static void t_hostile_link(struct destfs *d)
{
    struct p2v_entry h = ent("sh", P2V_FT_HARDLINK, 0, 0, 0);
    set_link(&h, "../../etc/shadow");
    struct stat before, after, st;
    stat("/etc/shadow", &before);
    ok(destfs_hardlink(d, &h) < 0, "hardlink to ../../etc/shadow refused: %s",
       p2v_error_message());
    set_link(&h, "/etc/shadow");
    ok(destfs_hardlink(d, &h) < 0, "hardlink to /etc/shadow refused");
    struct p2v_entry s = ent("etcl", P2V_FT_SYMLINK, 0777, 0, 0);
    set_link(&s, "/etc");
    ok(destfs_symlink(d, &s) == 0, "symlink etcl -> /etc");
    set_link(&h, "etcl/shadow");
    ok(destfs_hardlink(d, &h) < 0, "hardlink through a symlink refused");
    stat("/etc/shadow", &after);
    ok(before.st_nlink == after.st_nlink && lst("sh", &st) < 0, "/etc/shadow not linked");
    /* a hard link to the symlink itself stays a link to the link */
    set_link(&h, "etcl");
    ok(destfs_hardlink(d, &h) == 0 && lst("sh", &st) == 0 && S_ISLNK(st.st_mode),
       "hardlink to a symlink links the symlink itself");
    /* a symlink to a file outside: the link is linked, never its target */
    struct p2v_entry s2 = ent("sec", P2V_FT_SYMLINK, 0777, 0, 0);
    char tgt[PATH_MAX];
    snprintf(tgt, sizeof(tgt), "%s/secret", outside);
    set_link(&s2, tgt);
    set_link(&h, "sec");
    ok(destfs_symlink(d, &s2) == 0 && destfs_hardlink(d, &h) == 0 && lst("sh", &st) == 0 &&
           S_ISLNK(st.st_mode) && outside_intact(),
       "hardlink to a symlink to outside/secret: secret not linked");
    /* a symlink pointing inside is not followed either */
    struct p2v_entry in = ent("inlink", P2V_FT_SYMLINK, 0777, 0, 0);
    set_link(&in, "etc");
    struct p2v_entry sd = ent("etc/sd", P2V_FT_DIR, 0755, 0, 0);
    struct p2v_entry inf = ent("inlink/sd/new", P2V_FT_REG, 0644, 0, 0);
    ok(destfs_mkdir(d, &sd) == 0 && destfs_symlink(d, &in) == 0 && put_file(d, &inf, "x") < 0 &&
           lst("etc/sd/new", &st) < 0,
       "a write through a symlink pointing inside is refused too");
    destfs_remove(d, "etc/sd");
    p2v_entry_clear(&sd);
    destfs_remove(d, "inlink");
    destfs_remove(d, "sec");
    p2v_entry_clear(&s2);
    p2v_entry_clear(&in);
    p2v_entry_clear(&inf);
    destfs_remove(d, "sh");
    destfs_remove(d, "etcl");
    p2v_entry_clear(&h);
    p2v_entry_clear(&s);
}

static void t_replace(struct destfs *d)
{
    struct stat st;
    struct p2v_entry f = ent("r1", P2V_FT_REG, 0644, 0, 0);
    ok(put_file(d, &f, "file") == 0, "r1 file");
    struct p2v_entry dd = ent("r1", P2V_FT_DIR, 0755, 0, 0);
    ok(destfs_mkdir(d, &dd) == 0 && lst("r1", &st) == 0 && S_ISDIR(st.st_mode),
       "a file replaced by a directory");
    struct p2v_entry sub = ent("r1/a", P2V_FT_DIR, 0755, 0, 0);
    struct p2v_entry subf = ent("r1/a/b", P2V_FT_REG, 0644, 0, 0);
    struct p2v_entry subl = ent("r1/a/out", P2V_FT_SYMLINK, 0777, 0, 0);
    set_link(&subl, outside);
    ok(destfs_mkdir(d, &sub) == 0 && put_file(d, &subf, "b") == 0 && destfs_symlink(d, &subl) == 0,
       "populated r1");
    struct p2v_entry f2 = ent("r1", P2V_FT_REG, 0600, 0, 0);
    ok(put_file(d, &f2, "file again") == 0 && lst("r1", &st) == 0 && S_ISREG(st.st_mode),
       "a directory tree replaced by a file");
    ok(outside_intact(), "removing the tree did not follow its symlink");
    struct p2v_entry s = ent("r2", P2V_FT_DIR, 0755, 0, 0);
    ok(destfs_mkdir(d, &s) == 0, "r2 dir");
    struct p2v_entry sl = ent("r2", P2V_FT_SYMLINK, 0777, 0, 0);
    set_link(&sl, "r1");
    ok(destfs_symlink(d, &sl) == 0 && lst("r2", &st) == 0 && S_ISLNK(st.st_mode),
       "a directory replaced by a symlink");
    ok(destfs_mkdir(d, &s) == 0 && lst("r2", &st) == 0 && S_ISDIR(st.st_mode),
       "a symlink replaced by a directory");
    struct p2v_entry fi = ent("r2", P2V_FT_FIFO, 0644, 0, 0);
    ok(destfs_mknod(d, &fi) == 0 && lst("r2", &st) == 0 && S_ISFIFO(st.st_mode),
       "a directory replaced by a FIFO");
    ok(destfs_remove(d, "r1") == 0 && destfs_remove(d, "r2") == 0 && destfs_remove(d, "r3") == 0,
       "removals (absent is fine)");
    ok(destfs_remove(d, "") < 0, "the root is never removed");
    p2v_entry_clear(&f);
    p2v_entry_clear(&dd);
    p2v_entry_clear(&sub);
    p2v_entry_clear(&subf);
    p2v_entry_clear(&subl);
    p2v_entry_clear(&f2);
    p2v_entry_clear(&s);
    p2v_entry_clear(&sl);
    p2v_entry_clear(&fi);
}

static void t_immutable(struct destfs *d)
{
    struct stat st;
    if (!is_root) {
        printf("# skip: immutable flags need root\n");
        return;
    }
    struct p2v_entry f = ent("imm", P2V_FT_REG, 0644, 0, 0);
    ok(put_file(d, &f, "v1") == 0, "imm v1");
    uint64_t ff = d->flags_failed;
    if (destfs_set_flags(d, "imm", FS_IMMUTABLE_FL | FS_EXTENT_FL) < 0 || d->flags_failed != ff) {
        printf("# skip: the file system keeps no flags: %s\n", p2v_error_message());
        p2v_entry_clear(&f);
        return;
    }
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/imm", priv);
    int fd = open(p, O_RDONLY), fl = 0;
    ok(fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 && (fl & FS_IMMUTABLE_FL), "imm immutable");
    if (fd >= 0)
        close(fd);
    ok(put_file(d, &f, "v2") == 0 && strcmp(slurp(priv, "imm") ?: "", "v2") == 0,
       "an immutable file replaced: %s", p2v_error_message());
    ok(destfs_set_flags(d, "imm", FS_APPEND_FL) == 0, "append-only");
    ok(destfs_remove(d, "imm") == 0 && lst("imm", &st) < 0, "an append-only file removed");
    struct p2v_entry dd = ent("idir", P2V_FT_DIR, 0755, 0, 0);
    struct p2v_entry df = ent("idir/f", P2V_FT_REG, 0644, 0, 0);
    ok(destfs_mkdir(d, &dd) == 0 && put_file(d, &df, "x") == 0, "idir/f");
    ok(destfs_set_flags(d, "idir/f", FS_IMMUTABLE_FL) == 0 &&
           destfs_set_flags(d, "idir", FS_IMMUTABLE_FL) == 0,
       "idir and idir/f immutable");
    ok(destfs_mkdir(d, &dd) == 0 && put_file(d, &df, "y") == 0, "rerun writes into idir");
    ok(destfs_set_flags(d, "idir/f", FS_IMMUTABLE_FL) == 0 &&
           destfs_set_flags(d, "idir", FS_IMMUTABLE_FL) == 0,
       "flags set again");
    ok(destfs_remove(d, "idir") == 0 && lst("idir", &st) < 0, "an immutable tree removed: %s",
       p2v_error_message());
    p2v_entry_clear(&f);
    p2v_entry_clear(&dd);
    p2v_entry_clear(&df);
}

static int count_tmp(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(dp);
    return n;
}

static void t_resume(struct destfs *d)
{
    int fd;
    uint64_t have = 99;
    ok(destfs_tmp_open(d, "big", false, &fd, &have) == 0 && have == 0, "fresh partial");
    ok(write(fd, "0123456789", 10) == 10, "partial written");
    close(fd);
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", d->tmp);
    ok(destfs_finish(d) == 0 && count_tmp(tmp) >= 1, "finish keeps a non-empty tmp");
    destfs_close(d);
    ok(destfs_open(d, priv, false) == 0, "reopen (a rerun)");
    ok(destfs_tmp_open(d, "big", true, &fd, &have) == 0 && have == 10, "partial found again: %llu",
       (unsigned long long)have);
    close(fd);
    ok(destfs_tmp_open(d, "other", true, &fd, &have) == 0 && have == 0,
       "another path gets a fresh file");
    close(fd);
    ok(destfs_tmp_discard(d, "other") == 0, "discard other");
    /* another path's partial under this path's name: not mistaken */
    DIR *dp = opendir(tmp);
    char name[300] = "";
    struct dirent *de;
    while (dp && (de = readdir(dp)))
        if (de->d_name[0] == 'p' && !strchr(de->d_name, '.'))
            snprintf(name, sizeof(name), "%s", de->d_name);
    if (dp)
        closedir(dp);
    ok(destfs_tmp_open(d, "victim", false, &fd, &have) == 0, "victim partial");
    close(fd);
    destfs_tmp_discard(d, "victim");
    /* rename big's partial to where victim's would be */
    ok(destfs_tmp_open(d, "victim", false, &fd, &have) == 0, "victim again");
    char vname[300] = "";
    dp = opendir(tmp);
    while (dp && (de = readdir(dp)))
        if (de->d_name[0] == 'p' && !strchr(de->d_name, '.') && strcmp(de->d_name, name))
            snprintf(vname, sizeof(vname), "%s", de->d_name);
    if (dp)
        closedir(dp);
    close(fd);
    ok(name[0] && vname[0] && renameat(d->tmp_fd, name, d->tmp_fd, vname) == 0,
       "big's partial planted as victim's");
    ok(destfs_tmp_open(d, "victim", true, &fd, &have) == 0 && have == 0,
       "a partial tagged for another path is not resumed");
    close(fd);
    ok(destfs_tmp_discard(d, "victim") == 0 && destfs_tmp_discard(d, "big") == 0, "discarded");
    ok(destfs_finish(d) == 0 && access(tmp, F_OK) < 0, "finish removes the empty tmp");
}

static void t_between_runs(struct destfs *d)
{
    struct p2v_entry dd = ent("var", P2V_FT_DIR, 0755, 0, 0);
    struct p2v_entry f = ent("var/log", P2V_FT_REG, 0644, 0, 0);
    ok(destfs_mkdir(d, &dd) == 0 && put_file(d, &f, "one") == 0, "run 1: var/log");
    destfs_close(d);
    /* between the runs, the running container swaps var for a symlink */
    char p[PATH_MAX * 2];
    snprintf(p, sizeof(p), "rm -rf '%s/var' && ln -s '%s' '%s/var'", priv, outside, priv);
    sh("%s", p);
    ok(destfs_open(d, priv, false) == 0, "run 2");
    struct p2v_entry f2 = ent("var/secret", P2V_FT_REG, 0644, 0, 0);
    ok(put_file(d, &f2, "two") < 0, "run 2: var/secret refused (var is a symlink now)");
    ok(put_file(d, &f, "two") < 0, "run 2: var/log refused");
    ok(outside_intact(), "outside untouched after the swap");
    struct stat st;
    ok(destfs_mkdir(d, &dd) == 0 && lst("var", &st) == 0 && S_ISDIR(st.st_mode),
       "run 2: var is a directory again");
    ok(put_file(d, &f, "two") == 0 && strcmp(slurp(priv, "var/log") ?: "", "two") == 0,
       "run 2: var/log written inside");
    ok(outside_intact(), "outside still untouched");
    p2v_entry_clear(&dd);
    p2v_entry_clear(&f);
    p2v_entry_clear(&f2);
}

/* a mount inside the private area is never crossed */
static void t_mount(struct destfs *d)
{
    char mp[PATH_MAX];
    snprintf(mp, sizeof(mp), "%s/mnt", priv);
    struct p2v_entry m = ent("mnt", P2V_FT_DIR, 0755, 0, 0);
    ok(destfs_mkdir(d, &m) == 0, "mnt dir");
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof(cmd), "mount -t tmpfs p2vtest '%s' 2>/dev/null", mp);
    if (!is_root || system(cmd) != 0) {
        printf("# skip: cannot mount a tmpfs inside the private area\n");
        p2v_entry_clear(&m);
        return;
    }
    struct p2v_entry x = ent("mnt/x", P2V_FT_FIFO, 0755, 0, 0);
    struct stat st;
    ok(destfs_mknod(d, &x) < 0 && lst("mnt/x", &st) < 0, "mknod beneath a mount point refused");
    x.type = P2V_FT_DIR;
    ok(destfs_mkdir(d, &x) < 0, "mkdir beneath a mount point refused: %s", p2v_error_message());
    ok(destfs_remove(d, "mnt") < 0, "a mount point is not removed");
    snprintf(cmd, sizeof(cmd), "umount '%s'", mp);
    sh("%s", cmd);
    ok(destfs_remove(d, "mnt") == 0, "mnt removed after umount");
    p2v_entry_clear(&m);
    p2v_entry_clear(&x);
}

static void run_all(bool walk)
{
    printf("# ---- %s ----\n", walk ? "O_NOFOLLOW walk (openat2 disabled)" : "openat2");
    destfs_force_walk(walk);
    sh("rm -rf '%s'/private", base);
    snprintf(priv, sizeof(priv), "%s/private/101", base);
    reset_outside();
    struct destfs d;
    ok(destfs_open(&d, priv, true) == 0, "open %s: %s", priv, p2v_error_message());
    const char *env = getenv("P2V_DESTFS_NO_OPENAT2");
    bool forced = env && *env && strcmp(env, "0") != 0;
    ok(destfs_using_walk() == (walk || forced), "the walk is %s",
       walk || forced ? "used" : "not used");
    struct stat st;
    ok(stat(priv, &st) == 0 && (st.st_mode & 07777) == DESTFS_PRIVATE_MODE,
       "private area created 0700");
    ok(access(d.tmp, F_OK) < 0, "tmp created only when needed");
    t_create_meta(&d);
    t_escape(&d, outside);
    char rel[PATH_MAX];
    snprintf(rel, sizeof(rel), "../../../..%s", outside);
    t_escape(&d, rel);
    t_escape(&d, "../../..");
    t_hostile_link(&d);
    t_replace(&d);
    t_immutable(&d);
    t_mount(&d);
    t_between_runs(&d);
    t_resume(&d);
    ok(outside_intact(), "outside untouched at the end");
    destfs_close(&d);
    ok(destfs_open(&d, priv, false) == 0 && destfs_finish(&d) == 0, "finish without tmp");
    destfs_close(&d);
    sh("chattr -R -i -a '%s' 2>/dev/null; true", base);
}

int main(void)
{
    is_root = geteuid() == 0;
    if (!is_root)
        printf("# not root: owner, device, xattr and flag checks are skipped\n");
    snprintf(base, sizeof(base), "/tmp/p2v-destfs-XXXXXX");
    if (!mkdtemp(base)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    snprintf(outside, sizeof(outside), "%s/outside", base);
    t_check_path();
    run_all(false);
    run_all(true);
    sh("chattr -R -i -a '%s' 2>/dev/null; true", base);
    sh("rm -rf '%s'", base);
    return tap_done();
}
