/* transfer.c: the transfer's main loop and the listing (see transfer.h). */
#include "transfer_int.h"
#include "agent_pack.h"
#include "lock.h"
#include "error.h"
#include "log.h"
#include "progress.h"
#include <fnmatch.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_WINDOW 64

void entry_list_push(struct entry_list *l, struct p2v_entry *e)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = p2v_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = *e;
    memset(e, 0, sizeof(*e));
}

void entry_list_release(struct entry_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        p2v_entry_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void xfer_lock(struct xfer *x)
{
    pthread_mutex_lock(&x->lock);
}

void xfer_unlock(struct xfer *x)
{
    pthread_mutex_unlock(&x->lock);
}

int xfer_queue_file(struct xfer *x, struct p2v_entry *e)
{
    xfer_lock(x);
    int rc = entry_queue_push(&x->waiting, e);
    pthread_cond_broadcast(&x->cond);   /* an idle channel, or ch[0] waiting */
    xfer_unlock(x);
    p2v_entry_clear(e);
    return rc < 0 ? p2v_error_prefix("queue a file") : 0;
}

void xfer_give_up(struct xfer *x, const char *path, const char *why)
{
    p2v_warn("not copied: /%s: %s", path, why);
    xfer_lock(x);
    x->given_up = p2v_xrealloc(x->given_up, (x->ngiven_up + 1) * sizeof(char *));
    x->given_up[x->ngiven_up++] = p2v_xasprintf("/%s: %s", path, why);
    xfer_unlock(x);
}

/* Called by ch[0]'s thread only: the display is not shared. */
void xfer_progress(struct xfer *x, bool force)
{
    xfer_lock(x);
    struct p2v_progress p = {
        .stage = x->list_done ? "copy" : "list+copy",
        .files_done = x->st->files_sent + x->st->files_same,
        .files_total = x->list_done ? x->st->files : 0,
        .bytes_done = __atomic_load_n(&x->bytes_done, __ATOMIC_RELAXED),
        .bytes_total = x->list_done ? x->bytes_planned : 0,
    };
    xfer_unlock(x);
    p2v_progress_update(&p, force);
}

int transfer_default_excludes(char ***out, size_t *n)
{
    const char *candidates[] = {getenv("P2V_EXCLUDE_LIST"), P2V_TEMPLATES_DIR "/exclude.list",
                                P2V_INSTALL_SHARE "/exclude.list"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(candidates); i++) {
        if (!candidates[i])
            continue;
        FILE *f = fopen(candidates[i], "r");
        if (!f)
            continue;
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) >= 0) {
            line[strcspn(line, "\n")] = '\0';
            if (!line[0] || line[0] == '#')
                continue;
            *out = p2v_xrealloc(*out, (*n + 1) * sizeof(char *));
            (*out)[(*n)++] = p2v_xstrdup(line);
        }
        free(line);
        fclose(f);
        return 0;
    }
    return p2v_error_set("cannot find the default exclude list (templates/exclude.list)");
}

static bool matches_any(char *const *patterns, size_t n, const char *abs)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(patterns[i], abs, FNM_PATHNAME) == 0)
            return true;
    return false;
}

bool transfer_matches(char *const *patterns, size_t n, const char *path, size_t len)
{
    if (!n || !len)
        return false;
    char *abs = p2v_xmalloc(len + 2);
    abs[0] = '/';
    memcpy(abs + 1, path, len);
    abs[len + 1] = '\0';
    bool hit = matches_any(patterns, n, abs);
    free(abs);
    return hit;
}

/* A path is excluded when it, or a directory above it, matches. When
 * memo holds the path's parent, already known clean with all its
 * ancestors, only the path itself is matched: a depth-first listing
 * would otherwise match every ancestor of every entry again. */
