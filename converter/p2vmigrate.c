/* p2vmigrate.c: move a running physical server into a container on this
 * node. See docs/p2vmigrate.8. */
#include "migrate.h"
#include "transfer.h"
#include "cli.h"
#include "error.h"
#include "log.h"
#include "progress.h"
#include "proto.h"
#include "version.h"
#include <signal.h>

enum {
    OPT_DRY_RUN = 256, OPT_JSON, OPT_QUOTA, OPT_AGENT, OPT_TMPDIR, OPT_PROTOCOL,
    OPT_NO_SCAN, OPT_TIMEOUT, OPT_LOG, OPT_RESTART, OPT_EXCLUDE, OPT_FORCE, OPT_COMPRESS, OPT_VERIFY, OPT_START, OPT_CHANNELS, OPT_NO_CONVERT, OPT_RSH = 'e', OPT_QUIET = 'q', OPT_VERBOSE = 'v',
    OPT_HELP = 'h', OPT_VERSION = 'V',
};

static const struct cli_opt options[] = {
    {"dry-run", 0, NULL, OPT_DRY_RUN, "print every migration restriction; change nothing"},
    {"json", 0, NULL, OPT_JSON, "print the result as one JSON document on stdout"},
    {"quota-partition", 0, "MOUNTPOINT", OPT_QUOTA,
     "the source filesystem whose quotas the container keeps"},
    {"exclude", 0, "PATTERN", OPT_EXCLUDE, "also leave out paths matching PATTERN (repeatable)"},
    {"compress", 0, NULL, OPT_COMPRESS, "compress data on the wire with zstd (slow links)"},
    {"channels", 0, "N", OPT_CHANNELS,
     "ssh sessions carrying files (default: one per 10 ms of round trip, at most 8)"},
    {"verify", 0, NULL, OPT_VERIFY, "after copying, compare the copy with the source (content too)"},
    {"no-convert", 0, NULL, OPT_NO_CONVERT,
     "copy or sync only: leave the files as the source has them (a first pass)"},
    {"start", 0, NULL, OPT_START, "start the container at the end (default: leave it stopped)"},
    {"force", 0, NULL, OPT_FORCE, "copy even when the space estimate says it will not fit"},
    {"restart", 0, NULL, OPT_RESTART, "discard an earlier partial copy and start afresh"},
    {"rsh", 'e', "CMD", OPT_RSH, "remote shell (default: " P2V_DEFAULT_RSH ")"},
    {"agent", 0, "PATH", OPT_AGENT, "run the agent already at PATH on the source (no upload)"},
    {"remote-tmpdir", 0, "DIR", OPT_TMPDIR, "upload the agent into DIR on the source"},
    {"protocol", 0, "N", OPT_PROTOCOL, "speak protocol version N at most"},
    {"no-scan", 0, NULL, OPT_NO_SCAN, "skip the source's xattr and MAC-address file scans"},
    {"timeout", 0, "SECONDS", OPT_TIMEOUT, "give up after this long without a word (default 120)"},
    {"log", 0, "FILE", OPT_LOG, "append a detailed log to FILE"},
    {"quiet", 'q', NULL, OPT_QUIET, "only errors"},
    {"verbose", 'v', NULL, OPT_VERBOSE, "more detail (repeat for debug)"},
    {"version", 'V', NULL, OPT_VERSION, "print the version"},
    {"help", 'h', NULL, OPT_HELP, "this help"},
};

static const char synopsis[] =
    "usage: p2vmigrate [OPTIONS] HOST CTID\n"
    "       p2vmigrate --dry-run [--json] [--quota-partition MOUNTPOINT] HOST CTID\n"
    "\n"
    "Run it again on a finished copy for an incremental sync: only what changed\n"
    "is sent and what the source removed is removed.\n"
    "\n"
    "Move the running physical server HOST ([user@]host, reached with ssh) into\n"
    "container CTID on this node. Exit status: 0 done or possible, 1 error,\n"
    "2 not possible (a blocker).";

struct cli_state {
    struct migrate_opts *o;
    int verbosity;
    bool help, version;
    const char *log;
};

static int parse_uint(const char *what, const char *s, unsigned long lo, unsigned long hi,
                      unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi || s[0] == '-')
        return p2v_error_set("%s `%s`: give a number from %lu to %lu", what, s, lo, hi);
    *out = v;
    return 0;
}

