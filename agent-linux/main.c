/* main.c: p2v-agent for Linux. See docs/p2v-agent.8.
 *
 * Runs on the physical server, started by p2vmigrate over ssh. It only
 * reads: it reports raw facts and (later) serves files. The one write it
 * makes is removing its own uploaded binary (--remove-self). */
#include "common.h"
#include "error.h"
#include "log.h"
#include "facts.h"
#include "serve.h"
#include "proto.h"
#include "version.h"
#include <getopt.h>
#include <libgen.h>
#include <unistd.h>
#include <fcntl.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: p2v-agent --facts [--no-scan]\n"
            "       p2v-agent --serve [--protocol N] [--remove-self]\n"
            "\n"
            "  --facts        print the raw facts p2vmigrate sees, as JSON, and exit\n"
            "  --no-scan      with --facts: skip the xattr and MAC-address file scans\n"
            "  --serve        speak the p2v protocol on stdin/stdout (p2vmigrate does this)\n"
            "  --protocol N   speak protocol version N at most (default %u)\n"
            "  --remove-self  delete this binary and its upload directory at start\n"
            "  -v, --verbose  more messages on stderr\n"
            "  -V, --version  print the version\n",
            P2V_PROTO_VERSION);
}

/* The binary was uploaded into a private directory: remove both now, so
 * nothing is left on the source however the agent ends. */
static void remove_self(void)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return;
    path[n] = '\0';
    if (unlink(path) < 0)
        p2v_warn("could not remove uploaded agent `%s`: %s", path, strerror(errno));
    char *dir = dirname(path);
    if (strstr(dir, "p2v-agent."))
        rmdir(dir);
}

static int print_facts(bool scan)
{
    struct facts_options opt = {.scan_xattrs = scan, .scan_macs = scan, .root = ""};
    struct p2v_buf out = P2V_BUF_INIT(P2V_FACTS_MAX);
    int rc = facts_collect(&out, &opt, true);
    if (rc == 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
        rc = p2v_error_set_errno(errno, "write facts to stdout");
    p2v_buf_release(&out);
    return rc;
}

int main(int argc, char **argv)
{
    enum { OPT_FACTS = 256, OPT_SERVE, OPT_PROTOCOL, OPT_REMOVE_SELF, OPT_NO_SCAN };
    static const struct option opts[] = {
        {"facts", no_argument, NULL, OPT_FACTS},
        {"serve", no_argument, NULL, OPT_SERVE},
        {"protocol", required_argument, NULL, OPT_PROTOCOL},
        {"remove-self", no_argument, NULL, OPT_REMOVE_SELF},
        {"no-scan", no_argument, NULL, OPT_NO_SCAN},
        {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool facts = false, serve = false, rm_self = false, scan = true;
    unsigned long proto = P2V_PROTO_VERSION;
    int verbosity = P2V_LOG_WARN;
    int c;

    p2v_log_init("p2v-agent", P2V_LOG_WARN);
    while ((c = getopt_long(argc, argv, "vVh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FACTS: facts = true; break;
        case OPT_SERVE: serve = true; break;
        case OPT_REMOVE_SELF: rm_self = true; break;
        case OPT_NO_SCAN: scan = false; break;
        case OPT_PROTOCOL: {
            char *end;
            errno = 0;
            proto = strtoul(optarg, &end, 10);
            if (errno || *end || proto < P2V_PROTO_MIN || proto > P2V_PROTO_VERSION) {
                p2v_err("--protocol %s: this agent speaks versions %u to %u", optarg,
                        P2V_PROTO_MIN, P2V_PROTO_VERSION);
                return P2V_EXIT_ERROR;
            }
            break;
        }
        case 'v': verbosity++; break;
        case 'V': printf("p2v-agent %s (protocol %u)\n", P2V_VERSION, P2V_PROTO_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return P2V_EXIT_ERROR;
        }
    }
    p2v_log_set_level(verbosity > P2V_LOG_DEBUG ? P2V_LOG_DEBUG : (enum p2v_log_level)verbosity);
    if (optind != argc || facts == serve) {
        usage(stderr);
        return P2V_EXIT_ERROR;
    }
    if (rm_self)
        remove_self();
    if (facts) {
        if (print_facts(scan) < 0) {
            p2v_log_error_last();
            return P2V_EXIT_ERROR;
        }
        return 0;
    }
    /* Keep the protocol stream private: anything a library prints to
     * stdout must not corrupt it. */
    int out_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        p2v_err("cannot set up the protocol stream: %s", strerror(errno));
        return P2V_EXIT_ERROR;
    }
    if (agent_serve(STDIN_FILENO, out_fd, (uint32_t)proto) < 0) {
        p2v_log_error_last();
        return P2V_EXIT_ERROR;
    }
    return 0;
}
