/* test_ctconf.c: CTID.conf read by vzctl's rules (facts/openvz.md) and
 * written so that vzctl and the shell read the same values. */
#include "common.h"
#include "ctconf.h"
#include "error.h"
#include "tap.h"

#include <unistd.h>

static struct ctconf parse(const char *text, int *rc)
{
    struct ctconf c;
    *rc = ctconf_parse(&c, text, strlen(text));
    return c;
}

/* what `sh` makes of KEY after sourcing TEXT */
static char *shell_value(const char *text, const char *key)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/p2v-test-ctconf.%d", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "sh -c '. %s && printf %%s \"$%s\"'", path, key);
    FILE *p = popen(cmd, "r");
    static char out[1024];
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    unlink(path);
    return st == 0 ? out : NULL;
}

int main(void)
{
    int rc;
    /* vzctl's parser rules */
    struct ctconf c = parse("# comment\n"
                            "  ONBOOT=\"yes\"\n"
                            "HOSTNAME=\"a\"b\"\n"          /* quoted: to the LAST quote */
                            "NAME=web # inline\n"          /* unquoted: inline # kept */
                            "DESCRIPTION=trail   \n"
                            "junk line\n"
                            "ONBOOT=\"no\"\n",            /* duplicate: first wins */
                            &rc);
    is_int(rc, 0, "parse");
    is_str(ctconf_get(&c, "ONBOOT"), "yes", "leading blanks skipped; the first duplicate wins");
    is_str(ctconf_get(&c, "HOSTNAME"), "a\"b", "a quoted value runs to the last quote");
    is_str(ctconf_get(&c, "NAME"), "web # inline", "an inline # stays in an unquoted value");
    is_str(ctconf_get(&c, "DESCRIPTION"), "trail", "trailing blanks trimmed");
    is_int(c.nwarnings, 2, "warnings: a line without = and a duplicate");
    ok(c.nwarnings == 2 && strstr(c.warnings[1], "duplicate ONBOOT"), "the duplicate is named");
    ctconf_release(&c);

    c = parse("IP_ADDRESS=\"1.2.3.4\n", &rc);
    is_int(rc, -1, "unmatched quotes are an error");
    ok(strstr(p2v_error_message(), "line 1: unmatched quotes") != NULL, "named: %s",
       p2v_error_message());
    c = parse("A=\"1\"\0B=2\n", &rc);
    is_int(rc, 0, "text stops at the C string's end");
    ctconf_release(&c);

    /* writing: set --save semantics, values safe for the shell */
    c = parse("# admin's note\nPHYSPAGES=\"0:2G\"\nIP_ADDRESS=\"10.0.0.1\"\n", &rc);
    is_int(ctconf_set(&c, "IP_ADDRESS", "198.51.100.10 2001:db8:10::10"), 0, "replace a key");
    is_int(ctconf_set(&c, "HOSTNAME", "web1.example.org"), 0, "append a key");
    is_int(ctconf_default(&c, "PHYSPAGES", "0:1G"), 0, "default keeps the admin's value");
    is_int(ctconf_set(&c, "HOSTNAME", "x\"; reboot; \""), -1, "a quote is refused");
    is_int(ctconf_set(&c, "HOSTNAME", "$(reboot)"), -1, "$ is refused");
    is_int(ctconf_set(&c, "HOSTNAME", "a`b`"), -1, "a backquote is refused");
    is_int(ctconf_set(&c, "HOSTNAME", "a\nONBOOT=yes"), -1, "a newline is refused");
    is_int(ctconf_set(&c, "HOSTNAME", "a\\"), -1, "a backslash is refused");
    is_int(ctconf_set(&c, "lower", "x"), -1, "a key must be [A-Z0-9_]");
    ctconf_comment(&c, "from host\nONBOOT=\"yes\"");
    struct p2v_buf out = P2V_BUF_INIT(1 << 20);
    is_int(ctconf_render(&c, &out), 0, "render");
    is_str(out.data,
           "# admin's note\nPHYSPAGES=\"0:2G\"\nIP_ADDRESS=\"198.51.100.10 2001:db8:10::10\"\n"
           "HOSTNAME=\"web1.example.org\"\n# from host?ONBOOT=\"yes\"\n",
           "rendered: the admin's lines kept, ours replaced or appended, comments one line");
    ctconf_release(&c);

    /* vzctl and the shell agree on what was written */
    struct ctconf back = parse(out.data, &rc);
    is_int(rc, 0, "reparse");
    is_int(back.nwarnings, 0, "no warnings");
    const char *keys[] = {"PHYSPAGES", "IP_ADDRESS", "HOSTNAME"};
    for (size_t i = 0; i < 3; i++) {
        const char *sh = shell_value(out.data, keys[i]);
        is_str(sh, ctconf_get(&back, keys[i]), "shell and vzctl read the same %s", keys[i]);
    }
    is_str(shell_value(out.data, "ONBOOT"), "", "the comment did not set ONBOOT");
    ctconf_release(&back);
    p2v_buf_release(&out);
    return tap_done();
}
