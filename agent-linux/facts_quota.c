/* facts_quota.c: `quotas` and `quota_files` (docs/facts.md).
 *
 * For every local filesystem that can carry quotas (a /dev/... source of a
 * type below), ask the kernel with quotactl(2) which quota types it is
 * accounting, and list every entry: Q_GETFMT/Q_GETINFO/Q_GETNEXTQUOTA on
 * the generic quota code, Q_XGETQSTAT(V)/Q_XGETNEXTQUOTA on XFS; kernels
 * older than 4.6 lack the GETNEXT calls, so then the ids named in
 * /etc/passwd and /etc/group are asked one by one. For a user or group
 * type the kernel does not account, the quota files at the filesystem root
 * (aquota.*, quota.*, usrjquota=/grpjquota= names) are sent raw for the
 * node to parse (converter/quota_file.c).
 *
 * Only reads: quotas are never turned on or off. No NSS: ids stay numbers.
 * Bounded: QUOTA_ENTRIES_MAX entries per type, files up to 64 MiB, and the
 * whole output keeps QUOTA_RESERVE of the document's cap for the
 * collectors after this one; a bound reached says so (truncated). */
#include "facts.h"
#include "error.h"
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/quota.h>
#include <linux/dqblk_xfs.h>

#define QUOTA_ENTRIES_MAX 1000000u
#define QUOTA_FILE_READ_MAX ((size_t)64 << 20)
#define QUOTA_RESERVE ((size_t)8 << 20)
#define QUOTA_KNOWN_IDS_MAX 1000000u

/* Older kernel headers lack the newer calls; the numbers are ABI. */
#ifndef Q_GETNEXTQUOTA
#define Q_GETNEXTQUOTA 0x800009
#endif
#ifndef Q_XGETQSTATV
#define Q_XGETQSTATV XQM_CMD(8)
#endif
#ifndef Q_XGETNEXTQUOTA
#define Q_XGETNEXTQUOTA XQM_CMD(9)
#endif
#ifndef FS_DQ_BIGTIME
#define FS_DQ_BIGTIME (1 << 15)
#endif
#ifndef PRJQUOTA
#define PRJQUOTA 2
#endif
#ifndef XQM_PRJQUOTA
#define XQM_PRJQUOTA 2
#endif
#ifndef FS_QUOTA_PDQ_ACCT
#define FS_QUOTA_PDQ_ACCT (1 << 4)
#define FS_QUOTA_PDQ_ENFD (1 << 5)
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443 /* the same number on every architecture but alpha */
#endif

/* struct if_nextdqblk, spelled out for headers that predate it */
struct next_dqblk {
    uint64_t bhard, bsoft, curspace, ihard, isoft, curinodes, btime, itime;
    uint32_t valid, id;
};

static const char *const type_names[] = {"user", "group", "project"};

/* Where quotactl goes: the device node, or (when that is missing, as with
 * /dev/root) the mount point through quotactl_fd on kernels >= 5.14. */
struct qtarget {
    const char *dev;
    int fd;
};

static int qctl(const struct qtarget *t, int cmd, int type, uint32_t id, void *addr)
{
    /* QCMD() shifts a signed int past its range for the 0x80xxxx calls */
    int qcmd = (int)((unsigned)cmd << 8 | ((unsigned)type & 0xff));
    if (t->fd >= 0)
        return (int)syscall(__NR_quotactl_fd, t->fd, qcmd, id, addr);
    return (int)syscall(SYS_quotactl, qcmd, t->dev, (int)id, addr);
}

static bool quota_fstype(const char *t)
{
    static const char *const types[] = {"ext2", "ext3", "ext4", "ext4dev", "xfs", "reiserfs",
                                        "jfs", "f2fs", "ocfs2", "gfs2"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(types); i++)
        if (!strcmp(t, types[i]))
            return true;
    return false;
}

/* ---- the ids of /etc/passwd and /etc/group, for kernels without GETNEXT ---- */

