#define _GNU_SOURCE
#include "ww_process.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/openat2.h>
#include <time.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <spawn.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int ww_signalfd_block(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int ww_signalfd_read(int fd, int *signo, int *code, int *sender_pid) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n != sizeof info) return -1;
    *signo = (int)info.ssi_signo;
    *code = info.ssi_code;
    *sender_pid = (int)info.ssi_pid;
    return 1;
}

// Parent side of fork+exec: the CLOEXEC pipe closes on a successful exec, or carries the child's errno.
static int wait_for_exec(pid_t pid, int status_pipe[2], pid_t *pid_out, int *failed_step) {
    close(status_pipe[1]);
    int report[2] = { 0, -1 };   // errno, step
    ssize_t n;
    do { n = read(status_pipe[0], report, sizeof report); } while (n < 0 && errno == EINTR);
    close(status_pipe[0]);
    if (n >= (ssize_t)sizeof report[0]) {
        int st;
        waitpid(pid, &st, 0);
        if (failed_step) *failed_step = n == (ssize_t)sizeof report ? report[1] : -1;
        return report[0];
    }
    *pid_out = pid;
    return 0;
}

// Async-signal-safe decimal "N N 1" for uid_map/gid_map.
static int write_id_map(const char *file, unsigned id) {
    char digits[16], line[48];
    int nd = 0, k = 0;
    do { digits[nd++] = (char)('0' + id % 10); id /= 10; } while (id && nd < 15);
    for (int rep = 0; rep < 2; rep++) {
        for (int i = nd - 1; i >= 0; i--) line[k++] = digits[i];
        line[k++] = ' ';
    }
    line[k++] = '1';
    line[k++] = '\n';
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t w = write(fd, line, (size_t)k);
    close(fd);
    return w == k ? 0 : -1;
}

// In the child, before exec: a user and mount namespace of its own (the same uid and gid inside),
// then each overlay mounted. Returns 0, or -1 with errno set and *step naming what failed.
static int setup_overlays(const char *const *options, const char *const *targets, int n, int *step) {
    unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
    *step = 0;
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return -1;
    *step = 1;
    int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) { ssize_t w = write(fd, "deny", 4); (void)w; close(fd); }
    *step = 2;
    if (write_id_map("/proc/self/uid_map", uid) != 0) return -1;
    *step = 3;
    if (write_id_map("/proc/self/gid_map", gid) != 0) return -1;
    *step = 4;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;
    for (int i = 0; i < n; i++) {
        *step = 10 + i;
        if (mount("overlay", targets[i], "overlay", 0, options[i]) != 0) return -1;
    }
    return 0;
}

int ww_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
             const int *ignored, int nignored, pid_t *pid_out) {
    return ww_spawn_with_overlays(path, argv, envp, fds, nfds, ignored, nignored, NULL, NULL, 0, pid_out, NULL);
}

int ww_spawn_with_overlays(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                           const int *ignored, int nignored, const char *const *overlay_options,
                           const char *const *overlay_targets, int noverlays, pid_t *pid_out, int *failed_step) {
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) return errno;
    // Move every passed descriptor above the target range so the dup2 sequence cannot clobber one.
    int high[64];
    if (nfds > 64) return E2BIG;
    for (int i = 0; i < nfds; i++) {
        high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + nfds + 1);
        if (high[i] < 0) { int e = errno; for (int j = 0; j < i; j++) close(high[j]); close(status_pipe[0]); close(status_pipe[1]); return e; }
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        for (int i = 0; i < nfds; i++) close(high[i]);
        close(status_pipe[0]); close(status_pipe[1]);
        return e;
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls from here on.
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig == SIGKILL || sig == SIGSTOP) continue;
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = SIG_DFL;
            for (int k = 0; k < nignored; k++) if (ignored[k] == sig) sa.sa_handler = SIG_IGN;
            sigaction(sig, &sa, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int step = -1;
        if (noverlays > 0 && setup_overlays(overlay_options, overlay_targets, noverlays, &step) != 0) {
            int report[2] = { errno, step };
            ssize_t w = write(status_pipe[1], report, sizeof report);
            (void)w;
            _exit(125);
        }
        // The status pipe may sit in the target range: move it above first.
        if (status_pipe[1] < 3 + nfds + 1) {
            int moved = fcntl(status_pipe[1], F_DUPFD_CLOEXEC, 3 + nfds + 1);
            if (moved < 0) goto fail;
            status_pipe[1] = moved;
        }
        for (int i = 0; i < nfds; i++) {
            if (high[i] == 3 + i) { if (fcntl(high[i], F_SETFD, 0) < 0) goto fail; continue; }
            if (dup2(high[i], 3 + i) < 0) goto fail;   // dup2 leaves the new descriptor inheritable
        }
        // Everything above the passed range closes at exec (the status pipe too, which signals success).
        if (syscall(SYS_close_range, 3 + nfds, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) goto fail;
        execve(path, argv, envp);
    fail:;
        int e = errno;
        ssize_t ignored_result = write(status_pipe[1], &e, sizeof e);
        (void)ignored_result;
        _exit(127);
    }
    for (int i = 0; i < nfds; i++) close(high[i]);
    return wait_for_exec(pid, status_pipe, pid_out, failed_step);
}

