/* test_quota_file.c: converter/quota_file.c against real quota files.
 *
 * The fixtures (tests/fixtures/quota/) were made by quota-tools under
 * Debian's kernel in qemu; expected.txt is what repquota said about them.
 * Then corrupt, truncated and looping variants must fail cleanly, and
 * random damage must never crash (run it under -DP2V_SANITIZE=ON).
 *
 *   test_quota_file                 the TAP test
 *   test_quota_file --dump FILE     print FILE parsed, in expected.txt's form
 *                                   (tests/integration/quota-qemu.sh uses it) */
#include "common.h"
#include "error.h"
#include "quota_file.h"
#include "tap.h"
#include <inttypes.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = p2v_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = p2v_xrealloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static int dump(const char *path)
{
    size_t len;
    unsigned char *d = slurp(path, &len);
    if (!d) {
        fprintf(stderr, "test_quota_file: cannot read %s\n", path);
        return 1;
    }
    struct quota_table t;
    int rc = quota_file_parse(d, len, &t);
    free(d);
    if (rc < 0) {
        fprintf(stderr, "test_quota_file: %s: %s\n", path, p2v_error_message());
        return 1;
    }
    static const char *types[] = {"user", "group", "project"};
    printf("%s %s %u %u %zu\n", t.format, t.type >= 0 && t.type <= 2 ? types[t.type] : "unknown",
           t.bgrace, t.igrace, t.count);
    for (size_t i = 0; i < t.count; i++) {
        const struct quota_entry *e = &t.entries[i];
        printf("%" PRIu32 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRIu64 " %" PRIu64
               " %" PRIu64 " %" PRId64 "\n",
               e->id, (e->curspace + 1023) / 1024, e->bsoft, e->bhard, e->btime, e->curinodes,
               e->isoft, e->ihard, e->itime);
    }
    quota_table_release(&t);
    return 0;
}

/* ---- the fixtures against expected.txt ---- */

static void check_fixture(FILE *exp, const char *rel, const char *fmt, const char *type,
                          unsigned bgrace, unsigned igrace, size_t count)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/quota/%s", P2V_FIXTURES, rel);
    size_t len;
    unsigned char *d = slurp(path, &len);
    ok(d != NULL, "read %s", rel);
    struct quota_table t;
    int rc = d ? quota_file_parse(d, len, &t) : -1;
    free(d);
    if (!ok(rc == 0, "%s parses", rel)) {
        printf("#   %s\n", p2v_error_message());
        return;
    }
    is_str(t.format, fmt, "%s format", rel);
    int want_type = !strcmp(fmt, "vfsold") ? -1 : !strcmp(type, "user") ? 0 : 1;
    is_int(t.type, want_type, "%s type", rel);
    is_int(t.bgrace, bgrace, "%s block grace", rel);
    is_int(t.igrace, igrace, "%s inode grace", rel);
    is_int(t.count, count, "%s entry count", rel);
    for (size_t i = 0; i < count; i++) {
        unsigned long long id, used, bs, bh, ui, is, ih;
        long long bt, it;
        char line[512];
        if (!fgets(line, sizeof(line), exp) ||
            sscanf(line, "%llu %llu %llu %llu %lld %llu %llu %llu %lld", &id, &used, &bs, &bh, &bt,
                   &ui, &is, &ih, &it) != 9) {
            ok(0, "expected.txt: entry line for %s", rel);
            break;
        }
        const struct quota_entry *e = i < t.count ? &t.entries[i] : NULL;
        if (!ok(e && e->id == id, "%s entry %zu is id %llu", rel, i, id))
            continue;
        bool same = e->curspace == used * 1024 && e->bsoft == bs && e->bhard == bh &&
                    e->btime == bt && e->curinodes == ui && e->isoft == is && e->ihard == ih &&
                    e->itime == it;
        if (!ok(same, "%s id %llu: limits, usage and timers", rel, id))
            printf("#   got %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRIu64 " %" PRIu64
                   " %" PRIu64 " %" PRId64 "\n",
                   e->curspace, e->bsoft, e->bhard, e->btime, e->curinodes, e->isoft, e->ihard,
                   e->itime);
    }
    quota_table_release(&t);
}

