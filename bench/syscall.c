/*
 * syscall-bench: the cost of a syscall, to compare a sandbox's filters against a bare process.
 *
 *   build:  cc -O2 -Wall -o syscall-bench syscall.c
 *   syscall-bench getppid [N]   N x syscall(SYS_getppid) (default 2,000,000), 15 rounds; the minimum ns per call.
 *                               getppid does no work, so this is the entry/exit path plus any seccomp filter.
 *   syscall-bench connect [N]   N x socket()+connect()+close() to an AF_UNIX pathname listener in a fresh
 *                               directory under $TMPDIR or /tmp (default 20,000), 15 rounds; also N x
 *                               socket()+close() alone, so the difference is what connect costs (the call a
 *                               seccomp supervisor is most likely to be notified of). Works with no network:
 *                               a pathname socket needs only a writable /tmp. new_connect_ns: connect to a
 *                               destination not seen before (a missing path, N/10 of them, 200 us apart), what
 *                               a caller waits when the supervisor records each new destination;
 *                               new_connect_burst_ns: the same back to back, the supervisor's whole cost.
 *
 * Output, one line, key=value (bench/kernel.sh parses it):
 *   getppid ns=234.1 n=2000000 rounds=15
 *   connect ns=5012.3 socket_close_ns=1801.0 connect_ns=3211.3 new_connect_ns=2900.0 new_connect_burst_ns=2950.0 n=20000 rounds=15
 * Every figure is the minimum over the rounds (least disturbed by other load), after an uncounted warm-up,
 * timed with CLOCK_MONOTONIC.
 * The process pins itself to the CPU it starts on, so a round never migrates.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 15 };

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "syscall-bench: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void pin(void) {
    int cpu = sched_getcpu();
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set); /* best effort */
}

static int bench_getppid(long n) {
    double best = 1e30;
    for (long i = 0; i < n / 10; i++) syscall(SYS_getppid); /* warm-up: caches, CPU frequency */
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = now_ns();
        for (long i = 0; i < n; i++) syscall(SYS_getppid);
        double per = (double)(now_ns() - t0) / (double)n;
        if (per < best) best = per;
    }
    printf("getppid ns=%.1f n=%ld rounds=%d\n", best, n, ROUNDS);
    return 0;
}

static char dir[108];
static char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void cleanup(void) {
    if (path[0]) unlink(path);
    if (dir[0]) rmdir(dir);
}

static int bench_connect(long n) {
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    if (snprintf(dir, sizeof dir, "%s/syscall-bench-XXXXXX", tmp) >= (int)sizeof dir) { errno = ENAMETOOLONG; die("TMPDIR"); }
    if (!mkdtemp(dir)) die("mkdtemp");
    atexit(cleanup);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s/l", dir) >= (int)sizeof addr.sun_path) { errno = ENAMETOOLONG; die("socket path"); }
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) die("socket (listener)");
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    memcpy(path, addr.sun_path, sizeof path);
    if (listen(listener, 64) < 0) die("listen");

    /* Each iteration is timed alone, so the untimed accept()+close() that drains the backlog
     * (the server side, not what a client pays) stays out of the figure. */
    double best_full = 1e30, best_bare = 1e30;
    for (int r = -1; r < ROUNDS; r++) { /* round -1 is a warm-up, not counted */
        uint64_t full = 0, bare = 0;
        for (long i = 0; i < n; i++) {
            uint64_t t0 = now_ns();
            int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0) die("socket");
            if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
            close(s);
            full += now_ns() - t0;
            int a = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
            if (a < 0) die("accept");
            close(a);
        }
        for (long i = 0; i < n; i++) {
            uint64_t t0 = now_ns();
            int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0) die("socket");
            close(s);
            bare += now_ns() - t0;
        }
        double f = (double)full / (double)n, b = (double)bare / (double)n;
        if (r < 0) continue;
        if (f < best_full) best_full = f;
        if (b < best_bare) best_bare = b;
    }
    /* A destination never seen before, every time: a path that does not exist (ENOENT). A supervisor
     * that records each new destination pays its recording here; n/10 of them, to keep its log small. */
    long m = n / 10 > 0 ? n / 10 : 1;
    double best_new[2] = {1e30, 1e30};
    struct sockaddr_un fresh = {.sun_family = AF_UNIX};
    /* pass 0: 200 us apart, as a game's connects are (the caller's wait); pass 1: back to back (every
     * call also waits for the supervisor to finish recording the one before: its whole cost). */
    for (int spaced = 0; spaced < 2; spaced++) {
        for (int r = -1; r < ROUNDS; r++) {
            uint64_t total = 0;
            for (long i = 0; i < m; i++) {
                snprintf(fresh.sun_path, sizeof fresh.sun_path, "%s/new-%d-%d-%ld", dir, spaced, r + 1, i);
                if (spaced == 0) { struct timespec gap = {0, 200000}; nanosleep(&gap, NULL); }
                uint64_t t0 = now_ns();
                int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (s < 0) die("socket");
                if (connect(s, (struct sockaddr *)&fresh, sizeof fresh) == 0 || errno != ENOENT) die("connect to a missing path");
                close(s);
                total += now_ns() - t0;
            }
            double f = (double)total / (double)m;
            if (r >= 0 && f < best_new[spaced]) best_new[spaced] = f;
        }
    }
    close(listener);
    printf("connect ns=%.1f socket_close_ns=%.1f connect_ns=%.1f new_connect_ns=%.1f new_connect_burst_ns=%.1f n=%ld rounds=%d\n",
           best_full, best_bare, best_full - best_bare, best_new[0] - best_bare, best_new[1] - best_bare, n, ROUNDS);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s getppid|connect [N]\n", argv[0]);
        return 2;
    }
    long n = 0;
    if (argc == 3) {
        char *end;
        n = strtol(argv[2], &end, 10);
        if (*end || n <= 0) {
            fprintf(stderr, "%s: N must be a positive number, not '%s'\n", argv[0], argv[2]);
            return 2;
        }
    }
    pin();
    if (strcmp(argv[1], "getppid") == 0) return bench_getppid(n ? n : 2000000);
    if (strcmp(argv[1], "connect") == 0) return bench_connect(n ? n : 20000);
    fprintf(stderr, "%s: unknown benchmark '%s' (getppid, connect)\n", argv[0], argv[1]);
    return 2;
}
