/* facts_files.c: the raw text of the files the node interprets
 * (distribution, network config, fstab, ...), as listed in docs/facts.md.
 *
 * Each file is read whole up to 1 MiB and sent as a blob, so the node
 * sees exactly the bytes on the source. Symlinks are followed: on the
 * source /etc/os-release is often a link into /usr/lib. */
#include "facts.h"
#include <glob.h>

#define FILE_MAX (1u << 20)
#define FILES_MAX 256
/* Keep the document well under P2V_FACTS_MAX whatever the files hold
 * (base64 grows them by a third). */
#define FILES_TOTAL_MAX (24u << 20)

static const char *const fixed[] = {
    "/proc/self/mountinfo", "/proc/swaps", "/proc/mdstat", "/proc/cmdline",
    "/etc/os-release", "/usr/lib/os-release", "/etc/lsb-release", "/etc/debian_version",
    "/etc/redhat-release", "/etc/centos-release", "/etc/SuSE-release",
    "/etc/alpine-release", "/etc/gentoo-release", "/etc/arch-release",
    "/etc/fstab", "/etc/hostname", "/etc/HOSTNAME", "/etc/hosts",
    "/etc/resolv.conf", "/etc/mailname", "/etc/selinux/config",
    "/sys/fs/selinux/enforce", "/etc/sysconfig/network",
    "/etc/sysconfig/selinux", "/etc/network/interfaces", "/etc/conf.d/net",
    "/etc/inittab",
};

static const char *const globs[] = {
    "/etc/network/interfaces.d/*", "/etc/netplan/*.yaml",
    "/etc/sysconfig/network-scripts/ifcfg-*", "/etc/sysconfig/network/ifcfg-*",
    "/etc/sysconfig/network/ifroute-*", "/etc/NetworkManager/system-connections/*",
    "/etc/systemd/network/*.network", "/etc/systemd/network/*.netdev",
    "/etc/systemd/network/*.link", "/etc/netctl/*", "/etc/wicked/*.xml",
};

struct files_state {
    struct p2v_json *j;
    const struct facts_options *opt;
    int count;
    size_t total;
    bool full;          /* a bound was reached and recorded */
};

/* Read one file (path as on the source) into the array if present. */
static void one_file(struct files_state *s, const char *path, bool from_glob)
{
    if (s->full)
        return;
    if (s->count == FILES_MAX || s->total >= FILES_TOTAL_MAX) {
        facts_error("files", "more files than the bound (%d files, %u bytes); `%s` and later "
                    "files not read", FILES_MAX, FILES_TOTAL_MAX, path);
        s->full = true;
        return;
    }
    char pbuf[4096];
    const char *real = facts_path(s->opt, path, pbuf, sizeof(pbuf));
    if (!real)
        return;
    struct p2v_buf data = P2V_BUF_INIT(FILE_MAX);
    bool trunc = false;
    uint64_t size = 0;
    if (facts_read_file(real, FILE_MAX, &data, &trunc, &size) < 0) {
        /* Absent files are simply not listed; a glob may also match
         * directories and other non-regular files, which are skipped. */
        if (errno != ENOENT && errno != ENOTDIR && !(from_glob && errno == EINVAL))
            facts_error("files", "read `%s`: %s", path, strerror(errno));
        p2v_buf_release(&data);
        return;
    }
    p2v_json_obj_begin(s->j);
    p2v_json_kstr(s->j, "path", path);
    facts_json_blob(s->j, "blob", data.data ? data.data : "", data.len);
    p2v_json_kuint(s->j, "size", size);
    if (trunc)
        p2v_json_kbool(s->j, "truncated", true);
    p2v_json_obj_end(s->j);
    s->count++;
    s->total += data.len;
    p2v_buf_release(&data);
}

/* A directory a glob cannot read is worth telling; an absent one is not. */
static int glob_error(const char *epath, int eerrno)
{
    if (eerrno != ENOENT && eerrno != ENOTDIR)
        facts_error("files", "read directory `%s`: %s", epath, strerror(eerrno));
    return 0;
}

static void one_glob(struct files_state *s, const char *pattern)
{
    char pbuf[4096];
    const char *real = facts_path(s->opt, pattern, pbuf, sizeof(pbuf));
    if (!real)
        return;
    size_t skip = strlen(real) - strlen(pattern);
    glob_t g;
    /* Sorted (no GLOB_NOSORT), so the document is stable between runs. */
    int rc = glob(real, 0, glob_error, &g);
    if (rc == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            one_file(s, g.gl_pathv[i] + skip, true);
    } else if (rc == GLOB_NOSPACE) {
        facts_error("files", "glob `%s`: out of memory", pattern);
    }
    if (rc != GLOB_NOMATCH)
        globfree(&g);
}

void facts_files(struct p2v_json *j, const struct facts_options *opt)
{
    struct files_state s = {.j = j, .opt = opt};
    p2v_json_key(j, "files");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < P2V_ARRAY_LEN(fixed); i++)
        one_file(&s, fixed[i], false);
    for (size_t i = 0; i < P2V_ARRAY_LEN(globs); i++)
        one_glob(&s, globs[i]);
    p2v_json_arr_end(j);
}
