/* test_convert.c: the whole conversion (convert_run) on a CentOS 6 style
 * tree (sysvinit, ifcfg, SELinux on, quotas on /home), then its revert:
 * the tree must come back byte for byte as the source had it. */
#include "common.h"
#include "config.h"
#include "convert.h"
#include "ctconf.h"
#include "error.h"
#include "inventory.h"
#include "nodeinfo.h"
#include "tap.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[128], priv[256];

static int sh(const char *fmt, ...) P2V_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc;
}

static char *slurp(const char *rel)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", priv, rel);
    struct p2v_buf b = P2V_BUF_INIT(1 << 20);
    if (p2v_buf_read_file(&b, path) < 0)
        p2v_buf_reset(&b);
    return p2v_buf_detach(&b);
}

static bool exists(const char *rel)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", priv, rel);
    return lstat(path, &st) == 0;
}


static void make_tree(void)
{
    sh("set -e; cd %s; mkdir -p sbin etc/rc.d/init.d etc/rc3.d etc/selinux etc/sysconfig/network-scripts; "
       "printf 'ELF' > sbin/init; printf 'ELF' > sbin/ifup; touch sbin/service; "
       "ln -s rc.d/init.d etc/init.d; "
       "printf 'id:3:initdefault:\\nsi::sysinit:/etc/rc.d/rc.sysinit\\n"
       "1:2345:respawn:/sbin/mingetty tty1\\n2:2345:respawn:/sbin/mingetty tty2\\n"
       "S0:2345:respawn:/sbin/agetty ttyS0 115200\\nco:2345:respawn:/sbin/agetty console 38400\\n'"
       " > etc/inittab; "
       "ln -s ../init.d/irqbalance etc/rc3.d/S13irqbalance; ln -s ../init.d/network etc/rc3.d/S10network; "
       "ln -s ../init.d/sshd etc/rc3.d/S55sshd; "
       "printf 'UUID=1234 / ext4 defaults 1 1\\n/dev/sda2 swap swap defaults 0 0\\n"
       "# a comment\\nproc /proc proc defaults 0 0\\ndevpts /dev/pts devpts gid=5,mode=620 0 0\\n'"
       " > etc/fstab; "
       "printf 'SELINUX=enforcing\\nSELINUXTYPE=targeted\\n' > etc/selinux/config; "
       "printf 'NETWORKING=yes\\nHOSTNAME=old6.example.org\\nGATEWAY=198.51.100.1\\n' > etc/sysconfig/network; "
       "printf 'DEVICE=eth0\\nBOOTPROTO=static\\nIPADDR=198.51.100.20\\nNETMASK=255.255.255.0\\nONBOOT=yes\\n'"
       " > etc/sysconfig/network-scripts/ifcfg-eth0; "
       "printf 'DEVICE=lo\\nIPADDR=127.0.0.1\\n' > etc/sysconfig/network-scripts/ifcfg-lo; "
       "printf '127.0.0.1 localhost\\n198.51.100.20 old6.example.org old6\\n' > etc/hosts; "
       "printf 'nameserver 198.51.100.53\\n' > etc/resolv.conf; "
       "printf 'rootfs / rootfs rw 0 0\\n' > etc/mtab; "
       "touch -d 2020-01-01 etc/fstab etc/inittab",
       priv);
}

