/* convert.c: the conversion after a copy (convert.h): hooks, fixups,
 * first boot, CTID.conf, the runtime's config, and the report of what was
 * done for every restriction. */
#include "convert.h"
#include "error.h"
#include "log.h"
#include "lock.h"
#include "progress.h"
#include "runtime.h"
#include <fcntl.h>
#include <unistd.h>

static size_t count_changes(const struct ctfs *fs, size_t from, size_t to, const char *prefix,
                            const char *what)
{
    size_t n = 0;
    for (size_t i = from; i < to && i < fs->nchanges; i++)
        if (strncmp(fs->changes[i].path, prefix, strlen(prefix)) == 0 &&
            (!what || strncmp(fs->changes[i].what, what, strlen(what)) == 0))
            n++;
    return n;
}

/* The restriction ids of the dry run, now saying what was done. */
static void report_done(struct convert_ctx *x)
{
    struct report *r = x->report;
    const struct net_plan *p = &x->plan;
    if (x->hook_converted) {
        report_add(r, "ips-to-venet0", SEV_INFO, "p2v.convert converted the tree: addresses "
                   "are in CTID.conf (%zu IPv4, %zu IPv6); the network files are the hook's",
                   p->nipv4, p->nipv6);
    } else {
        report_add(r, "ips-to-venet0", p->nipv4 + p->nipv6 ? SEV_INFO : SEV_WARNING,
                   "%zu IPv4 and %zu IPv6 addresses moved to venet0 (CTID.conf IP_ADDRESS and "
                   "the container's network files); %zu network files disabled",
                   p->nipv4, p->nipv6,
                   count_changes(&x->fs, x->net_from, x->net_to, "/", "disabled"));
    }
    if (x->inv->selinux_config && strcmp(x->inv->selinux_config, "disabled") != 0)
        report_add(r, "selinux", SEV_INFO, "SELINUX=disabled written to /etc/selinux/config "
                   "(was %s); security.selinux labels were dropped in the copy",
                   x->inv->selinux_config);
    size_t local = 0;
    for (size_t i = 0; i < x->inv->nmounts; i++)
        local += x->inv->mounts[i].kind == MOUNT_LOCAL;
    if (local > 1)
        report_add(r, "filesystems-merged", SEV_INFO, "%zu local filesystems are one tree in "
                   "the private area; their mount lines are commented in /etc/fstab", local);
    for (size_t i = 0; i < x->inv->nmacs; i++) {
        struct restriction *m = report_add(
            r, "mac-bound", SEV_WARNING, "%s names the MAC address %s (%s): venet0 has no MAC, "
            "so whatever checks it (a licence) will fail in the container; get a licence that "
            "is not bound to hardware", x->inv->macs[i].path, x->inv->macs[i].mac,
            x->inv->macs[i].iface ? x->inv->macs[i].iface : "a NIC");
        restriction_path(m, "%s", x->inv->macs[i].path);
    }
    size_t fstab = count_changes(&x->fs, 0, SIZE_MAX, "/etc/fstab", NULL);
    if (fstab)
        report_add(r, "raw-devices", SEV_INFO, "disk, swap and network lines of /etc/fstab "
                   "commented out (#mig#); the node mounts the container's filesystem");
    for (size_t i = 0; i < x->inv->nquotas && x->o->quota_partition; i++) {
        const struct inv_quota *q = &x->inv->quotas[i];
        if (strcmp(q->mountpoint, x->o->quota_partition) != 0)
            continue;
        report_add(r, "quota-partition", SEV_INFO, "%zu %s limits of %s carried: CTID.conf "
                   "QUOTAUGIDLIMIT, set inside at the first start (/etc/p2v/quota.%s)%s",
                   q->limited_ids, q->type, q->mountpoint, q->type,
                   x->hook_converted ? " -- skipped: p2v.convert converted the tree" : "");
    }
}

static char *changes_path(const struct p2v_config *cfg, const char *ctid)
{
    return p2v_xasprintf("%s/%s.changes", cfg->state_dir, ctid);
}

/* The change list, also on failure: the next pass reverts from it. It is
 * appended to: a conversion over a tree that was not reverted first adds
 * its own changes after the earlier ones, and the revert undoes all. */
static void save_changes(struct convert_ctx *x)
{
    p2v_autofree char *path = changes_path(x->cfg, x->o->ctid);
    FILE *f = NULL;
    if (state_dir_ensure(x->cfg) == 0)
        f = fopen(path, "ae");
    if (!f) {
        p2v_warn("cannot record the conversion's changes in %s: %s (the next pass re-sends "
                 "the converted files)", path, strerror(errno));
        return;
    }
    for (size_t i = 0; i < x->fs.nchanges; i++) {
        const struct ctfs_change *c = &x->fs.changes[i];
        /* paths are ours, but names listed from the tree may hold a tab or newline */
        if (strpbrk(c->path, "\t\n"))
            continue;
        fprintf(f, "%s\t%s\t", c->path, c->what);
        for (const char *w = c->why; *w; w++)
            fputc(*w == '\n' || *w == '\t' ? ' ' : *w, f);
        fputc('\n', f);
    }
    fclose(f);
}

static void print_changes(struct convert_ctx *x)
{
    for (size_t i = 0; i < x->fs.nchanges; i++) {
        const struct ctfs_change *c = &x->fs.changes[i];
        if (strcmp(c->what, "created") == 0 && strcmp(c->why, "directory") == 0)
            continue;
        p2v_info("  %s: %s%s%s", c->path, c->what, c->why[0] ? " -- " : "", c->why);
    }
    p2v_autofree char *path = changes_path(x->cfg, x->o->ctid);
    p2v_info("the list of changes is in %s (each edited file keeps its original as "
             "NAME%s or DIR/%s/NAME)", path, CTFS_BACKUP_SUFFIX, CTFS_BACKUP_DIR);
}

