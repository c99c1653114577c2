/* elfnote.c: ELF notes, machine numbers, kernel versions (see elfnote.h). */
#include "elfnote.h"
#include "error.h"
#include <ctype.h>

#define NOTE_HEADER 12u

static uint32_t rd32(const unsigned char *p, bool big_endian)
{
    if (big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const unsigned char *p, bool big_endian)
{
    return big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Round up to 4 in 64 bits: a 32-bit size field cannot overflow it. */
static uint64_t pad4(uint64_t v)
{
    return (v + 3u) & ~(uint64_t)3u;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int elfnote_abi_tag(const void *notes, size_t n, bool big_endian, unsigned *os,
                    unsigned *major, unsigned *minor, unsigned *patch)
{
    const unsigned char *b = notes;
    uint64_t off = 0, len = n;
    if (!b && n)
        return p2v_error_set("ELF notes: no data for %zu bytes", n);
    while (off < len) {
        uint64_t left = len - off;
        if (left < NOTE_HEADER) {
            /* Zero padding after the last note is harmless. */
            if (all_zero(b + off, (size_t)left))
                break;
            return p2v_error_set("ELF notes: truncated note header at offset %llu "
                                 "(%llu bytes left, need %u)",
                                 (unsigned long long)off, (unsigned long long)left,
                                 NOTE_HEADER);
        }
        uint32_t namesz = rd32(b + off, big_endian);
        uint32_t descsz = rd32(b + off + 4, big_endian);
        uint32_t type = rd32(b + off + 8, big_endian);
        uint64_t name_off = off + NOTE_HEADER;
        if (namesz > len - name_off)
            return p2v_error_set("ELF notes: note at offset %llu has a %u-byte name but only "
                                 "%llu bytes follow",
                                 (unsigned long long)off, namesz,
                                 (unsigned long long)(len - name_off));
        uint64_t desc_off = name_off + pad4(namesz);
        if (desc_off > len)
            return p2v_error_set("ELF notes: name padding of the note at offset %llu runs "
                                 "past the end (%zu bytes)",
                                 (unsigned long long)off, n);
        if (descsz > len - desc_off)
            return p2v_error_set("ELF notes: note at offset %llu has a %u-byte descriptor but "
                                 "only %llu bytes follow",
                                 (unsigned long long)off, descsz,
                                 (unsigned long long)(len - desc_off));
        uint64_t next = desc_off + pad4(descsz);
        if (next > len)
            return p2v_error_set("ELF notes: descriptor padding of the note at offset %llu "
                                 "runs past the end (%zu bytes): misaligned",
                                 (unsigned long long)off, n);
        if (type == ELFNOTE_NT_GNU_ABI_TAG && namesz == 4 &&
            memcmp(b + name_off, "GNU", 4) == 0) {
            if (descsz < 16)
                return p2v_error_set("ELF notes: NT_GNU_ABI_TAG at offset %llu has a %u-byte "
                                     "descriptor, want 16",
                                     (unsigned long long)off, descsz);
            const unsigned char *d = b + desc_off;
            *os = rd32(d, big_endian);
            *major = rd32(d + 4, big_endian);
            *minor = rd32(d + 8, big_endian);
            *patch = rd32(d + 12, big_endian);
            return 0;
        }
        off = next;
    }
    return 1;
}

const char *elfnote_abi_os_name(unsigned os)
{
    static const char *const names[] = {"Linux", "GNU", "Solaris", "FreeBSD"};
    return os < P2V_ARRAY_LEN(names) ? names[os] : "unknown";
}

struct machine {
    unsigned e_machine;
    const char *name32; /* NULL: no such 32-bit machine */
    const char *name64;
};

static const struct machine machines[] = {
    {2, "sparc", NULL},          /* EM_SPARC */
    {3, "i386", NULL},           /* EM_386 */
    {8, "mips", "mips64"},       /* EM_MIPS */
    {20, "ppc", NULL},           /* EM_PPC */
    {21, NULL, "ppc64"},         /* EM_PPC64 */
    {22, "s390", "s390x"},       /* EM_S390 */
    {40, "arm", NULL},           /* EM_ARM */
    {42, "sh", NULL},            /* EM_SH */
    {43, NULL, "sparc64"},       /* EM_SPARCV9 */
    {50, NULL, "ia64"},          /* EM_IA_64 */
    {62, "x32", "x86_64"},       /* EM_X86_64 */
    {183, NULL, "aarch64"},      /* EM_AARCH64 */
    {243, "riscv32", "riscv64"}, /* EM_RISCV */
    {258, NULL, "loongarch64"},  /* EM_LOONGARCH */
};

const char *elfnote_machine_name(unsigned e_machine, unsigned elf_class)
{
    if (elf_class != 32 && elf_class != 64)
        return NULL;
    for (size_t i = 0; i < P2V_ARRAY_LEN(machines); i++) {
        if (machines[i].e_machine == e_machine)
            return elf_class == 32 ? machines[i].name32 : machines[i].name64;
    }
    return NULL;
}

const char *elfnote_machine_name_bo(unsigned e_machine, unsigned elf_class, bool big_endian)
{
    if (e_machine == 21 && elf_class == 64 && !big_endian)
        return "ppc64le";
    if (e_machine == 8 && elf_class == 64 && !big_endian)
        return "mips64el";
    return elfnote_machine_name(e_machine, elf_class);
}

int elfnote_header_parse(const void *hdr, size_t n, unsigned *elf_class, bool *big_endian,
                         unsigned *e_machine)
{
    const unsigned char *h = hdr;
    if (n < 20 || memcmp(h, "\177ELF", 4) != 0)
        return p2v_error_set("not an ELF file (%s)", n < 20 ? "too short" : "no ELF magic");
    if (h[4] != 1 && h[4] != 2)
        return p2v_error_set("ELF header: class %u is neither 32-bit (1) nor 64-bit (2)", h[4]);
    if (h[5] != 1 && h[5] != 2)
        return p2v_error_set("ELF header: data encoding %u is neither little (1) nor big (2) "
                             "endian",
                             h[5]);
    *elf_class = h[4] == 1 ? 32 : 64;
    *big_endian = h[5] == 2;
    *e_machine = rd16(h + 18, *big_endian);
    return 0;
}

/* One decimal number of at most 6 digits at *p. */
static bool parse_num(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    size_t digits = 0;
    while (isdigit((unsigned char)*s)) {
        if (++digits > 6)
            return false;
        v = v * 10 + (unsigned)(*s - '0');
        s++;
    }
    if (!digits)
        return false;
    *out = v;
    *p = s;
    return true;
}

int kernel_version_parse(const char *release, unsigned *major, unsigned *minor,
                         unsigned *patch)
{
    const char *p = release ? release : "";
    unsigned a, b, c = 0;
    if (!parse_num(&p, &a) || *p != '.')
        goto bad;
    p++;
    if (!parse_num(&p, &b))
        goto bad;
    if (*p == '.') {
        const char *q = p + 1;
        if (parse_num(&q, &c))
            p = q;
    }
    /* What follows a version is a suffix ("-18-amd64", "+", "_1"), not a digit. */
    if (isdigit((unsigned char)*p))
        goto bad;
    *major = a;
    *minor = b;
    *patch = c;
    return 0;
bad:
    return p2v_error_set("kernel release `%.64s` does not start with MAJOR.MINOR[.PATCH]",
                         release ? release : "");
}

static int cmp_u(unsigned a, unsigned b)
{
    return a < b ? -1 : a > b;
}

int kernel_version_cmp(unsigned a_major, unsigned a_minor, unsigned a_patch,
                       unsigned b_major, unsigned b_minor, unsigned b_patch)
{
    int c = cmp_u(a_major, b_major);
    if (!c)
        c = cmp_u(a_minor, b_minor);
    if (!c)
        c = cmp_u(a_patch, b_patch);
    return c;
}
