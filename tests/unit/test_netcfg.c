/* test_netcfg.c: the template engine, net_plan_build against hostile
 * input, and golden trees for every network family: each
 * tests/fixtures/net/<case>/in is copied, converted with the plan in
 * <case>/plan, and must equal <case>/expected exactly (files, contents,
 * symlink targets), and again after a second run (idempotent).
 * P2V_UPDATE_GOLDEN=1 rewrites expected/ from the code instead. */

#include "tap.h"
#include "netcfg.h"
#include "tmpl.h"
#include "inventory.h"
#include "error.h"
#include "log.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- tmpl ---- */

static char *render(const char *text, const struct tmpl_vars *v)
{
    struct p2v_buf out = P2V_BUF_INIT(TMPL_MAX_OUT);
    if (tmpl_render("test", text, strlen(text), v, &out) < 0) {
        p2v_buf_release(&out);
        return NULL;
    }
    return p2v_buf_detach(&out);
}

static void test_tmpl(void)
{
    char *v4[] = {"198.51.100.10", "198.51.100.11"};
    struct tmpl_vars v = {0};
    tmpl_set_list(&v, "ipv4", v4, 2);
    tmpl_set_list(&v, "ipv6", NULL, 0);
    tmpl_set(&v, "HOST", "web1");
    tmpl_set(&v, "unset", NULL);

    char *s = render("h={{HOST}}\n{{#each ipv4}}\na{{N}}={{ADDR}}/32 n{{N1}}\n{{/each}}\n", &v);
    is_str(s, "h=web1\na0=198.51.100.10/32 n1\na1=198.51.100.11/32 n2\n",
           "each with ADDR, N, N1; block tags on their own lines take their newline");
    free(s);
    s = render("x=({{#each ipv4}}{{SEP}}'{{ADDR}}'{{/each}})\n", &v);
    is_str(s, "x=('198.51.100.10' '198.51.100.11')\n", "SEP inside one line");
    free(s);
    s = render("[{{#each ipv4}}{{SEPNL}}{{ADDR}}{{/each}}]", &v);
    is_str(s, "[198.51.100.10\n198.51.100.11]", "SEPNL");
    free(s);
    s = render("{{#if ipv6}}six\n{{/if}}{{#unless ipv6}}no six\n{{/unless}}"
               "{{#if ipv4}}four\n{{/if}}{{#if unset}}u{{/if}}{{#if HOST}}h{{/if}}\n",
               &v);
    is_str(s, "no six\nfour\nh\n", "if / unless on lists and scalars");
    free(s);
    s = render("{{! a comment\n   over lines }}\nkept\n  {{#if ipv4}}\nx\n  {{/if}}\n", &v);
    is_str(s, "kept\n  \nx\n  \n", "comments dropped; an indented tag keeps its line");
    free(s);
    s = render("{{#each ipv4}}{{#if HOST}}{{HOST}}-{{ADDR}};{{/if}}{{/each}}", &v);
    is_str(s, "web1-198.51.100.10;web1-198.51.100.11;", "blocks nest");
    free(s);

    const char *bad[][2] = {
        {"{{NOPE}}", "not defined"},
        {"{{ipv4}}", "a list"},
        {"{{#each ipv4}}x", "never closed"},
        {"{{#each ipv4}}x{{/if}}", "closes"},
        {"{{/each}}", "without its block"},
        {"{{#each HOST}}x{{/each}}", "not a list"},
        {"{{#while ipv4}}x{{/while}}", "unknown block"},
        {"{{HOST", "unterminated"},
        {"{{ADDR}}", "not defined"},
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(bad); i++) {
        s = render(bad[i][0], &v);
        ok(!s && strstr(p2v_error_message(), bad[i][1]), "bad template `%s` refused: %s",
           bad[i][0], p2v_error_message());
        free(s);
    }
    struct p2v_buf deep = P2V_BUF_INIT(4096);
    for (int i = 0; i < TMPL_MAX_DEPTH + 1; i++)
        p2v_buf_adds(&deep, "{{#if HOST}}");
    for (int i = 0; i < TMPL_MAX_DEPTH + 1; i++)
        p2v_buf_adds(&deep, "{{/if}}");
    s = render(deep.data, &v);
    ok(!s && strstr(p2v_error_message(), "nested"), "nesting is bounded");
    free(s);
    p2v_buf_release(&deep);

    struct p2v_buf out = P2V_BUF_INIT(TMPL_MAX_OUT);
    ok(tmpl_load("net/networkd/venet0.network", &out) == 0 && strstr(out.data, "[Match]"),
       "templates found in %s", tmpl_dir());
    p2v_buf_release(&out);
}

