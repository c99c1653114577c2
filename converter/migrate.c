/* migrate.c: p2vmigrate HOST CTID: check, then copy the server into the
 * private area (transfer.c), resumable; a rerun is an incremental sync. */
#include "migrate.h"
#include "session.h"
#include "inventory.h"
#include "nodeinfo.h"
#include "restrictions.h"
#include "transfer.h"
#include "lock.h"
#include "convert.h"
#include "json_write.h"
#include <unistd.h>
#include "error.h"
#include "log.h"
#include "progress.h"

static void print_blockers(const struct report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct restriction *x = &r->items[i];
        if (x->sev != SEV_BLOCKER)
            continue;
        p2v_err("%s: %s", x->id, x->message);
    }
}

/* -vv: where the wire bytes went, by message type. */
static void wire_by_type(const struct xfer_stats *st)
{
    for (unsigned t = 0; t < P2V_FRAME_TYPES; t++) {
        if (!st->type_in[t] && !st->type_out[t])
            continue;
        char in[32], out[32];
        p2v_format_bytes(st->type_in[t], in, sizeof(in));
        p2v_format_bytes(st->type_out[t], out, sizeof(out));
        p2v_debug("wire by message: %-11s in %9s  out %9s", p2v_msg_name((uint16_t)t), in, out);
    }
}

static void summary_text(const struct migrate_opts *o, const struct xfer_stats *st, int rc)
{
    char sent[32], listed[32], in[32], out[32], chans[40] = "";
    if (st->channels > 1)
        snprintf(chans, sizeof(chans), " over %u ssh channels", st->channels);
    p2v_format_bytes(st->bytes_sent, sent, sizeof(sent));
    p2v_format_bytes(st->bytes_listed, listed, sizeof(listed));
    p2v_format_bytes(st->wire_in, in, sizeof(in));
    p2v_format_bytes(st->wire_out, out, sizeof(out));
    p2v_info("%s: %llu entries, %llu files (%s); copied %llu files (%s), %llu unchanged, "
             "%llu deleted, %llu hard links; %llu by delta, %llu resumed; wire %s in, %s out"
             "%s; %.1f s",
             rc == 0 ? "done" : "stopped", (unsigned long long)st->entries,
             (unsigned long long)st->files, listed, (unsigned long long)st->files_sent, sent,
             (unsigned long long)st->files_same, (unsigned long long)st->deleted,
             (unsigned long long)st->hardlinks, (unsigned long long)st->deltas,
             (unsigned long long)st->resumed, in, out,
             chans,
             st->seconds);
    if (st->selinux_dropped)
        p2v_info("dropped %llu security.selinux labels (containers do not support SELinux)",
                 (unsigned long long)st->selinux_dropped);
    if (st->changed_resent)
        p2v_info("%llu files changed while read and were sent again",
                 (unsigned long long)st->changed_resent);
    if (st->deltas_redone)
        p2v_info("%llu deltas did not check out against the source's sum and were sent whole",
                 (unsigned long long)st->deltas_redone);
    if (rc == 0 && (st->changed_given_up || st->unreadable))
        p2v_warn("%llu files could not be copied (listed above); run p2vmigrate %s %s again "
                 "once they are quiet", (unsigned long long)(st->changed_given_up + st->unreadable),
                 o->host, o->ctid);
}

/* what the conversion did, for the result object */
struct conv_summary {
    bool ran, ok;
    size_t changes;
    const struct report *done;
    const char *config, *runtime;
    bool started;
};

static void conversion_json(const struct conv_summary *c)
{
    struct p2v_buf b = P2V_BUF_INIT(1 << 20);
    struct p2v_json j;
    p2v_json_init(&j, &b, false);
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "status", c->ok ? "done" : "failed");
    p2v_json_kuint(&j, "changes", c->changes);
    p2v_json_kstr(&j, "config", c->config);
    p2v_json_kstr(&j, "runtime", c->runtime);
    p2v_json_kbool(&j, "started", c->started);
    p2v_json_key(&j, "report");
    p2v_json_arr_begin(&j);
    for (size_t i = 0; c->done && i < c->done->n; i++) {
        p2v_json_obj_begin(&j);
        p2v_json_kstr(&j, "id", c->done->items[i].id);
        p2v_json_kstr(&j, "severity", c->done->items[i].sev == SEV_WARNING ? "warning" : "info");
        p2v_json_kstr(&j, "message", c->done->items[i].message);
        p2v_json_obj_end(&j);
    }
    p2v_json_arr_end(&j);
    p2v_json_obj_end(&j);
    if (p2v_json_finish(&j) == 0)
        printf(",\"conversion\":%s", b.data);
    p2v_buf_release(&b);
}

