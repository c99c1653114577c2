/* report_json.c: the dry-run report as one JSON document on stdout. */
#include "report.h"
#include "error.h"
#include <arpa/inet.h>

static void kstr_opt(struct p2v_json *j, const char *key, const char *v)
{
    p2v_json_key(j, key);
    p2v_json_str(j, v);
}

static void mounts_json(struct p2v_json *j, const struct inventory *inv)
{
    p2v_json_key(j, "mounts");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < inv->nmounts; i++) {
        const struct inv_mount *m = &inv->mounts[i];
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "target", m->target);
        kstr_opt(j, "source", m->source);
        p2v_json_kstr(j, "fstype", m->fstype);
        p2v_json_kstr(j, "kind", mount_kind_name(m->kind));
        if (m->have_usage) {
            p2v_json_kuint(j, "size", m->size);
            p2v_json_kuint(j, "used", m->used);
            p2v_json_kuint(j, "inodes_used", m->inodes_used);
        }
        if (m->uuid)
            p2v_json_kstr(j, "uuid", m->uuid);
        if (m->label)
            p2v_json_kstr(j, "label", m->label);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
}

static void ifaces_json(struct p2v_json *j, const struct inventory *inv)
{
    p2v_json_key(j, "interfaces");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < inv->nifaces; i++) {
        const struct inv_iface *f = &inv->ifaces[i];
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "name", f->name);
        kstr_opt(j, "mac", f->mac);
        p2v_json_kbool(j, "loopback", f->loopback);
        p2v_json_key(j, "addresses");
        p2v_json_arr_begin(j);
        for (size_t k = 0; k < f->naddrs; k++) {
            p2v_json_obj_begin(j);
            p2v_json_kstr(j, "family", f->addrs[k].family == AF_INET ? "inet" : "inet6");
            p2v_json_kstr(j, "address", f->addrs[k].address);
            p2v_json_kuint(j, "prefix", f->addrs[k].prefix);
            p2v_json_obj_end(j);
        }
        p2v_json_arr_end(j);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
}

static void blockdevs_json(struct p2v_json *j, const struct inventory *inv)
{
    p2v_json_key(j, "block_devices");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < inv->nblockdevs; i++) {
        const struct inv_blockdev *b = &inv->blockdevs[i];
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "name", b->name);
        kstr_opt(j, "path", b->path);
        kstr_opt(j, "dev", b->dev);
        p2v_json_kuint(j, "size", b->size);
        kstr_opt(j, "fstype", b->fstype);
        kstr_opt(j, "uuid", b->uuid);
        p2v_json_kbool(j, "raw", b->is_raw);
        if (b->why_not_raw)
            p2v_json_kstr(j, "not_raw_because", b->why_not_raw);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
}

static void quotas_json(struct p2v_json *j, const struct inventory *inv)
{
    p2v_json_key(j, "quotas");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < inv->nquotas; i++) {
        const struct inv_quota *q = &inv->quotas[i];
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "mountpoint", q->mountpoint);
        p2v_json_kstr(j, "type", q->type);
        kstr_opt(j, "format", q->format);
        p2v_json_kstr(j, "origin", q->origin);
        p2v_json_kuint(j, "ids", q->entries);
        p2v_json_kuint(j, "ids_with_limits", q->limited_ids);
        if (q->error)
            p2v_json_kstr(j, "error", q->error);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
}

static void strv_json(struct p2v_json *j, const char *key, char **v, size_t n)
{
    p2v_json_key(j, key);
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < n; i++)
        p2v_json_str(j, v[i]);
    p2v_json_arr_end(j);
}

static void fstab_json(struct p2v_json *j, const struct inventory *inv)
{
    p2v_json_key(j, "fstab");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < inv->nfstab; i++) {
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "source", inv->fstab[i].source);
        p2v_json_kstr(j, "target", inv->fstab[i].target);
        p2v_json_kstr(j, "fstype", inv->fstab[i].fstype);
        p2v_json_kstr(j, "options", inv->fstab[i].options);
        p2v_json_obj_end(j);
    }
    p2v_json_arr_end(j);
}

