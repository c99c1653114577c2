/* test_blake2b.c: the agent's BLAKE2b against RFC 7693's test vectors,
 * libb2's state layout, and (when libb2 is installed) libb2 itself,
 * loaded with dlopen so that its symbols never meet ours at link time. */
#include "tap.h"
#include "blake2b.h"
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* RFC 7693 appendix E: deterministic input generator. */
static void seq(uint8_t *out, size_t len, uint32_t seed)
{
    uint32_t a = 0xDEAD4BADu * seed, b = 1;
    for (size_t i = 0; i < len; i++) {
        uint32_t t = a + b;
        a = b;
        b = t;
        out[i] = (uint8_t)(t >> 24);
    }
}

/* RFC 7693 appendix E: the hash of hashes over digest and input lengths,
 * keyed and unkeyed. */
static void rfc_selftest(void)
{
    static const size_t md_len[] = {20, 32, 48, 64};
    static const size_t in_len[] = {0, 3, 128, 129, 255, 1024};
    uint8_t in[1024], md[64], key[64];
    blake2b_state ctx;
    ok(blake2b_init(&ctx, 32) == 0, "init for the grand hash");
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < 6; j++) {
            seq(in, in_len[j], (uint32_t)in_len[j]);
            blake2b(md, in, NULL, md_len[i], in_len[j], 0);
            blake2b_update(&ctx, md, md_len[i]);
            seq(key, md_len[i], (uint32_t)md_len[i]);
            blake2b(md, in, key, md_len[i], in_len[j], md_len[i]);
            blake2b_update(&ctx, md, md_len[i]);
        }
    }
    uint8_t out[32];
    char h[65];
    ok(blake2b_final(&ctx, out, 32) == 0, "final of the grand hash");
    hex(out, 32, h);
    is_str(h, "c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475",
           "RFC 7693 appendix E self-test");
}

static void known_answers(void)
{
    uint8_t out[64];
    char h[129];
    blake2b(out, "abc", NULL, 64, 3, 0);
    hex(out, 64, h);
    is_str(h,
           "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
           "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
           "RFC 7693 appendix A: BLAKE2b-512(\"abc\")");
    blake2b(out, "", NULL, 64, 0, 0);
    hex(out, 64, h);
    is_str(h,
           "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
           "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce",
           "BLAKE2b-512 of the empty string");
    ok(blake2b_init(&(blake2b_state){0}, 0) < 0, "digest length 0 refused");
    ok(blake2b_init(&(blake2b_state){0}, 65) < 0, "digest length 65 refused");
    ok(blake2b_init_key(&(blake2b_state){0}, 32, "k", 65) < 0, "key of 65 bytes refused");
}

/* Any split of the input gives the digest of the whole. */
static void streaming(void)
{
    static uint8_t in[3000];
    seq(in, sizeof(in), 7);
    uint8_t want[32], got[32];
    blake2b(want, in, NULL, 32, sizeof(in), 0);
    int bad = 0;
    static const size_t steps[] = {1, 7, 127, 128, 129, 256, 1000};
    for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
        blake2b_state st;
        blake2b_init(&st, 32);
        for (size_t off = 0; off < sizeof(in); off += steps[s]) {
            size_t n = sizeof(in) - off < steps[s] ? sizeof(in) - off : steps[s];
            blake2b_update(&st, in + off, n);
        }
        blake2b_final(&st, got, 32);
        bad += memcmp(want, got, 32) != 0;
    }
    is_int(bad, 0, "streaming in pieces of 1..1000 bytes matches one call");
}

static void layout(void)
{
    /* libb2's blake2.h: packed, two-block buffer. */
    is_int(sizeof(blake2b_state), 358, "blake2b_state size as in libb2");
    is_int(offsetof(blake2b_state, t), 64, "t offset");
    is_int(offsetof(blake2b_state, buf), 96, "buf offset");
    is_int(offsetof(blake2b_state, buflen), 352, "buflen offset");
    is_int(offsetof(blake2b_state, outlen), 356, "outlen offset");
    is_int(offsetof(blake2b_state, last_node), 357, "last_node offset");
    is_int(sizeof(blake2b_param), 64, "blake2b_param size");
    is_int(offsetof(blake2b_param, salt), 32, "salt offset");
}

typedef int (*b2_fn)(uint8_t *, const void *, const void *, size_t, size_t, size_t);

/* Differential test against the real libb2, as librsync on the node uses it. */
static void against_libb2(void)
{
    void *h = dlopen("libb2.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("# libb2.so.1 not installed: differential test skipped\n");
        return;
    }
    b2_fn real = (b2_fn)dlsym(h, "blake2b");
    ok(real != NULL, "libb2 exports blake2b");
    if (!real)
        return;
    static uint8_t in[5000];
    uint8_t key[64], a[64], b[64];
    int bad = 0;
    for (size_t len = 0; len < sizeof(in); len += len < 300 ? 1 : 97) {
        seq(in, len, (uint32_t)len + 1);
        size_t outlen = 1 + len % 64, keylen = len % 3 ? 0 : len % 65;
        seq(key, keylen, 3);
        if (blake2b(a, in, keylen ? key : NULL, outlen, len, keylen) != 0 ||
            real(b, in, keylen ? key : NULL, outlen, len, keylen) != 0 || memcmp(a, b, outlen))
            bad++;
    }
    is_int(bad, 0, "same digests as libb2 for lengths 0..5000, keyed and not");
    /* Not dlclosed: libb2 keeps allocations in its globals, a leak to LSan once unloaded. */
}

int main(void)
{
    rfc_selftest();
    known_answers();
    streaming();
    layout();
    against_libb2();
    return tap_done();
}
