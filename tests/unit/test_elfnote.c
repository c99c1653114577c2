/* test_elfnote.c: ELF notes from real libraries (tests/fixtures/elfnotes:
 * the PT_NOTE bytes of Debian 12's x86_64 and i386 libc.so.6), built and
 * malformed notes in both byte orders, machine numbers, kernel versions. */
#include "tap.h"
#include "elfnote.h"
#include "error.h"
#include <fcntl.h>
#include <unistd.h>

static unsigned char *fixture(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/elfnotes/%s", P2V_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = p2v_xmalloc(4096);
    *n = f ? fread(buf, 1, 4096, f) : 0;
    if (!f)
        printf("# cannot open %s\n", path);
    else
        fclose(f);
    return buf;
}

static void put32(unsigned char *p, uint32_t v, bool be)
{
    for (int i = 0; i < 4; i++)
        p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/* One note: header, name padded to 4, descriptor padded to 4. */
static size_t note(unsigned char *p, bool be, uint32_t namesz, uint32_t descsz, uint32_t type,
                   const char *name, const unsigned char *desc, size_t desc_len)
{
    put32(p, namesz, be);
    put32(p + 4, descsz, be);
    put32(p + 8, type, be);
    size_t off = 12;
    size_t nl = strlen(name) + 1;
    memset(p + off, 0, (nl + 3) & ~3u);
    memcpy(p + off, name, nl);
    off += (nl + 3) & ~3u;
    memset(p + off, 0, (desc_len + 3) & ~3u);
    if (desc_len)
        memcpy(p + off, desc, desc_len);
    off += (desc_len + 3) & ~3u;
    return off;
}

static size_t abi_note(unsigned char *p, bool be, uint32_t os, uint32_t a, uint32_t b, uint32_t c)
{
    unsigned char d[16];
    put32(d, os, be);
    put32(d + 4, a, be);
    put32(d + 8, b, be);
    put32(d + 12, c, be);
    return note(p, be, 4, 16, 1, "GNU", d, 16);
}

static void test_real_notes(void)
{
    unsigned os = 99, ma = 0, mi = 0, pa = 0;
    size_t n;
    unsigned char *b = fixture("debian12-libc-x86_64.notes", &n);
    is_int(n, 100, "x86_64 libc: property (align 8) + build-id + ABI-tag segments");
    is_int(elfnote_abi_tag(b, n, false, &os, &ma, &mi, &pa), 0, "x86_64 libc has an ABI tag");
    ok(os == 0 && ma == 3 && mi == 2 && pa == 0, "Linux 3.2.0 (got %u %u.%u.%u)", os, ma, mi, pa);
    is_str(elfnote_abi_os_name(os), "Linux", "os 0 is Linux");

    unsigned char *shifted = p2v_xmalloc(n + 1);
    memcpy(shifted + 1, b, n);
    is_int(elfnote_abi_tag(shifted + 1, n, false, &os, &ma, &mi, &pa), 0,
           "an unaligned buffer reads the same");
    free(shifted);

    is_int(elfnote_abi_tag(b, n, true, &os, &ma, &mi, &pa), -1,
           "little-endian notes read as big-endian are malformed, not a crash");
    ok(strstr(p2v_error_message(), "ELF notes") != NULL, "error names the notes: %s",
       p2v_error_message());

    is_int(elfnote_abi_tag(b, n - 3, false, &os, &ma, &mi, &pa), -1, "cut 3 bytes: malformed");
    is_int(elfnote_abi_tag(b, 32 + 36, false, &os, &ma, &mi, &pa), 1,
           "the first two notes alone: no ABI tag");
    is_int(elfnote_abi_tag(b, 32 + 36 + 20, false, &os, &ma, &mi, &pa), -1,
           "ABI tag cut in its descriptor: malformed");
    free(b);

    b = fixture("debian12-libc-i386.notes", &n);
    is_int(n, 68, "i386 libc: build-id + ABI-tag");
    os = ma = mi = pa = 99;
    is_int(elfnote_abi_tag(b, n, false, &os, &ma, &mi, &pa), 0, "i386 libc has an ABI tag");
    ok(os == 0 && ma == 3 && mi == 2 && pa == 0, "Linux 3.2.0");
    free(b);
}

static void test_built_notes(void)
{
    unsigned char buf[256];
    unsigned os, ma, mi, pa;
    static const unsigned char id[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    for (int be = 0; be <= 1; be++) {
        size_t n = note(buf, be, 4, 20, 3, "GNU", id, 20);
        n += abi_note(buf + n, be, 0, 2, 6, 18);
        ma = mi = pa = 0;
        is_int(elfnote_abi_tag(buf, n, be, &os, &ma, &mi, &pa), 0, "%s-endian ABI tag",
               be ? "big" : "little");
        ok(ma == 2 && mi == 6 && pa == 18, "2.6.18 (got %u.%u.%u)", ma, mi, pa);
        is_int(elfnote_abi_tag(buf, n - 1, be, &os, &ma, &mi, &pa), -1, "one byte short");
    }

    size_t n = note(buf, false, 4, 20, 3, "GNU", id, 20);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), 1, "build-id only: not present");
    is_int(elfnote_abi_tag(buf, 0, false, &os, &ma, &mi, &pa), 1, "empty: not present");
    is_int(elfnote_abi_tag(NULL, 0, false, &os, &ma, &mi, &pa), 1, "NULL, 0: not present");

    /* Type 1 under another owner is not the GNU ABI tag. */
    n = note(buf, false, 4, 16, 1, "FSF", id, 16);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), 1, "type 1 named FSF: ignored");
    n = note(buf, false, 3, 16, 1, "GN", id, 16);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), 1, "namesz 3: not GNU");

    /* Malformed sizes. */
    n = note(buf, false, 4, 16, 1, "GNU", id, 16);
    put32(buf, 0xffffffffu, false);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), -1, "namesz 0xffffffff");
    ok(strstr(p2v_error_message(), "name") != NULL, "error names the name: %s",
       p2v_error_message());
    put32(buf, 0xfffffffdu, false);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), -1, "namesz wraps when padded");
    put32(buf, 4, false);
    put32(buf + 4, 0xfffffffdu, false);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), -1, "descsz 0xfffffffd");
    ok(strstr(p2v_error_message(), "descriptor") != NULL, "error names the descriptor");
    put32(buf + 4, 24, false);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), -1, "descsz past the end");
    put32(buf + 4, 8, false);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), -1,
           "ABI tag with an 8-byte descriptor");
    ok(strstr(p2v_error_message(), "want 16") != NULL, "error says what it wants");

    /* Misaligned: a 5-byte descriptor with no padding after it. */
    n = note(buf, false, 4, 5, 3, "GNU", id, 5);
    is_int(elfnote_abi_tag(buf, n, false, &os, &ma, &mi, &pa), 1, "padded 5-byte descriptor");
    is_int(elfnote_abi_tag(buf, n - 3, false, &os, &ma, &mi, &pa), -1, "unpadded: malformed");
    ok(strstr(p2v_error_message(), "misaligned") != NULL, "error says misaligned");

    /* Truncated header. */
    n = note(buf, false, 4, 20, 3, "GNU", id, 20);
    memcpy(buf + n, "\1\0\0\0\0", 5);
    is_int(elfnote_abi_tag(buf, n + 5, false, &os, &ma, &mi, &pa), -1, "5 bytes of a header");
    ok(strstr(p2v_error_message(), "truncated") != NULL, "error says truncated");
    memset(buf + n, 0, 8);
    is_int(elfnote_abi_tag(buf, n + 8, false, &os, &ma, &mi, &pa), 1, "zero padding at the end");

    /* Many empty notes: the walk ends. */
    memset(buf, 0, sizeof(buf));
    is_int(elfnote_abi_tag(buf, sizeof(buf), false, &os, &ma, &mi, &pa), 1, "empty notes");
}

