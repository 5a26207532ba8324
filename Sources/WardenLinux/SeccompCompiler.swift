import CLinux
import CSeccomp
import Glibc
import WardenCore

/// Compiles seccomp policies to classic BPF with libseccomp: one program for x86_64 and i386
/// (identical rules; x32 and every other architecture hit the bad-arch action), binary-tree
/// optimised. The bwrap filter goes to bwrap on a memfd (`--seccomp FD`); the game's filter goes to
/// the inner helper, which loads it with a listener just before exec.
public enum SeccompCompiler {
    static let archX86_64: UInt32 = 0xC000_003E   // AUDIT_ARCH_X86_64
    static let archX86: UInt32 = 0x4000_0003      // AUDIT_ARCH_I386
    static let actAllow: UInt32 = 0x7FFF_0000
    static let actKillProcess: UInt32 = 0x8000_0000
    static let actNotify: UInt32 = 0x7FC0_0000
    static func actErrno(_ e: Int32) -> UInt32 { 0x0005_0000 | (UInt32(e) & 0xFFFF) }

    public struct Compiled {
        public var program: [UInt8]
    }

    /// Rules ww answers itself (everything but clone3): both filters send them to ww as notifications
    /// (USER_NOTIF), and ww replies with the rule's errno and records the attempt. The game's filter
    /// is the newest, so its listener is the one asked; a process under bwrap's filter alone (none
    /// the game can reach: the helper is pid 1 and not dumpable) gets ENOSYS, as does every process
    /// once ww is gone. So the calls stay refused either way.
    /// clone3 is tried by every thread start and not worth a line each: bwrap's filter answers it.
    public static func answeredByWarden(_ policy: SeccompPolicy) -> [SeccompPolicy.Rule] {
        policy.rules.filter { $0.syscall != answeredByFilter }
    }
    static let answeredByFilter = "clone3"

    /// Families are an argument of socket/socketpair, which on i386 also arrive through socketcall.
    static let familyCalls: Set<String> = ["socket", "socketpair"]

    /// The filter bwrap loads for the whole sandbox (`--seccomp FD`): ww's refusals as notifications
    /// and clone3 as ENOSYS.
    public static func compile(_ policy: SeccompPolicy) throws -> Compiled {
        try build(policy) { filter in
            var unknown: [String] = []
            for rule in policy.rules where rule.syscall == answeredByFilter {
                guard case .errno(let e) = rule.action else { continue }
                if !(try filter.add(rule.syscall, action: actErrno(e), condition: rule.condition)) { unknown.append(rule.syscall) }
            }
            return unknown
        }
    }

    /// The game's own filter, loaded with a listener just before exec: the same refusals, plus exec,
    /// connect and (with a process limit) new processes reported to ww; a second listener (which
    /// could answer for the game) is refused.
    public static func notificationFilter(_ policy: SeccompPolicy, watchProcessCreation: Bool, watchSends: Bool = false,
                                          watchPathChanges: Bool = false) throws -> [UInt8] {
        try build(policy) { filter in
            for name in ["execve", "execveat", "connect"] { _ = try filter.add(name, action: actNotify, condition: nil) }
            // A plan with protected paths: renames, deletes and links, so moving one is an event (not hot calls).
            if watchPathChanges {
                for name in NotificationSupervisor.pathCallNames where !policy.rules.contains(where: { $0.syscall == name && $0.condition == nil }) {
                    _ = try filter.add(name, action: actNotify, condition: nil)
                }
            }
            if watchSends {
                // network = observe: sends that name a destination. sendto on a connected socket
                // (no address: TCP streams, connected UDP) stays off the notification path.
                _ = try filter.add("sendto", action: actNotify, condition: .atLeast(4, 1))
                _ = try filter.add("sendmsg", action: actNotify, condition: nil)
                _ = try filter.add("sendmmsg", action: actNotify, condition: nil)
            }
            if watchProcessCreation {
                _ = try filter.add("fork", action: actNotify, condition: nil)
                _ = try filter.add("vfork", action: actNotify, condition: nil)
                // clone without CLONE_THREAD makes a process; threads are not watched (hot path).
                _ = try filter.add("clone", action: actNotify, condition: .masked(0, mask: 0x0001_0000, 0))
            }
            // seccomp(SECCOMP_SET_MODE_FILTER, flags with SECCOMP_FILTER_FLAG_NEW_LISTENER, …): no second listener.
            _ = try filter.add("seccomp", action: actErrno(EPERM), condition: .masked(1, mask: 8, 8))
            return []
        }.program
    }