/* ---- net_plan_build ---- */

static struct inv_addr addr(int af, const char *a, unsigned prefix)
{
    return (struct inv_addr){af, (char *)a, prefix};
}

static void test_plan_build(void)
{
    struct inv_addr lo_a[] = {addr(AF_INET, "127.0.0.1", 8), addr(AF_INET6, "::1", 128)};
    struct inv_addr eth0_a[] = {
        addr(AF_INET, "198.51.100.10", 24),  addr(AF_INET, "198.51.100.11", 24),
        addr(AF_INET6, "2001:db8:10::10", 64), addr(AF_INET6, "fe80::1", 64),
        addr(AF_INET, "169.254.3.4", 16),    addr(AF_INET, "0.0.0.0", 0),
        addr(AF_INET, "198.51.100.10", 24),  /* duplicate */
        addr(AF_INET, "198.51.100.12; reboot", 24), addr(AF_INET, "1.2.3.4\n", 24),
        addr(AF_INET6, "2001:DB8:10::0011", 64),   /* normalised */
        addr(AF_INET6, "::", 0),
    };
    struct inv_addr eth1_a[] = {addr(AF_INET, "203.0.113.5", 24)};
    struct inv_iface ifs[] = {
        {.name = "lo", .loopback = true, .addrs = lo_a, .naddrs = 2},
        {.name = "eth0", .addrs = eth0_a, .naddrs = P2V_ARRAY_LEN(eth0_a)},
        {.name = "eth1", .addrs = eth1_a, .naddrs = 1},
        {.name = "eth2;rm -rf /", .addrs = eth1_a, .naddrs = 1},
        {.name = "venet0", .addrs = eth1_a, .naddrs = 1},
    };
    char *ns[] = {"198.51.100.53", "127.0.0.53", "2001:db8::53", "$(reboot)"};
    char *search[] = {"example.com", "bad domain", "a\nb", "int_zone.example.net"};
    struct inventory inv = {0};
    inv.hostname = "web1.example.com";
    inv.ifaces = ifs;
    inv.nifaces = P2V_ARRAY_LEN(ifs);
    inv.nameservers = ns;
    inv.nnameservers = P2V_ARRAY_LEN(ns);
    inv.search = search;
    inv.nsearch = P2V_ARRAY_LEN(search);

    struct net_plan p;
    ok(net_plan_build(&p, &inv) == 0, "a plan is built");
    is_str(p.hostname, "web1.example.com", "a valid hostname is kept");
    is_int(p.nipv4, 3, "IPv4: global, deduplicated, junk dropped");
    if (p.nipv4 == 3) {
        is_str(p.ipv4[0], "198.51.100.10", "order kept");
        is_str(p.ipv4[1], "198.51.100.11", "second address");
        is_str(p.ipv4[2], "203.0.113.5", "eth1's address");
    }
    is_int(p.nipv6, 2, "IPv6: link-local, loopback and :: skipped");
    if (p.nipv6 == 2)
        is_str(p.ipv6[1], "2001:db8:10::11", "IPv6 in inet_ntop form");
    is_int(p.nifaces, 2, "interfaces: eth0 eth1 (no lo, no venet0, no junk)");
    is_int(p.ndns, 2, "nameservers: local resolver and junk skipped");
    is_int(p.nsearch, 2, "search domains: junk skipped");
    net_plan_release(&p);

    const char *hostile[] = {"a\nb", "$(reboot)", "web1 web2", "`id`", "web\"1", "web'1",
                             "-web", "web-.example", "web..example", "", "a;b", "web1\\",
                             "x.-y", "ünï"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(hostile); i++) {
        inv.hostname = (char *)hostile[i];
        net_plan_build(&p, &inv);
        ok(p.hostname == NULL, "hostile hostname %zu never reaches the plan", i);
        net_plan_release(&p);
    }
}

/* ---- trees ---- */

static char g_dst[PATH_MAX + 512];
static size_t g_srclen;

