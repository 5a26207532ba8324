import CLinux
import Glibc
import Synchronization
import WardenCore

/// Controllers plugged in or out while the game runs (`DeviceHotplugPlan`): inotify on the host's
/// device folder and udev database, the plan's rule for each node, and for each change a short-lived
/// child (`ww_device_change`) that enters the sandbox's namespaces and mounts or unmounts the node.
/// Every change is an event: `device_added`, `device_removed`, `device_not_granted` (a keyboard or
/// mouse plugged in: never shown), `device_hotplug_failed` (the node could not be shown, with the
/// step and the reason). Nodes present at start that the plan did not grant are in its notes.
public final class DeviceHotplugService: SessionService, @unchecked Sendable {
    public let plan: DeviceHotplugPlan
    /// Faked nodes (regular files) are accepted: debug builds' tests only.
    let allowRegularFiles: Bool
    private var trail: AuditTrail?
    private var inotify: Int32 = -1
    private var stopFD: Int32 = -1
    private var lookFD: Int32 = -1
    private var thread: pthread_t?
    /// `/proc/<inner helper>/ns/mnt`, opened once the helper runs (-1 before).
    private let mountNamespace = Atomic<Int32>(-1)
    // Only the watcher's thread touches these once it runs.
    private var shown: Set<String> = []
    private var reported: Set<String> = []
    private var failed: Set<String> = []
    private var udevCopies: [String: String] = [:]
    private var inputWatch: Int32 = -1

    public init(plan: DeviceHotplugPlan, allowRegularFiles: Bool = false) {
        self.plan = plan
        self.allowRegularFiles = allowRegularFiles
    }

    var root: String { plan.hostDevices.hasSuffix("/dev") ? String(plan.hostDevices.dropLast(4)) : "" }
    var udevData: String { Paths.join(plan.udevFolder, "data") }

