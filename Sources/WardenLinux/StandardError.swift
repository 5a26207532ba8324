import Glibc

/// Writes a line to descriptor 2 directly (no shared FILE state, safe from any context).
public func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    if bytes.last != 0x0a { bytes.append(0x0a) }
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
        if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
        offset += n
    }
}