int main(void)
{
    if (geteuid() != 0) {
        printf("1..0 # SKIP needs root (device nodes, ownership)\n");
        return 0;
    }
    snprintf(base, sizeof(base), "/tmp/p2v-test-convert.%d", (int)getpid());
    snprintf(priv, sizeof(priv), "%s/vz/private/777", base);
    sh("mkdir -p %s", priv);
    make_tree();
    sh("cp -a %s %s/pristine", priv, base);

    char conf[512];
    snprintf(conf, sizeof(conf), "%s/p2v.conf", base);
    FILE *f = fopen(conf, "w");
    fprintf(f, "VE_PRIVATE=%s/vz/private/$VEID\nVE_ROOT=%s/vz/root/$VEID\nVZ_CONF_DIR=%s/vz/conf\n"
               "P2V_STATE_DIR=%s/vz/state\nRUNTIME=none\n", base, base, base, base);
    fclose(f);
    struct p2v_config cfg;
    is_int(p2v_config_load_file(&cfg, conf, true), 0, "node config");
    struct inventory inv;
    struct p2v_buf facts = P2V_BUF_INIT(1 << 20);
    is_int(p2v_buf_read_file(&facts, P2V_FIXTURES "/facts/centos6-quota.json"), 0, "facts fixture");
    is_int(inventory_load(&inv, facts.data ? facts.data : "", facts.len), 0,
           "facts (fixtures/facts/centos6-quota.json): %s", p2v_error_message());
    p2v_buf_release(&facts);
    struct node_info node;
    is_int(node_info_load(&node, &cfg, "777", "root@old6"), 0, "node info");

    struct convert_opts o = {.host = "root@old6", .ctid = "777", .quota_partition = "/home",
                             .data_bytes = 5ull << 30, .data_entries = 100000};
    struct report done = {0};
    int rc = convert_run(&o, &inv, &node, &cfg, &done);
    is_int(rc, 0, "convert_run: %s", rc ? p2v_error_message() : "ok");

    /* CTID.conf */
    p2v_autofree char *ctpath = p2v_xasprintf("%s/vz/conf/777.conf", base);
    struct p2v_buf text = P2V_BUF_INIT(1 << 20);
    ok(p2v_buf_read_file(&text, ctpath) == 0, "CTID.conf written");
    struct ctconf c;
    is_int(ctconf_parse(&c, text.data ? text.data : "", text.len), 0, "CTID.conf parses");
    is_int(c.nwarnings, 0, "no vzctl warnings (no duplicates)");
    is_str(ctconf_get(&c, "OSTEMPLATE"), "centos-6-x86_64", "OSTEMPLATE");
    is_str(ctconf_get(&c, "IP_ADDRESS"), "198.51.100.20 2001:db8:20::20",
           "IP_ADDRESS: global addresses, IPv6 normalised, link-local and loopback left out");
    is_str(ctconf_get(&c, "HOSTNAME"), "old6.example.org", "HOSTNAME");
    is_str(ctconf_get(&c, "NAMESERVER"), "198.51.100.53", "NAMESERVER");
    is_str(ctconf_get(&c, "VE_LAYOUT"), "simfs", "VE_LAYOUT");
    is_str(ctconf_get(&c, "QUOTAUGIDLIMIT"), "2000", "QUOTAUGIDLIMIT for the ids with limits");
    is_str(ctconf_get(&c, "ONBOOT"), "no", "ONBOOT no until the final pass");
    ok(ctconf_get(&c, "PHYSPAGES") && ctconf_get(&c, "DISKSPACE"), "limits from the sample");
    /* 5 GiB of data: +1 GiB soft, +10% hard, in KiB */
    is_str(ctconf_get(&c, "DISKSPACE"), "6291457:6920602", "DISKSPACE from the data");
    ctconf_release(&c);

    /* quotas: carried for /home, reported for /srv */
    p2v_autofree char *qu = slurp("etc/p2v/quota.user");
    ok(strstr(qu, "\n1001 1000 2000 10 20\n") && !strstr(qu, "1002 "),
       "the user limits of /home, ids without limits left out");
    p2v_autofree char *qg = slurp("etc/p2v/quota.group");
    ok(strstr(qg, "\n100 3000 4000 30 40\n") != NULL, "the group limits of /home");
    ok(exists("etc/p2v/p2v-firstboot") && exists("etc/rc.d/init.d/p2v-firstboot") &&
       exists("etc/rc3.d/S99p2v-firstboot"), "first-boot step installed for sysvinit");
    bool carried = false, other = false;
    for (size_t i = 0; i < done.n; i++) {
        if (strcmp(done.items[i].id, "quota-partition") != 0)
            continue;
        carried |= strstr(done.items[i].message, "1 user limits of /home carried") != NULL;
        other |= strstr(done.items[i].message, "quotas of /srv") != NULL &&
                 strstr(done.items[i].message, "not carried") != NULL;
    }
    ok(carried, "the report says /home's limits were carried");
    ok(other, "the report says /srv's quotas were not carried");

    /* what cannot work in a container */
    p2v_autofree char *inittab = slurp("etc/inittab");
    ok(strstr(inittab, "#mig# 1:2345:respawn:/sbin/mingetty tty1") &&
       strstr(inittab, "#mig# S0:2345") && strstr(inittab, "\nco:2345:respawn:/sbin/agetty console"),
       "hardware gettys commented, the console getty kept");
    ok(exists("etc/rc3.d/.migsave/S13irqbalance") && !exists("etc/rc3.d/S13irqbalance") &&
       exists("etc/rc3.d/S55sshd"), "hardware service links moved aside, others kept");
    p2v_autofree char *fstab = slurp("etc/fstab");
    ok(strstr(fstab, "#mig# UUID=1234 /") && strstr(fstab, "#mig# /dev/sda2 swap") &&
       strstr(fstab, "\nproc /proc") && strstr(fstab, "\ndevpts ") &&
       strstr(fstab, "\n# a comment"), "fstab: disks and swap commented, proc and devpts kept");
    p2v_autofree char *sel = slurp("etc/selinux/config");
    is_str(sel, "SELINUX=disabled\nSELINUXTYPE=targeted\n", "SELinux disabled");
    p2v_autofree char *orig = slurp("etc/selinux/config.migsave");
    is_str(orig, "SELINUX=enforcing\nSELINUXTYPE=targeted\n", "its original kept");
    char target[64] = "";
    p2v_autofree char *mtab = p2v_xasprintf("%s/etc/mtab", priv);
    ssize_t tl = readlink(mtab, target, sizeof(target) - 1);
    if (tl > 0)
        target[tl] = '\0';
    is_str(target, "/proc/mounts", "/etc/mtab links to /proc/mounts");
    ok(exists("dev/null") && exists("dev/ptmx") && exists("dev/pts"), "device nodes");
    ok(exists("etc/sysconfig/network-scripts/ifcfg-venet0") &&
       exists("etc/sysconfig/network-scripts/.migsave/ifcfg-eth0") &&
       exists("etc/sysconfig/network-scripts/ifcfg-lo"), "ifcfg: venet0 written, eth0 aside");

    /* idempotent, and the revert restores the source's tree exactly */
    report_release(&done);
    struct report done2 = {0};
    is_int(convert_run(&o, &inv, &node, &cfg, &done2), 0, "convert again on a converted tree");
    report_release(&done2);
    is_int(convert_revert(&cfg, "777", priv), 0, "revert: %s", p2v_error_message());
    is_int(sh("diff -r --no-dereference %s/pristine %s >&2", base, priv), 0,
           "after the revert the tree is the source's: same entries, same bytes");

    p2v_buf_release(&text);
    node_info_release(&node);
    inventory_release(&inv);
    p2v_config_release(&cfg);
    sh("rm -rf %s", base);
    return tap_done();
}
