/* transport.h: reach the source the way rsync does.
 *
 * p2vmigrate runs `RSH HOST COMMAND` and speaks the protocol over the
 * child's stdin/stdout; its stderr is drained into the connection for
 * error messages. COMMAND is a one-line POSIX sh bootstrap that prints a
 * marker line, then either receives the agent binary over stdin into a
 * private directory and execs it (the default), or execs an agent already
 * present on the source (--agent PATH). See docs/protocol.md, step 1. */
#ifndef P2V_TRANSPORT_H
#define P2V_TRANSPORT_H

#include "frame.h"
#include <sys/types.h>

#define P2V_DEFAULT_RSH "ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15"

struct transport_opts {
    const char *rsh;           /* command line, split like a shell would */
    const char *host;          /* [user@]host */
    const char *remote_agent;  /* --agent PATH, or NULL to upload */
    const char *agent_binary;  /* local file to upload */
    const char *remote_tmpdir; /* where to upload, NULL = $TMPDIR, /tmp, /var/tmp, /dev/shm */
    unsigned protocol;         /* --protocol: passed on to the agent */
    int timeout_ms;
};

struct transport {
    pid_t pid;
    struct p2v_conn conn;
    char *peer;            /* "the agent on HOST" */
    char *remote_arch;     /* uname -m of the source, from the marker */
    char *remote_dir;      /* upload directory, "-" with --agent */
    bool takes_xz;         /* the source can unpack the agent xz'd */
    bool takes_gz;         /* ... or gzip'd (or else takes it raw) */
    char glibc[16];        /* the source's glibc ("2.36"), "" if none or unknown */
};

/* Split an RSH string into argv (quotes and backslashes as sh does,
 * no expansions). Returns the count, or -1. */
int transport_split_command(const char *cmd, char ***argv_out);
void transport_free_argv(char **argv);
/* A host must not look like an option and must hold no spaces. */
int transport_check_host(const char *host);

/* Start RSH, upload/launch the agent and read the marker line. */
int transport_open(struct transport *t, const struct transport_opts *o);
/* Close the pipes, wait for the child (killing it after grace_ms).
 * Returns the child's exit status, or -1. */
int transport_close(struct transport *t, int grace_ms);
/* Explain a dead connection: ssh's exit status and stderr. Sets error. */
int transport_explain_failure(struct transport *t, const char *doing);

#endif