int ww_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int ww_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

int ww_control_pair(int sv[2]) {
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    int on = 1;
    return setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

ssize_t ww_send_with_credentials(int fd, const void *buf, size_t len) {
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(struct ucred))]; } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred cred = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
    memcpy(CMSG_DATA(c), &cred, sizeof cred);
    ssize_t n;
    do { n = sendmsg(fd, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n;
}

ssize_t ww_recv_with_pid(int fd, void *buf, size_t len, pid_t *pid, int dontwait) {
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 4)]; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    *pid = 0;
    ssize_t n;
    do { n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | (dontwait ? MSG_DONTWAIT : 0)); } while (n < 0 && errno == EINTR);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            *pid = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            // Descriptors are not part of this protocol: close any that arrive.
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *fds = (int *)CMSG_DATA(c);
            for (int i = 0; i < count; i++) close(fds[i]);
        }
    }
    return n;
}

int ww_open_path_nofollow(const char *path) { return open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC); }

int ww_open_beneath(int dirfd, const char *rel) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
}

int ww_fd_is_symlink(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return 0;
    return S_ISLNK(st.st_mode) ? 1 : 0;
}

int ww_close_from(int low) { return (int)syscall(SYS_close_range, low, ~0U, 0); }

int ww_set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

void ww_reset_signals(void) {
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigaction(sig, &sa, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}


#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>


static int read_children(pid_t pid, pid_t *out, int count, int max);

int ww_list_children(pid_t *out, int max) { return read_children(getpid(), out, 0, max); }

#include <sys/mman.h>
int ww_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

static int read_children(pid_t pid, pid_t *out, int count, int max) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (!tasks) return count;
    struct dirent *t;
    while ((t = readdir(tasks)) && count < max) {
        if (t->d_name[0] == '.') continue;
        char file[128];
        snprintf(file, sizeof file, "/proc/%d/task/%s/children", (int)pid, t->d_name);
        FILE *f = fopen(file, "re");
        if (!f) continue;
        long p;
        while (count < max && fscanf(f, "%ld", &p) == 1) out[count++] = (pid_t)p;
        fclose(f);
    }
    closedir(tasks);
    return count;
}

int ww_list_descendants(pid_t root, pid_t *out, int max) {
    int count = read_children(root, out, 0, max);
    for (int i = 0; i < count && count < max; i++) count = read_children(out[i], out, count, max);
    return count;
}

int ww_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig) == 0 ? 0 : errno;
}

int ww_kill_all_descendants(int rounds) {
    static pid_t pids[65536];
    int killed = 0;
    for (int r = 0; r < rounds; r++) {
        int n = ww_list_descendants(getpid(), pids, (int)(sizeof pids / sizeof pids[0]));
        int live = 0;
        for (int i = 0; i < n; i++) if (kill(pids[i], SIGKILL) == 0) { live++; killed++; }
        // Reap what died (zombies stay listed as children until then); a new fork is caught next round.
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        if (n == 0) break;
        if (live == 0) { struct timespec t = { 0, 1000000 }; nanosleep(&t, NULL); }
    }
    return killed;
}

