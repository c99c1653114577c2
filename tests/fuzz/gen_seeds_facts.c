/* gen_seeds_facts.c: facts documents and the text/file parsers' seeds. */
#include "gen_seeds.h"
#include "delta.h"
#include "error.h"
#include "json_write.h"
#include "proto.h"
#include "xfer.h"
#include <librsync.h>
#include <sys/stat.h>

/* ---- facts ---- */

struct file_fixture {
    const char *path, *fixture;
};

/* A facts document: uname, the files given, raw JSON members appended. */
static void facts(const char *name, const char *hostname, const struct file_fixture *files,
                  size_t nfiles, const char *extra)
{
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_kint(&j, "schema", 1);
    if (hostname)
        p2v_json_kstr(&j, "hostname", hostname);
    p2v_json_key(&j, "uname");
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "release", "3.10.0-1160.el7.x86_64");
    p2v_json_kstr(&j, "machine", "x86_64");
    p2v_json_kstr(&j, "nodename", "web1");
    p2v_json_obj_end(&j);
    p2v_json_key(&j, "files");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; i < nfiles; i++) {
        size_t len;
        p2v_autofree char *text = slurp(files[i].fixture, &len);
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "path", files[i].path);
        p2v_json_key(&j, "blob");
        p2v_json_obj_begin(&j);
        p2v_json_blob(&j, text, len);
        p2v_json_obj_end(&j);
        p2v_json_obj_end(&j);
    }
    p2v_json_arr_end(&j);
    p2v_json_obj_end(&j);
    if (p2v_json_finish(&j) < 0)
        die("json");
    if (extra && *extra) {
        b.data[--b.len] = '\0';
        p2v_buf_printf(&b, ",%s}", extra);
    }
    putb("inventory", name, &b);
}

/* quota_files members from the fixture files (blob: base64) */
static char *quota_files_member(void)
{
    static const struct {
        const char *file, *type;
    } q[] = {{"quota/vfsv0/aquota.user", "user"}, {"quota/vfsv1/aquota.group", "group"},
             {"quota/vfsold/quota.user", "user"}};
    struct p2v_buf b = P2V_BUF_INIT(4u << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_key(&j, "quota_files");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; i < P2V_ARRAY_LEN(q); i++) {
        size_t len;
        p2v_autofree char *data = slurp(q[i].file, &len);
        if (len > 4000)
            len = 4000;   /* the first 100 ids of the flat vfsold file */
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "mountpoint", i == 0 ? "/home" : i == 1 ? "/srv/my data" : "/");
        p2v_json_kstr(&j, "path", q[i].file);
        p2v_json_kstr(&j, "type", q[i].type);
        p2v_json_kuint(&j, "size", len);
        p2v_json_key(&j, "blob");
        p2v_json_obj_begin(&j);
        p2v_json_blob(&j, data, len);
        p2v_json_obj_end(&j);
        p2v_json_obj_end(&j);
    }
    p2v_json_arr_end(&j);
    p2v_json_obj_end(&j);
    if (p2v_json_finish(&j) < 0)
        die("json");
    /* the member alone, without the braces */
    char *s = p2v_xstrndup(b.data + 1, b.len - 2);
    p2v_buf_release(&b);
    return s;
}

