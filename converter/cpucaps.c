/* cpucaps.c: CPU capability numbers (see cpucaps.h for the bit table). */
#include "cpucaps.h"
#include "error.h"
#include <ctype.h>
#include <sys/utsname.h>
#include <unistd.h>

struct feature {
    const char *flag; /* the /proc/cpuinfo name */
    unsigned bit;
};

/* x86: vzcptcheck's bits 0..21, then ours. */
static const struct feature x86_features[] = {
    {"cmov", 0},        {"fxsr", 1},         {"sse", 2},         {"sse2", 3},
    {"mmx", 4},         {"3dnow", 5},        {"3dnowext", 6},    {"sep", 7},
    {"lm", 8},          {"syscall", 10},     {"sse4_1", 13},     {"sse4_2", 14},
    {"sse4a", 15},      {"xsave", 18},       {"avx", 19},        {"aes", 20},
    {"rdrand", 21},     {"avx2", 22},        {"bmi1", 23},       {"bmi2", 24},
    {"fma", 25},        {"f16c", 26},        {"movbe", 27},      {"popcnt", 28},
    {"ssse3", 29},      {"pclmulqdq", 30},   {"avx512f", 31},    {"sha_ni", 32},
    {"adx", 33},        {"pni", 34},         {"cx16", 35},       {"lahf_lm", 36},
    {"abm", 37},        {"avx512bw", 38},    {"avx512dq", 39},   {"avx512cd", 40},
    {"avx512vl", 41},   {"vaes", 42},        {"vpclmulqdq", 43}, {"gfni", 44},
    {"rdseed", 45},     {"xop", 46},         {"fma4", 47},       {"avx_vnni", 48},
    {"avx512_vnni", 49},
};

/* vzcptcheck's names for the bits whose flag name differs, and the bits
 * that do not come from a flag. */
static const struct feature x86_bit_names[] = {
    {"emt64", 8},     {"ia64", 9},       {"syscall32", CPUCAPS_BIT_SYSCALL32},
    {"sep32", CPUCAPS_BIT_SEP32},        {"aesni", 20},
    {"namespaces", CPUCAPS_BIT_NAMESPACES},
};

static const struct feature arm64_features[] = {
    {"fp", 0},       {"asimd", 1},   {"aes", 2},      {"pmull", 3},    {"sha1", 4},
    {"sha2", 5},     {"crc32", 6},   {"atomics", 7},  {"fphp", 8},     {"asimdhp", 9},
    {"asimdrdm", 10}, {"lrcpc", 11}, {"dcpop", 12},   {"asimddp", 13}, {"sha3", 14},
    {"sha512", 15},  {"sve", 18},    {"sve2", 19},    {"i8mm", 20},    {"bf16", 21},
    {"ilrcpc", 22},  {"jscvt", 23},  {"fcma", 24},    {"asimdfhm", 25},
};

/* Instruction-set features a user program can test for and use. Anything
 * else in a flags line (bugs, virtualisation, power, topology, kernel-only
 * instructions) does not stop a migrated binary from running. */
