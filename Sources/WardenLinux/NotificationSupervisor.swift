import CLinux
import Glibc
import WardenCore

/// Answers the seccomp notifications of the game's filter (SPEC §1 step 4): every exec is checked
/// against `[process]` and recorded, every connect destination is recorded, and new processes are
/// refused beyond `max_child_processes`. Target memory is read with the ID_VALID check after the
/// read, so a recycled pid can never be answered with another process's data; anything malformed
/// in the target's memory refuses that call, never the supervisor.
public final class NotificationSupervisor {
    let listener: Int32
    let policy: ProcessPolicy
    let trail: AuditTrail?
    /// The inner helper (host pid): the sandbox's processes are its descendants.
    let helperPID: pid_t
    /// The helper's child that becomes the game: its first exec is the launch command.
    let gamePID: pid_t
    var launchCommandSeen = false
    /// Connects already recorded, by process and destination, with how many more followed.
    var repeatedConnects: [String: Int] = [:]
    public private(set) var handled = 0
    /// Scratch space for the process count of `max_child_processes`.
    var descendants: [pid_t] = []

    static let maxPath = 4096
    static let maxArgument = 128 * 1024
    static let maxArguments = 8192
    static let maxArgvBytes = 2 * 1024 * 1024

    let refusals: SeccompCompiler.RefusalTable
    /// network = observe: destinations, rate limit, deny lists, DNS questions.
    public var observer: NetworkObserver?
    /// Refused calls already recorded, by process and rule, with how many more followed.
    var repeatedRefusals: [String: Int] = [:]

    public init(listener: Int32, policy: ProcessPolicy, trail: AuditTrail?, helperPID: pid_t, gamePID: pid_t,
                refusals: SeccompCompiler.RefusalTable = .init([])) {
        self.refusals = refusals
        self.listener = listener
        self.policy = policy
        self.trail = trail
        self.helperPID = helperPID
        self.gamePID = gamePID
        _ = ww_notif_sync_wakeup(listener)
    }

    enum Syscall: Equatable { case execve, execveat, connect, socketcall, familyCall(String), fork, sendto, sendmsg, sendmmsg, other }

    static let socketcallFamilyCalls: [UInt64: String] = [SeccompCompiler.socketcallSocket: "socket", SeccompCompiler.socketcallSocketpair: "socketpair"]

    static func syscall(arch: UInt32, nr: Int32) -> Syscall {
        switch (arch, nr) {
        case (SeccompCompiler.archX86_64, 59), (SeccompCompiler.archX86, 11): return .execve
        case (SeccompCompiler.archX86_64, 322), (SeccompCompiler.archX86, 358): return .execveat
        case (SeccompCompiler.archX86_64, 42), (SeccompCompiler.archX86, 362): return .connect
        case (SeccompCompiler.archX86, SeccompCompiler.i386Socketcall): return .socketcall
        case (SeccompCompiler.archX86_64, 44), (SeccompCompiler.archX86, 369): return .sendto
        case (SeccompCompiler.archX86_64, 46), (SeccompCompiler.archX86, 370): return .sendmsg
        case (SeccompCompiler.archX86_64, 307), (SeccompCompiler.archX86, 345): return .sendmmsg
        case (SeccompCompiler.archX86, SeccompCompiler.i386Socket): return .familyCall("socket")
        case (SeccompCompiler.archX86, SeccompCompiler.i386Socketpair): return .familyCall("socketpair")
        case (SeccompCompiler.archX86_64, 56), (SeccompCompiler.archX86_64, 57), (SeccompCompiler.archX86_64, 58), (SeccompCompiler.archX86, 120), (SeccompCompiler.archX86, 2), (SeccompCompiler.archX86, 190): return .fork
        default: return .other
        }
    }

