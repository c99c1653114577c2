/* ctfs.h: editing files inside a copied container, from the node (#4).
 *
 * The conversion rewrites a few files of the migrated tree (network
 * configs, hostname, fstab, ...). The tree came from a server we do not
 * trust, so every path is resolved as the container itself would see it,
 * with the private area as its root: openat2 RESOLVE_IN_ROOT (a symlink to
 * "/etc/x" or "../../x" stays inside), no magic links, no other file
 * system. Where openat2 is missing, a walk that refuses every symlink.
 * Nothing from the tree is ever executed.
 *
 * Paths are container paths: "/etc/hostname". Every change is atomic (a
 * temporary name beside the file, then rename), keeps a backup the first
 * time a file is touched, and is recorded in the change list that
 * p2vmigrate prints and logs. A rerun after an incremental sync (which
 * restores the source's files and removes the backups) does the same
 * changes again, so the conversion is repeatable.
 *
 * Backups: an edited file keeps its old content as PATH.migsave (the
 * Virtuozzo convention). A file that must leave its directory because
 * something reads the whole directory (ifcfg-*, *.network, keyfiles,
 * rc?.d links) moves to DIR/.migsave/NAME: dot-directories are skipped by
 * every reader we know of.
 *
 * Returns: 0 done, 1 where said (absent / nothing to do), -1 after
 * p2v_error_set() naming the container path. */
#ifndef P2V_CTFS_H
#define P2V_CTFS_H

#include "common.h"
#include "buf.h"
#include <sys/stat.h>

#define CTFS_BACKUP_SUFFIX ".migsave"
#define CTFS_BACKUP_DIR ".migsave"
/* files read for editing are small config files: refuse anything larger */
#define CTFS_READ_MAX ((size_t)4 << 20)

struct ctfs_change {
    char *path;      /* container path */
    char *what;      /* "rewritten", "disabled", "created", "note", ... */
    char *why;       /* one line for the administrator */
};

struct ctfs {
    int root_fd;
    char *root;                 /* private area on the node */
    struct ctfs_change *changes;
    size_t nchanges;
};

int ctfs_open(struct ctfs *c, const char *private_dir);
void ctfs_close(struct ctfs *c);

/* lstat of PATH (final component not followed): 0, 1 absent, -1 error */
int ctfs_lstat(struct ctfs *c, const char *path, struct stat *st);
/* stat following symlinks inside the container: 0, 1 absent/dangling */
int ctfs_stat(struct ctfs *c, const char *path, struct stat *st);
/* Read a regular file (symlinks followed inside the container): 0, 1 when
 * absent, dangling or not a regular file, -1 on error or > CTFS_READ_MAX. */
int ctfs_read(struct ctfs *c, const char *path, struct p2v_buf *out);
/* Target of a symlink: 0 (malloc'd *out), 1 absent or not a symlink. */
int ctfs_readlink(struct ctfs *c, const char *path, char **out);
/* Sorted names in a directory (no "." or ".."): 0, 1 absent. Free with
 * p2v_strv_free. */
int ctfs_list(struct ctfs *c, const char *dir, char ***names, size_t *n);

/* Replace PATH with DATA. An existing file keeps owner and mode and is
 * backed up as PATH.migsave (unless that exists: the first backup is the
 * original); a new file gets MODE, owner root. A symlink at PATH is
 * replaced by the file (and backed up as a symlink). Unchanged content is
 * not rewritten and returns 1. Missing parent directories are created. */
int ctfs_write(struct ctfs *c, const char *path, const char *data, size_t len, mode_t mode,
               const char *why);
/* Set a KEY=value style line: the first line starting with PREFIX becomes
 * LINE (appended when there is none). An absent file is created only if
 * CREATE, else 1. 1 also when nothing changes. */
int ctfs_set_line(struct ctfs *c, const char *path, const char *prefix, const char *line,
                  bool create, const char *why);
/* Make PATH a symlink to TARGET (backup as above); 1 if already so. */
int ctfs_symlink(struct ctfs *c, const char *path, const char *target, const char *why);
/* Move PATH (file, symlink) to DIR/.migsave/NAME; 1 if absent. */
int ctfs_disable(struct ctfs *c, const char *path, const char *why);
/* mkdir -p inside the container, mode for new directories */
int ctfs_mkdirs(struct ctfs *c, const char *path, mode_t mode);
/* Create a device node / FIFO if PATH is absent; 1 if something is there. */
int ctfs_mknod(struct ctfs *c, const char *path, mode_t mode, dev_t dev, const char *why);

/* Undo, for the next pass (ctfs_revert.c): put PATH.migsave back over
 * PATH; remove what we created (a directory only if empty); bring back a
 * disabled file from DIR/.migsave/NAME. 1 when there is nothing to undo. */
int ctfs_restore(struct ctfs *c, const char *path);
int ctfs_remove_created(struct ctfs *c, const char *path);
int ctfs_enable(struct ctfs *c, const char *path);

/* Record a line for the change list without touching anything: what
 * could not be done, or what was left as it was and why. */
void ctfs_note(struct ctfs *c, const char *path, const char *fmt, ...)
    P2V_PRINTF(3, 4);

/* Helpers for text edits. */
/* true if PATH exists (lstat) */
bool ctfs_exists(struct ctfs *c, const char *path);
void p2v_strv_free(char **v, size_t n);

#endif
