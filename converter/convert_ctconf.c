/* convert_ctconf.c: write VZ_CONF_DIR/CTID.conf for vzctl 4.x
 * (facts/openvz.md): the sample's limits, then what the source says. A
 * rerun keeps the administrator's edits (set --save semantics). */
#include "convert.h"
#include "ctconf.h"
#include "tmpl.h"
#include "error.h"
#include "log.h"
#include "lock.h"
#include "version.h"
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE "ve-vswap-p2v.conf-sample"
#define ORIGIN "vswap-p2v"
#define MARK_FIRST "# p2v: migrated from "
#define MARK_LAST "# p2v: last pass "

static void join(struct p2v_buf *b, char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b->len)
            p2v_buf_addc(b, ' ');
        p2v_buf_adds(b, v[i]);
    }
}

static int set_list(struct ctconf *c, const char *key, char **a, size_t na, char **b, size_t nb)
{
    struct p2v_buf v = P2V_BUF_INIT(1 << 20);
    join(&v, a, na);
    join(&v, b, nb);
    int rc = v.len ? ctconf_set(c, key, v.data) : 0;
    p2v_buf_release(&v);
    return rc;
}

/* KiB with headroom: a fifth more, at least 1 GiB more; hard limit 10% up
 * (vzctl's samples use soft:1.1*soft) */
static void set_disk(struct ctconf *c, uint64_t bytes, uint64_t entries)
{
    uint64_t kib = bytes / 1024 + 1;
    uint64_t soft = kib + (kib / 5 > (1u << 20) ? kib / 5 : (1u << 20));
    char v[64];
    snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)soft,
             (unsigned long long)(soft + soft / 10));
    ctconf_set(c, "DISKSPACE", v);
    uint64_t ino = entries + (entries / 5 > 65536 ? entries / 5 : 65536);
    snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)ino,
             (unsigned long long)(ino + ino / 10));
    ctconf_set(c, "DISKINODES", v);
}

static void stamp(struct ctconf *c, const char *host, bool first)
{
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    p2v_autofree char *last = p2v_xasprintf("p2v: last pass %s from %s by p2vmigrate %s", when,
                                            host, P2V_VERSION);
    for (size_t i = 0; i < c->n; i++)
        if (!c->lines[i].key && strncmp(c->lines[i].text, MARK_LAST, strlen(MARK_LAST)) == 0) {
            free(c->lines[i].text);
            c->lines[i].text = p2v_xasprintf("# %s", last);
            return;
        }
    if (first) {
        p2v_autofree char *m = p2v_xasprintf("p2v: migrated from %s on %s by p2vmigrate %s "
                                             "(these comments are ignored by vzctl)",
                                             host, when, P2V_VERSION);
        ctconf_comment(c, m);
    }
    ctconf_comment(c, last);
}

static size_t quota_ids(const struct convert_ctx *x)
{
    size_t n = 0;
    for (size_t i = 0; i < x->inv->nquotas; i++)
        if (x->o->quota_partition &&
            strcmp(x->inv->quotas[i].mountpoint, x->o->quota_partition) == 0)
            n += x->inv->quotas[i].entries;
    return n;
}

int convert_write_ctconf(struct convert_ctx *x)
{
    const char *path = x->node->conf_file;
    struct p2v_buf text = P2V_BUF_INIT(8u << 20);
    struct ctconf c;
    if (node_mkdirs(x->cfg->vz_conf_dir, 0755, "container config directory") < 0)
        return -1;
    bool first = access(path, F_OK) != 0;
    int rc = -1;
    if (first) {
        if (tmpl_load(SAMPLE, &text) < 0)
            goto out_buf;
    } else {
        if (p2v_buf_read_file(&text, path) < 0)
            goto out_buf;
    }
    if (ctconf_parse(&c, text.data ? text.data : "", text.len) < 0) {
        p2v_error_prefix("`%s`", first ? SAMPLE : path);
        p2v_error_hint("fix that line (vzctl would refuse it too) and run again");
        goto out_buf;
    }
    for (size_t i = 0; i < c.nwarnings; i++)
        p2v_warn("%s: %s", first ? SAMPLE : path, c.warnings[i]);
    const struct net_plan *p = &x->plan;
    stamp(&c, x->o->host, first);
    if (ctconf_set(&c, "VE_ROOT", x->node->ve_root_dir) < 0 ||
        ctconf_set(&c, "VE_PRIVATE", x->node->private_dir) < 0 ||
        ctconf_set(&c, "VE_LAYOUT", "simfs") < 0)
        goto out;
    if (x->inv->os.ostemplate && ctconf_set(&c, "OSTEMPLATE", x->inv->os.ostemplate) < 0)
        p2v_warn("OSTEMPLATE not written: %s", p2v_error_message());
    if (first)
        ctconf_set(&c, "ORIGIN_SAMPLE", ORIGIN);
    set_list(&c, "IP_ADDRESS", p->ipv4, p->nipv4, p->ipv6, p->nipv6);
    if (p->hostname)
        ctconf_set(&c, "HOSTNAME", p->hostname);
    set_list(&c, "NAMESERVER", p->dns, p->ndns, NULL, 0);
    set_list(&c, "SEARCHDOMAIN", p->search, p->nsearch, NULL, 0);
    if (first)
        set_disk(&c, x->o->data_bytes, x->o->data_entries);
    size_t ids = quota_ids(x);
    if (ids) {
        char v[32];
        /* every id with an entry, room for as many new ones, vzctl's usual floor */
        snprintf(v, sizeof(v), "%zu", ids * 2 > 2000 ? ids * 2 : 2000);
        ctconf_set(&c, "QUOTAUGIDLIMIT", v);
        ctconf_set(&c, "DISK_QUOTA", "yes");
    }
    if (x->o->start)
        ctconf_set(&c, "ONBOOT", "yes");
    else
        ctconf_default(&c, "ONBOOT", "no");
    p2v_buf_reset(&text);
    if (ctconf_render(&c, &text) < 0 || node_write_atomic(path, text.data, text.len, 0644) < 0)
        goto out;
    p2v_info("%s %s", first ? "wrote" : "updated", path);
    rc = 0;
out:
    ctconf_release(&c);
out_buf:
    p2v_buf_release(&text);
    return rc;
}
