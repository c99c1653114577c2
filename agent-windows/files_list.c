/* files_list.c: answer LIST_REQ with a walk of a Windows directory tree.
 *
 * Depth-first and pre-order like agent-linux/files_list.c, over "\\?\"
 * paths (no MAX_PATH limit), with one FindFirstFileW handle per level.
 * Entries (p2v/entry.h): directories (0755) and regular files (0644),
 * uid/gid 0, size, mtime from ftLastWriteTime. What the protocol cannot
 * carry is reported as LIST_WARN on its path:
 *   - reparse points (symlinks, junctions, mount points, dedup, cloud
 *     files...): not listed and not entered, with their tag;
 *   - alternate data streams: one warning per stream, with its size;
 *   - ACLs with explicit (non-inherited) entries or a protected DACL.
 * Roots do not apply (a volume mounted in a folder is a reparse point);
 * excludes are matched as fnmatch(3) with FNM_PATHNAME on "/"-prefixed
 * paths. Batches are never compressed, whatever the flags ask. */
#include <windows.h>
#include <aclapi.h>
#include "files.h"
#include "wstr.h"
#include "listout.h"
#include "xfer.h"
#include "proto.h"
#include "error.h"
#include "log.h"

#define DEPTH_CAP 2100u

struct level {
    HANDLE h;
    WIN32_FIND_DATAW fd;
    bool have;          /* fd holds an entry not yet visited */
    size_t wlen;        /* length of L->w for this directory */
    size_t rlen;        /* length of L->rel for this directory */
};

struct lister {
    struct p2v_conn *c;
    wchar_t *w;         /* "\\?\C:\base\rel\..." */
    size_t wlen, wcap;
    struct p2v_buf rel; /* UTF-8 relative path, '/'-separated, NUL-terminated */
    char *const *excludes;
    size_t nexcludes;
    struct level *stack;
    size_t depth;
    struct p2v_listout out;   /* never compressed: no shrink */
    DWORD last_progress;
};

void files_unix_time(const void *filetime, int64_t *sec, uint32_t *nsec)
{
    const FILETIME *ft = filetime;
    int64_t t = (int64_t)(((uint64_t)ft->dwHighDateTime << 32) | ft->dwLowDateTime);
    t -= 116444736000000000LL;   /* 1601-01-01 to 1970-01-01 in 100 ns */
    int64_t s = t / 10000000, r = t % 10000000;
    if (r < 0) {
        r += 10000000;
        s--;
    }
    *sec = s;
    *nsec = (uint32_t)r * 100u;
}

/* fnmatch(3) with FNM_PATHNAME: * ? [...] and \ escapes; no wildcard
 * matches '/'. */
static bool match(const char *p, const char *s)
{
    for (;; p++, s++) {
        switch (*p) {
        case '\0':
            return *s == '\0';
        case '*':
            while (*p == '*')
                p++;
            for (;; s++) {
                if (match(p, s))
                    return true;
                if (*s == '\0' || *s == '/')
                    return false;
            }
        case '?':
            if (*s == '\0' || *s == '/')
                return false;
            break;
        case '[': {
            if (*s == '\0' || *s == '/')
                return false;
            const char *q = p + 1;
            bool neg = *q == '!' || *q == '^', hit = false;
            if (neg)
                q++;
            for (bool first = true; *q && (first || *q != ']'); first = false, q++) {
                unsigned char lo = (unsigned char)*q, hi = lo;
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    hi = (unsigned char)q[2];
                    q += 2;
                }
                if ((unsigned char)*s >= lo && (unsigned char)*s <= hi)
                    hit = true;
            }
            if (*q != ']') {   /* no closing bracket: a literal '[' */
                if (*s != '[')
                    return false;
                break;
            }
            if (hit == neg)
                return false;
            p = q;
            break;
        }
        case '\\':
            if (p[1])
                p++;
            /* fall through */
        default:
            if (*p != *s)
                return false;
        }
    }
}

