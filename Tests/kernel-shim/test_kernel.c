// Standalone checks of Sources/CLinux/ww_kernel.c against the running kernel (x86_64).
// Build (from /work/main):
//   cc -O1 -Wall -Wextra -I Sources/CLinux/include Tests/kernel-shim/test_kernel.c Sources/CLinux/ww_kernel.c -o /tmp/test_kernel
// Run as an unprivileged user, e.g.:
//   setpriv --reuid=wwtest --regid=wwtest --clear-groups -- /tmp/test_kernel
#define _GNU_SOURCE
#include "ww_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *name, const char *detail) {
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, detail && *detail ? ": " : "", detail ? detail : "");
    fflush(stdout);
    if (!ok) failures++;
}

// Runs fn in a forked child (which prints its own PASS/FAIL lines); returns its failure count.
static void in_child(int (*fn)(void *), void *arg, const char *name) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(fn(arg));
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st)) {
        char d[64];
        snprintf(d, sizeof d, "child died, status 0x%x", st);
        check(0, name, d);
    } else {
        failures += WEXITSTATUS(st);
    }
}

// ---- shared fixtures -----------------------------------------------------------------------------
static char tmpdir[64];            // /tmp/wwkt.XXXXXX, fully granted in (b)
static char outside[96];           // /tmp/wwkt-outside.PID, not granted
static struct sockaddr_un abstract_addr;
static socklen_t abstract_len;

static int connect_abstract(void) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    int r = connect(s, (struct sockaddr *)&abstract_addr, abstract_len);
    int e = errno;
    close(s);
    return r == 0 ? 0 : -e;
}