struct idset {
    uint32_t *v;
    size_t n;
    bool loaded;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void idset_add_file(struct idset *s, const struct facts_options *opt, const char *file)
{
    char pbuf[4096];
    const char *path = facts_path(opt, file, pbuf, sizeof(pbuf));
    struct p2v_buf text = P2V_BUF_INIT(16u << 20);
    bool trunc;
    uint64_t size;
    if (!path || facts_read_file(path, 16u << 20, &text, &trunc, &size) < 0 || !text.data) {
        p2v_buf_release(&text);
        return;
    }
    char *save = NULL;
    for (char *line = strtok_r(text.data, "\n", &save); line && s->n < QUOTA_KNOWN_IDS_MAX;
         line = strtok_r(NULL, "\n", &save)) {
        /* name:password:ID:... */
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || c2[1] < '0' || c2[1] > '9')
            continue;
        char *end;
        errno = 0;
        unsigned long id = strtoul(c2 + 1, &end, 10);
        if (errno || *end != ':' || id > UINT32_MAX)
            continue;
        s->v = p2v_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
        s->v[s->n++] = (uint32_t)id;
    }
    p2v_buf_release(&text);
}

static const struct idset *known_ids(struct idset *s, const struct facts_options *opt)
{
    if (s->loaded)
        return s;
    s->loaded = true;
    s->v = p2v_xmalloc(sizeof(*s->v));
    s->v[s->n++] = 0;
    idset_add_file(s, opt, "/etc/passwd");
    idset_add_file(s, opt, "/etc/group");
    qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
    size_t w = 0;
    for (size_t r = 0; r < s->n; r++)
        if (w == 0 || s->v[w - 1] != s->v[r])
            s->v[w++] = s->v[r];
    s->n = w;
    return s;
}

/* ---- one quota type on one filesystem ---- */

struct qentry {
    uint32_t id;
    uint64_t bsoft, bhard, isoft, ihard, curspace, curinodes;
    int64_t btime, itime;
};

struct qscan {
    struct p2v_json *j;
    const struct qtarget *t;
    int type;
    bool xfs;
    size_t limit;            /* output length at which to stop */
    size_t count;
    bool truncated;
};

static bool room_left(struct qscan *q)
{
    if (q->count >= QUOTA_ENTRIES_MAX || q->j->out->len + 1024 > q->limit) {
        q->truncated = true;
        return false;
    }
    return true;
}

static void emit_entry(struct qscan *q, const struct qentry *e)
{
    struct p2v_json *j = q->j;
    p2v_json_obj_begin(j);
    p2v_json_kuint(j, "id", e->id);
    p2v_json_kuint(j, "bsoft", e->bsoft);
    p2v_json_kuint(j, "bhard", e->bhard);
    p2v_json_kuint(j, "isoft", e->isoft);
    p2v_json_kuint(j, "ihard", e->ihard);
    p2v_json_kuint(j, "curspace", e->curspace);
    p2v_json_kuint(j, "curinodes", e->curinodes);
    p2v_json_kint(j, "btime", e->btime);
    p2v_json_kint(j, "itime", e->itime);
    p2v_json_obj_end(j);
    q->count++;
}

static void from_generic(struct qentry *e, uint32_t id, const struct if_dqblk *d)
{
    *e = (struct qentry){id, d->dqb_bsoftlimit, d->dqb_bhardlimit, d->dqb_isoftlimit,
                         d->dqb_ihardlimit, d->dqb_curspace, d->dqb_curinodes,
                         (int64_t)d->dqb_btime, (int64_t)d->dqb_itime};
}

static int64_t xfs_timer(int32_t lo, int8_t hi, bool big)
{
    if (!big)
        return lo;
    return (int64_t)((uint64_t)(uint8_t)hi << 32 | (uint32_t)lo);
}

