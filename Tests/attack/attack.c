/*
 * attack: syscalls a hostile game would use to escape or attack the host, one per subcommand,
 * for the seccomp tests (Tests/IntegrationTests/SeccompAttackTests.swift). x86_64 only.
 *
 *   build:  cc -O1 -Wall -o attack attack.c
 *   usage:  attack NAME     (attack list  prints every NAME)
 *
 * Prints exactly one line on stdout:
 *   ok                          the kernel did what was asked            exit 0
 *   refused errno=N ENAME       the attacked syscall failed with errno N exit 1
 * A failure while setting the attack up prints "setup: ..." on stderr and exits 2.
 * Where an attack needs several steps, stderr names the step that was refused.
 *
 * Each attack is built so that without a filter it reaches the kernel and either succeeds or fails
 * with an errno different from the one the filter returns: that proves who decided.
 * The int80-* attacks make i386 syscalls with `int $0x80` from this 64-bit program (IA32 emulation);
 * their pointer arguments live below 4 GiB (mmap MAP_32BIT). x32-getpid makes an x32 syscall
 * (nr | 0x40000000): ENOSYS on a kernel without x32, killed by SIGSYS under the filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_alg.h>
#include <linux/if_ether.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
enum { I386_IOCTL = 54, I386_SOCKETCALL = 102, I386_KEYCTL = 288, I386_UNSHARE = 310, I386_SOCKET = 359,
       I386_IO_URING_SETUP = 425 };
enum { SYS_SOCKET_ = 1, SYS_SOCKETPAIR_ = 8 };
enum { X32_SYSCALL_BIT = 0x40000000, X86_64_GETPID = 39 };
enum { KEYCTL_GET_KEYRING_ID_ = 0, KEY_SPEC_SESSION_KEYRING_ = -3 };
enum { TIOCL_GETSHIFTSTATE_ = 6 };

static int ok(void) {
    printf("ok\n");
    return 0;
}

static int refused(int err) {
    const char *name = strerrorname_np(err);
    printf("refused errno=%d %s\n", err, name ? name : "?");
    return 1;
}

/* A raw syscall result (-1 and errno set on failure). */
static int verdict(long rc) { return rc < 0 ? refused(errno) : ok(); }

/* The kernel's return of an i386 syscall: -errno on failure. */
static int verdict32(int rc) { return rc < 0 && rc > -4096 ? refused(-rc) : ok(); }

static void setup_failed(const char *what) {
    fprintf(stderr, "setup: %s: %s\n", what, strerror(errno));
    fflush(stdout);
    _exit(2);
}

/* An i386 syscall through the 32-bit entry point: eax nr, ebx, ecx, edx args; result in eax. */
static int int80(uint32_t nr, uint32_t a, uint32_t b, uint32_t c) {
    uint64_t rax = nr;
    __asm__ volatile("int $0x80"
                     : "+a"(rax)
                     : "b"((uint64_t)a), "c"((uint64_t)b), "d"((uint64_t)c)
                     : "memory", "cc", "r8", "r9", "r10", "r11");
    return (int)(uint32_t)rax;
}

/* Memory below 4 GiB, where an i386 pointer argument can reach. */
static void *low_page(void) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (p == MAP_FAILED) setup_failed("mmap MAP_32BIT");
    if ((uintptr_t)p >= (1ULL << 32)) { errno = ERANGE; setup_failed("MAP_32BIT page above 4 GiB"); }
    memset(p, 0, 4096);
    return p;
}

/*
 * A fresh pty whose slave is our controlling terminal, in a new session: TIOCSTI then succeeds
 * without a filter (dev.tty.legacy_tiocsti=1); on a tty that is not the caller's controlling
 * terminal the kernel itself says EPERM, which would look like the filter's answer.
 * Must run in a process that is not a process-group leader (see in_child).
 */
static int controlling_pty(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) setup_failed("posix_openpt");
    if (grantpt(master) < 0) setup_failed("grantpt");
    if (unlockpt(master) < 0) setup_failed("unlockpt");
    const char *name = ptsname(master);
    if (!name) setup_failed("ptsname");
    if (setsid() < 0) setup_failed("setsid");
    int slave = open(name, O_RDWR); /* no O_NOCTTY: the first tty a session leader opens becomes its ctty */
    if (slave < 0) setup_failed("open pty slave");
    (void)ioctl(slave, TIOCSCTTY, 0); /* already ours; harmless if so */
    int fg = tcgetsid(slave);
    if (fg != getpid()) { errno = ENOTTY; setup_failed("pty slave did not become the controlling terminal"); }
    return slave;
}

/* Runs fn in a child (never a process-group leader, so setsid works) and exits as it did. */
static int in_child(int (*fn)(void)) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) setup_failed("fork");
    if (pid == 0) {
        int rc = fn();
        fflush(stdout);
        _exit(rc);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) setup_failed("waitpid");
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

