/* wstr.c: UTF-16 <-> UTF-8 and Win32 error text (see wstr.h). */
/* Windows headers first: they use functions banned.h poisons. */
#include <windows.h>
#include "wstr.h"
#include "buf.h"

char *win_utf8n(const wchar_t *w, size_t n)
{
    struct p2v_buf b = P2V_BUF_INIT(SIZE_MAX / 2);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = (uint16_t)w[i];
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && (uint16_t)w[i + 1] >= 0xdc00 &&
            (uint16_t)w[i + 1] < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + ((uint16_t)w[i + 1] - 0xdc00);
            i++;
        }
        if (c < 0x80) {
            p2v_buf_addc(&b, (char)c);
        } else if (c < 0x800) {
            p2v_buf_addc(&b, (char)(0xc0 | (c >> 6)));
            p2v_buf_addc(&b, (char)(0x80 | (c & 0x3f)));
        } else if (c < 0x10000) {   /* includes unpaired surrogates (WTF-8) */
            p2v_buf_addc(&b, (char)(0xe0 | (c >> 12)));
            p2v_buf_addc(&b, (char)(0x80 | ((c >> 6) & 0x3f)));
            p2v_buf_addc(&b, (char)(0x80 | (c & 0x3f)));
        } else {
            p2v_buf_addc(&b, (char)(0xf0 | (c >> 18)));
            p2v_buf_addc(&b, (char)(0x80 | ((c >> 12) & 0x3f)));
            p2v_buf_addc(&b, (char)(0x80 | ((c >> 6) & 0x3f)));
            p2v_buf_addc(&b, (char)(0x80 | (c & 0x3f)));
        }
    }
    if (!b.data)
        return p2v_xstrdup("");
    return p2v_buf_detach(&b);
}

char *win_utf8(const wchar_t *w)
{
    return win_utf8n(w, w ? wcslen(w) : 0);
}

wchar_t *win_utf16(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = p2v_xcalloc((size_t)n, sizeof(wchar_t));
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return NULL;
    }
    return w;
}

const char *win_strerror(unsigned long code)
{
    static char msg[512];
    wchar_t wmsg[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)code, 0, wmsg, P2V_ARRAY_LEN(wmsg), NULL);
    while (n && (wmsg[n - 1] == L'\n' || wmsg[n - 1] == L'\r' || wmsg[n - 1] == L' '))
        n--;
    char *u = win_utf8n(wmsg, n);
    snprintf(msg, sizeof(msg), "%s%s(error %lu)", u, n ? " " : "", code);
    free(u);
    return msg;
}