bool transfer_excluded_memo(char *const *patterns, size_t n, struct excl_memo *memo,
                            const char *path, size_t len, bool is_dir)
{
    if (!n || !len)
        return false;
    size_t plen = len;
    while (plen > 0 && path[plen - 1] != '/')
        plen--;
    plen = plen ? plen - 1 : 0;
    char *abs = p2v_xmalloc(len + 2);
    abs[0] = '/';
    memcpy(abs + 1, path, len);
    abs[len + 1] = '\0';
    bool parent_clean = memo && memo->known && memo->len == plen &&
                        memcmp(memo->dir, path, plen) == 0;
    bool hit = false;
    for (size_t end = len + 1; !hit && end > 1;) {
        abs[end] = '\0';
        hit = matches_any(patterns, n, abs);
        if (parent_clean)
            break;
        while (end > 1 && abs[end - 1] != '/')
            end--;
        if (end > 1)
            end--;
    }
    free(abs);
    if (memo && !hit) {
        size_t keep = is_dir ? len : plen;
        if (keep + 1 > memo->cap) {
            memo->cap = keep + 64;
            memo->dir = p2v_xrealloc(memo->dir, memo->cap);
        }
        memcpy(memo->dir, path, keep);
        memo->len = keep;
        memo->known = true;
    }
    return hit;
}

bool transfer_excluded(char *const *patterns, size_t n, const char *path, size_t len)
{
    return transfer_excluded_memo(patterns, n, NULL, path, len, false);
}

void xfer_count_wire(struct xfer_stats *st, const struct p2v_conn *in, const struct sender *out)
{
    st->wire_in += in->bytes_in;
    st->wire_out += out->bytes;
    for (unsigned t = 0; t < P2V_FRAME_TYPES; t++) {
        st->type_in[t] += in->type_in[t];
        st->type_out[t] += out->type_out[t];
    }
}

int transfer_mark(const struct node_info *node, const char *status)
{
    if (state_dir_ensure(node->cfg) < 0)
        return -1;
    char *tmp = p2v_xasprintf("%s.tmp", node->resume_marker);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int e = errno;
        free(tmp);
        return p2v_error_set_errno(e, "write `%s`", node->resume_marker);
    }
    fprintf(f, "SOURCE=%s\nSTATUS=%s\nPRIVATE=%s\n", node->host, status, node->private_dir);
    int rc = fclose(f) == 0 && rename(tmp, node->resume_marker) == 0 ? 0 : -1;
    if (rc < 0)
        p2v_error_set_errno(errno, "write `%s`", node->resume_marker);
    free(tmp);
    return rc;
}

/* Everything but regular files is made as it arrives; directories are
 * kept for their times, hard links wait for their target, and flags wait
 * for the very end. */
