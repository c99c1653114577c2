/* serve.h: answer the node's requests on a pair of CRT descriptors. */
#ifndef P2V_WIN_SERVE_H
#define P2V_WIN_SERVE_H
#include "common.h"
int agent_serve(int in_fd, int out_fd, uint32_t proto_max);
#endif
