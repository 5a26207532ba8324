/* Network micro-benchmarks for bench/network.sh.
     netbench udp-echo PORT                 UDP echo server on 127.0.0.1 (runs until killed)
     netbench tcp-sink PORT                 TCP server that reads and discards (runs until killed)
     netbench udp-pingpong PORT N MODE      N round trips; MODE sendto (unconnected, address each time),
                                            sendmsg (unconnected, address in msghdr), connected (send)
     netbench tcp-bulk PORT MB              writes MB MiB in 64 KiB writes, prints MB/s
   Client lines: "<name> <value> <unit>". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: see the comment at the top of netbench.c\n"); return 2; }
    int port = atoi(argv[2]);
    struct sockaddr_in a = loopback(port);
    char buf[65536];
    if (!strcmp(argv[1], "udp-echo")) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        if (bind(s, (struct sockaddr *)&a, sizeof a)) { perror("bind"); return 1; }
        for (;;) {
            struct sockaddr_in from; socklen_t fl = sizeof from;
            ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
            if (n > 0) sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
        }
    }
    if (!strcmp(argv[1], "tcp-sink")) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) { perror("bind"); return 1; }
        for (;;) {
            int c = accept(s, NULL, NULL);
            if (c < 0) continue;
            if (fork() == 0) { while (read(c, buf, sizeof buf) > 0) {} _exit(0); }
            close(c);
        }
    }
    if (!strcmp(argv[1], "udp-pingpong") && argc >= 5) {
        long n = atol(argv[3]);
        const char *mode = argv[4];
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        int connected = !strcmp(mode, "connected");
        if (connected && connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
        struct iovec iov = { buf, 32 };
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_name = &a; mh.msg_namelen = sizeof a; mh.msg_iov = &iov; mh.msg_iovlen = 1;
        memset(buf, 'x', 32);
        double t0 = now();
        for (long i = 0; i < n; i++) {
            ssize_t w;
            if (connected) w = send(s, buf, 32, 0);
            else if (!strcmp(mode, "sendmsg")) w = sendmsg(s, &mh, 0);
            else w = sendto(s, buf, 32, 0, (struct sockaddr *)&a, sizeof a);
            if (w != 32 || recv(s, buf, sizeof buf, 0) <= 0) { perror("pingpong"); return 1; }
        }
        printf("udp_roundtrip_%s %.2f us\n", mode, (now() - t0) / n * 1e6);
        return 0;
    }
    if (!strcmp(argv[1], "tcp-bulk") && argc >= 4) {
        long mb = atol(argv[3]);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
        memset(buf, 'y', sizeof buf);
        double t0 = now();
        for (long i = 0; i < mb * 16; i++) {
            size_t off = 0;
            while (off < sizeof buf) {
                ssize_t w = write(s, buf + off, sizeof buf - off);
                if (w <= 0) { perror("write"); return 1; }
                off += (size_t)w;
            }
        }
        shutdown(s, SHUT_WR);
        while (read(s, buf, sizeof buf) > 0) {}
        printf("tcp_bulk %.0f MB/s\n", mb / (now() - t0));
        return 0;
    }
    fprintf(stderr, "netbench: unknown mode %s\n", argv[1]);
    return 2;
}