    /// One program for x86_64 and i386 with the refusals as notifications plus `extra` rules, built
    /// per architecture and merged: on i386 libseccomp 2.5 turns a `socket` rule into one on all of
    /// `socketcall(SYS_SOCKET)` (its arguments are behind a pointer), which would cut 32-bit programs
    /// off every socket, and it refuses rules on i386's direct `socket` (359). So the i386 family
    /// check is a short hand-written prefix (`i386SocketFamilies`) in front of libseccomp's program.
    static func build(_ policy: SeccompPolicy, extra: (Filter) throws -> [String]) throws -> Compiled {
        let native = try Filter(defaultAction: actAllow, badArchKills: policy.badArchitectureKills, architectures: [archX86_64])
        let i386 = try Filter(defaultAction: actAllow, badArchKills: policy.badArchitectureKills, architectures: [archX86])
        var unknown: [String] = []
        for rule in answeredByWarden(policy) {
            let added = try native.add(rule.syscall, action: actNotify, condition: rule.condition)
            if !familyCalls.contains(rule.syscall) { _ = try i386.add(rule.syscall, action: actNotify, condition: rule.condition) }
            if !added && !unknown.contains(rule.syscall) { unknown.append(rule.syscall) }
        }
        for name in try extra(native) + (try extra(i386)) where !unknown.contains(name) { unknown.append(name) }
        // A rule left out would be a call the profile believes refused: stop instead (exit 125).
        if !unknown.isEmpty { throw unknownCalls(unknown) }
        try native.merge(i386)
        return Compiled(program: i386SocketFamilies(policy) + (try native.export()))
    }

    static func unknownCalls(_ names: [String]) -> WardenError {
        let v = seccomp_version()
        let version = v.map { "\($0.pointee.major).\($0.pointee.minor).\($0.pointee.micro)" } ?? "?"
        let list = names.joined(separator: ", ")
        return WardenError(.launch, "the seccomp filter cannot refuse \(list): the installed libseccomp \(version) does not know \(names.count == 1 ? "it" : "them"); update libseccomp (package libseccomp2), or remove \(list) from the profile's [seccomp] deny")
    }

    /// i386 system call numbers of the family calls (libseccomp names them by pseudo-numbers).
    static let i386Socket: Int32 = 359, i386Socketpair: Int32 = 360, i386Socketcall: Int32 = 102
    /// socketcall's first argument for socket and socketpair.
    static let socketcallSocket: UInt64 = 1, socketcallSocketpair: UInt64 = 8

    /// Classic BPF for i386's family calls, in front of libseccomp's program. Direct socket and
    /// socketpair with a refused family (a register: exact) go to ww; socketcall(SOCKET or
    /// SOCKETPAIR) always goes to ww, which reads the family from the caller's memory. Everything
    /// else falls through to the next instruction.
    static func i386SocketFamilies(_ policy: SeccompPolicy) -> [UInt8] {
        let socketRules = policy.rules.filter { $0.syscall == "socket" }
        guard !socketRules.isEmpty else { return [] }
        let refused = Set(socketRules.compactMap { $0.condition?.op == .equal ? $0.condition?.value : nil })
        let refusesAbove = socketRules.compactMap { $0.condition?.op == .greaterOrEqual ? $0.condition?.value : nil }.min() ?? UInt64.max
        let allowed = (0..<min(refusesAbove, 64)).filter { !refused.contains($0) }
        var asm = BPFAssembler()
        asm.load(offset: 4)                                             // A = seccomp_data.arch
        asm.jumpIfEqual(archX86, else: "next")
        asm.load(offset: 0)                                             // A = seccomp_data.nr
        asm.jumpIfEqual(UInt32(i386Socket), then: "family")
        asm.jumpIfEqual(UInt32(i386Socketpair), then: "family")
        asm.jumpIfEqual(UInt32(i386Socketcall), then: "socketcall", else: "next")
        asm.label("family")
        asm.load(offset: 16)                                            // A = low word of args[0] (i386 arguments are 32-bit)
        for family in allowed { asm.jumpIfEqual(UInt32(family), then: "next") }
        asm.ret(actNotify)
        asm.label("socketcall")
        asm.load(offset: 16)
        asm.jumpIfEqual(UInt32(socketcallSocket), then: "ask")
        asm.jumpIfEqual(UInt32(socketcallSocketpair), then: "ask", else: "next")
        asm.label("ask")
        asm.ret(actNotify)
        asm.label("next")
        return asm.bytes()
    }

