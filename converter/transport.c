/* transport.c: spawn RSH, upload the agent, read the boot marker. */
#include "transport_int.h"
#include "error.h"
#include "log.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER_JUNK_MAX 65536

int transport_split_command(const char *cmd, char ***argv_out)
{
    size_t n = 0, cap = 8;
    char **argv = p2v_xcalloc(cap, sizeof(*argv));
    const char *p = cmd;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        struct p2v_buf w = P2V_BUF_INIT(65536);
        char quote = 0;
        for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
            if (quote == '\'' && *p == '\'') {
                quote = 0;
            } else if (quote == '\'') {
                p2v_buf_addc(&w, *p);
            } else if (*p == '\\' && p[1] && (quote != '"' || strchr("\\\"$`", p[1]))) {
                p2v_buf_addc(&w, *++p);
            } else if (*p == '"') {
                quote = quote ? 0 : '"';
            } else if (*p == '\'' && !quote) {
                quote = '\'';
            } else {
                p2v_buf_addc(&w, *p);
            }
        }
        if (quote) {
            p2v_buf_release(&w);
            transport_free_argv(argv);
            return p2v_error_set("unmatched %c quote in the remote shell command `%s`", quote, cmd);
        }
        if (n + 2 > cap) {
            cap *= 2;
            argv = p2v_xrealloc(argv, cap * sizeof(*argv));
        }
        argv[n++] = p2v_buf_detach(&w);
        argv[n] = NULL;
    }
    if (n == 0) {
        transport_free_argv(argv);
        return p2v_error_set("the remote shell command is empty");
    }
    *argv_out = argv;
    return (int)n;
}

void transport_free_argv(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

int transport_check_host(const char *host)
{
    if (!*host)
        return p2v_error_set("the source host is empty");
    if (host[0] == '-') {
        p2v_error_set("host `%s` looks like an option", host);
        p2v_error_hint("put options before HOST; a host name never starts with '-'");
        return -1;
    }
    for (const char *p = host; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == '\'' || *p == '"' || *p == '`' || *p == '$' ||
            *p == ';' || *p == '\\')
            return p2v_error_set("host `%s` contains a character a host name cannot hold", host);
    }
    return 0;
}

/* Quote s for POSIX sh inside single quotes. */
static void sh_quote(struct p2v_buf *b, const char *s)
{
    p2v_buf_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            p2v_buf_adds(b, "'\\''");
        else
            p2v_buf_addc(b, *s);
    }
    p2v_buf_addc(b, '\'');
}

/* The loader p2v-agent-sys needs on the source: its glibc is reported
 * only where that loader is there (another architecture has none). */
#if defined(__x86_64__)
#define SYS_LOADER "/lib64/ld-linux-x86-64.so.2"
#else
#define SYS_LOADER "/nonexistent/p2v-agent-sys-is-x86-64-only"
#endif

/* The remote bootstrap, one line of POSIX sh. It picks a directory where a
 * file may be executed (noexec /tmp is common), announces itself with the
 * marker, the forms it can unpack and its glibc, reads "LENGTH FORM SIZE
 * [test]" and copies exactly LENGTH bytes from stdin (GNU head -c reads
 * no further; dd bs=1 elsewhere) through the matching decompressor, checks
 * the SIZE, tries the agent when asked to (transport_upload.c) and execs
 * it; the agent removes its own file at start. */
