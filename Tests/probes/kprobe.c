// Linux probe for the kernel-layer tests (Landlock, process limits). Build: cc -O1 -Wall -o kprobe kprobe.c
// Prints one line per check: "ok" or "refused errno=N NAME"; exit 0 when the action worked, 1 when refused.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(int rc) {
    if (rc == 0) { printf("ok\n"); return 0; }
    printf("refused errno=%d %s\n", errno, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: kprobe abstract NAME | write FILE | forks N | kill PID | exec-bad-argv PROGRAM | socketcall FAMILY | ptrace PID\n"); return 2; }
    if (!strcmp(argv[1], "abstract")) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s < 0) return report(-1);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        size_t n = strlen(argv[2]);
        if (n + 1 > sizeof a.sun_path) return 2;
        memcpy(a.sun_path + 1, argv[2], n);   // leading NUL: abstract name
        return report(connect(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)));
    }
    if (!strcmp(argv[1], "write")) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) return report(-1);
        int rc = write(fd, "x\n", 2) == 2 ? 0 : -1;
        close(fd);
        return report(rc);
    }
    if (!strcmp(argv[1], "kill")) return report(kill(atoi(argv[2]), 0));
    if (!strcmp(argv[1], "socketcall")) {
        // i386 socketcall(SYS_SOCKET, {family, SOCK_STREAM, 0}) through int $0x80, as 32-bit glibc does it.
        uint32_t *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (args == MAP_FAILED) return 2;
        args[0] = (uint32_t)atoi(argv[2]); args[1] = SOCK_STREAM; args[2] = 0;
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(102L), "b"(1L), "c"((long)(uintptr_t)args) : "memory", "r8", "r9", "r10", "r11");
        if (r < 0) { errno = (int)-r; return report(-1); }
        return report(0);
    }
    if (!strcmp(argv[1], "ptrace")) {
        // Attaches to PID (0: a child of our own first, as Wine's debugger support would), then detaches.
        pid_t target = (pid_t)atoi(argv[2]), child = 0;
        if (target == 0) {
            child = fork();
            if (child == 0) { pause(); _exit(0); }
            if (child < 0) return 2;
            target = child;
        }
        long rc = ptrace(PTRACE_ATTACH, target, NULL, NULL);
        int e = errno;
        if (rc == 0) { waitpid(target, NULL, __WALL); ptrace(PTRACE_DETACH, target, NULL, NULL); }
        if (child > 0) { kill(child, SIGKILL); waitpid(child, NULL, 0); }
        errno = e;
        return report(rc == 0 ? 0 : -1);
    }
    if (!strcmp(argv[1], "exec-bad-argv")) {
        // argv points at an unmapped page: the kernel says EFAULT; a supervisor must not crash on it.
        execve(argv[2], (char *const *)(uintptr_t)0x1000, NULL);
        return report(-1);
    }
    if (!strcmp(argv[1], "forks")) {
        // Starts up to N children that stay alive, then reports how many started.
        int want = atoi(argv[2]), started = 0, err = 0;
        pid_t kids[4096];
        for (int i = 0; i < want && i < 4096; i++) {
            pid_t p = fork();
            if (p == 0) { pause(); _exit(0); }
            if (p < 0) { err = errno; break; }
            kids[started++] = p;
        }
        printf("started %d%s%s\n", started, err ? " then errno=" : "", err ? strerrorname_np(err) : "");
        for (int i = 0; i < started; i++) kill(kids[i], SIGKILL);
        while (wait(NULL) > 0) {}
        return err ? 1 : 0;
    }
    return 2;
}
