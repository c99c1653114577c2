/* files_send.c: answer FILE_REQ (Windows; agent-linux/files_send.c is the
 * model). The relative path is checked component by component (no ".",
 * "..", empty names; no reparse point on the way) beneath the base of the
 * last LIST_REQ and opened with FILE_FLAG_OPEN_REPARSE_POINT and full
 * sharing, so a file in use by Windows can still be read. Answers:
 *   WHOLE:  FILE_DATA chunks (holes of sparse files are sent as data);
 *   DELTA:  FILE_SIG frames first, then a delta of the whole file
 *           (files_delta.c) in FILE_DELTA chunks;
 *   RESUME: the delta of [0, offset) only, then FILE_DATA from offset raw.
 * Never compressed. Then FILE_END with the size and mtime after reading;
 * a size or mtime that moved while it was read makes it CHANGED. */
#include <windows.h>
#include "files.h"
#include "wstr.h"
#include "xfer.h"
#include "proto.h"
#include "error.h"
#include "log.h"

struct sender {
    struct p2v_conn *c;
    uint32_t id;
    HANDLE h;
    struct p2v_buf out, dbuf;   /* frame; delta bytes not yet sent */
    char *inbuf;
    uint8_t status;
    char msg[512];
};

P2V_PRINTF(3, 4) static int fail(struct sender *S, uint8_t status, const char *fmt, ...)
{
    if (S->status != P2V_FILE_OK)
        return 1;   /* keep the first reason */
    S->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(S->msg, sizeof(S->msg), fmt, ap);
    va_end(ap);
    return 1;
}

static int send_chunk(struct sender *S, uint16_t type, uint64_t off, const void *p, size_t n)
{
    p2v_buf_reset(&S->out);
    if (p2v_chunk_encode(&S->out, S->id, off, p, n) < 0)
        return -1;
    return p2v_frame_send_more(S->c, type, S->out.data, S->out.len);
}

/* Up to n bytes at off: the count (short only at end of file), or -1. */
static long long read_at(void *ctx, char *p, size_t n, uint64_t off)
{
    struct sender *S = ctx;
    size_t got = 0;
    while (got < n) {
        OVERLAPPED ov = {0};
        ov.Offset = (DWORD)(off + got);
        ov.OffsetHigh = (DWORD)((off + got) >> 32);
        DWORD want = n - got > (1u << 30) ? (1u << 30) : (DWORD)(n - got), r = 0;
        if (!ReadFile(S->h, p + got, want, &r, &ov)) {
            if (GetLastError() == ERROR_HANDLE_EOF)
                break;
            return -1;
        }
        if (r == 0)
            break;
        got += r;
    }
    return (long long)got;
}

static int emit_delta(void *ctx, const void *p, size_t n)
{
    struct sender *S = ctx;
    const char *s = p;
    while (n) {
        size_t room = P2V_XFER_CHUNK - S->dbuf.len, k = n < room ? n : room;
        if (p2v_buf_add(&S->dbuf, s, k) < 0)
            return -1;
        s += k;
        n -= k;
        if (S->dbuf.len == P2V_XFER_CHUNK) {
            if (send_chunk(S, P2V_MSG_FILE_DELTA, 0, S->dbuf.data, S->dbuf.len) < 0)
                return -1;
            p2v_buf_reset(&S->dbuf);
        }
    }
    return 0;
}

/* Raw data of [from, to). 0, 1 if it stopped (S says why), -1. */
static int send_data(struct sender *S, uint64_t from, uint64_t to)
{
    while (from < to) {
        size_t want = to - from > P2V_XFER_CHUNK ? P2V_XFER_CHUNK : (size_t)(to - from);
        long long n = read_at(S, S->inbuf, want, from);
        if (n < 0)
            return fail(S, P2V_FILE_ERROR, "read at %llu: %s", (unsigned long long)from,
                        win_strerror(GetLastError()));
        if (n > 0 && send_chunk(S, P2V_MSG_FILE_DATA, from, S->inbuf, (size_t)n) < 0)
            return -1;
        from += (uint64_t)n;
        if ((size_t)n < want)
            return fail(S, P2V_FILE_CHANGED, "shrank while read (ended at %llu)",
                        (unsigned long long)from);
    }
    return 0;
}