static int open_errno(const char *path, int flags) {
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

// ---- (b) filesystem rules + scopes ---------------------------------------------------------------
static int child_landlock_full(void *unused) {
    (void)unused;
    int before = failures;
    char d[160];
    struct ww_landlock_rule rules[] = {
        { "/usr", WW_LL_READ_FILE | WW_LL_READ_DIR | WW_LL_EXECUTE },
        { tmpdir, WW_LL_FS_ALL },
        { "/nonexistent/ww-kernel-test", WW_LL_READ_FILE },
        { "/etc/hostname", WW_LL_READ_DIR },   // a directory-only right on a file: becomes 0, skipped
    };
    struct ww_landlock_result res;
    uint64_t handled = WW_LL_FS_ALL & ~(WW_LL_MAKE_CHAR | WW_LL_MAKE_BLOCK);
    int r = ww_landlock_apply(rules, 4, handled, WW_LL_SCOPE_ABSTRACT_UNIX | WW_LL_SCOPE_SIGNAL,
                              WW_LL_LOG_NEW_EXEC_ON, &res);
    snprintf(d, sizeof d, "r=%d abi=%d handled=0x%llx scoped=0x%llx flags=%u added=%d missing=%d step=%d errno=%d rule=%d",
             r, res.abi, (unsigned long long)res.handled_fs, (unsigned long long)res.scoped, res.restrict_flags,
             res.rules_added, res.rules_missing, res.failed_step, res.failed_errno, res.failed_rule);
    check(r == 0 && res.abi == 7 && res.handled_fs == handled && res.scoped == 3 && res.restrict_flags == 2,
          "b.apply", d);
    check(res.rules_missing == 1 && res.rules_added == 2, "b.rules_missing=1, rules_added=2", NULL);
    check(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "b.no_new_privs set", NULL);

    int e = open_errno("/etc/hostname", O_RDONLY);
    snprintf(d, sizeof d, "errno=%d", e);
    check(e == EACCES, "b.read /etc/hostname denied (EACCES)", d);

    e = open_errno("/usr/bin/env", O_RDONLY);
    snprintf(d, sizeof d, "errno=%d", e);
    check(e == 0, "b.read /usr/bin/env allowed", d);

    char inside[128];
    snprintf(inside, sizeof inside, "%s/inside", tmpdir);
    int fd = open(inside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int ok = fd >= 0 && write(fd, "x", 1) == 1;
    snprintf(d, sizeof d, "errno=%d", fd < 0 ? errno : 0);
    if (fd >= 0) close(fd);
    check(ok, "b.write inside granted dir", d);

    e = open_errno(outside, O_WRONLY | O_CREAT);
    snprintf(d, sizeof d, "errno=%d", e);
    check(e == EACCES, "b.create in /tmp outside the dir denied (EACCES)", d);

    int c = connect_abstract();
    snprintf(d, sizeof d, "connect=%d", c);
    check(c == -EPERM, "b.connect abstract socket denied (EPERM)", d);

    int k = kill(getppid(), 0) == 0 ? 0 : errno;
    snprintf(d, sizeof d, "kill errno=%d", k);
    check(k == EPERM, "b.signal to parent denied (scope SIGNAL)", d);
    return failures - before;
}

// ---- (c) scope only --------------------------------------------------------------------------------
static int child_landlock_scope_only(void *unused) {
    (void)unused;
    int before = failures;
    char d[160];
    struct ww_landlock_rule rules[] = { { "/usr", WW_LL_READ_FILE } };  // handled=0: skipped
    struct ww_landlock_result res;
    int r = ww_landlock_apply(rules, 1, 0, WW_LL_SCOPE_ABSTRACT_UNIX, 0, &res);
    snprintf(d, sizeof d, "r=%d abi=%d handled=0x%llx scoped=0x%llx added=%d step=%d errno=%d",
             r, res.abi, (unsigned long long)res.handled_fs, (unsigned long long)res.scoped,
             res.rules_added, res.failed_step, res.failed_errno);
    check(r == 0 && res.abi == 7 && res.handled_fs == 0 && res.scoped == 1 && res.rules_added == 0,
          "c.apply scope-only", d);
    int e = open_errno("/etc/hostname", O_RDONLY);
    snprintf(d, sizeof d, "errno=%d", e);
    check(e == 0, "c.read /etc/hostname allowed", d);
    int c = connect_abstract();
    snprintf(d, sizeof d, "connect=%d", c);
    check(c == -EPERM, "c.connect abstract socket denied (EPERM)", d);
    check(kill(getppid(), 0) == 0, "c.signal to parent allowed (SIGNAL not scoped)", NULL);
    return failures - before;
}

// ---- nothing asked: nothing applied ---------------------------------------------------------------
static int child_landlock_nothing(void *unused) {
    (void)unused;
    int before = failures;
    char d[160];
    struct ww_landlock_result res;
    int r = ww_landlock_apply(NULL, 0, 0, 0, WW_LL_LOG_NEW_EXEC_ON, &res);
    snprintf(d, sizeof d, "r=%d abi=%d flags=%u", r, res.abi, res.restrict_flags);
    check(r == 0 && res.abi == 7 && res.restrict_flags == 0, "n.apply nothing", d);
    int c = connect_abstract();
    snprintf(d, sizeof d, "connect=%d", c);
    check(c == 0, "n.connect abstract socket still works", d);
    return failures - before;
}

// ---- (d)-(f) seccomp user notification --------------------------------------------------------------
static char secret[] = "hello from the child";
static char unterminated[100];

// Child result bits.
#define CH_EBUSY   1   // second listener refused with EBUSY
#define CH_EPERM   2   // first getppid failed with EPERM
#define CH_CONT    4   // second getppid returned the real ppid
#define CH_SENT    8   // listener sent

static int notify_child(int sock, int *second_load) {
    memset(unterminated, 'A', sizeof unterminated);
    pid_t real_ppid = getppid();
    struct sock_filter prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 0;
    int bits = 0;
    int lfd = ww_seccomp_load_listener(prog, sizeof prog);
    if (lfd < 0) return 0;
    *second_load = ww_seccomp_load_listener(prog, sizeof prog);
    if (*second_load == -EBUSY) bits |= CH_EBUSY;
    uint64_t addrs[2] = { (uint64_t)(uintptr_t)secret, (uint64_t)(uintptr_t)unterminated };
    if (ww_send_fd(sock, lfd, addrs, sizeof addrs) == (ssize_t)sizeof addrs) bits |= CH_SENT;
    close(lfd);
    long r = syscall(SYS_getppid);
    if (r == -1 && errno == EPERM) bits |= CH_EPERM;
    r = syscall(SYS_getppid);
    if (r == real_ppid) bits |= CH_CONT;
    return bits;
}

static void test_notify(void) {
    char d[200];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) { check(0, "d.socketpair", strerror(errno)); return; }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        int second = 0;
        int bits = notify_child(sv[1], &second);
        // Report the raw second-load result too (exit code only carries the bits).
        (void)write(sv[1], &second, sizeof second);
        _exit(bits);
    }
    close(sv[1]);

    uint64_t addrs[2] = { 0, 0 };
    int lfd = -1;
    pid_t cred_pid = -1;
    ssize_t n = ww_recv_fd(sv[0], addrs, sizeof addrs, &lfd, &cred_pid, 0);
    snprintf(d, sizeof d, "n=%zd fd=%d cred_pid=%d", n, lfd, (int)cred_pid);
    check(n == (ssize_t)sizeof addrs && lfd >= 0 && (fcntl(lfd, F_GETFD) & FD_CLOEXEC), "d.recv listener (CLOEXEC)", d);
    if (lfd < 0) { kill(child, SIGKILL); waitpid(child, NULL, 0); close(sv[0]); return; }

    int sw = ww_notif_sync_wakeup(lfd);
    snprintf(d, sizeof d, "%d", sw);
    check(sw == 0, "d.NOTIF_SET_FLAGS(SYNC_WAKE_UP) accepted", d);

    struct ww_notification no;
    int r = ww_notif_recv(lfd, &no);
    snprintf(d, sizeof d, "r=%d nr=%d pid=%u (child %d) arch=0x%x", r, no.nr, no.pid, (int)child, no.arch);
    check(r == 0 && no.nr == SYS_getppid && no.pid == (uint32_t)child && no.arch == AUDIT_ARCH_X86_64,
          "d.first notification is the child's getppid", d);
    check(ww_notif_id_valid(lfd, no.id) == 1, "d.id valid while pending", NULL);

    char buf[64];
    ssize_t len = ww_read_target_string((pid_t)no.pid, addrs[0], buf, sizeof buf);
    snprintf(d, sizeof d, "len=%zd \"%s\"", len, len >= 0 ? buf : "");
    check(len == (ssize_t)strlen(secret) && strcmp(buf, secret) == 0, "d.read_target_string", d);

    // (e) no NUL within max: -E2BIG, buffer still terminated.
    char small[16];
    len = ww_read_target_string((pid_t)no.pid, addrs[1], small, sizeof small);
    snprintf(d, sizeof d, "len=%zd strlen=%zu", len, strlen(small));
    check(len == -E2BIG && strlen(small) == sizeof small - 1, "e.unterminated string -> -E2BIG", d);

    // Exactly max-1 bytes plus NUL fits.
    len = ww_read_target_string((pid_t)no.pid, addrs[0], small, strlen(secret) + 1);
    snprintf(d, sizeof d, "len=%zd", len);
    check(len == (ssize_t)strlen(secret), "e.string of max-1 bytes fits", d);
    len = ww_read_target_string((pid_t)no.pid, 8, small, sizeof small);
    snprintf(d, sizeof d, "len=%zd", len);
    check(len == -EFAULT, "e.unmapped address -> -EFAULT", d);

    check(ww_notif_id_valid(lfd, no.id) == 1, "d.id still valid after reading", NULL);
    r = ww_notif_respond(lfd, no.id, EPERM, 0);
    snprintf(d, sizeof d, "%d", r);
    check(r == 0, "d.respond EPERM", d);
    check(ww_notif_id_valid(lfd, no.id) == 0, "d.id invalid after the response", NULL);
    check(ww_notif_respond(lfd, no.id, 0, 0) == -EINVAL, "d.respond refuses error=0 without CONTINUE", NULL);

    r = ww_notif_recv(lfd, &no);
    snprintf(d, sizeof d, "r=%d nr=%d", r, no.nr);
    check(r == 0 && no.nr == SYS_getppid, "d.second notification", d);
    r = ww_notif_respond(lfd, no.id, 0, 1);
    snprintf(d, sizeof d, "%d", r);
    check(r == 0, "d.respond CONTINUE", d);

    int second = 0;
    (void)read(sv[0], &second, sizeof second);
    int st = 0;
    waitpid(child, &st, 0);
    int bits = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
    snprintf(d, sizeof d, "status=0x%x bits=%d", st, bits);
    check(bits & CH_SENT, "d.child sent the listener", d);
    check(bits & CH_EPERM, "d.child saw getppid fail with EPERM", d);
    check(bits & CH_CONT, "d.child saw its real ppid after CONTINUE", d);
    snprintf(d, sizeof d, "second load returned %d", second);
    check(bits & CH_EBUSY, "f.second listener refused (EBUSY)", d);

    // The target is gone: RECV must not hang forever here, so only check ID_VALID.
    check(ww_notif_id_valid(lfd, no.id) == 0, "d.id invalid after the child exited", NULL);
    close(lfd);
    close(sv[0]);
}

