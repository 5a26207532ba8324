#ifndef WW_PROCESS_H
#define WW_PROCESS_H
#include <sys/types.h>
#include <stddef.h>

// Blocks `signals` for the calling thread and returns a signalfd for them (CLOEXEC|NONBLOCK), or -1.
int ww_signalfd_block(const int *signals, int count);
// Reads one signal: returns 1 with fields set, 0 when none pending, -1 on error.
int ww_signalfd_read(int fd, int *signo, int *code, int *sender_pid);

// fork+exec with exact descriptors: fds[i] becomes descriptor 3+i in the child, every other
// descriptor above 2 is closed, `ignored` signals are SIG_IGN, all others default and unblocked.
// Returns 0 and the pid, or an errno (exec failures come back through a CLOEXEC pipe).
// ww_spawn, but the child first enters a user and mount namespace of its own (same uid/gid) and
// mounts `noverlays` overlays (mount options such as "lowerdir=…,upperdir=…,workdir=…,userxattr" onto
// targets) before exec. On failure returns the errno and sets *failed_step: 0 unshare, 2 uid_map,
// 3 gid_map, 4 making mounts private, 10+i overlay i.
int ww_spawn_with_overlays(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
                           const int *ignored, int nignored, const char *const *overlay_options,
                           const char *const *overlay_targets, int noverlays, pid_t *pid_out, int *failed_step);

int ww_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int nfds,
             const int *ignored, int nignored, pid_t *pid_out);

int ww_pidfd_open(pid_t pid);
int ww_pidfd_send_signal(int pidfd, int sig);

// SOCK_SEQPACKET pair, CLOEXEC; the first end receives the peer's credentials.
int ww_control_pair(int sv[2]);
// Sends a message carrying the sender's own pid/uid/gid (the kernel translates the pid for the reader).
ssize_t ww_send_with_credentials(int fd, const void *buf, size_t len);
// Receives a message; *pid is the sender's pid in the reader's pid namespace (or 0 when absent).
ssize_t ww_recv_with_pid(int fd, void *buf, size_t len, pid_t *pid, int dontwait);

// open(path, O_PATH|O_NOFOLLOW|O_CLOEXEC)
int ww_open_path_nofollow(const char *path);
// openat2(dirfd, rel, O_PATH|O_CLOEXEC, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS)
int ww_open_beneath(int dirfd, const char *rel);
// 1 when fd names a symlink, 0 otherwise (fstat on an O_PATH descriptor).
int ww_fd_is_symlink(int fd);

// Inner helper: close every descriptor from `low` up, mark fd CLOEXEC, reset all signals to default.
int ww_close_from(int low);
int ww_set_cloexec(int fd);
void ww_reset_signals(void);
#endif

#ifndef WW_PROCESS_GAME_H
#define WW_PROCESS_GAME_H
// The direct children of this process, from /proc/self/task/*/children; returns the count.
int ww_list_children(pid_t *out, int max);
// A child that has exited, left unreaped (WNOWAIT) so its name can still be read: 1 with its pid,
// whether a signal killed it, the exit status or signal, and its name; 0 if none yet; -errno.
int ww_wait_exited(pid_t *pid, int *killed, int *status, char *name, size_t name_len);
#endif

#ifndef WW_PROCESS_MEMFD_H
#define WW_PROCESS_MEMFD_H
// memfd_create(name, MFD_CLOEXEC); -1 on error.
int ww_memfd(const char *name);
// Descendants of `root` (not root itself) from /proc/PID/task/*/children, breadth first; count.
int ww_list_descendants(pid_t root, pid_t *out, int max);

// The first byte of an extended attribute of `path` itself (not following a link), or -1.
int ww_xattr_first_byte(const char *path, const char *name);

// The pid of a unix socket's peer (SO_PEERCRED), or 0.
pid_t ww_peer_pid(int fd);

