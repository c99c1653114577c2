/* facts.h: the Linux agent's raw facts (schema in docs/facts.md).
 *
 * The agent reports what it reads, uninterpreted: files, getifaddrs,
 * statvfs, quotactl, blkid probes, ELF notes, and the results of the
 * xattr and MAC-address scans. Every collector appends members to the
 * open top-level JSON object and never fails the whole document: a
 * collector that cannot read something records an "errors" entry. */
#ifndef P2V_AGENT_FACTS_H
#define P2V_AGENT_FACTS_H

#include "json_write.h"
#include "frame.h"

struct facts_options {
    bool scan_xattrs;        /* walk local filesystems for xattr namespaces */
    bool scan_macs;          /* look for interface MACs under /etc and /opt */
    const char *root;        /* prefix for every path read ("" normally; tests) */
    struct p2v_conn *progress; /* where to send PROGRESS during scans, or NULL */
};

/* Build the whole facts document into out (pretty for --facts). */
int facts_collect(struct p2v_buf *out, const struct facts_options *opt, bool pretty);

/* Collectors, one file each (facts_*.c). */
void facts_system(struct p2v_json *j, const struct facts_options *opt);
void facts_files(struct p2v_json *j, const struct facts_options *opt);
void facts_statfs(struct p2v_json *j, const struct facts_options *opt);
void facts_interfaces(struct p2v_json *j, const struct facts_options *opt);
void facts_block(struct p2v_json *j, const struct facts_options *opt);
void facts_quota(struct p2v_json *j, const struct facts_options *opt);
void facts_elf(struct p2v_json *j, const struct facts_options *opt);
void facts_xattr_scan(struct p2v_json *j, const struct facts_options *opt);
void facts_mac_scan(struct p2v_json *j, const struct facts_options *opt);

#endif