// ---- /proc/PID/mem fallback: process_vm_readv blocked by seccomp with ENOSYS -------------------------
static int child_read_fallback(void *unused) {
    (void)unused;
    int before = failures;
    struct sock_filter prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog fp = { .len = sizeof prog / sizeof prog[0], .filter = prog };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) != 0) {
        check(0, "g.install filter", strerror(errno));
        return 1;
    }
    char buf[64];
    ssize_t len = ww_read_target_string(getpid(), (uint64_t)(uintptr_t)secret, buf, sizeof buf);
    char d[128];
    snprintf(d, sizeof d, "len=%zd", len);
    check(len == (ssize_t)strlen(secret) && strcmp(buf, secret) == 0, "g.read via /proc/PID/mem fallback", d);
    len = ww_read_target_string(getpid(), 8, buf, sizeof buf);
    snprintf(d, sizeof d, "len=%zd", len);
    check(len == -EFAULT, "g.fallback unmapped -> -EFAULT", d);
    return failures - before;
}

// Informational: is WAIT_KILLABLE_RECV accepted? (flags validated before the NULL program faults)
static int child_probe_killable(void *unused) {
    (void)unused;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                     SECCOMP_FILTER_FLAG_NEW_LISTENER | (1UL << 5), NULL);
    printf("INFO NEW_LISTENER|WAIT_KILLABLE_RECV with NULL program: r=%ld errno=%d (%s)\n", r, errno,
           errno == EFAULT ? "flags accepted" : "flags refused");
    fflush(stdout);   // the child leaves with _exit
    return 0;
}

