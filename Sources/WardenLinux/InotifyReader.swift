import Glibc

/// Reads an inotify descriptor on a watcher's own thread until woken (the file watcher, the decoys):
/// each event as (watch, mask, name), and after the wake what is still queued, then returns.
enum InotifyReader {
    static func run(inotify: Int32, wake: Int32, bufferSize: Int, _ handle: (Int32, UInt32, String) -> Void) {
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        var stopping = false
        while true {
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            if !stopping, poll(&fds, 2, -1) < 0, errno == EINTR { continue }
            if fds[1].revents != 0 { stopping = true }
            let n = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            if n > 0 { events(buffer, count: n, handle) }
            if stopping && n <= 0 { break }
        }
    }

    /// The events in the first `count` bytes of `buffer`, names without their padding.
    static func events(_ buffer: [UInt8], count: Int, _ handle: (Int32, UInt32, String) -> Void) {
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                return (e.wd, e.mask, Int(e.len))
            }
            let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)]
            offset += header + length
            handle(wd, mask, String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self))
        }
    }
}
