#ifndef WW_EXEC_H
#define WW_EXEC_H
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

// Exec resolution in a sandboxed process's own view of the file system (the supervisor's ExecResolver).

// openat2(root, path, O_PATH|O_NOFOLLOW|O_CLOEXEC, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): one step of
// a walk whose earlier components are already resolved; the last component is not followed. fd or -errno.
int ww_exec_open_in_root(int root, const char *path);
// open(path, O_PATH|O_CLOEXEC), following links (for /proc/PID/root and magic links of the target's
// procfs, whose target is an object, not a path). fd or -errno.
int ww_exec_open_following(const char *path);
// openat(dir, name, O_PATH|O_CLOEXEC) following the final link: used only on a procfs magic link.
int ww_exec_follow_magic(int dir, const char *name);

struct ww_exec_stat {
    int kind;           // 0 regular, 1 directory, 2 symlink, 3 other
    int on_procfs;      // the file lives on a procfs
    uint64_t inode;
    uint64_t links;     // 0: deleted or a memfd (no path reaches it)
};
// fstat + fstatfs of an O_PATH descriptor; 0 or -errno.
int ww_exec_stat(int fd, struct ww_exec_stat *out);
// readlinkat(fd, "") of an O_PATH descriptor on a symlink; length or -errno (not NUL-terminated).
ssize_t ww_exec_readlink(int fd, char *buf, size_t len);
// Reads up to len bytes from the start of the file an O_PATH descriptor names (reopened read-only
// through /proc/self/fd); count or -errno.
ssize_t ww_exec_read_head(int fd, void *buf, size_t len);
#endif