// The process among `candidates` whose UDP socket is connected to 127.0.0.1:port in the network
// namespace of `netns_pid` (/proc/PID/net/udp), when exactly one such socket exists; else 0.
pid_t ww_udp_client_of(pid_t netns_pid, int port, const pid_t *candidates, int ncandidates);

// PR_SET_PDEATHSIG: `sig` when the parent thread exits. 0 or errno.
int ww_set_parent_death_signal(int sig);

// SIGKILLs every descendant of this process and reaps them (it is their subreaper), until none is
// left or `rounds` passes found nothing new. Returns how many were killed.
int ww_kill_all_descendants(int rounds);
#endif

#ifndef WW_PROCESS_SETUP_H
#define WW_PROCESS_SETUP_H
#include <stdint.h>
#include "ww_kernel.h"
// What the inner helper's child applies to itself between fork and execve.
struct ww_game_setup {
    const struct ww_landlock_rule *rules;
    int nrules;
    uint64_t handled;
    uint64_t scoped;
    uint32_t restrict_flags;
    int landlock_mode;          // 0 off, 1 best-effort, 2 required
    const void *filter;         // notification filter (classic BPF); NULL: none
    size_t filter_len;
    int control;                // socket to ww: status (+ listener) out, one ack byte back
    uint8_t status_tag;         // first byte of the status message
    uint8_t ack_tag;            // the byte ww answers when the game may start
};
// Inner helper: become a child subreaper and fork; the child applies Landlock, loads the notification filter, sends
// [status_tag, status bytes] with the listener to ww over `control`, waits for `ack_tag`, and only
// then execve's `path` (already resolved, no PATH search). Status bytes are EnforcementStatus's
// encoding (little-endian): abi, handled, scoped, flags, added, missing, errno, step, listener errno.
int ww_fork_exec_game_setup(const char *path, char *const argv[], const struct ww_game_setup *setup, pid_t *pid_out);
#endif

#ifndef WW_PROCESS_DUMP_H
#define WW_PROCESS_DUMP_H
// prctl(PR_SET_DUMPABLE, 0): no ptrace attach, no /proc/PID/mem for processes without privileges.
int ww_set_nondumpable(void);
// A copy of another process's descriptor (pidfd_getfd), or -errno.
int ww_take_fd(pid_t pid, int fd);
#endif

// fork + exec of a bridge (socat) in its own process group with default signals; 0 or errno.
int ww_spawn_bridge(const char *path, char *const argv[], pid_t *pid_out);
// Clears every capability set of the calling process; 0 or errno.
int ww_drop_capabilities(void);
// bind() to a pathname unix socket; -1 and errno (ENAMETOOLONG when the path does not fit).
int ww_bind_unix(int fd, const char *path);
// SO_TYPE and SO_PROTOCOL of another process's descriptor (pidfd_getfd); 0 or errno.
int ww_socket_kind(pid_t pid, int fd, int *type, int *protocol);
// The process among `candidates` holding the TCP client end of `server_pid`'s accepted connection on
// local port `port` (read from /proc/SERVER/net/tcp); 0 when not found.
pid_t ww_tcp_client_of(pid_t server_pid, int port, const pid_t *candidates, int ncandidates);

/* An eventfd with close-on-exec (a thread's wake-up), or -1 with errno. */
int ww_wake_fd(void);

/* A listening stream socket at path (0600, non-blocking, close-on-exec); -1 and errno. */
int ww_unix_listen(const char *path, int backlog);
/* A non-blocking, close-on-exec connection to the stream socket at path; -1 and errno. */
int ww_unix_connect(const char *path);
/* The uid at the other end of a unix socket (SO_PEERCRED), or -1. */
long ww_peer_uid(int fd);
/* Sets the calling thread's nice value (a background thread yields to the game); 0 or -1. */
int ww_thread_nice(int value);
// close(fd) for an inotify descriptor without waiting for the kernel's grace period: a short-lived
// /bin/true holds the last copy (its zombie is left for ww's exit or init). Falls back to close.
int ww_close_detached(int fd);