static bool excluded(const struct lister *L)
{
    if (!L->nexcludes)
        return false;
    struct p2v_buf b = P2V_BUF_INIT(P2V_PATH_MAX + 2);
    p2v_buf_addc(&b, '/');
    p2v_buf_add(&b, L->rel.data, L->rel.len);
    p2v_buf_addc(&b, '\0');
    bool hit = false;
    for (size_t i = 0; b.data && !hit && i < L->nexcludes; i++)
        hit = match(L->excludes[i], b.data);
    p2v_buf_release(&b);
    return hit;
}

static void w_set(struct lister *L, size_t len)
{
    L->wlen = len;
    L->w[len] = L'\0';
}

static void w_add(struct lister *L, const wchar_t *s)
{
    size_t n = wcslen(s);
    if (L->wlen + n + 2 > L->wcap) {
        L->wcap = (L->wlen + n + 2) * 2;
        L->w = p2v_xrealloc(L->w, L->wcap * sizeof(wchar_t));
    }
    memcpy(L->w + L->wlen, s, (n + 1) * sizeof(wchar_t));
    L->wlen += n;
}

static void rel_set(struct lister *L, size_t len)
{
    L->rel.len = len;
    if (L->rel.data)
        L->rel.data[len] = '\0';
}

/* A warning about the current path; the batch goes first to keep order. */
P2V_PRINTF(2, 3) static int warn(struct lister *L, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return p2v_listout_warn(&L->out, L->rel.data, L->rel.len, msg);
}

static const char *reparse_kind(DWORD tag)
{
    switch (tag) {
    case IO_REPARSE_TAG_SYMLINK: return "symbolic link";
    case IO_REPARSE_TAG_MOUNT_POINT: return "junction or volume mount point";
    default: return "reparse point";
    }
}

/* Alternate data streams of the current path (L->w): one warning each. */
static int warn_streams(struct lister *L)
{
    WIN32_FIND_STREAM_DATA sd;
    HANDLE h = FindFirstStreamW(L->w, FindStreamInfoStandard, &sd, 0);
    if (h == INVALID_HANDLE_VALUE)
        return 0;   /* none, or a filesystem without streams */
    int rc = 0;
    do {
        if (wcscmp(sd.cStreamName, L"::$DATA") == 0)
            continue;
        char *name = win_utf8(sd.cStreamName);
        rc = warn(L, "alternate data stream `%s` (%lld bytes) not carried", name,
                  (long long)sd.StreamSize.QuadPart);
        free(name);
    } while (rc == 0 && FindNextStreamW(h, &sd));
    FindClose(h);
    return rc;
}

/* An ACL that inheritance does not explain: it would be lost. */
static int warn_acl(struct lister *L)
{
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (GetNamedSecurityInfoW(L->w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
                              NULL, &sd) != ERROR_SUCCESS)
        return 0;
    SECURITY_DESCRIPTOR_CONTROL ctl = 0;
    DWORD rev;
    GetSecurityDescriptorControl(sd, &ctl, &rev);
    unsigned explicit_aces = 0;
    for (DWORD i = 0; dacl && i < dacl->AceCount; i++) {
        ACE_HEADER *ace;
        if (GetAce(dacl, i, (void **)&ace) && !(ace->AceFlags & INHERITED_ACE))
            explicit_aces++;
    }
    LocalFree(sd);
    if (!explicit_aces && !(ctl & SE_DACL_PROTECTED))
        return 0;
    return warn(L, "ACL not carried (%u explicit entries%s)", explicit_aces,
                ctl & SE_DACL_PROTECTED ? ", inheritance blocked" : "");
}

static void progress(struct lister *L)
{
    DWORD now = GetTickCount();
    if (now - L->last_progress < 500)
        return;
    L->last_progress = now;
    p2v_send_progress(L->c, "list", L->out.entries, 0);
}

