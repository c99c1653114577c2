/* p2vcheck.c: show or test p2v properties on a node (vzcptcheck(8) for
 * p2v, see docs/p2vcheck.8).
 *
 *   p2vcheck version [NUM]        protocol version / can this side speak NUM
 *   p2vcheck caps [[CTID] CAPNUM] capability number / can this node or
 *                                 container CTID run where CAPNUM is
 *
 * Showing mode exits 0 or 1; testing mode 0 (possible), 1 (error) or 2
 * (not possible), as vzcptcheck does. */
#include "common.h"
#include "config.h"
#include "cpucaps.h"
#include "elfnote.h"
#include "error.h"
#include "log.h"
#include "proto.h"
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROGNAME "p2vcheck"
#define SYMLINKS_MAX 40
#define DEPTH_MAX 256

struct property {
    const char *name;
    int (*run)(int argc, char **argv); /* argv after the property name */
    const char *synopsis;
    const char *help;
};

static int usage_error(const char *fmt, const char *arg)
{
    p2v_error_set(fmt, arg);
    p2v_error_hint("run `" PROGNAME " help` for usage");
    return -1;
}

/* A decimal number without sign, spaces or overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p) || __builtin_mul_overflow(v, 10u, &v) ||
            __builtin_add_overflow(v, (unsigned)(*p - '0'), &v))
            return false;
    }
    *out = v;
    return true;
}

/* ---- version ---------------------------------------------------------- */

static int run_version(int argc, char **argv)
{
    if (argc == 0) {
        printf("%u\n", P2V_PROTO_VERSION);
        return P2V_EXIT_OK;
    }
    if (argc > 1)
        return usage_error("version takes at most one argument, got `%s` too", argv[1]);
    uint64_t v;
    if (!parse_u64(argv[0], &v))
        return usage_error("invalid protocol version `%s`: want a decimal number", argv[0]);
    if (v < P2V_PROTO_MIN || v > P2V_PROTO_VERSION) {
        p2v_info("protocol version %s rejected: this side speaks %u..%u", argv[0],
                 P2V_PROTO_MIN, P2V_PROTO_VERSION);
        return P2V_EXIT_IMPOSSIBLE;
    }
    return P2V_EXIT_OK;
}

/* ---- files beneath a container's private area -------------------------- */

static int openat2_once(int rootfd, const char *path, uint64_t flags)
{
    struct open_how how = {
        /* openat2 refuses O_PATH with any flag but O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW */
        .flags = flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    for (int tries = 0; tries < 8; tries++) {
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        if (fd >= 0 || errno != EAGAIN)
            return (int)fd;
    }
    return -1;
}

/* Regular files only: opening a device node or FIFO in the tree for
 * reading could block or act on the node's hardware. So look first with
 * O_PATH, then open for reading and make sure it is the same inode. */
static int openat2_in_root(int rootfd, const char *path)
{
    p2v_autoclose int pfd = openat2_once(rootfd, path, O_PATH);
    struct stat st, rst;
    if (pfd < 0 || fstat(pfd, &st) < 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    int fd = openat2_once(rootfd, path, O_RDONLY | O_NONBLOCK);
    if (fd >= 0 && (fstat(fd, &rst) < 0 || rst.st_ino != st.st_ino || rst.st_dev != st.st_dev)) {
        close(fd);
        errno = EAGAIN;
        return -1;
    }
    return fd;
}

/* The same resolution for kernels without openat2 (before 5.6, such as
 * OpenVZ 7's 3.10): walk one component at a time with O_NOFOLLOW, read
 * each symlink and go on from the root (absolute) or the link's directory
 * (relative); ".." never climbs above the root. */
static int walk_in_root(int rootfd, const char *path)
{
    int stack[DEPTH_MAX];
    size_t depth = 0, links = 0;
    struct p2v_buf rest = P2V_BUF_INIT(65536);
    int result = -1, err = ENOENT;
    if (p2v_buf_adds(&rest, path) < 0) {
        err = ENAMETOOLONG;
        goto out;
    }
    for (;;) {
        size_t skip = strspn(rest.data, "/");
        p2v_buf_consume(&rest, skip);
        if (rest.len == 0) {
            err = EISDIR; /* the path names a directory */
            goto out;
        }
        size_t n = strcspn(rest.data, "/");
        char comp[NAME_MAX + 1];
        if (n > NAME_MAX) {
            err = ENAMETOOLONG;
            goto out;
        }
        memcpy(comp, rest.data, n);
        comp[n] = '\0';
        p2v_buf_consume(&rest, n);
        bool last = strspn(rest.data, "/") == rest.len;
        int dir = depth ? stack[depth - 1] : rootfd;
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            if (depth)
                close(stack[--depth]);
            continue;
        }
        int fd = openat(dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
            err = errno;
            if (fd >= 0)
                close(fd);
            goto out;
        }
        if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t tn = readlinkat(fd, "", target, sizeof(target) - 1);
            err = tn < 0 ? errno : ELOOP;
            close(fd);
            if (tn < 0 || ++links > SYMLINKS_MAX)
                goto out;
            target[tn] = '\0';
            if (target[0] == '/')
                while (depth)
                    close(stack[--depth]);
            /* rest = target + "/" + rest */
            struct p2v_buf next = P2V_BUF_INIT(65536);
            if (p2v_buf_adds(&next, target) < 0 || p2v_buf_addc(&next, '/') < 0 ||
                p2v_buf_add(&next, rest.data ? rest.data : "", rest.len) < 0) {
                p2v_buf_release(&next);
                err = ENAMETOOLONG;
                goto out;
            }
            p2v_buf_release(&rest);
            rest = next;
            continue;
        }
        if (last) {
            /* Reopen for reading; O_NOFOLLOW and the inode check refuse a
             * swap made since the O_PATH open. */
            int flags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
            int rfd = S_ISREG(st.st_mode) ? openat(dir, comp, flags) : -1;
            struct stat rst;
            err = S_ISREG(st.st_mode) ? errno : EINVAL;
            close(fd);
            if (rfd >= 0 && (fstat(rfd, &rst) < 0 || rst.st_ino != st.st_ino ||
                             rst.st_dev != st.st_dev)) {
                close(rfd);
                rfd = -1;
                err = EAGAIN;
            }
            result = rfd;
            goto out;
        }
        if (!S_ISDIR(st.st_mode) || depth == DEPTH_MAX) {
            err = S_ISDIR(st.st_mode) ? ENAMETOOLONG : ENOTDIR;
            close(fd);
            goto out;
        }
        stack[depth++] = fd;
    }
out:
    while (depth)
        close(stack[--depth]);
    p2v_buf_release(&rest);
    if (result < 0)
        errno = err;
    return result;
}

