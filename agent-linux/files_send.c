/* files_send.c: answer FILE_REQ with the file's data or a delta.
 *
 * The path is resolved beneath the base of the last LIST_REQ one
 * component at a time with O_NOFOLLOW, so nothing the listing did not
 * show as a regular file is ever read. Answers, in request order:
 *   WHOLE:  FILE_DATA chunks (u32 id, u64 offset, bytes), FILE_HOLE for
 *           each hole of a sparse file, the trailing one included;
 *   DELTA:  the FILE_SIG frames are read first (they follow the request),
 *           then the librsync delta of the whole file in FILE_DELTA chunks
 *           (offset 0, as xfer.h says);
 *   RESUME: the delta of [0, offset) only, then FILE_DATA from offset raw:
 *           a delta over the missing tail would be all literals, and
 *           librsync's literal path is far slower than a plain read.
 * Always followed by FILE_END with the status and the stat taken after
 * the last byte. A file whose size, mtime or ctime moved while it was
 * read, or that ended early, is CHANGED: the node asks again. */
#include "files.h"
#include "xfer.h"
#include "proto.h"
#include "error.h"
#include "log.h"
#include "filesum.h"
#include <fcntl.h>
#include <librsync.h>
#include <sys/stat.h>
#include <unistd.h>

struct result {
    uint8_t status;
    char msg[512];
};

struct sender {
    struct p2v_conn *c;
    uint32_t id;
    int fd;
    struct p2v_buf out, z;
    bool compress;
    char *inbuf, *outbuf;
    struct result res;
    struct p2v_filesum *sum;   /* of what the delta describes (P2V_CAP_DELTA_SUM) */
};

P2V_PRINTF(3, 4) static int fail(struct sender *S, uint8_t status, const char *fmt, ...)
{
    if (S->res.status != P2V_FILE_OK)
        return 1;   /* keep the first reason */
    S->res.status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(S->res.msg, sizeof(S->res.msg), fmt, ap);
    va_end(ap);
    return 1;
}

/* Sending helpers: -1 only when the connection failed. */
static int send_chunk(struct sender *S, uint16_t type, uint64_t off, const void *p, size_t n)
{
    if (S->compress) {
        /* zstd frame of this chunk, when it saves anything */
        p2v_buf_reset(&S->z);
        int rc = p2v_chunk_compress(p, n, &S->z);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            p = S->z.data;
            n = S->z.len;
            type = type == P2V_MSG_FILE_DATA ? P2V_MSG_FILE_ZDATA : P2V_MSG_FILE_ZDELTA;
        }
    }
    p2v_buf_reset(&S->out);
    if (p2v_chunk_encode(&S->out, S->id, off, p, n) < 0)
        return -1;
    return p2v_frame_send_more(S->c, type, S->out.data, S->out.len);
}

static int send_hole(struct sender *S, uint64_t off, uint64_t len)
{
    p2v_buf_reset(&S->out);
    if (p2v_hole_encode(&S->out, S->id, off, len) < 0)
        return -1;
    return p2v_frame_send_more(S->c, P2V_MSG_FILE_HOLE, S->out.data, S->out.len);
}