static size_t put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); return 4; }
static size_t put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); return 8; }

int ww_fork_exec_game_setup(const char *path, char *const argv[], const struct ww_game_setup *s, pid_t *pid_out) {
    extern char **environ;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return errno;
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) return errno;
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(status_pipe[0]); close(status_pipe[1]); return e; }
    if (pid == 0) {
        // Child: one thread, raw syscalls only, until execve.
        ww_reset_signals();
        struct ww_landlock_result r;
        memset(&r, 0, sizeof r);
        r.failed_rule = -1;
        if (s->landlock_mode != 0) {
            if (ww_landlock_apply(s->rules, s->nrules, s->handled, s->scoped, s->restrict_flags, &r) != 0 && r.failed_errno == 0)
                r.failed_errno = EINVAL;
        }
        int listener = -1;
        int listener_errno = -1;
        if (s->filter && s->filter_len > 0) {
            listener = ww_seccomp_load_listener(s->filter, s->filter_len);
            listener_errno = listener >= 0 ? 0 : -listener;
        }
        uint8_t msg[1 + 4 + 8 + 8 + 4 * 7];
        size_t n = 0;
        msg[n++] = s->status_tag;
        n += put32(msg + n, (uint32_t)r.abi);
        n += put64(msg + n, r.handled_fs);
        n += put64(msg + n, r.scoped);
        n += put32(msg + n, r.restrict_flags);
        n += put32(msg + n, (uint32_t)r.rules_added);
        n += put32(msg + n, (uint32_t)r.rules_missing);
        n += put32(msg + n, (uint32_t)r.failed_errno);
        n += put32(msg + n, (uint32_t)r.failed_step);
        n += put32(msg + n, (uint32_t)listener_errno);
        n += put32(msg + n, (uint32_t)listener);
        // The filter may watch sendmsg (network = observe), and its listener is not with ww yet: a
        // descriptor passed by sendmsg would wait on itself. ww takes the listener with pidfd_getfd
        // instead (this process must be dumpable for that, as the game will be after exec), and the
        // status goes by send(), which no filter watches.
        if (listener >= 0) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        ssize_t sent = send(s->control, msg, n, MSG_NOSIGNAL);
        uint8_t ack = 0;
        ssize_t got = -1;
        if (sent == (ssize_t)n) {
            do { got = recv(s->control, &ack, 1, 0); } while (got < 0 && errno == EINTR);
        }
        if (listener >= 0) close(listener);
        // ww refused (or is gone): the game does not start. 125 = ww failed.
        if (got != 1 || ack != s->ack_tag) _exit(125);
        // Nothing of ww passes to the game: every descriptor above stdio closes at exec.
        syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
        execve(path, argv, environ);
        int e = errno;
        ssize_t ignored_result = write(status_pipe[1], &e, sizeof e);
        (void)ignored_result;
        _exit(127);
    }
    return wait_for_exec(pid, status_pipe, pid_out, NULL);
}

int ww_set_nondumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

// A copy of descriptor `fd` of process `pid` (pidfd_getfd, close-on-exec), or -errno.
// pidfd_open of a process or, for a thread that is not the leader, of that thread (PIDFD_THREAD).
static int ww_pidfd_any(pid_t pid) {
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0 || errno != EINVAL) return pidfd;
    // A thread: the descriptors are its process's, found through Tgid.
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) { errno = ESRCH; return -1; }
    buf[n] = 0;
    char *t = strstr(buf, "\nTgid:");
    if (!t) { errno = ESRCH; return -1; }
    pid_t tgid = (pid_t)strtol(t + 6, NULL, 10);
    return (int)syscall(SYS_pidfd_open, tgid, 0);
}

int ww_take_fd(pid_t pid, int fd) {
    int pidfd = ww_pidfd_any(pid);
    if (pidfd < 0) return -errno;
    int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    int e = errno;
    close(pidfd);
    return copy >= 0 ? copy : -e;
}