/* Read the request's FILE_SIG frames (always all sig_len bytes). */
static int load_signature(struct sender *S, uint64_t sig_len, struct files_sig **sig)
{
    if (sig_len > P2V_SIG_MAX) {
        p2v_send_error(S->c, 0, "signature of %llu bytes for file %u: more than %u",
                       (unsigned long long)sig_len, S->id, P2V_SIG_MAX);
        return p2v_error_set("signature of %llu bytes", (unsigned long long)sig_len);
    }
    struct p2v_buf b = P2V_BUF_INIT(P2V_SIG_MAX);
    while (b.len < sig_len) {
        const void *data;
        size_t len;
        if (p2v_file_sig_recv(S->c, S->id, sig_len - b.len, &data, &len) < 0 ||
            p2v_buf_add(&b, data, len) < 0)
            goto broken;
    }
    char why[256];
    *sig = files_sig_parse(b.data ? b.data : "", b.len, why, sizeof(why));
    if (!*sig)
        fail(S, P2V_FILE_ERROR, "%s", why);
    p2v_buf_release(&b);
    return 0;
broken:
    p2v_buf_release(&b);
    return -1;
}

/* Open path beneath base: no reparse point on the way, regular file. */
static HANDLE open_beneath(struct sender *S, const wchar_t *base, const struct p2v_file_req *r)
{
    char *rel = p2v_xstrndup(r->path, r->path_len);
    wchar_t *wrel = win_utf16(rel);
    HANDLE h = INVALID_HANDLE_VALUE;
    free(rel);
    if (!wrel || !*wrel) {
        fail(S, P2V_FILE_ERROR, "bad path");
        free(wrel);
        return h;
    }
    size_t bl = wcslen(base), rl = wcslen(wrel);
    wchar_t *w = p2v_xcalloc(bl + rl + 2, sizeof(wchar_t));
    memcpy(w, base, bl * sizeof(wchar_t));
    size_t len = bl;
    if (len && w[len - 1] != L'\\')
        w[len++] = L'\\';
    for (wchar_t *comp = wrel;;) {
        wchar_t *slash = wcschr(comp, L'/');
        size_t cl = slash ? (size_t)(slash - comp) : wcslen(comp);
        if (cl == 0 || (comp[0] == L'.' && (cl == 1 || (cl == 2 && comp[1] == L'.'))) ||
            wmemchr(comp, L'\\', cl) || wmemchr(comp, L':', cl)) {
            fail(S, P2V_FILE_ERROR, "bad path");
            goto out;
        }
        memcpy(w + len, comp, cl * sizeof(wchar_t));
        len += cl;
        w[len] = L'\0';
        DWORD attr = GetFileAttributesW(w);
        if (attr == INVALID_FILE_ATTRIBUTES) {
            DWORD err = GetLastError();
            if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
                fail(S, P2V_FILE_VANISHED, "vanished");
            else
                fail(S, P2V_FILE_ERROR, "%s", win_strerror(err));
            goto out;
        }
        if ((attr & FILE_ATTRIBUTE_REPARSE_POINT) ||
            !(attr & FILE_ATTRIBUTE_DIRECTORY) != !slash) {
            fail(S, P2V_FILE_VANISHED, "no longer a regular file");
            goto out;
        }
        if (!slash)
            break;
        w[len++] = L'\\';
        comp = slash + 1;
    }
    h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN,
                    NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
            fail(S, P2V_FILE_VANISHED, "vanished");
        else
            fail(S, P2V_FILE_ERROR, "open: %s", win_strerror(err));
    }
out:
    free(w);
    free(wrel);
    return h;
}

static bool same_info(const BY_HANDLE_FILE_INFORMATION *a, const BY_HANDLE_FILE_INFORMATION *b)
{
    return a->nFileSizeHigh == b->nFileSizeHigh && a->nFileSizeLow == b->nFileSizeLow &&
           CompareFileTime(&a->ftLastWriteTime, &b->ftLastWriteTime) == 0;
}