static void from_xfs(struct qentry *e, const struct fs_disk_quota *d)
{
    bool big = d->d_fieldmask & FS_DQ_BIGTIME;
    /* XFS counts 512-byte basic blocks; the facts use KiB and bytes */
    *e = (struct qentry){d->d_id, d->d_blk_softlimit / 2, d->d_blk_hardlimit / 2,
                         d->d_ino_softlimit, d->d_ino_hardlimit, d->d_bcount * 512,
                         d->d_icount, xfs_timer(d->d_btimer, d->d_btimer_hi, big),
                         xfs_timer(d->d_itimer, d->d_itimer_hi, big)};
}

static bool entry_empty(const struct qentry *e)
{
    return !e->bsoft && !e->bhard && !e->isoft && !e->ihard && !e->curspace && !e->curinodes;
}

/* Every entry with GETNEXT; -1 with errno when the kernel lacks it. */
static int scan_next(struct qscan *q)
{
    uint32_t id = 0;
    for (;;) {
        struct qentry e = {0};
        int rc;
        if (q->xfs) {
            struct fs_disk_quota d;
            memset(&d, 0, sizeof(d));
            rc = qctl(q->t, Q_XGETNEXTQUOTA, q->type, id, &d);
            if (rc == 0)
                from_xfs(&e, &d);
        } else {
            struct next_dqblk d;
            memset(&d, 0, sizeof(d));
            rc = qctl(q->t, Q_GETNEXTQUOTA, q->type, id, &d);
            if (rc == 0) {
                struct if_dqblk g = {d.bhard, d.bsoft, d.curspace, d.ihard, d.isoft,
                                     d.curinodes, d.btime, d.itime, d.valid};
                from_generic(&e, d.id, &g);
            }
        }
        if (rc < 0)
            return errno == ENOENT ? 0 : -1; /* ENOENT: no more ids */
        if (e.id < id)
            return 0; /* never go backwards */
        if (!room_left(q))
            return 0;
        emit_entry(q, &e);
        if (e.id == UINT32_MAX)
            return 0;
        id = e.id + 1;
    }
}

static void scan_known(struct qscan *q, const struct idset *ids)
{
    for (size_t i = 0; i < ids->n && room_left(q); i++) {
        struct qentry e = {0};
        int rc;
        if (q->xfs) {
            struct fs_disk_quota d;
            memset(&d, 0, sizeof(d));
            rc = qctl(q->t, Q_XGETQUOTA, q->type, ids->v[i], &d);
            if (rc == 0)
                from_xfs(&e, &d);
        } else {
            struct if_dqblk d;
            memset(&d, 0, sizeof(d));
            rc = qctl(q->t, Q_GETQUOTA, q->type, ids->v[i], &d);
            if (rc == 0)
                from_generic(&e, ids->v[i], &d);
        }
        if (rc == 0 && !entry_empty(&e))
            emit_entry(q, &e);
    }
}

/* What the kernel says about one type: 1 active (filled in), 0 not, -1
 * error (errno). */
struct qstate {
    const char *format;
    uint32_t bgrace, igrace;
    int enforcing;           /* 1, 0, or -1 unknown */
};

static int state_generic(const struct qtarget *t, int type, struct qstate *s)
{
    uint32_t fmt = 0;
    if (qctl(t, Q_GETFMT, type, 0, &fmt) < 0)
        return errno == ESRCH ? 0 : -1;
    switch (fmt) {
    case QFMT_VFS_OLD: s->format = "vfsold"; break;
    case QFMT_VFS_V0: s->format = "vfsv0"; break;
    case QFMT_VFS_V1: s->format = "vfsv1"; break;
    default: s->format = "other"; break;
    }
    struct if_dqinfo info;
    memset(&info, 0, sizeof(info));
    if (qctl(t, Q_GETINFO, type, 0, &info) == 0) {
        s->bgrace = (uint32_t)info.dqi_bgrace;
        s->igrace = (uint32_t)info.dqi_igrace;
    }
    /* the generic code answers the XFS status call too (Linux >= 4.1) */
    struct fs_quota_stat st;
    memset(&st, 0, sizeof(st));
    s->enforcing = -1;
    if (qctl(t, Q_XGETQSTAT, type, 0, &st) == 0) {
        static const unsigned enfd[] = {FS_QUOTA_UDQ_ENFD, FS_QUOTA_GDQ_ENFD, FS_QUOTA_PDQ_ENFD};
        s->enforcing = (st.qs_flags & enfd[type]) != 0;
    }
    return 1;
}

