/* runtime.c: the runtime drivers (runtime.h). */
#include "runtime.h"
#include "error.h"
#include "tmpl.h"
#include "log.h"
#include "lock.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LXC_COMMON "/usr/share/lxc/config/common.conf"

static int none_prepare(struct convert_ctx *x)
{
    (void)x;
    return 0;
}

static char *vzctl_start(const struct convert_ctx *x)
{
    return p2v_xasprintf("vzctl start %s", x->o->ctid);
}

static char *lxc_start(const struct convert_ctx *x)
{
    return p2v_xasprintf("lxc-start -P %s -n %s", x->cfg->lxc_path, x->o->ctid);
}

static char *none_start(const struct convert_ctx *x)
{
    (void)x;
    return NULL;
}

static bool path_ok(const char *p)
{
    for (; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* A MAC per container: locally administered, from the CTID (both ends of
 * the pair use it; it only has to be unique on that link). */
static void ct_mac(const char *ctid, char out[18])
{
    unsigned long v = strtoul(ctid, NULL, 10);
    snprintf(out, 18, "02:50:%02lx:%02lx:%02lx:%02lx", (v >> 24) & 0xff, (v >> 16) & 0xff,
             (v >> 8) & 0xff, v & 0xff);
}

static int lxc_prepare(struct convert_ctx *x)
{
    const struct p2v_config *cfg = x->cfg;
    if (!path_ok(cfg->lxc_path) || !path_ok(x->node->private_dir))
        return p2v_error_set("LXC_PATH or VE_PRIVATE holds a control character");
    p2v_autofree char *dir = p2v_xasprintf("%s/%s", cfg->lxc_path, x->o->ctid);
    if (node_mkdirs(cfg->lxc_path, 0755, "LXC_PATH directory") < 0)
        return -1;
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        return p2v_error_set_errno(errno, "create `%s`", dir);
    if (access(LXC_COMMON, R_OK) < 0)
        p2v_warn("%s is missing: install lxc on this node before starting the container",
                 LXC_COMMON);
    struct p2v_buf hook = P2V_BUF_INIT(1 << 20);
    p2v_autofree char *hook_path = p2v_xasprintf("%s/venet-up", dir);
    int rc = tmpl_load("lxc/venet-up", &hook);
    if (rc == 0)
        rc = node_write_atomic(hook_path, hook.data, hook.len, 0755);
    p2v_buf_release(&hook);
    if (rc < 0)
        return -1;
    char mac[18];
    ct_mac(x->o->ctid, mac);
    struct p2v_buf b = P2V_BUF_INIT(1 << 20);
    p2v_buf_printf(&b,
                   "# Container %s, migrated from %s by p2vmigrate. The OpenVZ view of it is\n"
                   "# %s; this file lets LXC boot the same private area.\n"
                   "lxc.include = " LXC_COMMON "\n"
                   "lxc.rootfs.path = dir:%s\n"
                   "lxc.uts.name = %s\n"
                   "lxc.start.auto = %d\n"
                   "lxc.hook.version = 1\n"
                   "# venet0: routed, no ARP (veth router mode; both ends NOARP)\n"
                   "lxc.net.0.type = veth\n"
                   "lxc.net.0.veth.mode = router\n"
                   "lxc.net.0.veth.pair = veth%s\n"
                   "lxc.net.0.name = venet0\n"
                   "lxc.net.0.flags = up\n"
                   "lxc.net.0.hwaddr = %s\n"
                   "lxc.net.0.script.up = %s\n",
                   x->o->ctid, x->o->host, x->node->conf_file, x->node->private_dir,
                   x->plan.hostname ? x->plan.hostname : x->o->ctid, x->o->start ? 1 : 0,
                   x->o->ctid, mac, hook_path);
    for (size_t i = 0; i < x->plan.nipv4; i++)
        p2v_buf_printf(&b, "lxc.net.0.ipv4.address = %s/32\n", x->plan.ipv4[i]);
    if (x->plan.nipv4)
        p2v_buf_adds(&b, "lxc.net.0.ipv4.gateway = dev\n");
    for (size_t i = 0; i < x->plan.nipv6; i++)
        p2v_buf_printf(&b, "lxc.net.0.ipv6.address = %s/128\n", x->plan.ipv6[i]);
    if (x->plan.nipv6)
        p2v_buf_adds(&b, "lxc.net.0.ipv6.gateway = dev\n");
    rc = node_write_atomic(x->node->lxc_config, b.data, b.len, 0644);
    p2v_buf_release(&b);
    if (rc == 0)
        p2v_info("wrote %s", x->node->lxc_config);
    return rc;
}

static const struct runtime runtimes[] = {
    {"vzctl", none_prepare, vzctl_start},
    {"lxc", lxc_prepare, lxc_start},
    {"none", none_prepare, none_start},
};

const struct runtime *runtime_find(const char *name)
{
    for (size_t i = 0; i < P2V_ARRAY_LEN(runtimes); i++)
        if (strcmp(runtimes[i].name, name) == 0)
            return &runtimes[i];
    return NULL;
}

int runtime_start(const struct runtime *rt, const struct convert_ctx *x)
{
    if (strcmp(rt->name, "none") == 0)
        return p2v_error_set("RUNTIME=none: p2vmigrate cannot start the container");
    const char *argv_vz[] = {"vzctl", "start", x->o->ctid, NULL};
    const char *argv_lxc[] = {"lxc-start", "-P", x->cfg->lxc_path, "-n", x->o->ctid, NULL};
    const char *const *argv = strcmp(rt->name, "lxc") == 0 ? argv_lxc : argv_vz;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return p2v_error_set_errno(errno, "fork");
    if (pid == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "p2vmigrate: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return p2v_error_set_errno(errno, "wait for %s", argv[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        p2v_autofree char *cmd = rt->start_command(x);
        p2v_error_set("`%s` failed (%s %d)", cmd, WIFEXITED(status) ? "exit" : "signal",
                      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        p2v_error_hint("the conversion is done: look at the runtime's log, fix, and start the "
                       "container by hand");
        return -1;
    }
    return 0;
}
