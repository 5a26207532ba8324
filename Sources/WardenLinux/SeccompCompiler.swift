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

    /// The filter bwrap loads for the whole sandbox.
    public static func compile(_ policy: SeccompPolicy) throws -> Compiled {
        let filter = try Filter(defaultAction: actAllow, badArchKills: policy.badArchitectureKills)
        var unknown: [String] = []
        for rule in policy.rules {
            guard case .errno(let e) = rule.action else { continue }
            let added = try filter.add(rule.syscall, action: actErrno(e), condition: rule.condition)
            if !added && !unknown.contains(rule.syscall) { unknown.append(rule.syscall) }
        }
        return Compiled(program: try filter.export(), unknownToLibrary: unknown)
    }

    /// The inner helper's own filter: exec, connect and new processes are reported to ww; a second
    /// listener (which could answer for the game) is refused.
    public static func notificationFilter(watchProcessCreation: Bool) throws -> [UInt8] {
        let filter = try Filter(defaultAction: actAllow, badArchKills: true)
        for name in ["execve", "execveat", "connect"] { _ = try filter.add(name, action: actNotify, condition: nil) }
        if watchProcessCreation {
            _ = try filter.add("fork", action: actNotify, condition: nil)
            _ = try filter.add("vfork", action: actNotify, condition: nil)
            // clone without CLONE_THREAD makes a process; threads are not watched (hot path).
            _ = try filter.add("clone", action: actNotify, condition: .masked(0, mask: 0x0001_0000, 0))
        }
        // seccomp(SECCOMP_SET_MODE_FILTER, flags with SECCOMP_FILTER_FLAG_NEW_LISTENER, …)
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

    final class Filter {
        let ctx: scmp_filter_ctx

        init(defaultAction: UInt32, badArchKills: Bool) throws {
            guard let c = seccomp_init(defaultAction) else { throw WardenError(.launch, "libseccomp could not create a filter") }
            ctx = c
            try check(seccomp_arch_add(ctx, SeccompCompiler.archX86), "add the i386 architecture")
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badArchKills ? SeccompCompiler.actKillProcess : SeccompCompiler.actErrno(ENOSYS)), "set the bad-arch action")
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), "enable binary-tree optimisation")
            // The filter is exported, not loaded here: no_new_privs is bwrap's business.
            try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "leave no_new_privs to bwrap")
        }

        deinit { seccomp_release(ctx) }

        func check(_ rc: Int32, _ what: String) throws {
            guard rc == 0 else { throw WardenError(.launch, "libseccomp could not \(what): \(String(cString: strerror(-rc)))") }
        }

        /// Adds a rule on every architecture; false when libseccomp does not know the syscall at all.
        func add(_ name: String, action: UInt32, condition: SeccompPolicy.Condition?) throws -> Bool {
            let nr = seccomp_syscall_resolve_name(name)
            if nr == __NR_SCMP_ERROR { return false }
            var args: [scmp_arg_cmp] = []
            if let c = condition {
                switch c.op {
                case .maskedEqual: args.append(scmp_arg_cmp(arg: UInt32(c.argument), op: SCMP_CMP_MASKED_EQ, datum_a: c.mask, datum_b: c.value))
                case .equal: args.append(scmp_arg_cmp(arg: UInt32(c.argument), op: SCMP_CMP_EQ, datum_a: c.value, datum_b: 0))
                case .greaterOrEqual: args.append(scmp_arg_cmp(arg: UInt32(c.argument), op: SCMP_CMP_GE, datum_a: c.value, datum_b: 0))
                }
            }
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
