/* ctconf-check FILE: read a CTID.conf by vzctl's rules (converter/ctconf.c)
 * and fail on anything vzctl would complain about: unmatched quotes, a
 * line without `=`, a duplicated key. Prints the keys it read. */
#include "common.h"
#include "ctconf.h"
#include "error.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ctconf-check FILE\n");
        return 2;
    }
    struct p2v_buf b = P2V_BUF_INIT(16u << 20);
    if (p2v_buf_read_file(&b, argv[1]) < 0) {
        fprintf(stderr, "%s\n", p2v_error_message());
        p2v_buf_release(&b);
        return 1;
    }
    struct ctconf c;
    if (ctconf_parse(&c, b.data, b.len) < 0) {
        fprintf(stderr, "%s: %s\n", argv[1], p2v_error_message());
        return 1;
    }
    for (size_t i = 0; i < c.n; i++)
        if (c.lines[i].key)
            printf("%s=%s\n", c.lines[i].key, c.lines[i].value);
    for (size_t i = 0; i < c.nwarnings; i++)
        fprintf(stderr, "%s: %s\n", argv[1], c.warnings[i]);
    int rc = c.nwarnings ? 1 : 0;
    ctconf_release(&c);
    p2v_buf_release(&b);
    return rc;
}
