/* convert_firstboot.c: the step that runs inside the container at its
 * first start (templates/firstboot/): the quota limits of the partition
 * chosen with --quota-partition (seed 003: they apply to the whole
 * container) and the administrator's VZ_CONF_DIR/p2v.configure. Installed
 * only when there is something to do. */
#include "convert.h"
#include "error.h"
#include "tmpl.h"
#include "log.h"

#define FB_DIR "/etc/p2v"

static const struct inv_quota *chosen(const struct convert_ctx *x, const char *type)
{
    if (!x->o->quota_partition)
        return NULL;
    for (size_t i = 0; i < x->inv->nquotas; i++) {
        const struct inv_quota *q = &x->inv->quotas[i];
        if (strcmp(q->mountpoint, x->o->quota_partition) == 0 && strcmp(q->type, type) == 0)
            return q;
    }
    return NULL;
}

static int write_limits(struct convert_ctx *x, const char *type)
{
    const struct inv_quota *q = chosen(x, type);
    if (!q || !q->limited_ids)
        return 0;
    struct p2v_buf b = P2V_BUF_INIT(64u << 20);
    p2v_buf_printf(&b, "# %s quotas of %s on the source (1 KiB blocks), applied to / by "
                       "p2v-firstboot\n", type, q->mountpoint);
    for (size_t i = 0; i < q->limited_ids; i++) {
        const struct inv_quota_limit *l = &q->limits[i];
        if (p2v_buf_printf(&b, "%u %llu %llu %llu %llu\n", l->id, (unsigned long long)l->bsoft,
                           (unsigned long long)l->bhard, (unsigned long long)l->isoft,
                           (unsigned long long)l->ihard) < 0)
            break;
    }
    p2v_autofree char *path = p2v_xasprintf(FB_DIR "/quota.%s", type);
    p2v_autofree char *why = p2v_xasprintf("%zu %s limits of %s, set at the first start",
                                           q->limited_ids, type, q->mountpoint);
    int rc = ctfs_write(&x->fs, path, b.data, b.len, 0600, why);
    p2v_buf_release(&b);
    if (rc >= 0)
        x->firstboot_quota = true;
    return rc < 0 ? -1 : 0;
}

static void report_other_quotas(struct convert_ctx *x)
{
    for (size_t i = 0; i < x->inv->nquotas; i++) {
        const struct inv_quota *q = &x->inv->quotas[i];
        if (x->o->quota_partition && strcmp(q->mountpoint, x->o->quota_partition) == 0)
            continue;
        struct restriction *r = report_add(
            x->report, "quota-partition", SEV_INFO,
            "%s quotas of %s (%zu ids with limits) were not carried: only the partition chosen "
            "with --quota-partition%s keeps its limits, for the whole container",
            q->type, q->mountpoint, q->limited_ids,
            x->o->quota_partition ? "" : " (none was chosen)");
        restriction_path(r, "%s", q->mountpoint);
    }
}

static int copy_configure(struct convert_ctx *x)
{
    p2v_autofree char *hook = p2v_xasprintf("%s/p2v.configure", x->cfg->vz_conf_dir);
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX);
    int rc = p2v_buf_read_file(&b, hook);
    if (rc < 0 && errno == ENOENT) {
        p2v_buf_release(&b);
        return 0;   /* no hook */
    }
    if (rc == 0)
        rc = ctfs_write(&x->fs, FB_DIR "/p2v.configure", b.data, b.len, 0700,
                        "the node's p2v.configure, run at the first start") < 0 ? -1 : 0;
    p2v_buf_release(&b);
    if (rc == 0)
        x->firstboot_configure = true;
    return rc < 0 ? p2v_error_prefix("%s", hook) : 0;
}

static int install_template(struct convert_ctx *x, const char *tmpl, const char *path,
                            mode_t mode, const char *why)
{
    struct p2v_buf b = P2V_BUF_INIT(1 << 20);
    int rc = tmpl_load(tmpl, &b);
    if (rc == 0)
        rc = ctfs_write(&x->fs, path, b.data, b.len, mode, why) < 0 ? -1 : 0;
    p2v_buf_release(&b);
    return rc;
}

static int hook_into_init(struct convert_ctx *x)
{
    const char *why = "runs p2v-firstboot once at the first start";
    switch (x->init) {
    case INIT_SYSTEMD:
        if (install_template(x, "firstboot/p2v-firstboot.service",
                             "/etc/systemd/system/p2v-firstboot.service", 0644, why) < 0)
            return -1;
        return ctfs_symlink(&x->fs,
                            "/etc/systemd/system/multi-user.target.wants/p2v-firstboot.service",
                            "/etc/systemd/system/p2v-firstboot.service", why) < 0 ? -1 : 0;
    case INIT_OPENRC:
        return install_template(x, "firstboot/p2v-firstboot.sysv",
                                "/etc/local.d/p2v-firstboot.start", 0755, why);
    case INIT_SYSVINIT:
    case INIT_UPSTART: {
        if (install_template(x, "firstboot/p2v-firstboot.sysv", "/etc/init.d/p2v-firstboot",
                             0755, why) < 0)
            return -1;
        static const char *const rc[] = {"/etc/rc2.d/S99p2v-firstboot",
                                         "/etc/rc3.d/S99p2v-firstboot",
                                         "/etc/rc5.d/S99p2v-firstboot"};
        for (size_t i = 0; i < P2V_ARRAY_LEN(rc); i++)
            if (ctfs_symlink(&x->fs, rc[i], "../init.d/p2v-firstboot", why) < 0)
                return -1;
        return 0;
    }
    case INIT_UNKNOWN:
        break;
    }
    ctfs_note(&x->fs, FB_DIR "/p2v-firstboot", "unknown init system: run it by hand at the "
                                              "first start");
    return 0;
}

int convert_firstboot(struct convert_ctx *x)
{
    report_other_quotas(x);
    if (!x->hook_converted && (write_limits(x, "user") < 0 || write_limits(x, "group") < 0))
        return -1;
    if (copy_configure(x) < 0)
        return -1;
    if (!x->firstboot_quota && !x->firstboot_configure)
        return 0;
    if (install_template(x, "firstboot/p2v-firstboot.sh", FB_DIR "/p2v-firstboot", 0755,
                         "first-boot step: quotas and p2v.configure") < 0)
        return -1;
    return hook_into_init(x);
}
