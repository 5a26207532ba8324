import Glibc
import WardenCore

/// What the supervisor reads about a sandboxed process from /proc: links (exe, fd, cwd), its thread
/// group, its name and its chain of ancestors.
enum ProcFiles {
    static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buf, 4096)
        guard n > 0 else { return nil }
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The process (thread group) a thread belongs to: notifications carry the calling thread's id.
    static func threadGroup(_ tid: pid_t) -> pid_t {
        guard let status = readSmallFile("/proc/\(tid)/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Tgid:") }),
              let tgid = pid_t(String(line.dropFirst(5).filter { $0 != " " && $0 != "\t" })) else { return tid }
        return tgid
    }

    static func comm(_ pid: pid_t) -> String {
        readSmallFile("/proc/\(pid)/comm").map { String($0.prefix { $0 != "\n" }) } ?? ""
    }

    static func readSmallFile(_ path: String) -> String? {
        var buf = [UInt8](repeating: 0, count: 1024)
        let n = readSmallFile(path, into: &buf)
        return n > 0 ? String(decoding: buf.prefix(n), as: UTF8.self) : nil
    }

    /// One read of the start of a (proc) file into `buf`; the byte count, or -1.
    static func readSmallFile(_ path: String, into buf: inout [UInt8]) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        return read(fd, &buf, buf.count)
    }

    /// The process and its ancestors up to (not including) the inner helper: pid and name each.
    /// Parsed from the bytes of /proc/PID/stat: "pid (name) state ppid …", the name may hold spaces or ")".
    static func chain(_ pid: pid_t, stopAt helper: pid_t) -> [AuditEvent.ProcessLink] {
        var out: [AuditEvent.ProcessLink] = []
        var current = pid
        var buf = [UInt8](repeating: 0, count: 512)
        while current > 1 && current != helper && out.count < 32 {
            let n = readSmallFile("/proc/\(current)/stat", into: &buf)
            guard n > 0, let nameEnd = buf[..<n].lastIndex(of: UInt8(ascii: ")")),
                  let nameStart = buf[..<nameEnd].firstIndex(of: UInt8(ascii: "(")) else { break }
            out.append(.init(pid: current, name: String(decoding: buf[(nameStart + 1)..<nameEnd], as: UTF8.self)))
            // After ") ": one state character, a space, then the parent's pid.
            var i = nameEnd + 4
            var parent: pid_t = 0
            while i < n, buf[i] >= 0x30, buf[i] <= 0x39 { parent = parent * 10 + pid_t(buf[i] - 0x30); i += 1 }
            guard parent > 0 else { break }
            current = parent
        }
        return out
    }
}

extension ProcFiles {
    /// The first of `pids` holding an open descriptor on the file `(device, inode)`; nil when none
    /// does (any more): a program that opened, read and closed it before the look is not found.
    static func holder(device: UInt64, inode: UInt64, among pids: [pid_t]) -> pid_t? {
        for pid in pids {
            for fd in RealFileSystem().list("/proc/\(pid)/fd") {
                var st = stat()
                if stat("/proc/\(pid)/fd/\(fd)", &st) == 0, UInt64(st.st_dev) == device, UInt64(st.st_ino) == inode { return pid }
            }
        }
        return nil
    }
}
