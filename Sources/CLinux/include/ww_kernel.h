#ifndef WW_KERNEL_H
#define WW_KERNEL_H
// Landlock and seccomp user-notification primitives. Everything marked "child-safe" makes only raw
// syscalls (no malloc, no stdio, no locks): it is called in the inner helper's forked child.
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

// ---- Landlock -------------------------------------------------------------------------------
// Access rights (bit numbers as in include/uapi/linux/landlock.h).
#define WW_LL_EXECUTE      (1ULL << 0)
#define WW_LL_WRITE_FILE   (1ULL << 1)
#define WW_LL_READ_FILE    (1ULL << 2)
#define WW_LL_READ_DIR     (1ULL << 3)
#define WW_LL_REMOVE_DIR   (1ULL << 4)
#define WW_LL_REMOVE_FILE  (1ULL << 5)
#define WW_LL_MAKE_CHAR    (1ULL << 6)
#define WW_LL_MAKE_DIR     (1ULL << 7)
#define WW_LL_MAKE_REG     (1ULL << 8)
#define WW_LL_MAKE_SOCK    (1ULL << 9)
#define WW_LL_MAKE_FIFO    (1ULL << 10)
#define WW_LL_MAKE_BLOCK   (1ULL << 11)
#define WW_LL_MAKE_SYM     (1ULL << 12)
#define WW_LL_REFER        (1ULL << 13)  // ABI 2
#define WW_LL_TRUNCATE     (1ULL << 14)  // ABI 3
#define WW_LL_IOCTL_DEV    (1ULL << 15)  // ABI 5
#define WW_LL_FS_ALL       ((1ULL << 16) - 1)
#define WW_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) // ABI 6
#define WW_LL_SCOPE_SIGNAL        (1ULL << 1) // ABI 6
#define WW_LL_LOG_SAME_EXEC_OFF   (1U << 0)   // ABI 7 restrict flags
#define WW_LL_LOG_NEW_EXEC_ON     (1U << 1)
#define WW_LL_LOG_SUBDOMAINS_OFF  (1U << 2)

// The running kernel's Landlock ABI (clamped to 7), or 0 when Landlock is unavailable;
// *why_errno is ENOSYS (not built) / EOPNOTSUPP (disabled at boot) when 0. errata may be NULL.
int ww_landlock_version(int *why_errno, int *errata);

struct ww_landlock_rule {
    const char *path;     // absolute path inside the sandbox
    uint64_t access;      // WW_LL_* rights wanted beneath it (intersected with what is handled)
};

struct ww_landlock_result {
    int abi;              // ABI used (0: nothing applied)
    uint64_t handled_fs;  // rights actually handled after the ABI fallback
    uint64_t scoped;      // scopes actually applied
    uint32_t restrict_flags; // flags actually passed to landlock_restrict_self
    int rules_added;
    int rules_missing;    // paths that did not exist (skipped)
    int failed_errno;     // 0 on success; else the errno of the step that failed
    int failed_step;      // 0 none, 1 create_ruleset, 2 add_rule, 3 restrict_self, 4 prctl(NO_NEW_PRIVS)
    int failed_rule;      // index of the rule that failed in step 2, else -1
};

// Child-safe. Best-effort: handled/scoped/flags are reduced to what the running ABI supports
// (the fallback pattern of samples/landlock/sandboxer.c); each rule's rights are intersected with
// the handled set, and with the file-only rights when the path is not a directory. A path that does
// not exist is skipped (counted). Sets no_new_privs if it is not set. Returns 0 when restrict_self
// succeeded (or abi==0 and nothing was asked), -1 with out->failed_* set otherwise.
// handled_fs == 0 && scoped == 0 applies nothing and returns 0 with abi reported.
int ww_landlock_apply(const struct ww_landlock_rule *rules, int nrules, uint64_t handled_fs,
                      uint64_t scoped, uint32_t restrict_flags, struct ww_landlock_result *out);

// ---- seccomp user notification ----------------------------------------------------------------
// Child-safe. Loads `len` bytes of classic BPF (len % 8 == 0) with SECCOMP_FILTER_FLAG_NEW_LISTENER
// (plus WAIT_KILLABLE_RECV when the kernel accepts it). Returns the listener fd, or -errno.
int ww_seccomp_load_listener(const void *bpf, size_t len);

struct ww_notification {
    uint64_t id;
    uint32_t pid;        // in the reader's pid namespace
    int32_t nr;          // syscall number
    uint32_t arch;       // AUDIT_ARCH_*
    uint64_t args[6];
};
// NOTIF_RECV (the struct is zeroed first). 0 on success, -errno (ENOENT: the target died/was
// interrupted; retry on EINTR is done inside).
int ww_notif_recv(int listener, struct ww_notification *out);
// NOTIF_SEND: cont != 0 → USER_NOTIF_FLAG_CONTINUE (error must be 0); else fails the syscall with
// -error (error > 0). 0 on success, -errno (ENOENT: the target is gone).
int ww_notif_respond(int listener, uint64_t id, int error, int cont);
// NOTIF_ID_VALID: 1 valid, 0 not.
int ww_notif_id_valid(int listener, uint64_t id);
// Tries NOTIF_SET_FLAGS(SYNC_WAKE_UP) (6.6+); 0 or -errno. Harmless to ignore.
int ww_notif_sync_wakeup(int listener);
// The (max) sizes the kernel uses; 0 on success.
int ww_notif_sizes(uint16_t *notif, uint16_t *resp, uint16_t *data);

// Reads target memory with process_vm_readv (falls back to pread on /proc/PID/mem). Returns bytes
// read (may be short at an unmapped boundary), or -errno.
ssize_t ww_read_target(pid_t pid, uint64_t addr, void *buf, size_t len);
// Reads a NUL-terminated string of at most max-1 bytes into buf (always terminated).
// Returns its length, -E2BIG when no NUL within max-1 bytes, -errno on a read fault.
ssize_t ww_read_target_string(pid_t pid, uint64_t addr, char *buf, size_t max);

// ---- descriptor passing --------------------------------------------------------------------------
// Child-safe. sendmsg with one SCM_RIGHTS descriptor and len ≥ 1 data bytes. Returns bytes or -errno.
ssize_t ww_send_fd(int sock, int fd, const void *data, size_t len);
// recvmsg that keeps one SCM_RIGHTS descriptor (CLOEXEC) in *fd (-1 if none; extra ones closed).
// *pid gets SCM_CREDENTIALS' pid when present (else 0). Returns bytes or -errno. dontwait like MSG_DONTWAIT.
ssize_t ww_recv_fd(int sock, void *buf, size_t len, int *fd, pid_t *pid, int dontwait);
#endif
