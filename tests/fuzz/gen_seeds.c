/* gen_seeds.c: write the seed corpora of the fuzz targets from real
 * encodings: p2v's own encoders (frames, messages, entries, JSON facts),
 * librsync signatures and deltas against the delta target's basis, zstd
 * chunks, and the fixtures under tests/fixtures (quota files, os-release,
 * mountinfo, facts). Extra facts documents (e.g. `p2v-agent --facts
 * --no-scan` output) are added to the inventory corpus as they are.
 *
 *   fuzz-gen-seeds OUTDIR FIXTURES_DIR [FACTS.json...]
 *
 * writes OUTDIR/<target>/<name> (see tests/fuzz/gen-corpus.sh). A few
 * seeds are hand-made where no encoder can produce them: corrupt deltas,
 * truncated streams, hostile facts. */
#include "gen_seeds.h"
#include "delta.h"
#include "error.h"
#include "json_write.h"
#include "proto.h"
#include "xfer.h"
#include <librsync.h>
#include <sys/stat.h>

const char *outdir, *fixtures;

void die(const char *what)
{
    fprintf(stderr, "fuzz-gen-seeds: %s: %s\n", what, p2v_error_message());
    exit(1);
}

void put(const char *target, const char *name, const void *p, size_t n)
{
    p2v_autofree char *dir = p2v_xasprintf("%s/%s", outdir, target);
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        perror(dir);
        exit(1);
    }
    p2v_autofree char *path = p2v_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

void putb(const char *target, const char *name, struct p2v_buf *b)
{
    put(target, name, b->data ? b->data : "", b->len);
    p2v_buf_release(b);
}

/* A file's bytes; path relative to the fixtures unless absolute. */
char *slurp(const char *path, size_t *len)
{
    p2v_autofree char *full = path[0] == '/' ? p2v_xstrdup(path)
                                              : p2v_xasprintf("%s/%s", fixtures, path);
    struct p2v_buf b = P2V_BUF_INIT(16u << 20);
    if (p2v_buf_read_file(&b, full) < 0)
        die(full);
    *len = b.len;
    return p2v_buf_detach(&b);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz-gen-seeds OUTDIR FIXTURES_DIR [FACTS.json...]\n");
        return 2;
    }
    outdir = argv[1];
    fixtures = argv[2];
    fuzz_quiet();
    rs_trace_set_level(RS_LOG_EMERG);
    if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
        perror(outdir);
        return 1;
    }
    fix_entries();
    unsigned char basis[FUZZ_BASIS_LEN];
    fuzz_basis(basis);
    struct p2v_buf delta = P2V_BUF_INIT(4u << 20);
    seeds_delta(basis, &delta);
    seeds_msg(basis);
    seeds_frame(basis, &delta);
    p2v_buf_release(&delta);
    seeds_inventory(argc - 3, argv + 3);
    seeds_files();
    return 0;
}
