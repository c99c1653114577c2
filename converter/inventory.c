/* inventory.c: load the facts document and run every interpreter. */
#include "inventory.h"
#include "error.h"
#include "log.h"

static char *dup_or_null(const char *s)
{
    return s ? p2v_xstrdup(s) : NULL;
}

static void load_system(struct inventory *inv)
{
    json_object *f = inv->facts;
    json_object *un = fj_obj(f, "uname");
    inv->kernel = dup_or_null(fj_str(un, "release"));
    inv->machine = dup_or_null(fj_str(un, "machine"));
    inv->hostname = dup_or_null(fj_str(f, "hostname"));
    if (!inv->hostname)
        inv->hostname = dup_or_null(fj_str(un, "nodename"));
    inv->cpu_flags = dup_or_null(fj_str(fj_obj(f, "cpu"), "flags"));
    inv->agent_software = dup_or_null(fj_str(fj_obj(f, "agent"), "software"));
    json_object *errs = fj_arr(f, "errors");
    size_t n = fj_len(errs);
    inv->errors = p2v_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        json_object *e = fj_at(errs, i);
        const char *what = fj_str(e, "what"), *err = fj_str(e, "error");
        if (what && err)
            inv->errors[inv->nerrors++] = p2v_xasprintf("%s: %s", what, err);
    }
}

int inventory_load(struct inventory *inv, const char *text, size_t len)
{
    memset(inv, 0, sizeof(*inv));
    if (factsdoc_parse(text, len, &inv->facts) < 0)
        return -1;
    int64_t schema = fj_int(inv->facts, "schema", 0);
    if (schema != 1) {
        inventory_release(inv);
        p2v_error_set("the agent's facts use schema %lld; this p2vmigrate reads schema 1",
                      (long long)schema);
        p2v_error_hint("use an agent from the same p2v release (the default upload does)");
        return -1;
    }
    load_system(inv);
    if (fj_obj(inv->facts, "windows")) {
        if (inv_windows_load(inv) < 0 || inv_net_load(inv) < 0) {
            inventory_release(inv);
            return -1;
        }
        return 0;
    }
    if (inv_mounts_load(inv) < 0 || inv_os_load(inv) < 0 || inv_net_load(inv) < 0 ||
        inv_block_load(inv) < 0 || inv_quota_load(inv) < 0 || inv_security_load(inv) < 0 ||
        inv_elf_load(inv) < 0 || inv_system_load(inv) < 0) {
        inventory_release(inv);
        return -1;
    }
    return 0;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void inventory_release(struct inventory *inv)
{
    json_object_put(inv->facts);
    free(inv->hostname);
    free(inv->kernel);
    free(inv->machine);
    free(inv->cpu_flags);
    free(inv->agent_software);
    free(inv->os.id);
    free(inv->os.version_id);
    free(inv->os.pretty);
    free(inv->os.family);
    free(inv->os.ostemplate);
    free(inv->windows.product_type);
    free(inv->windows.product_name);
    free(inv->windows.service_pack);
    for (size_t i = 0; i < inv->nmounts; i++) {
        struct inv_mount *m = &inv->mounts[i];
        free(m->target);
        free(m->source);
        free(m->fstype);
        free(m->options);
        free(m->root);
        free(m->uuid);
        free(m->label);
    }
    free(inv->mounts);
    free_strv(inv->swaps, inv->nswaps);
    for (size_t i = 0; i < inv->nifaces; i++) {
        struct inv_iface *f = &inv->ifaces[i];
        for (size_t k = 0; k < f->naddrs; k++)
            free(f->addrs[k].address);
        free(f->addrs);
        free(f->name);
        free(f->mac);
    }
    free(inv->ifaces);
    for (size_t i = 0; i < inv->nblockdevs; i++) {
        struct inv_blockdev *b = &inv->blockdevs[i];
        free(b->name);
        free(b->path);
        free(b->dev);
        free(b->fstype);
        free(b->uuid);
        free(b->label);
        free(b->pttype);
        free(b->why_not_raw);
    }
    free(inv->blockdevs);
    for (size_t i = 0; i < inv->nquotas; i++) {
        struct inv_quota *q = &inv->quotas[i];
        free(q->mountpoint);
        free(q->device);
        free(q->fstype);
        free(q->type);
        free(q->format);
        free(q->origin);
        free(q->error);
        free(q->limits);
    }
    free(inv->quotas);
    free(inv->selinux_runtime);
    free(inv->selinux_config);
    for (size_t i = 0; i < inv->nxattr_ns; i++) {
        free(inv->xattr_ns[i].name);
        free_strv(inv->xattr_ns[i].samples, inv->xattr_ns[i].nsamples);
    }
    free(inv->xattr_ns);
    for (size_t i = 0; i < inv->nmacs; i++) {
        free(inv->macs[i].path);
        free(inv->macs[i].mac);
        free(inv->macs[i].iface);
    }
    free(inv->macs);
    free(inv->abi_from);
    free(inv->userland_arch);
    free_strv(inv->nameservers, inv->nnameservers);
    free_strv(inv->search, inv->nsearch);
    for (size_t i = 0; i < inv->nfstab; i++) {
        free(inv->fstab[i].source);
        free(inv->fstab[i].target);
        free(inv->fstab[i].fstype);
        free(inv->fstab[i].options);
    }
    free(inv->fstab);
    free_strv(inv->netconf, inv->nnetconf);
    free_strv(inv->errors, inv->nerrors);
    memset(inv, 0, sizeof(*inv));
}
