/* agent_pack.c: gzip the agent for the upload (see agent_pack.h). */
#include "agent_pack.h"
#include "error.h"
#include <unistd.h>
#include <zlib.h>

int agent_pack_gzip(int fd, off_t size, struct p2v_buf *out)
{
    if (size <= 0 || (uint64_t)size > (64u << 20))
        return p2v_error_set("the agent binary has an implausible size (%lld bytes)",
                             (long long)size);
    char *raw = p2v_xmalloc((size_t)size);
    for (off_t got = 0; got < size;) {
        ssize_t n = pread(fd, raw + got, (size_t)(size - got), got);
        if (n <= 0) {
            free(raw);
            return p2v_error_set_errno(n < 0 ? errno : EIO, "read the agent binary");
        }
        got += n;
    }
    z_stream z = {0};
    /* 15 + 16: a gzip header, so `gzip -dc` on the source reads it; level
     * 6 (0.1 s): 9 takes three times as long for 0.5% less */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(raw);
        return p2v_error_set("zlib: cannot start compressing the agent");
    }
    uLong bound = deflateBound(&z, (uLong)size);
    int rc = p2v_buf_grow(out, bound);
    if (rc == 0) {
        z.next_in = (Bytef *)raw;
        z.avail_in = (uInt)size;
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END)
            rc = p2v_error_set("zlib: compressing the agent failed");
        else
            out->len += bound - z.avail_out;
    }
    deflateEnd(&z);
    free(raw);
    return rc;
}
