/* test_inventory.c: the node's interpretation of facts (mounts, OS,
 * network, block devices, quotas, SELinux, xattrs) and the restriction
 * checks, on real samples from tests/fixtures/facts and crafted facts. */
#include "tap.h"
#include "inventory.h"
#include "nodeinfo.h"
#include "restrictions.h"
#include "json_write.h"
#include "error.h"

static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/facts/%s", P2V_FIXTURES, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("# cannot open %s\n", path);
        exit(1);
    }
    struct p2v_buf b = P2V_BUF_INIT(1 << 20);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        p2v_buf_add(&b, tmp, n);
    fclose(f);
    return p2v_buf_detach(&b);
}

/* A facts document: files given as (path, fixture) pairs plus raw JSON
 * members appended verbatim. */
static char *facts(const char *const *files, const char *extra)
{
    struct p2v_buf b = P2V_BUF_INIT(4 << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_kint(&j, "schema", 1);
    p2v_json_key(&j, "uname");
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "release", "3.10.0-1160.el7.x86_64");
    p2v_json_kstr(&j, "machine", "x86_64");
    p2v_json_kstr(&j, "nodename", "web1");
    p2v_json_obj_end(&j);
    p2v_json_key(&j, "files");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; files[i]; i += 2) {
        char *text = slurp(files[i + 1]);
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "path", files[i]);
        p2v_json_key(&j, "blob");
        p2v_json_obj_begin(&j);
        p2v_json_blob(&j, text, strlen(text));
        p2v_json_obj_end(&j);
        p2v_json_obj_end(&j);
        free(text);
    }
    p2v_json_arr_end(&j);
    p2v_json_obj_end(&j);
    p2v_json_finish(&j);
    /* splice the extra members before the closing brace */
    if (extra && *extra) {
        b.data[--b.len] = '\0';
        p2v_buf_printf(&b, ",%s}", extra);
    }
    return p2v_buf_detach(&b);
}

static const struct restriction *find(const struct report *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].id, id) == 0)
            return &r->items[i];
    return NULL;
}

static bool has_path(const struct restriction *x, const char *p)
{
    for (size_t i = 0; x && i < x->npaths; i++)
        if (strcmp(x->paths[i], p) == 0)
            return true;
    return false;
}

static bool detail_has(const struct restriction *x, const char *needle)
{
    for (size_t i = 0; x && i < x->ndetails; i++)
        if (strstr(x->details[i], needle))
            return true;
    return false;
}

static void fake_node(struct node_info *n, struct p2v_config *cfg)
{
    memset(n, 0, sizeof(*n));
    n->cfg = cfg;
    n->ctid = "101";
    n->host = "web1";
    n->machine = "x86_64";
    n->kernel = "3.10.0";
    n->kmajor = 3;
    n->kminor = 10;
    n->kernel_known = true;
    n->cpu_flags = "fpu cmov sse sse2 lm";
    n->private_dir = "/vz/private/101";
    n->conf_file = "/etc/vz/conf/101.conf";
    n->space_known = true;
    n->space_path = "/vz";
    n->free_bytes = 100ull << 30;
    n->free_inodes = 10000000;
}

static void test_os(void)
{
    struct {
        const char *path, *fixture, *id, *template_, *family;
    } cases[] = {
        {"/etc/os-release", "os-release.debian12", "debian", "debian-12-x86_64", "debian"},
        {"/etc/os-release", "os-release.debian11", "debian", "debian-11-x86_64", "debian"},
        {"/etc/os-release", "os-release.ubuntu2204", "ubuntu", "ubuntu-22.04-x86_64", "debian"},
        {"/etc/os-release", "os-release.centos7", "centos", "centos-7-x86_64", "redhat"},
        {"/etc/os-release", "os-release.alpine318", "alpine", "alpine-3.18.4-x86_64", "alpine"},
        {"/etc/redhat-release", "redhat-release.centos6", "centos", "centos-6-x86_64", "redhat"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", cases[i].path,
                               cases[i].fixture, NULL};
        char *doc = facts(files, NULL);
        struct inventory inv;
        ok(inventory_load(&inv, doc, strlen(doc)) == 0, "%s loads: %s", cases[i].fixture,
           p2v_error_message());
        is_str(inv.os.id, cases[i].id, "%s: distribution id", cases[i].fixture);
        is_str(inv.os.ostemplate, cases[i].template_, "%s: OSTEMPLATE", cases[i].fixture);
        is_str(inv.os.family, cases[i].family, "%s: family", cases[i].fixture);
        inventory_release(&inv);
        free(doc);
    }
    char *v = osrelease_get("A=1\nNAME='x y'\nQ=\"a \\\"b\\\" c\"\n", "Q");
    is_str(v, "a \"b\" c", "os-release double quotes and escapes");
    free(v);
    v = osrelease_get("NAME='x y'\n", "NAME");
    is_str(v, "x y", "os-release single quotes");
    free(v);
}

