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

/* Shared helpers for the collectors (facts_errors.c, facts_read.c,
 * facts_mountinfo.c). One collection runs at a time: the error list is
 * process-wide. */

/* Record {what, error} for the top-level "errors" array (bounded). */
void facts_error(const char *what, const char *fmt, ...) P2V_PRINTF(2, 3);
/* Forget recorded errors (start of a collection). */
void facts_errors_reset(void);
/* Write "errors": [...] into the open top-level object and forget them. */
void facts_errors_emit(struct p2v_json *j);

/* The path to read for a path on the source: opt->root + path. Returns
 * buf (or path itself when root is empty), NULL if it does not fit. */
const char *facts_path(const struct facts_options *opt, const char *path, char *buf,
                       size_t len);
/* Read at most max bytes of the regular file at real path into out
 * (appended); *truncated tells whether more was there; *size is the
 * file's size as far as known. Returns 0, or -1 with errno set (ENOENT
 * when absent, EINVAL when not a regular file). Never updates atime
 * where the kernel allows. */
int facts_read_file(const char *path, size_t max, struct p2v_buf *out, bool *truncated,
                    uint64_t *size);
/* key: {"text": ...} or key: {"base64": ...} */
void facts_json_blob(struct p2v_json *j, const char *key, const void *data, size_t n);

/* One line of /proc/self/mountinfo, octal escapes decoded. */
struct facts_mount {
    unsigned major, minor;
    char *root;        /* the mounted subtree of the filesystem */
    char *mountpoint;
    char *fstype;
    char *source;
};
/* Parse opt->root + /proc/self/mountinfo. Returns the count (>= 0), or -1
 * with the p2v error set. */
int facts_mountinfo_read(const struct facts_options *opt, struct facts_mount **out);
void facts_mountinfo_free(struct facts_mount *m, int n);

#endif
