/* convert_disable.c: switch off what cannot work in a container and give
 * it what it needs (facts/openvz.md, "Physical-to-container fixups"):
 * fstab lines for disks and swap, gettys on hardware ttys (the console
 * getty stays), udev and hardware services, module loading, clock setting,
 * SELinux, /etc/mtab, and the device nodes of a container's /dev. */
#include "convert.h"
#include "error.h"
#include "log.h"
#include <ctype.h>
#include <sys/sysmacros.h>

/* Services that drive hardware or the kernel, by their usual names. A
 * container has no disks, NICs, clocks or modules of its own. */
static const char *const hw_services[] = {
    "systemd-udevd", "systemd-udev-trigger", "systemd-udev-settle", "udev", "udev-trigger",
    "udev-settle", "udev-finish", "udev-mtab", "systemd-modules-load", "kmod", "kmod-static-nodes",
    "modules", "module-init-tools", "hwclock", "hwclock.sh", "hwclock-save", "systemd-hwdb-update",
    "systemd-timesyncd", "ntpdate", "klogd", "kudzu", "harddrake", "haldaemon", "lvm2-monitor",
    "lvm2-lvmpolld", "lvm2", "mdmonitor", "mdadm", "mdadm-raid", "multipathd", "smartd",
    "smartmontools", "irqbalance", "acpid", "cpufrequtils", "loadcpufreq", "kdump",
    "mcelog", "rasdaemon", "microcode", "lm-sensors", "lm_sensors", "fancontrol", "fsck",
    "swap", "iscsid", "open-iscsi", "dmraid", "raid-check", "keyboard-setup", "console-setup",
    "plymouth", "plymouth-start", "NetworkManager-wait-online", "systemd-networkd-wait-online",
};

static bool is_hw(const char *name)
{
    for (size_t i = 0; i < P2V_ARRAY_LEN(hw_services); i++)
        if (strcmp(name, hw_services[i]) == 0)
            return true;
    return false;
}

/* ---- fstab: comment every line but comments, proc, devpts, tmpfs ---- */
static int fix_fstab(struct convert_ctx *x)
{
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1), out = P2V_BUF_INIT(2 * CTFS_READ_MAX);
    int r = ctfs_read(&x->fs, "/etc/fstab", &b), rc = 0;
    size_t off = 0;
    if (r != 0) {
        rc = r < 0 ? -1 : 0;
        goto out;
    }
    for (char *s = b.data; s && *s;) {
        char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char spec[256] = "", file[256] = "", type[64] = "";
        char *line = p2v_xstrndup(s, len);
        const char *t = line + strspn(line, " \t");
        bool keep = !*t || *t == '#' ||
                    (sscanf(t, "%255s %255s %63s", spec, file, type) == 3 &&
                     (strcmp(type, "proc") == 0 || strcmp(type, "devpts") == 0 ||
                      strcmp(type, "tmpfs") == 0 || strcmp(type, "sysfs") == 0));
        if (!keep) {
            p2v_buf_adds(&out, "#mig# ");
            off++;
        }
        p2v_buf_add(&out, s, len);
        p2v_buf_addc(&out, '\n');
        free(line);
        s = nl ? nl + 1 : NULL;
    }
    if (off) {
        p2v_autofree char *why = p2v_xasprintf("%zu disk/swap/network mount lines commented "
                                               "(#mig#): the container's filesystem is mounted "
                                               "by the node", off);
        rc = ctfs_write(&x->fs, "/etc/fstab", out.data, out.len, 0644, why) < 0 ? -1 : 0;
    }
out:
    p2v_buf_release(&b);
    p2v_buf_release(&out);
    return rc;
}

/* ---- systemd: mask hardware units, drop hardware getty instances ---- */
static bool unit_exists(struct ctfs *fs, const char *unit)
{
    const char *dirs[] = {"/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"};
    struct stat st;
    for (size_t i = 0; i < P2V_ARRAY_LEN(dirs); i++) {
        p2v_autofree char *p = p2v_xasprintf("%s/%s", dirs[i], unit);
        if (ctfs_lstat(fs, p, &st) == 0)
            return true;
    }
    return false;
}

static bool hw_getty(const char *name)
{
    /* getty@tty1.service, serial-getty@ttyS0.service; console-getty stays */
    return strncmp(name, "getty@tty", 9) == 0 || strncmp(name, "serial-getty@", 13) == 0 ||
           strncmp(name, "autovt@", 7) == 0;
}