static int copy_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    char to[PATH_MAX * 3];
    snprintf(to, sizeof(to), "%s%s", g_dst, path + g_srclen);
    if (flag == FTW_D)
        return mkdir(to, st->st_mode & 07777) < 0 && errno != EEXIST ? -1 : 0;
    if (flag == FTW_SL) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            return -1;
        target[n] = '\0';
        return symlink(target, to);
    }
    if (flag != FTW_F)
        return -1;
    int in = open(path, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, st->st_mode & 07777);
    char buf[65536];
    ssize_t n = 0;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    int r = in < 0 || out < 0 || n < 0 ? -1 : 0;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return r;
}

/* cp -a SRC DST (DST must not exist) */
static int copy_tree(const char *src, const char *dst)
{
    snprintf(g_dst, sizeof(g_dst), "%s", dst);
    g_srclen = strlen(src);
    return nftw(src, copy_one, 32, FTW_PHYS);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) == 0)
        nftw(dir, rm_one, 32, FTW_PHYS | FTW_DEPTH);
}

/* A tree as text: one line per file or symlink, sorted, with content. */
static char **g_lines;
static size_t g_nlines, g_rootlen;

static int list_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    (void)st;
    struct p2v_buf b = P2V_BUF_INIT((size_t)8 << 20);
    const char *rel = path + g_rootlen;
    if (flag == FTW_SL) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        target[n < 0 ? 0 : n] = '\0';
        p2v_buf_printf(&b, "%s -> %s", rel, target);
    } else if (flag == FTW_F) {
        p2v_buf_printf(&b, "%s:\n", rel);
        struct p2v_buf content = P2V_BUF_INIT(1 << 20);
        if (p2v_buf_read_file(&content, path) == 0)
            p2v_buf_add(&b, content.data, content.len);
        p2v_buf_release(&content);
    } else {
        return 0;   /* directories: git keeps no empty ones */
    }
    g_lines = p2v_xrealloc(g_lines, (g_nlines + 1) * sizeof(char *));
    g_lines[g_nlines++] = p2v_buf_detach(&b);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tree_lines(const char *root, char ***lines, size_t *n)
{
    g_lines = NULL;
    g_nlines = 0;
    g_rootlen = strlen(root);
    nftw(root, list_one, 32, FTW_PHYS);
    if (g_nlines)
        qsort(g_lines, g_nlines, sizeof(char *), cmp_str);
    *lines = g_lines;
    *n = g_nlines;
}

/* Same files, contents and links; the first difference as diagnostics. */
static bool same_tree(const char *got, const char *want)
{
    char **a, **b;
    size_t na, nb;
    tree_lines(got, &a, &na);
    tree_lines(want, &b, &nb);
    bool same = na == nb;
    for (size_t i = 0, j = 0; i < na || j < nb;) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        same = false;
        /* same name, other content: show both */
        size_t la = i < na ? strcspn(a[i], ":\n ") : 0, lb = j < nb ? strcspn(b[j], ":\n ") : 0;
        if (i < na && j < nb && la == lb && strncmp(a[i], b[j], la) == 0) {
            printf("#   differs: ---got\n%s\n#   ---want\n%s\n", a[i], b[j]);
            i++, j++;
        } else if (c < 0) {
            printf("#   only in result: %.*s\n", (int)strcspn(a[i], "\n"), a[i]);
            i++;
        } else {
            printf("#   missing from result: %.*s\n", (int)strcspn(b[j], "\n"), b[j]);
            j++;
        }
    }
    p2v_strv_free(a, na);
    p2v_strv_free(b, nb);
    return same;
}

/* plan file: "key value" lines */
struct plan_file {
    struct net_plan p;
    char os[32];
    int result;
};

static void add(char ***v, size_t *n, const char *s)
{
    *v = p2v_xrealloc(*v, (*n + 1) * sizeof(char *));
    (*v)[(*n)++] = p2v_xstrdup(s);
}