static int take_entry(struct xfer *x, struct p2v_entry *e)
{
    if (destfs_check_path(e->path, e->path_len) < 0)
        return p2v_error_prefix("the agent listed an invalid path");
    /* a real listing names each path once: a second entry would replace
     * what the first made (a symlink, then a file "through" it) */
    if (pathset_has(&x->seen, e->path, e->path_len))
        return p2v_error_set("%s listed /%s twice", x->s->t.peer,
                             destfs_show(e->path, e->path_len));
    pathset_add(&x->seen, e->path, e->path_len);
    x->st->entries++;
    e->flags &= P2V_EF_SPARSE;   /* the high bits count our retries (transfer_file.c) */
    if (transfer_excluded_memo(x->excludes, x->nexcludes, &x->excl_memo, e->path, e->path_len,
                               e->type == P2V_FT_DIR))
        return 0;
    if (x->o->verify)
        return verify_entry(x, e);
    struct stat st;
    uint32_t seen, known;
    int have = destfs_probe(&x->df, e->path, e->path_len, &st, &seen, &known);
    if (have < 0)
        return -1;
    switch (e->type) {
    case P2V_FT_REG:
        x->st->files++;
        x->st->bytes_listed += e->size;
        if (have == 0 && destfs_same(&st, e)) {
            /* not every file: on ext4 each has the (unsettable) extents flag */
            bool reflag = destfs_flags_may_differ(e->fsflags, seen, known);
            /* the data is the same; an xattr or ACL may not be */
            if (destfs_probe_xattrs_differ(&x->df, e->path, e->path_len, e)) {
                /* immutable and append-only refuse them: cleared, set last */
                if ((seen & (FS_IMMUTABLE_FL | FS_APPEND_FL)) &&
                    destfs_set_flags(&x->df, e->path, 0) < 0)
                    return -1;
                if (destfs_apply_meta(&x->df, e->path, e) < 0)
                    return -1;
                x->st->meta_updated++;
                reflag = reflag || (e->fsflags & DESTFS_SETTABLE_FLAGS);
            }
            xfer_lock(x);
            x->st->files_same++;
            if (reflag)
                entry_list_push(&x->flagged, e);
            xfer_unlock(x);
            return 0;
        }
        if (have == 1)
            e->flags |= XF_ABSENT;
        x->bytes_planned += e->size;
        if (xfer_queue_file(x, e) < 0)
            return -1;
        xfer_channels_maybe_start(x);
        return 0;
    case P2V_FT_DIR:
        if (destfs_mkdir(&x->df, e) < 0)
            return -1;
        entry_list_push(&x->dirs, e);
        return 0;
    case P2V_FT_HARDLINK:
        if (destfs_check_path(e->link, e->link_len) < 0)
            return p2v_error_prefix("the agent listed an invalid hard link");
        entry_list_push(&x->hardlinks, e);
        return 0;
    case P2V_FT_SYMLINK:
        if (!(have == 0 && destfs_same(&st, e)) && destfs_symlink(&x->df, e) < 0)
            return -1;
        return destfs_apply_meta(&x->df, e->path, e);
    default:
        if (!(have == 0 && destfs_same(&st, e)) && destfs_mknod(&x->df, e) < 0)
            return -1;
        return destfs_apply_meta(&x->df, e->path, e);
    }
}

static int take_list(struct xfer *x, const void *p, size_t n)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    uint32_t count = p2v_get_u32(&d);
    struct p2v_entry_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));   /* each batch is coded on its own */
    for (uint32_t i = 0; i < count && !d.err; i++) {
        struct p2v_entry e;
        if (p2v_entry_decode(&d, &e, &ctx) < 0)
            break;
        int rc = take_entry(x, &e);
        p2v_entry_clear(&e);
        if (rc < 0)
            return -1;
    }
    return p2v_dec_finish(&d, "LIST_DATA message");
}

static int take_zlist(struct xfer *x, const void *p, size_t n)
{
    if (!x->unzlist)
        x->unzlist = p2v_xmalloc(P2V_FRAME_MAX);
    size_t plain;
    if (p2v_chunk_decompress(p, n, x->unzlist, P2V_FRAME_MAX, &plain) < 0)
        return p2v_error_prefix("listing from %s", x->s->t.peer);
    return take_list(x, x->unzlist, plain);
}

static int take_warn(struct xfer *x, const void *p, size_t n)
{
    struct p2v_dec d;
    p2v_dec_init(&d, p, n);
    size_t len;
    const char *path = p2v_get_bytes(&d, &len, P2V_PATH_MAX);
    char *msg = p2v_get_str(&d, 4096);
    if (p2v_dec_finish(&d, "LIST_WARN message") < 0) {
        free(msg);
        return -1;
    }
    struct p2v_buf shown = P2V_BUF_INIT(8 * P2V_PATH_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            p2v_buf_printf(&shown, "\\x%02x", c);
        else
            p2v_buf_addc(&shown, (char)c);
    }
    p2v_warn("source: /%s: %s", shown.data ? shown.data : "", msg);
    x->st->warnings++;
    p2v_buf_release(&shown);
    free(msg);
    return 0;
}

/* Read ch[0]'s frames until the listing and every file are done; the
 * other channels work in their own threads (transfer_chan.c). */