static void test_mounts(void)
{
    const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", "/proc/swaps",
                           "swaps.centos7", NULL};
    char *doc = facts(files, "\"statfs\":[{\"mountpoint\":\"/home\",\"bsize\":4096,\"blocks\":1000,"
                             "\"bfree\":400,\"bavail\":400,\"files\":100,\"ffree\":40},"
                             "{\"mountpoint\":\"/boot\",\"bsize\":4096,\"blocks\":10,\"bfree\":99,"
                             "\"bavail\":1,\"files\":1,\"ffree\":1}]");
    struct inventory inv;
    ok(inventory_load(&inv, doc, strlen(doc)) == 0, "centos7 mountinfo loads");
    size_t local = 0;
    const struct inv_mount *home = NULL, *www = NULL, *nfs = NULL, *space = NULL, *iso = NULL,
                           *boot = NULL;
    for (size_t i = 0; i < inv.nmounts; i++) {
        const struct inv_mount *m = &inv.mounts[i];
        local += m->kind == MOUNT_LOCAL;
        if (!strcmp(m->target, "/home")) home = m;
        if (!strcmp(m->target, "/var/www")) www = m;
        if (!strcmp(m->target, "/mnt/backup")) nfs = m;
        if (!strcmp(m->target, "/srv/my data")) space = m;
        if (!strcmp(m->target, "/mnt/iso")) iso = m;
        if (!strcmp(m->target, "/boot")) boot = m;
    }
    is_int(local, 4, "four local filesystems: / /boot /home /srv/my data");
    ok(home && home->kind == MOUNT_LOCAL && home->have_usage && home->used == 600 * 4096,
       "/home local with usage from statfs");
    ok(boot && !boot->have_usage, "nonsense statfs (bfree > blocks) is not believed");
    ok(www && www->kind == MOUNT_BIND, "/var/www is a bind view of /home's filesystem");
    ok(nfs && nfs->kind == MOUNT_NETWORK, "nfs4 is a network filesystem");
    ok(space && space->kind == MOUNT_LOCAL, "octal escape \\040 decoded in a mount point");
    ok(iso && iso->kind == MOUNT_OTHER, "iso9660 is left out");
    is_int(inv.nswaps, 2, "two swap areas");

    struct report r = {0};
    struct node_info node;
    struct p2v_config cfg = {0};
    fake_node(&node, &cfg);
    check_filesystems(&inv, &node, &r);
    const struct restriction *x = find(&r, "filesystems-merged");
    ok(x && x->sev == SEV_WARNING, "network filesystem makes filesystems-merged a warning");
    ok(has_path(x, "/") && has_path(x, "/home") && has_path(x, "/srv/my data") && !has_path(x, "/proc"),
       "merged paths are the local mount points only");
    ok(detail_has(x, "left out (network, not copied): /mnt/backup (nfs4"), "the NFS mount is named");
    ok(detail_has(x, "bind mount: /var/www"), "the bind mount is named");
    ok(detail_has(x, "/proc (proc)"), "pseudo filesystems are listed as left out");
    ok(detail_has(x, "left out (swap): /swapfile"), "swap areas are listed as left out");
    report_release(&r);
    inventory_release(&inv);
    free(doc);
}