/* Open `path` for reading as if rootfd were "/": symlinks inside resolve
 * within it and nothing escapes. */
static int open_in_root(int rootfd, const char *path)
{
    const char *force = getenv("P2V_TEST_NO_OPENAT2");
    if (!force || !*force) {
        int fd = openat2_in_root(rootfd, path);
        if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
            return fd;
    }
    return walk_in_root(rootfd, path);
}

/* Where a userland's architecture shows: its shell first (on multilib
 * systems /lib/libc.so.6 may be the 32-bit compat library), then init and
 * the C library. */
static const char *const userland_probes[] = {
    "/bin/sh",
    "/usr/bin/sh",
    "/sbin/init",
    "/lib64/libc.so.6",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/aarch64-linux-gnu/libc.so.6",
    "/lib/i386-linux-gnu/libc.so.6",
    "/lib/libc.so.6",
    "/usr/lib/libc.so.6",
    "/lib/libc.so",
};

/* The uname machine of the userland beneath rootfd, or NULL (with the error
 * set) when no probe is an ELF file. */
static const char *userland_machine(int rootfd, const char *private_dir, const char **probe)
{
    for (size_t i = 0; i < P2V_ARRAY_LEN(userland_probes); i++) {
        p2v_autoclose int fd = open_in_root(rootfd, userland_probes[i]);
        if (fd < 0) {
            p2v_debug("%s%s: %s", private_dir, userland_probes[i], strerror(errno));
            continue;
        }
        unsigned char hdr[64];
        ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
        unsigned elf_class, e_machine;
        bool big;
        if (n < 0 || elfnote_header_parse(hdr, (size_t)n, &elf_class, &big, &e_machine) < 0) {
            p2v_debug("%s%s: not an ELF file", private_dir, userland_probes[i]);
            continue;
        }
        const char *m = elfnote_machine_name_bo(e_machine, elf_class, big);
        p2v_debug("%s%s: ELF%u machine %u (%s)", private_dir, userland_probes[i], elf_class,
                  e_machine, m ? m : "unknown");
        *probe = userland_probes[i];
        return m ? m : "unknown";
    }
    p2v_error_set("cannot tell the architecture of `%s`: no ELF /bin/sh, /sbin/init or C "
                  "library beneath it",
                  private_dir);
    p2v_error_hint("mount the container's private area (e.g. `vzctl mount CTID`) or check "
                   "VE_PRIVATE in the node config");
    return NULL;
}

/* ---- caps ------------------------------------------------------------- */

static int parse_capnum(const char *s, uint64_t *out)
{
    if (!parse_u64(s, out))
        return usage_error("invalid capability number `%s`: want the decimal number "
                           "`" PROGNAME " caps` prints",
                           s);
    return 0;
}

static int report(uint64_t have, uint64_t target)
{
    struct p2v_buf why = P2V_BUF_INIT(4096);
    bool ok = cpucaps_compatible(have, target, &why);
    if (!ok)
        p2v_info("Insufficient CPU capabilities: %s", why.data ? why.data : "");
    p2v_buf_release(&why);
    return ok ? P2V_EXIT_OK : P2V_EXIT_IMPOSSIBLE;
}