static int read_plan(const char *path, struct plan_file *pf)
{
    memset(pf, 0, sizeof(*pf));
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        char *sp = strchr(line, ' ');
        if (!line[0] || line[0] == '#' || !sp)
            continue;
        *sp = '\0';
        const char *k = line, *val = sp + 1;
        struct net_plan *p = &pf->p;
        if (strcmp(k, "ipv4") == 0)
            add(&p->ipv4, &p->nipv4, val);
        else if (strcmp(k, "ipv6") == 0)
            add(&p->ipv6, &p->nipv6, val);
        else if (strcmp(k, "iface") == 0)
            add(&p->ifaces, &p->nifaces, val);
        else if (strcmp(k, "dns") == 0)
            add(&p->dns, &p->ndns, val);
        else if (strcmp(k, "search") == 0)
            add(&p->search, &p->nsearch, val);
        else if (strcmp(k, "hostname") == 0)
            p->hostname = p2v_xstrdup(val);
        else if (strcmp(k, "os") == 0)
            snprintf(pf->os, sizeof(pf->os), "%s", val);
        else if (strcmp(k, "result") == 0)
            pf->result = atoi(val);
    }
    fclose(f);
    return 0;
}

static char g_tmp[256];

static int run_apply(const char *root, const struct plan_file *pf, unsigned *families)
{
    struct ctfs fs;
    if (ctfs_open(&fs, root) < 0)
        return -2;
    if (families)
        *families = netcfg_detect(&fs, pf->os);
    int r = netcfg_apply(&fs, &pf->p, pf->os);
    if (r < 0)
        printf("#   netcfg_apply: %s\n", p2v_error_message());
    if (getenv("P2V_SHOW_CHANGES"))
        for (size_t i = 0; i < fs.nchanges; i++)
            printf("#   %s: %s (%s)\n", fs.changes[i].path, fs.changes[i].what,
                   fs.changes[i].why);
    ctfs_close(&fs);
    return r;
}

static void family_list(unsigned f, char *out, size_t len)
{
    out[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < NETCFG_COUNT; i++)
        if (f & (1u << i))
            used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "",
                                     netcfg_family_name((enum netcfg_family)i));
}

static void golden_case(const char *dir, const char *name, bool update)
{
    char in[PATH_MAX], plan[PATH_MAX], expected[PATH_MAX], work[PATH_MAX + 256], fams[256];
    snprintf(in, sizeof(in), "%s/%s/in", dir, name);
    snprintf(plan, sizeof(plan), "%s/%s/plan", dir, name);
    snprintf(expected, sizeof(expected), "%s/%s/expected", dir, name);
    snprintf(work, sizeof(work), "%s/%s", g_tmp, name);
    struct plan_file pf;
    if (read_plan(plan, &pf) < 0 || copy_tree(in, work) < 0) {
        ok(0, "%s: fixture readable", name);
        return;
    }
    unsigned families = 0;
    int r = run_apply(work, &pf, &families);
    family_list(families, fams, sizeof(fams));
    is_int(r, pf.result, "%s: netcfg_apply (%s)", name, fams);
    if (update) {
        rm_tree(expected);
        ok(copy_tree(work, expected) == 0, "%s: expected/ rewritten", name);
    } else {
        ok(same_tree(work, expected), "%s: the tree equals expected/", name);
    }
    is_int(run_apply(work, &pf, NULL), pf.result, "%s: a second run succeeds", name);
    ok(same_tree(work, expected), "%s: a second run changes nothing", name);
    net_plan_release(&pf.p);
}

static void test_golden(void)
{
    const char *dir = P2V_FIXTURES "/net";
    bool update = getenv("P2V_UPDATE_GOLDEN") && strcmp(getenv("P2V_UPDATE_GOLDEN"), "1") == 0;
    DIR *d = opendir(dir);
    ok(d != NULL, "fixtures in %s", dir);
    if (!d)
        return;
    char **cases = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            add(&cases, &n, de->d_name);
    closedir(d);
    qsort(cases, n, sizeof(char *), cmp_str);
    ok(n >= 10, "%zu golden cases", n);
    for (size_t i = 0; i < n; i++)
        golden_case(dir, cases[i], update);
    p2v_strv_free(cases, n);
}

