/* facts_mountinfo.c: the few fields of /proc/self/mountinfo the agent's
 * own scans need (statfs, xattr scan, quotas).
 *
 * The node gets the full text in `files` and parses it with libmount;
 * here we only need mount points, devices and sources, so a small parser
 * keeps libmount out of the static agent. The kernel escapes space, tab,
 * newline and backslash in paths as \040 \011 \012 \134. */
#include "facts.h"
#include "error.h"

#define MOUNTINFO_MAX (16u << 20)
#define MOUNTS_MAX 65536

/* Decode \ooo escapes in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Split line into space-separated fields; returns the count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
        f[n++] = t;
    return n;
}

static int parse_line(char *line, struct facts_mount *m)
{
    char *f[64];
    int n = split(line, f, (int)P2V_ARRAY_LEN(f));
    /* id parent maj:min root mountpoint options [optional...] - fstype source super */
    int sep = -1;
    for (int i = 6; i < n; i++) {
        if (strcmp(f[i], "-") == 0) {
            sep = i;
            break;
        }
    }
    if (n < 6 || sep < 0 || sep + 2 >= n)
        return -1;
    if (sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
        return -1;
    unescape(f[3]);
    unescape(f[4]);
    unescape(f[sep + 2]);
    m->root = p2v_xstrdup(f[3]);
    m->mountpoint = p2v_xstrdup(f[4]);
    m->fstype = p2v_xstrdup(f[sep + 1]);
    m->source = p2v_xstrdup(f[sep + 2]);
    return 0;
}

int facts_mountinfo_read(const struct facts_options *opt, struct facts_mount **out)
{
    char pbuf[4096];
    const char *path = facts_path(opt, "/proc/self/mountinfo", pbuf, sizeof(pbuf));
    struct p2v_buf text = P2V_BUF_INIT(MOUNTINFO_MAX);
    bool trunc;
    uint64_t size;
    *out = NULL;
    if (!path)
        return p2v_error_set("root prefix too long");
    if (facts_read_file(path, MOUNTINFO_MAX, &text, &trunc, &size) < 0) {
        int e = errno;
        p2v_buf_release(&text);
        return p2v_error_set_errno(e, "read `%s`", path);
    }
    if (trunc) {
        p2v_buf_release(&text);
        return p2v_error_set("`%s` is larger than %u bytes", path, MOUNTINFO_MAX);
    }
    struct facts_mount *m = NULL;
    int n = 0, cap = 0;
    char *save = NULL;
    char empty[1] = "";
    for (char *line = strtok_r(text.data ? text.data : empty, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (n == MOUNTS_MAX)
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            m = p2v_xrealloc(m, (size_t)cap * sizeof(*m));
        }
        memset(&m[n], 0, sizeof(m[n]));
        if (parse_line(line, &m[n]) == 0)
            n++;
    }
    p2v_buf_release(&text);
    *out = m;
    return n;
}

void facts_mountinfo_free(struct facts_mount *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].root);
        free(m[i].mountpoint);
        free(m[i].fstype);
        free(m[i].source);
    }
    free(m);
}
