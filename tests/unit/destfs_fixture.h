/* destfs_fixture.h: what the destfs tests share: a scratch base with a
 * private area and an "outside" directory, shell commands, and entries
 * made the way the transfer makes them. One test program includes it. */
#ifndef P2V_DESTFS_FIXTURE_H
#define P2V_DESTFS_FIXTURE_H

#include "common.h"
#include "destfs.h"
#include "entry.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_root;
static char base[128], priv[256], outside[256];

static inline void sh(const char *fmt, const char *arg)
{
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof(cmd), fmt, arg);
    if (system(cmd) != 0)
        printf("# command failed: %s\n", cmd);
}

static inline struct p2v_entry ent(const char *path, uint8_t type, uint32_t mode,
                                    uint32_t uid, uint32_t gid)
{
    struct p2v_entry e;
    memset(&e, 0, sizeof(e));
    e.path = p2v_xstrdup(path);
    e.path_len = strlen(path);
    e.type = type;
    e.mode = mode;
    e.uid = is_root ? uid : (uint32_t)geteuid();
    e.gid = is_root ? gid : (uint32_t)getegid();
    e.mtime_sec = 1600000000;
    e.mtime_nsec = 123456789;
    return e;
}

static inline void set_link(struct p2v_entry *e, const char *link)
{
    free(e->link);
    e->link = p2v_xstrdup(link);
    e->link_len = strlen(link);
    e->size = e->link_len;
}

static inline void add_xattr(struct p2v_entry *e, const char *name, const void *v, size_t n)
{
    e->xattrs = p2v_xrealloc(e->xattrs, (e->nxattrs + 1) * sizeof(*e->xattrs));
    e->xattrs[e->nxattrs].name = p2v_xstrdup(name);
    e->xattrs[e->nxattrs].value = p2v_xmalloc(n ? n : 1);
    memcpy(e->xattrs[e->nxattrs].value, v, n);
    e->xattrs[e->nxattrs].len = n;
    e->nxattrs++;
}

static inline int lst(const char *rel, struct stat *st)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", priv, rel);
    return lstat(p, st);
}

/* Run body against a fresh private area under a new base in dir, once
 * with openat2 and once with the O_NOFOLLOW walk; the TAP exit code. */
static inline int fixture_both_ways(const char *dir, void (*body)(struct destfs *))
{
    is_root = geteuid() == 0;
    snprintf(base, sizeof(base), "%s/p2v-destfs-XXXXXX", dir);
    if (!mkdtemp(base)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    snprintf(outside, sizeof(outside), "%s/outside", base);
    mkdir(outside, 0755);
    for (int walk = 0; walk < 2; walk++) {
        printf("# ---- %s ----\n", walk ? "O_NOFOLLOW walk" : "openat2");
        destfs_force_walk(walk);
        sh("rm -rf '%s'/private", base);
        snprintf(priv, sizeof(priv), "%s/private/101", base);
        struct destfs d;
        ok(destfs_open(&d, priv, true) == 0, "open %s", priv);
        body(&d);
        destfs_close(&d);
    }
    sh("rm -rf '%s'", base);
    return tap_done();
}

#endif