static char *bootstrap_script(const struct transport_opts *o)
{
    struct p2v_buf s = P2V_BUF_INIT(65536);
    char proto[32] = "";
    if (o->protocol)
        snprintf(proto, sizeof(proto), " --protocol %u", o->protocol);
    if (o->remote_agent) {
        p2v_buf_adds(&s, "echo \"" MARKER "$(uname -m) -\"; exec ");
        sh_quote(&s, o->remote_agent);
        p2v_buf_printf(&s, " --serve%s", proto);
        return p2v_buf_detach(&s);
    }
    p2v_buf_adds(&s, "umask 077; d=; for t in ");
    if (o->remote_tmpdir)
        sh_quote(&s, o->remote_tmpdir);
    else
        p2v_buf_adds(&s, "\"${TMPDIR:-/tmp}\" /tmp /var/tmp /dev/shm");
    p2v_buf_printf(
        &s,
        "; do x=$(mktemp -d \"$t/p2v-agent.XXXXXX\" 2>/dev/null) || continue; "
        "printf '#!/bin/sh\\nexit 0\\n' >\"$x/probe\" 2>/dev/null && chmod 700 \"$x/probe\" && "
        "\"$x/probe\" 2>/dev/null && { rm -f \"$x/probe\"; d=$x; break; }; rm -rf \"$x\"; done; "
        "if [ -z \"$d\" ]; then echo \"p2v: no writable directory that allows running programs "
        "among: ${TMPDIR:-/tmp} /tmp /var/tmp /dev/shm\" >&2; exit %d; fi; "
        /* the forms it can unpack, best first, and its glibc (for
         * p2v-agent-sys, transport_upload.c); the node picks a form it has
         * and names it on a line "LENGTH FORM SIZE [test]", read byte by
         * byte by the shell, so nothing after it is consumed */
        "z=raw; if command -v gzip >/dev/null 2>&1; then z=gz,$z; fi; "
        "if command -v xz >/dev/null 2>&1; then z=xz,$z; fi; "
        "g=-; if [ -e " SYS_LOADER " ]; then g=$(getconf GNU_LIBC_VERSION 2>/dev/null | "
        "sed -n 's/^glibc \\([0-9][0-9]*\\.[0-9][0-9]*\\).*/\\1/p'); [ -n \"$g\" ] || g=-; fi; "
        "echo \"" MARKER "$(uname -m) $d $z $g\"; "
        "get() { read -r c f s x || c=; "
        "case $c in ''|*[!0-9]*) rm -rf \"$d\"; "
        "echo \"p2v: no upload length from the node\" >&2; exit %d;; esac; "
        "case $s in ''|*[!0-9]*) rm -rf \"$d\"; "
        "echo \"p2v: no agent size from the node\" >&2; exit %d;; esac; "
        "case $f in xz|gz|raw) ;; *) rm -rf \"$d\"; "
        "echo \"p2v: unknown upload form from the node: $f\" >&2; exit %d;; esac; "
        "if head --version 2>/dev/null | grep -q GNU; then head -c $c; "
        "else dd bs=1 count=$c 2>/dev/null; fi | case $f in xz) xz -dc;; gz) gzip -dc;; "
        "*) cat;; esac >\"$d/p2v-agent\" || { rm -rf \"$d\"; echo \"p2v: unpacking the agent "
        "($f) in $d failed: disk full, upload cut short, or a damaged p2v-agent.$f on the node\" "
        ">&2; exit %d; }; "
        "n=$(wc -c <\"$d/p2v-agent\" | tr -d ' '); "
        "if [ \"$n\" != \"$s\" ]; then rm -rf \"$d\"; echo \"p2v: upload of the agent to $d stopped "
        "at $n of $s bytes (is the disk full?)\" >&2; exit %d; fi; "
        "chmod 700 \"$d/p2v-agent\"; }; "
        /* p2v-agent-sys comes with "test": it must start here, or the
         * static agent follows on the same connection */
        "get; if [ \"$x\" = test ]; then if \"$d/p2v-agent\" --version >/dev/null 2>&1; "
        "then echo \"" MARKER "go\"; else echo \"" MARKER "retry\"; get; fi; fi; "
        "exec \"$d/p2v-agent\" --serve --remove-self%s",
        BOOT_NO_DIR, BOOT_SHORT, BOOT_SHORT, BOOT_SHORT, BOOT_SHORT, BOOT_SHORT, proto);
    return p2v_buf_detach(&s);
}

static int spawn(struct transport *t, char **argv, int *in_w, int *out_r, int *err_r)
{
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
        return p2v_error_set_errno(errno, "create pipes for `%s`", argv[0]);
    pid_t pid = fork();
    if (pid < 0)
        return p2v_error_set_errno(errno, "start `%s`", argv[0]);
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        /* ssh must not become a session leader's tty reader: no stdin tty */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "p2vmigrate: cannot run `%s`: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    /* 1 MiB pipes: ssh and we wake each other per megabyte, not per 64
     * KiB (on a VM each wake-up is costly); a refusal changes nothing */
    (void)fcntl(in[1], F_SETPIPE_SZ, 1 << 20);
    (void)fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
    /* our end reads without blocking: poll(2) only when nothing is there */
    (void)fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    t->pid = pid;
    *in_w = in[1];
    *out_r = out[0];
    *err_r = err[0];
    return 0;
}

/* The forms the bootstrap can unpack the agent from, as its marker line
 * lists them: "xz,gz,raw" or a part of it. */
static bool read_forms(struct transport *t, const char *word)
{
    static const char *const lists[] = {"xz,gz,raw", "xz,raw", "gz,raw", "raw"};
    for (size_t i = 0; i < P2V_ARRAY_LEN(lists); i++) {
        if (strcmp(word, lists[i]) == 0) {
            t->takes_xz = strstr(word, "xz") != NULL;
            t->takes_gz = strstr(word, "gz") != NULL;
            return true;
        }
    }
    return false;
}