static int do_tiocsti(void) {
    int slave = controlling_pty();
    char c = 'x';
    return verdict(ioctl(slave, TIOCSTI, &c));
}

static int do_tiocsti_high(void) {
    int slave = controlling_pty();
    char c = 'x';
    /* The kernel reads the command as 32 bits; a filter comparing all 64 would miss this (CVE-2019-10063). */
    return verdict(syscall(SYS_ioctl, slave, (unsigned long)TIOCSTI | (1UL << 32), &c));
}

static int do_tioclinux(void) {
    int slave = controlling_pty();
    char sub[2] = {TIOCL_GETSHIFTSTATE_, 0};
    /* A pty is not a virtual console: ENOTTY/EINVAL from the kernel, EPERM from the filter. */
    return verdict(ioctl(slave, TIOCLINUX, sub));
}

static int do_int80_ioctl_tiocsti(void) {
    int slave = controlling_pty();
    char *c = low_page();
    c[0] = 'x';
    return verdict32(int80(I386_IOCTL, (uint32_t)slave, TIOCSTI, (uint32_t)(uintptr_t)c));
}

static int cmd_tiocsti(void) { return in_child(do_tiocsti); }
static int cmd_tiocsti_high(void) { return in_child(do_tiocsti_high); }
static int cmd_tioclinux(void) { return in_child(do_tioclinux); }
static int cmd_int80_ioctl_tiocsti(void) { return in_child(do_int80_ioctl_tiocsti); }

static int cmd_keyctl(void) {
    /* Without a session keyring the kernel answers with the user-session keyring's id. */
    return verdict(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID_, KEY_SPEC_SESSION_KEYRING_, 0));
}

static int cmd_bpf(void) {
    /* No such command: EINVAL from the kernel (checked before any privilege for unknown commands). */
    return verdict(syscall(SYS_bpf, 9999, NULL, 0));
}

static int cmd_perf(void) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    /* This process, any CPU, user space only: allowed at perf_event_paranoid <= 2. */
    long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    if (fd >= 0) close(fd);
    return verdict(fd);
}

static int cmd_io_uring(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    long fd = syscall(SYS_io_uring_setup, 4, &p);
    if (fd >= 0) close(fd);
    return verdict(fd);
}

static int cmd_af_packet(void) {
    /* EPERM from the kernel without CAP_NET_RAW; EAFNOSUPPORT from the filter. */
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd >= 0) close(fd);
    return verdict(fd);
}

static int cmd_af_alg(void) {
    int fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
    if (fd >= 0) close(fd);
    return verdict(fd);
}

/* AF_ALG exists only with CONFIG_CRYPTO_USER_API_*; where it is missing the kernel says EAFNOSUPPORT
 * too, so af_vsock (CONFIG_VSOCKETS, common on VMs) is the control that succeeds without a filter. */
static int cmd_af_vsock(void) {
    int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (fd >= 0) close(fd);
    return verdict(fd);
}

static int cmd_mount(void) {
    char dir[] = "/tmp/attack-mnt-XXXXXX";
    if (!mkdtemp(dir)) setup_failed("mkdtemp");
    int rc;
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        int e = errno;
        fprintf(stderr, "refused at unshare(CLONE_NEWUSER|CLONE_NEWNS)\n");
        rmdir(dir);
        return refused(e);
    }
    if (mount("attack", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0) {
        int e = errno;
        fprintf(stderr, "refused at mount(tmpfs)\n");
        rc = refused(e);
    } else {
        if (umount2(dir, MNT_DETACH) < 0) fprintf(stderr, "umount2: %s\n", strerror(errno));
        rc = ok();
    }
    rmdir(dir);
    return rc;
}

static int cmd_unshare_user(void) { return verdict(unshare(CLONE_NEWUSER)); }

static int cmd_clone_newuser(void) {
    fflush(stdout);
    /* Raw clone (no new stack: fork-like), so glibc cannot route it through clone3. */
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid < 0) return refused(errno);
    int status;
    if (waitpid((pid_t)pid, &status, 0) < 0) setup_failed("waitpid");
    return ok();
}

static int cmd_clone3(void) {
    /* clone3 with plain fork semantics: nothing to refuse in the flags, so only a syscall rule stops it. */
    uint64_t args[11];
    memset(args, 0, sizeof args);
    args[4] = SIGCHLD; /* exit_signal */
    fflush(stdout);
    long pid = syscall(SYS_clone3, args, 88 /* CLONE_ARGS_SIZE_VER0 */);
    if (pid == 0) _exit(0);
    if (pid < 0) return refused(errno);
    int status;
    if (waitpid((pid_t)pid, &status, 0) < 0) setup_failed("waitpid");
    return ok();
}