static int test_fixtures(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/quota/expected.txt", P2V_FIXTURES);
    FILE *exp = fopen(path, "r");
    if (!ok(exp != NULL, "open expected.txt"))
        return 0;
    char line[512];
    int files = 0;
    while (fgets(line, sizeof(line), exp)) {
        char rel[128], fmt[16], type[16];
        unsigned bg, ig;
        size_t n;
        if (line[0] == '#' || strncmp(line, "file ", 5))
            continue;
        if (sscanf(line, "file %127s %15s %15s %u %u %zu", rel, fmt, type, &bg, &ig, &n) != 6) {
            ok(0, "expected.txt: bad line %s", line);
            continue;
        }
        check_fixture(exp, rel, fmt, type, bg, ig, n);
        files++;
    }
    fclose(exp);
    is_int(files, 6, "six fixture files (vfsv0, vfsv1, vfsold; user and group)");
    return files;
}

/* ---- damaged inputs ---- */

static unsigned char *fixture(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/quota/%s", P2V_FIXTURES, rel);
    unsigned char *d = slurp(path, len);
    if (!d) {
        printf("# cannot read %s\n", path);
        exit(1);
    }
    return d;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Expect a failure whose message mentions `what`. */
static void rejects(const unsigned char *d, size_t len, const char *what, const char *name)
{
    struct quota_table t;
    p2v_error_clear();
    int rc = quota_file_parse(d, len, &t);
    if (!ok(rc == -1, "%s is rejected", name)) {
        quota_table_release(&t);
        return;
    }
    const char *msg = p2v_error_message();
    if (!ok(msg && strstr(msg, what), "%s: error says \"%s\"", name, what))
        printf("#   error was: %s\n", msg ? msg : "(none)");
    ok(t.entries == NULL && t.count == 0, "%s leaves an empty table", name);
}

/* First non-zero reference in tree block `blk`, or 0. */
static uint32_t first_ref(const unsigned char *d, uint32_t blk, int *slot)
{
    for (int i = 0; i < 256; i++) {
        uint32_t r = get32(d + blk * 1024u + 4u * i);
        if (r) {
            *slot = i;
            return r;
        }
    }
    return 0;
}

static void test_damage(const char *rel)
{
    size_t len;
    unsigned char *orig = fixture(rel, &len);
    unsigned char *d = p2v_xmalloc(len);
    char name[160];

    rejects(orig, 0, "empty", "an empty file");
    rejects(orig, 1500, "whole number", "a v2 file cut mid-block");
    rejects(orig, 1024, "too short", "a v2 file of one block");
    snprintf(name, sizeof(name), "%s cut to 3 blocks", rel);
    rejects(orig, 3072, "outside", name);

    memcpy(d, orig, len);
    put32(d + 4, 7);
    rejects(d, len, "version 7", "an unknown v2 version");

    memcpy(d, orig, len);
    put32(d, 0xd9c0ffffu);
    rejects(d, len, "unknown v2 magic", "an unknown v2 magic");

    /* root -> a depth-1 block; make that block refer to itself */
    int s1 = 0, s2 = 0, s3 = 0;
    uint32_t b1 = first_ref(orig, 1, &s1);
    memcpy(d, orig, len);
    put32(d + b1 * 1024u + 4u * ((s1 + 1) % 256), b1);
    snprintf(name, sizeof(name), "%s with a tree loop", rel);
    rejects(d, len, "reached twice", name);

    memcpy(d, orig, len);
    put32(d + 1024u + 4u * ((s1 + 1) % 256), 1);
    snprintf(name, sizeof(name), "%s with a reference to the root", rel);
    rejects(d, len, "outside", name);

    memcpy(d, orig, len);
    put32(d + 1024u + 4u * ((s1 + 1) % 256), 0x7fffffffu);
    snprintf(name, sizeof(name), "%s with a reference past the end", rel);
    rejects(d, len, "outside", name);

    /* walk down to the data block of the first id */
    uint32_t b2 = first_ref(orig, b1, &s2);
    uint32_t b3 = first_ref(orig, b2, &s3);
    int s4;
    uint32_t data = first_ref(orig, b3, &s4);
    ok(b1 && b2 && b3 && data, "%s: found a path to a data block", rel);

    memcpy(d, orig, len);
    put32(d + b3 * 1024u + 4u * ((s4 + 1) % 256), b2);
    snprintf(name, sizeof(name), "%s with a leaf pointing at a tree block", rel);
    rejects(d, len, "both a tree block and a data block", name);

    memcpy(d, orig, len);
    put32(d + 1024u + 4u * ((s1 + 1) % 256), data);
    snprintf(name, sizeof(name), "%s with a data block used as a tree block", rel);
    rejects(d, len, "reached twice", name);

    memcpy(d, orig, len);
    d[data * 1024u + 8] = 200;
    snprintf(name, sizeof(name), "%s with an impossible entry count", rel);
    rejects(d, len, "claims 200 entries", name);

    memcpy(d, orig, len);
    memset(d + data * 1024u + 16, 0, 1024 - 16);
    snprintf(name, sizeof(name), "%s with an emptied data block", rel);
    rejects(d, len, "has no entry", name);

    /* every truncation to whole blocks fails cleanly or parses */
    int clean = 1;
    for (size_t cut = 0; cut < len; cut += 1024) {
        struct quota_table t;
        if (quota_file_parse(orig, cut, &t) == 0)
            quota_table_release(&t);
        else if (!p2v_error_message() || !*p2v_error_message())
            clean = 0;
    }
    ok(clean, "%s: every truncation gives a result or a message", rel);

    /* random damage: never crash (ASan/UBSan builds check the rest) */
    unsigned seed = 12345;
    int parsed = 0, failed = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(d, orig, len);
        int flips = 1 + round % 8;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            d[at] ^= (unsigned char)(1u << ((seed >> 16) % 8));
        }
        struct quota_table t;
        if (quota_file_parse(d, len, &t) == 0) {
            parsed++;
            quota_table_release(&t);
        } else {
            failed++;
        }
    }
    ok(parsed + failed == 3000, "%s: 3000 damaged copies: %d parsed, %d rejected", rel, parsed,
       failed);
    free(d);
    free(orig);
}