static int handle(int id, const char *arg, void *ctx)
{
    struct cli_state *st = ctx;
    struct migrate_opts *o = st->o;
    unsigned long v = 0;
    switch (id) {
    case OPT_DRY_RUN: o->dry_run = true; return 0;
    case OPT_JSON: o->json = true; return 0;
    case OPT_QUOTA:
        if (arg[0] != '/')
            return p2v_error_set("--quota-partition `%s`: give the mount point, e.g. /home", arg);
        o->quota_partition = arg;
        return 0;
    case OPT_RSH: o->transport.rsh = arg; return 0;
    case OPT_AGENT:
        if (arg[0] != '/')
            return p2v_error_set("--agent `%s`: give an absolute path on the source", arg);
        o->transport.remote_agent = arg;
        return 0;
    case OPT_TMPDIR:
        if (arg[0] != '/')
            return p2v_error_set("--remote-tmpdir `%s`: give an absolute path", arg);
        o->transport.remote_tmpdir = arg;
        return 0;
    case OPT_PROTOCOL:
        if (parse_uint("--protocol", arg, P2V_PROTO_MIN, P2V_PROTO_VERSION, &v) < 0)
            return -1;
        o->transport.protocol = (unsigned)v;
        return 0;
    case OPT_NO_SCAN: o->scan = false; return 0;
    case OPT_TIMEOUT:
        if (parse_uint("--timeout", arg, 1, 86400, &v) < 0)
            return -1;
        o->transport.timeout_ms = (int)v * 1000;
        return 0;
    case OPT_LOG: st->log = arg; return 0;
    case OPT_RESTART: o->restart = true; return 0;
    case OPT_FORCE: o->force = true; return 0;
    case OPT_COMPRESS: o->compress = true; return 0;
    case OPT_NO_CONVERT: o->no_convert = true; return 0;
    case OPT_CHANNELS:
        if (parse_uint("--channels", arg, 1, P2V_CHANNELS_MAX, &v) < 0)
            return -1;
        o->channels = (unsigned)v;
        return 0;
    case OPT_VERIFY: o->verify = true; return 0;
    case OPT_START: o->start = true; return 0;
    case OPT_EXCLUDE:
        if (arg[0] != '/')
            return p2v_error_set("--exclude `%s`: patterns match from the root, e.g. /var/cache/*",
                                 arg);
        o->excludes = p2v_xrealloc(o->excludes, (o->nexcludes + 1) * sizeof(char *));
        o->excludes[o->nexcludes++] = (char *)arg;
        return 0;
    case OPT_QUIET: st->verbosity = P2V_LOG_ERROR; return 0;
    case OPT_VERBOSE: st->verbosity++; return 0;
    case OPT_VERSION: st->version = true; return 0;
    case OPT_HELP: st->help = true; return 0;
    default: return p2v_error_set("internal: unhandled option %d", id);
    }
}

static int run(int argc, char **argv)
{
    struct migrate_opts o = {.scan = true};
    o.transport.rsh = P2V_DEFAULT_RSH;
    o.transport.timeout_ms = 120 * 1000;
    struct cli_state st = {.o = &o, .verbosity = P2V_LOG_INFO};
    int first = cli_parse(argc, argv, options, P2V_ARRAY_LEN(options), handle, &st);
    p2v_autofree char **excludes_owned = o.excludes;
    if (first < 0)
        return P2V_EXIT_ERROR;
    p2v_log_set_level(st.verbosity > P2V_LOG_DEBUG ? P2V_LOG_DEBUG : (enum p2v_log_level)st.verbosity);
    if (st.help) {
        cli_usage(stdout, synopsis, options, P2V_ARRAY_LEN(options));
        return P2V_EXIT_OK;
    }
    if (st.version) {
        printf("p2vmigrate %s (protocol %u)\n", P2V_VERSION, P2V_PROTO_VERSION);
        return P2V_EXIT_OK;
    }
    if (argc - first != 2) {
        p2v_error_set("expected HOST and CTID, got %d argument%s", argc - first,
                      argc - first == 1 ? "" : "s");
        p2v_error_hint("p2vmigrate [OPTIONS] HOST CTID; see --help");
        return P2V_EXIT_ERROR;
    }
    if (o.no_convert && o.start) {
        p2v_error_set("--start and --no-convert contradict each other: an unconverted copy "
                      "cannot start as a container");
        p2v_error_hint("leave out one of them");
        return P2V_EXIT_ERROR;
    }
    o.host = argv[first];
    o.ctid = argv[first + 1];
    o.transport.host = o.host;
    if (transport_check_host(o.host) < 0 || p2v_ctid_check(o.ctid) < 0)
        return P2V_EXIT_ERROR;
    if (st.log && p2v_log_open_file(st.log) < 0)
        return P2V_EXIT_ERROR;
    struct p2v_config cfg;
    if (p2v_config_load(&cfg) < 0)
        return P2V_EXIT_ERROR;
    char *agent = migrate_find_agent(&cfg);
    o.transport.agent_binary = agent;
    /* a dry run's --json is one document: its progress stays on stderr;
     * a copy's --json is JSON lines of progress, then the result */
    p2v_progress_init(o.json && !o.dry_run ? P2V_PROGRESS_JSON
                      : st.verbosity <= P2V_LOG_ERROR ? P2V_PROGRESS_NONE
                                                      : P2V_PROGRESS_AUTO);
    int code = o.dry_run ? dryrun_run(&o, &cfg) : migrate_run(&o, &cfg);
    free(agent);
    p2v_config_release(&cfg);
    return code;
}

int main(int argc, char **argv)
{
    p2v_log_init("p2vmigrate", P2V_LOG_INFO);
    signal(SIGPIPE, SIG_IGN);
    int code = run(argc, argv);
    if (code == P2V_EXIT_ERROR)
        p2v_log_error_last();
    p2v_log_close_file();
    return code;
}
