// Exec identity probe for the integration tests (Tests/IntegrationTests/ExecIdentityTests.swift):
// runs a program in one of the ways a name-based exec rule could miss, and prints the outcome.
//   execprobe exec PATH ARGS...   execve(PATH) as given (a symlink, a #! script, the dynamic loader)
//   execprobe fd PATH ARGS...     open(PATH) then execve("/proc/self/fd/N")
//   execprobe memfd PATH ARGS...  copy PATH into a memfd, then execveat(fd, "", AT_EMPTY_PATH)
//   execprobe deleted PATH ARGS... copy PATH to /tmp, open it, delete it, execve("/proc/self/fd/N")
// On failure prints "refused errno=N NAME" and exits 3; on success the program's own output shows.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int refused(void) {
    int e = errno;
    printf("refused errno=%d %s\n", e, e == EPERM ? "EPERM" : strerror(e));
    return 3;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: execprobe exec|fd|memfd PATH ARGS...\n"); return 2; }
    const char *mode = argv[1], *path = argv[2];
    char **args = argv + 2;
    fflush(stdout);
    if (strcmp(mode, "exec") == 0) {
        execve(path, args, environ);
        return refused();
    }
    if (strcmp(mode, "fd") == 0) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) { perror("open"); return 2; }
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        execve(link, args, environ);
        return refused();
    }
    if (strcmp(mode, "memfd") == 0) {
        int in = open(path, O_RDONLY);
        int fd = (int)syscall(SYS_memfd_create, "probe", 0);
        if (in < 0 || fd < 0) { perror("memfd"); return 2; }
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0) {
            if (write(fd, buf, (size_t)n) != n) { perror("write"); return 2; }
        }
        close(in);
        syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
        return refused();
    }
    if (strcmp(mode, "deleted") == 0) {
        const char *copy = "/tmp/execprobe-deleted";
        int in = open(path, O_RDONLY);
        int out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
        if (in < 0 || out < 0) { perror("copy"); return 2; }
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0) {
            if (write(out, buf, (size_t)n) != n) { perror("write"); return 2; }
        }
        close(in);
        close(out);   // no writer left: ETXTBSY otherwise
        int fd = open(copy, O_RDONLY);
        if (fd < 0 || unlink(copy) != 0) { perror("open/unlink"); return 2; }
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        execve(link, args, environ);
        return refused();
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
