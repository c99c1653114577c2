/* facts_xattr_scan.c: placeholder until the collector lands (records nothing). */
#include "facts.h"

void facts_xattr_scan(struct p2v_json *j, const struct facts_options *opt)
{
    (void)j;
    (void)opt;
}