static int cmd_fsopen(void) {
    /* EPERM from the kernel (no CAP_SYS_ADMIN over our mount namespace); ENOSYS from the filter. */
    long fd = syscall(SYS_fsopen, "tmpfs", 0);
    if (fd >= 0) close(fd);
    return verdict(fd);
}

static int cmd_int80_keyctl(void) {
    return verdict32(int80(I386_KEYCTL, KEYCTL_GET_KEYRING_ID_, (uint32_t)KEY_SPEC_SESSION_KEYRING_, 0));
}

static int cmd_int80_socket_alg(void) {
    int rc = int80(I386_SOCKET, AF_ALG, SOCK_SEQPACKET, 0);
    if (rc >= 0) close(rc);
    return verdict32(rc);
}

static int cmd_int80_socket_vsock(void) {
    int rc = int80(I386_SOCKET, AF_VSOCK, SOCK_STREAM, 0);
    if (rc >= 0) close(rc);
    return verdict32(rc);
}

/* socketpair creates a socket of the family before it fails: EPERM (no CAP_NET_RAW) from the kernel. */
static int cmd_socketpair_packet(void) {
    int sv[2];
    int rc = socketpair(AF_PACKET, SOCK_RAW, 0, sv);
    if (rc == 0) { close(sv[0]); close(sv[1]); }
    return verdict(rc);
}

/* 32-bit glibc makes sockets through socketcall, whose arguments are in memory. */
static int cmd_int80_socketcall_packet(void) {
    uint32_t *args = low_page();
    args[0] = AF_PACKET; args[1] = SOCK_RAW; args[2] = 0;
    int rc = int80(I386_SOCKETCALL, SYS_SOCKET_, (uint32_t)(uintptr_t)args, 0);
    if (rc >= 0) close(rc);
    return verdict32(rc);
}

static int cmd_int80_socketpair_packet(void) {
    uint32_t *args = low_page();
    args[0] = AF_PACKET; args[1] = SOCK_RAW; args[2] = 0; args[3] = (uint32_t)(uintptr_t)(args + 8);
    int rc = int80(I386_SOCKETCALL, SYS_SOCKETPAIR_, (uint32_t)(uintptr_t)args, 0);
    if (rc == 0) { close((int)args[8]); close((int)args[9]); }
    return verdict32(rc);
}

static int cmd_int80_io_uring(void) {
    struct io_uring_params *p = low_page();
    int rc = int80(I386_IO_URING_SETUP, 4, (uint32_t)(uintptr_t)p, 0);
    if (rc >= 0) close(rc);
    return verdict32(rc);
}

static int cmd_int80_unshare(void) { return verdict32(int80(I386_UNSHARE, CLONE_NEWUSER, 0, 0)); }

static int cmd_x32_getpid(void) {
    fflush(stdout);
    return verdict(syscall(X32_SYSCALL_BIT | X86_64_GETPID));
}

static const struct {
    const char *name;
    int (*run)(void);
} attacks[] = {
    {"tiocsti", cmd_tiocsti},
    {"tiocsti-high", cmd_tiocsti_high},
    {"tioclinux", cmd_tioclinux},
    {"keyctl", cmd_keyctl},
    {"bpf", cmd_bpf},
    {"perf", cmd_perf},
    {"io_uring", cmd_io_uring},
    {"af_packet", cmd_af_packet},
    {"af_alg", cmd_af_alg},
    {"af_vsock", cmd_af_vsock},
    {"mount", cmd_mount},
    {"unshare-user", cmd_unshare_user},
    {"clone-newuser", cmd_clone_newuser},
    {"clone3", cmd_clone3},
    {"fsopen", cmd_fsopen},
    {"int80-keyctl", cmd_int80_keyctl},
    {"int80-ioctl-tiocsti", cmd_int80_ioctl_tiocsti},
    {"int80-socket-alg", cmd_int80_socket_alg},
    {"int80-socket-vsock", cmd_int80_socket_vsock},
    {"socketpair-packet", cmd_socketpair_packet},
    {"int80-socketcall-packet", cmd_int80_socketcall_packet},
    {"int80-socketcall-socketpair-packet", cmd_int80_socketpair_packet},
    {"int80-io_uring", cmd_int80_io_uring},
    {"int80-unshare", cmd_int80_unshare},
    {"x32-getpid", cmd_x32_getpid},
};

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s NAME   (%s list prints the names)\n", argv[0], argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) printf("%s\n", attacks[i].name);
        return 0;
    }
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
        if (strcmp(argv[1], attacks[i].name) == 0) {
            int rc = attacks[i].run();
            fflush(stdout);
            return rc;
        }
    fprintf(stderr, "%s: unknown attack '%s'; `%s list` prints the names\n", argv[0], argv[1], argv[0]);
    return 2;
}