static void test_machines(void)
{
    is_str(elfnote_machine_name(62, 64), "x86_64", "62/64");
    is_str(elfnote_machine_name(62, 32), "x32", "62/32");
    is_str(elfnote_machine_name(3, 32), "i386", "3/32");
    ok(elfnote_machine_name(3, 64) == NULL, "3/64 does not exist");
    is_str(elfnote_machine_name(183, 64), "aarch64", "183/64");
    is_str(elfnote_machine_name(40, 32), "arm", "40/32");
    is_str(elfnote_machine_name(22, 64), "s390x", "22/64");
    is_str(elfnote_machine_name(243, 64), "riscv64", "243/64");
    is_str(elfnote_machine_name(21, 64), "ppc64", "21/64");
    is_str(elfnote_machine_name_bo(21, 64, false), "ppc64le", "21/64 little-endian");
    is_str(elfnote_machine_name_bo(62, 64, false), "x86_64", "_bo passes others through");
    ok(elfnote_machine_name(9999, 64) == NULL, "unknown machine");
    ok(elfnote_machine_name(62, 16) == NULL, "bad class");

    unsigned cls = 0, mach = 0;
    bool be = false;
    unsigned char hdr[64];
    int fd = open("/bin/sh", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, hdr, sizeof(hdr)) : -1;
    if (fd >= 0)
        close(fd);
    ok(n > 0 && elfnote_header_parse(hdr, (size_t)n, &cls, &be, &mach) == 0,
       "this machine's /bin/sh is ELF");
    ok(n > 0 && elfnote_machine_name_bo(mach, cls, be) != NULL, "... of a known machine (%u)",
       mach);

    unsigned char i386[52] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    i386[18] = 3;
    ok(elfnote_header_parse(i386, sizeof(i386), &cls, &be, &mach) == 0 && cls == 32 && !be &&
           mach == 3,
       "ELF32 LSB e_machine 3");
    unsigned char s390[64] = {0x7f, 'E', 'L', 'F', 2, 2, 1};
    s390[19] = 22;
    ok(elfnote_header_parse(s390, sizeof(s390), &cls, &be, &mach) == 0 && cls == 64 && be &&
           mach == 22,
       "ELF64 MSB e_machine 22");
    ok(elfnote_header_parse("#!/bin/sh\necho hello world\n", 26, &cls, &be, &mach) < 0,
       "a shell script is not ELF");
    ok(elfnote_header_parse(i386, 10, &cls, &be, &mach) < 0, "10 bytes are too short");
    i386[4] = 3;
    ok(elfnote_header_parse(i386, sizeof(i386), &cls, &be, &mach) < 0, "class 3 is refused");
}

