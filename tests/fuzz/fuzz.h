/* fuzz.h: shared by the fuzz targets (one per file, fuzz_*.c), the replay
 * driver (replay_main.c) and the seed generator (gen_seeds.c).
 *
 * Each target defines LLVMFuzzerTestOneInput. It must accept any bytes,
 * free everything it allocated before returning, and write nothing to the
 * file system (memfd_create gives it files when it needs descriptors).
 * An invariant of the code under test that does not hold is reported with
 * FUZZ_CHECK, which aborts: libFuzzer and the replay driver both see a
 * crash. */
#ifndef P2V_FUZZ_H
#define P2V_FUZZ_H

#include "common.h"
#include "log.h"
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* Silence p2v's warnings (an interpreter warns on every bad field). */
static inline void fuzz_quiet(void)
{
    static bool done;
    if (!done) {
        p2v_log_init("fuzz", P2V_LOG_ERROR);
        done = true;
    }
}

/* An anonymous file holding n bytes, offset 0; -1 if it cannot be made. */
static inline int fuzz_memfd(const void *data, size_t n)
{
    int fd = memfd_create("p2v-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The basis file the delta target patches against, and the seed
 * generator computes its deltas from: FUZZ_BASIS_LEN bytes of text with
 * some repetition and a binary tail, the same on every run. */
#define FUZZ_BASIS_LEN 6144u
static inline void fuzz_basis(unsigned char *out)
{
    static const char line[] = "p2v basis line for delta fuzzing: the quick brown fox\n";
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < FUZZ_BASIS_LEN; i++) {
        if (i < FUZZ_BASIS_LEN / 2) {
            out[i] = (unsigned char)line[i % (sizeof(line) - 1)];
        } else {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out[i] = (unsigned char)x;
        }
    }
}

/* The part of a frame-target input that goes to the peer's stderr: a
 * 2-byte big-endian length of stderr bytes, then those, then the stream
 * (see fuzz_frame.c). */
#define FUZZ_FRAME_PREFIX 3u

#endif
