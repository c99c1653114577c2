/* transfer_file.c: regular files: choose how to ask for each (whole,
 * delta against the destination, or resume of a partial), keep a window
 * of requests in flight, and write what comes back. */
#include "transfer_int.h"
#include "error.h"
#include "log.h"
#include <sys/stat.h>
#include <unistd.h>

/* Below this a delta (signature out, delta back) costs more than the
 * file: an edited config file of a few KiB still goes by delta, as rsync
 * sends it, which is what a final sync is made of. */
#define DELTA_MIN_SIZE (2u << 10)
#define CHANGED_RETRIES 3
#define CHANNEL_INFLIGHT_MAX (8ull << 20)
/* New files below this are made unnamed in place (destfs_new.c): sent
 * again whole if a run dies, never resumed. */
#define INPLACE_MAX (1u << 20)

static struct pending *head(struct chan *c)
{
    return c->ring_count ? &c->ring[c->ring_head] : NULL;
}

static void close_pending(struct pending *p)
{
    delta_patch_free(p->patch);
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->basis_fd >= 0)
        close(p->basis_fd);
    destfs__at_close(&p->at);
    p2v_entry_clear(&p->e);
    memset(p, 0, sizeof(*p));
    p->out_fd = p->basis_fd = p->at.dirfd = -1;
}

static void pop(struct chan *c)
{
    c->inflight_bytes -= c->ring[c->ring_head].counted;
    close_pending(&c->ring[c->ring_head]);
    c->ring_head = (c->ring_head + 1) % c->ring_cap;
    c->ring_count--;
}

void xfer_pending_drop(struct chan *c)
{
    while (c->ring_count)
        pop(c);
}

static int queue_sig(struct chan *c, uint32_t id, const struct p2v_buf *sig)
{
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < sig->len; off += P2V_XFER_CHUNK) {
        size_t n = sig->len - off < P2V_XFER_CHUNK ? sig->len - off : P2V_XFER_CHUNK;
        p2v_buf_reset(&b);
        rc = p2v_chunk_encode(&b, id, 0, sig->data + off, n);
        if (rc == 0)
            rc = sender_queue(&c->snd, P2V_MSG_FILE_SIG, b.data, b.len);
    }
    p2v_buf_release(&b);
    return rc;
}

static int send_request(struct chan *c, struct pending *p, struct p2v_buf *sig)
{
    struct p2v_file_req req = {.id = p->id, .path = p->e.path, .path_len = p->e.path_len,
                               .method = p->method, .offset = p->offset, .sig_len = sig->len};
    struct p2v_buf b = P2V_BUF_INIT(P2V_FRAME_MAX);
    int rc = p2v_file_req_encode(&b, &req);
    if (rc == 0)
        rc = sender_queue(&c->snd, P2V_MSG_FILE_REQ, b.data, b.len);
    p2v_buf_release(&b);
    if (rc == 0 && sig->len)
        rc = queue_sig(c, p->id, sig);
    p2v_buf_release(sig);
    return rc;
}

/* --verify: a delta of the source against the copy, patched in compare
 * mode, must reproduce the copy exactly. */
static int request_verify(struct chan *c, struct pending *p, struct p2v_buf *sig)
{
    struct xfer *x = c->x;
    p->method = P2V_FILE_DELTA;
    if (destfs_open_basis(&x->df, p->e.path, &p->basis_fd) != 0 ||
        delta_signature(p->basis_fd, p->e.size, false, sig) < 0) {
        p2v_buf_release(sig);
        return -1;
    }
    p->basis_len = p->e.size;
    p->patch = delta_patch_compare(p->basis_fd, p->basis_len, p->basis_fd,
                                   p->e.size + p->e.size / 2 + (64u << 20));
    if (!p->patch) {
        p2v_buf_release(sig);
        return -1;
    }
    return send_request(c, p, sig);
}

