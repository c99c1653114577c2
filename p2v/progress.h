/* progress.h: progress of long work, one facility for every program.
 *
 * On a terminal (stderr is a tty) a single line is redrawn: stage, files
 * and bytes done of total, rate and time left. In JSON mode each update is
 * one JSON line on stdout ({"event":"progress",...}), at most four a
 * second. Quiet mode prints nothing. Log lines clear the terminal line
 * first so the two never interleave. */
#ifndef P2V_PROGRESS_H
#define P2V_PROGRESS_H

#include "common.h"

enum p2v_progress_mode {
    P2V_PROGRESS_AUTO,  /* tty line when stderr is a terminal, else none */
    P2V_PROGRESS_NONE,
    P2V_PROGRESS_TTY,
    P2V_PROGRESS_JSON,
};

struct p2v_progress {
    const char *stage;   /* "connect", "inventory", "transfer", ... */
    uint64_t files_done, files_total;   /* total 0 = unknown */
    uint64_t bytes_done, bytes_total;
};

void p2v_progress_init(enum p2v_progress_mode mode);
/* Start a stage: announced at once (not rate limited), counters reset. */
void p2v_progress_stage(const char *stage);
/* Report counters; drawn at most every 250 ms unless force. */
void p2v_progress_update(const struct p2v_progress *p, bool force);
/* Finish the line on a terminal. */
void p2v_progress_done(void);
void p2v_progress_clear_line(void);

/* Format a byte count as "12.3 MiB" into buf. */
const char *p2v_format_bytes(uint64_t n, char *buf, size_t len);

#endif
