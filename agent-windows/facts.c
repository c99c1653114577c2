/* facts.c: assemble the Windows facts document from the collectors. */
/* Windows headers first: they use functions banned.h poisons. */
#include <windows.h>
#include "facts.h"
#include "version.h"

int facts_collect(struct p2v_buf *out, bool pretty)
{
    struct p2v_json j;
    facts_errors_reset();
    p2v_json_init(&j, out, pretty);
    p2v_json_obj_begin(&j);
    p2v_json_kint(&j, "schema", 1);
    p2v_json_key(&j, "agent");
    p2v_json_obj_begin(&j);
    p2v_json_kstr(&j, "software", "p2v-agent " P2V_VERSION);
    p2v_json_kint(&j, "pid", (int64_t)GetCurrentProcessId());
    p2v_json_obj_end(&j);
    facts_system(&j);
    facts_adapters(&j);
    p2v_json_key(&j, "windows");
    p2v_json_obj_begin(&j);
    facts_windows_version(&j);
    facts_windows_names(&j);
    facts_volumes(&j);
    facts_services(&j);
    p2v_json_obj_end(&j);
    facts_errors_emit(&j);
    p2v_json_obj_end(&j);
    return p2v_json_finish(&j);
}