/* The source's glibc from the marker: "2.36", or "-" for none. */
static bool read_glibc(struct transport *t, const char *word)
{
    if (strcmp(word, "-") == 0)
        return true;
    size_t n = strspn(word, "0123456789.");
    if (n == 0 || word[n] || n >= sizeof(t->glibc) || !strchr(word, '.'))
        return false;
    memcpy(t->glibc, word, n + 1);
    return true;
}

/* Skip whatever a chatty login shell prints and find the marker line. */
static int read_marker(struct transport *t)
{
    struct p2v_conn *c = &t->conn;
    for (;;) {
        char *line = NULL;
        if (p2v_conn_read_line(c, &line, MARKER_JUNK_MAX) < 0)
            return -1;
        if (strncmp(line, MARKER, strlen(MARKER)) == 0) {
            char *arch = line + strlen(MARKER);
            char *sp = strchr(arch, ' ');
            if (!sp) {
                free(line);
                return p2v_error_set("malformed start line from %s", t->peer);
            }
            *sp = '\0';
            t->remote_arch = p2v_xstrdup(arch);
            /* "DIR FORMS GLIBC" when uploading, "-" with --agent */
            char *g = strrchr(sp + 1, ' ');
            if (g && read_glibc(t, g + 1))
                *g = '\0';
            char *forms = strrchr(sp + 1, ' ');
            if (forms && read_forms(t, forms + 1))
                *forms = '\0';
            t->remote_dir = p2v_xstrdup(sp + 1);
            free(line);
            return 0;
        }
        p2v_warn("the remote shell printed text before p2v started (ignored): %s", line);
        free(line);
    }
}

int transport_open(struct transport *t, const struct transport_opts *o)
{
    memset(t, 0, sizeof(*t));
    t->pid = -1;
    p2v_conn_init(&t->conn, -1, -1, -1, "the source");
    if (transport_check_host(o->host) < 0)
        return -1;
    t->peer = p2v_xasprintf("the agent on %s", o->host);
    off_t size = 0;
    p2v_autoclose int agent_fd = -1;
    if (!o->remote_agent) {
        struct stat st;
        agent_fd = open(o->agent_binary, O_RDONLY | O_CLOEXEC);
        if (agent_fd < 0 || fstat(agent_fd, &st) < 0) {
            p2v_error_set_errno(errno, "cannot read the agent binary `%s`", o->agent_binary);
            p2v_error_hint("set AGENT_BINARY in the node config, or pass --agent PATH "
                           "to use an agent already on the source");
            return -1;
        }
        size = st.st_size;
    }
    char **argv = NULL;
    int argc = transport_split_command(o->rsh, &argv);
    if (argc < 0)
        return -1;
    p2v_autofree char *script = bootstrap_script(o);
    struct p2v_buf remote = P2V_BUF_INIT(1 << 20);
    p2v_buf_adds(&remote, "sh -c ");
    sh_quote(&remote, script);
    argv = p2v_xrealloc(argv, ((size_t)argc + 3) * sizeof(*argv));
    argv[argc] = p2v_xstrdup(o->host);
    argv[argc + 1] = p2v_buf_detach(&remote);
    argv[argc + 2] = NULL;
    p2v_debug("running %s %s ...", argv[0], o->host);

    int in_w = -1, out_r = -1, err_r = -1;
    int rc = spawn(t, argv, &in_w, &out_r, &err_r);
    transport_free_argv(argv);
    if (rc < 0)
        return -1;
    p2v_conn_init(&t->conn, out_r, in_w, err_r, t->peer);
    t->conn.timeout_ms = o->timeout_ms;
    t->conn.read_nonblock = true;   /* spawn() made out_r so */
    /* packed while ssh connects (unless an earlier channel's upload is
     * kept): gzip'd now only if there is no .xz, as a source without xz
     * is rare */
    struct agent_pack pack = {0};
    if (agent_fd >= 0 && !agent_memo_has(o->agent_binary, size) &&
        !transport_sys_agent_exists(o->agent_binary)) {
        rc = agent_pack_load(&pack, agent_fd, size, o->agent_binary);
        if (rc == 0 && !pack.xz.len)
            rc = agent_pack_gzip(&pack);
    }
    if (rc == 0 && read_marker(t) < 0)
        rc = transport_explain_failure(t, "during start-up");
    if (rc == 0 && agent_fd >= 0)
        rc = transport_upload(t, o, &pack, size);
    agent_pack_release(&pack);
    return rc;
}