static const char net_member[] =
    "\"interfaces\":[{\"name\":\"lo\",\"flags\":[\"up\",\"loopback\"],\"mac\":\"00:00:00:00:00:00\","
    "\"addresses\":[{\"family\":\"inet\",\"address\":\"127.0.0.1\",\"prefix\":8}]},"
    "{\"name\":\"eth0\",\"flags\":[\"up\"],\"mac\":\"02:00:00:00:00:10\",\"addresses\":["
    "{\"family\":\"inet\",\"address\":\"198.51.100.10\",\"prefix\":24},"
    "{\"family\":\"inet6\",\"address\":\"2001:DB8:10:0::10\",\"prefix\":64},"
    "{\"family\":\"inet6\",\"address\":\"fe80::1\",\"prefix\":64},"
    "{\"family\":\"inet\",\"address\":\"1.2.3.4; rm -rf /\",\"prefix\":24},"
    "{\"family\":\"inet\",\"address\":\"203.0.113.9\",\"prefix\":99}]},"
    "{\"name\":\"bad\\nname\",\"addresses\":[]},"
    "{\"name\":\"venet0:0\",\"addresses\":[{\"family\":\"inet\",\"address\":\"10.0.0.1\",\"prefix\":32}]},"
    "{\"name\":\"eth1\",\"mac\":\"02:00:00:00:00:11\",\"addresses\":[{\"family\":\"inet\","
    "\"address\":\"203.0.113.10\",\"prefix\":24}]}],"
    "\"mac_mentions\":[{\"path\":\"/opt/licence/app.lic\",\"mac\":\"02:00:00:00:00:10\","
    "\"interface\":\"eth0\"}]";

static const char block_member[] =
    "\"block_devices\":["
    "{\"name\":\"loop7\",\"path\":\"/dev/loop7\",\"dev\":\"7:7\",\"size\":8388608,\"blkid\":{}},"
    "{\"name\":\"sdb\",\"path\":\"/dev/sdb\",\"dev\":\"8:16\",\"size\":1000,\"partitions\":[\"sdb1\"],"
    "\"blkid\":{\"PTTYPE\":\"gpt\"}},"
    "{\"name\":\"sdb1\",\"path\":\"/dev/sdb1\",\"dev\":\"8:17\",\"size\":1000,\"partition\":true,"
    "\"blkid\":{\"TYPE\":\"ext4\",\"UUID\":\"u-1\",\"LABEL\":\"data\"}},"
    "{\"name\":\"sdc\",\"path\":\"/dev/sdc\",\"dev\":\"8:32\",\"size\":1000,\"holders\":[\"dm-0\"],\"blkid\":{}},"
    "{\"name\":\"sda2\",\"path\":\"/dev/sda2\",\"dev\":\"8:2\",\"size\":1000,\"partition\":true,"
    "\"blkid\":{\"TYPE\":\"swap\"}},"
    "{\"name\":\"vda\",\"path\":\"/dev/vda\",\"dev\":\"254:0\",\"size\":1000,"
    "\"blkid_error\":\"Operation not permitted\"}]";

static const char statfs_member[] =
    "\"statfs\":[{\"mountpoint\":\"/home\",\"bsize\":4096,\"blocks\":1000,\"bfree\":400,"
    "\"bavail\":400,\"files\":100,\"ffree\":40,\"dev\":\"253:2\"},"
    "{\"mountpoint\":\"/\",\"bsize\":4096,\"blocks\":100000000,\"bfree\":0,\"bavail\":0,"
    "\"files\":10,\"ffree\":0},{\"mountpoint\":\"/boot\",\"bsize\":4096,\"blocks\":10,"
    "\"bfree\":99,\"bavail\":1,\"files\":1,\"ffree\":1}]";

static const char quota_member[] =
    "\"quotas\":[{\"mountpoint\":\"/home\",\"device\":\"/dev/mapper/home\",\"fstype\":\"xfs\","
    "\"type\":\"user\",\"format\":\"xfs\",\"active\":true,\"enforcing\":true,\"bgrace\":604800,"
    "\"igrace\":604800,\"entries\":[{\"id\":1000,\"bsoft\":100,\"bhard\":200,\"curspace\":4096},"
    "{\"id\":1001}]},{\"mountpoint\":\"/srv/my data\",\"type\":\"group\",\"format\":\"vfsv1\","
    "\"active\":true,\"entries\":[{\"id\":100,\"isoft\":5,\"ihard\":10}],\"truncated\":true}]";

