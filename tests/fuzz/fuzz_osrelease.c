/* fuzz_osrelease.c: osrelease_get, the os-release reader (KEY=value with
 * shell quoting), on any text and the keys inv_os.c asks for. */
#include "fuzz.h"
#include "inventory.h"

#define INPUT_MAX (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"ID", "VERSION_ID", "PRETTY_NAME", "ID_LIKE", "NAME",
                                       "VERSION", "I"};
    fuzz_quiet();
    if (size > INPUT_MAX)
        return 0;
    char *text = p2v_xstrndup((const char *)data, size);
    for (size_t i = 0; i < P2V_ARRAY_LEN(keys); i++) {
        char *v = osrelease_get(text, keys[i]);
        if (v) {
            FUZZ_CHECK(strlen(v) <= 4096 && !strchr(v, '\n'));
            free(v);
        }
    }
    free(text);
    return 0;
}