/* List the current path (L->w, L->rel) from its find data or attributes. */
static int emit(struct lister *L, DWORD attr, const FILETIME *mtime, uint64_t size)
{
    bool dir = attr & FILE_ATTRIBUTE_DIRECTORY;
    struct p2v_entry e = {
        .path = L->rel.data ? L->rel.data : "", .path_len = L->rel.len,
        .type = dir ? P2V_FT_DIR : P2V_FT_REG, .mode = dir ? 0755 : 0644,
        .size = dir ? 0 : size,
    };
    files_unix_time(mtime, &e.mtime_sec, &e.mtime_nsec);
    int rc = p2v_listout_add(&L->out, &e);
    if (rc > 0)
        return warn(L, "not listed: %s", p2v_error_message());
    if (rc < 0)
        return -1;
    if (!dir)
        L->out.bytes += size;
    progress(L);
    if (warn_streams(L) < 0 || warn_acl(L) < 0)
        return -1;
    return 0;
}

/* Open the directory L->w for reading; warns and returns 0 if it cannot. */
static int push(struct lister *L)
{
    if (L->depth >= DEPTH_CAP)
        return warn(L, "more than %u directory levels: contents not listed", DEPTH_CAP);
    size_t wl = L->wlen;
    if (L->wlen > 0 && L->w[L->wlen - 1] != L'\\')
        w_add(L, L"\\");
    w_add(L, L"*");
    struct level *lv = &L->stack[L->depth];
    lv->h = FindFirstFileExW(L->w, FindExInfoStandard, &lv->fd, FindExSearchNameMatch, NULL, 0);
    w_set(L, wl);
    if (lv->h == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_NO_MORE_FILES)
            return 0;
        return warn(L, "read directory: %s", win_strerror(err));
    }
    lv->have = true;
    lv->wlen = wl;
    lv->rlen = L->rel.len;
    L->depth++;
    return 0;
}

