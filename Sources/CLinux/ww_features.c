// Host capability probes for `ww features`; see ww_features.h for the contract.
#define _GNU_SOURCE
#include "ww_features.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444   // same number on every architecture
#endif
#define WW_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define WW_LANDLOCK_CREATE_RULESET_ERRATA (1U << 1)

int ww_landlock_abi(void) {
    long r = syscall(__NR_landlock_create_ruleset, NULL, 0, WW_LANDLOCK_CREATE_RULESET_VERSION);
    return r < 0 ? -errno : (int)r;
}

int ww_landlock_errata(void) {
    long r = syscall(__NR_landlock_create_ruleset, NULL, 0, WW_LANDLOCK_CREATE_RULESET_ERRATA);
    return r < 0 ? -errno : (int)r;
}

int ww_seccomp_flags_accepted(unsigned int flags) {
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
    if (r >= 0) return 1;              // cannot happen with a NULL program; treat as accepted
    if (errno == EFAULT) return 1;     // flags passed validation, then the NULL program faulted
    if (errno == EINVAL) return 0;
    return -errno;
}

int ww_seccomp_action_available(unsigned int action) {
    long r = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
    if (r == 0) return 1;
    if (errno == EOPNOTSUPP) return 0;
    return -errno;
}

// Reads one int the child reported; -1 if the child died first.
static int read_report(int fd, int *value) {
    ssize_t n;
    do { n = read(fd, value, sizeof *value); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *value ? 0 : -1;
}

static void reap(pid_t pid) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

int ww_seccomp_listener_trial(unsigned int flags) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(p[0]); close(p[1]); return -e; }
    if (pid == 0) {
        // Child: only async-signal-safe calls from here on.
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = { .len = 1, .filter = &allow };
        int e = 0;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) e = errno;
        else if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) e = errno;
        (void)!write(p[1], &e, sizeof e);
        _exit(0);
    }
    close(p[1]);
    int e = 0;
    int got = read_report(p[0], &e);
    close(p[0]);
    reap(pid);
    if (got < 0) return -ECHILD;
    if (e == 0) return 1;
    if (e == EINVAL) return 0;
    return -e;
}

// Writes s to path in full; 0 or errno.
static int write_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t len = strlen(s);
    ssize_t n = write(fd, s, len);
    int e = (n == (ssize_t)len) ? 0 : (n < 0 ? errno : EIO);
    close(fd);
    return e;
}

int ww_userns_trial(int *error) {
    char uid_map[64], gid_map[64];
    // Formatted before the child exists: snprintf is not async-signal-safe.
    snprintf(uid_map, sizeof uid_map, "0 %u 1\n", (unsigned)geteuid());
    snprintf(gid_map, sizeof gid_map, "0 %u 1\n", (unsigned)getegid());
    *error = 0;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { *error = errno; return WW_USERNS_STEP_FORK; }
    // A fork-like clone straight into a new user namespace, as bwrap creates its own.
    long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
    if (pid < 0) {
        int e = errno;
        close(p[0]); close(p[1]);
        *error = e;
        return (e == EAGAIN || e == ENOMEM) ? WW_USERNS_STEP_FORK : WW_USERNS_STEP_CLONE;
    }
    if (pid == 0) {
        // Child, already in the new namespace: raw syscalls only, then _exit.
        int report[2] = { WW_USERNS_OK, 0 };
        int e = write_file("/proc/self/setgroups", "deny");
        if (e != 0 && e != ENOENT) {   // ENOENT: kernels before 3.19 have no setgroups file
            report[0] = WW_USERNS_STEP_SETGROUPS; report[1] = e;
        } else if ((e = write_file("/proc/self/uid_map", uid_map)) != 0) {
            report[0] = WW_USERNS_STEP_UID_MAP; report[1] = e;
        } else if ((e = write_file("/proc/self/gid_map", gid_map)) != 0) {
            report[0] = WW_USERNS_STEP_GID_MAP; report[1] = e;
        } else if (unshare(CLONE_NEWNS) < 0) {
            report[0] = WW_USERNS_STEP_MOUNT_NS; report[1] = errno;
        }
        (void)!write(p[1], report, sizeof report);
        _exit(0);
    }
    close(p[1]);
    int report[2] = { WW_USERNS_STEP_FORK, ECHILD };
    ssize_t n;
    do { n = read(p[0], report, sizeof report); } while (n < 0 && errno == EINTR);
    close(p[0]);
    reap((pid_t)pid);
    if (n != (ssize_t)sizeof report) { *error = ECHILD; return WW_USERNS_STEP_FORK; }
    *error = report[1];
    return report[0];
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ww_probe_run_capture(const char *const argv[], char *buf, size_t cap, int timeout_ms) {
    if (cap == 0) return -EINVAL;
    buf[0] = '\0';
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);   // dup2 clears CLOEXEC on the copies
    posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) { close(p[0]); return -rc; }

    size_t used = 0;
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) { kill(pid, SIGKILL); break; }
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) { kill(pid, SIGKILL); break; }
        char chunk[4096];
        ssize_t n = read(p[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;   // EOF: the child closed its output
        size_t room = cap - 1 - used;
        size_t take = (size_t)n < room ? (size_t)n : room;
        memcpy(buf + used, chunk, take);
        used += take;
    }
    buf[used] = '\0';
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -errno;
    }
    return status;
}
