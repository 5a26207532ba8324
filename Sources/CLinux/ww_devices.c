#define _GNU_SOURCE
#include "ww_devices.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

// The child's work. Forked from a multi-threaded process: only system calls, no allocation.
static int change(int mnt_ns_fd, const char *stage, const char *name, int add, int allow_regular, int *step) {
    // The user namespace owning the sandbox's mounts (bwrap's outer one, when the game runs in a nested one).
    int userns = ioctl(mnt_ns_fd, NS_GET_USERNS);
    if (userns < 0) { *step = WW_DEVICE_STEP_USERNS; return errno; }
    if (setns(userns, CLONE_NEWUSER) != 0) { *step = WW_DEVICE_STEP_SETNS_USER; return errno; }
    if (setns(mnt_ns_fd, CLONE_NEWNS) != 0) { *step = WW_DEVICE_STEP_SETNS_MNT; return errno; }

    // name: "hidraw3" or "input/event7".
    const char *slash = strchr(name, '/');
    char folder[64] = {0};
    const char *leaf = name;
    if (slash) {
        size_t n = (size_t)(slash - name);
        if (n == 0 || n >= sizeof folder || strchr(slash + 1, '/')) { *step = WW_DEVICE_STEP_FOLDER; return EINVAL; }
        memcpy(folder, name, n);
        leaf = slash + 1;
    }
    if (leaf[0] == 0 || leaf[0] == '.') { *step = WW_DEVICE_STEP_FOLDER; return EINVAL; }

    // /dev is the sandbox's own tmpfs (a mount point: the game cannot replace it); its folder is opened
    // without following a link, and every later step is relative to it.
    int dev = open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dev < 0) { *step = WW_DEVICE_STEP_DEV; return errno; }
    int dir = dev;
    if (folder[0]) {
        if (add && mkdirat(dev, folder, 0755) != 0 && errno != EEXIST) { *step = WW_DEVICE_STEP_FOLDER; return errno; }
        dir = openat(dev, folder, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir < 0) { *step = WW_DEVICE_STEP_FOLDER; return errno; }
    }
    struct stat folder_st, st;
    if (fstat(dir, &folder_st) != 0) { *step = WW_DEVICE_STEP_FOLDER; return errno; }

    if (!add) {
        if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) { *step = WW_DEVICE_STEP_UNMOUNT; return errno; }
        if (st.st_dev != folder_st.st_dev) {
            // A mount (bwrap's at start or ours): unmounted from inside the folder, by its bare name.
            if (fchdir(dir) != 0) { *step = WW_DEVICE_STEP_UNMOUNT; return errno; }
            if (umount2(leaf, MNT_DETACH | UMOUNT_NOFOLLOW) != 0) { *step = WW_DEVICE_STEP_UNMOUNT; return errno; }
            if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) { *step = WW_DEVICE_STEP_UNLINK; return errno; }
        }
        // The empty file the mount stood on.
        if (S_ISREG(st.st_mode) && st.st_dev == folder_st.st_dev && unlinkat(dir, leaf, 0) != 0) { *step = WW_DEVICE_STEP_UNLINK; return errno; }
        return 0;
    }

    if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (st.st_dev != folder_st.st_dev) return EEXIST;    // already shown
        // Something else under that name (only possible without Landlock): it goes.
        if (unlinkat(dir, leaf, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0) { *step = WW_DEVICE_STEP_PLACEHOLDER; return errno; }
    }

    // The staged host folder: behind a tmpfs no one but a holder of CAP_DAC_OVERRIDE here may enter.
    char path[4096];
    size_t sl = strlen(stage);
    if (sl + 5 >= sizeof path) { *step = WW_DEVICE_STEP_STAGE; return ENAMETOOLONG; }
    memcpy(path, stage, sl);
    memcpy(path + sl, "/dev", 5);
    int staged = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (staged < 0) { *step = WW_DEVICE_STEP_STAGE; return errno; }
    int tree = (int)syscall(SYS_open_tree, staged, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
    if (tree < 0) { *step = WW_DEVICE_STEP_CLONE; return errno; }
    if (fstat(tree, &st) != 0) { *step = WW_DEVICE_STEP_KIND; return errno; }
    if (!S_ISCHR(st.st_mode) && !(allow_regular && S_ISREG(st.st_mode))) { *step = WW_DEVICE_STEP_KIND; return ENODEV; }

    int placeholder = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (placeholder < 0) { *step = WW_DEVICE_STEP_PLACEHOLDER; return errno; }
    close(placeholder);
    if (syscall(SYS_move_mount, tree, "", dir, leaf, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        int e = errno;
        unlinkat(dir, leaf, 0);
        *step = WW_DEVICE_STEP_MOUNT;
        return e;
    }
    return 0;
}

int ww_device_change(int mnt_ns_fd, const char *stage, const char *name, int add, int allow_regular, int *step) {
    *step = 0;
    int result[2] = {0, 0};
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) { *step = WW_DEVICE_STEP_FORK; return errno; }
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(p[0]); close(p[1]); *step = WW_DEVICE_STEP_FORK; return e; }
    if (pid == 0) {
        close(p[0]);
        // Nothing of the parent's signal handling applies here.
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        int s = 0;
        int e = change(mnt_ns_fd, stage, name, add, allow_regular, &s);
        int out[2] = {e, s};
        ssize_t w = write(p[1], out, sizeof out);
        (void)w;
        _exit(0);
    }
    close(p[1]);
    ssize_t n;
    do { n = read(p[0], result, sizeof result); } while (n < 0 && errno == EINTR);
    close(p[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    if (n != (ssize_t)sizeof result) { *step = WW_DEVICE_STEP_FORK; return ECHILD; }
    *step = result[1];
    return result[0];
}
