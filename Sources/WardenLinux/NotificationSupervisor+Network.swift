import CLinux
import Glibc
import WardenCore

/// connect and sends that name a destination: recorded, and with `network = observe` handed to the
/// `NetworkObserver` (destinations, rate limit, deny lists, DNS questions).
extension NotificationSupervisor {
    func readAddress(_ pid: pid_t, _ address: UInt64, _ length: UInt64) -> SocketAddress? {
        let size = Int(min(length, 128))
        guard size > 0, address != 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        let got = bytes.withUnsafeMutableBytes { ww_read_target(pid, address, $0.baseAddress, size) }
        return got > 0 ? SocketAddress.decode(Array(bytes.prefix(got))) : nil
    }

    func connect(_ id: UInt64, pid: pid_t, fd: Int32, address: UInt64, length: UInt64) {
        let decoded = readAddress(pid, address, length)
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        if let observer, let d = decoded, d.family == "inet" || d.family == "inet6" {
            let verdict = observer.destination(pid: pid, fd: fd, address: d, isConnect: true) { ProcFiles.chain(pid, stopAt: helperPID) }
            switch verdict {
            case .proceed: _ = ww_notif_respond(listener, id, 0, 1)
            case .refuse(let e): _ = ww_notif_respond(listener, id, e, 0)
            }
            return
        }
        // Recorded, then let through: connect is enforced by the network namespace and (later) the
        // proxy, not here, because the address could change after this read.
        // Each destination is recorded the first time a process connects to it; repeats are counted
        // and written once at the end (a game reconnecting in a loop must not cost a line each time).
        let key = "\(pid) \(decoded?.family ?? "unreadable") \(decoded?.address ?? "")\(decoded?.port.map { " port \($0)" } ?? "")"
        if let seen = repeatedConnects[key] {
            repeatedConnects[key] = seen + 1
            _ = ww_notif_respond(listener, id, 0, 1)
            return
        }
        repeatedConnects[key] = 0
        let chain = ProcFiles.chain(pid, stopAt: helperPID)
        _ = ww_notif_respond(listener, id, 0, 1)
        var details: [(String, AuditEvent.Value)] = [("family", .string(decoded?.family ?? "unreadable")), ("address", .string(decoded?.address ?? ""))]
        if let port = decoded?.port { details.append(("port", .int(Int64(port)))) }
        trail?.record("connect", pid: pid, chain: chain, details)
    }

    // MARK: sends naming a destination (network = observe)

    /// (destination address, its length, [(buffer, length)]) of each message.
    typealias Message = (UInt64, UInt64, [(UInt64, UInt64)])

    /// msghdr (or mmsghdr entries): name, name length and the first iovec of each.
    func readMessages(_ pid: pid_t, _ address: UInt64, count: Int, is32: Bool, vector: Bool = false) -> [Message] {
        let w = is32 ? 4 : 8
        let header = is32 ? 28 : 56
        let stride = vector ? (is32 ? 32 : 64) : header
        guard count > 0, let words = TargetMemory(pid).words(address, count: stride * count / w, is32: is32) else { return [] }
        var out: [Message] = []
        for i in 0..<count {
            let base = i * stride / w
            // msg_name, msg_namelen (a 32-bit field, padded to a word on x86_64), msg_iov, msg_iovlen.
            let name = words[base], nameLength = words[base + 1] & 0xffff_ffff, iov = words[base + 2], iovCount = words[base + 3]
            var buffers: [(UInt64, UInt64)] = []
            if iovCount > 0, let v = TargetMemory(pid).words(iov, count: 2, is32: is32) { buffers.append((v[0], v[1])) }
            out.append((name, nameLength, buffers))
        }
        return out
    }

    func send(_ id: UInt64, pid: pid_t, fd: Int32, messages: [Message]) {
        guard let observer else { _ = ww_notif_respond(listener, id, 0, 1); return }
        var verdict = NetworkObserver.Verdict.proceed
        for (name, nameLength, buffers) in messages {
            let destination = name == 0 ? nil : readAddress(pid, name, nameLength)
            let server = destination.flatMap { $0.port == 53 ? $0 : nil } ?? (destination == nil ? observer.dnsServer(pid: pid, fd: fd) : nil)
            if server != nil, let (buffer, length) = buffers.first, length > 0 {
                let size = Int(min(length, 4096))
                var payload = [UInt8](repeating: 0, count: size)
                let got = payload.withUnsafeMutableBytes { ww_read_target(pid, buffer, $0.baseAddress, size) }
                if got > 0 { observer.dnsQuery(pid: pid, payload: Array(payload.prefix(got)), server: server) { ProcFiles.chain(pid, stopAt: helperPID) } }
            }
            if let d = destination, verdict == .proceed {
                verdict = observer.destination(pid: pid, fd: fd, address: d, isConnect: false) { ProcFiles.chain(pid, stopAt: helperPID) }
            }
        }
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        switch verdict {
        case .proceed: _ = ww_notif_respond(listener, id, 0, 1)
        case .refuse(let e): _ = ww_notif_respond(listener, id, e, 0)
        }
    }
}
