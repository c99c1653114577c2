/* delayline: an ssh ProxyCommand that adds a fixed one-way delay to both
 * directions of a TCP connection, for benches and tests on kernels
 * without sch_netem (this CI's has none, and no sch_fq for BPF pacing).
 *
 *     ssh -o 'ProxyCommand=delayline --delay-ms 20 %h %p' ...
 *
 * Bytes read from stdin reach HOST:PORT DELAY ms later, and bytes from
 * HOST:PORT reach stdout DELAY ms later, so an ssh session through it sees
 * a round trip of twice DELAY on top of the wire's. That is what limits
 * one ssh channel (its window per round trip); TCP between this process
 * and the server still sees the short real RTT, so TCP's own window is
 * not emulated. A rate limit, where wanted, is tc tbf on the real wire.
 *
 * Each direction is a reader thread stamping chunks with their due time
 * and a writer thread sending them when due. The queue is bounded
 * (--queue-mb): when full the reader stops reading and the sender's TCP
 * window closes, as a full router buffer would push back. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MAX (256u << 10)

struct chunk {
    struct chunk *next;
    struct timespec due;
    size_t len;          /* 0: end of stream */
    char data[];
};

struct line {
    int in, out;
    bool out_is_socket;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct chunk *head, *tail;
    size_t queued, cap;
    long delay_ns;
};

static void die(const char *what)
{
    fprintf(stderr, "delayline: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void add_ns(struct timespec *t, long ns)
{
    t->tv_nsec += ns % 1000000000L;
    t->tv_sec += ns / 1000000000L + t->tv_nsec / 1000000000L;
    t->tv_nsec %= 1000000000L;
}

static void *reader(void *arg)
{
    struct line *l = arg;
    for (;;) {
        struct chunk *c = malloc(sizeof(*c) + CHUNK_MAX);
        if (!c)
            die("out of memory");
        ssize_t n;
        do
            n = read(l->in, c->data, CHUNK_MAX);
        while (n < 0 && errno == EINTR);
        c->len = n > 0 ? (size_t)n : 0;
        c->next = NULL;
        clock_gettime(CLOCK_MONOTONIC, &c->due);
        add_ns(&c->due, l->delay_ns);
        pthread_mutex_lock(&l->lock);
        while (l->queued >= l->cap)
            pthread_cond_wait(&l->cond, &l->lock);
        if (l->tail)
            l->tail->next = c;
        else
            l->head = c;
        l->tail = c;
        l->queued += c->len;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->lock);
        if (n <= 0)
            return NULL;
    }
}

static void *writer(void *arg)
{
    struct line *l = arg;
    for (;;) {
        pthread_mutex_lock(&l->lock);
        while (!l->head)
            pthread_cond_wait(&l->cond, &l->lock);
        struct chunk *c = l->head;
        pthread_mutex_unlock(&l->lock);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &c->due, NULL) == EINTR)
            ;
        if (c->len == 0) {
            if (l->out_is_socket)
                shutdown(l->out, SHUT_WR);
            else
                close(l->out);
            free(c);
            return NULL;
        }
        for (size_t off = 0; off < c->len;) {
            ssize_t w = write(l->out, c->data + off, c->len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                exit(0);   /* the other end went away: so does the line */
            off += (size_t)w;
        }
        pthread_mutex_lock(&l->lock);
        l->head = c->next;
        if (!l->head)
            l->tail = NULL;
        l->queued -= c->len;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->lock);
        free(c);
    }
}

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "delayline: %s port %s: %s\n", host, port, gai_strerror(rc));
        exit(1);
    }
    int fd = -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        die("connect");
    return fd;
}

static void usage(void)
{
    fprintf(stderr, "usage: delayline [--delay-ms MS] [--queue-mb MB] HOST PORT\n"
                    "  relays stdin/stdout to HOST:PORT, each direction delayed by MS\n"
                    "  milliseconds (default 20); for ssh's ProxyCommand\n");
    exit(2);
}

static long number(const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "delayline: `%s`: want a number from %ld to %ld\n", s, lo, hi);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long delay_ms = 20, queue_mb = 64;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--delay-ms") == 0)
            delay_ms = number(argv[i + 1], 0, 10000);
        else if (strcmp(argv[i], "--queue-mb") == 0)
            queue_mb = number(argv[i + 1], 1, 4096);
        else
            usage();
    }
    if (argc - i != 2)
        usage();
    int sock = connect_to(argv[i], argv[i + 1]);
    struct line up = {.in = STDIN_FILENO, .out = sock, .out_is_socket = true},
                down = {.in = sock, .out = STDOUT_FILENO};
    struct line *lines[] = {&up, &down};
    pthread_t t[4];
    for (int k = 0; k < 2; k++) {
        lines[k]->delay_ns = delay_ms * 1000000L;
        lines[k]->cap = (size_t)queue_mb << 20;
        pthread_mutex_init(&lines[k]->lock, NULL);
        pthread_cond_init(&lines[k]->cond, NULL);
        if (pthread_create(&t[2 * k], NULL, reader, lines[k]) != 0 ||
            pthread_create(&t[2 * k + 1], NULL, writer, lines[k]) != 0)
            die("pthread_create");
    }
    /* the session is over when the server's side has been delivered */
    pthread_join(t[3], NULL);
    return 0;
}
