/* inv_os.c: which distribution the source runs, from os-release or the
 * older release files, and the OSTEMPLATE name vzctl uses to pick its
 * distribution scripts (debian-12-x86_64, centos-7-x86_64, ...). */
#include "inventory.h"
#include "error.h"
#include <ctype.h>

/* os-release values are shell-quoted: "..." with \" \\ \$ \` escapes,
 * or '...', or bare. */
char *osrelease_get(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len && (*line == ' ' || *line == '\t'))
            line++, len--;
        if (len > kl && strncmp(line, key, kl) == 0 && line[kl] == '=') {
            const char *v = line + kl + 1;
            size_t vl = len - kl - 1;
            while (vl && isspace((unsigned char)v[vl - 1]))
                vl--;
            struct p2v_buf b = P2V_BUF_INIT(4096);
            char q = (vl && (v[0] == '"' || v[0] == '\'')) ? v[0] : 0;
            size_t i = q ? 1 : 0;
            for (; i < vl; i++) {
                if (q && v[i] == q)
                    break;
                if (q != '\'' && v[i] == '\\' && i + 1 < vl)
                    i++;
                p2v_buf_addc(&b, v[i]);
            }
            return p2v_buf_detach(&b);
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static char *lower_dup(const char *s)
{
    char *d = p2v_xstrdup(s);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static const char *family_of(const char *id, const char *like)
{
    static const struct {
        const char *name, *family;
    } map[] = {
        {"debian", "debian"}, {"ubuntu", "debian"},   {"devuan", "debian"}, {"raspbian", "debian"},
        {"rhel", "redhat"},   {"centos", "redhat"},   {"fedora", "redhat"}, {"rocky", "redhat"},
        {"almalinux", "redhat"}, {"ol", "redhat"},    {"scientific", "redhat"}, {"amzn", "redhat"},
        {"cloudlinux", "redhat"}, {"sles", "suse"},   {"opensuse", "suse"}, {"opensuse-leap", "suse"},
        {"suse", "suse"},     {"arch", "arch"},       {"gentoo", "gentoo"}, {"alpine", "alpine"},
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(map); i++)
        if (id && strcmp(id, map[i].name) == 0)
            return map[i].family;
    if (like) {
        p2v_autofree char *copy = p2v_xstrdup(like);
        char *save = NULL;
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
            for (size_t i = 0; i < P2V_ARRAY_LEN(map); i++)
                if (strcmp(w, map[i].name) == 0)
                    return map[i].family;
    }
    return "unknown";
}

/* Old servers without os-release: parse "CentOS release 6.10 (Final)". */
static void from_release_files(struct inventory *inv)
{
    static const struct {
        const char *path, *id;
    } files[] = {
        {"/etc/centos-release", "centos"}, {"/etc/redhat-release", "rhel"},
        {"/etc/SuSE-release", "sles"},     {"/etc/alpine-release", "alpine"},
        {"/etc/gentoo-release", "gentoo"}, {"/etc/arch-release", "arch"},
        {"/etc/debian_version", "debian"},
    };
    for (size_t i = 0; i < P2V_ARRAY_LEN(files); i++) {
        p2v_autofree char *t = fj_file_text(inv->facts, files[i].path);
        if (!t)
            continue;
        const char *id = files[i].id;
        if (strcmp(id, "rhel") == 0 && strstr(t, "CentOS"))
            id = "centos";
        if (strcmp(id, "rhel") == 0 && strstr(t, "Scientific"))
            id = "scientific";
        if (strcmp(id, "sles") == 0 && strstr(t, "openSUSE"))
            id = "opensuse";
        /* an os-release without ID may have set these already */
        free(inv->os.version_id);
        free(inv->os.pretty);
        inv->os.version_id = inv->os.pretty = NULL;
        inv->os.id = p2v_xstrdup(id);
        const char *d = t;
        while (*d && !isdigit((unsigned char)*d))
            d++;
        size_t n = 0;
        while (d[n] && (isdigit((unsigned char)d[n]) || d[n] == '.'))
            n++;
        if (n)
            inv->os.version_id = p2v_xstrndup(d, n);
        char *nl = strchr(t, '\n');
        if (nl)
            *nl = '\0';
        inv->os.pretty = p2v_xstrdup(t);
        return;
    }
}

static bool safe_token(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
            return false;
    return true;
}

/* OpenVZ templates name Debian and Red Hat releases by major version and
 * Ubuntu by its full version (ubuntu-22.04-x86_64); 32-bit is "x86". */
static char *ostemplate(const struct inv_os *os, const char *arch)
{
    if (!os->id)
        return NULL;
    const char *a = arch && strcmp(arch, "x86_64") == 0 ? "x86_64"
                    : arch && arch[0] == 'i' && strstr(arch, "86") ? "x86"
                    : arch ? arch : "x86_64";
    char ver[32] = "";
    if (os->version_id) {
        snprintf(ver, sizeof(ver), "%s", os->version_id);
        if (strcmp(os->id, "ubuntu") != 0) {
            char *dot = strchr(ver, '.');
            if (dot && strcmp(os->id, "alpine") != 0 && strcmp(os->id, "opensuse-leap") != 0)
                *dot = '\0';
        }
    }
    for (char *p = ver; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.')
            *p = '\0';
    /* the machine and id come from the source: a name vzctl looks up as a
     * file (/etc/vz/dists/NAME.conf) must be a plain token */
    if (!safe_token(a) || strstr(a, "..") || !safe_token(os->id) || strstr(os->id, ".."))
        return NULL;
    if (!ver[0])
        return p2v_xasprintf("%s-%s", os->id, a);
    return p2v_xasprintf("%s-%s-%s", os->id, ver, a);
}


int inv_os_load(struct inventory *inv)
{
    p2v_autofree char *text = fj_file_text(inv->facts, "/etc/os-release");
    if (!text)
        text = fj_file_text(inv->facts, "/usr/lib/os-release");
    p2v_autofree char *like = NULL;
    if (text) {
        char *id = osrelease_get(text, "ID");
        if (id) {
            inv->os.id = lower_dup(id);
            free(id);
        }
        inv->os.version_id = osrelease_get(text, "VERSION_ID");
        inv->os.pretty = osrelease_get(text, "PRETTY_NAME");
        like = osrelease_get(text, "ID_LIKE");
    }
    if (!inv->os.id)
        from_release_files(inv);
    /* values end up in CTID.conf: keep only what a template name can hold */
    if (inv->os.id && !safe_token(inv->os.id)) {
        free(inv->os.id);
        inv->os.id = NULL;
    }
    if (inv->os.version_id && !safe_token(inv->os.version_id)) {
        free(inv->os.version_id);
        inv->os.version_id = NULL;
    }
    inv->os.family = p2v_xstrdup(family_of(inv->os.id, like));
    inv->os.ostemplate = ostemplate(&inv->os, inv->machine);
    return 0;
}
