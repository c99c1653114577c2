/* inv_system.c: DNS (resolv.conf), the fstab (parsed with libmount) and
 * which distribution network configuration files the source has. */
#include "inventory.h"
#include "error.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <libmount.h>

static void push(char ***v, size_t *n, const char *s)
{
    *v = p2v_xrealloc(*v, (*n + 1) * sizeof(char *));
    (*v)[(*n)++] = p2v_xstrdup(s);
}

/* Only what resolv.conf allows: addresses and domain names. */
static bool valid_domain(const char *s)
{
    if (!*s || strlen(s) > 253)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
            return false;
    return true;
}

static void load_dns(struct inventory *inv)
{
    p2v_autofree char *text = fj_file_text(inv->facts, "/etc/resolv.conf");
    if (!text)
        return;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *s2 = NULL;
        char *key = strtok_r(line, " \t", &s2);
        if (!key)
            continue;
        if (strcmp(key, "nameserver") == 0) {
            char *a = strtok_r(NULL, " \t", &s2);
            unsigned char bin[16];
            char txt[INET6_ADDRSTRLEN];
            int af = a && strchr(a, ':') ? AF_INET6 : AF_INET;
            if (a && inet_pton(af, a, bin) == 1 && inet_ntop(af, bin, txt, sizeof(txt)) &&
                inv->nnameservers < 16)
                push(&inv->nameservers, &inv->nnameservers, txt);
        } else if (strcmp(key, "search") == 0 || strcmp(key, "domain") == 0) {
            for (char *d = strtok_r(NULL, " \t", &s2); d; d = strtok_r(NULL, " \t", &s2))
                if (valid_domain(d) && inv->nsearch < 16)
                    push(&inv->search, &inv->nsearch, d);
        }
    }
}

static void load_fstab(struct inventory *inv)
{
    p2v_autofree char *text = fj_file_text(inv->facts, "/etc/fstab");
    if (!text)
        return;
    FILE *f = fmemopen(text, strlen(text), "r");
    if (!f)
        return;
    struct libmnt_table *tb = mnt_new_table();
    if (tb && mnt_table_parse_stream(tb, f, "fstab of the source") == 0) {
        struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
        struct libmnt_fs *fs;
        while (it && mnt_table_next_fs(tb, it, &fs) == 0 && inv->nfstab < 4096) {
            const char *src = mnt_fs_get_source(fs), *tgt = mnt_fs_get_target(fs);
            const char *type = mnt_fs_get_fstype(fs), *opts = mnt_fs_get_options(fs);
            inv->fstab = p2v_xrealloc(inv->fstab, (inv->nfstab + 1) * sizeof(*inv->fstab));
            struct inv_fstab *e = &inv->fstab[inv->nfstab++];
            e->source = p2v_xstrdup(src ? src : "");
            e->target = p2v_xstrdup(tgt ? tgt : "");
            e->fstype = p2v_xstrdup(type ? type : "");
            e->options = p2v_xstrdup(opts ? opts : "");
        }
        mnt_free_iter(it);
    }
    mnt_unref_table(tb);
    fclose(f);
}

/* The files whose presence says which network stack the source uses. */
static const char *const netconf_prefixes[] = {
    "/etc/network/interfaces",           "/etc/netplan/",
    "/etc/sysconfig/network-scripts/",   "/etc/sysconfig/network/",
    "/etc/NetworkManager/system-connections/", "/etc/systemd/network/",
    "/etc/netctl/",                      "/etc/conf.d/net",
    "/etc/wicked/",
};

static void load_netconf(struct inventory *inv)
{
    json_object *files = fj_arr(inv->facts, "files");
    for (size_t i = 0; i < fj_len(files); i++) {
        const char *p = fj_str(fj_at(files, i), "path");
        if (!p)
            continue;
        for (size_t k = 0; k < P2V_ARRAY_LEN(netconf_prefixes); k++)
            if (strncmp(p, netconf_prefixes[k], strlen(netconf_prefixes[k])) == 0) {
                push(&inv->netconf, &inv->nnetconf, p);
                break;
            }
    }
}

int inv_system_load(struct inventory *inv)
{
    load_dns(inv);
    load_fstab(inv);
    load_netconf(inv);
    return 0;
}
