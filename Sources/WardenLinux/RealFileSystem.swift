import Foundation
import Glibc
import WardenCore

/// `HostFileSystem` answered by lstat/readlink/readdir/realpath on this machine.
public struct RealFileSystem: HostFileSystem {
    public init() {}

    public func kind(_ path: String) -> FileKind? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK: return .symlink
        case S_IFSOCK: return .socket
        case S_IFIFO: return .fifo
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        default: return .file
        }
    }

    public func symlinkTarget(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buf, buf.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func canonical(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Removes a file, or a folder and everything in it (folders made removable first); links are
    /// removed, never followed. Folders nested deeper than `maxDepth` are an error, not a crash.
    public static func removeTree(_ path: String, maxDepth: Int = 256) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            guard maxDepth > 0 else { throw WardenError(.launch, "cannot remove \(path): folders nested too deep; remove it by hand") }
            chmod(path, 0o700)
            for name in RealFileSystem().list(path) { try removeTree(Paths.join(path, name), maxDepth: maxDepth - 1) }
            if rmdir(path) != 0 {
                throw WardenError(.launch, "cannot remove \(path): \(String(cString: strerror(errno)))\(errno == EBUSY ? " (is the game still running?)" : "")")
            }
        } else if unlink(path) != 0 {
            throw WardenError(.launch, "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }

    public enum ExclusiveLock: Equatable {
        /// Held through this descriptor until it is closed (or the process dies).
        case held(Int32)
        /// Another process holds it.
        case busy
        /// The lock file cannot be opened: the errno.
        case failed(Int32)
    }

    /// An exclusive `flock` on `path` (created 0600, never through a link), without waiting. The kernel
    /// frees it when its holder dies, so a free lock beside a journal means the journal's session is gone.
    public static func lockExclusively(_ path: String) -> ExclusiveLock {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failed(errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return .busy }
        return .held(fd)
    }

    /// Writes every byte (a short write is continued); false on an error, errno says which.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    /// A whole file's bytes, not following a link; nil when unreadable or larger than `limit`.
    public static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 { return nil }
            if n == 0 { return out }
            out += buf[0..<n]
            if out.count > limit { return nil }
        }
    }

    /// Whole small file as text (sysfs, udev data); nil when unreadable.
    public static func readSmallFile(_ path: String, limit: Int = 65536) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Gamepads versus keyboards and mice, from udev's database (or the kernel's capability bits).
/// `root` prefixes `/dev`, `/sys` and `/run/udev` (empty on a real host; a faked root in tests);
/// the paths returned are the nodes' usual paths (`/dev/input/event3`).
public enum DeviceScan {
    public static func inputDevices(root: String = "") -> [InputDevice] {
        inputDeviceRecords(root: root).map(\.device)
    }

    /// Each input device with whether udev has described it yet (its database entry exists).
    public static func inputDeviceRecords(root: String = "") -> [(device: InputDevice, udevEntry: String?)] {
        let fs = RealFileSystem()
        var out: [(InputDevice, String?)] = []
        for name in fs.list(root + "/dev/input") where name.hasPrefix("event") || name.hasPrefix("js") {
            let path = "/dev/input/\(name)"
            let sys = "\(root)/sys/class/input/\(name)"
            guard let dev = RealFileSystem.readSmallFile("\(sys)/dev")?.trimmingCharacters(in: .whitespacesAndNewlines) else { continue }
            let entry = udevEntry(root: root, device: dev)
            let udev = entry.flatMap { RealFileSystem.readSmallFile($0) } ?? ""
            func flag(_ key: String) -> Bool { udev.contains("E:\(key)=1") }
            var joystick = flag("ID_INPUT_JOYSTICK")
            var keyboard = flag("ID_INPUT_KEYBOARD") || flag("ID_INPUT_KEY")
            var mouse = flag("ID_INPUT_MOUSE") || flag("ID_INPUT_TOUCHPAD") || flag("ID_INPUT_TABLET")
            if udev.isEmpty {
                // No udev record: a joystick reports absolute axes and no relative ones; unknown means not granted.
                let abs = RealFileSystem.readSmallFile("\(sys)/device/capabilities/abs")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0"
                let rel = RealFileSystem.readSmallFile("\(sys)/device/capabilities/rel")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0"
                joystick = name.hasPrefix("js") || (abs != "0" && rel == "0" && abs != "")
                keyboard = !joystick
                mouse = rel != "0"
            }
            out.append((InputDevice(path: path, isJoystick: joystick, isKeyboard: keyboard, isMouse: mouse), udev.isEmpty ? nil : entry))
        }
        return out
    }

    public static func hidrawDevices(root: String = "") -> [HidrawDevice] {
        hidrawDeviceRecords(root: root).map(\.device)
    }

    public static func hidrawDeviceRecords(root: String = "") -> [(device: HidrawDevice, udevEntry: String?)] {
        let fs = RealFileSystem()
        var out: [(HidrawDevice, String?)] = []
        for name in fs.list(root + "/dev") where name.hasPrefix("hidraw") {
            let sys = "\(root)/sys/class/hidraw/\(name)"
            guard let uevent = RealFileSystem.readSmallFile("\(sys)/device/uevent") else { continue }
            // HID_ID=0003:0000054C:000009CC → bus:vendor:product
            guard let line = uevent.split(separator: "\n").first(where: { $0.hasPrefix("HID_ID=") }) else { continue }
            let parts = line.dropFirst("HID_ID=".count).split(separator: ":")
            guard parts.count == 3, let vendor = UInt32(parts[1], radix: 16) else { continue }
            let entry = RealFileSystem.readSmallFile("\(sys)/dev").map { udevEntry(root: root, device: $0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? nil
            out.append((HidrawDevice(path: "/dev/\(name)", vendorID: UInt16(truncatingIfNeeded: vendor)), entry.flatMap { RealFileSystem().kind($0) == .file ? $0 : nil }))
        }
        return out
    }

    /// udev's database entry of a character device (`major:minor`), when the name is well formed.
    static func udevEntry(root: String, device: String) -> String? {
        let parts = device.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
        return "\(root)/run/udev/data/c\(device)"
    }
}