static const char *const isa_flags[] = {
    /* x86 */
    "fpu", "cx8", "cmov", "mmx", "fxsr", "sse", "sse2", "syscall", "sep", "lm", "mmxext",
    "3dnow", "3dnowext", "3dnowprefetch", "rdtscp", "pni", "pclmulqdq", "ssse3", "fma",
    "cx16", "sse4_1", "sse4_2", "movbe", "popcnt", "aes", "xsave", "avx", "f16c", "rdrand",
    "lahf_lm", "abm", "sse4a", "misalignsse", "xop", "fma4", "tbm", "lwp", "fsgsbase",
    "bmi1", "hle", "avx2", "bmi2", "erms", "rtm", "mpx", "avx512f", "avx512dq", "rdseed",
    "adx", "avx512ifma", "clflushopt", "clwb", "avx512pf", "avx512er", "avx512cd", "sha_ni",
    "avx512bw", "avx512vl", "xsaveopt", "xsavec", "xgetbv1", "avx_vnni", "avx512_bf16",
    "clzero", "rdpru", "avx512vbmi", "pku", "ospke", "waitpkg", "avx512_vbmi2", "gfni",
    "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "avx512_vpopcntdq", "rdpid",
    "cldemote", "movdiri", "movdir64b", "enqcmd", "avx512_4vnniw", "avx512_4fmaps", "fsrm",
    "avx512_vp2intersect", "serialize", "tsxldtrk", "amx_bf16", "avx512_fp16", "amx_tile",
    "amx_int8", "amx_fp16", "avx_vnni_int8", "avx_ifma", "avx_ne_convert", "cmpccxadd",
    "prefetchiti", "avx_vnni_int16", "sha512", "sm3", "sm4", "clflush", "fsrs", "fzrm",
    "fsrc",
    /* arm64 (Features line; evtstrm and cpuid are not instructions) */
    "fp", "asimd", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp",
    "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "asimddp", "asimdfhm", "dit",
    "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg", "dcpodp", "sve", "sve2",
    "sveaes", "svepmull", "svebitperm", "svesha3", "svesm4", "flagm2", "frint", "svei8mm",
    "svef32mm", "svef64mm", "svebf16", "i8mm", "bf16", "dgh", "rng", "bti", "mte", "mte3",
    "sme", "ecv", "afp", "rpres",
    /* 32-bit arm */
    "half", "thumb", "fastmult", "vfp", "edsp", "neon", "vfpv3", "vfpv3d16", "tls", "vfpv4",
    "idiva", "idivt", "vfpd32", "lpae",
};

#define FLAG_NAME_MAX 64
#define FLAGS_TOKENS_MAX 4096

struct arch_name {
    const char *machine;
    enum cpucaps_arch arch;
    bool prefix; /* matches every machine starting with it ("armv7l") */
};

static const struct arch_name arch_names[] = {
    {"x86_64", CPUCAPS_ARCH_X86_64, false},   {"amd64", CPUCAPS_ARCH_X86_64, false},
    {"i386", CPUCAPS_ARCH_I386, false},       {"i486", CPUCAPS_ARCH_I386, false},
    {"i586", CPUCAPS_ARCH_I386, false},       {"i686", CPUCAPS_ARCH_I386, false},
    {"aarch64", CPUCAPS_ARCH_AARCH64, false}, {"arm64", CPUCAPS_ARCH_AARCH64, false},
    {"ppc64le", CPUCAPS_ARCH_PPC64LE, false}, {"ppc64", CPUCAPS_ARCH_PPC64, false},
    {"s390x", CPUCAPS_ARCH_S390X, false},     {"riscv64", CPUCAPS_ARCH_RISCV64, false},
    {"ia64", CPUCAPS_ARCH_IA64, false},       {"mips64", CPUCAPS_ARCH_MIPS64, false},
    {"loongarch64", CPUCAPS_ARCH_LOONGARCH64, false},
    {"arm", CPUCAPS_ARCH_ARM, true},
};

/* Canonical names by arch code (index). */
static const char *const arch_canonical[] = {
    "unknown", "x86_64", "i386", "aarch64", "arm", "ppc64le", "ppc64",
    "s390x", "riscv64", "ia64", "mips64", "loongarch64",
};

enum cpucaps_arch cpucaps_arch_from_machine(const char *machine)
{
    if (!machine)
        return CPUCAPS_ARCH_UNKNOWN;
    for (size_t i = 0; i < P2V_ARRAY_LEN(arch_names); i++) {
        const struct arch_name *a = &arch_names[i];
        if (a->prefix ? strncmp(machine, a->machine, strlen(a->machine)) == 0
                      : strcmp(machine, a->machine) == 0)
            return a->arch;
    }
    return CPUCAPS_ARCH_UNKNOWN;
}

const char *cpucaps_arch_name(uint64_t caps)
{
    unsigned a = (unsigned)cpucaps_arch(caps);
    return a < P2V_ARRAY_LEN(arch_canonical) ? arch_canonical[a] : "unknown";
}

static bool arch_code_can_run(enum cpucaps_arch node, enum cpucaps_arch src)
{
    if (node == CPUCAPS_ARCH_UNKNOWN || src == CPUCAPS_ARCH_UNKNOWN)
        return false;
    if (node == CPUCAPS_ARCH_X86_64 && src == CPUCAPS_ARCH_I386)
        return true;
    return node == src;
}

bool cpucaps_arch_can_run(const char *node_machine, const char *src_machine)
{
    return arch_code_can_run(cpucaps_arch_from_machine(node_machine),
                             cpucaps_arch_from_machine(src_machine));
}

