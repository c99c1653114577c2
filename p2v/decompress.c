/* decompress.c: one zstd chunk from the wire, refused unless its frame
 * states a size within the caller's bound (see compress.c). */
#include "xfer.h"
#include "error.h"
#include <zstd.h>

int p2v_chunk_decompress(const void *in, size_t n, void *out, size_t cap, size_t *outlen)
{
    unsigned long long size = ZSTD_getFrameContentSize(in, n);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > cap)
        return p2v_error_set("compressed chunk without a size of at most %zu bytes", cap);
    size_t got = ZSTD_decompress(out, (size_t)size, in, n);
    if (ZSTD_isError(got) || got != size)
        return p2v_error_set("corrupt compressed chunk: %s",
                             ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    *outlen = got;
    return 0;
}