int convert_revert(const struct p2v_config *cfg, const char *ctid, const char *private_dir)
{
    p2v_autofree char *path = changes_path(cfg, ctid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char **lines = NULL;
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        line[strcspn(line, "\n")] = '\0';
        lines = p2v_xrealloc(lines, (n + 1) * sizeof(*lines));
        lines[n++] = p2v_xstrdup(line);
    }
    free(line);
    fclose(f);
    struct ctfs fs;
    int rc = 0;
    if (ctfs_open(&fs, private_dir) < 0) {
        rc = -1;
        goto out;
    }
    size_t undone = 0;
    for (size_t i = n; i-- > 0 && rc == 0;) {
        char *tab = strchr(lines[i], '\t');
        if (!tab || lines[i][0] != '/')
            continue;
        *tab = '\0';
        const char *what = tab + 1;
        int r = 1;
        if (strncmp(what, "rewritten", 9) == 0 || strncmp(what, "replaced", 8) == 0)
            r = ctfs_restore(&fs, lines[i]);
        else if (strncmp(what, "created", 7) == 0)
            r = ctfs_remove_created(&fs, lines[i]);
        else if (strncmp(what, "disabled", 8) == 0)
            r = ctfs_enable(&fs, lines[i]);
        if (r < 0)
            rc = -1;
        else if (r == 0)
            undone++;
    }
    ctfs_close(&fs);
    if (rc == 0) {
        unlink(path);
        p2v_info("put the source's own versions of %zu converted files back for the sync "
                 "(the conversion runs again after it)", undone);
    }
out:
    p2v_strv_free(lines, n);
    return rc;
}

static void print_done(const struct report *r)
{
    for (size_t i = 0; i < r->n; i++)
        p2v_info("%s %s: %s", r->items[i].sev == SEV_WARNING ? "warning" : "done",
                 r->items[i].id, r->items[i].message);
}

static void print_finish(const struct convert_ctx *x, const struct runtime *rt)
{
    p2v_autofree char *start = rt->start_command(x);
    p2v_info("container %s is converted and stopped: %s still runs and holds its addresses.",
             x->o->ctid, x->o->host);
    p2v_info("to finish the migration:");
    p2v_info("  1. stop the services on %s that change data", x->o->host);
    p2v_info("  2. run `p2vmigrate %s %s` again: the final pass sends only the changes",
             x->o->host, x->o->ctid);
    p2v_info("  3. shut %s down (or take its addresses down)", x->o->host);
    if (start)
        p2v_info("  4. start the container: %s", start);
    else
        p2v_info("  4. start the container with your runtime (RUNTIME=none)");
}

int convert_run(const struct convert_opts *o, const struct inventory *inv,
                const struct node_info *node, const struct p2v_config *cfg, struct report *r)
{
    const struct runtime *rt = runtime_find(cfg->runtime);
    if (!rt)
        return p2v_error_set("RUNTIME=%s in %s: not one of vzctl, lxc, none", cfg->runtime,
                             cfg->path ? cfg->path : "the defaults");
    struct convert_ctx x = {.o = o, .inv = inv, .node = node, .cfg = cfg, .report = r};
    if (ctfs_open(&x.fs, node->private_dir) < 0)
        return -1;
    int rc = -1;
    p2v_progress_stage("convert");
    if (net_plan_build(&x.plan, inv) < 0)
        goto out;
    x.init = convert_detect_init(&x.fs);
    p2v_info("converting %s: %s, init %s", node->private_dir,
             inv->os.pretty ? inv->os.pretty : "unknown system", init_kind_name(x.init));
    if (convert_hook_convert(&x) < 0)
        goto out;
    if (!x.hook_converted) {
        x.net_from = x.fs.nchanges;
        int n = netcfg_apply(&x.fs, &x.plan, inv->os.family ? inv->os.family : "");
        x.net_to = x.fs.nchanges;
        if (n < 0) {
            p2v_error_prefix("network configuration for venet0");
            goto out;
        }
        if (n == 1)
            report_add(r, "ips-to-venet0", SEV_WARNING, "no network configuration the "
                       "converter knows was found: configure venet0 inside the container by "
                       "hand (addresses are in CTID.conf)");
        if (convert_fix_system(&x) < 0 || convert_fix_disable(&x) < 0 ||
            convert_fix_devices(&x) < 0)
            goto out;
    }
    if (convert_firstboot(&x) < 0 || convert_write_ctconf(&x) < 0 || rt->prepare(&x) < 0)
        goto out;
    report_done(&x);
    save_changes(&x);
    if (o->changes_out) {
        *o->changes_out = 0;
        for (size_t i = 0; i < x.fs.nchanges; i++)
            if (strcmp(x.fs.changes[i].what, "note") != 0 &&
                strcmp(x.fs.changes[i].why, "directory") != 0)
                (*o->changes_out)++;
    }
    print_changes(&x);
    if (o->start) {
        p2v_autofree char *cmd = rt->start_command(&x);
        print_done(r);
        p2v_info("starting the container: %s", cmd ? cmd : "(none)");
        if (runtime_start(rt, &x) < 0)
            goto out;
    } else {
        print_done(r);
        print_finish(&x, rt);
    }
    rc = 0;
out:
    if (rc < 0)
        save_changes(&x);
    net_plan_release(&x.plan);
    ctfs_close(&x.fs);
    return rc;
}
