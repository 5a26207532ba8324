// Landlock, seccomp user notification and fd passing; see ww_kernel.h for the contract.
// The kernel structs are declared here rather than taken from <linux/landlock.h> and
// <linux/seccomp.h>: Debian 12's headers predate Landlock ABI 4 and NOTIF_SET_FLAGS.
#define _GNU_SOURCE
#include "ww_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

// ---- kernel ABI ---------------------------------------------------------------------------------
#define WW_NR_landlock_create_ruleset 444  // same number on every architecture
#define WW_NR_landlock_add_rule       445
#define WW_NR_landlock_restrict_self  446
#ifndef SYS_seccomp
#define SYS_seccomp 317                    // x86_64
#endif

#define WW_LL_CREATE_VERSION  (1U << 0)
#define WW_LL_CREATE_ERRATA   (1U << 1)
#define WW_LL_RULE_PATH_BENEATH 1
#define WW_LL_ABI_MAX         7
#define WW_FALLTHROUGH __attribute__((fallthrough))
// Rights that make sense on a non-directory (the kernel rejects the others with EINVAL).
#define WW_LL_ACCESS_FILE (WW_LL_EXECUTE | WW_LL_WRITE_FILE | WW_LL_READ_FILE | WW_LL_TRUNCATE | WW_LL_IOCTL_DEV)
#define WW_LL_SCOPE_ALL   (WW_LL_SCOPE_ABSTRACT_UNIX | WW_LL_SCOPE_SIGNAL)
#define WW_LL_LOG_ALL     (WW_LL_LOG_SAME_EXEC_OFF | WW_LL_LOG_NEW_EXEC_ON | WW_LL_LOG_SUBDOMAINS_OFF)

struct ww_ll_ruleset_attr {         // 24 bytes; fields the running ABI lacks must stay zero
    uint64_t handled_access_fs;
    uint64_t handled_access_net;    // ABI 4 (never used here)
    uint64_t scoped;                // ABI 6
};

