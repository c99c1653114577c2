/* test_ctfs.c: edits inside a copied container stay inside it, keep one
 * backup (the original), are atomic and repeatable. */
#include "common.h"
#include "ctfs.h"
#include "error.h"
#include "tap.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char base[128], priv[256], outside[256];

static void sh(const char *cmd)
{
    char full[2048];
    snprintf(full, sizeof(full), "cd %s && %s", base, cmd);
    if (system(full) != 0)
        printf("# command failed: %s\n", cmd);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static char *at(const char *dir, const char *rel)
{
    static char buf[4][PATH_MAX];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], PATH_MAX, "%s/%s", dir, rel);
    return buf[i];
}

static bool outside_untouched(void)
{
    return strcmp(slurp(at(outside, "victim")) ? slurp(at(outside, "victim")) : "", "keep\n") == 0 &&
           access(at(outside, "hostname"), F_OK) != 0 && access(at(outside, "new"), F_OK) != 0;
}

int main(void)
{
    snprintf(base, sizeof(base), "/tmp/p2v-test-ctfs.%d", (int)getpid());
    snprintf(priv, sizeof(priv), "%s/private", base);
    snprintf(outside, sizeof(outside), "%s/outside", base);
    mkdir(base, 0700);
    sh("mkdir -p private/etc/network private/run outside && echo keep > outside/victim && "
       "printf 'old\\n' > private/etc/hostname && chmod 0640 private/etc/hostname && "
       "ln -s ../run/resolvconf/resolv.conf private/etc/resolv.conf && "
       "ln -s /../../outside private/etc/evil && ln -s ../../../outside private/etc/evil2 && "
       "echo 'iface eth0' > private/etc/network/ifcfg-eth0 && mkfifo private/etc/fifo");

    struct ctfs c;
    is_int(ctfs_open(&c, priv), 0, "open the private area");

    /* reads follow links as the container would, never out of it */
    struct p2v_buf b = P2V_BUF_INIT(1 << 20);
    is_int(ctfs_read(&c, "/etc/hostname", &b), 0, "read a file");
    is_str(b.data, "old\n", "its content");
    is_int(ctfs_read(&c, "/etc/resolv.conf", &b), 1, "a dangling link reads as absent");
    is_int(ctfs_read(&c, "/etc/evil/victim", &b), 1, "an absolute link to / stays in the root");
    is_int(ctfs_read(&c, "/etc/evil2/victim", &b), 1, "a ../ link stays in the root");
    is_int(ctfs_read(&c, "/etc/fifo", &b), 1, "a FIFO is not opened");
    is_int(ctfs_read(&c, "/etc/../../outside/victim", &b), -1, "`..` in a path is refused");

    /* writes: atomic, first backup kept, owner and mode kept */
    is_int(ctfs_write(&c, "/etc/hostname", "new\n", 4, 0644, "hostname"), 0, "rewrite");
    is_str(slurp(at(priv, "etc/hostname")), "new\n", "new content");
    is_str(slurp(at(priv, "etc/hostname.migsave")), "old\n", "backup holds the original");
    struct stat st;
    stat(at(priv, "etc/hostname"), &st);
    is_int(st.st_mode & 07777, 0640, "mode of the original kept");
    is_int(ctfs_write(&c, "/etc/hostname", "new\n", 4, 0644, "hostname"), 1,
           "same content: nothing to do");
    is_int(ctfs_write(&c, "/etc/hostname", "newer\n", 6, 0644, "hostname"), 0, "rewrite again");
    is_str(slurp(at(priv, "etc/hostname.migsave")), "old\n", "the first backup stays");

    /* a symlink is replaced by a file, kept as a symlink backup */
    is_int(ctfs_write(&c, "/etc/resolv.conf", "nameserver 198.51.100.53\n", 25, 0644, "dns"), 0,
           "replace a dangling symlink");
    ok(lstat(at(priv, "etc/resolv.conf"), &st) == 0 && S_ISREG(st.st_mode), "now a file");
    ok(lstat(at(priv, "etc/resolv.conf.migsave"), &st) == 0 && S_ISLNK(st.st_mode),
       "backup is the symlink");

    /* writing through a symlinked directory lands inside the root or fails */
    int r = ctfs_write(&c, "/etc/evil/hostname", "x\n", 2, 0644, "escape");
    ok(r == -1 || access(at(priv, "outside/hostname"), F_OK) == 0,
       "write through an escaping directory link: refused or kept inside (%d)", r);
    ok(outside_untouched(), "nothing written outside the private area");
    r = ctfs_symlink(&c, "/etc/evil2/new", "/x", "escape");
    ok(outside_untouched(), "symlink through ../ link: nothing outside (%d)", r);

    /* new files and directories */
    is_int(ctfs_write(&c, "/etc/systemd/network/10-venet0.network", "[Match]\n", 8, 0644, "net"),
           0, "create with missing parents");
    stat(at(priv, "etc/systemd/network/10-venet0.network"), &st);
    is_int(st.st_mode & 07777, 0644, "new file mode");
    is_int(ctfs_symlink(&c, "/etc/mtab", "/proc/mounts", "mtab"), 0, "create a symlink");
    is_int(ctfs_symlink(&c, "/etc/mtab", "/proc/mounts", "mtab"), 1, "already so");
    is_int(ctfs_mknod(&c, "/dev/null", S_IFCHR | 0666, makedev(1, 3), "dev"),
           geteuid() == 0 ? 0 : -1, "mknod (root only)");

    /* disable: out of a globbed directory, into DIR/.migsave */
    is_int(ctfs_disable(&c, "/etc/network/ifcfg-eth0", "NIC"), 0, "disable");
    ok(access(at(priv, "etc/network/.migsave/ifcfg-eth0"), F_OK) == 0, "moved to .migsave/");
    is_int(ctfs_disable(&c, "/etc/network/ifcfg-eth0", "NIC"), 1, "disable twice: nothing to do");

    char **names;
    size_t n;
    is_int(ctfs_list(&c, "/etc/network", &names, &n), 0, "list");
    ok(n == 1 && strcmp(names[0], ".migsave") == 0, "sorted names (%zu)", n);
    p2v_strv_free(names, n);
    is_int(ctfs_list(&c, "/etc/none", &names, &n), 1, "list an absent directory");
    ok(c.nchanges >= 6, "changes recorded (%zu)", c.nchanges);
    ok(outside_untouched(), "still nothing outside");

    p2v_buf_release(&b);
    ctfs_close(&c);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    if (system(cmd) != 0)
        printf("# cleanup failed\n");
    return tap_done();
}