static int serve_file(struct sender *S, const wchar_t *base, const struct p2v_file_req *r,
                      const struct files_sig *sig, BY_HANDLE_FILE_INFORMATION *after)
{
    S->h = open_beneath(S, base, r);
    if (S->h == INVALID_HANDLE_VALUE)
        return 0;
    BY_HANDLE_FILE_INFORMATION before;
    if (!GetFileInformationByHandle(S->h, &before))
        return fail(S, P2V_FILE_ERROR, "stat: %s", win_strerror(GetLastError()));
    *after = before;
    if (before.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))
        return fail(S, P2V_FILE_VANISHED, "no longer a regular file");
    uint64_t size = ((uint64_t)before.nFileSizeHigh << 32) | before.nFileSizeLow;
    int rc = 0;
    if (r->method == P2V_FILE_WHOLE) {
        rc = send_data(S, 0, size);
    } else if (sig) {
        uint64_t split = r->method == P2V_FILE_RESUME && r->offset < size ? r->offset : size;
        uint64_t got = 0;
        int d = files_delta(sig, split, read_at, emit_delta, S, &got);
        if (d == -2)
            return -1;
        if (S->dbuf.len && send_chunk(S, P2V_MSG_FILE_DELTA, 0, S->dbuf.data, S->dbuf.len) < 0)
            return -1;
        if (d == -1)
            fail(S, P2V_FILE_ERROR, "read at %llu: %s", (unsigned long long)got,
                 win_strerror(GetLastError()));
        else if (d == 1)
            fail(S, P2V_FILE_CHANGED, "shrank while read (ended at %llu)",
                 (unsigned long long)got);
        else if (split < size)
            rc = send_data(S, split, size);
    }
    if (rc < 0)
        return -1;
    if (!GetFileInformationByHandle(S->h, after))
        return fail(S, P2V_FILE_ERROR, "stat: %s", win_strerror(GetLastError()));
    if (S->status == P2V_FILE_OK && !same_info(&before, after))
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
    struct sender S = {.c = c, .id = r.id, .h = INVALID_HANDLE_VALUE,
                       .out = P2V_BUF_INIT(P2V_FRAME_MAX),
                       .dbuf = P2V_BUF_INIT(P2V_XFER_CHUNK)};
    struct files_sig *sig = NULL;
    int rc = 0;
    if (r.method != P2V_FILE_WHOLE)
        rc = load_signature(&S, r.sig_len, &sig);
    BY_HANDLE_FILE_INFORMATION after = {0};
    if (rc == 0) {
        S.inbuf = p2v_xmalloc(P2V_XFER_CHUNK);
        if (!fs->base)
            fail(&S, P2V_FILE_ERROR, "FILE_REQ before any LIST_REQ");
        else if (r.method > P2V_FILE_RESUME)
            fail(&S, P2V_FILE_ERROR, "unknown method %u", r.method);
        else if (S.status == P2V_FILE_OK)
            rc = serve_file(&S, fs->base, &r, sig, &after) < 0 ? -1 : 0;
    }
    if (rc == 0) {
        struct p2v_file_end e = {
            .id = r.id, .status = S.status,
            .size = ((uint64_t)after.nFileSizeHigh << 32) | after.nFileSizeLow,
            .message = S.msg,
        };
        files_unix_time(&after.ftLastWriteTime, &e.mtime_sec, &e.mtime_nsec);
        p2v_buf_reset(&S.out);
        if (p2v_file_end_encode(&S.out, &e) < 0 ||
            p2v_frame_send_more(c, P2V_MSG_FILE_END, S.out.data, S.out.len) < 0)
            rc = -1;
        if (S.status != P2V_FILE_OK)
            p2v_debug("file %u `%s`: %s", r.id, r.path, S.msg);
    }
    if (S.h != INVALID_HANDLE_VALUE)
        CloseHandle(S.h);
    files_sig_free(sig);
    free(S.inbuf);
    p2v_buf_release(&S.out);
    p2v_buf_release(&S.dbuf);
    p2v_file_req_clear(&r);
    return rc;
}
