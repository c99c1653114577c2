/* codec.h: big-endian encoding of message fields, with bounded decoding.
 *
 * Encoders append to a p2v_buf (whose cap bounds the message). A decoder
 * never reads past its input: any short read or over-limit length sets
 * dec->err and every later get returns zero/NULL, so a message is decoded
 * straight through and checked once with p2v_dec_finish(). */
#ifndef P2V_CODEC_H
#define P2V_CODEC_H

#include "buf.h"

int p2v_put_u8(struct p2v_buf *b, uint8_t v);
int p2v_put_u16(struct p2v_buf *b, uint16_t v);
int p2v_put_u32(struct p2v_buf *b, uint32_t v);
int p2v_put_u64(struct p2v_buf *b, uint64_t v);
/* u32 length, then the bytes. */
int p2v_put_bytes(struct p2v_buf *b, const void *p, size_t n);
int p2v_put_str(struct p2v_buf *b, const char *s);
/* LEB128 varints (7 bits a byte, low first) for fields that are mostly
 * small; a decoder refuses overlong forms, so every value has one. */
int p2v_put_uv(struct p2v_buf *b, uint64_t v);
/* varint length, then the bytes. */
int p2v_put_vbytes(struct p2v_buf *b, const void *p, size_t n);

struct p2v_dec {
    const unsigned char *p;
    size_t len;
    size_t pos;
    const char *err;    /* first problem, NULL while fine */
};

void p2v_dec_init(struct p2v_dec *d, const void *p, size_t len);
uint8_t p2v_get_u8(struct p2v_dec *d);
uint16_t p2v_get_u16(struct p2v_dec *d);
uint32_t p2v_get_u32(struct p2v_dec *d);
uint64_t p2v_get_u64(struct p2v_dec *d);
/* A length-prefixed byte string of at most max bytes, pointing into the
 * input (not copied). */
const void *p2v_get_bytes(struct p2v_dec *d, size_t *n, size_t max);
uint64_t p2v_get_uv(struct p2v_dec *d);
const void *p2v_get_vbytes(struct p2v_dec *d, size_t *n, size_t max);
/* A length-prefixed string of at most max bytes with no NUL inside, copied
 * and NUL-terminated (NULL on error). */
char *p2v_get_str(struct p2v_dec *d, size_t max);
/* 0 if everything decoded and nothing is left over; else -1 with an error
 * naming what (e.g. "HELLO message"). */
int p2v_dec_finish(struct p2v_dec *d, const char *what);

#endif