    /// Forward-only classic BPF with named labels (enough for the i386 prefix).
    struct BPFAssembler {
        enum Target { case none, label(String) }
        var code: [(op: UInt16, jt: Target, jf: Target, k: UInt32)] = []
        var labels: [String: Int] = [:]

        mutating func load(offset: UInt32) { code.append((0x20, .none, .none, offset)) }
        mutating func jumpIfEqual(_ k: UInt32, then t: String? = nil, else f: String? = nil) {
            code.append((0x15, t.map { .label($0) } ?? .none, f.map { .label($0) } ?? .none, k))
        }
        mutating func ret(_ k: UInt32) { code.append((0x06, .none, .none, k)) }
        mutating func label(_ name: String) { labels[name] = code.count }

        func bytes() -> [UInt8] {
            func offset(_ t: Target, from pc: Int) -> UInt8 {
                guard case .label(let name) = t else { return 0 }
                let distance = labels[name]! - pc - 1
                precondition(distance >= 0 && distance < 256, "BPF jump out of range")
                return UInt8(distance)
            }
            var out: [UInt8] = []
            for (pc, ins) in code.enumerated() {
                out += [UInt8(ins.op & 0xFF), UInt8(ins.op >> 8), offset(ins.jt, from: pc), offset(ins.jf, from: pc)]
                out += (0..<4).map { UInt8(truncatingIfNeeded: ins.k >> (8 * $0)) }
            }
            return out
        }
    }

    /// A sealed-size memfd holding `bytes`, positioned at the start (bwrap reads it to EOF).
    public static func memfd(_ bytes: [UInt8], name: String) throws -> Int32 {
        let fd = ww_memfd(name)
        guard fd >= 0 else { throw WardenError(.launch, "cannot create a memfd for the seccomp filter: \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, lseek(fd, 0, SEEK_SET) == 0 else {
            close(fd)
            throw WardenError(.launch, "cannot write the seccomp filter: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Which refusal rules a notification (architecture, number, arguments) matches.
    public struct RefusalTable {
        var byCall: [UInt64: [SeccompPolicy.Rule]] = [:]

        public init(_ rules: [SeccompPolicy.Rule]) {
            for rule in rules {
                byName[rule.syscall, default: []].append(rule)
                for arch in [archX86_64, archX86] {
                    let nr = seccomp_syscall_resolve_name_arch(arch, rule.syscall)
                    guard nr >= 0 else { continue }
                    byCall[UInt64(arch) << 32 | UInt64(UInt32(nr)), default: []].append(rule)
                }
            }
        }

        var byName: [String: [SeccompPolicy.Rule]] = [:]

        public func match(arch: UInt32, nr: Int32, args: [UInt64]) -> SeccompPolicy.Rule? {
            Self.first(byCall[UInt64(arch) << 32 | UInt64(UInt32(bitPattern: nr))], args)
        }

        /// For calls whose number libseccomp does not resolve (i386 socket, socketpair) or whose
        /// arguments were read from memory (socketcall).
        public func match(name: String, args: [UInt64]) -> SeccompPolicy.Rule? {
            Self.first(byName[name], args)
        }

        static func first(_ rules: [SeccompPolicy.Rule]?, _ args: [UInt64]) -> SeccompPolicy.Rule? {
            rules?.first { rule in
                guard let c = rule.condition else { return true }
                let v = args[c.argument]
                switch c.op {
                case .maskedEqual: return v & c.mask == c.value
                case .equal: return v == c.value
                case .greaterOrEqual: return v >= c.value
                }
            }
        }
    }

    final class Filter {
        let ctx: scmp_filter_ctx
        var released = false

        init(defaultAction: UInt32, badArchKills: Bool, architectures: [UInt32] = [SeccompCompiler.archX86_64, SeccompCompiler.archX86]) throws {
            guard let c = seccomp_init(defaultAction) else { throw WardenError(.launch, "libseccomp could not create a filter") }
            ctx = c
            if !architectures.contains(SeccompCompiler.archX86_64) {
                try check(seccomp_arch_remove(ctx, SeccompCompiler.archX86_64), "remove the native architecture")
            }
            for arch in architectures where arch != SeccompCompiler.archX86_64 {
                try check(seccomp_arch_add(ctx, arch), "add the i386 architecture")
            }
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badArchKills ? SeccompCompiler.actKillProcess : SeccompCompiler.actErrno(ENOSYS)), "set the bad-arch action")
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), "enable binary-tree optimisation")
            // The filter is exported, not loaded here: no_new_privs is bwrap's business.
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "leave no_new_privs to bwrap")
        }

