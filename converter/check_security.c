/* check_security.c: selinux and xattrs (seed 003: SELinux is not
 * supported in containers; extended attributes were lost by the old
 * tool — p2v keeps user.*, trusted.*, ACLs and file capabilities, and
 * drops only security.selinux, counted). */
#include "restrictions.h"

void check_selinux(const struct inventory *inv, struct report *r)
{
    const char *rt = inv->selinux_runtime ? inv->selinux_runtime : "disabled";
    const char *cf = inv->selinux_config;
    bool on = strcmp(rt, "disabled") != 0 || (cf && strcmp(cf, "disabled") != 0);
    if (!on) {
        report_add(r, "selinux", SEV_INFO, "SELinux is not in use on the source");
        return;
    }
    struct restriction *x = report_add(
        r, "selinux", SEV_WARNING,
        "SELinux is %s at runtime and configured %s on the source; containers do not support "
        "SELinux: it will be disabled in the container (SELINUX=disabled) and security.selinux "
        "labels are dropped",
        rt, cf ? cf : "(no /etc/selinux/config)");
    if (cf)
        restriction_path(x, "/etc/selinux/config");
}

struct ns_fate {
    const char *name, *fate;
    bool kept;
};

static const struct ns_fate fates[] = {
    {"user", "kept", true},
    {"trusted", "kept", true},
    {"system.posix_acl_access", "kept (POSIX ACL)", true},
    {"system.posix_acl_default", "kept (default POSIX ACL)", true},
    {"security.capability", "kept (file capabilities)", true},
    {"security.selinux", "dropped (SELinux labels) and counted", false},
    {"security.other", "dropped (other security modules' labels)", false},
    {"other", "dropped (unknown namespace)", false},
};

void check_xattrs(const struct inventory *inv, struct report *r)
{
    if (!inv->xattr_scanned) {
        report_add(r, "xattrs", SEV_WARNING,
                   "the agent did not scan for extended attributes; run without --no-scan to "
                   "learn which will be kept");
        return;
    }
    size_t dropped = 0, present = 0;
    for (size_t i = 0; i < inv->nxattr_ns; i++) {
        if (inv->xattr_ns[i].count == 0)
            continue;
        present++;
        bool kept = false;
        for (size_t k = 0; k < P2V_ARRAY_LEN(fates); k++)
            if (strcmp(fates[k].name, inv->xattr_ns[i].name) == 0)
                kept = fates[k].kept;
        dropped += !kept;
    }
    const char *cut = inv->xattr_truncated ? " (the scan stopped at its limit)" : "";
    if (!present) {
        report_add(r, "xattrs", SEV_INFO, "no extended attributes found among %llu files scanned%s",
                   (unsigned long long)inv->xattr_files, cut);
        return;
    }
    struct restriction *x = report_add(
        r, "xattrs", dropped ? SEV_WARNING : SEV_INFO,
        "extended attributes found in %zu namespace%s among %llu files scanned%s: user.*, "
        "trusted.*, POSIX ACLs and file capabilities are kept; security.selinux and other "
        "security labels are dropped",
        present, present == 1 ? "" : "s", (unsigned long long)inv->xattr_files, cut);
    for (size_t i = 0; i < inv->nxattr_ns; i++) {
        const struct inv_xattr_ns *ns = &inv->xattr_ns[i];
        if (ns->count == 0)
            continue;
        const char *fate = "dropped";
        for (size_t k = 0; k < P2V_ARRAY_LEN(fates); k++)
            if (strcmp(fates[k].name, ns->name) == 0)
                fate = fates[k].fate;
        restriction_detail(x, "%s: %llu files, %s", ns->name, (unsigned long long)ns->count, fate);
        for (size_t k = 0; k < ns->nsamples; k++) {
            restriction_path(x, "%s", ns->samples[k]);
            restriction_detail(x, "  e.g. %s", ns->samples[k]);
        }
    }
}