static int fix_systemd(struct convert_ctx *x)
{
    for (size_t i = 0; i < P2V_ARRAY_LEN(hw_services); i++) {
        p2v_autofree char *unit = p2v_xasprintf("%s.service", hw_services[i]);
        if (!unit_exists(&x->fs, unit))
            continue;
        p2v_autofree char *path = p2v_xasprintf("/etc/systemd/system/%s", unit);
        char *cur = NULL;
        if (ctfs_readlink(&x->fs, path, &cur) == 0 && strcmp(cur, "/dev/null") == 0) {
            free(cur);
            continue;
        }
        free(cur);
        if (ctfs_symlink(&x->fs, path, "/dev/null", "masked: hardware or kernel service, "
                                                    "nothing to drive in a container") < 0)
            return -1;
    }
    char **wants;
    size_t n;
    if (ctfs_list(&x->fs, "/etc/systemd/system/getty.target.wants", &wants, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (!hw_getty(wants[i]))
                continue;
            p2v_autofree char *p =
                p2v_xasprintf("/etc/systemd/system/getty.target.wants/%s", wants[i]);
            if (ctfs_disable(&x->fs, p, "getty on a hardware tty (the console getty stays)") < 0) {
                p2v_strv_free(wants, n);
                return -1;
            }
        }
        p2v_strv_free(wants, n);
    }
    return 0;
}

/* ---- sysvinit: inittab gettys, rc?.d links of hardware scripts ---- */
static int fix_inittab(struct convert_ctx *x)
{
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1), out = P2V_BUF_INIT(2 * CTFS_READ_MAX);
    int r = ctfs_read(&x->fs, "/etc/inittab", &b), rc = 0;
    size_t off = 0;
    for (char *s = r == 0 ? b.data : NULL; s && *s;) {
        char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        p2v_autofree char *line = p2v_xstrndup(s, len);
        /* id:runlevels:respawn:/sbin/getty 38400 tty1 -- not the console */
        bool getty = line[0] != '#' && strstr(line, "getty") && strstr(line, ":respawn:") &&
                     (strstr(line, "tty") && !strstr(line, "console"));
        if (getty) {
            p2v_buf_adds(&out, "#mig# ");
            off++;
        }
        p2v_buf_add(&out, s, len);
        p2v_buf_addc(&out, '\n');
        s = nl ? nl + 1 : NULL;
    }
    if (off)
        rc = ctfs_write(&x->fs, "/etc/inittab", out.data, out.len, 0644,
                        "gettys on hardware ttys commented (#mig#)") < 0 ? -1 : 0;
    p2v_buf_release(&b);
    p2v_buf_release(&out);
    return r < 0 ? -1 : rc;
}

static int fix_rc_links(struct convert_ctx *x)
{
    static const char *const dirs[] = {"/etc/rcS.d", "/etc/rc1.d", "/etc/rc2.d", "/etc/rc3.d",
                                       "/etc/rc4.d", "/etc/rc5.d", "/etc/rc.d/rc3.d",
                                       "/etc/rc.d/rc5.d", "/etc/rc.d/rcS.d"};
    for (size_t d = 0; d < P2V_ARRAY_LEN(dirs); d++) {
        char **names;
        size_t n;
        if (ctfs_list(&x->fs, dirs[d], &names, &n) != 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            const char *s = names[i];
            /* S20name: start links only */
            if (s[0] != 'S' || strlen(s) < 4 || !isdigit((unsigned char)s[1]) ||
                !isdigit((unsigned char)s[2]) || !is_hw(s + 3))
                continue;
            p2v_autofree char *p = p2v_xasprintf("%s/%s", dirs[d], s);
            if (ctfs_disable(&x->fs, p, "hardware or kernel service") < 0) {
                p2v_strv_free(names, n);
                return -1;
            }
        }
        p2v_strv_free(names, n);
    }
    return 0;
}

/* ---- upstart: an override saying "manual" (upstart's own way) ---- */
static int fix_upstart(struct convert_ctx *x)
{
    char **names;
    size_t n;
    if (ctfs_list(&x->fs, "/etc/init", &names, &n) != 0)
        return 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(names[i]);
        if (len < 6 || strcmp(names[i] + len - 5, ".conf") != 0)
            continue;
        p2v_autofree char *job = p2v_xstrndup(names[i], len - 5);
        bool tty = (strncmp(job, "tty", 3) == 0 && isdigit((unsigned char)job[3])) ||
                   strcmp(job, "serial") == 0 || strncmp(job, "plymouth", 8) == 0 ||
                   strcmp(job, "prefdm") == 0;
        if (!tty && !is_hw(job) && strncmp(job, "udev", 4) != 0)
            continue;
        p2v_autofree char *p = p2v_xasprintf("/etc/init/%s.override", job);
        rc = ctfs_write(&x->fs, p, "manual\n", 7, 0644,
                        "upstart job of hardware (tty, udev, clock, modules) set to manual") < 0
                 ? -1 : 0;
    }
    p2v_strv_free(names, n);
    return rc;
}

