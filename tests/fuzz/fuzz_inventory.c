/* fuzz_inventory.c: the node's interpretation of the agent's facts.
 *
 * Input: a facts document (docs/facts.md). inventory_load runs every
 * interpreter on it (mountinfo, os-release and release files, interfaces,
 * block devices, quotas and raw quota files, SELinux, xattrs, ELF notes,
 * resolv.conf, fstab); then what consumes the inventory without touching
 * the node: the venet0 plan (net_plan_build), every restriction check
 * against a made-up node, and both reports. Invariants: what the plan and
 * the OS fields promise to hold (netcfg.h, inv_os.c), and the JSON report
 * is valid JSON whatever the source said. */
#include "fuzz.h"
#include "error.h"
#include "inventory.h"
#include "netcfg.h"
#include "report.h"
#include <ctype.h>

#define INPUT_MAX (1u << 20)

static bool only(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
            return false;
    return true;
}

static void check_plan(const struct net_plan *p)
{
    FUZZ_CHECK(!p->hostname || (only(p->hostname, ".-") && strlen(p->hostname) <= 253));
    for (size_t i = 0; i < p->nipv4; i++)
        FUZZ_CHECK(only(p->ipv4[i], "."));
    for (size_t i = 0; i < p->nipv6; i++)
        FUZZ_CHECK(only(p->ipv6[i], ":."));
    for (size_t i = 0; i < p->nifaces; i++)
        FUZZ_CHECK(only(p->ifaces[i], "_.:@-") && strlen(p->ifaces[i]) <= 15);
    for (size_t i = 0; i < p->ndns; i++)
        FUZZ_CHECK(only(p->dns[i], ":."));
    for (size_t i = 0; i < p->nsearch; i++)
        FUZZ_CHECK(only(p->search[i], "._-"));
}

static void json_valid(const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new();
    FUZZ_CHECK(tok);
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    FUZZ_CHECK(o && json_tokener_get_error(tok) == json_tokener_success);
    json_object_put(o);
    json_tokener_free(tok);
}

static void reports(const struct inventory *inv)
{
    static char ctid[] = "101", host[] = "fuzzed", machine[] = "x86_64", kernel[] = "5.10.0",
                flags[] = "fpu cmov sse sse2 lm", priv[] = "/vz/private/101",
                conf[] = "/etc/vz/conf/101.conf", space[] = "/vz";
    struct p2v_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct node_info node = {
        .cfg = &cfg, .ctid = ctid, .host = host, .machine = machine, .kernel = kernel,
        .kmajor = 5, .kminor = 10, .kernel_known = true, .cpu_flags = flags,
        .private_dir = priv, .conf_file = conf, .space_known = true, .space_path = space,
        .free_bytes = 100ull << 30, .free_inodes = 10000000,
    };
    struct report r = {0};
    restrictions_run(inv, &node, NULL, &r);
    (void)report_possible(&r);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    FUZZ_CHECK(f);
    report_print_text(f, "fuzzed", inv, &node, &r);
    fclose(f);
    free(text);
    text = NULL;
    f = open_memstream(&text, &len);
    FUZZ_CHECK(f);
    int rc = report_print_json(f, "fuzzed", inv, &node, &r);
    fclose(f);
    if (rc == 0)
        json_valid(text, len);
    free(text);
    report_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size > INPUT_MAX)
        return 0;
    struct inventory inv;
    if (inventory_load(&inv, (const char *)data, size) < 0)
        return 0;
    FUZZ_CHECK(!inv.os.id || only(inv.os.id, "._-"));
    FUZZ_CHECK(!inv.os.version_id || only(inv.os.version_id, "._-"));
    FUZZ_CHECK(inv.os.family);
    struct net_plan plan;
    if (net_plan_build(&plan, &inv) == 0) {
        check_plan(&plan);
        net_plan_release(&plan);
    }
    reports(&inv);
    inventory_release(&inv);
    return 0;
}
