/* banned.h: functions that invite overflows or hidden state (git's
 * banned.h). Use snprintf, p2v_buf_printf, memcpy with checked sizes,
 * strtok_r. Poisoning makes any later use a compile error. */
#ifndef P2V_BANNED_H
#define P2V_BANNED_H
#include <string.h>
#include <stdio.h>
#pragma GCC poison strcpy strcat sprintf vsprintf gets strtok
#endif
