public enum FileKind: String, Codable, Sendable {
    case directory, file, symlink, socket, fifo, characterDevice, blockDevice
}

/// Read-only questions the planner asks about the host. The real answers come from lstat/readdir
/// in WardenLinux; tests answer from a table, which keeps the planner pure.
public protocol HostFileSystem: Sendable {
    /// The kind of `path` itself (not following a final symlink); nil when missing.
    func kind(_ path: String) -> FileKind?
    /// The target text of a symlink.
    func symlinkTarget(_ path: String) -> String?
    /// Entry names of one folder (never recursive).
    func list(_ directory: String) -> [String]
    /// The path with every symlink resolved; nil when missing.
    func canonical(_ path: String) -> String?
}

public extension HostFileSystem {
    /// The kind after following symlinks.
    func resolvedKind(_ path: String) -> FileKind? { canonical(path).flatMap { kind($0) } }
}

/// An input device and what udev (or its capability bits) says it is.
public struct InputDevice: Codable, Equatable, Sendable {
    public var path: String
    public var isJoystick: Bool
    public var isKeyboard: Bool
    public var isMouse: Bool

    public init(path: String, isJoystick: Bool, isKeyboard: Bool, isMouse: Bool) {
        self.path = path
        self.isJoystick = isJoystick
        self.isKeyboard = isKeyboard
        self.isMouse = isMouse
    }

    /// Joystick-class devices only; anything that can type or point is never granted.
    public var isGamepad: Bool { isJoystick && !isKeyboard && !isMouse }
}

public struct HidrawDevice: Codable, Equatable, Sendable {
    public var path: String
    public var vendorID: UInt16

    public init(path: String, vendorID: UInt16) {
        self.path = path
        self.vendorID = vendorID
    }

    /// Makers whose hidraw nodes are game controllers (Valve, Sony, Nintendo, 8BitDo, Nacon, PDP, Hori,
    /// Thrustmaster). Makers that also sell keyboards and mice (Logitech, Microsoft, Razer) are left out:
    /// a raw HID node of a keyboard carries keystrokes; their pads still work through evdev.
    public static let controllerVendors: Set<UInt16> = [0x28de, 0x054c, 0x057e, 0x2dc8, 0x146b, 0x0e6f, 0x0f0d, 0x044f]
}

/// Everything about the host the planner needs beyond the launch context and the profile.
public struct HostFacts: Sendable {
    public var fileSystem: any HostFileSystem
    public var inputDevices: [InputDevice]
    public var hidrawDevices: [HidrawDevice]
    /// Prefix of the host's `/dev`, `/sys` and `/run/udev` for the input devices: empty, except in
    /// debug builds' tests, which fake a root of controllers (`WW_TEST_DEVICE_ROOT`).
    public var deviceRoot: String = ""
    /// Canonical path of the running ww binary, bound read-only for the inner helper.
    public var wardenExecutable: String
    /// Folders of shared libraries the ww binary loads from outside /usr (dynamic Swift builds).
    public var wardenLibraryDirectories: [String]
    /// `~/.local/share/winewarden` of this user.
    public var dataDirectory: String
    /// This session's folder for live sockets: `$XDG_RUNTIME_DIR/winewarden/<session>` (never bound whole into a sandbox).
    public var sessionDirectory: String
    /// socat on the host (it runs inside the sandbox from the same path); nil when not installed.
    public var socatPath: String?
    /// The Landlock ABI this kernel offers (0: none). `pid = "shared"` needs ABI 6 scoping.
    public var landlockABI: Int
    /// xdg-dbus-proxy on the host; nil when not installed.
    public var dbusProxyPath: String?
    /// Landlock rules the planner leaves out (the folder stays mounted): only ever stricter. Set only
    /// by debug builds' test hooks (`WW_TEST_LANDLOCK_OMIT`), to show that Landlock refuses what its
    /// rules do not cover; empty in every release build.
    public var landlockRulesLeftOut: Set<String>

    public init(fileSystem: any HostFileSystem, inputDevices: [InputDevice] = [], hidrawDevices: [HidrawDevice] = [],
                wardenExecutable: String, wardenLibraryDirectories: [String] = [], dataDirectory: String,
                sessionDirectory: String = "/run/user/1000/winewarden/0123456789abcdef", socatPath: String? = "/usr/bin/socat",
                landlockABI: Int = 0, landlockRulesLeftOut: Set<String> = [], dbusProxyPath: String? = "/usr/bin/xdg-dbus-proxy") {
        self.landlockABI = landlockABI
        self.landlockRulesLeftOut = landlockRulesLeftOut
        self.dbusProxyPath = dbusProxyPath
        self.sessionDirectory = sessionDirectory
        self.socatPath = socatPath
        self.fileSystem = fileSystem
        self.inputDevices = inputDevices
        self.hidrawDevices = hidrawDevices
        self.wardenExecutable = wardenExecutable
        self.wardenLibraryDirectories = wardenLibraryDirectories
        self.dataDirectory = dataDirectory
    }
}