/* Decide the method for one file and send its request. */
static int request(struct chan *c, struct p2v_entry *e, unsigned attempts)
{
    struct xfer *x = c->x;
    struct pending *p = &c->ring[(c->ring_head + c->ring_count) % c->ring_cap];
    memset(p, 0, sizeof(*p));
    p->out_fd = p->basis_fd = p->at.dirfd = -1;
    p->e = *e;
    memset(e, 0, sizeof(*e));
    p->id = c->next_id++;
    p->attempts = attempts;
    c->ring_count++;
    p->counted = p->e.size;
    c->inflight_bytes += p->counted;

    struct p2v_buf sig = P2V_BUF_INIT(P2V_SIG_MAX);
    if (x->o->verify)
        return request_verify(c, p, &sig);
    p->method = P2V_FILE_WHOLE;
    p->short_sums = (c->s->agent.caps & P2V_CAP_DELTA_SUM) != 0;
    bool whole = (p->e.flags & XF_WHOLE) != 0;
    if ((p->e.flags & XF_ABSENT) && p->e.size < INPLACE_MAX) {
        /* a partial of it from a killed run would be left behind */
        if (x->st->partial_files && destfs_tmp_discard(&x->df, p->e.path) < 0)
            goto fail;
        int r = destfs_new_open(&x->df, p->e.path, &p->at, &p->out_fd);
        if (r < 0)
            goto fail;
        if (r == 0) {
            p->inplace = true;
            return send_request(c, p, &sig);
        }
    }
    uint64_t have = 0;
    int fd;
    if (destfs_tmp_open(&x->df, p->e.path, true, &fd, &have) < 0) {
        p2v_buf_release(&sig);
        return -1;
    }
    if (have > 0 && whole) {
        /* holes are left unwritten: nothing of the partial may stay */
        close(fd);
        if (destfs_tmp_discard(&x->df, p->e.path) < 0 ||
            destfs_tmp_open(&x->df, p->e.path, false, &p->out_fd, &have) < 0)
            goto fail;
    } else if (have > 0) {
        /* a partial from an interrupted run: it becomes the basis of a
         * delta over its length; the rest comes raw */
        p->basis_fd = fd;
        p->basis_len = have;
        if (destfs_tmp_discard(&x->df, p->e.path) < 0 ||
            destfs_tmp_open(&x->df, p->e.path, false, &p->out_fd, &have) < 0)
            goto fail;
        if (delta_signature(p->basis_fd, p->basis_len, p->short_sums, &sig) == 0) {
            p->method = P2V_FILE_RESUME;
            p->offset = p->basis_len;
            xfer_lock(x);
            x->st->resumed++;
            x->st->resumed_bytes += p->basis_len;
            xfer_unlock(x);
        }
    } else {
        p->out_fd = fd;
        if (!(p->e.flags & XF_ABSENT) && !whole && p->e.size >= DELTA_MIN_SIZE &&
            destfs_open_basis(&x->df, p->e.path, &p->basis_fd) == 0) {
            struct stat st;
            if (fstat(p->basis_fd, &st) == 0 && st.st_size > 0 &&
                delta_signature(p->basis_fd, (uint64_t)st.st_size, p->short_sums, &sig) == 0) {
                p->method = P2V_FILE_DELTA;
                p->basis_len = (uint64_t)st.st_size;
                xfer_lock(x);
                x->st->deltas++;
                xfer_unlock(x);
            }
        }
    }
    if (p->method == P2V_FILE_WHOLE) {
        p2v_buf_reset(&sig);
        if (p->basis_fd >= 0)
            close(p->basis_fd);
        p->basis_fd = -1;
        p2v_error_clear();
    } else {
        /* the patched output is bounded: a growing file may add a little */
        uint64_t max = p->e.size + p->e.size / 2 + (64u << 20);
        p->patch = delta_patch_begin(p->basis_fd, p->basis_len, p->out_fd, max);
        if (!p->patch)
            goto fail;
    }
    return send_request(c, p, &sig);
fail:
    p2v_buf_release(&sig);
    return -1;
}