static const char net_block[] =
    "\"interfaces\":[{\"name\":\"lo\",\"flags\":[\"up\",\"loopback\"],\"mac\":\"00:00:00:00:00:00\","
    "\"addresses\":[{\"family\":\"inet\",\"address\":\"127.0.0.1\",\"prefix\":8}]},"
    "{\"name\":\"eth0\",\"flags\":[\"up\"],\"mac\":\"02:00:00:00:00:10\",\"addresses\":["
    "{\"family\":\"inet\",\"address\":\"198.51.100.10\",\"prefix\":24},"
    "{\"family\":\"inet6\",\"address\":\"2001:DB8:10:0::10\",\"prefix\":64},"
    "{\"family\":\"inet6\",\"address\":\"fe80::1\",\"prefix\":64},"
    "{\"family\":\"inet\",\"address\":\"1.2.3.4; rm -rf /\",\"prefix\":24},"
    "{\"family\":\"inet\",\"address\":\"203.0.113.9\",\"prefix\":99}]},"
    "{\"name\":\"bad\\nname\",\"addresses\":[]},"
    "{\"name\":\"eth1\",\"mac\":\"02:00:00:00:00:11\",\"addresses\":[{\"family\":\"inet\","
    "\"address\":\"203.0.113.10\",\"prefix\":24}]}],"
    "\"mac_mentions\":[{\"path\":\"/opt/licence/app.lic\",\"mac\":\"02:00:00:00:00:10\","
    "\"interface\":\"eth0\"}],"
    "\"block_devices\":["
    "{\"name\":\"loop7\",\"path\":\"/dev/loop7\",\"dev\":\"7:7\",\"size\":8388608,\"blkid\":{}},"
    "{\"name\":\"sdb\",\"path\":\"/dev/sdb\",\"dev\":\"8:16\",\"size\":1000,\"partitions\":[\"sdb1\"],\"blkid\":{\"PTTYPE\":\"gpt\"}},"
    "{\"name\":\"sdb1\",\"path\":\"/dev/sdb1\",\"dev\":\"8:17\",\"size\":1000,\"partition\":true,\"blkid\":{\"TYPE\":\"ext4\",\"UUID\":\"u-1\"}},"
    "{\"name\":\"sdc\",\"path\":\"/dev/sdc\",\"dev\":\"8:32\",\"size\":1000,\"holders\":[\"dm-0\"],\"blkid\":{}},"
    "{\"name\":\"loop0\",\"path\":\"/dev/loop0\",\"dev\":\"7:0\",\"size\":0},"
    "{\"name\":\"vda\",\"path\":\"/dev/vda\",\"dev\":\"254:0\",\"size\":1000,\"blkid_error\":\"Operation not permitted\"}]";

static void test_net_block(void)
{
    const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", NULL};
    char *doc = facts(files, net_block);
    struct inventory inv;
    ok(inventory_load(&inv, doc, strlen(doc)) == 0, "network facts load");
    struct report r = {0};
    check_addresses(&inv, &r);
    check_mac_bound(&inv, &r);
    check_raw_devices(&inv, &r);
    const struct restriction *ip = find(&r, "ips-to-venet0");
    ok(ip && ip->sev == SEV_INFO, "ips-to-venet0 reported");
    ok(has_path(ip, "198.51.100.10/24") && has_path(ip, "203.0.113.10/24"), "IPv4 addresses listed");
    ok(has_path(ip, "2001:db8:10::10/64"), "IPv6 address normalised as vzctl does");
    ok(!has_path(ip, "127.0.0.1/8") && !has_path(ip, "fe80::1/64"), "loopback and link-local stay");
    ok(detail_has(ip, "198.51.100.10/24 from eth0"), "each address names its interface");
    is_int(ip ? ip->npaths : 0, 3, "an injected or out-of-range address is never reported");
    for (size_t i = 0; i < inv.nifaces; i++)
        ok(!strchr(inv.ifaces[i].name, '\n'), "interface name %zu has no newline", i);
    const struct restriction *mac = find(&r, "mac-bound");
    ok(mac && mac->sev == SEV_WARNING && has_path(mac, "/opt/licence/app.lic"), "licence file named");
    ok(detail_has(mac, "eth0 has MAC 02:00:00:00:00:10"), "each interface's MAC listed");
    const struct restriction *raw = find(&r, "raw-devices");
    ok(raw && raw->sev == SEV_WARNING, "raw-devices is a warning");
    ok(has_path(raw, "/dev/loop7"), "the unformatted loop device is raw");
    is_int(raw ? raw->npaths : 0, 1, "disks with partitions, filesystems, holders, empty or unprobed devices are not raw");
    report_release(&r);
    inventory_release(&inv);
    free(doc);
}

