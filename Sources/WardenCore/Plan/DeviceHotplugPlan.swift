/// Controllers plugged in or out while the game runs (`[devices] gamepads = true`). Planned here,
/// done by the supervisor's hotplug service:
///
/// - bwrap stages the host's device folder inside the sandbox behind a tmpfs with no permissions,
///   read-only (`stage`): the game cannot list, open or chmod it (it has no capability in its user
///   namespace), so no keyboard node is ever reachable through it;
/// - the supervisor watches the host's device folder and udev database with inotify, classifies
///   each new node as the plan does at start (`changes`), and for a game controller enters the
///   sandbox's user and mount namespaces from a short-lived child of its own (the sandbox owns no
///   such child and has no channel to it) to clone the staged node and mount it at its usual path;
///   an unplugged node is unmounted and its name removed;
/// - the udev database entries of the granted devices only are copied into `udevFolder`, bound
///   read-only at `/run/udev`, so SDL and Wine's winebus classify them as on the host.
///
/// Nothing inside the sandbox can ask for a device: the names come only from the host's folder,
/// through the same rule as at start.
public struct DeviceHotplugPlan: Codable, Equatable, Sendable {
    public var enabled: Bool
    /// The host folder of device nodes (`/dev`; a test root's `dev` in debug builds).
    public var hostDevices: String
    /// The host's sysfs classes and udev database, as `DeviceScan` reads them.
    public var hostSys: String
    public var hostUdevData: String
    /// Where bwrap stages `hostDevices` inside the sandbox (unreachable by the game).
    public var stage: String
    /// `<session>/udev`: `data/` holds the granted devices' udev entries; bound read-only at /run/udev.
    public var udevFolder: String
    /// The controller nodes the plan grants at start (sandbox paths).
    public var initial: [String]

    public static let stagePath = "/run/winewarden/devices"

    public init(enabled: Bool = false, hostDevices: String = "/dev", hostSys: String = "/sys", hostUdevData: String = "/run/udev/data",
                stage: String = DeviceHotplugPlan.stagePath, udevFolder: String = "", initial: [String] = []) {
        self.enabled = enabled
        self.hostDevices = hostDevices
        self.hostSys = hostSys
        self.hostUdevData = hostUdevData
        self.stage = stage
        self.udevFolder = udevFolder
        self.initial = initial
    }

    /// What to change inside the sandbox after a look at the host.
    public struct Changes: Equatable, Sendable {
        /// Controller nodes to show (sandbox paths), with why.
        public var add: [(path: String, reason: String)] = []
        /// Shown nodes to take away: unplugged, or no longer a controller.
        public var remove: [String] = []
        /// New nodes never shown (keyboards, mice, raw HID of other makers), with why.
        public var notGranted: [(path: String, reason: String)] = []

        public static func == (a: Changes, b: Changes) -> Bool {
            a.add.map { "\($0.path)|\($0.reason)" } == b.add.map { "\($0.path)|\($0.reason)" } && a.remove == b.remove
                && a.notGranted.map { "\($0.path)|\($0.reason)" } == b.notGranted.map { "\($0.path)|\($0.reason)" }
        }
    }

    /// The same rule as the plan at start (`Planner.addDevices`): joystick-class input devices and
    /// the hidraw nodes of controller makers; never anything that can type or point. A node udev has
    /// not described yet (`pending`: udev runs but its entry is not written) waits for the entry.
    /// `shown`: what the sandbox shows now; `reported`: nodes already reported as not granted.
    public static func changes(input: [InputDevice], hidraw: [HidrawDevice], pending: Set<String>,
                               shown: Set<String>, reported: Set<String>) -> Changes {
        var c = Changes()
        var granted: Set<String> = []
        var present: Set<String> = []
        for d in input.sorted(by: { $0.path < $1.path }) {
            present.insert(d.path)
            if pending.contains(d.path) { continue }
            if d.isGamepad {
                granted.insert(d.path)
                if !shown.contains(d.path) { c.add.append((d.path, "gamepad")) }
            } else if !reported.contains(d.path) {
                c.notGranted.append((d.path, d.isJoystick ? "a joystick that also types or points" : "a keyboard or mouse, or not a joystick"))
            }
        }
        for h in hidraw.sorted(by: { $0.path < $1.path }) {
            present.insert(h.path)
            if HidrawDevice.controllerVendors.contains(h.vendorID) {
                granted.insert(h.path)
                if !shown.contains(h.path) { c.add.append((h.path, "game controller (hidraw, vendor \(String(h.vendorID, radix: 16)))")) }
            } else if !reported.contains(h.path) {
                c.notGranted.append((h.path, "raw HID of vendor \(String(h.vendorID, radix: 16)), not a controller maker"))
            }
        }
        for path in shown.sorted() where !granted.contains(path) {
            // A shown node udev is describing again stays until its entry says what it is.
            if present.contains(path) && pending.contains(path) { continue }
            c.remove.append(path)
        }
        return c
    }

    /// The node name relative to the device folder (`input/event7`, `hidraw3`) for a sandbox path;
    /// nil for anything else: the only names ww ever mounts.
    public static func nodeName(_ sandboxPath: String) -> String? {
        func digits(_ s: Substring) -> Bool { !s.isEmpty && s.count <= 6 && s.allSatisfy { $0.isASCII && $0.isNumber } }
        if sandboxPath.hasPrefix("/dev/input/") {
            let name = sandboxPath.dropFirst("/dev/input/".count)
            if name.hasPrefix("event"), digits(name.dropFirst(5)) { return "input/" + name }
            if name.hasPrefix("js"), digits(name.dropFirst(2)) { return "input/" + name }
            return nil
        }
        if sandboxPath.hasPrefix("/dev/hidraw"), digits(sandboxPath.dropFirst("/dev/hidraw".count)) { return String(sandboxPath.dropFirst(5)) }
        return nil
    }
}
