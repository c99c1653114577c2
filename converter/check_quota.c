/* check_quota.c: quota-partition (seed 003: only one partition's quotas
 * move, and they apply to the whole container; the others are copied
 * without limits). */
#include "restrictions.h"
#include "error.h"

static bool is_local_mount(const struct inventory *inv, const char *mp)
{
    for (size_t i = 0; i < inv->nmounts; i++)
        if (inv->mounts[i].kind == MOUNT_LOCAL && strcmp(inv->mounts[i].target, mp) == 0)
            return true;
    return false;
}

/* Distinct mount points that carry quotas, in first-seen order. */
static size_t candidates(const struct inventory *inv, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < inv->nquotas; i++) {
        const char *mp = inv->quotas[i].mountpoint;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(out[k], mp) == 0;
        if (!seen && n < max)
            out[n++] = mp;
    }
    return n;
}

static void describe(const struct inventory *inv, struct restriction *x, const char *mp,
                     const char *fate)
{
    for (size_t i = 0; i < inv->nquotas; i++) {
        const struct inv_quota *q = &inv->quotas[i];
        if (strcmp(q->mountpoint, mp) != 0)
            continue;
        if (q->error)
            restriction_detail(x, "%s: %s quota (%s) unreadable: %s", mp, q->type, q->origin, q->error);
        else
            restriction_detail(x, "%s: %s quota, %s, %s, %zu ids with limits: %s", mp, q->type,
                               q->format && *q->format ? q->format : "?",
                               strcmp(q->origin, "kernel") == 0 ? "enforced by the kernel" : q->origin,
                               q->limited_ids, fate);
    }
}

int check_quota(const struct inventory *inv, const char *chosen, struct report *r)
{
    const char *cand[64];
    size_t n = candidates(inv, cand, P2V_ARRAY_LEN(cand));
    if (chosen && !is_local_mount(inv, chosen)) {
        struct p2v_buf b = P2V_BUF_INIT(4096);
        for (size_t i = 0; i < inv->nmounts; i++)
            if (inv->mounts[i].kind == MOUNT_LOCAL)
                p2v_buf_printf(&b, "%s%s", b.len ? ", " : "", inv->mounts[i].target);
        p2v_error_set("--quota-partition %s is not a local filesystem of the source", chosen);
        p2v_error_hint("choose one of: %s", b.data ? b.data : "(none)");
        p2v_buf_release(&b);
        return -1;
    }
    if (!chosen && n == 1)
        chosen = cand[0];
    struct restriction *x;
    if (n == 0) {
        x = report_add(r, "quota-partition", SEV_INFO,
                       chosen ? "%s carries no user or group quotas; the container gets no "
                                "per-user limits"
                              : "no filesystem on the source carries user or group quotas%s",
                       chosen ? chosen : "");
        if (chosen)
            restriction_path(x, "%s", chosen);
        return 0;
    }
    if (!chosen) {
        x = report_add(r, "quota-partition", SEV_WARNING,
                       "%zu filesystems carry quotas but a container keeps only one partition's "
                       "limits: choose it with --quota-partition MOUNTPOINT; without it every "
                       "filesystem is copied without quota limits", n);
        for (size_t i = 0; i < n; i++) {
            restriction_path(x, "%s", cand[i]);
            describe(inv, x, cand[i], "copied without limits unless chosen");
        }
        return 0;
    }
    bool has = false;
    for (size_t i = 0; i < n; i++)
        has = has || strcmp(cand[i], chosen) == 0;
    x = report_add(r, "quota-partition", n > 1 || !has ? SEV_WARNING : SEV_INFO,
                   has ? "the user and group limits of %s will apply to the whole container%s"
                       : "%s carries no quotas: the container gets no per-user limits%s",
                   chosen, n > (size_t)has ? "; quotas on the other filesystems are dropped (their "
                                             "files are copied without limits)"
                                           : "");
    restriction_path(x, "%s", chosen);
    describe(inv, x, chosen, "kept for the whole container");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cand[i], chosen) == 0)
            continue;
        restriction_path(x, "%s", cand[i]);
        describe(inv, x, cand[i], "dropped, files copied without limits");
    }
    return 0;
}