int ww_wait_exited(pid_t *pid, int *killed, int *status, char *name, size_t name_len) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -errno;
    if (info.si_pid == 0) return 0;
    *pid = info.si_pid;
    *killed = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
    *status = info.si_status;
    name[0] = 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)info.si_pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, name, name_len - 1);
        close(fd);
        if (n > 0) { name[n] = 0; if (name[n - 1] == '\n') name[n - 1] = 0; }
    }
    return 1;
}

#include <linux/capability.h>

// A network bridge inside the sandbox: its own process group (so stopping it also stops the
// children it forked per connection), default signals, nothing inherited beyond 0-2.
int ww_spawn_bridge(const char *path, char *const argv[], pid_t *pid_out) {
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        syscall(SYS_close_range, 3, ~0U, 0);
        char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
        execve(path, argv, envp);
        _exit(127);
    }
    *pid_out = pid;
    return 0;
}

// Every capability gone (permitted, effective, inheritable, ambient): what bwrap kept for the
// helper to start the bridges is not passed on to the game.
int ww_drop_capabilities(void) {
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    return syscall(SYS_capset, &header, data) == 0 ? 0 : errno;
}

#include <sys/un.h>
// bind() to a pathname unix socket; -1 with errno ENAMETOOLONG when the path does not fit.
int ww_bind_unix(int fd, const char *path) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) { errno = ENAMETOOLONG; return -1; }
    strcpy(a.sun_path, path);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

// The type and protocol of descriptor `fd` of process `pid` (a copy taken with pidfd_getfd, closed
// again): 0, or an errno (the process is gone, the descriptor is not a socket, no ptrace access).
int ww_socket_kind(pid_t pid, int fd, int *type, int *protocol) {
    int copy = ww_take_fd(pid, fd);
    if (copy < 0) return -copy;
    socklen_t len = sizeof(int);
    int e = 0;
    if (getsockopt(copy, SOL_SOCKET, SO_TYPE, type, &len) != 0) e = errno;
    len = sizeof(int);
    if (e == 0 && getsockopt(copy, SOL_SOCKET, SO_PROTOCOL, protocol, &len) != 0) *protocol = 0;
    close(copy);
    return e;
}

// Socket inodes of process `pid` ("socket:[N]" links under /proc/PID/fd); count, at most `max`.
static int ww_socket_inodes(pid_t pid, unsigned long *out, int max) {
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char path[128], link[64];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ssize_t l = readlink(path, link, sizeof link - 1);
        if (l <= 0) continue;
        link[l] = 0;
        unsigned long inode;
        if (sscanf(link, "socket:[%lu]", &inode) == 1) out[n++] = inode;
    }
    closedir(d);
    return n;
}

// The process among `candidates` that owns the TCP client socket connected to `server_pid`'s
// accepted socket on local port `port` (a bridge's fork serving one game connection), read from
// /proc/SERVER/net/tcp (the sandbox's network namespace). Its pid, or 0 when not found.
// The candidate holding the socket with this inode, or 0.
static pid_t socket_owner(unsigned long inode, const pid_t *candidates, int ncandidates) {
    unsigned long theirs[256];
    for (int c = 0; c < ncandidates; c++) {
        int n = ww_socket_inodes(candidates[c], theirs, 256);
        for (int i = 0; i < n; i++) if (theirs[i] == inode) return candidates[c];
    }
    return 0;
}