static const char security_member[] =
    "\"xattr_scan\":{\"files\":42,\"truncated\":false,\"namespaces\":{"
    "\"user\":{\"count\":2,\"samples\":[\"/srv/a\"]},"
    "\"security.selinux\":{\"count\":40,\"samples\":[\"/etc/passwd\",\"/etc/shadow\"]},"
    "\"trusted\":{\"count\":0,\"samples\":[]}}},"
    "\"errors\":[{\"what\":\"/proc/mounts\",\"error\":\"Permission denied\"},{\"what\":1}]";

static const char elf_member[] =
    "\"elf\":[{\"path\":\"/lib64/libc.so.6\",\"class\":64,\"endian\":\"little\",\"machine\":183,"
    "\"notes\":{\"base64\":\"BAAAABAAAAABAAAAR05VAAAAAAAJAAAAAAAAAAAAAAA=\"}},"
    "{\"path\":\"/sbin/init\",\"class\":32,\"endian\":\"big\",\"machine\":8,\"notes\":{\"text\":\"\"}}],"
    "\"cpu\":{\"flags\":\"fpu cmov sse sse2 lm avx2 aes\",\"model_name\":\"x\",\"count\":2},"
    "\"agent\":{\"software\":\"p2v-agent 0.1.0\"}";

void seeds_inventory(int argc, char **argv)
{
    static const struct file_fixture os[] = {
        {"/etc/os-release", "facts/os-release.debian12"},
        {"/etc/os-release", "facts/os-release.debian11"},
        {"/etc/os-release", "facts/os-release.ubuntu2204"},
        {"/etc/os-release", "facts/os-release.centos7"},
        {"/etc/os-release", "facts/os-release.alpine318"},
        {"/etc/redhat-release", "facts/redhat-release.centos6"},
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(os); i++) {
        struct file_fixture f[] = {{"/proc/self/mountinfo", "facts/mountinfo.centos7"}, os[i]};
        char name[64];
        snprintf(name, sizeof(name), "os-%s", strrchr(os[i].fixture, '/') + 1);
        facts(name, NULL, f, 2, NULL);
    }
    struct file_fixture mounts[] = {{"/proc/self/mountinfo", "facts/mountinfo.centos7"},
                                    {"/proc/swaps", "facts/swaps.centos7"},
                                    {"/etc/os-release", "facts/os-release.centos7"}};
    facts("mounts-statfs", "web1.example.com", mounts, 3, statfs_member);
    facts("net-block", "web1.example.com", mounts, 1, net_member);
    char *nb = p2v_xasprintf("%s,%s", net_member, block_member);
    facts("net-block-devices", "web1", mounts, 1, nb);
    free(nb);
    facts("hostile-hostname", "web1\nIP_ADDRESS=\"6.6.6.6\" $(reboot)", mounts, 1, net_member);
    facts("quotas", NULL, mounts, 1, quota_member);
    char *qf = quota_files_member();
    facts("quota-files", NULL, mounts, 1, qf);
    free(qf);
    facts("security-elf", NULL, mounts, 1, security_member);
    facts("elf-cpu", NULL, mounts, 1, elf_member);

    /* resolv.conf, fstab and the SELinux files of each network fixture tree */
    static const char *const trees[] = {"debian12-ifupdown", "none-unknown", "alpine-ifupdown"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(trees); i++) {
        struct file_fixture f[4] = {{"/proc/self/mountinfo", "facts/mountinfo.centos7"}};
        size_t n = 1;
        static const char *const names[] = {"/etc/resolv.conf", "/etc/hostname", "/etc/alpine-release"};
        for (size_t k = 0; k < P2V_ARRAY_LEN(names); k++) {
            p2v_autofree char *rel = p2v_xasprintf("net/%s/in%s", trees[i], names[k]);
            p2v_autofree char *full = p2v_xasprintf("%s/%s", fixtures, rel);
            if (access(full, R_OK) == 0) {
                f[n].path = names[k];
                f[n++].fixture = p2v_steal(rel);
            }
        }
        char name[64];
        snprintf(name, sizeof(name), "tree-%s", trees[i]);
        facts(name, "host-1", f, n, net_member);
        for (size_t k = 1; k < n; k++)
            free((char *)f[k].fixture);
    }
    char *files = p2v_xasprintf(
        "\"files\":[{\"path\":\"/etc/selinux/config\",\"blob\":{\"text\":\"%s\"}},"
        "{\"path\":\"/sys/fs/selinux/enforce\",\"blob\":{\"text\":\"1\"}},"
        "{\"path\":\"/etc/fstab\",\"blob\":{\"text\":\"%s\"}},"
        "{\"path\":\"/etc/resolv.conf\",\"blob\":{\"base64\":\"bmFtZXNlcnZlciAxLjEuMS4xCg==\"}},"
        "{\"path\":\"/etc/resolv.conf\",\"blob\":{\"text\":\"%s\"}}]",
        "SELINUX=enforcing\\nSELINUXTYPE=targeted\\n",
        "UUID=u-1 / ext4 defaults 0 1\\n/dev/sda2 none swap sw 0 0\\n# comment\\n",
        "nameserver 198.51.100.53\\nnameserver 127.0.0.53\\nnameserver 2001:db8::53\\n"
        "search example.com in_ternal.lan\\nnameserver ;reboot\\n");
    char *doc = p2v_xasprintf("{\"schema\":1,\"uname\":{\"nodename\":\"n\"},%s}", files);
    put("inventory", "selinux-fstab-resolv", doc, strlen(doc));
    free(doc);
    free(files);

    static const char *const small[] = {
        "{\"schema\":1}", "{\"schema\":2}", "[1]", "{\"schema\":1,\"files\":{}}",
        "{\"schema\":1,\"interfaces\":[1,\"x\",null,{\"addresses\":7}]}",
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(small); i++) {
        char name[32];
        snprintf(name, sizeof(name), "small-%zu", i);
        put("inventory", name, small[i], strlen(small[i]));
    }
    size_t len;
    char *c6 = slurp("facts/centos6-quota.json", &len);
    put("inventory", "centos6-quota", c6, len);
    free(c6);
    for (int i = 0; i < argc; i++) {
        char *d = slurp(argv[i], &len);
        char name[32];
        snprintf(name, sizeof(name), "agent-facts-%d", i);
        put("inventory", name, d, len);
        free(d);
    }
}

