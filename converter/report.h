/* report.h: print a dry-run report for people (text) or programs (one
 * JSON document: {host, ctid, possible, restrictions, inventory, node}). */
#ifndef P2V_REPORT_H
#define P2V_REPORT_H

#include "restrictions.h"
#include "json_write.h"

void report_print_text(FILE *out, const char *host, const struct inventory *inv,
                       const struct node_info *node, const struct report *r);
int report_print_json(FILE *out, const char *host, const struct inventory *inv,
                      const struct node_info *node, const struct report *r);
/* The interpreted inventory as a JSON value (used by the report). */
void inventory_to_json(struct p2v_json *j, const struct inventory *inv);

#endif
