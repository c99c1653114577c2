/* elfnote.h: ELF notes, machine numbers and kernel versions, read from
 * bytes the agent sends raw (the `elf` member of the facts, docs/facts.md)
 * or from files beneath a container's private area.
 *
 * Nothing here trusts its input: every size field is checked against the
 * buffer before use, any byte order is read byte by byte (the buffer need
 * not be aligned), and malformed input is an error, never a crash.
 *
 * A notes blob is the contents of one or more PT_NOTE segments one after
 * the other. Notes are laid out on 4-byte boundaries; the 8-byte aligned
 * notes of .note.gnu.property ("GNU", descriptor a multiple of 8) fall on
 * the same boundaries, so a blob mixing both reads the same way. */
#ifndef P2V_ELFNOTE_H
#define P2V_ELFNOTE_H

#include "common.h"

#define ELFNOTE_NT_GNU_ABI_TAG 1u

/* NT_GNU_ABI_TAG os values. */
enum elfnote_abi_os {
    ELFNOTE_OS_LINUX = 0,
    ELFNOTE_OS_GNU = 1,
    ELFNOTE_OS_SOLARIS = 2,
    ELFNOTE_OS_FREEBSD = 3,
};

/* Find the NT_GNU_ABI_TAG note (type 1, name "GNU") in notes[0..n): the
 * oldest kernel the binary supports. Returns 0 and fills the four values
 * when found, 1 when the blob is well formed and has no such note, -1 (with
 * p2v_error_set naming the offset) when the blob is malformed. */
int elfnote_abi_tag(const void *notes, size_t n, bool big_endian, unsigned *os,
                    unsigned *major, unsigned *minor, unsigned *patch);

/* "Linux", "GNU", "Solaris", "FreeBSD", or "unknown". */
const char *elfnote_abi_os_name(unsigned os);

/* The uname-style machine of an ELF e_machine and class (32 or 64):
 * 62 -> "x86_64" ("x32" for class 32), 3 -> "i386", 183 -> "aarch64",
 * 40 -> "arm", ... NULL when the number is unknown or does not exist in
 * that class. 64-bit PowerPC is "ppc64" here; use elfnote_machine_name_bo
 * when the byte order is known ("ppc64le"). */
const char *elfnote_machine_name(unsigned e_machine, unsigned elf_class);
const char *elfnote_machine_name_bo(unsigned e_machine, unsigned elf_class, bool big_endian);

/* Read the identification of an ELF header from its first n bytes (at
 * least 20 are needed): class 32/64, byte order and e_machine. Returns 0,
 * or -1 with p2v_error_set when the bytes are not an ELF header. */
int elfnote_header_parse(const void *hdr, size_t n, unsigned *elf_class, bool *big_endian,
                         unsigned *e_machine);

/* Kernel release as uname prints it: "6.1.0-18-amd64",
 * "2.6.32-754.el6.x86_64", "6.18.44-fc-v769", "3.10" (patch 0). Returns 0,
 * or -1 with p2v_error_set when the release does not start with
 * MAJOR.MINOR. */
int kernel_version_parse(const char *release, unsigned *major, unsigned *minor,
                         unsigned *patch);

/* <0, 0 or >0 as version a is older than, equal to or newer than b. */
int kernel_version_cmp(unsigned a_major, unsigned a_minor, unsigned a_patch,
                       unsigned b_major, unsigned b_minor, unsigned b_patch);

#endif