    /// Copies the udev entries of the controllers granted at start and starts watching.
    public func start(trail: AuditTrail?) throws {
        self.trail = trail
        guard plan.enabled else { return }
        let scan = scanHost()
        for (path, entry) in scan.entries where plan.initial.contains(path) { copyEntry(path, entry) }
        shown = Set(plan.initial)
        // What the plan left out at start is in its notes; only later arrivals are events.
        reported = Set(DeviceHotplugPlan.changes(input: scan.input, hidraw: scan.hidraw, pending: scan.pending, shown: shown, reported: []).notGranted.map(\.path))
        inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        stopFD = ww_wake_fd()
        lookFD = ww_wake_fd()
        guard inotify >= 0, stopFD >= 0, lookFD >= 0 else { return status(false, "cannot watch the devices: \(ErrnoText.describe(errno))") }
        let folders = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)
        guard inotify_add_watch(inotify, plan.hostDevices, folders) >= 0 else {
            return status(false, "cannot watch \(plan.hostDevices): \(ErrnoText.describe(errno))")
        }
        watchInputFolder()
        // udev writes an entry by renaming a finished file into place; without udev, no entries come.
        _ = inotify_add_watch(inotify, plan.hostUdevData, folders | UInt32(IN_CLOSE_WRITE))
        thread = BackgroundThread.start { self.run() }
    }

    /// The sandbox exists: its mount namespace is where nodes go; a first look catches what came since the plan.
    public func helperStarted(_ pid: pid_t) {
        guard plan.enabled, lookFD >= 0 else { return }
        let fd = open("/proc/\(pid)/ns/mnt", O_RDONLY | O_CLOEXEC)
        if fd >= 0 { mountNamespace.store(fd, ordering: .releasing) }
        var one: UInt64 = 1
        _ = Glibc.write(lookFD, &one, 8)
    }

    /// No change after the game is gone.
    public func gameEnded(trail: AuditTrail) { stopThread() }

    public func stop() {
        stopThread()
        let fd = mountNamespace.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { close(fd) }
    }

    private func stopThread() {
        if let t = thread {
            var one: UInt64 = 1
            _ = Glibc.write(stopFD, &one, 8)
            pthread_join(t, nil)
            thread = nil
        }
        if inotify >= 0 { ww_close_detached(inotify); inotify = -1 }   // see FileWatcher.stop
        for fd in [stopFD, lookFD] where fd >= 0 { close(fd) }
        stopFD = -1
        lookFD = -1
    }

    private func status(_ watching: Bool, _ error: String) {
        trail?.record("device_hotplug_status", [("watching", .bool(watching)), ("error", .string(error))])
    }

    private func watchInputFolder() {
        guard inputWatch < 0 else { return }
        inputWatch = inotify_add_watch(inotify, Paths.join(plan.hostDevices, "input"), UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR))
    }

    /// Events come in bursts (the node, then udev's entry): one look once the host is quiet for 50 ms.
    private func run() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        var dirty = false
        while true {
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: lookFD, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 3, dirty ? 50 : -1)
            if r < 0 { if errno == EINTR { continue }; return }
            if fds[1].revents != 0 { return }
            if fds[2].revents != 0 {
                var n: UInt64 = 0
                _ = read(lookFD, &n, 8)
                dirty = true
            }
            if fds[0].revents != 0 {
                while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
                dirty = true
                continue
            }
            if r == 0 && dirty {
                dirty = false
                watchInputFolder()
                look()
            }
        }
    }

    struct Scan {
        var input: [InputDevice] = []
        var hidraw: [HidrawDevice] = []
        var pending: Set<String> = []
        var entries: [String: String] = [:]
    }

    func scanHost() -> Scan {
        var s = Scan()
        let udevRuns = RealFileSystem().kind(plan.hostUdevData) == .directory
        for r in DeviceScan.inputDeviceRecords(root: root) {
            s.input.append(r.device)
            if let e = r.udevEntry { s.entries[r.device.path] = e } else if udevRuns { s.pending.insert(r.device.path) }
        }
        for r in DeviceScan.hidrawDeviceRecords(root: root) {
            s.hidraw.append(r.device)
            if let e = r.udevEntry { s.entries[r.device.path] = e }
        }
        return s
    }

    private func look() {
        let ns = mountNamespace.load(ordering: .acquiring)
        guard ns >= 0 else { return }
        let scan = scanHost()
        let c = DeviceHotplugPlan.changes(input: scan.input, hidraw: scan.hidraw, pending: scan.pending, shown: shown, reported: reported)
        for path in c.remove {
            guard let name = DeviceHotplugPlan.nodeName(path) else { continue }
            var step: Int32 = 0
            let e = ww_device_change(ns, plan.stage, name, 0, 0, &step)
            if e != 0 && e != ENOENT {
                trail?.record("device_hotplug_failed", [("path", .string(path)), ("change", .string("remove")), ("step", .string(Self.stepName(step))), ("error", .string(ErrnoText.describe(e)))])
                continue
            }
            shown.remove(path)
            failed.remove(path)
            if let copy = udevCopies.removeValue(forKey: path) { unlink(copy) }
            trail?.record("device_removed", [("path", .string(path))])
        }
        for (path, reason) in c.add {
            guard let name = DeviceHotplugPlan.nodeName(path) else { continue }
            var step: Int32 = 0
            let e = ww_device_change(ns, plan.stage, name, 1, allowRegularFiles ? 1 : 0, &step)
            if e != 0 && e != EEXIST {
                // Once per node until it is unplugged: a node that cannot be shown is not retried on every event.
                if failed.insert(path).inserted {
                    trail?.record("device_hotplug_failed", [("path", .string(path)), ("change", .string("add")), ("step", .string(Self.stepName(step))), ("error", .string(ErrnoText.describe(e)))])
                }
                continue
            }
            shown.insert(path)
            if let entry = scan.entries[path] { copyEntry(path, entry) }
            trail?.record("device_added", [("path", .string(path)), ("reason", .string(reason))])
        }
        for (path, reason) in c.notGranted {
            reported.insert(path)
            trail?.record("device_not_granted", [("path", .string(path)), ("reason", .string(reason))])
        }
        // A node that failed and is gone may be tried again when it comes back.
        let present = Set(scan.input.map(\.path) + scan.hidraw.map(\.path))
        failed.formIntersection(present)
        reported.formIntersection(present)
    }

    /// udev's entry of a granted node, copied (never linked) where the sandbox reads /run/udev/data.
    private func copyEntry(_ path: String, _ entry: String) {
        guard let text = RealFileSystem.readSmallFile(entry) else { return }
        let copy = Paths.join(udevData, Paths.basename(entry))
        let tmp = copy + ".new"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        let ok = RealFileSystem.writeAll(fd, Array(text.utf8))
        close(fd)
        if ok, rename(tmp, copy) == 0 { udevCopies[path] = copy } else { unlink(tmp) }
    }

    static func stepName(_ step: Int32) -> String {
        let names = ["", "fork", "find the sandbox's user namespace", "enter the user namespace", "enter the mount namespace",
                     "open the stage", "clone the node", "not a character device", "open /dev", "open the node's folder",
                     "make the mount point", "mount", "unmount", "remove the name"]
        return step > 0 && Int(step) < names.count ? names[Int(step)] : "unknown"
    }
}