static int state_xfs(const struct qtarget *t, int type, struct qstate *s)
{
    static const unsigned acct[] = {FS_QUOTA_UDQ_ACCT, FS_QUOTA_GDQ_ACCT, FS_QUOTA_PDQ_ACCT};
    static const unsigned enfd[] = {FS_QUOTA_UDQ_ENFD, FS_QUOTA_GDQ_ENFD, FS_QUOTA_PDQ_ENFD};
    struct fs_quota_statv sv;
    unsigned flags;
    memset(&sv, 0, sizeof(sv));
    sv.qs_version = FS_QSTATV_VERSION1;
    if (qctl(t, Q_XGETQSTATV, type, 0, &sv) == 0) {
        flags = sv.qs_flags;
        s->bgrace = (uint32_t)sv.qs_btimelimit;
        s->igrace = (uint32_t)sv.qs_itimelimit;
    } else {
        struct fs_quota_stat st;
        memset(&st, 0, sizeof(st));
        if (qctl(t, Q_XGETQSTAT, type, 0, &st) < 0)
            return errno == ENOSYS || errno == ENOTSUP ? 0 : -1;
        flags = st.qs_flags;
        s->bgrace = (uint32_t)st.qs_btimelimit;
        s->igrace = (uint32_t)st.qs_itimelimit;
    }
    if (!(flags & acct[type]))
        return 0;
    s->format = "xfs";
    s->enforcing = (flags & enfd[type]) != 0;
    return 1;
}

/* Where the kernel answers for this filesystem (device or fd). */
static void open_target(struct qtarget *t, const char *dev, const char *mnt, bool xfs)
{
    t->dev = dev;
    t->fd = -1;
    uint32_t fmt;
    struct fs_quota_stat st;
    int rc = xfs ? qctl(t, Q_XGETQSTAT, USRQUOTA, 0, &st) : qctl(t, Q_GETFMT, USRQUOTA, 0, &fmt);
    if (rc == 0 || (errno != ENOENT && errno != ENOTBLK && errno != ENODEV))
        return;
    int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    t->fd = fd;
    rc = xfs ? qctl(t, Q_XGETQSTAT, USRQUOTA, 0, &st) : qctl(t, Q_GETFMT, USRQUOTA, 0, &fmt);
    if (rc < 0 && errno == ENOSYS) {
        close(fd);
        t->fd = -1;
    }
}

/* Per filesystem: which of user/group the kernel does not account. */
struct qfs {
    const struct facts_mount *m;
    bool inactive[2];
};