    /// Handles one pending notification. Returns false when the listener is finished (no process
    /// of the sandbox is left under the filter).
    public func handleOne() -> Bool {
        var n = ww_notification()
        let rc = ww_notif_recv(listener, &n)
        if rc == -ENOENT || rc == -EINTR || rc == -EAGAIN { return true }   // the caller died or was interrupted
        if rc != 0 { return false }
        handled += 1
        let pid = pid_t(n.pid)
        let args = [n.args.0, n.args.1, n.args.2, n.args.3, n.args.4, n.args.5]
        let is32 = n.arch == SeccompCompiler.archX86
        if let rule = refusals.match(arch: n.arch, nr: n.nr, args: args) {
            refuse(n.id, pid: pid, rule: rule, is32: is32)
            return true
        }
        switch Self.syscall(arch: n.arch, nr: n.nr) {
        case .familyCall(let name):
            // i386 socket/socketpair: only refused families reach ww (the filter compares the register).
            if let rule = refusals.match(name: name, args: args) { refuse(n.id, pid: pid, rule: rule, is32: true) }
            else { _ = ww_notif_respond(listener, n.id, 0, 1) }
        case .execve: exec(n.id, pid: pid, pathAddress: args[0], argvAddress: args[1], dirfd: nil, flags: 0, is32: is32)
        case .execveat: exec(n.id, pid: pid, pathAddress: args[1], argvAddress: args[2], dirfd: Int32(truncatingIfNeeded: args[0]), flags: args[4], is32: is32)
        case .connect: connect(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), address: args[1], length: args[2])
        case .sendto:
            send(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), messages: [(args[4], args[5], [(args[1], args[2])])])
        case .sendmsg:
            send(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), messages: readMessages(pid, args[1], count: 1, is32: is32))
        case .sendmmsg:
            send(n.id, pid: pid, fd: Int32(truncatingIfNeeded: args[0]), messages: readMessages(pid, args[1], count: Int(min(args[2], 8)), is32: is32, vector: true))
        case .socketcall:
            let words = readWords(pid, args[1], count: 3, is32: true)
            if args[0] == 3, let words {   // SYS_CONNECT
                connect(n.id, pid: pid, fd: Int32(truncatingIfNeeded: words[0]), address: words[1], length: words[2])
            } else if let name = Self.socketcallFamilyCalls[args[0]] {
                // The family is in the caller's memory: read once here, and a racing thread could
                // change it before the kernel reads it again. Registers (x86_64, direct i386) are exact.
                if let words, let rule = refusals.match(name: name, args: words) {
                    refuse(n.id, pid: pid, rule: rule, is32: true, via: "socketcall")
                } else if words == nil {
                    guard ww_notif_id_valid(listener, n.id) == 1 else { return true }
                    _ = ww_notif_respond(listener, n.id, EFAULT, 0)
                } else {
                    _ = ww_notif_respond(listener, n.id, 0, 1)
                }
            } else {
                _ = ww_notif_respond(listener, n.id, 0, 1)
            }
        case .fork: fork(n.id, pid: pid)
        case .other: _ = ww_notif_respond(listener, n.id, 0, 1)
        }
        return true
    }

    /// Writes how often each recorded destination was connected to again.
    public func finish() {
        observer?.finish()
        for (key, count) in repeatedConnects.sorted(by: { $0.key < $1.key }) where count > 0 {
            let parts = key.split(separator: " ", maxSplits: 1)
            trail?.record("connect_repeated", pid: pid_t(parts[0]), [("destination", .string(String(parts.count > 1 ? parts[1] : ""))), ("count", .int(Int64(count)))])
        }
        repeatedConnects = [:]
        for (key, count) in repeatedRefusals.sorted(by: { $0.key < $1.key }) where count > 0 {
            let parts = key.split(separator: " ", maxSplits: 1)
            trail?.record("syscall_refused_repeated", pid: pid_t(parts[0]), [("syscall", .string(String(parts.count > 1 ? parts[1] : ""))), ("count", .int(Int64(count)))])
        }
        repeatedRefusals = [:]
    }

    // MARK: refused calls

    func refuse(_ id: UInt64, pid: pid_t, rule: SeccompPolicy.Rule, is32: Bool, via: String? = nil) {
        guard case .errno(let e) = rule.action else { return }
        let what = rule.syscall + (rule.condition.map { " (\($0.text))" } ?? "")
        let key = "\(pid) \(what)"
        if let seen = repeatedRefusals[key] {
            repeatedRefusals[key] = seen + 1
            _ = ww_notif_respond(listener, id, e, 0)
            return
        }
        repeatedRefusals[key] = 0
        // The chain is read while the caller waits for the answer (it may exit right after).
        let chain = Self.chain(pid, stopAt: helperPID)
        _ = ww_notif_respond(listener, id, e, 0)
        trail?.record("syscall_refused", pid: pid, chain: chain, [
            ("syscall", .string(rule.syscall)), ("arch", .string(is32 ? "i386" : "x86_64")), ("errno", .string(rule.action.text)),
            ("reason", .string(rule.reason)), ("condition", .string(rule.condition?.text ?? "")),
        ] + (via.map { [("via", .string($0))] } ?? []))
    }

    // MARK: exec

    func exec(_ id: UInt64, pid: pid_t, pathAddress: UInt64, argvAddress: UInt64, dirfd: Int32?, flags: UInt64, is32: Bool) {
        let chain = Self.chain(pid, stopAt: helperPID)
        let callerExe = Self.readLink("/proc/\(pid)/exe") ?? ""
        let callerName = Self.comm(Self.threadGroup(pid))
        let launch = !launchCommandSeen && pid == gamePID
        var path: String
        var argv: [String]
        switch readString(pid, pathAddress, max: Self.maxPath + 1) {
        case .success(let p): path = p
        case .failure(let why):
            refuseUnreadable(id, pid: pid, chain: chain, why: "program path \(why)")
            return
        }
        switch readArgv(pid, argvAddress, is32: is32) {
        case .success(let a): argv = a
        case .failure(let why):
            refuseUnreadable(id, pid: pid, chain: chain, why: "argv \(why)", path: path)
            return
        }
        // execveat(fd, "", …, AT_EMPTY_PATH) runs the file open on fd; a relative path is under fd.
        if let fd = dirfd {
            let atEmptyPath: UInt64 = 0x1000
            if path.isEmpty && flags & atEmptyPath != 0 { path = Self.readLink("/proc/\(pid)/fd/\(fd)") ?? "fd \(fd)" }
            else if !path.hasPrefix("/") && fd != -100, let dir = Self.readLink("/proc/\(pid)/fd/\(fd)") { path = Paths.join(dir, path) }
        }
        guard ww_notif_id_valid(listener, id) == 1 else { return }   // gone, or the pid was reused: no answer
        let request = ExecRequest(path: path, argv: argv, callerExecutable: callerExe, callerName: callerName, isLaunchCommand: launch)
        let decision = policy.decide(request)
        if launch { launchCommandSeen = true }
        let answered = decision.allowed ? ww_notif_respond(listener, id, 0, 1) : ww_notif_respond(listener, id, EPERM, 0)
        var details: [(String, AuditEvent.Value)] = [("path", .string(path)), ("argv", .strings(argv)), ("caller", .string(callerName)),
                                                      ("caller_exe", .string(callerExe)), ("reason", .string(decision.reason))]
        if let w = decision.windowsProgram { details.append(("windows_program", .string(w))) }
        if decision.isShell { details.append(("shell", .bool(true))) }
        if answered != 0 { details.append(("answer_failed", .string(String(cString: strerror(-answered))))) }
        trail?.record(decision.allowed ? "exec_allowed" : "exec_refused", pid: pid, chain: chain, details)
    }

    func refuseUnreadable(_ id: UInt64, pid: pid_t, chain: [AuditEvent.ProcessLink], why: String, path: String? = nil) {
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        _ = ww_notif_respond(listener, id, EPERM, 0)
        var details: [(String, AuditEvent.Value)] = [("reason", .string("unreadable exec request: \(why)"))]
        if let path { details.insert(("path", .string(path)), at: 0) }
        trail?.record("exec_refused", pid: pid, chain: chain, details)
    }

    // MARK: connect

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
            let verdict = observer.destination(pid: pid, fd: fd, address: d, isConnect: true) { Self.chain(pid, stopAt: helperPID) }
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
        let chain = Self.chain(pid, stopAt: helperPID)
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
        guard count > 0, let words = readWords(pid, address, count: stride * count / w, is32: is32) else { return [] }
        var out: [Message] = []
        for i in 0..<count {
            let base = i * stride / w
            // msg_name, msg_namelen (a 32-bit field, padded to a word on x86_64), msg_iov, msg_iovlen.
            let name = words[base], nameLength = words[base + 1] & 0xffff_ffff, iov = words[base + 2], iovCount = words[base + 3]
            var buffers: [(UInt64, UInt64)] = []
            if iovCount > 0, let v = readWords(pid, iov, count: 2, is32: is32) { buffers.append((v[0], v[1])) }
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
                if got > 0 { observer.dnsQuery(pid: pid, payload: Array(payload.prefix(got)), server: server) { Self.chain(pid, stopAt: helperPID) } }
            }
            if let d = destination, verdict == .proceed {
                verdict = observer.destination(pid: pid, fd: fd, address: d, isConnect: false) { Self.chain(pid, stopAt: helperPID) }
            }
        }
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        switch verdict {
        case .proceed: _ = ww_notif_respond(listener, id, 0, 1)
        case .refuse(let e): _ = ww_notif_respond(listener, id, e, 0)
        }
    }

    // MARK: new processes

    func fork(_ id: UInt64, pid: pid_t) {
        if descendants.isEmpty { descendants = [pid_t](repeating: 0, count: 65536) }   // once, not per fork
        let count = Int(ww_list_descendants(helperPID, &descendants, Int32(descendants.count)))
        // Descendants of the helper: the game and everything it started. The new process would be one more.
        let besidesGame = count - 1
        guard ww_notif_id_valid(listener, id) == 1 else { return }
        if besidesGame + 1 > policy.maxChildProcesses {
            let chain = Self.chain(pid, stopAt: helperPID)
            _ = ww_notif_respond(listener, id, EAGAIN, 0)
            trail?.record("process_refused", pid: pid, chain: chain, [
                ("reason", .string("max_child_processes = \(policy.maxChildProcesses) reached")), ("live", .int(Int64(besidesGame)))])
        } else {
            _ = ww_notif_respond(listener, id, 0, 1)
        }
    }

    // MARK: reading the target

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

    func readString(_ pid: pid_t, _ address: UInt64, max: Int) -> Result<String, ReadError> {
        var buf = [CChar](repeating: 0, count: max)
        let n = ww_read_target_string(pid, address, &buf, max)
        if n == -ssize_t(E2BIG) { return .failure(.tooLong) }
        if n < 0 { return .failure(.fault(Int32(-n))) }
        let bytes = buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    func readWords(_ pid: pid_t, _ address: UInt64, count: Int, is32: Bool) -> [UInt64]? {
        let width = is32 ? 4 : 8
        var bytes = [UInt8](repeating: 0, count: count * width)
        let got = bytes.withUnsafeMutableBytes { ww_read_target(pid, address, $0.baseAddress, $0.count) }
        guard got == bytes.count else { return nil }
        return (0..<count).map { i in
            bytes[(i * width)..<((i + 1) * width)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    func readArgv(_ pid: pid_t, _ address: UInt64, is32: Bool) -> Result<[String], ReadError> {
        if address == 0 { return .success([]) }
        var out: [String] = []
        var total = 0
        var cursor = address
        let width = UInt64(is32 ? 4 : 8)
        while true {
            guard out.count < Self.maxArguments else { return .failure(.tooMany) }
            // Pointers are read in small batches (an unmapped page ends the batch early).
            guard let pointer = readWords(pid, cursor, count: 1, is32: is32)?.first else { return .failure(.fault(EFAULT)) }
            if pointer == 0 { return .success(out) }
            switch readString(pid, pointer, max: Self.maxArgument + 1) {
            case .success(let s):
                total += s.utf8.count + 1
                guard total <= Self.maxArgvBytes else { return .failure(.tooLong) }
                out.append(s)
            case .failure(let e): return .failure(e)
            }
            cursor &+= width
        }
    }

    // MARK: /proc

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
    public static func chain(_ pid: pid_t, stopAt helper: pid_t) -> [AuditEvent.ProcessLink] {
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