static void summary_json(const struct xfer_stats *st, int rc, const struct conv_summary *c)
{
    printf("{\"event\":\"result\",\"status\":\"%s\",\"entries\":%llu,\"files\":%llu,"
           "\"files_copied\":%llu,\"files_unchanged\":%llu,\"metadata_updated\":%llu,"
           "\"bytes_listed\":%llu,"
           "\"bytes_copied\":%llu,\"deleted\":%llu,\"hardlinks\":%llu,\"deltas\":%llu,"
           "\"resumed\":%llu,\"resumed_bytes\":%llu,\"changed_resent\":%llu,\"deltas_redone\":%llu,"
           "\"not_copied\":%llu,\"selinux_dropped\":%llu,\"differences\":%llu,"
           "\"wire_in\":%llu,\"wire_out\":%llu,\"channels\":%u,\"seconds\":%.3f",
           rc == 0 ? "done" : rc == -2 ? "differs" : "failed", (unsigned long long)st->entries,
           (unsigned long long)st->files, (unsigned long long)st->files_sent,
           (unsigned long long)st->files_same, (unsigned long long)st->meta_updated,
           (unsigned long long)st->bytes_listed,
           (unsigned long long)st->bytes_sent, (unsigned long long)st->deleted,
           (unsigned long long)st->hardlinks, (unsigned long long)st->deltas,
           (unsigned long long)st->resumed, (unsigned long long)st->resumed_bytes,
           (unsigned long long)st->changed_resent, (unsigned long long)st->deltas_redone,
           (unsigned long long)(st->changed_given_up + st->unreadable),
           (unsigned long long)st->selinux_dropped, (unsigned long long)st->differences,
           (unsigned long long)st->wire_in,
           (unsigned long long)st->wire_out, st->channels, st->seconds);
    if (c && c->ran)
        conversion_json(c);
    printf("}\n");
    fflush(stdout);
}

