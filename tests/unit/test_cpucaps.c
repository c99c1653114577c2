/* test_cpucaps.c: capability numbers from real /proc/cpuinfo flags lines
 * (tests/fixtures/cpuinfo), compatibility, missing ISA features, arches. */
#include "tap.h"
#include "cpucaps.h"
#include "error.h"
#include <sys/utsname.h>
#include <unistd.h>

#define BIT(n) (UINT64_C(1) << (n))

static char *fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/cpuinfo/%s", P2V_FIXTURES, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("# cannot open %s\n", path);
        return p2v_xstrdup("");
    }
    char *line = NULL;
    size_t cap = 0;
    if (getline(&line, &cap, f) < 0) {
        free(line);
        line = p2v_xstrdup("");
    }
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    return line;
}

static bool has_str(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static void test_from_flags(void)
{
    char *zen4 = fixture("amd-zen4-kvm.flags");
    char *x5450 = fixture("intel-xeon-x5450.flags");
    char *phenom = fixture("amd-phenom2-x6-1100t.flags");
    char *a57 = fixture("arm-cortex-a57.flags");

    uint64_t z = cpucaps_from_flags(zen4, "x86_64");
    is_int(cpucaps_arch(z), CPUCAPS_ARCH_X86_64, "zen4: arch byte is x86_64");
    is_str(cpucaps_arch_name(z), "x86_64", "zen4: arch name");
    uint64_t want = BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(7) | BIT(8) | BIT(10) |
                    BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(18) | BIT(19) | BIT(20) |
                    BIT(21);
    ok((z & want) == want, "zen4: vzcptcheck bits cmov..rdrand, emt64, syscall32");
    /* Real finding: this KVM guest's CPU model hides sse4a and abm. */
    ok(!(z & BIT(15)) && !(z & BIT(37)), "zen4 under KVM: sse4a and abm masked");
    ok(!(z & BIT(5)) && !(z & BIT(6)), "zen4: no 3dnow, 3dnowext");
    ok((z & BIT(22)) && (z & BIT(31)) && (z & BIT(32)) && (z & BIT(33)), "zen4: avx2 avx512f sha_ni adx");
    ok(!(z & BIT(CPUCAPS_BIT_NAMESPACES)), "flags alone never set namespaces");
    ok(!(z & BIT(9)), "no ia64 bit on x86_64");

    uint64_t bare = cpucaps_from_flags(strchr(zen4, ':') + 1, "x86_64");
    ok(bare == z, "the flags value without its head gives the same number");

    uint64_t x = cpucaps_from_flags(x5450, "x86_64");
    ok((x & BIT(13)) && !(x & BIT(14)) && !(x & BIT(19)) && !(x & BIT(20)),
       "Xeon X5450: sse4_1, no sse4_2, avx, aesni");
    ok((x & BIT(29)) && (x & BIT(8)) && (x & BIT(11)) && (x & BIT(12)),
       "Xeon X5450: ssse3, emt64, syscall32, sep32");
    ok(!(x & BIT(28)), "Xeon X5450: no popcnt");

    uint64_t x32 = cpucaps_from_flags(x5450, "i686");
    is_int(cpucaps_arch(x32), CPUCAPS_ARCH_I386, "i686 machine: arch i386");
    ok(!(x32 & BIT(8)) && !(x32 & BIT(11)) && !(x32 & BIT(12)),
       "32-bit kernel: no emt64, syscall32, sep32 even with the lm flag");

    uint64_t p = cpucaps_from_flags(phenom, "x86_64");
    ok((p & BIT(15)) && (p & BIT(5)) && (p & BIT(6)), "Phenom II: sse4a, 3dnow, 3dnowext");
    ok(!(p & BIT(29)) && !(p & BIT(13)), "Phenom II: no ssse3, sse4_1");

    uint64_t a = cpucaps_from_flags(a57, "aarch64");
    is_int(cpucaps_arch(a), CPUCAPS_ARCH_AARCH64, "Cortex-A57: arch aarch64");
    ok((a & BIT(1)) && (a & BIT(2)) && (a & BIT(6)) && !(a & BIT(7)),
       "Cortex-A57: asimd, aes, crc32, no atomics");
    is_str(cpucaps_bit_name(a, 2), "aes", "aarch64 bit 2 is aes");
    is_str(cpucaps_bit_name(z, 20), "aesni", "x86 bit 20 keeps vzcptcheck's name");
    is_str(cpucaps_bit_name(z, 8), "emt64", "x86 bit 8 is emt64");
    ok(cpucaps_bit_name(z, 16) == NULL, "bit 16 is unused");

    ok(cpucaps_from_flags(NULL, NULL) == 0, "no flags, no machine: 0");
    is_int(cpucaps_arch(cpucaps_from_flags(zen4, "sparc64")), 0, "unknown machine: arch 0");
    ok(cpucaps_from_flags("ia64 flags", "ia64") & BIT(9), "ia64 machine sets bit 9");

    free(zen4);
    free(x5450);
    free(phenom);
    free(a57);
}

static void test_compatible(void)
{
    char *zen4 = fixture("amd-zen4-kvm.flags");
    char *x5450 = fixture("intel-xeon-x5450.flags");
    char *phenom = fixture("amd-phenom2-x6-1100t.flags");
    char *a57 = fixture("arm-cortex-a57.flags");
    uint64_t z = cpucaps_from_flags(zen4, "x86_64");
    uint64_t x = cpucaps_from_flags(x5450, "x86_64");
    uint64_t p = cpucaps_from_flags(phenom, "x86_64");
    uint64_t a = cpucaps_from_flags(a57, "aarch64");
    struct p2v_buf why = P2V_BUF_INIT(4096);

    ok(cpucaps_compatible(z, z, &why) && why.len == 0, "a number is compatible with itself");
    ok(cpucaps_compatible(x, z, &why), "Core 2 software runs on Zen 4");
    ok(!cpucaps_compatible(z, x, &why), "Zen 4 software does not run on Core 2");
    ok(why.data && strstr(why.data, "missing ") == why.data, "reason starts with missing");
    ok(why.data && strstr(why.data, "sse4_2") && strstr(why.data, "avx2") &&
           strstr(why.data, "aesni") && strstr(why.data, "rdrand"),
       "reason names sse4_2, avx2, aesni, rdrand: %s", why.data ? why.data : "");
    p2v_buf_reset(&why);

    ok(!cpucaps_compatible(p, z, &why), "Phenom II software may use 3dnow, which Zen 4 lacks");
    is_str(why.data, "missing 3dnow, 3dnowext, sse4a, abm",
           "reason: 3dnow (gone since Zen) and sse4a, abm (masked by KVM), in bit order");
    p2v_buf_reset(&why);

    ok(!cpucaps_compatible(z, a, &why), "x86_64 on aarch64 is refused");
    is_str(why.data, "x86_64 software cannot run on aarch64", "reason names both arches");
    p2v_buf_reset(&why);
    ok(!cpucaps_compatible(a, z, NULL), "aarch64 on x86_64 is refused (no why buffer)");

    uint64_t x32 = cpucaps_from_flags(x5450, "i686");
    ok(cpucaps_compatible(x32, z, &why), "i686 software runs on an x86_64 node");
    ok(!cpucaps_compatible(cpucaps_with_arch(x32, CPUCAPS_ARCH_X86_64),
                           cpucaps_with_arch(x32, CPUCAPS_ARCH_I386), &why),
       "x86_64 software does not run on i386");
    p2v_buf_reset(&why);

    uint64_t old = z & CPUCAPS_FEATURE_MASK; /* a vzcptcheck number: no arch byte */
    ok(cpucaps_compatible(z, old, &why), "target without an arch byte: features only");
    ok(!cpucaps_compatible(z, x & CPUCAPS_FEATURE_MASK, &why), "... and features still count");
    p2v_buf_reset(&why);

    ok(!cpucaps_compatible(z | BIT(16) | BIT(55), z, &why), "unnamed bits count too");
    is_str(why.data, "missing bit 16, bit 55", "unnamed bits are named by number");
    p2v_buf_reset(&why);
    ok(!cpucaps_compatible(z | BIT(CPUCAPS_BIT_NAMESPACES), z, &why), "namespaces bit");
    is_str(why.data, "missing namespaces", "namespaces is named");

    p2v_buf_release(&why);
    free(zen4);
    free(x5450);
    free(phenom);
    free(a57);
}

static void test_missing_features(void)
{
    char *zen4 = fixture("amd-zen4-kvm.flags");
    char *x5450 = fixture("intel-xeon-x5450.flags");
    char *phenom = fixture("amd-phenom2-x6-1100t.flags");
    char *skl = fixture("intel-i5-6267u-vbox.flags");
    char *a57 = fixture("arm-cortex-a57.flags");
    char *sd = fixture("arm-snapdragon-8g2.flags");
    char **list;
    size_t n;

    is_int(cpucaps_missing_features(zen4, x5450, &list, &n), 0, "zen4 -> X5450");
    ok(has_str(list, n, "sse4_2") && has_str(list, n, "avx") && has_str(list, n, "avx2") &&
           has_str(list, n, "aes") && has_str(list, n, "popcnt") && has_str(list, n, "avx512f"),
       "ISA features the old Xeon lacks are listed");
    ok(!has_str(list, n, "hypervisor") && !has_str(list, n, "constant_tsc") &&
           !has_str(list, n, "nopl") && !has_str(list, n, "pti") &&
           !has_str(list, n, "xtopology") && !has_str(list, n, "arat") &&
           !has_str(list, n, "rep_good") && !has_str(list, n, "tsc_reliable") &&
           !has_str(list, n, "x2apic") && !has_str(list, n, "vmmcall"),
       "virtualisation, power and topology flags are not listed");
    cpucaps_free_list(list, n);

    is_int(cpucaps_missing_features(x5450, zen4, &list, &n), 0, "X5450 -> zen4");
    is_int(n, 0, "Core 2 has nothing Zen 4 lacks");
    ok(list == NULL, "empty result is NULL");

    is_int(cpucaps_missing_features(phenom, zen4, &list, &n), 0, "Phenom II -> zen4");
    is_int(n, 5, "five features");
    if (n == 5) {
        is_str(list[0], "rdtscp", "in source order: rdtscp (masked by KVM)");
        is_str(list[1], "3dnowext", "3dnowext");
        is_str(list[2], "3dnow", "3dnow");
        is_str(list[3], "abm", "abm");
        is_str(list[4], "sse4a", "sse4a");
    }
    cpucaps_free_list(list, n);

    is_int(cpucaps_missing_features(zen4, skl, &list, &n), 0, "zen4 -> Skylake VM");
    ok(has_str(list, n, "avx2") && has_str(list, n, "bmi2") && !has_str(list, n, "avx") &&
           !has_str(list, n, "hypervisor"),
       "Skylake VM lacks avx2/bmi2, has avx");
    cpucaps_free_list(list, n);

    is_int(cpucaps_missing_features(sd, a57, &list, &n), 0, "Snapdragon -> Cortex-A57");
    ok(has_str(list, n, "atomics") && has_str(list, n, "asimddp") && has_str(list, n, "lrcpc") &&
           !has_str(list, n, "cpuid") && !has_str(list, n, "evtstrm"),
       "aarch64: atomics, asimddp, lrcpc; not cpuid/evtstrm");
    cpucaps_free_list(list, n);
    is_int(cpucaps_missing_features(a57, sd, &list, &n), 0, "Cortex-A57 -> Snapdragon");
    is_int(n, 0, "nothing missing");
    cpucaps_free_list(list, n);

    is_int(cpucaps_missing_features("sse sse avx  \t avx2", "", &list, &n), 0, "duplicates");
    is_int(n, 3, "each feature once");
    cpucaps_free_list(list, n);

    char longword[200];
    memset(longword, 'a', sizeof(longword) - 1);
    longword[sizeof(longword) - 1] = '\0';
    is_int(cpucaps_missing_features(longword, "", &list, &n), 0, "an over-long word");
    is_int(n, 0, "is skipped");
    cpucaps_free_list(list, n);

    struct p2v_buf many = P2V_BUF_INIT(1 << 20);
    for (int i = 0; i < 5000; i++)
        p2v_buf_adds(&many, "sse ");
    ok(cpucaps_missing_features(many.data, "", &list, &n) < 0, "a 5000-word line is refused");
    ok(strstr(p2v_error_message(), "words") != NULL, "error says why");
    p2v_buf_release(&many);

    free(zen4);
    free(x5450);
    free(phenom);
    free(skl);
    free(a57);
    free(sd);
}

static void test_arch(void)
{
    ok(cpucaps_arch_can_run("x86_64", "x86_64"), "x86_64 runs x86_64");
    ok(cpucaps_arch_can_run("x86_64", "i386") && cpucaps_arch_can_run("x86_64", "i486") &&
           cpucaps_arch_can_run("x86_64", "i586") && cpucaps_arch_can_run("x86_64", "i686"),
       "x86_64 runs i386..i686");
    ok(!cpucaps_arch_can_run("i686", "x86_64"), "i686 does not run x86_64");
    ok(cpucaps_arch_can_run("i686", "i386"), "i686 runs i386");
    ok(cpucaps_arch_can_run("aarch64", "aarch64"), "aarch64 runs aarch64");
    ok(!cpucaps_arch_can_run("aarch64", "armv7l"), "aarch64 is not assumed to run arm");
    ok(!cpucaps_arch_can_run("x86_64", "aarch64"), "x86_64 does not run aarch64");
    ok(!cpucaps_arch_can_run("x86_64", "vax"), "unknown machines run nowhere");
    ok(!cpucaps_arch_can_run("vax", "vax"), "... not even on themselves");
    ok(cpucaps_arch_can_run("armv7l", "armv6l"), "32-bit arm variants are one arch");
    is_int(cpucaps_arch_from_machine("amd64"), CPUCAPS_ARCH_X86_64, "amd64 is x86_64");
    is_int(cpucaps_arch_from_machine("ppc64le"), CPUCAPS_ARCH_PPC64LE, "ppc64le");
    is_int(cpucaps_arch_from_machine(NULL), CPUCAPS_ARCH_UNKNOWN, "NULL machine");
    is_str(cpucaps_arch_name(cpucaps_with_arch(0, CPUCAPS_ARCH_I386)), "i386", "i386 name");
    is_str(cpucaps_arch_name(UINT64_C(200) << 56), "unknown", "out of range arch byte");
}

static void test_local(void)
{
    uint64_t caps;
    struct utsname u;
    uname(&u);
    ok(cpucaps_local(&caps) == 0, "this machine has a capability number");
    is_int(cpucaps_arch(caps), cpucaps_arch_from_machine(u.machine), "arch byte is uname's");
    ok(cpucaps_compatible(caps, caps, NULL), "compatible with itself");
    bool ns = access("/proc/self/ns/user", F_OK) == 0 && access("/proc/self/ns/pid", F_OK) == 0 &&
              access("/proc/self/ns/net", F_OK) == 0;
    is_int(!!(caps & BIT(CPUCAPS_BIT_NAMESPACES)), ns, "namespaces bit follows /proc/self/ns");
}

int main(void)
{
    test_from_flags();
    test_compatible();
    test_missing_features();
    test_arch();
    test_local();
    return tap_done();
}