/* ---- hostile trees ---- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0)
        exit(2);
    fclose(f);
}

static void mkdirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    mkdir(buf, 0755);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += de->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_escape(void)
{
    const char *iface = "auto eth0\niface eth0 inet static\n    address 198.51.100.10/24\n";
    char root[PATH_MAX], outside[PATH_MAX], p[PATH_MAX * 2], target[PATH_MAX * 2];
    struct plan_file pf = {0};
    snprintf(pf.os, sizeof(pf.os), "debian");
    add(&pf.p.ipv4, &pf.p.nipv4, "198.51.100.10");

    /* /etc/network -> /../../..<outside>: inside the root it is absent */
    snprintf(root, sizeof(root), "%s/escape/root", g_tmp);
    snprintf(outside, sizeof(outside), "%s/escape/outside", g_tmp);
    mkdirs(root);
    mkdirs(outside);
    snprintf(p, sizeof(p), "%s/etc", root);
    mkdirs(p);
    snprintf(p, sizeof(p), "%s/sbin", root);
    mkdirs(p);
    snprintf(p, sizeof(p), "%s/sbin/ifup", root);
    write_file(p, "");
    snprintf(p, sizeof(p), "%s/interfaces", outside);
    write_file(p, iface);
    snprintf(p, sizeof(p), "%s/etc/network", root);
    snprintf(target, sizeof(target), "/../../..%s", outside);
    ok(symlink(target, p) == 0, "a link out of the tree");
    is_int(run_apply(root, &pf, NULL), 1, "the outside interfaces file is not seen: no family");
    is_int(count_entries(outside), 1, "nothing written outside the root");
    struct stat st;
    snprintf(p, sizeof(p), "%s/interfaces.migsave", outside);
    ok(lstat(p, &st) < 0, "no backup made outside the root");

    /* /etc/network -> /../../../tmp resolves to ROOT/tmp */
    snprintf(root, sizeof(root), "%s/escape/root2", g_tmp);
    snprintf(p, sizeof(p), "%s/etc", root);
    mkdirs(p);
    snprintf(p, sizeof(p), "%s/tmp", root);
    mkdirs(p);
    snprintf(p, sizeof(p), "%s/sbin", root);
    mkdirs(p);
    snprintf(p, sizeof(p), "%s/sbin/ifup", root);
    write_file(p, "");
    snprintf(p, sizeof(p), "%s/tmp/interfaces", root);
    write_file(p, iface);
    snprintf(p, sizeof(p), "%s/etc/network", root);
    ok(symlink("/../../../tmp", p) == 0, "a link to /../../../tmp");
    struct stat before;
    bool had = lstat("/tmp/interfaces", &before) == 0;
    is_int(run_apply(root, &pf, NULL), 0, "converted through the link, inside the root");
    snprintf(p, sizeof(p), "%s/tmp/interfaces.migsave", root);
    ok(lstat(p, &st) == 0, "the backup is ROOT/tmp/interfaces.migsave");
    struct stat after;
    bool has = lstat("/tmp/interfaces", &after) == 0;
    ok(had == has && (!had || (before.st_ino == after.st_ino &&
                               before.st_mtime == after.st_mtime)),
       "the node's /tmp/interfaces is untouched");
    ok(lstat("/tmp/interfaces.migsave", &st) < 0 || had, "no backup in the node's /tmp");
    net_plan_release(&pf.p);
}

static void test_unknown(void)
{
    char root[PATH_MAX], p[PATH_MAX * 2];
    snprintf(root, sizeof(root), "%s/unknown", g_tmp);
    snprintf(p, sizeof(p), "%s/etc", root);
    mkdirs(p);
    snprintf(p, sizeof(p), "%s/etc/hostname", root);
    write_file(p, "web1\n");
    struct plan_file pf = {0};
    snprintf(pf.os, sizeof(pf.os), "unknown");
    add(&pf.p.ipv4, &pf.p.nipv4, "198.51.100.10");
    struct ctfs fs;
    ok(ctfs_open(&fs, root) == 0, "open an unknown tree");
    is_int(netcfg_detect(&fs, "unknown"), 0, "no family detected");
    is_int(netcfg_apply(&fs, &pf.p, "unknown"), 1, "no known family: 1");
    bool noted = fs.nchanges == 1 && strcmp(fs.changes[0].what, "note") == 0;
    ok(noted, "only a note in the change list");
    ctfs_close(&fs);
    snprintf(p, sizeof(p), "%s/etc", root);
    is_int(count_entries(p), 1, "nothing written");
    net_plan_release(&pf.p);
}

int main(void)
{
    p2v_log_init("test_netcfg", P2V_LOG_ERROR);
    snprintf(g_tmp, sizeof(g_tmp), "/tmp/p2v-test-netcfg.XXXXXX");
    if (!mkdtemp(g_tmp))
        return 2;
    test_tmpl();
    test_plan_build();
    test_golden();
    test_escape();
    test_unknown();
    if (!tap_failed)
        rm_tree(g_tmp);
    else
        printf("# trees kept in %s\n", g_tmp);
    return tap_done();
}
