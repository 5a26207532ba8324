#ifndef WW_DEVICES_H
#define WW_DEVICES_H
// Controllers plugged in or out while a game runs: ww's own short-lived child enters the sandbox's
// user and mount namespaces and mounts (or unmounts) one device node there.

// Steps a change can fail at (for the event's text).
enum {
    WW_DEVICE_STEP_FORK = 1, WW_DEVICE_STEP_USERNS, WW_DEVICE_STEP_SETNS_USER, WW_DEVICE_STEP_SETNS_MNT,
    WW_DEVICE_STEP_STAGE, WW_DEVICE_STEP_CLONE, WW_DEVICE_STEP_KIND, WW_DEVICE_STEP_DEV, WW_DEVICE_STEP_FOLDER,
    WW_DEVICE_STEP_PLACEHOLDER, WW_DEVICE_STEP_MOUNT, WW_DEVICE_STEP_UNMOUNT, WW_DEVICE_STEP_UNLINK,
};

// `mnt_ns_fd`: /proc/<pid>/ns/mnt of a process of the sandbox (opened by ww). `name` is relative to
// /dev (`input/event7`, `hidraw3`; at most one folder). With `add`, the node staged at
// `<stage>/dev/<name>` is cloned and mounted at /dev/<name> (a character device; a regular file too
// when `allow_regular`, for debug builds' faked devices); without, /dev/<name> is unmounted and its
// name removed. Returns 0, or an errno with *step set to the WW_DEVICE_STEP that failed; EEXIST
// (add) or ENOENT (remove) when there was nothing to do.
int ww_device_change(int mnt_ns_fd, const char *stage, const char *name, int add, int allow_regular, int *step);

#endif
