/* placeholder.c: removed when the node sources land. */
#include "common.h"
int p2vnode_placeholder(void);
int p2vnode_placeholder(void) { return 0; }