static int visit(struct lister *L, struct level *top, const WIN32_FIND_DATAW *fd)
{
    const wchar_t *n = fd->cFileName;
    w_set(L, top->wlen);
    if (L->wlen > 0 && L->w[L->wlen - 1] != L'\\')
        w_add(L, L"\\");
    w_add(L, n);
    rel_set(L, top->rlen);
    char *u = win_utf8(n);
    if ((L->rel.len && p2v_buf_addc(&L->rel, '/') < 0) || p2v_buf_adds(&L->rel, u) < 0 ||
        L->rel.len > P2V_PATH_MAX) {
        free(u);
        rel_set(L, top->rlen);
        return warn(L, "an entry's path is longer than %u bytes: not listed", P2V_PATH_MAX);
    }
    free(u);
    if (excluded(L))
        return 0;
    if (fd->dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
        DWORD tag = fd->dwReserved0;   /* wine leaves it 0 */
        if (!tag)
            return warn(L, "reparse point not carried: not listed");
        return warn(L, "%s (reparse tag %#lx) not carried: not listed", reparse_kind(tag),
                    (unsigned long)tag);
    }
    uint64_t size = ((uint64_t)fd->nFileSizeHigh << 32) | fd->nFileSizeLow;
    if (emit(L, fd->dwFileAttributes, &fd->ftLastWriteTime, size) < 0)
        return -1;
    if (fd->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        return push(L);
    return 0;
}

static int walk(struct lister *L)
{
    WIN32_FILE_ATTRIBUTE_DATA ad;
    if (!GetFileAttributesExW(L->w, GetFileExInfoStandard, &ad))
        return p2v_error_set("the base directory: %s", win_strerror(GetLastError()));
    if (!(ad.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        return p2v_error_set("the base is not a directory");
    if (emit(L, FILE_ATTRIBUTE_DIRECTORY, &ad.ftLastWriteTime, 0) < 0 || push(L) < 0)
        return -2;
    while (L->depth > 0) {
        struct level *top = &L->stack[L->depth - 1];
        if (!top->have) {
            DWORD err = FindNextFileW(top->h, &top->fd) ? 0 : GetLastError();
            if (err) {
                FindClose(top->h);
                L->depth--;
                w_set(L, top->wlen);
                rel_set(L, top->rlen);
                if (err != ERROR_NO_MORE_FILES &&
                    warn(L, "read directory: %s", win_strerror(err)) < 0)
                    return -2;
                continue;
            }
        }
        top->have = false;
        const wchar_t *n = top->fd.cFileName;
        if (n[0] == L'.' && (!n[1] || (n[1] == L'.' && !n[2])))
            continue;
        WIN32_FIND_DATAW fd = top->fd;   /* push may move on to the next level */
        if (visit(L, top, &fd) < 0)
            return -2;
    }
    return p2v_listout_end(&L->out) < 0 ? -2 : 0;
}

static wchar_t *long_path(wchar_t drive, const char *rest)
{
    struct p2v_buf b = P2V_BUF_INIT(P2V_PATH_MAX * 2);
    p2v_buf_adds(&b, "\\\\?\\");
    p2v_buf_addc(&b, (char)towupper(drive));
    p2v_buf_adds(&b, ":\\");
    for (const char *s = rest; *s; s++) {
        if (*s == '/' || *s == '\\') {
            if (b.data[b.len - 1] != '\\')
                p2v_buf_addc(&b, '\\');
        } else {
            p2v_buf_addc(&b, *s);
        }
    }
    if (b.len > 7 && b.data[b.len - 1] == '\\')
        b.len--;
    p2v_buf_addc(&b, '\0');
    wchar_t *w = b.data ? win_utf16(b.data) : NULL;
    p2v_buf_release(&b);
    if (!w)
        p2v_error_set("the base is not valid UTF-8");
    return w;
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

wchar_t *files_map_base(const char *base)
{
    if (is_letter(base[0]) && base[1] == ':' && (!base[2] || base[2] == '\\' || base[2] == '/'))
        return long_path((wchar_t)base[0], base + 2);
    if (base[0] == '/' && is_letter(base[1]) && base[2] == ':' && (!base[3] || base[3] == '/'))
        return long_path((wchar_t)base[1], base + 3);
    if (base[0] == '/' && is_letter(base[1]) && (!base[2] || base[2] == '/'))
        return long_path((wchar_t)base[1], base + 2);
    if (base[0] == '/' && base[strspn(base, "/")] == '\0') {
        wchar_t sd[16];
        DWORD n = GetEnvironmentVariableW(L"SystemDrive", sd, P2V_ARRAY_LEN(sd));
        return long_path(n >= 2 && n < P2V_ARRAY_LEN(sd) && sd[1] == L':' ? sd[0] : L'C', "");
    }
    p2v_error_set("LIST_REQ base `%s` is not a Windows path (C:\\dir, /c/dir or /)", base);
    return NULL;
}

int files_list(struct p2v_conn *c, struct files_state *fs, const void *p, size_t n)
{
    struct p2v_list_req req;
    if (p2v_list_req_decode(p, n, &req) < 0) {
        p2v_send_error(c, 0, "%s", p2v_error_message());
        return -1;
    }
    wchar_t *base = files_map_base(req.base);
    if (!base) {
        p2v_send_error(c, 0, "%s", p2v_error_message());
        p2v_list_req_clear(&req);
        return -1;
    }
    struct lister L = {
        .c = c, .excludes = req.excludes, .nexcludes = req.nexcludes,
        .rel = P2V_BUF_INIT(P2V_PATH_MAX * 2 + 512),
        .last_progress = GetTickCount(),
    };
    p2v_listout_init(&L.out, c);
    L.stack = p2v_xcalloc(DEPTH_CAP, sizeof(*L.stack));
    w_add(&L, base);
    free(fs->base);
    fs->base = base;
    int rc = walk(&L);
    if (rc == -1) {   /* the base itself: the node is told why */
        char *u = win_utf8(base);
        p2v_error_prefix("`%s`", u);
        free(u);
        p2v_send_error(c, 0, "%s", p2v_error_message());
    }
    p2v_debug("listed %llu entries, %llu bytes", (unsigned long long)L.out.entries,
              (unsigned long long)L.out.bytes);
    while (L.depth > 0)
        FindClose(L.stack[--L.depth].h);
    free(L.stack);
    free(L.w);
    p2v_buf_release(&L.rel);
    p2v_listout_release(&L.out);
    p2v_list_req_clear(&req);
    return rc < 0 ? -1 : 0;
}

void files_state_release(struct files_state *st)
{
    free(st->base);
    st->base = NULL;
}