static int loop(struct xfer *x)
{
    struct chan *ch = &x->ch[0];
    struct p2v_conn *c = &x->s->t.conn;
    for (;;) {
        if (x->list_done && ch->ring_count == 0) {
            int w = xfer_channels_wait(x);
            if (w != 0)
                return w > 0 ? 0 : -1;
            if (xfer_dispatch(ch) < 0)
                return -1;
            if (ch->ring_count == 0)
                continue;
        }
        uint16_t type;
        const void *p;
        size_t n;
        if (p2v_frame_recv(c, &type, &p, &n) < 0)
            return transport_explain_failure(&x->s->t, "during the transfer");
        int rc = 0;
        switch (type) {
        case P2V_MSG_LIST_DATA: rc = take_list(x, p, n); break;
        case P2V_MSG_LIST_ZDATA: rc = take_zlist(x, p, n); break;
        case P2V_MSG_LIST_WARN: rc = take_warn(x, p, n); break;
        case P2V_MSG_LIST_END: {
            if (x->list_done)
                return p2v_error_set("%s ended its listing twice", x->s->t.peer);
            struct p2v_dec d;
            p2v_dec_init(&d, p, n);
            uint64_t entries = p2v_get_u64(&d);
            (void)p2v_get_u64(&d);
            if (p2v_dec_finish(&d, "LIST_END message") < 0)
                return -1;
            if (entries != x->st->entries)
                return p2v_error_set("%s announced %llu entries but listed %llu", x->s->t.peer,
                                     (unsigned long long)entries,
                                     (unsigned long long)x->st->entries);
            xfer_lock(x);
            x->list_done = true;
            pthread_cond_broadcast(&x->cond);
            xfer_unlock(x);
            rc = xfer_delete_extraneous(x);
            break;
        }
        case P2V_MSG_PROGRESS: break;
        case P2V_MSG_ERROR: return session_agent_error(x->s, p, n);
        default:
            rc = xfer_file_frame(ch, type, p, n);
        }
        if (rc < 0 || xfer_failed(x) < 0)
            return -1;
        if (xfer_dispatch(ch) < 0)
            return -1;
        xfer_progress(x, false);
    }
}

static int start(struct xfer *x, const struct inventory *inv)
{
    struct p2v_list_req req = {.base = "/"};
    char *roots[P2V_LIST_ROOTS_MAX];
    for (size_t i = 0; i < inv->nmounts && req.nroots < P2V_LIST_ROOTS_MAX; i++)
        if (inv->mounts[i].kind == MOUNT_LOCAL)
            roots[req.nroots++] = inv->mounts[i].target;
    req.roots = roots;
    req.excludes = x->excludes;
    req.nexcludes = x->nexcludes;
    /* the listing always goes compressed: cheap, and a sync resends it */
    req.flags = P2V_LIST_ZLIST | (x->o->compress ? P2V_LIST_COMPRESS : 0);
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = p2v_list_req_encode(&b, &req);
    if (rc == 0)
        rc = sender_queue(&x->ch[0].snd, P2V_MSG_LIST_REQ, b.data, b.len);
    p2v_buf_release(&b);
    return rc;
}

static void count_partials(struct xfer *x)
{
    uint64_t files = 0, bytes = 0;
    destfs_tmp_stats(&x->df, &files, &bytes);
    x->st->partial_files = files;
    x->st->partial_bytes = bytes;
}