int main(void) {
    alarm(30);   // a hung notification must not hang the test forever
    printf("INFO uid=%d euid=%d\n", (int)getuid(), (int)geteuid());

    // (a)
    int why = -1, errata = -1;
    int abi = ww_landlock_version(&why, &errata);
    char d[128];
    snprintf(d, sizeof d, "abi=%d why=%d errata=%d", abi, why, errata);
    check(abi == 7 && why == 0, "a.landlock abi is 7", d);

    uint16_t ns = 0, rs = 0, ds = 0;
    int sr = ww_notif_sizes(&ns, &rs, &ds);
    printf("INFO notif sizes: r=%d seccomp_notif=%u seccomp_notif_resp=%u seccomp_data=%u\n", sr, ns, rs, ds);
    check(sr == 0 && ns == 80 && rs == 24 && ds == 64, "d.notif sizes match the declared structs", NULL);
    in_child(child_probe_killable, NULL, "probe");

    // Fixtures: a private dir, a path outside it, a listening abstract socket (opened before fork).
    strcpy(tmpdir, "/tmp/wwkt.XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 2; }
    snprintf(outside, sizeof outside, "/tmp/wwkt-outside.%d", (int)getpid());
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&abstract_addr, 0, sizeof abstract_addr);
    abstract_addr.sun_family = AF_UNIX;
    int nl = snprintf(abstract_addr.sun_path + 1, sizeof abstract_addr.sun_path - 1, "ww-kernel-test.%d", (int)getpid());
    abstract_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)nl);
    if (ls < 0 || bind(ls, (struct sockaddr *)&abstract_addr, abstract_len) != 0 || listen(ls, 8) != 0) {
        perror("abstract socket");
        return 2;
    }
    check(connect_abstract() == 0, "abstract socket connectable before Landlock", NULL);

    in_child(child_landlock_full, NULL, "b");
    in_child(child_landlock_scope_only, NULL, "c");
    in_child(child_landlock_nothing, NULL, "n");
    test_notify();
    in_child(child_read_fallback, NULL, "g");

    // Cleanup.
    char inside[128];
    snprintf(inside, sizeof inside, "%s/inside", tmpdir);
    unlink(inside);
    unlink(outside);
    rmdir(tmpdir);
    close(ls);

    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
