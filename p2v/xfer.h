/* xfer.h: the transfer messages (docs/protocol.md, steps 6 and 7).
 *
 *   LIST_REQ  node->agent  base, roots, excludes: walk and list
 *   LIST_DATA agent->node  a batch of entries (entry.h)
 *   LIST_WARN agent->node  a path that could not be listed fully, and why
 *   LIST_END  agent->node  totals
 *   FILE_REQ  node->agent  send file `id` (whole, delta or resume)
 *   FILE_SIG  node->agent  the basis signature (librsync), in chunks
 *   FILE_DATA agent->node  raw bytes at an offset
 *   FILE_HOLE agent->node  a hole (sparse file) at an offset
 *   FILE_DELTA agent->node librsync delta stream, in chunks
 *   FILE_END  agent->node  status and the file's stat after reading
 *
 * Requests are pipelined: the node keeps many FILE_REQ in flight and the
 * agent answers them in order. */
#ifndef P2V_XFER_H
#define P2V_XFER_H

#include "entry.h"

enum {
    P2V_MSG_LIST_REQ = 32,
    P2V_MSG_LIST_DATA = 33,
    P2V_MSG_LIST_WARN = 34,
    P2V_MSG_LIST_END = 35,
    P2V_MSG_FILE_REQ = 36,
    P2V_MSG_FILE_SIG = 37,
    P2V_MSG_FILE_DATA = 38,
    P2V_MSG_FILE_HOLE = 39,
    P2V_MSG_FILE_DELTA = 40,
    P2V_MSG_FILE_END = 41,
    P2V_MSG_FILE_ZDATA = 42,   /* FILE_DATA whose bytes are one zstd frame */
    P2V_MSG_FILE_ZDELTA = 43,  /* FILE_DELTA whose bytes are one zstd frame */
    P2V_MSG_LIST_ZDATA = 44,   /* a LIST_DATA payload as one zstd frame */
};

/* LIST_REQ flags. */
#define P2V_LIST_COMPRESS (1u << 0)   /* send data and deltas zstd-compressed */
#define P2V_LIST_ZLIST (1u << 1)      /* send listing batches zstd-compressed */

#define P2V_CAP_FILES (1u << 1)
/* The agent ends a DELTA or RESUME answer with a sum (p2v/filesum.h,
 * XXH3-128) of the bytes its delta describes, so the node may send short
 * block sums (delta.c). Bit 2 meant the same with BLAKE2b-128 sums: no
 * longer announced, and an agent that still sets it gets long sums. */
#define P2V_CAP_DELTA_SUM (1u << 3)
#define P2V_FILE_SUM_LEN 16u             /* XXH3-128 */
#define P2V_XFER_CHUNK (256u << 10)      /* data/delta/signature chunk */
#define P2V_LIST_ROOTS_MAX 4096u
#define P2V_EXCLUDES_MAX 4096u
#define P2V_SIG_MAX (64u << 20)          /* one file's signature */

enum p2v_file_method {
    P2V_FILE_WHOLE = 0,    /* send all data (holes as HOLE) */
    P2V_FILE_DELTA = 1,    /* delta of the whole file against the signature */
    P2V_FILE_RESUME = 2,   /* delta of [0, offset) against the signature of
                              the partial basis, then raw data from offset */
};

enum p2v_file_status {
    P2V_FILE_OK = 0,
    P2V_FILE_CHANGED = 1,  /* changed while it was read: content unreliable */
    P2V_FILE_VANISHED = 2,
    P2V_FILE_ERROR = 3,    /* unreadable: see message */
};

struct p2v_list_req {
    char *base;            /* the directory that is the container root ("/") */
    char **roots;          /* mount points whose contents are included */
    size_t nroots;
    char **excludes;       /* fnmatch patterns on "/"-prefixed relative paths */
    size_t nexcludes;
    uint32_t flags;
};

struct p2v_file_req {
    uint32_t id;
    char *path;
    size_t path_len;
    uint8_t method;
    uint64_t offset;
    uint64_t sig_len;
};

struct p2v_file_end {
    uint32_t id;
    uint8_t status;
    uint64_t size;
    int64_t mtime_sec;
    uint32_t mtime_nsec;
    char *message;
    uint8_t sum_len;       /* 0, or P2V_FILE_SUM_LEN for a delta's sum */
    unsigned char sum[P2V_FILE_SUM_LEN];
};

int p2v_list_req_encode(struct p2v_buf *out, const struct p2v_list_req *r);
int p2v_list_req_decode(const void *p, size_t n, struct p2v_list_req *r);
void p2v_list_req_clear(struct p2v_list_req *r);

int p2v_file_req_encode(struct p2v_buf *out, const struct p2v_file_req *r);
int p2v_file_req_decode(const void *p, size_t n, struct p2v_file_req *r);
void p2v_file_req_clear(struct p2v_file_req *r);

int p2v_file_end_encode(struct p2v_buf *out, const struct p2v_file_end *e);
int p2v_file_end_decode(const void *p, size_t n, struct p2v_file_end *e);

/* FILE_DATA / FILE_DELTA / FILE_SIG: u32 id, u64 offset, bytes (offset is 0
 * for DELTA and SIG). The chunk points into the input. */
int p2v_chunk_encode(struct p2v_buf *out, uint32_t id, uint64_t offset, const void *data, size_t n);
int p2v_chunk_decode(const void *p, size_t n, uint32_t *id, uint64_t *offset, const void **data,
                     size_t *len);
/* Receive the next FILE_SIG frame of file id, at most `left` bytes of
 * signature (the agent, while it reads a request's signature). Anything
 * else is answered with ERROR and returns -1 (p2v_error set); data points
 * into the connection's buffer until the next receive. */
struct p2v_conn;
int p2v_file_sig_recv(struct p2v_conn *c, uint32_t id, uint64_t left, const void **data,
                      size_t *len);
/* FILE_HOLE: u32 id, u64 offset, u64 length. */
int p2v_hole_encode(struct p2v_buf *out, uint32_t id, uint64_t offset, uint64_t length);
int p2v_hole_decode(const void *p, size_t n, uint32_t *id, uint64_t *offset, uint64_t *length);

/* zstd for one chunk (compress.c, and decompress.c, which the agent never
 * links). Compression appends to out and returns 0, or 1 when it would not
 * save anything; decompression refuses frames that do not state a size of
 * at most cap bytes. */
int p2v_chunk_compress(const void *in, size_t n, struct p2v_buf *out);
int p2v_chunk_decompress(const void *in, size_t n, void *out, size_t cap, size_t *outlen);

#endif
