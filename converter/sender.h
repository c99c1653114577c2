/* sender.h: a thread that writes frames to the agent.
 *
 * The node pipelines requests while the agent streams data back. If the
 * reading thread also wrote, both sides could block on full pipes at
 * once; so requests go through an unbounded queue that this thread
 * drains, and the reader never waits on a write. */
#ifndef P2V_SENDER_H
#define P2V_SENDER_H

#include "buf.h"
#include "frame.h"
#include <pthread.h>

struct sender_msg;

struct sender {
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sender_msg *head, *tail;
    bool stop, failed, started;
    int error;              /* errno of the failed write */
    uint64_t bytes;         /* written so far */
    uint64_t type_out[P2V_FRAME_TYPES];   /* queued frame bytes by type */
    size_t queued_bytes;
};

int sender_start(struct sender *s, int fd);
/* Queue one frame (copied). Never blocks on the peer. */
int sender_queue(struct sender *s, uint16_t type, const void *payload, size_t len);
/* Wait until the queue is written (or failed), then stop the thread. */
int sender_stop(struct sender *s);
uint64_t sender_bytes(struct sender *s);

#endif
