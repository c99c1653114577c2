/* wstr.h: UTF-16 (Windows) <-> UTF-8 (the protocol and JSON).
 *
 * Windows names are UTF-16 and may hold unpaired surrogates; the protocol
 * carries UTF-8. win_utf8 converts strictly where it can and otherwise
 * writes each unpaired surrogate as its WTF-8 bytes, so that a name is
 * never lost (the JSON writer then escapes what is not valid UTF-8). */
#ifndef P2V_WIN_WSTR_H
#define P2V_WIN_WSTR_H

#include "common.h"
#include <wchar.h>

/* malloc'd UTF-8 of the NUL-terminated w; never NULL. */
char *win_utf8(const wchar_t *w);
/* The same for n UTF-16 units (no terminator needed). */
char *win_utf8n(const wchar_t *w, size_t n);
/* malloc'd UTF-16 of UTF-8 s, or NULL if s is not valid UTF-8. */
wchar_t *win_utf16(const char *s);
/* The message of a Win32 error code, in a static buffer ("Access is denied. (5)"). */
const char *win_strerror(unsigned long code);

#endif