static void test_old_format(void)
{
    /* a 32-bit source's vfsold file: 32-byte entries, 32-bit timers */
    unsigned char d[32 * 4] = {0};
    put32(d + 24, 3600);        /* id 0 btime: block grace */
    put32(d + 28, 60);          /* id 0 itime: inode grace */
    put32(d + 3 * 32 + 0, 900); /* id 3 bhard */
    put32(d + 3 * 32 + 4, 800); /* id 3 bsoft */
    put32(d + 3 * 32 + 8, 5);   /* id 3 curblocks */
    put32(d + 3 * 32 + 12, 9);  /* id 3 ihard */
    struct quota_table t;
    /* 128 bytes is also 40-byte-free: only the 32-byte layout fits */
    int rc = quota_file_parse(d, sizeof(d), &t);
    ok(rc == 0, "a 32-byte-entry vfsold file parses");
    if (rc == 0) {
        is_str(t.format, "vfsold", "vfsold format");
        is_int(t.type, -1, "vfsold type is unknown");
        is_int(t.bgrace, 3600, "vfsold block grace from id 0");
        is_int(t.igrace, 60, "vfsold inode grace from id 0");
        is_int(t.count, 1, "vfsold: only id 3 has data");
        if (t.count == 1) {
            is_int(t.entries[0].id, 3, "vfsold id");
            is_int(t.entries[0].bhard, 900, "vfsold bhard");
            is_int(t.entries[0].curspace, 5 * 1024, "vfsold curspace in bytes");
        }
        quota_table_release(&t);
    }
    rejects(d, 7, "not a whole number", "a 7-byte file");
    ok(quota_file_parse(NULL, 0, &t) == -1, "no data is rejected");
    /* project quota files have their own magic */
    size_t len;
    unsigned char *v = fixture("vfsv1/aquota.user", &len);
    put32(v, 0xd9c03f14u);
    rc = quota_file_parse(v, len, &t);
    ok(rc == 0 && t.type == 2, "a project-quota magic gives type 2");
    if (rc == 0)
        quota_table_release(&t);
    free(v);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump"))
        return dump(argv[2]);
    if (argc != 1) {
        fprintf(stderr, "usage: test_quota_file [--dump FILE]\n");
        return 2;
    }
    test_fixtures();
    test_damage("vfsv0/aquota.user");
    test_damage("vfsv1/aquota.group");
    test_old_format();
    quota_table_release(NULL);
    return tap_done();
}
