/* facts_elf.c: ELF identity of the source's C library, init and shell.
 *
 * The node decides from these whether the container's binaries run on
 * its kernel: class and machine give the architecture, the raw PT_NOTE
 * segments hold the ABI tag (minimum kernel) and build ids. Headers are
 * parsed by hand for either class and byte order, since the source may
 * differ from the agent's own. Symlinks are followed: the agent runs on
 * the source, where they resolve correctly. */
#include "facts.h"
#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOTES_MAX (64u << 10)
#define PHDRS_MAX 1024

static const char *const targets[] = {
    "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6", "/lib/libc.so.6",
    "/lib/i386-linux-gnu/libc.so.6", "/usr/lib/libc.so.6", "/lib/ld-musl-*.so.1",
    "/sbin/init", "/bin/sh",
};

struct elf_file {
    int fd;
    bool msb;        /* big-endian */
    bool is64;
};

static uint64_t get(const struct elf_file *f, const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[f->msb ? n - 1 - i : i] << (8 * i);
    return v;
}

static bool read_at(int fd, void *buf, size_t n, uint64_t off)
{
    return pread(fd, buf, n, (off_t)off) == (ssize_t)n;
}

/* Append every PT_NOTE segment's bytes to notes (bounded). */
static int read_notes(struct elf_file *f, const unsigned char *eh, struct p2v_buf *notes,
                      bool *truncated)
{
    uint64_t phoff = f->is64 ? get(f, eh + 32, 8) : get(f, eh + 28, 4);
    size_t phentsize = get(f, eh + (f->is64 ? 54 : 42), 2);
    size_t phnum = get(f, eh + (f->is64 ? 56 : 44), 2);
    size_t need = f->is64 ? 56 : 32;
    if (phnum > PHDRS_MAX || (phnum && phentsize < need))
        return -1;
    for (size_t i = 0; i < phnum; i++) {
        unsigned char ph[64];
        if (!read_at(f->fd, ph, need, phoff + i * phentsize))
            return -1;
        if (get(f, ph, 4) != PT_NOTE)
            continue;
        uint64_t off = f->is64 ? get(f, ph + 8, 8) : get(f, ph + 4, 4);
        uint64_t size = f->is64 ? get(f, ph + 32, 8) : get(f, ph + 16, 4);
        if (size > NOTES_MAX - notes->len) {
            size = NOTES_MAX - notes->len;
            *truncated = true;
        }
        if (p2v_buf_grow(notes, (size_t)size) < 0 ||
            !read_at(f->fd, notes->data + notes->len, (size_t)size, off))
            return -1;
        notes->len += (size_t)size;
        notes->data[notes->len] = '\0';
        if (*truncated)
            break;
    }
    return 0;
}

/* The C library candidates are deduplicated (/lib and /usr/lib are
 * often one directory); /sbin/init and /bin/sh are always listed, the
 * node wants both paths even when they are one busybox. */
#define LIBC_CANDIDATES 6

struct seen {
    dev_t dev[P2V_ARRAY_LEN(targets) * 4];
    ino_t ino[P2V_ARRAY_LEN(targets) * 4];
    size_t n;
};

static bool seen_before(struct seen *s, const struct stat *st)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
            return true;
    if (s->n < P2V_ARRAY_LEN(s->dev)) {
        s->dev[s->n] = st->st_dev;
        s->ino[s->n++] = st->st_ino;
    }
    return false;
}

/* seen is NULL for files that are not deduplicated. */
static void one_elf(struct p2v_json *j, const struct facts_options *opt, const char *path,
                    struct seen *seen)
{
    char pbuf[4096];
    const char *real = facts_path(opt, path, pbuf, sizeof(pbuf));
    if (!real)
        return;
    struct elf_file f = {.fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
    if (f.fd < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            facts_error("elf", "open `%s`: %s", path, strerror(errno));
        return;
    }
    struct stat st;
    unsigned char eh[64];
    if (fstat(f.fd, &st) < 0 || !S_ISREG(st.st_mode) || (seen && seen_before(seen, &st)))
        goto out;
    if (!read_at(f.fd, eh, sizeof(eh), 0) || memcmp(eh, ELFMAG, SELFMAG) != 0 ||
        (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64) ||
        (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)) {
        facts_error("elf", "`%s` is not an ELF file", path);
        goto out;
    }
    f.is64 = eh[EI_CLASS] == ELFCLASS64;
    f.msb = eh[EI_DATA] == ELFDATA2MSB;
    struct p2v_buf notes = P2V_BUF_INIT(NOTES_MAX);
    bool truncated = false;
    if (read_notes(&f, eh, &notes, &truncated) < 0) {
        facts_error("elf", "`%s`: bad or unreadable program headers", path);
        p2v_buf_release(&notes);
        goto out;
    }
    p2v_json_obj_begin(j);
    p2v_json_kstr(j, "path", path);
    p2v_json_kint(j, "class", f.is64 ? 64 : 32);
    p2v_json_kstr(j, "endian", f.msb ? "big" : "little");
    p2v_json_kint(j, "machine", (int64_t)get(&f, eh + 18, 2));
    facts_json_blob(j, "notes", notes.data ? notes.data : "", notes.len);
    if (truncated)
        p2v_json_kbool(j, "truncated", true);
    p2v_json_obj_end(j);
    p2v_buf_release(&notes);
out:
    close(f.fd);
}

void facts_elf(struct p2v_json *j, const struct facts_options *opt)
{
    struct seen seen = {.n = 0};
    p2v_json_key(j, "elf");
    p2v_json_arr_begin(j);
    for (size_t i = 0; i < P2V_ARRAY_LEN(targets); i++) {
        struct seen *dedupe = i < LIBC_CANDIDATES ? &seen : NULL;
        if (!strchr(targets[i], '*')) {
            one_elf(j, opt, targets[i], dedupe);
            continue;
        }
        char pbuf[4096];
        const char *real = facts_path(opt, targets[i], pbuf, sizeof(pbuf));
        glob_t g;
        if (!real || glob(real, 0, NULL, &g) != 0)
            continue;
        size_t skip = strlen(real) - strlen(targets[i]);
        for (size_t k = 0; k < g.gl_pathc && k < 4; k++)
            one_elf(j, opt, g.gl_pathv[k] + skip, dedupe);
        globfree(&g);
    }
    p2v_json_arr_end(j);
}