/* ---- OpenRC: rc_sys tells every script which keywords to skip ---- */
static int fix_openrc(struct convert_ctx *x)
{
    const char *sys = strcmp(x->cfg->runtime, "lxc") == 0 ? "lxc" : "openvz";
    p2v_autofree char *line = p2v_xasprintf("rc_sys=\"%s\"", sys);
    return ctfs_set_line(&x->fs, "/etc/rc.conf", "rc_sys=", line, true,
                         "OpenRC skips the hardware scripts of a container") < 0 ? -1 : 0;
}

static int fix_selinux(struct convert_ctx *x)
{
    return ctfs_set_line(&x->fs, "/etc/selinux/config", "SELINUX=", "SELINUX=disabled", false,
                         "SELinux cannot run in a container (restriction selinux)") < 0 ? -1 : 0;
}

static int fix_mtab(struct convert_ctx *x)
{
    char *cur = NULL;
    if (ctfs_readlink(&x->fs, "/etc/mtab", &cur) == 0) {
        bool proc = strncmp(cur, "/proc/", 6) == 0 || strncmp(cur, "../proc/", 8) == 0;
        free(cur);
        if (proc)
            return 0;
    }
    return ctfs_symlink(&x->fs, "/etc/mtab", "/proc/mounts",
                        "mtab follows the kernel's mount table") < 0 ? -1 : 0;
}

int convert_fix_disable(struct convert_ctx *x)
{
    if (fix_fstab(x) < 0 || fix_selinux(x) < 0 || fix_mtab(x) < 0)
        return -1;
    switch (x->init) {
    case INIT_SYSTEMD:
        return fix_systemd(x);
    case INIT_SYSVINIT:
        return fix_inittab(x) < 0 || fix_rc_links(x) < 0 ? -1 : 0;
    case INIT_UPSTART:
        return fix_upstart(x) < 0 || fix_rc_links(x) < 0 ? -1 : 0;
    case INIT_OPENRC:
        return fix_openrc(x);
    case INIT_UNKNOWN:
        ctfs_note(&x->fs, "/sbin/init", "init system not recognised: services left as they are");
        return 0;
    }
    return 0;
}

/* The nodes every container needs (vzctl creates console and tty2 at
 * start; the rest must be in the private area). */
int convert_fix_devices(struct convert_ctx *x)
{
    static const struct { const char *path; mode_t mode; unsigned ma, mi; } nodes[] = {
        {"/dev/null", S_IFCHR | 0666, 1, 3},    {"/dev/zero", S_IFCHR | 0666, 1, 5},
        {"/dev/full", S_IFCHR | 0666, 1, 7},    {"/dev/random", S_IFCHR | 0666, 1, 8},
        {"/dev/urandom", S_IFCHR | 0666, 1, 9}, {"/dev/tty", S_IFCHR | 0666, 5, 0},
        {"/dev/console", S_IFCHR | 0600, 5, 1}, {"/dev/ptmx", S_IFCHR | 0666, 5, 2},
    };
    if (ctfs_mkdirs(&x->fs, "/dev/pts", 0755) < 0 || ctfs_mkdirs(&x->fs, "/dev/shm", 01777) < 0)
        return -1;
    for (size_t i = 0; i < P2V_ARRAY_LEN(nodes); i++)
        if (ctfs_mknod(&x->fs, nodes[i].path, nodes[i].mode, makedev(nodes[i].ma, nodes[i].mi),
                       "device node a container needs") < 0)
            return -1;
    static const char *const links[][2] = {{"/dev/fd", "/proc/self/fd"},
                                           {"/dev/stdin", "/proc/self/fd/0"},
                                           {"/dev/stdout", "/proc/self/fd/1"},
                                           {"/dev/stderr", "/proc/self/fd/2"}};
    for (size_t i = 0; i < P2V_ARRAY_LEN(links); i++)
        if (!ctfs_exists(&x->fs, links[i][0]) &&
            ctfs_symlink(&x->fs, links[i][0], links[i][1], "standard /dev link") < 0)
            return -1;
    return 0;
}
