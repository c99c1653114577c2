/* facts_system.c: uname, hostname and the CPU (docs/facts.md).
 *
 * The node needs the kernel and architecture to pick an OS template and
 * check the container can run the source's binaries, and the CPU flags
 * to warn when the node's CPU lacks something the source used. */
#include "facts.h"
#include <sys/utsname.h>
#include <unistd.h>

/* Lines of /proc/cpuinfo are short; a flags line is a few KiB at most. */
#define CPUINFO_MAX (16u << 20)

static void emit_uname(struct p2v_json *j)
{
    struct utsname u;
    if (uname(&u) < 0) {
        facts_error("uname", "uname: %s", strerror(errno));
        return;
    }
    p2v_json_key(j, "uname");
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "sysname", u.sysname);
    p2v_json_kstr(j, "nodename", u.nodename);
    p2v_json_kstr(j, "release", u.release);
    p2v_json_kstr(j, "version", u.version);
    p2v_json_kstr(j, "machine", u.machine);
    p2v_json_obj_end(j);
}

static void emit_hostname(struct p2v_json *j)
{
    char name[256 + 1];
    if (gethostname(name, sizeof(name) - 1) < 0) {
        facts_error("hostname", "gethostname: %s", strerror(errno));
        return;
    }
    name[sizeof(name) - 1] = '\0';
    p2v_json_kstr(j, "hostname", name);
}

/* "key\t\t: value" -> key and value trimmed; false if no colon. */
static bool split_line(char *line, char **key, char **value)
{
    char *colon = strchr(line, ':');
    if (!colon)
        return false;
    char *end = colon;
    while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    *key = line;
    *value = v;
    return true;
}

static void emit_cpu(struct p2v_json *j, const struct facts_options *opt)
{
    char pbuf[4096];
    const char *path = facts_path(opt, "/proc/cpuinfo", pbuf, sizeof(pbuf));
    struct p2v_buf text = P2V_BUF_INIT(CPUINFO_MAX);
    bool trunc;
    uint64_t size;
    if (!path || facts_read_file(path, CPUINFO_MAX, &text, &trunc, &size) < 0) {
        facts_error("cpu", "read `/proc/cpuinfo`: %s", path ? strerror(errno) : "path too long");
        p2v_buf_release(&text);
        return;
    }
    char *flags = NULL, *model = NULL, *save = NULL;
    int64_t count = 0;
    char empty[1] = "";
    for (char *line = strtok_r(text.data ? text.data : empty, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *key, *value;
        if (!split_line(line, &key, &value))
            continue;
        /* "processor" is the CPU index on every architecture; old ARM
         * kernels also have "Processor" naming the model. */
        if (strcmp(key, "processor") == 0)
            count++;
        else if (!flags && (strcmp(key, "flags") == 0 || strcmp(key, "Features") == 0))
            flags = value;
        else if (!model && strcmp(key, "model name") == 0)
            model = value;
    }
    p2v_json_key(j, "cpu");
    p2v_json_obj_begin(j);
    if (flags)
        p2v_json_kstr(j, "flags", flags);
    if (model)
        p2v_json_kstr(j, "model_name", model);
    p2v_json_kint(j, "count", count);
    if (trunc)
        p2v_json_kbool(j, "truncated", true);
    p2v_json_obj_end(j);
    p2v_buf_release(&text);
}

void facts_system(struct p2v_json *j, const struct facts_options *opt)
{
    emit_uname(j);
    emit_hostname(j);
    emit_cpu(j, opt);
}
