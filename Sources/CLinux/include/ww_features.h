#ifndef WW_FEATURES_H
#define WW_FEATURES_H
// Host capability probes for `ww features`. None of them changes the calling
// process: anything that must install state does it in a short-lived child.
// Results are >= 0 on success and -errno on failure unless stated otherwise.

#include <stddef.h>

// Landlock ABI version (1..N), or -ENOSYS (not built in), -EOPNOTSUPP (disabled at boot).
int ww_landlock_abi(void);
// Landlock errata bitmask, or -EINVAL when the kernel predates the errata query.
int ww_landlock_errata(void);

// SECCOMP_SET_MODE_FILTER with a NULL program: the kernel validates flags before
// reading the program, so EFAULT means "flags accepted", EINVAL "refused".
// Returns 1 accepted, 0 refused, -errno when seccomp() itself is unavailable.
int ww_seccomp_flags_accepted(unsigned int flags);
// SECCOMP_GET_ACTION_AVAIL: 1 available, 0 not, -errno when seccomp() is unavailable.
int ww_seccomp_action_available(unsigned int action);
// Forked child sets no_new_privs and installs an allow-all filter with `flags`
// (e.g. NEW_LISTENER|WAIT_KILLABLE_RECV), then exits. 1 accepted, 0 EINVAL, -errno otherwise.
int ww_seccomp_listener_trial(unsigned int flags);

// Steps of the user namespace trial, in order.
enum {
    WW_USERNS_OK = 0,
    WW_USERNS_STEP_FORK = 1,         // no child at all (ENOMEM, pipe)
    WW_USERNS_STEP_CLONE = 2,      // clone(CLONE_NEWUSER), the way bwrap creates it
    WW_USERNS_STEP_SETGROUPS = 3,    // write "deny" to /proc/self/setgroups
    WW_USERNS_STEP_UID_MAP = 4,      // write "0 <euid> 1" to /proc/self/uid_map
    WW_USERNS_STEP_GID_MAP = 5,      // write "0 <egid> 1" to /proc/self/gid_map
    WW_USERNS_STEP_MOUNT_NS = 6,     // unshare(CLONE_NEWNS) inside: needs the namespace's capabilities
};
// A child cloned into a new user namespace does what bwrap does first. Returns the
// failed step (0 = all worked) and stores its errno in *error.
int ww_userns_trial(int *error);

// Runs argv (argv[0] an absolute path) with stdin=/dev/null and stdout+stderr
// captured into buf (NUL-terminated, truncated to cap-1). Kills it after timeout_ms.
// Returns the wait status (as from waitpid) or -errno when it could not be started.
int ww_probe_run_capture(const char *const argv[], char *buf, size_t cap, int timeout_ms);

#endif
