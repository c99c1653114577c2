/* convert_system.c: which init the copy boots with, and its identity:
 * hostname, /etc/hosts and DNS as they were on the source. The copy
 * already carries the source's files; these fixups only fill what lived
 * in memory (a hostname set at run time, a resolv.conf generated under
 * /run) so the container answers as the server did. */
#include "convert.h"
#include "error.h"
#include "log.h"

const char *init_kind_name(enum init_kind k)
{
    static const char *const names[] = {"systemd", "upstart", "sysvinit", "openrc", "unknown"};
    return names[k];
}

enum init_kind convert_detect_init(struct ctfs *fs)
{
    char *target = NULL;
    if (ctfs_readlink(fs, "/sbin/init", &target) == 0) {
        bool sd = strstr(target, "systemd") != NULL;
        bool busybox = strstr(target, "busybox") != NULL;
        free(target);
        if (sd)
            return INIT_SYSTEMD;
        if (busybox && ctfs_exists(fs, "/sbin/openrc"))
            return INIT_OPENRC;
    }
    if (ctfs_exists(fs, "/sbin/openrc") || ctfs_exists(fs, "/etc/runlevels"))
        return INIT_OPENRC;
    if (ctfs_exists(fs, "/sbin/initctl") && ctfs_exists(fs, "/etc/init"))
        return INIT_UPSTART;
    if (ctfs_exists(fs, "/etc/inittab"))
        return INIT_SYSVINIT;
    struct stat st;
    if (ctfs_stat(fs, "/lib/systemd/systemd", &st) == 0 ||
        ctfs_stat(fs, "/usr/lib/systemd/systemd", &st) == 0)
        return INIT_SYSTEMD;
    return INIT_UNKNOWN;
}

/* first line of a small file, trimmed; NULL if absent */
static char *first_line(struct ctfs *fs, const char *path)
{
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    char *line = NULL;
    if (ctfs_read(fs, path, &b) == 0 && b.data) {
        size_t n = strcspn(b.data, "\r\n");
        while (n && (b.data[n - 1] == ' ' || b.data[n - 1] == '\t'))
            n--;
        line = p2v_xstrndup(b.data, n);
    }
    p2v_buf_release(&b);
    return line;
}

static int fix_hostname(struct convert_ctx *x)
{
    const char *h = x->plan.hostname;
    if (!h)
        return 0;
    p2v_autofree char *cur = first_line(&x->fs, "/etc/hostname");
    if (cur) {
        size_t shortlen = strcspn(h, ".");
        if (strcmp(cur, h) == 0 || (strlen(cur) == shortlen && strncmp(cur, h, shortlen) == 0)) {
            ctfs_note(&x->fs, "/etc/hostname", "kept: names %s as on the source", cur);
            return 0;
        }
    }
    bool rh_old = !cur && strcmp(x->inv->os.family ? x->inv->os.family : "", "redhat") == 0 &&
                  ctfs_exists(&x->fs, "/etc/sysconfig/network");
    if (!rh_old) {
        p2v_autofree char *text = p2v_xasprintf("%s\n", h);
        return ctfs_write(&x->fs, "/etc/hostname", text, strlen(text), 0644,
                          "the source's running hostname") < 0 ? -1 : 0;
    }
    /* Red Hat before /etc/hostname: HOSTNAME= in /etc/sysconfig/network */
    p2v_autofree char *line = p2v_xasprintf("HOSTNAME=%s", h);
    return ctfs_set_line(&x->fs, "/etc/sysconfig/network", "HOSTNAME=", line, false,
                         "HOSTNAME as on the source") < 0 ? -1 : 0;
}

static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; (p = strstr(p, word)); p += n) {
        bool start = p == text || p[-1] == ' ' || p[-1] == '\t';
        bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n' || p[n] == '#';
        if (start && end)
            return true;
    }
    return false;
}

static int fix_hosts(struct convert_ctx *x)
{
    const char *h = x->plan.hostname;
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    int r = ctfs_read(&x->fs, "/etc/hosts", &b);
    int rc = 0;
    if (r < 0) {
        rc = -1;
    } else {
        const char *text = r == 0 && b.data ? b.data : "";
        bool lo = has_word(text, "localhost");
        bool named = !h || has_word(text, h);
        if (lo && named) {
            ctfs_note(&x->fs, "/etc/hosts", "kept as on the source");
        } else {
            struct p2v_buf out = P2V_BUF_INIT(CTFS_READ_MAX + 1024);
            p2v_buf_adds(&out, text);
            if (out.len && out.data[out.len - 1] != '\n')
                p2v_buf_addc(&out, '\n');
            if (!lo)
                p2v_buf_adds(&out, "127.0.0.1\tlocalhost\n");
            if (!named) {
                size_t shortlen = strcspn(h, ".");
                const char *addr = x->plan.nipv4 ? x->plan.ipv4[0] : "127.0.1.1";
                if (h[shortlen])
                    p2v_buf_printf(&out, "%s\t%s %.*s\n", addr, h, (int)shortlen, h);
                else
                    p2v_buf_printf(&out, "%s\t%s\n", addr, h);
            }
            rc = ctfs_write(&x->fs, "/etc/hosts", out.data, out.len, 0644,
                            "localhost and the hostname resolve") < 0 ? -1 : 0;
            p2v_buf_release(&out);
        }
    }
    p2v_buf_release(&b);
    return rc;
}

static int fix_dns(struct convert_ctx *x)
{
    struct stat st;
    struct p2v_buf b = P2V_BUF_INIT(CTFS_READ_MAX + 1);
    int r = ctfs_lstat(&x->fs, "/etc/resolv.conf", &st);
    int rc = 0;
    if (r == 0 && S_ISREG(st.st_mode) && ctfs_read(&x->fs, "/etc/resolv.conf", &b) == 0 &&
        b.data && strstr(b.data, "nameserver")) {
        ctfs_note(&x->fs, "/etc/resolv.conf", "kept as on the source");
    } else if (x->plan.ndns == 0) {
        ctfs_note(&x->fs, "/etc/resolv.conf", "the source reported no nameserver: left as it "
                                              "was; set NAMESERVER with vzctl if needed");
    } else {
        /* a link into /run (resolvconf, systemd-resolved) or no file: the
         * generator may not run in the container, so write what it held */
        struct p2v_buf out = P2V_BUF_INIT(64 * 1024);
        p2v_buf_adds(&out, "# written by p2vmigrate: the nameservers the source used\n");
        if (x->plan.nsearch) {
            p2v_buf_adds(&out, "search");
            for (size_t i = 0; i < x->plan.nsearch; i++)
                p2v_buf_printf(&out, " %s", x->plan.search[i]);
            p2v_buf_addc(&out, '\n');
        }
        for (size_t i = 0; i < x->plan.ndns; i++)
            p2v_buf_printf(&out, "nameserver %s\n", x->plan.dns[i]);
        rc = ctfs_write(&x->fs, "/etc/resolv.conf", out.data, out.len, 0644,
                        "DNS as the source resolved") < 0 ? -1 : 0;
        p2v_buf_release(&out);
    }
    p2v_buf_release(&b);
    return rc;
}

int convert_fix_system(struct convert_ctx *x)
{
    if (fix_hostname(x) < 0 || fix_hosts(x) < 0 || fix_dns(x) < 0)
        return -1;
    return 0;
}
