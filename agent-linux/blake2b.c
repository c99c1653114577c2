/* blake2b.c: BLAKE2b as specified by RFC 7693, written for p2v from the
 * RFC's description (sections 2 and 3), exporting libb2's API (see
 * blake2b.h for why).
 *
 * The state keeps at most one full block unprocessed in buf: a block is
 * compressed only once more input follows it, because the last block must
 * be compressed with the final flag set. Input is little-endian words;
 * memcpy-based loads keep unaligned and packed access well-defined. */
#include "blake2b.h"
#include <string.h>

_Static_assert(sizeof(blake2b_param) == 64, "blake2b_param must match libb2's layout");
_Static_assert(sizeof(blake2b_state) == 358, "blake2b_state must match libb2's layout");
_Static_assert(offsetof(blake2b_state, buflen) == 352, "blake2b_state.buflen offset");

/* The initialization vector is SHA-512's (RFC 7693 section 2.6). */
static const uint64_t iv[8] = {
    0x6A09E667F3BCC908ULL, 0xBB67AE8584CAA73BULL, 0x3C6EF372FE94F82BULL,
    0xA54FF53A5F1D36F1ULL, 0x510E527FADE682D1ULL, 0x9B05688C2B3E6C1FULL,
    0x1F83D9ABFB41BD6BULL, 0x5BE0CD19137E2179ULL,
};

/* Message word permutations, one row per round (section 2.7); rounds 10
 * and 11 reuse rows 0 and 1. */
static const uint8_t sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void store64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t ror64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/* The mixing function G (section 3.1) on four words of the work vector. */
static void mix(uint64_t *v, int a, int b, int c, int d, uint64_t x, uint64_t y)
{
    v[a] = v[a] + v[b] + x;
    v[d] = ror64(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = ror64(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = ror64(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = ror64(v[b] ^ v[c], 63);
}

/* The compression function F (section 3.2) over one 128-byte block. */
static void compress(blake2b_state *S, const uint8_t *block)
{
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++)
        m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = S->h[i];
        v[i + 8] = iv[i];
    }
    v[12] ^= S->t[0];
    v[13] ^= S->t[1];
    v[14] ^= S->f[0];
    v[15] ^= S->f[1];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = sigma[r];
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        S->h[i] ^= v[i] ^ v[i + 8];
}

/* The 128-bit byte counter t counts input bytes so far, this block included. */
static void count(blake2b_state *S, uint64_t n)
{
    S->t[0] += n;
    if (S->t[0] < n)
        S->t[1]++;
}

int blake2b_init_param(blake2b_state *S, const blake2b_param *P)
{
    if (!S || !P || P->digest_length == 0 || P->digest_length > BLAKE2B_OUTBYTES ||
        P->key_length > BLAKE2B_KEYBYTES)
        return -1;
    uint8_t raw[64];
    memcpy(raw, P, sizeof(raw));
    memset(S, 0, sizeof(*S));
    for (int i = 0; i < 8; i++)
        S->h[i] = iv[i] ^ load64(raw + 8 * i);
    S->outlen = P->digest_length;
    return 0;
}

int blake2b_init(blake2b_state *S, size_t outlen)
{
    return blake2b_init_key(S, outlen, NULL, 0);
}

int blake2b_init_key(blake2b_state *S, size_t outlen, const void *key, size_t keylen)
{
    if (outlen == 0 || outlen > BLAKE2B_OUTBYTES || keylen > BLAKE2B_KEYBYTES ||
        (keylen && !key))
        return -1;
    blake2b_param P;
    memset(&P, 0, sizeof(P));
    P.digest_length = (uint8_t)outlen;
    P.key_length = (uint8_t)keylen;
    P.fanout = 1;
    P.depth = 1;
    if (blake2b_init_param(S, &P) < 0)
        return -1;
    if (keylen) {
        /* A key is processed as a first block padded with zeros. */
        uint8_t block[BLAKE2B_BLOCKBYTES];
        memset(block, 0, sizeof(block));
        memcpy(block, key, keylen);
        blake2b_update(S, block, sizeof(block));
        memset(block, 0, sizeof(block));
    }
    return 0;
}

int blake2b_update(blake2b_state *S, const uint8_t *in, size_t inlen)
{
    if (!S || (inlen && !in))
        return -1;
    while (inlen > 0) {
        if (S->buflen == BLAKE2B_BLOCKBYTES) {
            /* More input follows a full block: it is not the last one. */
            count(S, BLAKE2B_BLOCKBYTES);
            compress(S, S->buf);
            S->buflen = 0;
        }
        if (S->buflen == 0) {
            /* Whole blocks straight from the input, keeping the last back. */
            while (inlen > BLAKE2B_BLOCKBYTES) {
                count(S, BLAKE2B_BLOCKBYTES);
                compress(S, in);
                in += BLAKE2B_BLOCKBYTES;
                inlen -= BLAKE2B_BLOCKBYTES;
            }
        }
        size_t take = BLAKE2B_BLOCKBYTES - S->buflen;
        if (take > inlen)
            take = inlen;
        memcpy(S->buf + S->buflen, in, take);
        S->buflen += (uint32_t)take;
        in += take;
        inlen -= take;
    }
    return 0;
}

int blake2b_final(blake2b_state *S, uint8_t *out, size_t outlen)
{
    if (!S || !out || outlen < S->outlen || S->f[0] != 0)
        return -1;
    count(S, S->buflen);
    memset(S->buf + S->buflen, 0, sizeof(S->buf) - S->buflen);
    S->f[0] = ~(uint64_t)0;
    if (S->last_node)
        S->f[1] = ~(uint64_t)0;
    compress(S, S->buf);
    uint8_t full[BLAKE2B_OUTBYTES];
    for (int i = 0; i < 8; i++)
        store64(full + 8 * i, S->h[i]);
    memcpy(out, full, S->outlen);
    memset(full, 0, sizeof(full));
    return 0;
}

int blake2b(uint8_t *out, const void *in, const void *key, size_t outlen, size_t inlen,
            size_t keylen)
{
    blake2b_state S;
    if (!out || (inlen && !in) || blake2b_init_key(&S, outlen, key, keylen) < 0 ||
        blake2b_update(&S, in, inlen) < 0 || blake2b_final(&S, out, outlen) < 0)
        return -1;
    return 0;
}
