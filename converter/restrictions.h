/* restrictions.h: what a migration cannot carry, each with a stable id,
 * a severity, a message a person understands, and the affected paths,
 * devices or addresses (plus detail lines for the text report). */
#ifndef P2V_RESTRICTIONS_H
#define P2V_RESTRICTIONS_H

#include "inventory.h"
#include "nodeinfo.h"

enum severity {
    SEV_INFO,
    SEV_WARNING,
    SEV_BLOCKER,
};

struct restriction {
    char *id;
    enum severity sev;
    char *message;
    char **paths;
    size_t npaths;
    char **details;
    size_t ndetails;
};

struct report {
    struct restriction *items;
    size_t n;
};

struct restriction *report_add(struct report *r, const char *id, enum severity sev,
                               const char *fmt, ...) P2V_PRINTF(4, 5);
void restriction_path(struct restriction *x, const char *fmt, ...) P2V_PRINTF(2, 3);
void restriction_detail(struct restriction *x, const char *fmt, ...) P2V_PRINTF(2, 3);
const char *severity_name(enum severity s);
bool report_possible(const struct report *r);
size_t report_count(const struct report *r, enum severity s);
void report_release(struct report *r);

/* The checks, grouped by subject (check_*.c). Each appends to r; -1 only
 * for an error in the user's input (a bad --quota-partition). */
void check_filesystems(const struct inventory *inv, const struct node_info *node, struct report *r);
void check_raw_devices(const struct inventory *inv, struct report *r);
void check_addresses(const struct inventory *inv, struct report *r);
void check_mac_bound(const struct inventory *inv, struct report *r);
int check_quota(const struct inventory *inv, const char *quota_partition, struct report *r);
void check_selinux(const struct inventory *inv, struct report *r);
void check_xattrs(const struct inventory *inv, struct report *r);
void check_node(const struct inventory *inv, const struct node_info *node, struct report *r);
/* check_windows.c: windows-version for a Windows source, node-os for a
 * Linux source on a Windows node. */
void check_windows_version(const struct inventory *inv, const struct node_info *node,
                           struct report *r);
void check_node_os(const struct inventory *inv, const struct node_info *node, struct report *r);

/* Run every check in report order. */
int restrictions_run(const struct inventory *inv, const struct node_info *node,
                     const char *quota_partition, struct report *r);

#endif