static void quota_types(struct p2v_json *j, const struct facts_options *opt, struct qfs *fs,
                        struct idset *ids, size_t limit)
{
    const struct facts_mount *m = fs->m;
    char dbuf[4096], mbuf[4096];
    const char *dev = facts_path(opt, m->source, dbuf, sizeof(dbuf));
    const char *mnt = facts_path(opt, m->mountpoint, mbuf, sizeof(mbuf));
    bool xfs = !strcmp(m->fstype, "xfs");
    if (!dev || !mnt)
        return;
    struct qtarget t;
    open_target(&t, dev, mnt, xfs);
    for (int type = USRQUOTA; type <= PRJQUOTA; type++) {
        struct qstate s = {.enforcing = -1};
        int rc = xfs ? state_xfs(&t, type, &s) : state_generic(&t, type, &s);
        if (rc <= 0) {
            if (type < 2)
                fs->inactive[type] = true;
            /* no quota support at all is not worth an error */
            if (rc < 0 && errno != ENOSYS && errno != ENOTSUP && errno != EINVAL &&
                !(type == PRJQUOTA && errno == ENOENT))
                facts_error("quotas", "quotactl %s quota on `%s` (%s): %s", type_names[type],
                            m->mountpoint, m->source, strerror(errno));
            continue;
        }
        p2v_json_obj_begin(j);
        p2v_json_kstr(j, "mountpoint", m->mountpoint);
        p2v_json_kstr(j, "device", m->source);
        p2v_json_kstr(j, "fstype", m->fstype);
        p2v_json_kstr(j, "type", type_names[type]);
        p2v_json_kstr(j, "format", s.format);
        p2v_json_kbool(j, "active", true);
        if (s.enforcing >= 0)
            p2v_json_kbool(j, "enforcing", s.enforcing);
        p2v_json_kuint(j, "bgrace", s.bgrace);
        p2v_json_kuint(j, "igrace", s.igrace);
        p2v_json_key(j, "entries");
        p2v_json_arr_begin(j);
        struct qscan q = {.j = j, .t = &t, .type = type, .xfs = xfs, .limit = limit};
        if (scan_next(&q) < 0) {
            if (q.count == 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP))
                scan_known(&q, known_ids(ids, opt)); /* Linux < 4.6 */
            else
                facts_error("quotas", "list %s quota on `%s`: %s", type_names[type],
                            m->mountpoint, strerror(errno));
        }
        p2v_json_arr_end(j);
        p2v_json_kbool(j, "truncated", q.truncated);
        p2v_json_obj_end(j);
    }
    if (t.fd >= 0)
        close(t.fd);
}

/* ---- quota files of types the kernel does not account ---- */

/* The value of `key` (e.g. "usrjquota=") in the super options of the
 * filesystem maj:min in the raw mountinfo text, into buf. */