static void test_kernel_versions(void)
{
    unsigned a, b, c;
    ok(kernel_version_parse("6.1.0-18-amd64", &a, &b, &c) == 0 && a == 6 && b == 1 && c == 0,
       "Debian 12");
    ok(kernel_version_parse("2.6.32-754.el6.x86_64", &a, &b, &c) == 0 && a == 2 && b == 6 &&
           c == 32,
       "CentOS 6");
    ok(kernel_version_parse("6.18.44-fc-v769", &a, &b, &c) == 0 && a == 6 && b == 18 && c == 44,
       "this build machine");
    ok(kernel_version_parse("3.10", &a, &b, &c) == 0 && a == 3 && b == 10 && c == 0,
       "no patch level");
    ok(kernel_version_parse("4.4.0+", &a, &b, &c) == 0 && c == 0, "4.4.0+");
    ok(kernel_version_parse("6.1-rc1", &a, &b, &c) == 0 && b == 1 && c == 0, "6.1-rc1");
    ok(kernel_version_parse("", &a, &b, &c) < 0, "empty");
    ok(kernel_version_parse(NULL, &a, &b, &c) < 0, "NULL");
    ok(kernel_version_parse("Linux", &a, &b, &c) < 0, "no digits");
    ok(kernel_version_parse("6", &a, &b, &c) < 0, "no minor");
    ok(kernel_version_parse("-6.1", &a, &b, &c) < 0, "sign");
    ok(kernel_version_parse("99999999999.1", &a, &b, &c) < 0, "too many digits");
    ok(strstr(p2v_error_message(), "MAJOR.MINOR") != NULL, "error says what it wants");

    ok(kernel_version_cmp(2, 6, 32, 3, 2, 0) < 0, "2.6.32 < 3.2.0");
    ok(kernel_version_cmp(3, 10, 0, 3, 2, 0) > 0, "3.10.0 > 3.2.0");
    ok(kernel_version_cmp(3, 2, 0, 3, 2, 0) == 0, "equal");
    ok(kernel_version_cmp(6, 1, 0, 6, 1, 1) < 0, "patch counts");

    /* The use: can a CentOS 6 kernel run Debian 12's libc? */
    size_t n;
    unsigned char *notes = fixture("debian12-libc-x86_64.notes", &n);
    unsigned os, ma, mi, pa;
    ok(elfnote_abi_tag(notes, n, false, &os, &ma, &mi, &pa) == 0 &&
           kernel_version_parse("2.6.32-754.el6.x86_64", &a, &b, &c) == 0 &&
           kernel_version_cmp(a, b, c, ma, mi, pa) < 0,
       "Debian 12 libc needs a newer kernel than CentOS 6's");
    free(notes);
}

int main(void)
{
    test_real_notes();
    test_built_notes();
    test_machines();
    test_kernel_versions();
    return tap_done();
}
