/* cli.h: a table-driven command line: one table gives getopt_long its
 * options and the program its --help text, so the two never drift. */
#ifndef P2V_CLI_H
#define P2V_CLI_H

#include "common.h"

struct cli_opt {
    const char *name;   /* long name */
    int short_name;     /* 0 if none */
    const char *arg;    /* argument name, NULL for a flag */
    int id;             /* value getopt returns */
    const char *help;
};

/* Parse argv; calls handle(id, optarg, ctx) per option, which returns 0 or
 * -1 (error set). Returns optind, or -1 on an unknown option / bad use. */
int cli_parse(int argc, char **argv, const struct cli_opt *opts, size_t n,
              int (*handle)(int id, const char *arg, void *ctx), void *ctx);
void cli_usage(FILE *out, const char *synopsis, const struct cli_opt *opts, size_t n);

#endif
