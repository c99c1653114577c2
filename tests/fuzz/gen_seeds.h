/* gen_seeds.h: shared by the seed generator's files (gen_seeds*.c). */
#ifndef P2V_GEN_SEEDS_H
#define P2V_GEN_SEEDS_H
#include "fuzz.h"
#include "buf.h"

extern const char *outdir, *fixtures;
void die(const char *what);
/* write OUTDIR/TARGET/NAME */
void put(const char *target, const char *name, const void *p, size_t n);
void putb(const char *target, const char *name, struct p2v_buf *b);
/* a file's bytes; path relative to the fixtures unless absolute */
char *slurp(const char *path, size_t *len);

void fix_entries(void);                                             /* gen_seeds_wire.c */
void seeds_msg(const unsigned char *basis);
void seeds_frame(const unsigned char *basis, const struct p2v_buf *delta);
void seeds_delta(const unsigned char *basis, struct p2v_buf *keep); /* gen_seeds_delta.c */
void seeds_inventory(int argc, char **argv);                        /* gen_seeds_facts.c */
void seeds_files(void);
#endif
