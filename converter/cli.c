/* cli.c: option table to getopt_long and to help text (see cli.h). */
#include "cli.h"
#include "error.h"
#include <getopt.h>

int cli_parse(int argc, char **argv, const struct cli_opt *opts, size_t n,
              int (*handle)(int id, const char *arg, void *ctx), void *ctx)
{
    struct option *lo = p2v_xcalloc(n + 1, sizeof(*lo));
    char shorts[128] = "+";
    size_t sl = 1;
    for (size_t i = 0; i < n; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = opts[i].arg ? required_argument : no_argument;
        lo[i].val = opts[i].id;
        if (opts[i].short_name && sl + 3 < sizeof(shorts)) {
            shorts[sl++] = (char)opts[i].short_name;
            if (opts[i].arg)
                shorts[sl++] = ':';
        }
    }
    shorts[sl] = '\0';
    int c, rc = 0;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (c == '?' || c == ':') {
            if (optopt && optopt < 256)
                rc = p2v_error_set("unknown option or missing argument: -%c", optopt);
            else
                rc = p2v_error_set("unknown option or missing argument: %s", argv[optind - 1]);
            p2v_error_hint("see --help");
            break;
        }
        int id = c;
        for (size_t i = 0; i < n; i++)
            if (opts[i].short_name == c)
                id = opts[i].id;
        rc = handle(id, optarg, ctx);
    }
    free(lo);
    return rc < 0 ? -1 : optind;
}

void cli_usage(FILE *out, const char *synopsis, const struct cli_opt *opts, size_t n)
{
    fprintf(out, "%s\n\nOptions:\n", synopsis);
    for (size_t i = 0; i < n; i++) {
        char left[64];
        if (opts[i].short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].short_name, opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                     opts[i].arg ? opts[i].arg : "");
        fprintf(out, "  %-30s %s\n", left, opts[i].help);
    }
}
