/* fuzz_ctconf.c: ctconf_parse (vzctl's CTID.conf rules) and the promise
 * ctconf.h makes about writing: a value ctconf_set accepts reads back
 * unchanged, and rendering a parsed file gives back its text.
 *
 * Input: the file's text; its last line (after the last newline) is also
 * the value set for HOSTNAME, as a source's hostname would be. */
#include "fuzz.h"
#include "ctconf.h"
#include "error.h"

#define INPUT_MAX (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size > INPUT_MAX)
        return 0;
    const char *text = (const char *)data;
    struct ctconf c;
    if (ctconf_parse(&c, text, size) < 0) {
        FUZZ_CHECK(c.n == 0 && c.lines == NULL);
        return 0;
    }
    for (size_t i = 0; i < c.nwarnings; i++)
        FUZZ_CHECK(c.warnings[i] != NULL);
    struct p2v_buf out = P2V_BUF_INIT(2 * INPUT_MAX + 4096);
    FUZZ_CHECK(ctconf_render(&c, &out) == 0);
    /* every line is kept as it was; a last line gets its newline */
    FUZZ_CHECK(out.len == size || (out.len == size + 1 && out.data[size] == '\n'));
    FUZZ_CHECK(size == 0 || memcmp(out.data, text, size) == 0);
    p2v_buf_reset(&out);

    const char *nl = memrchr(text, '\n', size);
    size_t off = nl ? (size_t)(nl - text) + 1 : 0;
    char *value = p2v_xstrndup(text + off, size - off);
    if (ctconf_set(&c, "HOSTNAME", value) == 0) {
        FUZZ_CHECK(ctconf_value_ok(value));
        FUZZ_CHECK(ctconf_render(&c, &out) == 0);
        struct ctconf again;
        FUZZ_CHECK(ctconf_parse(&again, out.data, out.len) == 0);
        const char *got = ctconf_get(&again, "HOSTNAME");
        FUZZ_CHECK(got && strcmp(got, value) == 0);
        FUZZ_CHECK(again.n == c.n);
        ctconf_release(&again);
    } else {
        FUZZ_CHECK(!ctconf_value_ok(value));
    }
    free(value);
    p2v_buf_release(&out);
    ctconf_release(&c);
    return 0;
}
