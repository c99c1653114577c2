/* serve.h: answer the node's requests on a pair of descriptors. */
#ifndef P2V_AGENT_SERVE_H
#define P2V_AGENT_SERVE_H
#include "common.h"
int agent_serve(int in_fd, int out_fd, uint32_t proto_max);
#endif
