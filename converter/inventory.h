/* inventory.h: the source as the node understands it, interpreted from
 * the agent's raw facts (docs/facts.md). Every string here came from the
 * source: treat it as untrusted text when writing files or commands. */
#ifndef P2V_INVENTORY_H
#define P2V_INVENTORY_H

#include "common.h"
#include "factsdoc.h"

enum mount_kind {
    MOUNT_LOCAL,     /* joined into the private area */
    MOUNT_BIND,      /* a second view of a local filesystem */
    MOUNT_PSEUDO,    /* proc, sysfs, tmpfs, ...: not copied */
    MOUNT_NETWORK,   /* nfs, cifs, ...: not copied */
    MOUNT_OTHER,     /* fuse and the unknown: not copied */
};

struct inv_mount {
    char *target, *source, *fstype, *options, *root;
    unsigned major, minor;
    enum mount_kind kind;
    bool have_usage;
    uint64_t size, used, avail, inodes_used;   /* bytes / inodes */
    char *uuid, *label;                        /* from blkid, if probed */
};

struct inv_addr {
    int family;          /* AF_INET or AF_INET6 */
    char *address;       /* normalised text form */
    unsigned prefix;
};

struct inv_iface {
    char *name, *mac;
    bool loopback, up;
    struct inv_addr *addrs;
    size_t naddrs;
};

struct inv_blockdev {
    char *name, *path, *dev, *fstype, *uuid, *label, *pttype;
    uint64_t size;
    bool partition, has_holders, has_partitions, is_swap, is_mounted, is_raw;
    char *why_not_raw;
};

struct inv_quota_limit {
    uint32_t id;
    uint64_t bsoft, bhard;   /* 1 KiB blocks */
    uint64_t isoft, ihard;
};
struct inv_quota {
    char *mountpoint, *device, *fstype, *type, *format, *origin; /* origin: kernel|file */
    size_t entries;          /* ids with a limit */
    size_t limited_ids;
    struct inv_quota_limit *limits;  /* the ids with a limit, limited_ids of them */
    char *error;             /* a quota file that could not be read */
};

struct inv_os {
    char *id, *version_id, *pretty, *family;  /* family: debian redhat suse arch gentoo alpine */
    char *ostemplate;        /* "debian-12-x86_64" */
};

/* A Windows source (facts member "windows", agent-windows/). */
struct inv_windows {
    bool present;
    unsigned major, minor, build, sp_major;
    char *product_type;      /* "server", "domain_controller", "workstation" */
    char *product_name;      /* the registry's ProductName, if reported */
    char *service_pack;      /* "Service Pack 2" or "" */
};

struct inv_xattr_ns {
    char *name;
    uint64_t count;
    char **samples;
    size_t nsamples;
};

struct inv_mac_mention {
    char *path, *mac, *iface;
};

struct inv_fstab {
    char *source, *target, *fstype, *options;
};

struct inventory {
    json_object *facts;          /* the raw document, owned */
    char *hostname, *kernel, *machine, *cpu_flags, *agent_software;
    struct inv_os os;
    struct inv_windows windows;
    struct inv_mount *mounts;
    size_t nmounts;
    char **swaps;                /* swap files/partitions from /proc/swaps */
    size_t nswaps;
    struct inv_iface *ifaces;
    size_t nifaces;
    struct inv_blockdev *blockdevs;
    size_t nblockdevs;
    struct inv_quota *quotas;
    size_t nquotas;
    /* SELinux: runtime from /sys/fs/selinux, configured from /etc/selinux/config */
    char *selinux_runtime;       /* "enforcing", "permissive", "disabled" */
    char *selinux_config;        /* SELINUX= value or NULL */
    struct inv_xattr_ns *xattr_ns;
    size_t nxattr_ns;
    bool xattr_scanned, xattr_truncated;
    uint64_t xattr_files;
    struct inv_mac_mention *macs;
    size_t nmacs;
    /* C library's minimum kernel (ELF ABI tag) and userland arch */
    bool have_abi_tag;
    unsigned abi_major, abi_minor, abi_patch;
    char *abi_from;
    char *userland_arch;
    char **nameservers, **search;  /* resolv.conf, validated */
    size_t nnameservers, nsearch;
    struct inv_fstab *fstab;
    size_t nfstab;
    char **netconf;              /* network configuration files present */
    size_t nnetconf;
    char **errors;               /* agent-side collection errors */
    size_t nerrors;
};

/* Interpret a facts document (takes ownership of nothing; copies). */
int inventory_load(struct inventory *inv, const char *text, size_t len);
void inventory_release(struct inventory *inv);

/* Interpreters, one file each. */
int inv_mounts_load(struct inventory *inv);          /* inv_mounts.c */
int inv_os_load(struct inventory *inv);              /* inv_os.c */
int inv_net_load(struct inventory *inv);             /* inv_net.c */
int inv_block_load(struct inventory *inv);           /* inv_block.c */
int inv_quota_load(struct inventory *inv);           /* inv_quota.c */
int inv_security_load(struct inventory *inv);        /* inv_security.c: selinux, xattrs, macs */
int inv_elf_load(struct inventory *inv);             /* inv_elf.c */
int inv_system_load(struct inventory *inv);          /* inv_system.c: DNS, fstab, net configs */
/* inv_windows.c: a Windows source's version, volumes (as mounts, raw
 * devices and NTFS quotas) and DNS servers, in place of the Linux
 * interpreters that read files the source does not have. */
int inv_windows_load(struct inventory *inv);
/* "2003" or "2008" for a Windows Server release (5.2; 6.0 and 6.1, the
 * latter being 2008 R2), NULL for anything else (workstations included). */
const char *inv_windows_server_release(const struct inv_windows *w);

/* Parse os-release text (KEY=value with shell quoting) for one key;
 * malloc'd value or NULL. Exposed for unit tests. */
char *osrelease_get(const char *text, const char *key);
enum mount_kind mount_classify(const char *fstype, const char *source);
const char *mount_kind_name(enum mount_kind k);

#endif