int transport_close(struct transport *t, int grace_ms)
{
    int status = -1;
    if (t->conn.wfd >= 0) {
        close(t->conn.wfd);
        t->conn.wfd = -1;
    }
    if (t->pid > 0) {
        struct timespec step = {0, 20 * 1000 * 1000};
        int waited = 0;
        pid_t r;
        while ((r = waitpid(t->pid, &status, WNOHANG)) == 0) {
            p2v_conn_drain_stderr(&t->conn, 0);
            if (waited >= grace_ms) {
                kill(-t->pid, SIGTERM);
                kill(t->pid, SIGTERM);
                /* whatever in its process group ignores SIGTERM (a remote
                 * shell, an agent run locally) gets SIGKILL a second
                 * later: never wait forever, leave nothing running */
                for (int i = 0; i < 50 && (r = waitpid(t->pid, &status, WNOHANG)) == 0; i++)
                    nanosleep(&step, NULL);
                kill(-t->pid, SIGKILL);
                if (r == 0) {
                    kill(t->pid, SIGKILL);
                    while (waitpid(t->pid, &status, 0) < 0 && errno == EINTR)
                        ;
                }
                break;
            }
            nanosleep(&step, NULL);
            waited += 20;
        }
        t->pid = -1;
    }
    p2v_conn_drain_stderr(&t->conn, 0);
    if (t->conn.rfd >= 0)
        close(t->conn.rfd);
    if (t->conn.errfd >= 0)
        close(t->conn.errfd);
    t->conn.rfd = t->conn.errfd = -1;
    p2v_conn_release(&t->conn);
    free(t->peer);
    free(t->remote_arch);
    free(t->remote_dir);
    t->peer = t->remote_arch = t->remote_dir = NULL;
    if (status >= 0 && WIFEXITED(status))
        return WEXITSTATUS(status);
    return -1;
}

int transport_explain_failure(struct transport *t, const char *doing)
{
    char first[P2V_ERROR_MAX];
    snprintf(first, sizeof(first), "%s", p2v_error_message());
    /* give the child up to ten seconds to exit and say why: a remote that
     * closed its output is ending, and ssh's own status tells the cause */
    int status = -1;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (t->pid > 0) {
        p2v_conn_drain_stderr(&t->conn, 20);
        if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
            t->pid = -1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 10)
            break;
        struct timespec step = {0, 10 * 1000 * 1000};
        nanosleep(&step, NULL);
    }
    p2v_conn_drain_stderr(&t->conn, 50);
    const char *why = p2v_conn_stderr_tail(&t->conn);
    int code = (status >= 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    int sig = (status >= 0 && WIFSIGNALED(status)) ? WTERMSIG(status) : 0;
    const char *host = t->peer + strlen("the agent on ");
    if (code == 255 && t->remote_arch) {
        /* ssh got through earlier: the link dropped or the agent died */
        p2v_error_set("the connection to %s ended %s: the link dropped or the agent was "
                      "killed%s%s", host, doing, *why ? ": " : "", why);
    } else if (code == 255) {
        p2v_error_set("cannot reach %s: %s", host, *why ? why : "the remote shell failed");
        p2v_error_hint("check the host name, that sshd runs there, and that key login works "
                       "without a password (p2vmigrate runs ssh in batch mode); -e sets the command");
    } else if (code == 127 && !t->remote_dir) {
        p2v_error_set("the remote shell command could not run: %s", *why ? why : "command not found");
        p2v_error_hint("check the command given with -e/--rsh");
    } else if (code == 126 || code == 127) {
        p2v_error_set("cannot start the agent on %s: %s", host, *why ? why : "not found");
        p2v_error_hint("check the path given with --agent, or leave it out to upload the agent");
    } else if (code == BOOT_NO_DIR || code == BOOT_SHORT) {
        p2v_error_set("cannot upload the agent to %s: %s", host, why);
        p2v_error_hint("free space on the source or choose a directory with --remote-tmpdir");
    } else if (t->conn.closed && (code > 0 || sig)) {
        /* the stream ended because the agent ended: its status is the news */
        if (sig)   /* our child is the remote shell: it, not the agent, got the signal */
            p2v_error_set("the remote shell to %s (ssh) was killed by signal %d %s%s%s", host,
                          sig, doing, *why ? ": " : "", why);
        else
            p2v_error_set("the agent on %s exited with status %d %s%s%s", host, code, doing,
                          *why ? ": " : "", why);
    } else if (*why) {
        p2v_error_set("%s (%s): %s", first, doing, why);
    } else {
        p2v_error_set("%s (%s)", first, doing);
    }
    return -1;
}