/* ---- text and file parsers ---- */

static void copy_fixture(const char *target, const char *name, const char *fixture, size_t cut)
{
    size_t len;
    char *d = slurp(fixture, &len);
    put(target, name, d, cut && cut < len ? cut : len);
    free(d);
}

void seeds_files(void)
{
    static const char *const osr[] = {"os-release.alpine318", "os-release.centos7",
                                      "os-release.debian11", "os-release.debian12",
                                      "os-release.ubuntu2204", "redhat-release.centos6"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(osr); i++) {
        p2v_autofree char *f = p2v_xasprintf("facts/%s", osr[i]);
        copy_fixture("osrelease", osr[i], f, 0);
    }
    static const char *const osx[] = {
        "NAME='x y'\nID=\"deb\\\"ian\"\nVERSION_ID=12\n",
        "  ID=  \nID_LIKE=\"rhel fedora\nPRETTY_NAME='unterminated\n",
        "ID=a\\\nVERSION_ID=\"1.2\\\\\"\t \nI=\n",
        "ID=ubuntu\nVERSION_ID=\"22.04\"\nID_LIKE=debian\n",
        "ID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\nID_LIKE=\"suse opensuse\"\n",
        "ID=arch\nBUILD_ID=rolling\nPRETTY_NAME=\"Arch Linux\"\n",
        "ID=gentoo\nVERSION_ID=2.14\nNAME=Gentoo\n",
        "ID=\"rhel\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.3 (Plow)\"\n",
        "ID='debian; rm -rf /'\nVERSION_ID=\"12\\n\"\nPRETTY_NAME=\"$(id)\"\n",
        "ID=\nVERSION_ID=\n",
        "IDX=1\nID =2\n ID=3\n\tID=4\n",
        "PRETTY_NAME=\"\xc3\x9c" "buntu \xe2\x80\x94 caf\xc3\xa9\"\nID=\"\\",
        "VERSION_ID='12'trailing\nID=\"deb\"ian\"\n",
        "ID=\"'\"\nID_LIKE='\"'\n",
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(osx); i++) {
        char name[32];
        snprintf(name, sizeof(name), "quoting-%zu", i);
        put("osrelease", name, osx[i], strlen(osx[i]));
    }

    static const char *const q[] = {"vfsv0/aquota.user", "vfsv0/aquota.group",
                                    "vfsv1/aquota.user", "vfsv1/aquota.group",
                                    "vfsold/quota.user", "vfsold/quota.group"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(q); i++) {
        p2v_autofree char *f = p2v_xasprintf("quota/%s", q[i]);
        char name[64];
        snprintf(name, sizeof(name), "%.*s-%s", (int)(strchr(q[i], '/') - q[i]), q[i],
                 strchr(q[i], '/') + 1);
        /* the flat vfsold files are 120 KB: one whole, the other cut */
        copy_fixture("quota_file", name, f, strcmp(q[i], "vfsold/quota.group") == 0 ? 8000 : 0);
        static const size_t cuts[] = {8, 1024, 2048, 3072, 1100};
        for (size_t k = 0; k < P2V_ARRAY_LEN(cuts); k++) {
            if (k >= 2 && i >= 4)
                break;
            char cut[80];
            snprintf(cut, sizeof(cut), "%s-first-%zu", name, cuts[k]);
            copy_fixture("quota_file", cut, f, cuts[k]);
        }
    }

    copy_fixture("ctconf", "ve-vswap-p2v.conf-sample", "../../templates/ve-vswap-p2v.conf-sample", 0);
    static const char *const conf[] = {
        "# comment\nVE_ROOT=\"/vz/root/$VEID\"\nVE_PRIVATE=\"/vz/private/$VEID\"\n"
        "OSTEMPLATE=\"debian-12-x86_64\"\nHOSTNAME=\"web1.example.com\"\n",
        "  ONBOOT=yes # inline stays\nNOEQUALS\nA=\"x\"y\"\nA=dup\n\t\n=\"empty key\"\nweb1",
        "X=\"unmatched\n",
        "IP_ADDRESS=\"198.51.100.10 2001:db8::10\"\nNAMESERVER=\"1.1.1.1\"\nHOSTNAME=old\n"
        "web1.example.com",
        "HOSTNAME=\"a\"\nnew\"host$(x)",
        "",
        "\n\n\n",
        "PHYSPAGES=\"0:262144\"\nSWAPPAGES=\"0:131072\"\nDISKSPACE=\"10G:11G\"\n"
        "DISKINODES=\"200000:220000\"\nQUOTATIME=\"0\"\nCPUUNITS=\"1000\"\n"
        "NETFILTER=\"stateless\"\nVE_LAYOUT=\"simfs\"\nhost\twith tab",
        "# only comments\n   # indented\n\t#tab\n",
        "KEY=\"\"\nKEY2=\n KEY3 = \"spaced\" \nlowercase=ok\nK-EY=x\n",
        "A=\"one\"\"two\"\nB='single'\nC=\"x\" # \"quoted comment\"\n",
        "HOSTNAME=first\nHOSTNAME=second\nHOSTNAME=\"third\"\n\xc3\xa9t\xc3\xa9.example",
        "X=\"a\r\"\r\nY=b\r\nvalue with spaces and ; & | < >",
        "NOQUOTE\nNOQUOTE=\nNO QUOTE=\"v\"\nback\\slash",
        "=\n==\n\"=\"\n$(reboot)",
        "DESCRIPTION=\"migrated from web1 by p2v\"\nORIGIN_SAMPLE=\"vswap.1g\"\n"
        "IP_ADDRESS=\"\"\n`id`",
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(conf); i++) {
        char name[32];
        snprintf(name, sizeof(name), "conf-%zu", i);
        put("ctconf", name, conf[i], strlen(conf[i]));
    }
}

