/* inv_quota.c: which filesystems carry user/group quotas, from the
 * kernel (quotactl, when enforcing) or from the quota files themselves
 * (parsed here with quota_file.c when the kernel is not enforcing). */
#include "inventory.h"
#include "quota_file.h"
#include "error.h"

static char *dup_or(const char *s, const char *def)
{
    return p2v_xstrdup(s ? s : def);
}

static struct inv_quota *add(struct inventory *inv)
{
    inv->quotas = p2v_xrealloc(inv->quotas, (inv->nquotas + 1) * sizeof(*inv->quotas));
    struct inv_quota *q = &inv->quotas[inv->nquotas++];
    memset(q, 0, sizeof(*q));
    return q;
}

static bool has_limit(uint64_t bs, uint64_t bh, uint64_t is, uint64_t ih)
{
    return bs || bh || is || ih;
}

static void keep_limit(struct inv_quota *q, uint32_t id, uint64_t bs, uint64_t bh, uint64_t is,
                       uint64_t ih)
{
    q->limits = p2v_xrealloc(q->limits, (q->limited_ids + 1) * sizeof(*q->limits));
    q->limits[q->limited_ids++] = (struct inv_quota_limit){id, bs, bh, is, ih};
}

static void from_kernel(struct inventory *inv)
{
    json_object *qs = fj_arr(inv->facts, "quotas");
    for (size_t i = 0; i < fj_len(qs); i++) {
        json_object *o = fj_at(qs, i);
        if (!fj_str(o, "mountpoint"))
            continue;
        struct inv_quota *q = add(inv);
        q->mountpoint = p2v_xstrdup(fj_str(o, "mountpoint"));
        q->device = dup_or(fj_str(o, "device"), "");
        q->fstype = dup_or(fj_str(o, "fstype"), "");
        q->type = dup_or(fj_str(o, "type"), "user");
        q->format = dup_or(fj_str(o, "format"), "");
        q->origin = p2v_xstrdup("kernel");
        json_object *es = fj_arr(o, "entries");
        q->entries = fj_len(es);
        for (size_t k = 0; k < q->entries; k++) {
            json_object *e = fj_at(es, k);
            uint64_t bs = (uint64_t)fj_int(e, "bsoft", 0), bh = (uint64_t)fj_int(e, "bhard", 0);
            uint64_t is = (uint64_t)fj_int(e, "isoft", 0), ih = (uint64_t)fj_int(e, "ihard", 0);
            int64_t id = fj_int(e, "id", -1);
            if (id >= 0 && id <= UINT32_MAX && has_limit(bs, bh, is, ih))
                keep_limit(q, (uint32_t)id, bs, bh, is, ih);
        }
    }
}

static bool known(const struct inventory *inv, const char *mp, const char *type)
{
    for (size_t i = 0; i < inv->nquotas; i++)
        if (strcmp(inv->quotas[i].mountpoint, mp) == 0 && strcmp(inv->quotas[i].type, type) == 0)
            return true;
    return false;
}

static void from_files(struct inventory *inv)
{
    json_object *fs = fj_arr(inv->facts, "quota_files");
    for (size_t i = 0; i < fj_len(fs); i++) {
        json_object *o = fj_at(fs, i);
        const char *mp = fj_str(o, "mountpoint"), *type = fj_str(o, "type");
        if (!mp || !type || known(inv, mp, type))
            continue;
        struct inv_quota *q = add(inv);
        q->mountpoint = p2v_xstrdup(mp);
        q->type = p2v_xstrdup(type);
        q->device = p2v_xstrdup("");
        q->fstype = p2v_xstrdup("");
        q->origin = p2v_xasprintf("file %s", fj_str(o, "path") ? fj_str(o, "path") : "?");
        struct p2v_buf data = P2V_BUF_INIT(64u << 20);
        struct quota_table t;
        if (fj_blob(o, &data) < 0 || quota_file_parse(data.data, data.len, &t) < 0) {
            q->format = p2v_xstrdup("unreadable");
            q->error = p2v_xstrdup(p2v_error_message());
        } else {
            q->format = p2v_xstrdup(t.format);
            q->entries = t.count;
            for (size_t k = 0; k < t.count; k++) {
                struct quota_entry *e = &t.entries[k];
                if (has_limit(e->bsoft, e->bhard, e->isoft, e->ihard))
                    keep_limit(q, e->id, e->bsoft, e->bhard, e->isoft, e->ihard);
            }
            quota_table_release(&t);
        }
        p2v_buf_release(&data);
    }
}

int inv_quota_load(struct inventory *inv)
{
    from_kernel(inv);
    from_files(inv);
    return 0;
}
