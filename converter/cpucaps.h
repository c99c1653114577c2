/* cpucaps.h: CPU capability numbers, as vzcptcheck(8) prints them.
 *
 * A capability number is a 64-bit mask. Bits 0..55 are features, bits
 * 56..63 the architecture (enum cpucaps_arch), so one number says both
 * "which CPU features" and "which instruction set". Bits 0..21 keep
 * vzcptcheck's meaning for x86 (cmov 0 ... rdrand 21); later bits extend
 * it. A number whose top byte is 0 (an old vzcptcheck number, or a machine
 * we do not know) has an unknown architecture: only features are compared.
 *
 *   bit  x86 flag        bit  x86 flag        bit  aarch64 feature
 *    0   cmov             22  avx2              0  fp
 *    1   fxsr             23  bmi1              1  asimd
 *    2   sse              24  bmi2              2  aes
 *    3   sse2             25  fma               3  pmull
 *    4   mmx              26  f16c              4  sha1
 *    5   3dnow            27  movbe             5  sha2
 *    6   3dnowext         28  popcnt            6  crc32
 *    7   sep              29  ssse3             7  atomics
 *    8   emt64 (lm)       30  pclmulqdq         8  fphp
 *    9   ia64 (machine)   31  avx512f           9  asimdhp
 *   10   syscall          32  sha_ni           10  asimdrdm
 *   11   syscall32        33  adx              11  lrcpc
 *   12   sep32            34  pni (sse3)       12  dcpop
 *   13   sse4_1           35  cx16             13  asimddp
 *   14   sse4_2           36  lahf_lm          14  sha3
 *   15   sse4a            37  abm (lzcnt)      15  sha512
 *   16   (unused)         38  avx512bw         16  (unused)
 *   17   namespaces       39  avx512dq         17  namespaces
 *   18   xsave            40  avx512cd         18  sve
 *   19   avx              41  avx512vl         19  sve2
 *   20   aesni (aes)      42  vaes             20  i8mm
 *   21   rdrand           43  vpclmulqdq       21  bf16
 *                         44  gfni             22  ilrcpc
 *                         45  rdseed           23  jscvt
 *                         46  xop              24  fcma
 *                         47  fma4             25  asimdfhm
 *                         48  avx_vnni
 *                         49  avx512_vnni
 *
 * syscall32/sep32 say that 32-bit code may use syscall/sysenter under a
 * 64-bit kernel: set on x86_64 machines with the syscall/sep flag.
 * namespaces (17) is a property of the kernel, not of the CPU: only
 * cpucaps_local() sets it (user, pid and net in /proc/self/ns). */
#ifndef P2V_CPUCAPS_H
#define P2V_CPUCAPS_H

#include "common.h"
#include "buf.h"

enum cpucaps_arch {
    CPUCAPS_ARCH_UNKNOWN = 0,
    CPUCAPS_ARCH_X86_64 = 1,
    CPUCAPS_ARCH_I386 = 2,      /* i386, i486, i586, i686 */
    CPUCAPS_ARCH_AARCH64 = 3,
    CPUCAPS_ARCH_ARM = 4,       /* 32-bit arm* */
    CPUCAPS_ARCH_PPC64LE = 5,
    CPUCAPS_ARCH_PPC64 = 6,
    CPUCAPS_ARCH_S390X = 7,
    CPUCAPS_ARCH_RISCV64 = 8,
    CPUCAPS_ARCH_IA64 = 9,
    CPUCAPS_ARCH_MIPS64 = 10,
    CPUCAPS_ARCH_LOONGARCH64 = 11,
};

#define CPUCAPS_ARCH_SHIFT 56
#define CPUCAPS_FEATURE_MASK ((UINT64_C(1) << CPUCAPS_ARCH_SHIFT) - 1)

/* vzcptcheck's bits that other code tests by number. */
#define CPUCAPS_BIT_EMT64 8
#define CPUCAPS_BIT_SYSCALL32 11
#define CPUCAPS_BIT_SEP32 12
#define CPUCAPS_BIT_NAMESPACES 17

/* The architecture byte of a capability number. */
static inline enum cpucaps_arch cpucaps_arch(uint64_t caps)
{
    return (enum cpucaps_arch)(caps >> CPUCAPS_ARCH_SHIFT);
}
static inline uint64_t cpucaps_with_arch(uint64_t caps, enum cpucaps_arch arch)
{
    return (caps & CPUCAPS_FEATURE_MASK) | ((uint64_t)arch << CPUCAPS_ARCH_SHIFT);
}

/* uname machine ("x86_64", "i686", "armv7l", ...) to its arch code. */
enum cpucaps_arch cpucaps_arch_from_machine(const char *machine);

/* The capability number of a CPU from its /proc/cpuinfo flags line (the
 * "flags" or "Features" value, with or without the "flags\t: " head) and
 * the uname machine. Never sets the namespaces bit. */
uint64_t cpucaps_from_flags(const char *flags_line, const char *machine);

/* This machine: /proc/cpuinfo, uname(2) and /proc/self/ns. */
int cpucaps_local(uint64_t *out);

/* Can software using `have` run where `target` is? When it cannot and
 * `why` is not NULL, appends the reason: "missing avx2, bmi2" or
 * "x86_64 software cannot run on aarch64". */
bool cpucaps_compatible(uint64_t have, uint64_t target, struct p2v_buf *why);

/* The name of feature bit `bit` of a number of architecture `caps`, or
 * NULL for an unused bit. */
const char *cpucaps_bit_name(uint64_t caps, unsigned bit);

/* ISA features (by /proc/cpuinfo name) in src_flags and not in node_flags.
 * Only instruction-set features a program can use count: bug flags and
 * virtualisation, power and topology flags (hypervisor, constant_tsc,
 * nopl, ...) are skipped. *out is a malloc'd array of *count malloc'd
 * strings in the order of src_flags (NULL when none); free with
 * cpucaps_free_list(). */
int cpucaps_missing_features(const char *src_flags, const char *node_flags, char ***out,
                             size_t *count);
void cpucaps_free_list(char **list, size_t count);

/* Whether a /proc/cpuinfo flag names an ISA feature (see above). */
bool cpucaps_is_isa_flag(const char *flag);

/* "x86_64", "i386", "aarch64", ..., "unknown". */
const char *cpucaps_arch_name(uint64_t caps);

/* Can a node of uname machine node_machine run a src_machine userland?
 * An x86_64 node runs x86_64 and i386..i686 userlands; otherwise the same
 * architecture only (many aarch64 CPUs have no 32-bit mode, so arm on
 * aarch64 is not assumed). Unknown machines run nothing. */
bool cpucaps_arch_can_run(const char *node_machine, const char *src_machine);

#endif
