/// The syscall filter bwrap loads before the inner helper starts (`--seccomp FD`): one program for
/// x86_64 **and** i386 with identical rules, x32 killed by the bad-arch action, and only ERRNO
/// actions for listed syscalls (Wine installs its own SIGSYS handler, so TRAP/KILL would break it).
/// Pure: the Linux side compiles it with libseccomp.
public struct SeccompPolicy: Codable, Equatable, Sendable {
    public enum Action: Codable, Equatable, Sendable {
        case errno(Int32)

        public var text: String {
            switch self { case .errno(let e): return SeccompPolicy.errnoNames[e] ?? "errno \(e)" }
        }
    }

    /// A test on one syscall argument (register), 64-bit.
    public struct Condition: Codable, Equatable, Sendable {
        public enum Op: String, Codable, Sendable { case maskedEqual = "masked-eq", equal = "eq", greaterOrEqual = "ge" }
        public var argument: Int
        public var op: Op
        public var value: UInt64
        public var mask: UInt64

        public static func masked(_ argument: Int, mask: UInt64, _ value: UInt64) -> Condition {
            Condition(argument: argument, op: .maskedEqual, value: value, mask: mask)
        }
        public static func equal(_ argument: Int, _ value: UInt64) -> Condition {
            Condition(argument: argument, op: .equal, value: value, mask: 0)
        }
        public static func atLeast(_ argument: Int, _ value: UInt64) -> Condition {
            Condition(argument: argument, op: .greaterOrEqual, value: value, mask: 0)
        }

        public var text: String {
            switch op {
            case .maskedEqual: return "arg\(argument) & 0x\(String(mask, radix: 16)) == 0x\(String(value, radix: 16))"
            case .equal: return "arg\(argument) == \(value)"
            case .greaterOrEqual: return "arg\(argument) >= \(value)"
            }
        }
    }

    public struct Rule: Codable, Equatable, Sendable {
        public var syscall: String
        public var action: Action
        public var condition: Condition?
        /// The group or profile line the rule comes from.
        public var reason: String

        public init(syscall: String, action: Action, condition: Condition?, reason: String) {
            self.syscall = syscall
            self.action = action
            self.condition = condition
            self.reason = reason
        }
    }

    public enum Architecture: String, Codable, Sendable { case x86_64, x86 }

    public var architectures: [Architecture] = [.x86_64, .x86]
    /// Syscalls of an architecture not listed (x32) kill the process: no legitimate game uses x32.
    public var badArchitectureKills = true
    public var binaryTree = true
    public var rules: [Rule] = []
    /// Syscalls a profile allowed that are otherwise refused, with where.
    public var allowed: [String] = []

    public init(rules: [Rule] = [], allowed: [String] = []) {
        self.rules = rules
        self.allowed = allowed
    }

    static let errnoNames: [Int32: String] = [1: "EPERM", 38: "ENOSYS", 97: "EAFNOSUPPORT", 13: "EACCES"]
}

/// Named syscall groups (in the spirit of systemd's `@mount`, `@module`, …) and the default policy.
public enum SyscallGroups {
    public static let EPERM: Int32 = 1
    public static let ENOSYS: Int32 = 38
    public static let EAFNOSUPPORT: Int32 = 97

    /// Groups a profile can name in `[seccomp] allow/deny` as `@name`.
    public static let groups: [String: [String]] = [
        "@mount": ["mount", "umount", "umount2", "pivot_root", "chroot"],
        "@new-mount-api": ["fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr"],
        "@namespaces": ["unshare", "setns"],
        "@module": ["init_module", "finit_module", "delete_module", "create_module"],
        "@reboot": ["reboot", "kexec_load", "kexec_file_load"],
        "@swap": ["swapon", "swapoff"],
        "@raw-io": ["ioperm", "iopl"],
        "@debug": ["perf_event_open", "lookup_dcookie"],
        "@keyring": ["keyctl", "add_key", "request_key"],
        "@bpf": ["bpf"],
        "@obsolete": ["_sysctl", "afs_syscall", "bdflush", "get_kernel_syms", "getpmsg", "putpmsg", "query_module",
                      "security", "tuxcall", "vserver", "ustat", "sysfs", "break", "ftime", "gtty", "stty", "idle", "lock",
                      "mpx", "prof", "profil", "ulimit", "sgetmask", "ssetmask"],
        "@clock": ["adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64", "settimeofday", "stime"],
        "@cpu-emulation": ["vm86", "vm86old"],
        "@privileged-files": ["open_by_handle_at", "fanotify_init"],
        "@system": ["acct", "syslog", "quotactl", "quotactl_fd", "nfsservctl", "vhangup"],
        "@io-uring": ["io_uring_setup", "io_uring_enter", "io_uring_register"],
        // Kept for Wine; denying them breaks it (listed so `deny = ["@wine"]` reads as what it is).
        "@wine": ["modify_ldt", "set_thread_area", "get_thread_area", "arch_prctl", "personality", "ptrace",
                  "process_vm_readv", "process_vm_writev", "futex_waitv", "memfd_create", "seccomp",
                  "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl", "ipc"],
    ]