void inventory_to_json(struct p2v_json *j, const struct inventory *inv)
{
    p2v_json_obj_begin(j);
    kstr_opt(j, "hostname", inv->hostname);
    kstr_opt(j, "kernel", inv->kernel);
    kstr_opt(j, "arch", inv->machine);
    kstr_opt(j, "userland_arch", inv->userland_arch);
    kstr_opt(j, "agent", inv->agent_software);
    p2v_json_key(j, "os");
    p2v_json_obj_begin(j);
    kstr_opt(j, "id", inv->os.id);
    kstr_opt(j, "version_id", inv->os.version_id);
    kstr_opt(j, "pretty_name", inv->os.pretty);
    kstr_opt(j, "family", inv->os.family);
    kstr_opt(j, "ostemplate", inv->os.ostemplate);
    p2v_json_obj_end(j);
    mounts_json(j, inv);
    strv_json(j, "swaps", inv->swaps, inv->nswaps);
    fstab_json(j, inv);
    p2v_json_key(j, "dns");
    p2v_json_obj_begin(j);
    strv_json(j, "nameservers", inv->nameservers, inv->nnameservers);
    strv_json(j, "search", inv->search, inv->nsearch);
    p2v_json_obj_end(j);
    strv_json(j, "network_config_files", inv->netconf, inv->nnetconf);
    ifaces_json(j, inv);
    blockdevs_json(j, inv);
    quotas_json(j, inv);
    p2v_json_key(j, "selinux");
    p2v_json_obj_begin(j);
    kstr_opt(j, "runtime", inv->selinux_runtime);
    kstr_opt(j, "config", inv->selinux_config);
    p2v_json_obj_end(j);
    strv_json(j, "agent_errors", inv->errors, inv->nerrors);
    p2v_json_obj_end(j);
}

int report_print_json(FILE *out, const char *host, const struct inventory *inv,
                      const struct node_info *node, const struct report *r)
{
    struct p2v_buf b = P2V_BUF_INIT(256u << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, true);
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "host", host);
    p2v_json_kstr(&j, "ctid", node->ctid);
    p2v_json_kbool(&j, "possible", report_possible(r));
    p2v_json_key(&j, "restrictions");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; i < r->n; i++) {
        const struct restriction *x = &r->items[i];
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "id", x->id);
        p2v_json_kstr(&j, "severity", severity_name(x->sev));
        p2v_json_kstr(&j, "message", x->message);
        p2v_json_key(&j, "paths");
        p2v_json_arr_begin(&j);
        for (size_t k = 0; k < x->npaths; k++)
            p2v_json_str(&j, x->paths[k]);
        p2v_json_arr_end(&j);
        p2v_json_key(&j, "details");
        p2v_json_arr_begin(&j);
        for (size_t k = 0; k < x->ndetails; k++)
            p2v_json_str(&j, x->details[k]);
        p2v_json_arr_end(&j);
        p2v_json_obj_end(&j);
    }
    p2v_json_arr_end(&j);
    p2v_json_key(&j, "inventory");
    inventory_to_json(&j, inv);
    p2v_json_key(&j, "node");
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "arch", node->machine);
    p2v_json_kstr(&j, "kernel", node->kernel);
    p2v_json_kstr(&j, "private", node->private_dir);
    p2v_json_kstr(&j, "conf", node->conf_file);
    if (node->space_known)
        p2v_json_kuint(&j, "free_bytes", node->free_bytes);
    p2v_json_obj_end(&j);
    p2v_json_obj_end(&j);
    int rc = p2v_json_finish(&j);
    if (rc == 0 && (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0))
        rc = p2v_error_set_errno(errno, "write the report");
    p2v_buf_release(&b);
    return rc;
}
