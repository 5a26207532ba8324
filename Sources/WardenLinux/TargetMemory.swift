import CLinux
import Glibc

/// Reads a sandboxed process's memory (process_vm_readv through the C shim) for the supervisor: strings,
/// pointer-sized words and argv arrays, each bounded. A failed or short read is an error for the caller
/// to refuse the call on; the caller re-checks the notification id (ID_VALID) afterwards, so data read
/// from a recycled pid is never acted on.
struct TargetMemory {
    let pid: pid_t
    init(_ pid: pid_t) { self.pid = pid }

    static let maxPath = 4096
    static let maxArgument = 128 * 1024
    static let maxArguments = 8192
    static let maxArgvBytes = 2 * 1024 * 1024

    enum ReadError: Error, CustomStringConvertible {
        case fault(Int32), tooLong, tooMany
        var description: String {
            switch self {
            case .fault(let e): return "could not be read (\(String(cString: strerror(e))))"
            case .tooLong: return "is longer than ww inspects"
            case .tooMany: return "has more arguments than ww inspects"
            }
        }
    }

    /// A NUL-terminated string of at most `max - 1` bytes.
    func string(_ address: UInt64, max: Int) -> Result<String, ReadError> {
        var buf = [CChar](repeating: 0, count: max)
        let n = ww_read_target_string(pid, address, &buf, max)
        if n == -ssize_t(E2BIG) { return .failure(.tooLong) }
        if n < 0 { return .failure(.fault(Int32(-n))) }
        let bytes = buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// Up to `count` bytes; fewer when the read stops at an unmapped page.
    func bytes(_ address: UInt64, count: Int) -> [UInt8] {
        guard count > 0, address != 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { ww_read_target(pid, address, $0.baseAddress, count) }
        return got > 0 ? Array(bytes.prefix(got)) : []
    }

    /// `count` little-endian words of the caller's width (4 bytes for i386), or nil unless all were read.
    func words(_ address: UInt64, count: Int, is32: Bool) -> [UInt64]? {
        let width = is32 ? 4 : 8
        var bytes = [UInt8](repeating: 0, count: count * width)
        let got = bytes.withUnsafeMutableBytes { ww_read_target(pid, address, $0.baseAddress, $0.count) }
        guard got == bytes.count else { return nil }
        return (0..<count).map { i in
            bytes[(i * width)..<((i + 1) * width)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    /// A NULL-terminated array of string pointers (argv), bounded in count and total size.
    func argv(_ address: UInt64, is32: Bool) -> Result<[String], ReadError> {
        if address == 0 { return .success([]) }
        var out: [String] = []
        var total = 0
        var cursor = address
        let width = UInt64(is32 ? 4 : 8)
        while true {
            guard out.count < Self.maxArguments else { return .failure(.tooMany) }
            guard let pointer = words(cursor, count: 1, is32: is32)?.first else { return .failure(.fault(EFAULT)) }
            if pointer == 0 { return .success(out) }
            switch string(pointer, max: Self.maxArgument + 1) {
            case .success(let s):
                total += s.utf8.count + 1
                guard total <= Self.maxArgvBytes else { return .failure(.tooLong) }
                out.append(s)
            case .failure(let e): return .failure(e)
            }
            cursor &+= width
        }
    }
}
