/* facts.c: assemble the raw facts document from the collectors. */
#include "facts.h"
#include "error.h"
#include "version.h"
#include <unistd.h>

int facts_collect(struct p2v_buf *out, const struct facts_options *opt, bool pretty)
{
    struct p2v_json j;
    facts_errors_reset();
    p2v_json_init(&j, out, pretty);
    p2v_json_obj_begin(&j);
    p2v_json_kint(&j, "schema", 1);
    p2v_json_key(&j, "agent");
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "software", "p2v-agent " P2V_VERSION);
    p2v_json_kint(&j, "pid", getpid());
    p2v_json_kint(&j, "euid", (int64_t)geteuid());
    p2v_json_obj_end(&j);
    facts_system(&j, opt);
    facts_files(&j, opt);
    facts_statfs(&j, opt);
    facts_interfaces(&j, opt);
    facts_block(&j, opt);
    facts_quota(&j, opt);
    facts_elf(&j, opt);
    facts_xattr_scan(&j, opt);
    facts_mac_scan(&j, opt);
    facts_errors_emit(&j);
    p2v_json_obj_end(&j);
    return p2v_json_finish(&j);
}