/* Take the next waiting file, if any (under the lock). */
static bool take_waiting(struct xfer *x, struct p2v_entry *out)
{
    xfer_lock(x);
    bool got = entry_queue_pop(&x->waiting, out);
    xfer_unlock(x);
    return got;
}

/* With several channels one must not take every big file while the
 * others idle: past CHANNEL_INFLIGHT_MAX bytes (several ssh windows, so
 * its stream never runs dry) a channel leaves the queue to the others. */
static bool has_room(const struct chan *c)
{
    if (c->ring_count >= c->ring_cap)
        return false;
    return c->x->nch == 1 || c->ring_count == 0 || c->inflight_bytes < CHANNEL_INFLIGHT_MAX;
}

int xfer_dispatch(struct chan *c)
{
    struct p2v_entry e;
    while (has_room(c) && take_waiting(c->x, &e)) {
        unsigned attempts = e.flags >> 24;   /* retries ride in the unused high bits */
        e.flags &= 0x00ffffffu;
        if (request(c, &e, attempts) < 0)
            return -1;
    }
    return 0;
}

static int write_at(struct chan *c, struct pending *p, uint64_t off, const void *data, size_t n)
{
    struct xfer *x = c->x;
    for (size_t done = 0; done < n;) {
        ssize_t w = pwrite(p->out_fd, (const char *)data + done, n - done, (off_t)(off + done));
        if (w < 0) {
            p2v_error_set_errno(errno, "write /%s into %s", p->e.path, x->node->private_dir);
            if (errno == ENOSPC || errno == EDQUOT)
                p2v_error_hint("free space on the node's filesystem and run p2vmigrate again: "
                               "the copy resumes where it stopped");
            return -1;
        }
        done += (size_t)w;
    }
    if (off + n > p->end)
        p->end = off + n;
    __atomic_fetch_add(&x->bytes_done, n, __ATOMIC_RELAXED);
    return 0;
}

/* The most a file listed at `size` can plausibly hold once read (it may
 * grow a little while read): size * 1.5 + 64 MiB, saturating. */
static uint64_t plausible_max(uint64_t size)
{
    uint64_t extra = size / 2 + (64u << 20);
    return size > UINT64_MAX - extra ? UINT64_MAX : size + extra;
}

/* Bytes beyond what the file could plausibly hold mean a lying agent. */
static int check_range(struct chan *c, struct pending *p, uint64_t off, uint64_t len)
{
    uint64_t limit = plausible_max(p->e.size);
    if (off > limit || len > limit - off)
        return p2v_error_set("%s sent data for /%s beyond its size", c->s->t.peer, p->e.path);
    if (p->method == P2V_FILE_RESUME && off < p->offset)
        return p2v_error_set("%s sent raw data inside the resumed prefix of /%s", c->s->t.peer,
                             p->e.path);
    return 0;
}

static int finish_verify(struct xfer *x, struct pending *p, const struct p2v_file_end *end)
{
    uint64_t patched = 0;
    if (end->status != P2V_FILE_OK) {
        verify_report(x, p->e.path, p->e.path_len,
                      end->status == P2V_FILE_CHANGED ? "changed on the source while verified"
                      : end->status == P2V_FILE_VANISHED ? "vanished from the source"
                                                          : "unreadable on the source");
        return 0;
    }
    if (delta_patch_end(p->patch, &patched) < 0)
        return p2v_error_prefix("/%s", p->e.path);
    if (delta_patch_differs(p->patch) || patched != p->basis_len || end->size != p->basis_len)
        verify_report(x, p->e.path, p->e.path_len, "content differs");
    x->st->files_same++;
    return 0;
}

/* The file's shared bookkeeping, under the lock: channels finish files
 * from several threads. */
