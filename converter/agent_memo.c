/* agent_memo.c: the agent as this process last uploaded it (agent_pack.h).
 *
 * Every channel of a run logs in to the same source, which unpacks the
 * same forms. Loading, checking and compressing the agent again for each
 * one held two or three copies of it per channel at once (5 channels:
 * 10 MB more at the peak) and cost a gzip each where the source had no
 * xz. The first upload's bytes are kept, set once and never changed, and
 * dropped when the run knows no other channel will open. */
#include "agent_pack.h"
#include <pthread.h>

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    bool set;
    char *path;
    off_t size;
    char form[8];
    struct p2v_buf bytes;
    unsigned users;   /* uploads sending the bytes now */
} memo;

void agent_memo_keep(const char *path, off_t size, const char *form, struct p2v_buf *bytes)
{
    pthread_mutex_lock(&memo_lock);
    if (!memo.set && strlen(form) < sizeof(memo.form)) {
        memo.set = true;
        memo.path = p2v_xstrdup(path);
        memo.size = size;
        snprintf(memo.form, sizeof(memo.form), "%s", form);
        memo.bytes = *bytes;   /* taken: the caller's buffer is emptied */
        p2v_buf_init(bytes, bytes->max);
    }
    pthread_mutex_unlock(&memo_lock);
}

const struct p2v_buf *agent_memo_take(const char *path, off_t size, const char *form)
{
    const struct p2v_buf *b = NULL;
    pthread_mutex_lock(&memo_lock);
    if (memo.set && memo.size == size && strcmp(memo.path, path) == 0 &&
        strcmp(memo.form, form) == 0) {
        memo.users++;
        b = &memo.bytes;
    }
    pthread_mutex_unlock(&memo_lock);
    return b;
}

bool agent_memo_has(const char *path, off_t size)
{
    pthread_mutex_lock(&memo_lock);
    bool has = memo.set && memo.size == size && strcmp(memo.path, path) == 0;
    pthread_mutex_unlock(&memo_lock);
    return has;
}

void agent_memo_give_back(void)
{
    pthread_mutex_lock(&memo_lock);
    if (memo.users)
        memo.users--;
    pthread_mutex_unlock(&memo_lock);
}

void agent_memo_drop(void)
{
    pthread_mutex_lock(&memo_lock);
    if (memo.set && !memo.users) {
        free(memo.path);
        p2v_buf_release(&memo.bytes);
        memset(&memo, 0, sizeof(memo));
    }
    pthread_mutex_unlock(&memo_lock);
}