static bool super_option(const char *text, const struct facts_mount *m, const char *key,
                         char *buf, size_t len)
{
    char want[32];
    snprintf(want, sizeof(want), " %u:%u ", m->major, m->minor);
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        const char *dev = memmem(line, n, want, strlen(want));
        const char *sep = memmem(line, n, " - ", 3);
        if (dev && sep && dev < sep) {
            /* " - fstype source superoptions" */
            const char *p = sep + 3, *end = line + n;
            for (int field = 0; field < 2 && p < end; field++) {
                const char *sp = memchr(p, ' ', (size_t)(end - p));
                p = sp ? sp + 1 : end;
            }
            for (const char *o = p; o < end;) {
                const char *comma = memchr(o, ',', (size_t)(end - o));
                const char *oe = comma ? comma : end;
                size_t kl = strlen(key);
                if ((size_t)(oe - o) > kl && !memcmp(o, key, kl) && (size_t)(oe - o) - kl < len) {
                    memcpy(buf, o + kl, (size_t)(oe - o) - kl);
                    buf[(oe - o) - kl] = '\0';
                    return !strchr(buf, '\\') && !strstr(buf, "..");
                }
                o = oe + 1;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return false;
}

static void quota_file(struct p2v_json *j, const struct facts_options *opt,
                       const struct facts_mount *m, int type, const char *name, size_t limit)
{
    char path[4096], pbuf[4096];
    const char *slash = strcmp(m->mountpoint, "/") ? "/" : "";
    int n = snprintf(path, sizeof(path), "%s%s%s", m->mountpoint, slash, name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return;
    const char *real = facts_path(opt, path, pbuf, sizeof(pbuf));
    if (!real)
        return;
    /* base64 may grow it by a third: keep within the document's room */
    size_t room = j->out->len + 4096 < limit ? (limit - j->out->len - 4096) / 4 * 3 : 0;
    size_t max = room < QUOTA_FILE_READ_MAX ? room : QUOTA_FILE_READ_MAX;
    struct p2v_buf data = P2V_BUF_INIT(QUOTA_FILE_READ_MAX + 1);
    bool trunc = false;
    uint64_t size = 0;
    if (facts_read_file(real, max, &data, &trunc, &size) < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            facts_error("quota_files", "read `%s`: %s", path, strerror(errno));
        p2v_buf_release(&data);
        return;
    }
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "mountpoint", m->mountpoint);
    p2v_json_kstr(j, "path", path);
    p2v_json_kstr(j, "type", type_names[type]);
    p2v_json_kuint(j, "size", size);
    if (trunc) {
        /* a partial quota file is useless to the node: say so, send none */
        p2v_json_kbool(j, "truncated", true);
        facts_error("quota_files", "`%s` is %llu bytes, more than the %zu that fit", path,
                    (unsigned long long)size, max);
    } else {
        facts_json_blob(j, "blob", data.data ? data.data : "", data.len);
    }
    p2v_json_obj_end(j);
    p2v_buf_release(&data);
}

static void quota_files(struct p2v_json *j, const struct facts_options *opt, const struct qfs *fs,
                        const char *mountinfo, size_t limit)
{
    static const char *const keys[] = {"usrjquota=", "grpjquota="};
    static const char *const names[2][2] = {{"aquota.user", "quota.user"},
                                            {"aquota.group", "quota.group"}};
    if (strcmp(fs->m->root, "/") || !strcmp(fs->m->fstype, "xfs"))
        return; /* files out of sight (a bind mount of a subtree), or none (XFS) */
    for (int type = 0; type < 2; type++) {
        if (!fs->inactive[type])
            continue;
        char jq[256];
        bool have_jq = mountinfo && super_option(mountinfo, fs->m, keys[type], jq, sizeof(jq));
        if (have_jq && jq[0] == '/')
            memmove(jq, jq + 1, strlen(jq));
        for (int k = 0; k < 2; k++)
            if (!have_jq || strcmp(jq, names[type][k]))
                quota_file(j, opt, fs->m, type, names[type][k], limit);
        if (have_jq && jq[0])
            quota_file(j, opt, fs->m, type, jq, limit);
    }
}

void facts_quota(struct p2v_json *j, const struct facts_options *opt)
{
    struct facts_mount *m = NULL;
    int n = facts_mountinfo_read(opt, &m);
    if (n < 0) {
        facts_error("quotas", "%s", p2v_error_message());
        return;
    }
    /* one per filesystem (maj:min), preferring a mount of its root */
    struct qfs *fs = p2v_xcalloc((size_t)n + 1, sizeof(*fs));
    size_t nfs = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(m[i].source, "/dev/", 5) || !quota_fstype(m[i].fstype))
            continue;
        size_t k;
        for (k = 0; k < nfs; k++)
            if (fs[k].m->major == m[i].major && fs[k].m->minor == m[i].minor)
                break;
        if (k == nfs)
            fs[nfs++].m = &m[i];
        else if (strcmp(fs[k].m->root, "/") && !strcmp(m[i].root, "/"))
            fs[k].m = &m[i];
    }
    size_t limit = j->out->max > QUOTA_RESERVE ? j->out->max - QUOTA_RESERVE : 0;
    struct idset ids = {0};
    p2v_json_key(j, "quotas");
    p2v_json_arr_begin(j);
    for (size_t k = 0; k < nfs; k++)
        quota_types(j, opt, &fs[k], &ids, limit);
    p2v_json_arr_end(j);

    char pbuf[4096];
    const char *path = facts_path(opt, "/proc/self/mountinfo", pbuf, sizeof(pbuf));
    struct p2v_buf text = P2V_BUF_INIT(16u << 20);
    bool trunc;
    uint64_t size;
    if (!path || facts_read_file(path, 16u << 20, &text, &trunc, &size) < 0)
        p2v_buf_reset(&text);
    p2v_json_key(j, "quota_files");
    p2v_json_arr_begin(j);
    for (size_t k = 0; k < nfs; k++)
        quota_files(j, opt, &fs[k], text.data, limit);
    p2v_json_arr_end(j);

    p2v_buf_release(&text);
    free(ids.v);
    free(fs);
    facts_mountinfo_free(m, n);
}