static void count(struct xfer *x, uint64_t *counter)
{
    xfer_lock(x);
    (*counter)++;
    xfer_unlock(x);
}

/* A short block sum matched by chance (or the agent sent no sum): the
 * patched file is not the source's. Drop it and ask for the file whole. */
static int redo_whole(struct xfer *x, struct pending *p)
{
    p2v_debug("/%s: the delta's sum differs from the patched file; asking for it whole",
              p->e.path);
    if (destfs_tmp_discard(&x->df, p->e.path) < 0)
        return -1;
    count(x, &x->st->deltas_redone);
    struct p2v_entry again = p->e;
    memset(&p->e, 0, sizeof(p->e));
    again.flags |= XF_WHOLE;
    return xfer_queue_file(x, &again);
}

static int finish_file(struct chan *c, struct pending *p, const struct p2v_file_end *end)
{
    struct xfer *x = c->x;
    if (x->o->verify)
        return finish_verify(x, p, end);
    if (end->status == P2V_FILE_CHANGED || end->status == P2V_FILE_VANISHED ||
        end->status == P2V_FILE_ERROR) {
        if (!p->inplace)   /* an unnamed file just goes with its descriptor */
            destfs_tmp_discard(&x->df, p->e.path);
        if (end->status == P2V_FILE_CHANGED && p->attempts + 1 < CHANGED_RETRIES) {
            count(x, &x->st->changed_resent);
            struct p2v_entry again = p->e;
            memset(&p->e, 0, sizeof(p->e));
            again.flags = (again.flags & 0x00ffffffu) | ((p->attempts + 1) << 24);
            return xfer_queue_file(x, &again);
        }
        if (end->status == P2V_FILE_VANISHED) {
            count(x, &x->st->vanished);
            return destfs_remove(&x->df, p->e.path) < 0 ? -1 : 0;
        }
        count(x, end->status == P2V_FILE_CHANGED ? &x->st->changed_given_up : &x->st->unreadable);
        xfer_give_up(x, p->e.path,
                     end->status == P2V_FILE_CHANGED ? "kept changing while it was read; the "
                                                       "destination keeps its earlier copy"
                                                     : end->message);
        return 0;
    }
    uint64_t size = p->end;
    if (p->patch) {
        uint64_t patched;
        if (delta_patch_end(p->patch, &patched) < 0)
            return p2v_error_prefix("/%s", p->e.path);
        if (p->short_sums && !delta_patch_sum_matches(p->patch, end->sum, end->sum_len))
            return redo_whole(x, p);
        if (patched > size)
            size = patched;
    }
    if (size > end->size)
        return p2v_error_set("%s sent %llu bytes for /%s of %llu", c->s->t.peer,
                             (unsigned long long)size, p->e.path, (unsigned long long)end->size);
    /* the size is applied with ftruncate: a lie here would make a huge
     * (sparse) file out of a few bytes */
    if (end->size > plausible_max(p->e.size))
        return p2v_error_set("%s says /%s, listed at %llu bytes, has %llu", c->s->t.peer,
                             p->e.path, (unsigned long long)p->e.size,
                             (unsigned long long)end->size);
    /* a new file written to its end has its size already */
    if (!(p->inplace && p->end == end->size) && ftruncate(p->out_fd, (off_t)end->size) < 0)
        return p2v_error_set_errno(errno, "set the size of /%s", p->e.path);
    /* what was read is what the file is: its size and time after reading */
    p->e.size = end->size;
    p->e.mtime_sec = end->mtime_sec;
    p->e.mtime_nsec = end->mtime_nsec;
    /* a new file may have inherited flags from its directory */
    bool flag_later = destfs_flags_differ_fd(p->out_fd, p->e.fsflags);
    if ((p->inplace ? destfs_new_commit(&x->df, &p->at, p->out_fd, &p->e)
                    : destfs_commit(&x->df, p->e.path, p->out_fd, &p->e)) < 0)
        return -1;
    xfer_lock(x);
    x->st->files_sent++;
    x->st->bytes_sent += end->size;
    if (flag_later) {
        struct p2v_entry keep = p->e;
        memset(&p->e, 0, sizeof(p->e));
        entry_list_push(&x->flagged, &keep);
    }
    xfer_unlock(x);
    return 0;
}

