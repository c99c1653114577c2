/* restrictions.c: the report list and the order the checks run in. */
#include "restrictions.h"
#include "error.h"

static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = p2v_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    if (n <= 0)
        s[0] = '\0';
    return s;
}

struct restriction *report_add(struct report *r, const char *id, enum severity sev,
                               const char *fmt, ...)
{
    r->items = p2v_xrealloc(r->items, (r->n + 1) * sizeof(*r->items));
    struct restriction *x = &r->items[r->n++];
    memset(x, 0, sizeof(*x));
    x->id = p2v_xstrdup(id);
    x->sev = sev;
    va_list ap;
    va_start(ap, fmt);
    x->message = vformat(fmt, ap);
    va_end(ap);
    return x;
}

static void push(char ***v, size_t *n, char *s)
{
    *v = p2v_xrealloc(*v, (*n + 1) * sizeof(char *));
    (*v)[(*n)++] = s;
}

void restriction_path(struct restriction *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&x->paths, &x->npaths, vformat(fmt, ap));
    va_end(ap);
}

void restriction_detail(struct restriction *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&x->details, &x->ndetails, vformat(fmt, ap));
    va_end(ap);
}

const char *severity_name(enum severity s)
{
    return s == SEV_BLOCKER ? "blocker" : s == SEV_WARNING ? "warning" : "info";
}

size_t report_count(const struct report *r, enum severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].sev == s;
    return n;
}

bool report_possible(const struct report *r)
{
    return report_count(r, SEV_BLOCKER) == 0;
}

void report_release(struct report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct restriction *x = &r->items[i];
        free(x->id);
        free(x->message);
        for (size_t k = 0; k < x->npaths; k++)
            free(x->paths[k]);
        free(x->paths);
        for (size_t k = 0; k < x->ndetails; k++)
            free(x->details[k]);
        free(x->details);
    }
    free(r->items);
    r->items = NULL;
    r->n = 0;
}

int restrictions_run(const struct inventory *inv, const struct node_info *node,
                     const char *quota_partition, struct report *r)
{
    if (inv->windows.present) {
        /* A Windows source: no SELinux, no xattrs; the rest as for Linux. */
        check_windows_version(inv, node, r);
        check_node(inv, node, r);
        check_filesystems(inv, node, r);
        check_addresses(inv, r);
        if (check_quota(inv, quota_partition, r) < 0)
            return -1;
        check_raw_devices(inv, r);
        check_mac_bound(inv, r);
        return 0;
    }
    check_node_os(inv, node, r);
    check_node(inv, node, r);
    check_filesystems(inv, node, r);
    check_addresses(inv, r);
    if (check_quota(inv, quota_partition, r) < 0)
        return -1;
    check_selinux(inv, r);
    check_xattrs(inv, r);
    check_raw_devices(inv, r);
    check_mac_bound(inv, r);
    return 0;
}
