/* facts_mac_scan.c: files under /etc and /opt that name an interface's
 * MAC address.
 *
 * Licences and udev rules tied to a MAC break when the server becomes a
 * container on venet0; the node reports each mention. Regular files up
 * to 1 MiB are read (at most 100,000), without following symlinks, and
 * searched case-insensitively for each MAC as aa:bb:cc:dd:ee:ff,
 * aa-bb-cc-dd-ee-ff and aabbccddeeff, not inside a longer hex string. */
#include "facts.h"
#include "facts_walk.h"
#include <ctype.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netpacket/packet.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAC_FILE_MAX (1u << 20)
#define MAC_FILES_MAX 100000u
#define MAC_ENTRIES_MAX 2000000u
#define MAC_SECONDS_MAX 300u
#define MENTIONS_MAX 1000
#define MACS_MAX 256

struct mac {
    char iface[64];
    char form[3][18];      /* lower case: colon, dash, bare */
};

struct mac_scan {
    struct p2v_json *j;
    struct mac macs[MACS_MAX];
    size_t nmacs;
    size_t prefix;          /* length of opt->root, cut from paths */
    uint64_t files;
    int mentions;
    bool files_full, mentions_full;
    struct p2v_buf data;
};

/* Interfaces with a non-zero 6-byte hardware address. */
static int collect_macs(struct mac_scan *s)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0)
        return -1;
    for (const struct ifaddrs *a = list; a && s->nmacs < MACS_MAX; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET)
            continue;
        const struct sockaddr_ll *ll = (const struct sockaddr_ll *)(const void *)a->ifa_addr;
        if (ll->sll_halen != 6)
            continue;
        const unsigned char *b = ll->sll_addr;
        if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
            continue;
        struct mac *m = &s->macs[s->nmacs++];
        snprintf(m->iface, sizeof(m->iface), "%s", a->ifa_name);
        snprintf(m->form[0], sizeof(m->form[0]), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5]);
        snprintf(m->form[1], sizeof(m->form[1]), "%02x-%02x-%02x-%02x-%02x-%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5]);
        snprintf(m->form[2], sizeof(m->form[2]), "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                 b[3], b[4], b[5]);
    }
    freeifaddrs(list);
    return 0;
}

static bool hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* needle in the lower-cased text, not flanked by hex digits. */
static bool mentions(const char *text, size_t n, const char *needle)
{
    size_t nl = strlen(needle);
    const char *p = text, *end = text + n;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), needle, nl);
        if (!hit)
            return false;
        bool before = hit > text && hex(hit[-1]);
        bool after = hit + nl < end && hex(hit[nl]);
        if (!before && !after)
            return true;
        p = hit + 1;
    }
    return false;
}

static void scan_file(struct mac_scan *s, const char *path, int dfd, const char *name)
{
    const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = openat(dfd, name, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = openat(dfd, name, flags);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAC_FILE_MAX) {
        close(fd);
        return;
    }
    s->files++;
    p2v_buf_reset(&s->data);
    char chunk[65536];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof(chunk))) > 0)
        if (p2v_buf_add(&s->data, chunk, (size_t)r) < 0)
            break;   /* grew past 1 MiB while reading: search what we have */
    close(fd);
    for (size_t i = 0; i < s->data.len; i++)
        s->data.data[i] = (char)tolower((unsigned char)s->data.data[i]);
    for (size_t m = 0; m < s->nmacs; m++) {
        bool found = false;
        for (int f = 0; f < 3 && !found; f++)
            found = mentions(s->data.data, s->data.len, s->macs[m].form[f]);
        if (!found)
            continue;
        if (s->mentions == MENTIONS_MAX) {
            s->mentions_full = true;
            return;
        }
        s->mentions++;
        p2v_json_obj_begin(s->j);
        p2v_json_kstr(s->j, "path", path + s->prefix);
        p2v_json_kstr(s->j, "mac", s->macs[m].form[0]);
        p2v_json_kstr(s->j, "interface", s->macs[m].iface);
        p2v_json_obj_end(s->j);
    }
}

static int visit(struct facts_walk *w, const char *path, int dfd, const char *name,
                 unsigned char type)
{
    struct mac_scan *s = w->ctx;
    if (type != DT_REG)
        return 0;
    if (s->files >= MAC_FILES_MAX) {
        s->files_full = true;
        return -1;
    }
    scan_file(s, path, dfd, name);
    return s->mentions_full ? -1 : 0;
}

void facts_mac_scan(struct p2v_json *j, const struct facts_options *opt)
{
    if (!opt->scan_macs)
        return;
    struct mac_scan *s = p2v_xcalloc(1, sizeof(*s));
    s->j = j;
    s->prefix = opt->root ? strlen(opt->root) : 0;
    p2v_buf_init(&s->data, MAC_FILE_MAX);
    if (collect_macs(s) < 0) {
        facts_error("mac_mentions", "getifaddrs: %s", strerror(errno));
        free(s);
        return;
    }
    struct facts_walk w = {
        .visit = visit, .ctx = s, .max_entries = MAC_ENTRIES_MAX,
        .deadline = facts_walk_after(MAC_SECONDS_MAX), .progress = opt->progress,
        .stage = "mac-scan",
    };
    static const char *const roots[] = {"/etc", "/opt"};
    p2v_json_key(j, "mac_mentions");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < P2V_ARRAY_LEN(roots) && s->nmacs && !w.stopped && !w.truncated; i++) {
        char pbuf[4096];
        const char *real = facts_path(opt, roots[i], pbuf, sizeof(pbuf));
        if (real && facts_walk(&w, real) < 0 && errno != ENOENT)
            facts_error("mac_mentions", "open `%s`: %s", roots[i], strerror(errno));
    }
    p2v_json_arr_end(j);
    if (s->files_full || w.truncated)
        facts_error("mac_mentions", "scan stopped after %llu files (bound reached); later files "
                    "not searched", (unsigned long long)s->files);
    if (s->mentions_full)
        facts_error("mac_mentions", "more than %d mentions; the rest not listed", MENTIONS_MAX);
    p2v_buf_release(&s->data);
    free(s);
}