static bool is_x86(enum cpucaps_arch a)
{
    return a == CPUCAPS_ARCH_X86_64 || a == CPUCAPS_ARCH_I386 || a == CPUCAPS_ARCH_UNKNOWN;
}

/* Iterate over the whitespace-separated words of a flags line. */
static const char *next_word(const char *p, size_t *len)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    const char *start = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    *len = (size_t)(p - start);
    return *len ? start : NULL;
}

/* Skip a "flags\t\t: " or "Features\t: " head if there is one. */
static const char *flags_body(const char *line)
{
    if (!line)
        return "";
    const char *colon = strchr(line, ':');
    return colon ? colon + 1 : line;
}

static bool word_is(const char *w, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(w, name, n) == 0;
}

static bool flags_have(const char *flags, const char *w, size_t n)
{
    size_t len;
    unsigned guard = 0;
    for (const char *p = next_word(flags, &len); p && guard < FLAGS_TOKENS_MAX;
         p = next_word(p + len, &len), guard++) {
        if (len == n && memcmp(p, w, n) == 0)
            return true;
    }
    return false;
}

uint64_t cpucaps_from_flags(const char *flags_line, const char *machine)
{
    enum cpucaps_arch arch = cpucaps_arch_from_machine(machine);
    const char *flags = flags_body(flags_line);
    const struct feature *table = NULL;
    size_t table_len = 0;
    if (arch == CPUCAPS_ARCH_X86_64 || arch == CPUCAPS_ARCH_I386) {
        table = x86_features;
        table_len = P2V_ARRAY_LEN(x86_features);
    } else if (arch == CPUCAPS_ARCH_AARCH64) {
        table = arm64_features;
        table_len = P2V_ARRAY_LEN(arm64_features);
    }
    uint64_t caps = 0;
    size_t len;
    unsigned guard = 0;
    for (const char *w = next_word(flags, &len); w && guard < FLAGS_TOKENS_MAX;
         w = next_word(w + len, &len), guard++) {
        for (size_t i = 0; i < table_len; i++) {
            if (word_is(w, len, table[i].flag))
                caps |= UINT64_C(1) << table[i].bit;
        }
    }
    if (arch == CPUCAPS_ARCH_X86_64) {
        if (caps & (UINT64_C(1) << 10))
            caps |= UINT64_C(1) << CPUCAPS_BIT_SYSCALL32;
        if (caps & (UINT64_C(1) << 7))
            caps |= UINT64_C(1) << CPUCAPS_BIT_SEP32;
    }
    if (arch == CPUCAPS_ARCH_I386) /* a 32-bit kernel: long mode is out of reach */
        caps &= ~(UINT64_C(1) << CPUCAPS_BIT_EMT64);
    if (arch == CPUCAPS_ARCH_IA64)
        caps |= UINT64_C(1) << 9;
    return cpucaps_with_arch(caps, arch);
}

/* The value of the first "flags" (x86) or "Features" (arm) line. */
static int read_cpuinfo_flags(char **out)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) {
        p2v_error_set_errno(errno, "cannot read `/proc/cpuinfo`");
        p2v_error_hint("mount /proc (mount -t proc proc /proc)");
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    *out = NULL;
    while (getline(&line, &cap, f) >= 0) {
        size_t key = strcspn(line, " \t:");
        if ((key == 5 && strncmp(line, "flags", 5) == 0) ||
            (key == 8 && strncmp(line, "Features", 8) == 0)) {
            char *colon = strchr(line, ':');
            if (!colon)
                continue;
            line[strcspn(line, "\n")] = '\0';
            *out = p2v_xstrdup(colon + 1);
            break;
        }
    }
    free(line);
    fclose(f);
    if (!*out)
        *out = p2v_xstrdup("");
    return 0;
}

