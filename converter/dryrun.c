/* dryrun.c: p2vmigrate --dry-run: learn the source, check it against
 * this node, print every restriction. Changes nothing anywhere: the only
 * thing left on the source, the uploaded agent, removes itself. */
#include "migrate.h"
#include "session.h"
#include "inventory.h"
#include "nodeinfo.h"
#include "restrictions.h"
#include "report.h"
#include "error.h"
#include "log.h"
#include "progress.h"
#include <sys/stat.h>
#include <unistd.h>

char *migrate_find_agent(const struct p2v_config *cfg)
{
    if (cfg->agent_binary)
        return p2v_xstrdup(cfg->agent_binary);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            char *p = p2v_xasprintf("%s/p2v-agent", self);
            if (access(p, R_OK) == 0)
                return p;
            free(p);
            p = p2v_xasprintf("%s/../libexec/p2v/p2v-agent", self);
            if (access(p, R_OK) == 0)
                return p;
            free(p);
        }
    }
    return p2v_xstrdup(P2V_INSTALL_LIBEXEC "/p2v-agent");
}

static int fetch_inventory(const struct migrate_opts *o, struct inventory *inv)
{
    struct session s;
    p2v_progress_stage("connect");
    if (session_open(&s, &o->transport) < 0)
        return -1;
    p2v_info("connected to %s (%s, protocol %u)", o->host, s.agent.software, s.version);
    p2v_progress_stage("inventory");
    char *doc = NULL;
    size_t len = 0;
    if (session_get_facts(&s, o->scan, &doc, &len) < 0) {
        session_abort(&s);
        return -1;
    }
    p2v_progress_done();
    if (session_close(&s) < 0)
        p2v_warn("the agent did not end cleanly: %s", p2v_error_message());
    int rc = inventory_load(inv, doc, len);
    if (rc < 0)
        p2v_error_prefix("facts from %s", o->host);
    free(doc);
    return rc;
}

int dryrun_run(const struct migrate_opts *o, const struct p2v_config *cfg)
{
    struct inventory inv;
    if (fetch_inventory(o, &inv) < 0)
        return P2V_EXIT_ERROR;
    struct node_info node;
    struct report r = {0};
    int code = P2V_EXIT_ERROR;
    if (node_info_load(&node, cfg, o->ctid, o->host) < 0) {
        inventory_release(&inv);
        return P2V_EXIT_ERROR;
    }
    if (restrictions_run(&inv, &node, o->quota_partition, &r) < 0)
        goto out;
    if (o->json) {
        if (report_print_json(stdout, o->host, &inv, &node, &r) < 0)
            goto out;
    } else {
        report_print_text(stdout, o->host, &inv, &node, &r);
        fflush(stdout);
    }
    code = report_possible(&r) ? P2V_EXIT_OK : P2V_EXIT_IMPOSSIBLE;
out:
    report_release(&r);
    node_info_release(&node);
    inventory_release(&inv);
    return code;
}