static void test_quota(void)
{
    const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", NULL};
    const char *q =
        "\"quotas\":[{\"mountpoint\":\"/home\",\"type\":\"user\",\"format\":\"xfs\",\"active\":true,"
        "\"entries\":[{\"id\":1000,\"bsoft\":100,\"bhard\":200},{\"id\":1001}]},"
        "{\"mountpoint\":\"/srv/my data\",\"type\":\"group\",\"format\":\"vfsv1\",\"active\":true,"
        "\"entries\":[{\"id\":100,\"isoft\":5}]}]";
    char *doc = facts(files, q);
    struct inventory inv;
    ok(inventory_load(&inv, doc, strlen(doc)) == 0, "quota facts load");
    struct report r = {0};
    ok(check_quota(&inv, NULL, &r) == 0, "quota check without a choice");
    const struct restriction *x = find(&r, "quota-partition");
    ok(x && x->sev == SEV_WARNING && strstr(x->message, "--quota-partition"),
       "two candidates and no choice: say how to choose");
    ok(has_path(x, "/home") && has_path(x, "/srv/my data"), "both candidates listed");
    report_release(&r);
    ok(check_quota(&inv, "/home", &r) == 0, "quota check with /home chosen");
    x = find(&r, "quota-partition");
    ok(x && detail_has(x, "/home: user quota, xfs, enforced by the kernel, 1 ids with limits: kept"),
       "chosen partition's limits kept: %s", x && x->ndetails ? x->details[0] : "");
    ok(detail_has(x, "/srv/my data: group quota") && detail_has(x, "dropped"), "the other is dropped");
    report_release(&r);
    ok(check_quota(&inv, "/nope", &r) < 0 && strstr(p2v_error_hint_text(), "/home"),
       "an unknown partition is an error naming the choices");
    report_release(&r);
    inventory_release(&inv);
    free(doc);
}

static void test_security(void)
{
    const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", NULL};
    char *doc = facts(files, "\"xattr_scan\":{\"files\":42,\"namespaces\":{"
                             "\"user\":{\"count\":2,\"samples\":[\"/srv/a\"]},"
                             "\"security.selinux\":{\"count\":40,\"samples\":[\"/etc/passwd\"]},"
                             "\"trusted\":{\"count\":0,\"samples\":[]}}}");
    struct inventory inv;
    ok(inventory_load(&inv, doc, strlen(doc)) == 0, "xattr facts load");
    struct report r = {0};
    check_xattrs(&inv, &r);
    check_selinux(&inv, &r);
    const struct restriction *x = find(&r, "xattrs");
    ok(x && x->sev == SEV_WARNING, "dropping selinux labels is a warning");
    ok(detail_has(x, "user: 2 files, kept") && detail_has(x, "security.selinux: 40 files, dropped"),
       "kept and dropped namespaces are told apart");
    ok(!detail_has(x, "trusted"), "absent namespaces are not listed");
    x = find(&r, "selinux");
    ok(x && x->sev == SEV_INFO, "no SELinux facts: not in use");
    report_release(&r);
    inventory_release(&inv);
    free(doc);
}

