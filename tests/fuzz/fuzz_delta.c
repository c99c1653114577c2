/* fuzz_delta.c: the delta applier (delta.h) on an untrusted librsync delta
 * against a small basis file (fuzz_basis), in both modes transfer_file.c
 * uses: patching into a new file, and comparing (--verify).
 *
 * Input: byte 0 holds the mode (bit 0: compare) and how the stream is cut
 * into feeds (bits 1-7: 0 one feed, else feeds of 7 * k bytes), the rest is
 * the delta. Basis, output and compared file are anonymous files. */
#include "fuzz.h"
#include "delta.h"
#include "error.h"
#include <librsync.h>
#include <sys/stat.h>

#define INPUT_MAX (1u << 20)
#define OUT_MAX (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char basis[FUZZ_BASIS_LEN];
    static bool init;
    if (!init) {
        fuzz_quiet();
        rs_trace_set_level(RS_LOG_EMERG);
        fuzz_basis(basis);
        init = true;
    }
    if (size < 1 || size > INPUT_MAX)
        return 0;
    bool compare = data[0] & 1;
    size_t step = (size_t)(data[0] >> 1) * 7;
    data++;
    size--;
    int basis_fd = fuzz_memfd(basis, sizeof(basis));
    int out_fd = compare ? -1 : fuzz_memfd("", 0);
    FUZZ_CHECK(basis_fd >= 0 && (compare || out_fd >= 0));
    struct delta_patch *p = compare ? delta_patch_compare(basis_fd, sizeof(basis), basis_fd, OUT_MAX)
                                    : delta_patch_begin(basis_fd, sizeof(basis), out_fd, OUT_MAX);
    FUZZ_CHECK(p);
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < size;) {
        size_t n = step && size - off > step ? step : size - off;
        rc = delta_patch_feed(p, data + off, n);
        off += n;
    }
    uint64_t len = 0;
    if (rc == 0 && delta_patch_end(p, &len) == 0) {
        FUZZ_CHECK(len <= OUT_MAX);
        if (compare) {
            (void)delta_patch_differs(p);
        } else {
            struct stat st;
            FUZZ_CHECK(fstat(out_fd, &st) == 0 && (uint64_t)st.st_size == len);
        }
    }
    if (!compare) {
        struct stat st;
        FUZZ_CHECK(fstat(out_fd, &st) == 0 && (uint64_t)st.st_size <= OUT_MAX);
        close(out_fd);
    }
    delta_patch_free(p);
    close(basis_fd);
    return 0;
}
