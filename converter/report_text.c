/* report_text.c: the dry-run report for a person at a terminal. */
#include "report.h"

void report_print_text(FILE *out, const char *host, const struct inventory *inv,
                       const struct node_info *node, const struct report *r)
{
    fprintf(out, "Dry run: %s -> container %s (nothing was changed)\n\n", host, node->ctid);
    fprintf(out, "Source:  %s, kernel %s, %s, hostname %s\n",
            inv->os.pretty ? inv->os.pretty : inv->os.id ? inv->os.id : "unknown OS",
            inv->kernel ? inv->kernel : "?", inv->machine ? inv->machine : "?",
            inv->hostname ? inv->hostname : "?");
    fprintf(out, "         template %s, %s\n", inv->os.ostemplate ? inv->os.ostemplate : "unknown",
            inv->agent_software ? inv->agent_software : "unknown agent");
    if (inv->nnameservers || inv->nsearch) {
        fprintf(out, "         DNS");
        for (size_t i = 0; i < inv->nnameservers; i++)
            fprintf(out, " %s", inv->nameservers[i]);
        for (size_t i = 0; i < inv->nsearch; i++)
            fprintf(out, "%s%s", i ? " " : ", search ", inv->search[i]);
        fputc('\n', out);
    }
    if (inv->nnetconf)
        fprintf(out, "         network configured by %s%s\n", inv->netconf[0],
                inv->nnetconf > 1 ? " and others" : "");
    fprintf(out, "Node:    %s, kernel %s; private area %s\n\n", node->machine, node->kernel,
            node->private_dir);
    for (size_t i = 0; i < r->n; i++) {
        const struct restriction *x = &r->items[i];
        fprintf(out, "[%s] %s: %s\n", severity_name(x->sev), x->id, x->message);
        for (size_t k = 0; k < x->ndetails; k++)
            fprintf(out, "      %s\n", x->details[k]);
        if (x->ndetails == 0)
            for (size_t k = 0; k < x->npaths; k++)
                fprintf(out, "      %s\n", x->paths[k]);
    }
    for (size_t i = 0; i < inv->nerrors; i++)
        fprintf(out, "[note] the agent could not collect %s\n", inv->errors[i]);
    size_t b = report_count(r, SEV_BLOCKER), w = report_count(r, SEV_WARNING);
    if (b)
        fprintf(out, "\nResult: migration NOT possible: %zu blocker%s, %zu warning%s.\n", b,
                b == 1 ? "" : "s", w, w == 1 ? "" : "s");
    else
        fprintf(out, "\nResult: migration possible, %zu warning%s.\n", w, w == 1 ? "" : "s");
}