/* NT_GNU_ABI_TAG for Linux 9.0.0: newer than the fake node's 3.10. */
static void test_node_checks(void)
{
    const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", NULL};
    /* namesz 4, descsz 16, type 1, "GNU\0", os 0, 9, 0, 0 (little endian) */
    char *doc = facts(files, "\"elf\":[{\"path\":\"/lib64/libc.so.6\",\"class\":64,\"endian\":\"little\","
                             "\"machine\":183,\"notes\":{\"base64\":"
                             "\"BAAAABAAAAABAAAAR05VAAAAAAAJAAAAAAAAAAAAAAA=\"}}],"
                             "\"cpu\":{\"flags\":\"fpu cmov sse sse2 lm avx2 aes\"},"
                             "\"statfs\":[{\"mountpoint\":\"/\",\"bsize\":4096,\"blocks\":100000000,"
                             "\"bfree\":0,\"bavail\":0,\"files\":10,\"ffree\":0}]");
    struct inventory inv;
    ok(inventory_load(&inv, doc, strlen(doc)) == 0, "elf facts load");
    ok(inv.have_abi_tag && inv.abi_major == 9, "ABI tag read from the C library's notes");
    is_str(inv.userland_arch, "aarch64", "userland arch from e_machine");
    struct report r = {0};
    struct node_info node;
    struct p2v_config cfg = {0};
    fake_node(&node, &cfg);
    check_node(&inv, &node, &r);
    const struct restriction *x = find(&r, "kernel-too-old");
    ok(x && x->sev == SEV_BLOCKER && strstr(x->message, "9.0.0"), "kernel-too-old blocker");
    x = find(&r, "arch-mismatch");
    ok(x && x->sev == SEV_BLOCKER, "aarch64 userland on an x86_64 node is a blocker");
    x = find(&r, "cpu-flags");
    ok(x && x->sev == SEV_WARNING && strstr(x->message, "avx2") && strstr(x->message, "aes"),
       "cpu-flags names the missing features");
    x = find(&r, "destination-space");
    ok(x && x->sev == SEV_BLOCKER, "381 GiB used does not fit in 100 GiB: blocker");
    ok(!report_possible(&r), "a blocker makes the migration impossible");
    report_release(&r);

    node.conf_exists = true;
    check_node(&inv, &node, &r);
    x = find(&r, "ctid-exists");
    ok(x && x->sev == SEV_BLOCKER && has_path(x, "/etc/vz/conf/101.conf"), "existing CTID.conf blocks");
    report_release(&r);
    node.conf_exists = false;
    node.private_nonempty = true;
    node.resume_host = "web1";
    check_node(&inv, &node, &r);
    x = find(&r, "ctid-exists");
    ok(x && x->sev == SEV_INFO && strstr(x->message, "resumes"), "own partial copy: a rerun resumes");
    report_release(&r);
    node.resume_host = NULL;
    check_node(&inv, &node, &r);
    x = find(&r, "ctid-exists");
    ok(x && x->sev == SEV_BLOCKER, "someone else's data in the private area blocks");
    report_release(&r);
    inventory_release(&inv);
    free(doc);
}

static void test_hostile(void)
{
    struct inventory inv;
    ok(inventory_load(&inv, "[1]", 3) < 0, "a non-object document is refused");
    ok(inventory_load(&inv, "{\"schema\":1}", 12) < 0 &&
           strstr(p2v_error_message(), "mountinfo"), "missing mountinfo is an error");
    struct p2v_buf deep = P2V_BUF_INIT(1 << 20);
    for (int i = 0; i < 1000; i++)
        p2v_buf_adds(&deep, "{\"a\":");
    ok(inventory_load(&inv, deep.data, deep.len) < 0, "nesting beyond the limit is refused");
    p2v_buf_release(&deep);
    ok(inventory_load(&inv, "{\"schema\":2}", 12) < 0 && strstr(p2v_error_message(), "schema 2"),
       "a newer schema is named");
    const char *files[] = {"/proc/self/mountinfo", "mountinfo.centos7", "/etc/os-release",
                           "os-release.debian12", NULL};
    char *doc = facts(files, "\"interfaces\":\"oops\",\"quotas\":[1,2,{\"x\":[]}],"
                             "\"statfs\":{\"a\":1},\"block_devices\":[{\"name\":7}]");
    ok(inventory_load(&inv, doc, strlen(doc)) == 0, "wrongly typed members are ignored, not fatal");
    is_int(inv.nifaces, 0, "no interfaces from a string");
    inventory_release(&inv);
    free(doc);
}

int main(void)
{
    test_os();
    test_mounts();
    test_net_block();
    test_quota();
    test_security();
    test_node_checks();
    test_hostile();
    return tap_done();
}
