/* main.c: p2v-agent.exe, the Windows agent. See docs/p2v-agent.8.
 *
 * Runs on the physical Windows server, started by p2vmigrate over the
 * remote shell. It only reads: it reports raw facts and serves files
 * (files_*.c). Same options as the Linux agent where they apply. */
#include "common.h"
#include "error.h"
#include "log.h"
#include "facts.h"
#include "serve.h"
#include "proto.h"
#include "version.h"
#include <getopt.h>
#include <fcntl.h>
#include <io.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: p2v-agent.exe --facts\n"
            "       p2v-agent.exe --serve [--protocol N]\n"
            "\n"
            "  --facts        print the raw facts p2vmigrate sees, as JSON, and exit\n"
            "  --no-scan      accepted for the Linux agent's sake (no scans here)\n"
            "  --serve        speak the p2v protocol on stdin/stdout (p2vmigrate does this)\n"
            "  --protocol N   speak protocol version N at most (default %u)\n"
            "  -v, --verbose  more messages on stderr\n"
            "  -V, --version  print the version\n",
            P2V_PROTO_VERSION);
}

static int print_facts(void)
{
    struct p2v_buf out = P2V_BUF_INIT(P2V_FACTS_MAX);
    int rc = facts_collect(&out, true);
    if (rc == 0 && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0))
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
    bool facts = false, serve = false;
    unsigned long proto = P2V_PROTO_VERSION;
    int verbosity = P2V_LOG_WARN;
    int c;

    p2v_log_init("p2v-agent", P2V_LOG_WARN);
    while ((c = getopt_long(argc, argv, "vVh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FACTS: facts = true; break;
        case OPT_SERVE: serve = true; break;
        case OPT_NO_SCAN: break;
        case OPT_REMOVE_SELF:
            /* A running .exe cannot delete itself on Windows. */
            p2v_warn("--remove-self is not supported on Windows; the binary stays");
            break;
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
        case 'V': printf("p2v-agent %s for Windows (protocol %u)\n", P2V_VERSION, P2V_PROTO_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return P2V_EXIT_ERROR;
        }
    }
    p2v_log_set_level(verbosity > P2V_LOG_DEBUG ? P2V_LOG_DEBUG : (enum p2v_log_level)verbosity);
    if (optind != argc || facts == serve) {
        usage(stderr);
        return P2V_EXIT_ERROR;
    }
    if (facts) {
        if (print_facts() < 0) {
            p2v_log_error_last();
            return P2V_EXIT_ERROR;
        }
        return 0;
    }
    /* Binary streams (no CRLF translation), and stdout kept private: a
     * stray printf must not corrupt the protocol, so fd 1 becomes stderr
     * and frames go to a duplicate of the original stdout. */
    fflush(stdout);
    int out_fd = _dup(1);
    if (out_fd < 0 || _setmode(0, _O_BINARY) < 0 || _setmode(out_fd, _O_BINARY) < 0 ||
        _dup2(2, 1) < 0) {
        p2v_err("cannot set up the protocol stream: %s", strerror(errno));
        return P2V_EXIT_ERROR;
    }
    if (agent_serve(0, out_fd, (uint32_t)proto) < 0) {
        p2v_log_error_last();
        return P2V_EXIT_ERROR;
    }
    return 0;
}
