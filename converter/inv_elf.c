/* inv_elf.c: the source's userland architecture and the oldest kernel
 * its C library accepts (the ELF NT_GNU_ABI_TAG note), for the
 * arch-mismatch and kernel-too-old checks. */
#include "inventory.h"
#include "elfnote.h"
#include "error.h"
#include "log.h"

int inv_elf_load(struct inventory *inv)
{
    json_object *elf = fj_arr(inv->facts, "elf");
    for (size_t i = 0; i < fj_len(elf); i++) {
        json_object *o = fj_at(elf, i);
        const char *path = fj_str(o, "path");
        if (!path)
            continue;
        unsigned cls = (unsigned)fj_int(o, "class", 0), mach = (unsigned)fj_int(o, "machine", 0);
        const char *endian = fj_str(o, "endian");
        bool big = endian && strcmp(endian, "big") == 0;
        const char *name = elfnote_machine_name_bo(mach, cls, big);
        if (!inv->userland_arch && name)
            inv->userland_arch = p2v_xstrdup(name);
        json_object *notes = fj_obj(o, "notes");
        if (inv->have_abi_tag || !notes || !strstr(path, "libc"))
            continue;
        struct p2v_buf b = P2V_BUF_INIT(1 << 20);
        unsigned os, maj, min, patch;
        if (fj_blob(notes, &b) == 0 &&
            elfnote_abi_tag(b.data, b.len, big, &os, &maj, &min,
                            &patch) == 0 &&
            os == 0) {
            inv->have_abi_tag = true;
            inv->abi_major = maj;
            inv->abi_minor = min;
            inv->abi_patch = patch;
            inv->abi_from = p2v_xstrdup(path);
        }
        p2v_buf_release(&b);
    }
    return 0;
}
