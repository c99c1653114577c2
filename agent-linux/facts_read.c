/* facts_read.c: reading files on the source for the collectors.
 *
 * Every read is bounded and never blocks on odd files: opened with
 * O_NONBLOCK (a FIFO in /etc must not hang the agent) and only regular
 * files are read. O_NOATIME keeps the source untouched where the kernel
 * lets us (root, or the file's owner). */
#include "facts.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *facts_path(const struct facts_options *opt, const char *path, char *buf,
                       size_t len)
{
    if (!opt->root || !opt->root[0])
        return path;
    int n = snprintf(buf, len, "%s%s", opt->root, path);
    if (n < 0 || (size_t)n >= len)
        return NULL;
    return buf;
}

int facts_read_file(const char *path, size_t max, struct p2v_buf *out, bool *truncated,
                    uint64_t *size)
{
    const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd = open(path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(path, flags);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    *truncated = false;
    size_t got = 0;
    char chunk[65536];
    for (;;) {
        /* Read one byte past the bound to know whether there was more
         * (files in /proc report size 0). */
        size_t want = sizeof(chunk);
        if (want > max + 1 - got)
            want = max + 1 - got;
        ssize_t n = read(fd, chunk, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        size_t keep = (size_t)n;
        if (got + keep > max) {
            keep = max - got;
            *truncated = true;
        }
        if (keep && p2v_buf_add(out, chunk, keep) < 0) {
            close(fd);
            errno = EFBIG;
            return -1;
        }
        got += keep;
        if (*truncated)
            break;
    }
    close(fd);
    *size = (uint64_t)st.st_size > got ? (uint64_t)st.st_size : got;
    return 0;
}

void facts_json_blob(struct p2v_json *j, const char *key, const void *data, size_t n)
{
    p2v_json_key(j, key);
    p2v_json_obj_begin(j);
    p2v_json_blob(j, data, n);
    p2v_json_obj_end(j);
}