    /// Refused in every sandbox; a profile cannot allow them.
    public static let alwaysRefused: [String] = ["@module", "@reboot", "@swap", "@raw-io", "@debug", "@keyring", "@bpf", "@cpu-emulation", "@privileged-files", "@system", "uselib"]
    /// Refused unless a profile allows them by name or group.
    public static let refusedUnlessAllowed: [String] = ["@obsolete", "@clock", "userfaultfd"]
    /// Syscalls ww needs to start the game (the inner helper runs under this filter).
    public static let neededByWarden: Set<String> = ["execve", "exit", "exit_group", "rt_sigreturn", "rt_sigaction", "rt_sigprocmask",
        "read", "write", "close", "openat", "mmap", "munmap", "mprotect", "brk", "prctl", "seccomp", "sendmsg", "recvmsg",
        "clone", "wait4", "waitid", "fstat", "newfstatat", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"]

    /// `@group` → its syscalls; a syscall name → itself; nil when unknown.
    public static func expand(_ entry: String) -> [String]? {
        if entry.hasPrefix("@") { return groups[entry] }
        return SyscallNames.all.contains(entry) ? [entry] : nil
    }

    static func expandAll(_ entries: [String]) -> [String] { entries.flatMap { expand($0) ?? [] } }

    /// The policy for a profile: defaults, minus what `allow` permits, plus `deny`, with the namespace
    /// and mount rules only when the launch chain does not run its own sandbox.
    public static func policy(allow: [Traced<String>], deny: [Traced<String>], nestedSandbox: Bool) -> SeccompPolicy {
        let allowed = Set(allow.flatMap { expand($0.value) ?? [] })
        var rules: [SeccompPolicy.Rule] = []
        func add(_ syscall: String, _ errno: Int32, _ reason: String, _ condition: SeccompPolicy.Condition? = nil) {
            rules.append(.init(syscall: syscall, action: .errno(errno), condition: condition, reason: reason))
        }
        for group in alwaysRefused {
            for name in expand(group) ?? [] { add(name, EPERM, "\(group): always refused") }
        }
        for entry in refusedUnlessAllowed {
            for name in expand(entry) ?? [] where !allowed.contains(name) { add(name, EPERM, "\(entry): refused unless allowed") }
        }
        // Terminal injection (CVE-2017-5226, CVE-2023-28100): the command is a 32-bit value; compare
        // only the low 32 bits so TIOCSTI with high bits set (CVE-2019-10063) is caught too.
        add("ioctl", EPERM, "TIOCSTI: typing into the terminal", .masked(1, mask: 0xFFFF_FFFF, 0x5412))
        add("ioctl", EPERM, "TIOCLINUX: console selection injection", .masked(1, mask: 0xFFFF_FFFF, 0x541C))
        // Socket families other than unix, inet, inet6 and netlink (AF_PACKET, AF_ALG, AF_BLUETOOTH, …).
        let families: [UInt64] = [0] + Array(3...9) + Array(11...15)
        // socketpair creates a socket of the family before it fails for most of them: the same rules.
        for call in ["socket", "socketpair"] {
            for f in families { add(call, EAFNOSUPPORT, "socket family \(f): only unix, inet, inet6 and netlink", .equal(0, f)) }
            add(call, EAFNOSUPPORT, "socket families above netlink", .atLeast(0, 17))
        }
        // Seen by seccomp only at submission, not per operation: refused so libraries fall back.
        for name in groups["@io-uring"]! { add(name, ENOSYS, "@io-uring: its operations bypass seccomp") }
        // Flags behind a pointer (CVE-2021-41133): ENOSYS makes glibc fall back to clone/mount.
        add("clone3", ENOSYS, "clone3: flags cannot be inspected")
        for name in groups["@new-mount-api"]! { add(name, ENOSYS, "@new-mount-api: refused so nothing mounts") }
        if !nestedSandbox {
            for name in groups["@mount"]! + groups["@namespaces"]! { add(name, EPERM, "no nested sandbox in this launch chain") }
            add("clone", EPERM, "clone(CLONE_NEWUSER): no nested sandbox in this launch chain", .masked(0, mask: 0x1000_0000, 0x1000_0000))
        }
        for entry in deny {
            for name in expand(entry.value) ?? [] where !rules.contains(where: { $0.syscall == name && $0.condition == nil }) {
                add(name, EPERM, "deny (\(entry.origin))")
            }
        }
        return SeccompPolicy(rules: rules, allowed: allow.map { "\($0.value) (\($0.origin))" })
    }

    /// Problems with a `[seccomp]` entry, as sentences (empty when fine).
    public static func problems(_ entry: String, allow: Bool) -> [String] {
        guard let names = expand(entry) else {
            if entry.hasPrefix("@") {
                return ["is not a syscall group; groups: \(groups.keys.sorted().joined(separator: ", "))"]
            }
            return ["is not a syscall name known to ww (x86_64 or i386)"]
        }
        if allow {
            let never = Set(expandAll(alwaysRefused))
            if let bad = names.first(where: never.contains) {
                return ["cannot be allowed: \(bad) is always refused inside ww (kernel modules, kexec, bpf, keyrings, perf, raw I/O)"]
            }
            let loosenable = Set(expandAll(refusedUnlessAllowed) + groups["@mount"]! + groups["@namespaces"]! + groups["@new-mount-api"]!)
            if !names.contains(where: loosenable.contains) {
                return ["is not refused by default, so allowing it changes nothing"]
            }
            if names.contains(where: { (groups["@mount"]! + groups["@namespaces"]! + groups["@new-mount-api"]!).contains($0) }) {
                return ["is governed by [namespaces] nested_sandbox = true, not by [seccomp] allow"]
            }
        } else if let bad = names.first(where: neededByWarden.contains) {
            return ["cannot be denied: ww needs \(bad) to start the game"]
        }
        return []
    }
}
