/* test_exclude.c: exclusion of a listed path (transfer_excluded*): a path
 * is out when it or a directory above it matches, and remembering the
 * last clean directory (as the listing does) never changes an answer. */
#include "common.h"
#include "tap.h"
#include "transfer.h"

static char *patterns[] = {"/proc/*", "/var/run/*", "/tmp/p2v-agent.*",
                           "/var/cache/apt/archives/*.deb", "/srv/*/*.swp", "/srv/skip"};
#define NPAT (sizeof(patterns) / sizeof(patterns[0]))

struct listed {
    const char *path;
    bool dir, out;
};

/* Depth first, as the agent lists; a hostile agent may also list what is
 * below an excluded directory, which must stay out. */
static const struct listed listing[] = {
    {"proc", true, false},
    {"proc/1", true, true},
    {"proc/1/status", false, true},
    {"srv", true, false},
    {"srv/keep", true, false},
    {"srv/keep/a.swp", false, true},
    {"srv/keep/b", false, false},
    {"srv/skip", true, true},
    {"srv/skip/x", false, true},
    {"srv/skip/y", true, true},
    {"srv/skip/y/z", false, true},
    {"srv/skipped", false, false},
    {"tmp", true, false},
    {"tmp/p2v-agent.abc", true, true},
    {"tmp/p2v-agent.abc/p2v-agent", false, true},
    {"tmp/other", false, false},
    {"var", true, false},
    {"var/cache", true, false},
    {"var/cache/apt", true, false},
    {"var/cache/apt/archives", true, false},
    {"var/cache/apt/archives/a.deb", false, true},
    {"var/cache/apt/archives/partial", true, false},
    {"var/run", true, false},
    {"var/run/x", false, true},
    {"var/run.d", false, false},
};

int main(void)
{
    struct excl_memo memo = {0};
    for (size_t i = 0; i < sizeof(listing) / sizeof(listing[0]); i++) {
        const struct listed *l = &listing[i];
        size_t len = strlen(l->path);
        bool plain = transfer_excluded(patterns, NPAT, l->path, len);
        bool kept = transfer_excluded_memo(patterns, NPAT, &memo, l->path, len, l->dir);
        ok(plain == l->out && kept == l->out, "/%s %s (plain %d, remembered %d)", l->path,
           l->out ? "excluded" : "kept", plain, kept);
    }
    ok(!transfer_excluded(patterns, NPAT, "", 0), "the root is never excluded");
    ok(!transfer_excluded(NULL, 0, "proc/1", 6), "no patterns: nothing excluded");
    free(memo.dir);
    return tap_done();
}