pid_t ww_tcp_client_of(pid_t server_pid, int port, const pid_t *candidates, int ncandidates) {
    unsigned long mine[64];
    int nmine = ww_socket_inodes(server_pid, mine, 64);
    if (nmine == 0) return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/net/tcp", (int)server_pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    char line[512];
    unsigned lport, rport, clientPort = 0;
    unsigned long inode, clientInode = 0;
    char st[8];
    long start = ftell(f);
    for (int pass = 0; pass < 2; pass++) {
        fseek(f, start, SEEK_SET);
        if (!fgets(line, sizeof line, f)) break;   // header
        while (fgets(line, sizeof line, f)) {
            unsigned a, b;
            if (sscanf(line, " %*d: %x:%x %x:%x %7s %*s %*s %*s %*s %*s %lu", &a, &lport, &b, &rport, st, &inode) != 6) continue;
            if (pass == 0 && (int)lport == port) {
                for (int i = 0; i < nmine; i++) if (mine[i] == inode) clientPort = rport;
            } else if (pass == 1 && clientPort && lport == clientPort && (int)rport == port) {
                clientInode = inode;
            }
        }
        if (pass == 0 && !clientPort) break;
    }
    fclose(f);
    if (!clientInode) return 0;
    return socket_owner(clientInode, candidates, ncandidates);
}

#include <sys/xattr.h>
int ww_xattr_first_byte(const char *path, const char *name) {
    unsigned char b = 0;
    ssize_t n = lgetxattr(path, name, &b, 1);
    return n >= 1 ? (int)b : -1;
}

pid_t ww_peer_pid(int fd) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return 0;
    return cred.pid;
}

pid_t ww_udp_client_of(pid_t netns_pid, int port, const pid_t *candidates, int ncandidates) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/net/udp", (int)netns_pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    char line[512];
    unsigned long found = 0;
    int count = 0;
    if (fgets(line, sizeof line, f)) {   // header
        while (fgets(line, sizeof line, f)) {
            unsigned laddr, lport, raddr, rport, st;
            unsigned long inode;
            if (sscanf(line, " %*d: %x:%x %x:%x %x %*s %*s %*s %*s %*s %lu", &laddr, &lport, &raddr, &rport, &st, &inode) != 6) continue;
            // A resolver's socket connected to 127.0.0.1:port (state 01: connected UDP).
            if (st == 1 && raddr == 0x0100007FU && (int)rport == port && inode) { found = inode; count++; }
        }
    }
    fclose(f);
    if (count != 1) return 0;   // none, or several asking at once: not knowable which one this is
    return socket_owner(found, candidates, ncandidates);
}

#include <sys/eventfd.h>

int ww_wake_fd(void) {
    return eventfd(0, EFD_CLOEXEC);
}

// A listening stream socket at `path`, mode 0600, non-blocking, close-on-exec; -1 and errno.
int ww_unix_listen(const char *path, int backlog) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    unlink(path);
    mode_t old = umask(0177);
    int r = ww_bind_unix(fd, path);
    umask(old);
    if (r != 0 || listen(fd, backlog) != 0) { int e = errno; close(fd); errno = e; return -1; }
    return fd;
}

// A non-blocking, close-on-exec connection to the stream socket at `path`; -1 and errno.
int ww_unix_connect(const char *path) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) { errno = ENAMETOOLONG; return -1; }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { int e = errno; close(fd); errno = e; return -1; }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

// The uid of the process at the other end of a unix socket (SO_PEERCRED); -1 when unknown.
long ww_peer_uid(int fd) {
    struct ucred c;
    socklen_t len = sizeof c;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0) return -1;
    return (long)c.uid;
}

// Lowers the calling thread's priority (its own nice value, Linux threads have one); 0 or -1.
int ww_thread_nice(int value) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), value);
}

// Closing the last descriptor of an inotify instance waits for the kernel's SRCU grace period
// (fsnotify_destroy_group): 0.1 to 20 ms. A short-lived /bin/true is given a copy (as its fd 3,
// stdio /dev/null, nothing else) so that its exit is the last close, and the caller's close is cheap.
int ww_close_detached(int fd) {
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) return close(fd);
    int ok = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) == 0
        && posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) == 0
        && posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) == 0
        && posix_spawn_file_actions_adddup2(&fa, fd, 3) == 0
        && posix_spawn_file_actions_addclosefrom_np(&fa, 4) == 0;
    pid_t pid = -1;
    char *argv[] = {"true", NULL};
    char *envp[] = {NULL};
    if (ok) ok = posix_spawn(&pid, "/bin/true", &fa, NULL, argv, envp) == 0;
    posix_spawn_file_actions_destroy(&fa);
    (void)ok;
    return close(fd);
}
