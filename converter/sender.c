/* sender.c: the writer thread of the transfer (see sender.h). */
#include "sender.h"
#include "frame.h"
#include "error.h"
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

struct sender_msg {
    struct sender_msg *next;
    size_t len;
    unsigned char data[];
};

/* Write every byte of iov[0..n), advancing through partial writes. */
static int writev_all(int fd, struct iovec *iov, int n, uint64_t *count)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        *count += (uint64_t)w;
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* Everything queued goes out in as few writes as it can (up to BATCH
 * messages each): many small requests become one ssh packet, not one
 * packet each. */
#define BATCH 64

static void *run(void *arg)
{
    struct sender *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stop)
            pthread_cond_wait(&s->cond, &s->lock);
        if (!s->head)
            break;
        struct sender_msg *batch[BATCH];
        struct iovec iov[BATCH];
        int n = 0;
        while (s->head && n < BATCH) {
            struct sender_msg *m = s->head;
            s->head = m->next;
            if (!s->head)
                s->tail = NULL;
            s->queued_bytes -= m->len;
            batch[n] = m;
            iov[n].iov_base = m->data;
            iov[n].iov_len = m->len;
            n++;
        }
        pthread_mutex_unlock(&s->lock);
        uint64_t wrote = 0;
        int rc = s->failed ? 0 : writev_all(s->fd, iov, n, &wrote);
        for (int i = 0; i < n; i++)
            free(batch[i]);
        pthread_mutex_lock(&s->lock);
        s->bytes += wrote;
        if (rc < 0 && !s->failed) {
            s->failed = true;
            s->error = -rc;
        }
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int sender_start(struct sender *s, int fd)
{
    memset(s, 0, sizeof(*s));
    /* our own descriptor: the session may close its copy while this
     * thread still writes, and a reused number must never be written */
    s->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (s->fd < 0)
        return p2v_error_set_errno(errno, "duplicate the agent's input");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    int rc = pthread_create(&s->thread, NULL, run, s);
    if (rc != 0)
        return p2v_error_set_errno(rc, "start the sender thread");
    s->started = true;
    return 0;
}

int sender_queue(struct sender *s, uint16_t type, const void *payload, size_t len)
{
    if (len > P2V_FRAME_MAX)
        return p2v_error_set("internal: frame of %zu bytes exceeds %u", len, P2V_FRAME_MAX);
    struct sender_msg *m = p2v_xmalloc(sizeof(*m) + P2V_FRAME_HDR + len);
    m->next = NULL;
    m->len = P2V_FRAME_HDR + len;
    unsigned char *h = m->data;
    p2v_frame_header(h, type, len);
    if (len)
        memcpy(h + P2V_FRAME_HDR, payload, len);
    pthread_mutex_lock(&s->lock);
    bool failed = s->failed;
    int err = s->error;
    if (!failed) {
        if (s->tail)
            s->tail->next = m;
        else
            s->head = m;
        s->tail = m;
        s->queued_bytes += m->len;
        s->type_out[type < P2V_FRAME_TYPES ? type : P2V_FRAME_TYPES - 1] += m->len;
        pthread_cond_signal(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    if (failed) {
        free(m);
        return p2v_error_set_errno(err, "write to the agent");
    }
    return 0;
}

int sender_stop(struct sender *s)
{
    if (!s->started)
        return 0;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    s->started = false;
    close(s->fd);
    s->fd = -1;
    while (s->head) {
        struct sender_msg *m = s->head;
        s->head = m->next;
        free(m);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    if (s->failed)
        return p2v_error_set_errno(s->error, "write to the agent");
    return 0;
}

uint64_t sender_bytes(struct sender *s)
{
    pthread_mutex_lock(&s->lock);
    uint64_t b = s->bytes;
    pthread_mutex_unlock(&s->lock);
    return b;
}
