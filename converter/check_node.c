/* check_node.c: the checks against this node: ctid-exists,
 * destination-space, arch-mismatch, kernel-too-old, cpu-flags. */
#include "restrictions.h"
#include "cpucaps.h"
#include "elfnote.h"
#include "progress.h"

/* the machine in [user@]host: a copy begun as one user may go on as another */
static const char *machine_of(const char *host)
{
    const char *at = strrchr(host, '@');
    return at ? at + 1 : host;
}

static void check_ctid(const struct node_info *node, struct report *r)
{
    bool ours = node->resume_host &&
                strcmp(machine_of(node->resume_host), machine_of(node->host)) == 0;
    if ((node->conf_exists || node->lxc_exists) && ours) {
        struct restriction *x = report_add(
            r, "ctid-exists", SEV_INFO,
            "container %s was migrated from %s: running p2vmigrate again is an incremental "
            "sync (only changes are sent, files the source removed are removed)",
            node->ctid, node->host);
        restriction_path(x, "%s", node->private_dir);
        return;
    }
    if (node->conf_exists || node->lxc_exists) {
        struct restriction *x = report_add(
            r, "ctid-exists", SEV_BLOCKER,
            "container %s already exists on this node; choose another CTID or remove it first",
            node->ctid);
        restriction_path(x, "%s", node->conf_exists ? node->conf_file : node->lxc_config);
        return;
    }
    if (!node->private_nonempty)
        return;
    if (ours) {
        struct restriction *x = report_add(
            r, "ctid-exists", SEV_INFO,
            "%s holds a partial copy of %s left by an earlier run: a rerun resumes it (only "
            "what is missing is sent); --restart discards it",
            node->private_dir, node->host);
        restriction_path(x, "%s", node->private_dir);
        return;
    }
    struct restriction *x = report_add(
        r, "ctid-exists", SEV_BLOCKER,
        "%s already holds data%s%s; choose another CTID or remove the directory",
        node->private_dir, node->resume_host ? " copied from another source, " : "",
        node->resume_host ? node->resume_host : "");
    restriction_path(x, "%s", node->private_dir);
}

static void check_space(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    uint64_t used = 0, inodes = 0;
    for (size_t i = 0; i < inv->nmounts; i++) {
        if (inv->mounts[i].kind == MOUNT_LOCAL && inv->mounts[i].have_usage) {
            used += inv->mounts[i].used;
            inodes += inv->mounts[i].inodes_used;
        }
    }
    char need[32], have[32];
    p2v_format_bytes(used, need, sizeof(need));
    if (!node->space_known) {
        report_add(r, "destination-space", SEV_WARNING,
                   "cannot tell the free space for %s on this node", node->private_dir);
        return;
    }
    p2v_format_bytes(node->free_bytes, have, sizeof(have));
    /* 5% headroom: directories and metadata take room that used= omits */
    bool bytes_short = used + used / 20 > node->free_bytes;
    bool inodes_short = inodes > node->free_inodes && node->free_inodes != 0;
    struct restriction *x;
    if (bytes_short || inodes_short)
        x = report_add(r, "destination-space", SEV_BLOCKER,
                       "this node lacks room: the source uses %s in %llu files, %s has %s and "
                       "%llu inodes free; free space or point VE_PRIVATE elsewhere",
                       need, (unsigned long long)inodes, node->space_path, have,
                       (unsigned long long)node->free_inodes);
    else
        x = report_add(r, "destination-space", SEV_INFO,
                       "the source uses %s in %llu files; %s has %s free", need,
                       (unsigned long long)inodes, node->space_path, have);
    restriction_path(x, "%s", node->private_dir);
}

static void check_arch(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    const char *src = inv->userland_arch ? inv->userland_arch : inv->machine;
    if (!src || cpucaps_arch_can_run(node->machine, src))
        return;
    report_add(r, "arch-mismatch", SEV_BLOCKER,
               "the source's programs are built for %s (kernel %s) and this node is %s: they "
               "cannot run here; migrate to a %s node",
               src, inv->machine ? inv->machine : "?", node->machine, src);
}

static void check_kernel(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    if (!inv->have_abi_tag || !node->kernel_known)
        return;
    if (kernel_version_cmp(node->kmajor, node->kminor, node->kpatch, inv->abi_major,
                           inv->abi_minor, inv->abi_patch) >= 0)
        return;
    struct restriction *x = report_add(
        r, "kernel-too-old", SEV_BLOCKER,
        "the source's C library needs Linux %u.%u.%u or newer and this node runs %s: nothing in "
        "the container would start; migrate to a node with a newer kernel",
        inv->abi_major, inv->abi_minor, inv->abi_patch, node->kernel);
    restriction_path(x, "%s", inv->abi_from);
}

static void check_cpu(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    if (!inv->cpu_flags || !node->cpu_flags)
        return;
    char **missing = NULL;
    size_t n = 0;
    if (cpucaps_missing_features(inv->cpu_flags, node->cpu_flags, &missing, &n) < 0 || n == 0) {
        free(missing);
        return;
    }
    struct p2v_buf b = P2V_BUF_INIT(8192);
    for (size_t i = 0; i < n; i++)
        p2v_buf_printf(&b, "%s%s", i ? " " : "", missing[i]);
    struct restriction *x = report_add(
        r, "cpu-flags", SEV_WARNING,
        "the source's CPU has features this node's lacks (%s): programs built or tuned for "
        "them may fail with illegal instructions in the container",
        b.data);
    for (size_t i = 0; i < n; i++) {
        restriction_detail(x, "missing on the node: %s", missing[i]);
        free(missing[i]);
    }
    free(missing);
    p2v_buf_release(&b);
}

void check_node(const struct inventory *inv, const struct node_info *node, struct report *r)
{
    check_ctid(node, r);
    check_space(inv, node, r);
    check_arch(inv, node, r);
    check_kernel(inv, node, r);
    check_cpu(inv, node, r);
}
