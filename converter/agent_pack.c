/* agent_pack.c: read the agent and gzip it for the upload (see agent_pack.h). */
#include "agent_pack.h"
#include "error.h"
#include <unistd.h>
#include <zlib.h>

#define AGENT_MAX (64u << 20)

int agent_pack_load(struct agent_pack *p, int fd, off_t size, const char *path)
{
    p2v_buf_init(&p->raw, AGENT_MAX);
    p2v_buf_init(&p->xz, AGENT_MAX);
    p2v_buf_init(&p->gz, AGENT_MAX);
    if (size <= 0 || (uint64_t)size >= AGENT_MAX)
        return p2v_error_set("the agent binary has an implausible size (%lld bytes)",
                             (long long)size);
    if (p2v_buf_grow(&p->raw, (size_t)size) < 0)
        return -1;
    while (p->raw.len < (size_t)size) {
        ssize_t n = pread(fd, p->raw.data + p->raw.len, (size_t)size - p->raw.len,
                          (off_t)p->raw.len);
        if (n <= 0)
            return p2v_error_set_errno(n < 0 ? errno : EIO, "read the agent binary `%s`", path);
        p->raw.len += (size_t)n;
    }
    p->raw.data[p->raw.len] = '\0';
    p2v_autofree char *xz_path = p2v_xasprintf("%s.xz", path);
    agent_pack_load_xz(xz_path, &p->raw, &p->xz);
    return 0;
}

int agent_pack_gzip(struct agent_pack *p)
{
    z_stream z = {0};
    /* 15 + 16: a gzip header, so `gzip -dc` on the source reads it; level
     * 6 (0.1 s): 9 takes three times as long for 0.5% less */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return p2v_error_set("zlib: cannot start compressing the agent");
    uLong bound = deflateBound(&z, (uLong)p->raw.len);
    p2v_buf_reset(&p->gz);
    int rc = p2v_buf_grow(&p->gz, bound);
    if (rc == 0) {
        z.next_in = (Bytef *)p->raw.data;
        z.avail_in = (uInt)p->raw.len;
        z.next_out = (Bytef *)p->gz.data;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
            rc = p2v_error_set("zlib: compressing the agent failed");
        } else {
            p->gz.len = bound - z.avail_out;
            p->gz.data[p->gz.len] = '\0';
        }
    }
    deflateEnd(&z);
    return rc;
}

void agent_pack_release(struct agent_pack *p)
{
    p2v_buf_release(&p->raw);
    p2v_buf_release(&p->xz);
    p2v_buf_release(&p->gz);
}
