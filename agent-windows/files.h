/* files.h: the Windows agent's file server (docs/protocol.md, steps 6, 7).
 *
 * The same answers as agent-linux/files.h, from Win32 calls:
 *   files_list  LIST_REQ: walk the base (FindFirstFileW under "\\?\"),
 *               names UTF-16 -> UTF-8, directories and regular files as
 *               entries; reparse points, alternate data streams and
 *               explicit ACLs as LIST_WARN (never dropped silently);
 *               LIST_END with the exact count. Never compressed.
 *   files_send  FILE_REQ: WHOLE as FILE_DATA chunks; DELTA and RESUME with
 *               a librsync-format delta made here without librsync
 *               (files_delta.c), then the raw tail.
 * Problems with one path are answered in-band; -1 only when the
 * connection or the protocol failed. The agent only reads the source. */
#ifndef P2V_WIN_FILES_H
#define P2V_WIN_FILES_H

#include "frame.h"
#include <wchar.h>

struct files_state {
    wchar_t *base;     /* "\\?\C:\data" of the last LIST_REQ, NULL before any */
};

int files_list(struct p2v_conn *c, struct files_state *st, const void *p, size_t n);
int files_send(struct p2v_conn *c, struct files_state *st, const void *p, size_t n);
void files_state_release(struct files_state *st);

/* The Windows directory a LIST_REQ base names, as a malloc'd "\\?\" path
 * without a trailing backslash (but "\\?\C:\" for a drive's root):
 *   "C:\data", "C:/data", "c:"  the path itself;
 *   "/c/data", "/C:/data"       drive C, then the rest;
 *   "/"                         the system drive's root (%SystemDrive%).
 * NULL (and p2v_error) for anything else: relative or UNC paths. */
wchar_t *files_map_base(const char *base);

/* FILETIME (100 ns since 1601) as Unix seconds and nanoseconds. */
void files_unix_time(const void *filetime, int64_t *sec, uint32_t *nsec);

/* The delta of the first `limit` bytes of a file against a librsync
 * signature (files_delta.c). */
struct files_sig;
struct files_sig *files_sig_parse(const void *sig, size_t len, char *why, size_t whylen);
void files_sig_free(struct files_sig *s);
/* read(ctx, buf, n, off) reads n bytes at off: returns the count read (short
 * only at end of file) or -1. emit(ctx, p, n) sends delta bytes (-1 stops). */
typedef long long (*files_read_fn)(void *ctx, char *buf, size_t n, uint64_t off);
typedef int (*files_emit_fn)(void *ctx, const void *p, size_t n);
/* 0 done, 1 short read (the file shrank; *got says where), -1 read error,
 * -2 emit failed. */
int files_delta(const struct files_sig *s, uint64_t limit, files_read_fn rd, files_emit_fn emit,
                void *ctx, uint64_t *got);

#endif
