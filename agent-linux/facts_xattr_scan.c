/* facts_xattr_scan.c: which extended-attribute namespaces the source's
 * local filesystems use, and where.
 *
 * The node needs this to warn about what a container cannot keep
 * (security.selinux labels, trusted.*, file capabilities) and to check
 * the destination filesystem supports user xattrs and ACLs. Every mount
 * whose source is a block device path is walked once without crossing
 * into other mounts; each entry's names are listed without following
 * symlinks. A file counts once per namespace, however many names it has
 * there. Bounded to 2,000,000 entries or 300 seconds. */
#include "facts.h"
#include "facts_walk.h"
#include "error.h"
#include <linux/limits.h>
#include <sys/xattr.h>

#define SCAN_ENTRIES_MAX 2000000u
#define SCAN_SECONDS_MAX 300u
#define SAMPLES_MAX 20

enum ns {
    NS_USER, NS_TRUSTED, NS_SELINUX, NS_CAPABILITY, NS_SECURITY_OTHER,
    NS_ACL_ACCESS, NS_ACL_DEFAULT, NS_OTHER, NS_COUNT
};

static const char *const ns_names[NS_COUNT] = {
    "user", "trusted", "security.selinux", "security.capability", "security.other",
    "system.posix_acl_access", "system.posix_acl_default", "other",
};

struct scan {
    uint64_t count[NS_COUNT];
    char *samples[NS_COUNT][SAMPLES_MAX];
    size_t prefix;          /* length of opt->root, cut from sample paths */
    char list[XATTR_LIST_MAX];
};

static enum ns classify(const char *name)
{
    if (strncmp(name, "user.", 5) == 0)
        return NS_USER;
    if (strncmp(name, "trusted.", 8) == 0)
        return NS_TRUSTED;
    if (strcmp(name, "security.selinux") == 0)
        return NS_SELINUX;
    if (strcmp(name, "security.capability") == 0)
        return NS_CAPABILITY;
    if (strncmp(name, "security.", 9) == 0)
        return NS_SECURITY_OTHER;
    if (strcmp(name, "system.posix_acl_access") == 0)
        return NS_ACL_ACCESS;
    if (strcmp(name, "system.posix_acl_default") == 0)
        return NS_ACL_DEFAULT;
    return NS_OTHER;
}

static int visit(struct facts_walk *w, const char *path, int dfd, const char *name,
                 unsigned char type)
{
    (void)dfd;
    (void)name;
    (void)type;
    struct scan *s = w->ctx;
    ssize_t n = llistxattr(path, s->list, sizeof(s->list));
    if (n < 0) {
        /* No xattr support, or gone since readdir: nothing to report. */
        if (errno != ENOTSUP && errno != ENOENT)
            w->errors++;
        return 0;
    }
    unsigned seen = 0;
    for (ssize_t off = 0; off < n;) {
        const char *attr = s->list + off;
        size_t len = strnlen(attr, (size_t)(n - off));
        if (len)
            seen |= 1u << classify(attr);
        off += (ssize_t)len + 1;
    }
    for (int k = 0; k < NS_COUNT; k++) {
        if (!(seen & (1u << k)))
            continue;
        if (s->count[k] < SAMPLES_MAX)
            s->samples[k][s->count[k]] = p2v_xstrdup(path + s->prefix);
        s->count[k]++;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The mounts to walk: block-device sources, each device once (a bind
 * mount of a device already walked would count its files twice). */
static bool wanted(const struct facts_mount *m, int i)
{
    if (strncmp(m[i].source, "/dev/", 5) != 0)
        return false;
    for (int k = 0; k < i; k++)
        if (m[k].major == m[i].major && m[k].minor == m[i].minor &&
            strncmp(m[k].source, "/dev/", 5) == 0)
            return false;
    return true;
}

static void emit(struct p2v_json *j, struct scan *s, struct facts_walk *w,
                 const struct facts_mount *m, int n, const struct timespec *start)
{
    p2v_json_key(j, "xattr_scan");
    p2v_json_obj_begin(j);
    p2v_json_key(j, "roots");
    p2v_json_arr_begin(j);
    for (int i = 0; i < n; i++)
        if (wanted(m, i))
            p2v_json_str(j, m[i].mountpoint);
    p2v_json_arr_end(j);
    p2v_json_kuint(j, "files", w->entries);
    p2v_json_kuint(j, "errors", w->errors);
    p2v_json_kuint(j, "seconds", (uint64_t)facts_walk_since(start));
    p2v_json_kbool(j, "truncated", w->truncated);
    p2v_json_key(j, "namespaces");
    p2v_json_obj_begin(j);
    for (int k = 0; k < NS_COUNT; k++) {
        if (!s->count[k])
            continue;
        p2v_json_key(j, ns_names[k]);
        p2v_json_obj_begin(j);
        p2v_json_kuint(j, "count", s->count[k]);
        p2v_json_key(j, "samples");
        p2v_json_arr_begin(j);
        for (uint64_t i = 0; i < s->count[k] && i < SAMPLES_MAX; i++)
            p2v_json_str(j, s->samples[k][i]);
        p2v_json_arr_end(j);
        p2v_json_obj_end(j);
    }
    p2v_json_obj_end(j);
    p2v_json_obj_end(j);
}

void facts_xattr_scan(struct p2v_json *j, const struct facts_options *opt)
{
    if (!opt->scan_xattrs)
        return;
    struct facts_mount *m;
    int n = facts_mountinfo_read(opt, &m);
    if (n < 0) {
        facts_error("xattr_scan", "%s", p2v_error_message());
        return;
    }
    struct timespec start = facts_walk_after(0);
    struct scan *s = p2v_xcalloc(1, sizeof(*s));
    s->prefix = opt->root ? strlen(opt->root) : 0;
    /* Every mount point is pruned: the walk of one mount must not enter
     * another mounted over (or bound into) it. */
    char **prune = p2v_xcalloc((size_t)n + 1, sizeof(*prune));
    size_t nprune = 0;
    for (int i = 0; i < n; i++) {
        char pbuf[4096];
        const char *real = facts_path(opt, m[i].mountpoint, pbuf, sizeof(pbuf));
        if (real)
            prune[nprune++] = p2v_xstrdup(real);
    }
    qsort(prune, nprune, sizeof(*prune), cmp_str);
    struct facts_walk w = {
        .visit = visit, .ctx = s, .one_fs = true, .prune = prune, .nprune = nprune,
        .max_entries = SCAN_ENTRIES_MAX, .deadline = facts_walk_after(SCAN_SECONDS_MAX),
        .progress = opt->progress, .stage = "scan",
    };
    for (int i = 0; i < n && !w.truncated; i++) {
        if (!wanted(m, i))
            continue;
        char pbuf[4096];
        const char *real = facts_path(opt, m[i].mountpoint, pbuf, sizeof(pbuf));
        if (real && facts_walk(&w, real) < 0)
            facts_error("xattr_scan", "open `%s`: %s", m[i].mountpoint, strerror(errno));
    }
    emit(j, s, &w, m, n, &start);
    for (int k = 0; k < NS_COUNT; k++)
        for (uint64_t i = 0; i < s->count[k] && i < SAMPLES_MAX; i++)
            free(s->samples[k][i]);
    free(s);
    for (size_t i = 0; i < nprune; i++)
        free(prune[i]);
    free(prune);
    facts_mountinfo_free(m, n);
}