        deinit { if !released { seccomp_release(ctx) } }

        /// Moves `other`'s rules (for other architectures) into this filter; `other` is consumed.
        func merge(_ other: Filter) throws {
            try check(seccomp_merge(ctx, other.ctx), "merge the x86_64 and i386 filters")
            other.released = true
        }

        static func arguments(_ condition: SeccompPolicy.Condition?) -> [scmp_arg_cmp] {
            guard let c = condition else { return [] }
            switch c.op {
            case .maskedEqual: return [scmp_arg_cmp(arg: UInt32(c.argument), op: SCMP_CMP_MASKED_EQ, datum_a: c.mask, datum_b: c.value)]
            case .equal: return [scmp_arg_cmp(arg: UInt32(c.argument), op: SCMP_CMP_EQ, datum_a: c.value, datum_b: 0)]
            case .greaterOrEqual: return [scmp_arg_cmp(arg: UInt32(c.argument), op: SCMP_CMP_GE, datum_a: c.value, datum_b: 0)]
            }
        }

        func check(_ rc: Int32, _ what: String) throws {
            guard rc == 0 else { throw WardenError(.launch, "libseccomp could not \(what): \(String(cString: strerror(-rc)))") }
        }

        /// Adds a rule on every architecture; false when libseccomp does not know the syscall at all.
        func add(_ name: String, action: UInt32, condition: SeccompPolicy.Condition?) throws -> Bool {
            let nr = seccomp_syscall_resolve_name(name)
            if nr == __NR_SCMP_ERROR { return false }
            let args = Self.arguments(condition)
            let rc = args.withUnsafeBufferPointer { seccomp_rule_add_array(ctx, action, nr, UInt32($0.count), $0.baseAddress) }
            // -EDOM/-EFAULT: the syscall does not exist on one architecture (e.g. vm86 on x86_64).
            if rc == -EDOM || rc == -EFAULT { return true }
            try check(rc, "add a rule for \(name)")
            return true
        }

        func export() throws -> [UInt8] {
            let fd = ww_memfd("ww-seccomp")
            guard fd >= 0 else { throw WardenError(.launch, "cannot create a memfd: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            try check(seccomp_export_bpf(ctx, fd), "export the filter")
            let size = lseek(fd, 0, SEEK_END)
            guard size > 0, size % 8 == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw WardenError(.launch, "libseccomp exported an invalid filter (\(size) bytes)") }
            var bytes = [UInt8](repeating: 0, count: Int(size))
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n == Int(size) else { throw WardenError(.launch, "cannot read the exported filter back") }
            return bytes
        }
    }
}