struct ww_ll_path_beneath_attr {    // 12 bytes
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#define WW_SECCOMP_SET_MODE_FILTER   1
#define WW_SECCOMP_GET_NOTIF_SIZES   3
#define WW_SECCOMP_FLAG_NEW_LISTENER        (1UL << 3)
#define WW_SECCOMP_FLAG_WAIT_KILLABLE_RECV  (1UL << 5)
#define WW_SECCOMP_NOTIF_RECV      0xc0502100UL
#define WW_SECCOMP_NOTIF_SEND      0xc0182101UL
#define WW_SECCOMP_NOTIF_ID_VALID  0x40082102UL
#define WW_SECCOMP_NOTIF_SET_FLAGS 0x40082104UL
#define WW_SECCOMP_USER_NOTIF_FLAG_CONTINUE 1U
#define WW_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1UL

struct ww_seccomp_data {
    int32_t nr;
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t args[6];
};

struct ww_seccomp_notif {           // 80 bytes; must be zeroed before NOTIF_RECV
    uint64_t id;
    uint32_t pid;
    uint32_t flags;
    struct ww_seccomp_data data;
};

struct ww_seccomp_notif_resp {      // 24 bytes
    uint64_t id;
    int64_t val;
    int32_t error;                  // negative errno, or 0
    uint32_t flags;
};

struct ww_seccomp_notif_sizes {
    uint16_t seccomp_notif;
    uint16_t seccomp_notif_resp;
    uint16_t seccomp_data;
};

_Static_assert(sizeof(struct ww_ll_ruleset_attr) == 24, "landlock_ruleset_attr");
_Static_assert(sizeof(struct ww_ll_path_beneath_attr) == 12, "landlock_path_beneath_attr");
_Static_assert(sizeof(struct ww_seccomp_notif) == 80, "seccomp_notif");
_Static_assert(sizeof(struct ww_seccomp_notif_resp) == 24, "seccomp_notif_resp");

// ---- Landlock -------------------------------------------------------------------------------
int ww_landlock_version(int *why_errno, int *errata) {
    if (why_errno) *why_errno = 0;
    if (errata) *errata = 0;
    long abi = syscall(WW_NR_landlock_create_ruleset, NULL, 0, WW_LL_CREATE_VERSION);
    if (abi <= 0) {
        if (why_errno) *why_errno = abi < 0 ? errno : EOPNOTSUPP;
        return 0;
    }
    if (errata) {
        long e = syscall(WW_NR_landlock_create_ruleset, NULL, 0, WW_LL_CREATE_ERRATA);
        *errata = e < 0 ? 0 : (int)e;   // EINVAL before the errata query existed
    }
    return abi > WW_LL_ABI_MAX ? WW_LL_ABI_MAX : (int)abi;
}

static int ll_fail(struct ww_landlock_result *out, int step, int err, int rule) {
    out->failed_step = step;
    out->failed_errno = err;
    out->failed_rule = rule;
    return -1;
}

int ww_landlock_apply(const struct ww_landlock_rule *rules, int nrules, uint64_t handled_fs,
                      uint64_t scoped, uint32_t restrict_flags, struct ww_landlock_result *out) {
    struct ww_landlock_result scratch;
    if (!out) out = &scratch;
    memset(out, 0, sizeof *out);
    out->failed_rule = -1;

    // Only bits this code knows about; anything newer is dropped like an unsupported ABI feature.
    handled_fs &= WW_LL_FS_ALL;
    scoped &= WW_LL_SCOPE_ALL;
    restrict_flags &= WW_LL_LOG_ALL;

    int why = 0;
    int abi = ww_landlock_version(&why, NULL);
    out->abi = abi;
    if (abi == 0) {
        if (handled_fs == 0 && scoped == 0) return 0;
        return ll_fail(out, 1, why, -1);
    }

    // Best-effort fallback (samples/landlock/sandboxer.c); deliberate fall-through.
    switch (abi) {
    case 1: handled_fs &= ~WW_LL_REFER;     WW_FALLTHROUGH;
    case 2: handled_fs &= ~WW_LL_TRUNCATE;  WW_FALLTHROUGH;
    case 3:                                 // ABI 4 adds net rights: never handled here
    case 4: handled_fs &= ~WW_LL_IOCTL_DEV; WW_FALLTHROUGH;
    case 5: scoped = 0;                     WW_FALLTHROUGH;
    case 6: restrict_flags = 0;             break;
    default: break;
    }
    out->handled_fs = handled_fs;
    out->scoped = scoped;
    out->restrict_flags = restrict_flags;
    if (handled_fs == 0 && scoped == 0) {
        out->restrict_flags = 0;
        return 0;                           // nothing to enforce
    }

    struct ww_ll_ruleset_attr attr = { .handled_access_fs = handled_fs, .handled_access_net = 0, .scoped = scoped };
    int ruleset = (int)syscall(WW_NR_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) return ll_fail(out, 1, errno, -1);

    for (int i = 0; i < nrules; i++) {
        uint64_t access = rules[i].access & handled_fs;
        if (access == 0) continue;          // nothing handled is granted: no rule needed
        if (rules[i].path == NULL) { out->rules_missing++; continue; }
        int fd;
        do { fd = open(rules[i].path, O_PATH | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
        if (fd < 0) { out->rules_missing++; continue; }
        struct stat st;
        if (fstat(fd, &st) != 0) {
            int e = errno;
            close(fd);
            close(ruleset);
            return ll_fail(out, 2, e, i);
        }
        if (!S_ISDIR(st.st_mode)) access &= WW_LL_ACCESS_FILE;
        if (access == 0) { close(fd); continue; }
        struct ww_ll_path_beneath_attr pb = { .allowed_access = access, .parent_fd = fd };
        long r = syscall(WW_NR_landlock_add_rule, ruleset, WW_LL_RULE_PATH_BENEATH, &pb, 0);
        int e = errno;
        close(fd);
        if (r != 0) {
            close(ruleset);
            return ll_fail(out, 2, e, i);
        }
        out->rules_added++;
    }

    // restrict_self needs no_new_privs (or CAP_SYS_ADMIN in the current user namespace).
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        int e = errno;
        close(ruleset);
        return ll_fail(out, 4, e, -1);
    }
    long r = syscall(WW_NR_landlock_restrict_self, ruleset, restrict_flags);
    int e = errno;
    close(ruleset);
    if (r != 0) return ll_fail(out, 3, e, -1);
    return 0;
}

// ---- seccomp user notification ----------------------------------------------------------------
int ww_seccomp_load_listener(const void *bpf, size_t len) {
    if (bpf == NULL || len == 0 || len % sizeof(struct sock_filter) != 0 ||
        len / sizeof(struct sock_filter) > 0xffff)
        return -EINVAL;
    struct sock_fprog prog = {
        .len = (unsigned short)(len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)(uintptr_t)bpf,
    };
    long fd = syscall(SYS_seccomp, WW_SECCOMP_SET_MODE_FILTER,
                      WW_SECCOMP_FLAG_NEW_LISTENER | WW_SECCOMP_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (fd < 0 && errno == EINVAL)          // WAIT_KILLABLE_RECV is 5.19+
        fd = syscall(SYS_seccomp, WW_SECCOMP_SET_MODE_FILTER, WW_SECCOMP_FLAG_NEW_LISTENER, &prog);
    return fd < 0 ? -errno : (int)fd;
}

int ww_notif_recv(int listener, struct ww_notification *out) {
    struct ww_seccomp_notif n;
    int r;
    do {
        memset(&n, 0, sizeof n);            // the kernel rejects a non-zeroed buffer
        r = ioctl(listener, WW_SECCOMP_NOTIF_RECV, &n);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    out->id = n.id;
    out->pid = n.pid;
    out->nr = n.data.nr;
    out->arch = n.data.arch;
    for (int i = 0; i < 6; i++) out->args[i] = n.data.args[i];
    return 0;
}

int ww_notif_respond(int listener, uint64_t id, int error, int cont) {
    struct ww_seccomp_notif_resp resp = { .id = id, .val = 0, .error = 0, .flags = 0 };
    if (cont) {
        if (error != 0) return -EINVAL;     // CONTINUE requires val == error == 0
        resp.flags = WW_SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else {
        if (error <= 0) return -EINVAL;     // refuse to fake a successful return
        resp.error = -error;
    }
    int r;
    do { r = ioctl(listener, WW_SECCOMP_NOTIF_SEND, &resp); } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 0;
}

int ww_notif_id_valid(int listener, uint64_t id) {
    return ioctl(listener, WW_SECCOMP_NOTIF_ID_VALID, &id) == 0 ? 1 : 0;
}

int ww_notif_sync_wakeup(int listener) {
    // The flag is passed by value, not through a pointer.
    return ioctl(listener, WW_SECCOMP_NOTIF_SET_FLAGS, WW_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0 ? -errno : 0;
}

int ww_notif_sizes(uint16_t *notif, uint16_t *resp, uint16_t *data) {
    struct ww_seccomp_notif_sizes s = { 0, 0, 0 };
    if (syscall(SYS_seccomp, WW_SECCOMP_GET_NOTIF_SIZES, 0, &s) != 0) return -errno;
    if (notif) *notif = s.seccomp_notif;
    if (resp) *resp = s.seccomp_notif_resp;
    if (data) *data = s.seccomp_data;
    return 0;
}

ssize_t ww_read_target(pid_t pid, uint64_t addr, void *buf, size_t len) {
    if (len == 0) return 0;
    if (len > (size_t)SSIZE_MAX) len = (size_t)SSIZE_MAX;
    struct iovec local = { .iov_base = buf, .iov_len = len };
    struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n >= 0) return n;
    int e = errno;
    if (e == EFAULT || e == ESRCH) return -e;   // a bad address or a dead target: /proc won't help
    // ENOSYS, EPERM (e.g. filtered by seccomp): try /proc/PID/mem.
    char path[32] = "/proc/";
    size_t p = 6;
    char digits[12];
    int nd = 0;
    unsigned v = (unsigned)pid;
    do { digits[nd++] = (char)('0' + v % 10); v /= 10; } while (v && nd < (int)sizeof digits);
    while (nd) path[p++] = digits[--nd];
    memcpy(path + p, "/mem", 5);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -e;                  // report the original error
    do { n = pread(fd, buf, len, (off_t)addr); } while (n < 0 && errno == EINTR);
    int pe = errno;
    close(fd);
    if (n < 0) return pe == EIO ? -EFAULT : -pe;   // /proc/PID/mem reports unmapped memory as EIO
    return n;
}

ssize_t ww_read_target_string(pid_t pid, uint64_t addr, char *buf, size_t max) {
    if (buf == NULL || max == 0) return -EINVAL;
    // Read up to max bytes (a string of max-1 bytes plus its NUL), one 4 KiB-aligned piece at a
    // time so that a string ending just before an unmapped page still reads completely.
    size_t got = 0;
    while (got < max) {
        uint64_t at = addr + got;
        size_t chunk = 4096 - (size_t)(at & 4095);
        if (chunk > max - got) chunk = max - got;
        ssize_t n = ww_read_target(pid, at, buf + got, chunk);
        if (n < 0) { buf[got] = '\0'; return n; }
        if (n == 0) { buf[got] = '\0'; return -EFAULT; }
        const char *nul = memchr(buf + got, '\0', (size_t)n);
        if (nul) return (ssize_t)(nul - buf);
        got += (size_t)n;
    }
    buf[max - 1] = '\0';
    return -E2BIG;
}

// ---- descriptor passing --------------------------------------------------------------------------
ssize_t ww_send_fd(int sock, int fd, const void *data, size_t len) {
    if (data == NULL || len == 0) return -EINVAL;   // SCM_RIGHTS needs at least one data byte
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { .iov_base = (void *)(uintptr_t)data, .iov_len = len };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof control.buf,
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

ssize_t ww_recv_fd(int sock, void *buf, size_t len, int *fd, pid_t *pid, int dontwait) {
    if (fd) *fd = -1;
    if (pid) *pid = 0;
    union {
        char buf[CMSG_SPACE(sizeof(int) * 8) + CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof control.buf,
    };
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (dontwait ? MSG_DONTWAIT : 0));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SCM_RIGHTS) {
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int got;
                memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
                if (fd && *fd < 0) *fd = got;
                else close(got);            // keep only the first descriptor
            }
        } else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            if (pid) *pid = cred.pid;
        }
    }
    return n;
}
