import CLinux
import CSeccomp
import Glibc
import WardenCore

/// Compiles seccomp policies to classic BPF with libseccomp: one program for x86_64 and i386
/// (identical rules; x32 and every other architecture hit the bad-arch action), binary-tree
/// optimised. The bwrap filter goes to bwrap on a memfd (`--seccomp FD`); the notification
/// filter goes to the inner helper, which loads it with a listener just before exec.
public enum SeccompCompiler {
    static let archX86_64: UInt32 = 0xC000_003E   // AUDIT_ARCH_X86_64
    static let archX86: UInt32 = 0x4000_0003      // AUDIT_ARCH_I386
    static let actAllow: UInt32 = 0x7FFF_0000
    static let actKillProcess: UInt32 = 0x8000_0000
    static let actNotify: UInt32 = 0x7FC0_0000
    static func actErrno(_ e: Int32) -> UInt32 { 0x0005_0000 | (UInt32(e) & 0xFFFF) }

    public struct Compiled {
        public var program: [UInt8]
        /// Syscall names libseccomp does not know (newer than the library): not in the filter.
        public var unknownToLibrary: [String]
    }

    /// Rules the game's notification filter carries instead of bwrap's filter: the EPERM refusals of
    /// rare, dangerous calls (keyctl, bpf, mount, TIOCSTI, …). ww answers them with the same errno and
    /// records them; without ww listening the kernel answers ENOSYS, so they stay refused either way.
    /// Socket families and the ENOSYS rules (clone3 is tried by every thread start) stay in bwrap's.
    public static func recordedRefusals(_ policy: SeccompPolicy) -> [SeccompPolicy.Rule] {
        policy.rules.filter { $0.action == .errno(EPERM) && $0.syscall != "socket" }
    }

    /// The filter bwrap loads for the whole sandbox. Built per architecture and merged: on i386
    /// libseccomp 2.5 turns a `socket` rule into one on all of `socketcall(SYS_SOCKET)` (its
    /// arguments are behind a pointer), which would cut 32-bit programs off every socket, and it
    /// refuses rules on i386's direct `socket` (359). So the i386 family check is a short
    /// hand-written prefix (`i386SocketFamilies`) in front of libseccomp's program.
    public static func compile(_ policy: SeccompPolicy) throws -> Compiled {
        let native = try Filter(defaultAction: actAllow, badArchKills: policy.badArchitectureKills, architectures: [archX86_64])
        let i386 = try Filter(defaultAction: actAllow, badArchKills: policy.badArchitectureKills, architectures: [archX86])
        var unknown: [String] = []
        let recorded = recordedRefusals(policy)
        for rule in policy.rules where !recorded.contains(rule) {
            guard case .errno(let e) = rule.action else { continue }
            let added = try native.add(rule.syscall, action: actErrno(e), condition: rule.condition)
            if rule.syscall != "socket" { _ = try i386.add(rule.syscall, action: actErrno(e), condition: rule.condition) }
            if !added && !unknown.contains(rule.syscall) { unknown.append(rule.syscall) }
        }
        try native.merge(i386)
        return Compiled(program: i386SocketFamilies(policy) + (try native.export()), unknownToLibrary: unknown)
    }

    /// Classic BPF that refuses i386 `socket` (359) for the families the policy refuses and falls
    /// through to the next instruction (libseccomp's program) for everything else.
    static func i386SocketFamilies(_ policy: SeccompPolicy) -> [UInt8] {
        let socketRules = policy.rules.filter { $0.syscall == "socket" }
        guard case .errno(let e)? = socketRules.first?.action else { return [] }
        let refused = Set(socketRules.compactMap { $0.condition?.op == .equal ? $0.condition?.value : nil })
        let refusesAbove = socketRules.compactMap { $0.condition?.op == .greaterOrEqual ? $0.condition?.value : nil }.min() ?? UInt64.max
        let allowed = (0..<min(refusesAbove, 64)).filter { !refused.contains($0) }
        // ld arch; jeq i386; ld nr; jeq 359; ld args[0] (low word: i386 arguments are 32-bit); one jeq
        // per allowed family; ret ERRNO. "next" = the first instruction after this block.
        let count = 5 + allowed.count + 1
        var prog: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)] = []
        prog.append((0x20, 0, 0, 4))                                   // A = seccomp_data.arch
        prog.append((0x15, 0, UInt8(count - 2), archX86))              // not i386 → next
        prog.append((0x20, 0, 0, 0))                                   // A = seccomp_data.nr
        prog.append((0x15, 0, UInt8(count - 4), 359))                  // not socket → next
        prog.append((0x20, 0, 0, 16))                                  // A = low word of args[0]
        for (i, family) in allowed.enumerated() {
            let pc = 5 + i
            prog.append((0x15, UInt8(count - pc - 1), 0, UInt32(family)))   // allowed family → next
        }
        prog.append((0x06, 0, 0, actErrno(e)))                         // refused family
        var bytes: [UInt8] = []
        for ins in prog {
            bytes += [UInt8(ins.code & 0xFF), UInt8(ins.code >> 8), ins.jt, ins.jf]
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: ins.k >> (8 * $0)) }
        }
        return bytes
    }

    /// The inner helper's own filter: exec, connect and new processes are reported to ww; a second
    /// listener (which could answer for the game) is refused.
    public static func notificationFilter(watchProcessCreation: Bool, refusals: [SeccompPolicy.Rule] = []) throws -> [UInt8] {
        let filter = try Filter(defaultAction: actAllow, badArchKills: true)
        for rule in refusals { _ = try filter.add(rule.syscall, action: actNotify, condition: rule.condition) }
        for name in ["execve", "execveat", "connect"] { _ = try filter.add(name, action: actNotify, condition: nil) }
        if watchProcessCreation {
            _ = try filter.add("fork", action: actNotify, condition: nil)
            _ = try filter.add("vfork", action: actNotify, condition: nil)
            // clone without CLONE_THREAD makes a process; threads are not watched (hot path).
            _ = try filter.add("clone", action: actNotify, condition: .masked(0, mask: 0x0001_0000, 0))
        }
        // seccomp(SECCOMP_SET_MODE_FILTER, flags with SECCOMP_FILTER_FLAG_NEW_LISTENER, …): no second listener.
        _ = try filter.add("seccomp", action: actErrno(EPERM), condition: .masked(1, mask: 8, 8))
        return try filter.export()
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
                for arch in [archX86_64, archX86] {
                    let nr = seccomp_syscall_resolve_name_arch(arch, rule.syscall)
                    guard nr >= 0 else { continue }
                    byCall[UInt64(arch) << 32 | UInt64(UInt32(nr)), default: []].append(rule)
                }
            }
        }

        public func match(arch: UInt32, nr: Int32, args: [UInt64]) -> SeccompPolicy.Rule? {
            byCall[UInt64(arch) << 32 | UInt64(UInt32(bitPattern: nr))]?.first { rule in
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