/* Read up to n bytes at off; 0..n, short only at end of file; -1 error. */
static ssize_t read_at(int fd, char *p, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, p + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Raw data of [from, to). Returns 0, 1 if it stopped (S->res says why), -1. */
static int send_data(struct sender *S, uint64_t from, uint64_t to)
{
    while (from < to) {
        size_t want = to - from > P2V_XFER_CHUNK ? P2V_XFER_CHUNK : (size_t)(to - from);
        ssize_t n = read_at(S->fd, S->inbuf, want, from);
        if (n < 0)
            return fail(S, P2V_FILE_ERROR, "read at %llu: %s", (unsigned long long)from,
                        strerror(errno));
        if (n > 0 && send_chunk(S, P2V_MSG_FILE_DATA, from, S->inbuf, (size_t)n) < 0)
            return -1;
        from += (uint64_t)n;
        if ((size_t)n < want)
            return fail(S, P2V_FILE_CHANGED, "shrank while read (ended at %llu)",
                        (unsigned long long)from);
    }
    return 0;
}

/* [from, to) of a sparse file: data regions as data, holes as holes. */
static int send_sparse(struct sender *S, uint64_t from, uint64_t to)
{
    uint64_t pos = from;
    while (pos < to) {
        off_t data = lseek(S->fd, (off_t)pos, SEEK_DATA);
        if (data < 0 && errno == ENXIO)
            data = (off_t)to;            /* only a hole is left */
        else if (data < 0)
            return send_data(S, pos, to); /* no SEEK_DATA here: all data */
        if ((uint64_t)data > to)
            data = (off_t)to;
        if ((uint64_t)data > pos) {
            if (send_hole(S, pos, (uint64_t)data - pos) < 0)
                return -1;
            pos = (uint64_t)data;
        }
        if (pos >= to)
            break;
        off_t hole = lseek(S->fd, (off_t)pos, SEEK_HOLE);
        if (hole < 0 || (uint64_t)hole > to)
            hole = (off_t)to;
        if ((uint64_t)hole <= pos)
            hole = (off_t)to;
        int rc = send_data(S, pos, (uint64_t)hole);
        if (rc != 0)
            return rc;
        pos = (uint64_t)hole;
    }
    return 0;
}

/* Read the request's FILE_SIG frames into a librsync signature. Always
 * consumes sig_len bytes of frames; *sig stays NULL (and S->res says why)
 * when the signature is unusable. Returns -1 on a protocol failure. */
static int load_signature(struct sender *S, uint64_t sig_len, rs_signature_t **sig)
{
    rs_job_t *job = rs_loadsig_begin(sig);
    bool ok = true;
    char dummy[16];
    uint64_t total = 0;
    if (sig_len == 0) {
        ok = false;
        fail(S, P2V_FILE_ERROR, "empty signature");
    }
    while (total < sig_len) {
        const void *data;
        size_t len;
        if (p2v_file_sig_recv(S->c, S->id, sig_len - total, &data, &len) < 0)
            goto broken;
        total += len;
        if (!ok)
            continue;
        rs_buffers_t b = {.next_in = (char *)data, .avail_in = len, .eof_in = total == sig_len,
                          .next_out = dummy, .avail_out = sizeof(dummy)};
        for (;;) {
            size_t before = b.avail_in;
            rs_result r = rs_job_iter(job, &b);
            if (r == RS_DONE) {
                if (total != sig_len || b.avail_in) {
                    ok = false;
                    fail(S, P2V_FILE_ERROR, "signature has trailing bytes");
                }
                break;
            }
            if (r != RS_BLOCKED) {
                ok = false;
                fail(S, P2V_FILE_ERROR, "bad signature: %s", rs_strerror(r));
                break;
            }
            if (b.avail_in == 0 && !b.eof_in)
                break;
            if (b.avail_in == before) {
                ok = false;
                fail(S, P2V_FILE_ERROR, "bad signature: %s",
                     b.eof_in ? "truncated" : "the parser stalled");
                break;
            }
        }
    }
    rs_job_free(job);
    if (ok && rs_build_hash_table(*sig) != RS_DONE) {
        ok = false;
        fail(S, P2V_FILE_ERROR, "cannot index the signature");
    }
    if (!ok && *sig) {
        rs_free_sumset(*sig);
        *sig = NULL;
    }
    return 0;
broken:
    rs_job_free(job);
    if (*sig)
        rs_free_sumset(*sig);
    *sig = NULL;
    return -1;
}

/* The delta of [0, limit) against sig, in FILE_DELTA chunks; the bytes
 * it describes are summed, so that the node can tell a block its short
 * sums matched by chance from a real match. */
static int send_delta(struct sender *S, rs_signature_t *sig, uint64_t limit)
{
    rs_job_t *job = rs_delta_begin(sig);
    S->sum = p2v_filesum_new();
    rs_buffers_t b = {0};
    uint64_t pos = 0;
    size_t olen = 0;
    int rc = 0;
    for (;;) {
        if (b.avail_in == 0 && !b.eof_in) {
            size_t want = limit - pos > P2V_XFER_CHUNK ? P2V_XFER_CHUNK : (size_t)(limit - pos);
            ssize_t n = want ? read_at(S->fd, S->inbuf, want, pos) : 0;
            if (n < 0) {
                rc = fail(S, P2V_FILE_ERROR, "read at %llu: %s", (unsigned long long)pos,
                          strerror(errno));
                break;
            }
            pos += (uint64_t)n;
            p2v_filesum_update(S->sum, S->inbuf, (size_t)n);
            if ((size_t)n < want)
                fail(S, P2V_FILE_CHANGED, "shrank while read (ended at %llu)",
                     (unsigned long long)pos);
            b.next_in = S->inbuf;
            b.avail_in = (size_t)n;
            b.eof_in = pos >= limit || (size_t)n < want;
        }
        b.next_out = S->outbuf + olen;
        b.avail_out = P2V_XFER_CHUNK - olen;
        rs_result r = rs_job_iter(job, &b);
        olen = P2V_XFER_CHUNK - b.avail_out;
        if (r != RS_DONE && r != RS_BLOCKED) {
            rc = fail(S, P2V_FILE_ERROR, "delta: %s", rs_strerror(r));
            break;
        }
        if (olen == P2V_XFER_CHUNK || (r == RS_DONE && olen)) {
            if (send_chunk(S, P2V_MSG_FILE_DELTA, 0, S->outbuf, olen) < 0) {
                rc = -1;
                break;
            }
            olen = 0;
        }
        if (r == RS_DONE)
            break;
    }
    rs_job_free(job);
    return rc;
}

/* Open path beneath base, never following a symlink. -1 with errno. */
static int open_beneath(const char *base, const char *path)
{
    size_t len = strlen(path);
    if (len == 0) {
        errno = EISDIR;
        return -1;
    }
    char *copy = p2v_xstrndup(path, len);
    int dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
    char *comp = copy;
    int fd = -1;
    while (dfd >= 0) {
        char *slash = strchr(comp, '/');
        if (slash)
            *slash = '\0';
        if (!*comp || strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
            errno = EINVAL;
            break;
        }
        if (!slash) {
            fd = files_open_noatime(dfd, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
            break;
        }
        int next = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        close(dfd);
        dfd = next;
        errno = err;
        comp = slash + 1;
    }
    int err = errno;
    if (dfd >= 0)
        close(dfd);
    free(copy);
    errno = err;
    return fd;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Open, send per method, and check the file did not move. */
static int serve_file(struct sender *S, const char *base, const struct p2v_file_req *r,
                      rs_signature_t *sig, struct stat *after)
{
    S->fd = open_beneath(base, r->path);
    if (S->fd < 0) {
        int err = errno;
        if (err == ENOENT)
            return fail(S, P2V_FILE_VANISHED, "vanished");
        if (err == ELOOP || err == ENOTDIR || err == ENXIO)
            return fail(S, P2V_FILE_VANISHED, "no longer a regular file");
        return fail(S, P2V_FILE_ERROR, "%s", strerror(err));
    }
    struct stat before;
    if (fstat(S->fd, &before) < 0)
        return fail(S, P2V_FILE_ERROR, "stat: %s", strerror(errno));
    *after = before;
    if (!S_ISREG(before.st_mode))
        return fail(S, P2V_FILE_VANISHED, "no longer a regular file");
    uint64_t size = (uint64_t)before.st_size;
    int rc = 0;
    if (r->method == P2V_FILE_WHOLE) {
        if ((uint64_t)before.st_blocks * 512 < size)
            rc = send_sparse(S, 0, size);
        else
            rc = send_data(S, 0, size);
    } else if (sig) {
        uint64_t split = r->method == P2V_FILE_RESUME && r->offset < size ? r->offset : size;
        rc = send_delta(S, sig, split);
        if (rc == 0 && S->res.status == P2V_FILE_OK && split < size)
            rc = send_data(S, split, size);
    }
    if (rc < 0)
        return -1;
    if (fstat(S->fd, after) < 0)
        return fail(S, P2V_FILE_ERROR, "stat: %s", strerror(errno));
    if (S->res.status == P2V_FILE_OK && !same_stat(&before, after))
        fail(S, P2V_FILE_CHANGED, "changed while read");
    return 0;
}

int files_send(struct p2v_conn *c, struct files_state *fs, const void *p, size_t n)
{
    struct p2v_file_req r;
    if (p2v_file_req_decode(p, n, &r) < 0) {
        p2v_send_error(c, 0, "%s", p2v_error_message());
        return -1;
    }
    struct sender S = {.c = c, .id = r.id, .fd = -1, .out = P2V_BUF_INIT(P2V_FRAME_MAX),
                       .z = P2V_BUF_INIT(P2V_FRAME_MAX), .compress = fs->compress};
    rs_signature_t *sig = NULL;
    int rc = 0;
    if (r.method != P2V_FILE_WHOLE)
        rc = load_signature(&S, r.sig_len, &sig);
    struct stat after = {0};
    if (rc == 0) {
        S.inbuf = p2v_xmalloc(P2V_XFER_CHUNK);
        S.outbuf = p2v_xmalloc(P2V_XFER_CHUNK);
        if (!fs->base)
            fail(&S, P2V_FILE_ERROR, "FILE_REQ before any LIST_REQ");
        else if (S.res.status == P2V_FILE_OK)
            rc = serve_file(&S, fs->base, &r, sig, &after) < 0 ? -1 : 0;
    }
    if (rc == 0) {
        struct p2v_file_end e = {
            .id = r.id, .status = S.res.status, .size = (uint64_t)after.st_size,
            .mtime_sec = after.st_mtim.tv_sec, .mtime_nsec = (uint32_t)after.st_mtim.tv_nsec,
            .message = S.res.msg,
        };
        if (S.sum && S.res.status == P2V_FILE_OK) {
            p2v_filesum_final(S.sum, e.sum);
            e.sum_len = P2V_FILE_SUM_LEN;
        }
        p2v_buf_reset(&S.out);
        if (p2v_file_end_encode(&S.out, &e) < 0 ||
            p2v_frame_send_more(c, P2V_MSG_FILE_END, S.out.data, S.out.len) < 0)
            rc = -1;
        if (S.res.status != P2V_FILE_OK)
            p2v_debug("file %u `%s`: %s", r.id, r.path, S.res.msg);
    }
    if (S.fd >= 0)
        close(S.fd);
    if (sig)
        rs_free_sumset(sig);
    p2v_filesum_free(S.sum);
    free(S.inbuf);
    free(S.outbuf);
    p2v_buf_release(&S.out);
    p2v_buf_release(&S.z);
    p2v_file_req_clear(&r);
    return rc;
}
