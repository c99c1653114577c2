/* test_pathset.c: the set of listed paths (digests, not copies): every
 * path added is found, no other is, byte strings with NULs and slashes
 * included, across the growth of the table. */
#include "common.h"
#include "pathset.h"
#include "tap.h"

#include <stdio.h>

int main(void)
{
    struct pathset s;
    pathset_init(&s);
    ok(!pathset_has(&s, "etc", 3), "an empty set has nothing");
    pathset_add(&s, "", 0);
    ok(pathset_has(&s, "", 0), "the root (empty path) is found");

    enum { N = 200000 };
    char p[64];
    for (int i = 0; i < N; i++) {
        int n = snprintf(p, sizeof(p), "srv/data/dir%03d/file%06d", i % 977, i);
        pathset_add(&s, p, (size_t)n);
    }
    is_int((long long)s.count, N + 1, "every distinct path counted once");
    int missing = 0, extra = 0;
    for (int i = 0; i < N; i++) {
        int n = snprintf(p, sizeof(p), "srv/data/dir%03d/file%06d", i % 977, i);
        missing += !pathset_has(&s, p, (size_t)n);
        n = snprintf(p, sizeof(p), "srv/data/dir%03d/file%06d", (i + 1) % 977, i);
        extra += pathset_has(&s, p, (size_t)n);
    }
    is_int(missing, 0, "all %d added paths are found", N);
    is_int(extra, 0, "no path that was not added is found");

    pathset_add(&s, "srv/data/dir000/file000000", 26);
    is_int((long long)s.count, N + 1, "adding a path again changes nothing");

    /* names are bytes: a NUL or a prefix makes another path */
    pathset_add(&s, "a\0b", 3);
    ok(pathset_has(&s, "a\0b", 3), "a path with a NUL byte");
    ok(!pathset_has(&s, "a", 1), "its prefix before the NUL is another path");
    ok(!pathset_has(&s, "a\0c", 3), "and so is a path differing after the NUL");
    ok(s.count * 4 <= s.cap * 3, "the table stays at most three quarters full (%zu of %zu)",
       s.count, s.cap);
    pathset_release(&s);
    ok(!pathset_has(&s, "", 0), "a released set is empty");
    return tap_done();
}
