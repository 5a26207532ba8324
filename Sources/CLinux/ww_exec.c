#define _GNU_SOURCE
#include "ww_exec.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int ww_exec_open_in_root(int root, const char *path) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
    return fd >= 0 ? fd : -errno;
}

int ww_exec_open_following(const char *path) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int ww_exec_follow_magic(int dir, const char *name) {
    int fd = openat(dir, name, O_PATH | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int ww_exec_stat(int fd, struct ww_exec_stat *out) {
    struct stat st;
    struct statfs sf;
    if (fstat(fd, &st) != 0 || fstatfs(fd, &sf) != 0) return -errno;
    out->kind = S_ISREG(st.st_mode) ? 0 : S_ISDIR(st.st_mode) ? 1 : S_ISLNK(st.st_mode) ? 2 : 3;
    out->on_procfs = sf.f_type == PROC_SUPER_MAGIC;
    out->inode = st.st_ino;
    out->links = st.st_nlink;
    return 0;
}

ssize_t ww_exec_readlink(int fd, char *buf, size_t len) {
    ssize_t n = readlinkat(fd, "", buf, len);
    return n >= 0 ? n : -errno;
}

ssize_t ww_exec_read_head(int fd, void *buf, size_t len) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int file = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (file < 0) return -errno;
    ssize_t n = pread(file, buf, len, 0);
    int e = errno;
    close(file);
    return n >= 0 ? n : -e;
}
