/* convert-facts FACTS.json P2V.CONF CTID [QUOTA_PARTITION]: run the
 * conversion (convert_run) on the private area P2V.CONF names for CTID,
 * with the inventory read from FACTS.json instead of a live agent. Used by
 * tests that carry a conversion into a guest (quota-firstboot). */
#include "common.h"
#include "config.h"
#include "convert.h"
#include "error.h"
#include "inventory.h"
#include "log.h"
#include "nodeinfo.h"

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: convert-facts FACTS.json P2V.CONF CTID [QUOTA_PARTITION]\n");
        return 2;
    }
    struct p2v_buf facts = P2V_BUF_INIT(64u << 20);
    if (p2v_buf_read_file(&facts, argv[1]) < 0) {
        fprintf(stderr, "%s\n", p2v_error_message());
        p2v_buf_release(&facts);
        return 1;
    }
    struct p2v_config cfg = {0};
    struct inventory inv = {0};
    struct node_info node = {0};
    struct report done = {0};
    int rc = 1;
    if (p2v_config_load_file(&cfg, argv[2], true) < 0)
        goto err;
    if (inventory_load(&inv, facts.data, facts.len) < 0)
        goto err;
    if (node_info_load(&node, &cfg, argv[3], "facts") < 0)
        goto err;
    struct convert_opts o = {.host = "facts", .ctid = argv[3],
                             .quota_partition = argc == 5 ? argv[4] : NULL};
    if (convert_run(&o, &inv, &node, &cfg, &done) < 0)
        goto err;
    rc = 0;
    goto out;
err:
    p2v_log_error_last();
out:
    report_release(&done);
    node_info_release(&node);
    inventory_release(&inv);
    p2v_config_release(&cfg);
    p2v_buf_release(&facts);
    return rc;
}
