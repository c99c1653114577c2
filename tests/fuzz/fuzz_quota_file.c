/* fuzz_quota_file.c: quota_file_parse on any bytes (the source's raw
 * quota files: vfsv0, vfsv1, vfsold). Memory and work are bounded by the
 * file size (quota_file.h); what parses is sorted by id. */
#include "fuzz.h"
#include "quota_file.h"

#define INPUT_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size > INPUT_MAX)
        return 0;
    struct quota_table t;
    if (quota_file_parse(data, size, &t) < 0) {
        FUZZ_CHECK(t.entries == NULL && t.count == 0);
        return 0;
    }
    FUZZ_CHECK(strcmp(t.format, "vfsv0") == 0 || strcmp(t.format, "vfsv1") == 0 ||
               strcmp(t.format, "vfsold") == 0);
    FUZZ_CHECK(t.type >= -1 && t.type <= QUOTA_FILE_PROJECT);
    FUZZ_CHECK(t.count <= size / 32 + 1);
    for (size_t i = 1; i < t.count; i++)
        FUZZ_CHECK(t.entries[i - 1].id < t.entries[i].id);
    quota_table_release(&t);
    return 0;
}
