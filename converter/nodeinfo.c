/* nodeinfo.c: facts about this node for the checks (see nodeinfo.h). */
#include "nodeinfo.h"
#include "elfnote.h"
#include "error.h"
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

char *node_resume_marker_path(const struct p2v_config *cfg, const char *ctid)
{
    return p2v_xasprintf("%s/%s.source", cfg->state_dir, ctid);
}

static char *read_cpu_flags(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return NULL;
    char *line = NULL, *flags = NULL;
    size_t cap = 0;
    while (!flags && getline(&line, &cap, f) >= 0) {
        if (strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ')
                    colon++;
                colon[strcspn(colon, "\n")] = '\0';
                flags = p2v_xstrdup(colon);
            }
        }
    }
    free(line);
    fclose(f);
    return flags;
}

static bool dir_nonempty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    bool any = false;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return any;
}

/* Free space where the private area will be: the nearest existing
 * ancestor of the private directory. */
static void load_space(struct node_info *n)
{
    char *p = p2v_xstrdup(n->private_dir);
    for (;;) {
        struct statvfs sv;
        if (statvfs(p, &sv) == 0) {
            n->space_known = true;
            n->space_path = p;
            n->free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
            n->free_inodes = (uint64_t)sv.f_favail;
            return;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            if (strcmp(p, "/") == 0)
                break;
            p[1] = '\0';
            continue;
        }
        *slash = '\0';
    }
    free(p);
}

static void load_resume(struct node_info *n)
{
    FILE *f = fopen(n->resume_marker, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "SOURCE=", 7) == 0 && !n->resume_host)
            n->resume_host = p2v_xstrdup(line + 7);
        else if (strcmp(line, "STATUS=complete") == 0)
            n->resume_complete = true;
    }
    free(line);
    fclose(f);
}

int node_info_load(struct node_info *n, const struct p2v_config *cfg, const char *ctid,
                   const char *host)
{
    memset(n, 0, sizeof(*n));
    n->cfg = cfg;
    n->ctid = p2v_xstrdup(ctid);
    n->host = p2v_xstrdup(host);
    struct utsname u;
    if (uname(&u) < 0)
        return p2v_error_set_errno(errno, "uname");
    n->machine = p2v_xstrdup(u.machine);
    n->kernel = p2v_xstrdup(u.release);
    n->kernel_known = kernel_version_parse(u.release, &n->kmajor, &n->kminor, &n->kpatch) == 0;
    n->cpu_flags = read_cpu_flags();
    n->private_dir = p2v_config_expand(cfg->ve_private, ctid);
    n->ve_root_dir = p2v_config_expand(cfg->ve_root, ctid);
    n->conf_file = p2v_xasprintf("%s/%s.conf", cfg->vz_conf_dir, ctid);
    n->lxc_config = p2v_xasprintf("%s/%s/config", cfg->lxc_path, ctid);
    n->resume_marker = node_resume_marker_path(cfg, ctid);
    struct stat st;
    n->conf_exists = lstat(n->conf_file, &st) == 0;
    n->lxc_exists = strcmp(cfg->runtime, "lxc") == 0 && lstat(n->lxc_config, &st) == 0;
    n->private_exists = lstat(n->private_dir, &st) == 0;
    n->private_nonempty = n->private_exists && dir_nonempty(n->private_dir);
    load_resume(n);
    load_space(n);
    return 0;
}

void node_info_release(struct node_info *n)
{
    free(n->ctid);
    free(n->host);
    free(n->machine);
    free(n->kernel);
    free(n->cpu_flags);
    free(n->private_dir);
    free(n->ve_root_dir);
    free(n->conf_file);
    free(n->lxc_config);
    free(n->resume_marker);
    free(n->resume_host);
    free(n->space_path);
    memset(n, 0, sizeof(*n));
}
