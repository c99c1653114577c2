/* facts.h: the Windows agent's raw facts (schema in docs/facts.md,
 * "windows" member). The same top-level members as the Linux agent where
 * they apply (schema, agent, uname, hostname, interfaces, errors) and a
 * "windows" object for the rest. Collectors append members to the open
 * top-level object and never fail the document: what cannot be read is
 * an "errors" entry. */
#ifndef P2V_WIN_FACTS_H
#define P2V_WIN_FACTS_H

#include "json_write.h"
#include "frame.h"

/* Build the whole document into out (pretty for --facts). */
int facts_collect(struct p2v_buf *out, bool pretty);

/* Top-level members. */
void facts_system(struct p2v_json *j);          /* uname, hostname (facts_system.c) */
void facts_adapters(struct p2v_json *j);        /* interfaces (facts_adapters.c) */
/* Members of the "windows" object. */
void facts_windows_version(struct p2v_json *j); /* version, edition (facts_system.c) */
void facts_windows_names(struct p2v_json *j);   /* computer names, domain, DNS (facts_system.c) */
void facts_volumes(struct p2v_json *j);         /* volumes (facts_volumes.c) */
void facts_services(struct p2v_json *j);        /* services (facts_services.c) */

/* The "errors" list, shared with the Linux agent (agent-linux/facts_errors.c). */
void facts_error(const char *what, const char *fmt, ...) P2V_PRINTF(2, 3);
void facts_errors_reset(void);
void facts_errors_emit(struct p2v_json *j);

#endif
