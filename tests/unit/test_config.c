/* test_config.c: node config parsing, $VEID expansion, CTID validation,
 * the remote shell command splitter and host checks. */
#include "tap.h"
#include "config.h"
#include "transport.h"
#include "error.h"
#include <unistd.h>

static char *write_tmp(const char *text)
{
    char *path = p2v_xstrdup("/tmp/p2v-test-config.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        exit(1);
    close(fd);
    return path;
}

static void test_file(void)
{
    struct p2v_config c;
    char *p = write_tmp("# node\n  VE_PRIVATE=\"/data/private/$VEID\"\nRUNTIME=lxc\n"
                        "LXC_PATH=/srv/lxc\nUNKNOWN_KEY=whatever\n\nVZ_CONF_DIR=/etc/vz/conf/\n");
    ok(p2v_config_load_file(&c, p, true) == 0, "a valid config loads");
    is_str(c.ve_private, "/data/private/$VEID", "quoted value");
    is_str(c.runtime, "lxc", "bare value");
    is_str(c.ve_root, "/vz/root/$VEID", "unset keys keep vzctl's defaults");
    char *e = p2v_config_expand(c.ve_private, "101");
    is_str(e, "/data/private/101", "$VEID expanded");
    free(e);
    e = p2v_config_expand("/x/${VEID}/y//", "7");
    is_str(e, "/x/7/y", "${VEID} expanded, trailing slashes dropped");
    free(e);
    p2v_config_release(&c);
    unlink(p);
    free(p);

    const char *bad[][2] = {
        {"RUNTIME=docker\n", "RUNTIME=\"docker\""},
        {"VE_PRIVATE=\"/x\n", "unmatched quotes"},
        {"VE_PRIVATE=relative/$VEID\n", "absolute path"},
        {"just words\n", ":1: expected KEY=value"},
        {"NODE_OS=windows-95\n", "NODE_OS"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = write_tmp(bad[i][0]);
        ok(p2v_config_load_file(&c, p, true) < 0 && strstr(p2v_error_message(), bad[i][1]) &&
               strstr(p2v_error_message(), p),
           "bad config %zu refused, naming the file: %s", i, p2v_error_message());
        unlink(p);
        free(p);
    }
    ok(p2v_config_load_file(&c, "/nonexistent/p2v.conf", true) < 0, "a named missing file is an error");
    ok(p2v_config_load_file(&c, "/nonexistent/p2v.conf", false) == 0 && !c.path,
       "a missing default file means defaults");
    p2v_config_release(&c);
}

static void test_ctid(void)
{
    ok(p2v_ctid_check("101") == 0, "101 is a CTID");
    ok(p2v_ctid_check("2147483644") == 0, "the largest CTID");
    const char *bad[] = {"", "0", "0101", "-1", "abc", "2147483645", "99999999999", "1 2", "1\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(p2v_ctid_check(bad[i]) < 0, "`%s` is not a CTID", bad[i]);
}

static void test_rsh(void)
{
    char **argv;
    int n = transport_split_command("ssh -p 2222 -o 'ProxyCommand ssh -W %h:%p jump' \"a b\" c\\ d", &argv);
    is_int(n, 7, "split into seven words");
    if (n == 7) {
        is_str(argv[4], "ProxyCommand ssh -W %h:%p jump", "single quotes keep spaces");
        is_str(argv[5], "a b", "double quotes keep spaces");
        is_str(argv[6], "c d", "backslash escapes a space");
    }
    transport_free_argv(argv);
    ok(transport_split_command("ssh 'oops", &argv) < 0, "unmatched quote refused");
    ok(transport_split_command("   ", &argv) < 0, "empty command refused");
    ok(transport_check_host("root@198.51.100.10") == 0, "user@address is a host");
    ok(transport_check_host("-oProxyCommand=x") < 0, "an option is not a host");
    ok(transport_check_host("a;b") < 0 && transport_check_host("a b") < 0 &&
           transport_check_host("$(x)") < 0, "shell syntax is not a host");
}

int main(void)
{
    test_file();
    test_ctid();
    test_rsh();
    return tap_done();
}