int transfer_run(struct session *s, const struct inventory *inv, const struct node_info *node,
                 const struct xfer_opts *o, struct xfer_stats *st)
{
    struct xfer x = {.s = s, .o = o, .node = node, .st = st};
    entry_queue_init(&x.waiting);
    memset(st, 0, sizeof(*st));
    st->channels = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = -1;
    if (!(s->agent.caps & P2V_CAP_FILES))
        return p2v_error_set("%s (%s) cannot serve files", s->t.peer, s->agent.software);
    if (transfer_default_excludes(&x.excludes, &x.nexcludes) < 0)
        return -1;
    for (size_t i = 0; i < o->nexcludes; i++) {
        x.excludes = p2v_xrealloc(x.excludes, (x.nexcludes + 1) * sizeof(char *));
        x.excludes[x.nexcludes++] = p2v_xstrdup(o->excludes[i]);
    }
    pthread_mutex_init(&x.lock, NULL);
    pthread_cond_init(&x.cond, NULL);
    pathset_init(&x.seen);
    x.nch = 1;
    if (!o->verify && xfer_channels_plan(s, o, &x.nch) < 0) {
        x.nch = 0;
        goto out_noclose;
    }
    x.ch = p2v_xcalloc(x.nch, sizeof(*x.ch));
    for (unsigned i = 0; i < x.nch; i++) {
        struct chan *c = &x.ch[i];
        c->x = &x;
        c->index = i;
        c->s = i == 0 ? s : &c->own;
        c->ring_cap = o->window ? o->window : DEFAULT_WINDOW;
        c->ring = p2v_xcalloc(c->ring_cap, sizeof(*c->ring));
    }
    x.nch_started = 1;
    if (o->verify) {
        if (destfs_open(&x.df, node->private_dir, false) < 0)
            goto out_noclose;
    } else if (transfer_mark(node, "copying") < 0 ||
               destfs_open(&x.df, node->private_dir, true) < 0) {
        goto out_noclose;
    }
    if (!o->verify && o->restart && destfs_clear(&x.df) < 0)
        goto out;
    count_partials(&x);
    if (!o->verify && node->resume_complete && !st->partial_files && node->private_nonempty)
        p2v_info("syncing: %s holds a complete copy of %s; only changes are sent",
                 node->private_dir, node->host);
    else if (!o->verify && (st->partial_files || node->private_nonempty))
        p2v_info("resuming: %s already holds an earlier copy; %llu interrupted files (%llu "
                 "bytes) continue by delta", node->private_dir,
                 (unsigned long long)st->partial_files, (unsigned long long)st->partial_bytes);
    if (sender_start(&x.ch[0].snd, s->t.conn.wfd) < 0)
        goto out;
    p2v_progress_stage(o->verify ? "verify" : "copy");
    rc = start(&x, inv);
    if (rc == 0)
        rc = loop(&x);
    /* every channel ends before the hard links, times and flags */
    xfer_channels_stop(&x, rc < 0);
    if (rc == 0)
        rc = xfer_failed(&x);
    if (rc == 0)
        rc = xfer_finish(&x);
    xfer_progress(&x, true);
    p2v_progress_done();
out:
    if (rc < 0) {
        /* the agent may be blocked writing to us: end it so the sender
         * thread's write fails instead of hanging */
        char saved[P2V_ERROR_MAX];
        snprintf(saved, sizeof(saved), "%s", p2v_error_message());
        char hint[P2V_ERROR_MAX];
        snprintf(hint, sizeof(hint), "%s", p2v_error_hint_text());
        if (strstr(saved, strerror(ENOSPC)) || strstr(saved, strerror(EDQUOT)))
            snprintf(hint, sizeof(hint), "free space on the node's filesystem for %s and run "
                     "p2vmigrate again: the copy resumes where it stopped", node->private_dir);
        session_abort(s);
        p2v_error_set("%s", saved);
        if (hint[0])
            p2v_error_hint("%s", hint);
    }
    sender_stop(&x.ch[0].snd);
    xfer_count_wire(st, &s->t.conn, &x.ch[0].snd);
    st->selinux_dropped = x.df.selinux_dropped;
    st->xattrs_failed = x.df.xattrs_failed;
    destfs_close(&x.df);
out_noclose:
    for (unsigned i = 0; i < x.nch; i++) {
        xfer_pending_drop(&x.ch[i]);
        free(x.ch[i].ring);
        free(x.ch[i].unz);
    }
    free(x.ch);
    pthread_mutex_destroy(&x.lock);
    pthread_cond_destroy(&x.cond);
    pathset_release(&x.seen);
    entry_queue_release(&x.waiting);
    entry_list_release(&x.dirs);
    entry_list_release(&x.hardlinks);
    entry_list_release(&x.flagged);
    agent_memo_drop();
    free(x.excl_memo.dir);
    free(x.unzlist);
    for (size_t i = 0; i < x.nexcludes; i++)
        free(x.excludes[i]);
    free(x.excludes);
    for (size_t i = 0; i < x.ngiven_up; i++)
        free(x.given_up[i]);
    free(x.given_up);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}
