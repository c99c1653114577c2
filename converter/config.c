/* config.c: the node config file (see config.h). */
#include "config.h"
#include "error.h"
#include <ctype.h>

struct key {
    const char *name;
    size_t off;
};

#define KEY(n, f) {n, offsetof(struct p2v_config, f)}
static const struct key keys[] = {
    KEY("VE_PRIVATE", ve_private),   KEY("VE_ROOT", ve_root),
    KEY("VZ_CONF_DIR", vz_conf_dir), KEY("RUNTIME", runtime),
    KEY("LXC_PATH", lxc_path),       KEY("P2V_STATE_DIR", state_dir),
    KEY("NODE_OS", node_os),         KEY("AGENT_BINARY", agent_binary),
    KEY("AGENT_BINARY_WINDOWS", agent_binary_windows),
};

static char **field(struct p2v_config *c, const struct key *k)
{
    return (char **)((char *)c + k->off);
}

static void set_defaults(struct p2v_config *c)
{
    memset(c, 0, sizeof(*c));
    c->ve_private = p2v_xstrdup("/vz/private/$VEID");
    c->ve_root = p2v_xstrdup("/vz/root/$VEID");
    c->vz_conf_dir = p2v_xstrdup("/etc/vz/conf");
    c->runtime = p2v_xstrdup("vzctl");
    c->lxc_path = p2v_xstrdup("/var/lib/lxc");
    c->state_dir = p2v_xstrdup("/var/lib/p2v");
    c->node_os = p2v_xstrdup("linux");
}

/* One KEY=value line; quoted values run to the last quote (vzctl). */
static int parse_line(struct p2v_config *c, char *line, const char *path, int lineno)
{
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strlen(line);
    while (n && isspace((unsigned char)line[n - 1]))
        line[--n] = '\0';
    if (!*line || *line == '#')
        return 0;
    char *eq = strchr(line, '=');
    if (!eq)
        return p2v_error_set("%s:%d: expected KEY=value, got `%s`", path, lineno, line);
    *eq = '\0';
    char *val = eq + 1;
    if (*val == '"') {
        char *end = strrchr(val + 1, '"');
        if (!end)
            return p2v_error_set("%s:%d: unmatched quotes in the value of %s", path, lineno, line);
        *end = '\0';
        val++;
    }
    for (size_t i = 0; i < P2V_ARRAY_LEN(keys); i++) {
        if (strcmp(line, keys[i].name) == 0) {
            char **f = field(c, &keys[i]);
            free(*f);
            *f = p2v_xstrdup(val);
            return 0;
        }
    }
    return 0; /* unknown keys are ignored, as vzctl does */
}

static int validate(const struct p2v_config *c, const char *path)
{
    if (strcmp(c->runtime, "vzctl") && strcmp(c->runtime, "lxc") && strcmp(c->runtime, "none")) {
        p2v_error_set("%s: RUNTIME=\"%s\" is not one of vzctl, lxc, none", path, c->runtime);
        return -1;
    }
    const char *const paths[] = {c->ve_private, c->ve_root, c->vz_conf_dir, c->lxc_path, c->state_dir};
    const char *const names[] = {"VE_PRIVATE", "VE_ROOT", "VZ_CONF_DIR", "LXC_PATH", "P2V_STATE_DIR"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(paths); i++) {
        if (paths[i][0] != '/')
            return p2v_error_set("%s: %s=\"%s\" must be an absolute path", path, names[i], paths[i]);
    }
    if (strcmp(c->node_os, "linux") && strcmp(c->node_os, "windows-2003") &&
        strcmp(c->node_os, "windows-2008"))
        return p2v_error_set("%s: NODE_OS=\"%s\" is not one of linux, windows-2003, windows-2008",
                             path, c->node_os);
    return 0;
}

int p2v_config_load_file(struct p2v_config *out, const char *path, bool must_exist)
{
    set_defaults(out);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && !must_exist)
            return 0;
        int e = errno;
        p2v_config_release(out);
        p2v_error_set_errno(e, "cannot read node config `%s`", path);
        p2v_error_hint("create it (see docs/p2vmigrate.8, FILES) or point P2V_CONFIG at a readable file");
        return -1;
    }
    out->path = p2v_xstrdup(path);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        lineno++;
        rc = parse_line(out, line, path, lineno);
    }
    free(line);
    fclose(f);
    if (rc == 0)
        rc = validate(out, path);
    if (rc < 0) {
        p2v_error_hint("fix the line in `%s`", path);
        p2v_config_release(out);
    }
    return rc;
}

int p2v_config_load(struct p2v_config *out)
{
    const char *env = getenv("P2V_CONFIG");
    if (env && *env)
        return p2v_config_load_file(out, env, true);
    return p2v_config_load_file(out, P2V_CONFIG_DEFAULT, false);
}

void p2v_config_release(struct p2v_config *cfg)
{
    free(cfg->path);
    for (size_t i = 0; i < P2V_ARRAY_LEN(keys); i++)
        free(*field(cfg, &keys[i]));
    memset(cfg, 0, sizeof(*cfg));
}

char *p2v_config_expand(const char *tmpl, const char *ctid)
{
    size_t cap = strlen(tmpl) + 1;
    char *out = p2v_xmalloc(cap);
    size_t len = 0;
    for (const char *p = tmpl; *p;) {
        const char *sub = NULL;
        size_t skip = 0;
        if (strncmp(p, "${VEID}", 7) == 0)
            sub = ctid, skip = 7;
        else if (strncmp(p, "$VEID", 5) == 0)
            sub = ctid, skip = 5;
        if (sub) {
            size_t sl = strlen(sub);
            cap += sl;
            out = p2v_xrealloc(out, cap);
            memcpy(out + len, sub, sl);
            len += sl;
            p += skip;
        } else {
            out[len++] = *p++;
        }
    }
    while (len > 1 && out[len - 1] == '/')
        len--;
    out[len] = '\0';
    return out;
}

int p2v_ctid_check(const char *s)
{
    size_t n = strlen(s);
    bool digits = n > 0 && n <= 10;
    for (size_t i = 0; digits && i < n; i++)
        digits = isdigit((unsigned char)s[i]);
    if (digits && s[0] != '0' && strtoul(s, NULL, 10) <= P2V_CTID_MAX)
        return 0;
    p2v_error_set("invalid CTID `%s`", s);
    p2v_error_hint("a CTID is a number from 1 to %lu without leading zeros, e.g. 101", P2V_CTID_MAX);
    return -1;
}