int cpucaps_local(uint64_t *out)
{
    struct utsname u;
    if (uname(&u) < 0)
        return p2v_error_set_errno(errno, "uname");
    p2v_autofree char *flags = NULL;
    if (read_cpuinfo_flags(&flags) < 0)
        return -1;
    uint64_t caps = cpucaps_from_flags(flags, u.machine);
    if (access("/proc/self/ns/user", F_OK) == 0 && access("/proc/self/ns/pid", F_OK) == 0 &&
        access("/proc/self/ns/net", F_OK) == 0)
        caps |= UINT64_C(1) << CPUCAPS_BIT_NAMESPACES;
    if ((caps & CPUCAPS_FEATURE_MASK) == 0 && cpucaps_arch(caps) == CPUCAPS_ARCH_UNKNOWN) {
        p2v_error_set("no CPU capabilities found for machine `%s` in /proc/cpuinfo",
                      u.machine);
        p2v_error_hint("this architecture is not known to p2v; compare machines by hand");
        return -1;
    }
    *out = caps;
    return 0;
}

const char *cpucaps_bit_name(uint64_t caps, unsigned bit)
{
    enum cpucaps_arch arch = cpucaps_arch(caps);
    if (bit == CPUCAPS_BIT_NAMESPACES)
        return "namespaces";
    if (is_x86(arch)) {
        for (size_t i = 0; i < P2V_ARRAY_LEN(x86_bit_names); i++)
            if (x86_bit_names[i].bit == bit)
                return x86_bit_names[i].flag;
        for (size_t i = 0; i < P2V_ARRAY_LEN(x86_features); i++)
            if (x86_features[i].bit == bit)
                return x86_features[i].flag;
    } else if (arch == CPUCAPS_ARCH_AARCH64) {
        for (size_t i = 0; i < P2V_ARRAY_LEN(arm64_features); i++)
            if (arm64_features[i].bit == bit)
                return arm64_features[i].flag;
    }
    return NULL;
}

bool cpucaps_compatible(uint64_t have, uint64_t target, struct p2v_buf *why)
{
    enum cpucaps_arch ha = cpucaps_arch(have), ta = cpucaps_arch(target);
    if (ha != CPUCAPS_ARCH_UNKNOWN && ta != CPUCAPS_ARCH_UNKNOWN && !arch_code_can_run(ta, ha)) {
        if (why)
            p2v_buf_printf(why, "%s software cannot run on %s", cpucaps_arch_name(have),
                           cpucaps_arch_name(target));
        return false;
    }
    uint64_t missing = have & ~target & CPUCAPS_FEATURE_MASK;
    if (!missing)
        return true;
    /* Name the bits as the side that uses them understands them. */
    uint64_t namer = ha != CPUCAPS_ARCH_UNKNOWN ? have : target;
    if (why) {
        p2v_buf_adds(why, "missing ");
        bool first = true;
        for (unsigned bit = 0; bit < CPUCAPS_ARCH_SHIFT; bit++) {
            if (!(missing & (UINT64_C(1) << bit)))
                continue;
            const char *name = cpucaps_bit_name(namer, bit);
            if (!first)
                p2v_buf_adds(why, ", ");
            if (name)
                p2v_buf_adds(why, name);
            else
                p2v_buf_printf(why, "bit %u", bit);
            first = false;
        }
    }
    return false;
}

bool cpucaps_is_isa_flag(const char *flag)
{
    for (size_t i = 0; i < P2V_ARRAY_LEN(isa_flags); i++)
        if (strcmp(flag, isa_flags[i]) == 0)
            return true;
    return false;
}

void cpucaps_free_list(char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free(list[i]);
    free(list);
}

int cpucaps_missing_features(const char *src_flags, const char *node_flags, char ***out,
                             size_t *count)
{
    const char *src = flags_body(src_flags), *node = flags_body(node_flags);
    char **list = NULL;
    size_t n = 0, len;
    unsigned guard = 0;
    for (const char *w = next_word(src, &len); w; w = next_word(w + len, &len)) {
        if (++guard > FLAGS_TOKENS_MAX) {
            cpucaps_free_list(list, n);
            *out = NULL;
            *count = 0;
            return p2v_error_set("CPU flags line has more than %u words", FLAGS_TOKENS_MAX);
        }
        if (len > FLAG_NAME_MAX)
            continue;
        char name[FLAG_NAME_MAX + 1];
        memcpy(name, w, len);
        name[len] = '\0';
        if (!cpucaps_is_isa_flag(name) || flags_have(node, w, len))
            continue;
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = strcmp(list[i], name) == 0;
        if (dup)
            continue;
        list = p2v_xrealloc(list, (n + 1) * sizeof(*list));
        list[n++] = p2v_xstrdup(name);
    }
    *out = list;
    *count = n;
    return 0;
}
