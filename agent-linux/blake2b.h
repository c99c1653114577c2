/* blake2b.h: BLAKE2b (RFC 7693) with libb2's public API, for the static
 * agent. librsync computes its strong sums with blake2b_init/update/final;
 * Debian ships libb2 only as a shared library, so the static agent links
 * this instead (agent-linux/CMakeLists.txt). The state and parameter
 * structs have the exact layout of libb2's blake2.h (packed, with the
 * two-block buffer), because librsync allocates the state itself, compiled
 * against that header. Only BLAKE2b is provided: librsync uses no other
 * member of the family. */
#ifndef P2V_AGENT_BLAKE2B_H
#define P2V_AGENT_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

enum blake2b_constant {
    BLAKE2B_BLOCKBYTES = 128,
    BLAKE2B_OUTBYTES = 64,
    BLAKE2B_KEYBYTES = 64,
    BLAKE2B_SALTBYTES = 16,
    BLAKE2B_PERSONALBYTES = 16,
};

#pragma pack(push, 1)
typedef struct __blake2b_param {
    uint8_t digest_length;
    uint8_t key_length;
    uint8_t fanout;
    uint8_t depth;
    uint32_t leaf_length;
    uint64_t node_offset;
    uint8_t node_depth;
    uint8_t inner_length;
    uint8_t reserved[14];
    uint8_t salt[BLAKE2B_SALTBYTES];
    uint8_t personal[BLAKE2B_PERSONALBYTES];
} blake2b_param;

typedef struct __blake2b_state {
    uint64_t h[8];
    uint64_t t[2];
    uint64_t f[2];
    uint8_t buf[2 * BLAKE2B_BLOCKBYTES];
    uint32_t buflen;
    uint8_t outlen;
    uint8_t last_node;
} blake2b_state;
#pragma pack(pop)

int blake2b_init(blake2b_state *S, size_t outlen);
int blake2b_init_key(blake2b_state *S, size_t outlen, const void *key, size_t keylen);
int blake2b_init_param(blake2b_state *S, const blake2b_param *P);
int blake2b_update(blake2b_state *S, const uint8_t *in, size_t inlen);
int blake2b_final(blake2b_state *S, uint8_t *out, size_t outlen);
int blake2b(uint8_t *out, const void *in, const void *key, size_t outlen, size_t inlen,
            size_t keylen);

#endif