/* A data or delta chunk, decompressed when it came as a zstd frame. */
static int take_chunk(struct chan *c, uint16_t *type, const void *p, size_t n, uint32_t *id,
                      uint64_t *off, const void **data, size_t *len)
{
    if (p2v_chunk_decode(p, n, id, off, data, len) < 0)
        return -1;
    if (*type != P2V_MSG_FILE_ZDATA && *type != P2V_MSG_FILE_ZDELTA)
        return 0;
    if (!c->x->o->compress)
        return p2v_error_set("%s sent compressed data unasked", c->s->t.peer);
    if (!c->unz)
        c->unz = p2v_xmalloc(P2V_XFER_CHUNK);
    size_t plain;
    if (p2v_chunk_decompress(*data, *len, c->unz, P2V_XFER_CHUNK, &plain) < 0)
        return p2v_error_prefix("from %s", c->s->t.peer);
    *data = c->unz;
    *len = plain;
    *type = *type == P2V_MSG_FILE_ZDATA ? P2V_MSG_FILE_DATA : P2V_MSG_FILE_DELTA;
    return 0;
}

static int out_of_order(struct chan *c, struct pending *h, uint16_t type)
{
    return p2v_error_set("%s answered out of order (%s for another file than /%s)", c->s->t.peer,
                         p2v_msg_name(type), h->e.path);
}

int xfer_file_frame(struct chan *c, uint16_t type, const void *p, size_t n)
{
    struct pending *h = head(c);
    uint32_t id;
    uint64_t off, len;
    const void *data;
    size_t dlen;
    if (!h)
        return p2v_error_set("%s sent %s with no file requested", c->s->t.peer, p2v_msg_name(type));
    switch (type) {
    case P2V_MSG_FILE_DATA:
    case P2V_MSG_FILE_ZDATA:
    case P2V_MSG_FILE_DELTA:
    case P2V_MSG_FILE_ZDELTA:
        if (take_chunk(c, &type, p, n, &id, &off, &data, &dlen) < 0)
            return -1;
        if (id != h->id)
            return out_of_order(c, h, type);
        if (type == P2V_MSG_FILE_DATA)
            return check_range(c, h, off, dlen) < 0 ? -1 : write_at(c, h, off, data, dlen);
        if (!h->patch)
            return p2v_error_set("%s sent a delta for /%s, which was asked for whole",
                                 c->s->t.peer, h->e.path);
        __atomic_fetch_add(&c->x->bytes_done, dlen, __ATOMIC_RELAXED);
        return delta_patch_feed(h->patch, data, dlen) < 0 ? p2v_error_prefix("/%s", h->e.path) : 0;
    case P2V_MSG_FILE_HOLE:
        if (p2v_hole_decode(p, n, &id, &off, &len) < 0)
            return -1;
        if (id != h->id)
            return out_of_order(c, h, type);
        if (check_range(c, h, off, len) < 0)
            return -1;
        if (off + len > h->end)
            h->end = off + len;
        return 0;
    case P2V_MSG_FILE_END: {
        struct p2v_file_end end;
        if (p2v_file_end_decode(p, n, &end) < 0)
            return -1;
        if (end.id != h->id) {
            free(end.message);
            return out_of_order(c, h, type);
        }
        int rc = finish_file(c, h, &end);
        free(end.message);
        pop(c);
        return rc;
    }
    default:
        return p2v_error_set("%s sent an unexpected %s (%u) during the transfer", c->s->t.peer,
                             p2v_msg_name(type), type);
    }
}