/* What container CTID's software may use: its userland's architecture and
 * this node's CPU features. */
static int container_caps(const char *ctid, uint64_t node, uint64_t *out)
{
    struct p2v_config cfg;
    if (p2v_config_load(&cfg) < 0)
        return -1;
    p2v_autofree char *private_dir = p2v_config_expand(cfg.ve_private, ctid);
    p2v_autofree char *conf = p2v_xasprintf("%s/%s.conf", cfg.vz_conf_dir, ctid);
    p2v_autofree char *cfg_name = p2v_xstrdup(cfg.path ? cfg.path : P2V_CONFIG_DEFAULT);
    p2v_config_release(&cfg);

    struct stat st;
    bool has_conf = stat(conf, &st) == 0;
    p2v_autoclose int rootfd = open(private_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0 && !has_conf) {
        p2v_error_set("container %s does not exist on this node: no `%s` and no `%s`", ctid,
                      conf, private_dir);
        p2v_error_hint("check the CTID, or VZ_CONF_DIR and VE_PRIVATE in `%s`", cfg_name);
        return -1;
    }
    if (rootfd < 0) {
        p2v_error_set_errno(errno, "container %s: cannot open its private area `%s`", ctid,
                            private_dir);
        p2v_error_hint("mount or restore the private area, or fix VE_PRIVATE in `%s`",
                       cfg_name);
        return -1;
    }
    const char *probe = NULL;
    const char *machine = userland_machine(rootfd, private_dir, &probe);
    if (!machine)
        return -1;
    enum cpucaps_arch arch = cpucaps_arch_from_machine(machine);
    if (arch == CPUCAPS_ARCH_UNKNOWN)
        p2v_warn("container %s: %s%s is for `%s`, an architecture p2v does not know; "
                 "comparing CPU features only",
                 ctid, private_dir, probe, machine);
    uint64_t caps = cpucaps_with_arch(node, arch);
    if (arch == CPUCAPS_ARCH_I386) /* 32-bit code uses neither long mode nor the compat entries */
        caps &= ~(UINT64_C(1) << CPUCAPS_BIT_EMT64 | UINT64_C(1) << CPUCAPS_BIT_SYSCALL32 |
                  UINT64_C(1) << CPUCAPS_BIT_SEP32);
    p2v_debug("container %s: %s userland, capability number %" PRIu64, ctid, machine, caps);
    *out = caps;
    return 0;
}

static int run_caps(int argc, char **argv)
{
    if (argc > 2)
        return usage_error("caps takes at most two arguments, got `%s` too", argv[2]);
    uint64_t local = 0, target = 0, have = 0;
    if (argc == 2 && p2v_ctid_check(argv[0]) < 0)
        return -1;
    if (argc >= 1 && parse_capnum(argv[argc - 1], &target) < 0)
        return -1;
    if (cpucaps_local(&local) < 0)
        return -1;
    if (argc == 0) {
        printf("%" PRIu64 "\n", local);
        return P2V_EXIT_OK;
    }
    have = local;
    if (argc == 2 && container_caps(argv[0], local, &have) < 0)
        return -1;
    return report(have, target);
}

/* ---- the table and main ------------------------------------------------ */

static int run_help(int argc, char **argv);

static const struct property properties[] = {
    {"version", run_version, "version [NUM]",
     "print the p2v protocol version, or test whether this side speaks NUM"},
    {"caps", run_caps, "caps [[CTID] CAPNUM]",
     "print this node's CPU capability number, or test whether this node\n"
     "        (or container CTID) can run on a machine with CAPNUM"},
    {"help", run_help, "help", "print this help"},
};

static int run_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("Usage: %s PROPERTY [ARGUMENT...]\n\n"
           "Show a property (no argument) or test it (with arguments), as\n"
           "vzcptcheck(8) does for live migration.\n\n",
           PROGNAME);
    for (size_t i = 0; i < P2V_ARRAY_LEN(properties); i++)
        printf("  %s %s\n        %s\n", PROGNAME, properties[i].synopsis, properties[i].help);
    printf("\nExit status: 0 shown or test passed, 1 error, 2 test failed\n"
           "(migration not possible).\n");
    return P2V_EXIT_OK;
}

int main(int argc, char **argv)
{
    p2v_log_init(PROGNAME, getenv("P2V_DEBUG") ? P2V_LOG_DEBUG : P2V_LOG_INFO);
    if (argc < 2)
        return run_help(0, NULL);
    for (size_t i = 0; i < P2V_ARRAY_LEN(properties); i++) {
        if (strcmp(argv[1], properties[i].name) == 0) {
            int rc = properties[i].run(argc - 2, argv + 2);
            if (rc < 0) {
                p2v_log_error_last();
                return P2V_EXIT_ERROR;
            }
            fflush(stdout);
            return rc;
        }
    }
    usage_error("unknown property `%s`", argv[1]);
    p2v_log_error_last();
    return P2V_EXIT_ERROR;
}