int migrate_run(const struct migrate_opts *o, const struct p2v_config *cfg)
{
    p2v_autoclose int lock = -1;
    struct session s;
    p2v_progress_stage("connect");
    if (session_open(&s, &o->transport) < 0)
        return P2V_EXIT_ERROR;
    char *doc = NULL;
    size_t len = 0;
    struct inventory inv;
    struct node_info node;
    struct report r = {0};
    int code = P2V_EXIT_ERROR;
    if (session_get_facts(&s, false, &doc, &len) < 0) {
        session_abort(&s);
        return P2V_EXIT_ERROR;
    }
    int rc = inventory_load(&inv, doc, len);
    free(doc);
    if (rc < 0) {
        session_abort(&s);
        return P2V_EXIT_ERROR;
    }
    if (node_info_load(&node, cfg, o->ctid, o->host) < 0 ||
        restrictions_run(&inv, &node, o->quota_partition, &r) < 0) {
        session_abort(&s);
        goto out;
    }
    /* the space estimate counts whole filesystems and no excludes: the
     * administrator may know better (--force), and a full disk is still
     * caught, cleanly and resumably, while copying */
    for (size_t i = 0; o->force && i < r.n; i++)
        if (strcmp(r.items[i].id, "destination-space") == 0 && r.items[i].sev == SEV_BLOCKER) {
            r.items[i].sev = SEV_WARNING;
            p2v_warn("destination-space: %s (--force: copying anyway)", r.items[i].message);
        }
    if (!report_possible(&r)) {
        print_blockers(&r);
        p2v_error_set("migration of %s into container %s is not possible", o->host, o->ctid);
        p2v_error_hint("p2vmigrate --dry-run %s %s shows every restriction", o->host, o->ctid);
        session_abort(&s);
        p2v_log_error_last();
        code = P2V_EXIT_IMPOSSIBLE;
        goto out;
    }
    /* nothing is written on the node before this point: a run that fails
     * to connect or is not possible leaves no trace */
    lock = ctid_lock(cfg, o->ctid);
    if (lock < 0) {
        session_abort(&s);
        goto out;
    }
    if (o->restart) {
        p2v_autofree char *changes = p2v_xasprintf("%s/%s.changes", cfg->state_dir, o->ctid);
        unlink(changes);   /* the copy it describes is discarded */
    } else if (node.private_exists &&
        convert_revert(cfg, o->ctid, node.private_dir) < 0) {
        p2v_warn("could not undo the last conversion before the sync: %s (the converted "
                 "files are sent again)", p2v_error_message());
    }
    struct xfer_opts xo = {.host = o->host, .restart = o->restart, .compress = o->compress,
                           .excludes = o->excludes, .nexcludes = o->nexcludes,
                           .channels = o->channels, .transport = &o->transport};
    struct xfer_stats st;
    rc = transfer_run(&s, &inv, &node, &xo, &st);
    struct xfer_stats vst = {0};
    if (rc == 0 && o->verify) {
        xo.verify = true;
        p2v_info("verifying the copy against the source");
        rc = transfer_run(&s, &inv, &node, &xo, &vst);
        st.differences = vst.differences;
        st.wire_in += vst.wire_in;
        st.wire_out += vst.wire_out;
        for (unsigned t = 0; t < P2V_FRAME_TYPES; t++) {
            st.type_in[t] += vst.type_in[t];
            st.type_out[t] += vst.type_out[t];
        }
        if (rc == 0 && vst.differences) {
            p2v_error_set("the copy differs from the source in %llu places (listed above)",
                          (unsigned long long)vst.differences);
            p2v_error_hint("a live server changes while it is copied: stop its services, run "
                           "p2vmigrate %s %s again, then --verify", o->host, o->ctid);
            rc = -2;
        } else if (rc == 0) {
            p2v_info("verified: %llu entries, %llu files compared, content included: no "
                     "difference", (unsigned long long)vst.entries,
                     (unsigned long long)vst.files);
        }
    }
    if (rc == -2) {
        /* a difference, not a failure of the run: the session ends cleanly */
        session_close(&s);
        if (o->json)
            summary_json(&st, rc, NULL);
        code = P2V_EXIT_ERROR;
        goto out;
    }
    wire_by_type(&st);
    if (rc == 0 && session_close(&s) < 0)
        p2v_warn("the agent did not end cleanly: %s", p2v_error_message());
    if (rc < 0)
        session_abort(&s);
    if (!o->json && rc == 0)
        summary_text(o, &st, rc);
    struct conv_summary cs = {.config = node.conf_file, .runtime = cfg->runtime};
    struct report done = {0};
    if (rc == 0 && inv.windows.present) {
        /* the Linux fixups (venet0 files, fstab, init) mean nothing to a
         * Windows tree: the Windows node's own tools configure it */
        p2v_info("a Windows server: the copy is in %s; container configuration is left to the "
                 "Windows node's tools (no Linux conversion)", node.private_dir);
    } else if (rc == 0 && o->no_convert) {
        p2v_info("--no-convert: %s holds the source's files as they are; run p2vmigrate %s %s "
                 "without it to make the container", node.private_dir, o->host, o->ctid);
    } else if (rc == 0) {
        /* the copy is complete (a rerun restores the source's files): turn
         * it into a container again; nothing here needs the agent */
        struct convert_opts co = {.host = o->host, .ctid = o->ctid,
                                  .quota_partition = o->quota_partition, .start = o->start,
                                  .data_bytes = st.bytes_listed, .data_entries = st.entries,
                                  .changes_out = &cs.changes};
        cs.ran = true;
        cs.done = &done;
        cs.ok = convert_run(&co, &inv, &node, cfg, &done) == 0;
        cs.started = cs.ok && o->start;
        if (!cs.ok) {
            p2v_error_prefix("conversion of container %s", o->ctid);
            if (!p2v_error_hint_text()[0])
                p2v_error_hint("the copy is complete and kept: fix the cause and run p2vmigrate "
                               "%s %s again (only changes are sent)", o->host, o->ctid);
            rc = -1;
        }
    }
    if (o->json)
        summary_json(&st, rc, &cs);
    report_release(&done);
    code = rc == 0 ? P2V_EXIT_OK : P2V_EXIT_ERROR;
    if (rc < 0 && !p2v_error_hint_text()[0])
        p2v_error_hint("run the same command again: the copy resumes where it stopped");
out:
    report_release(&r);
    node_info_release(&node);
    inventory_release(&inv);
    return code;
}
