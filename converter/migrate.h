/* migrate.h: what p2vmigrate was asked to do, and the dry run. */
#ifndef P2V_MIGRATE_H
#define P2V_MIGRATE_H

#include "config.h"
#include "transport.h"

struct migrate_opts {
    const char *host, *ctid;
    bool dry_run, json, scan, restart, force, compress, verify, start, no_convert;
    unsigned channels;             /* --channels; 0: by the round trip */
    char **excludes;
    size_t nexcludes;
    const char *quota_partition;
    struct transport_opts transport;
};

/* Connect, inventory, check, report. Returns an exit code (P2V_EXIT_*). */
int dryrun_run(const struct migrate_opts *o, const struct p2v_config *cfg);
/* Copy the server (or sync it again). Returns an exit code. */
int migrate_run(const struct migrate_opts *o, const struct p2v_config *cfg);
/* The local agent binary to upload: config, else beside this program,
 * else the install location. */
char *migrate_find_agent(const struct p2v_config *cfg);

#endif
