// The pure halves of the kernel layers: seccomp policy, Landlock rules, process decisions, the
// helper's wire format and the audit trail's JSON.

import XCTest
@testable import WardenCore

final class KernelPolicyTests: XCTestCase {
    let here = SourceLocation(file: "t.toml", line: 3)

    func parseError(_ text: String) -> String {
        do { _ = try ProfileParser.parse(name: "t", path: "t.toml", text: text); return "" }
        catch let e as WardenError { return e.message }
        catch { return "\(error)" }
    }

    // MARK: seccomp

    func testDefaultPolicyRefusesTheKernelSurfaceAndMasksTerminalIoctls() {
        let p = SyscallGroups.policy(allow: [], deny: [], nestedSandbox: false)
        let plain = Set(p.rules.filter { $0.condition == nil }.map(\.syscall))
        for name in ["kexec_load", "init_module", "finit_module", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "acct",
                     "swapon", "reboot", "syslog", "uselib", "iopl", "ioperm", "vm86", "open_by_handle_at", "fanotify_init",
                     "userfaultfd", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "clone3", "io_uring_setup", "fsopen"] {
            XCTAssertTrue(plain.contains(name), name)
        }
        for kept in ["modify_ldt", "set_thread_area", "arch_prctl", "personality", "ptrace", "process_vm_readv", "futex_waitv", "memfd_create", "shmget", "seccomp"] {
            XCTAssertFalse(p.rules.contains { $0.syscall == kept }, "\(kept) is kept for Wine")
        }
        let tiocsti = p.rules.first { $0.syscall == "ioctl" && $0.condition?.value == 0x5412 }
        XCTAssertEqual(tiocsti?.condition, .masked(1, mask: 0xFFFF_FFFF, 0x5412), "only the low 32 bits are compared")
        XCTAssertEqual(p.rules.first { $0.syscall == "clone3" }?.action, .errno(38))
        XCTAssertEqual(p.rules.first { $0.syscall == "io_uring_enter" }?.action, .errno(38))
        let families = p.rules.filter { $0.syscall == "socket" }.compactMap(\.condition)
        XCTAssertTrue(families.contains(.atLeast(0, 17)))
        for allowedFamily: UInt64 in [1, 2, 10, 16] { XCTAssertFalse(families.contains(.equal(0, allowedFamily))) }
        XCTAssertTrue(families.contains(.equal(0, 17 - 1 - 12)))   // AF_AX25 = 3
        XCTAssertTrue(p.rules.contains { $0.syscall == "clone" && $0.condition == .masked(0, mask: 0x1000_0000, 0x1000_0000) })
        XCTAssertEqual(p.architectures, [.x86_64, .x86])
        XCTAssertTrue(p.badArchitectureKills)
    }

    func testNestedSandboxLiftsOnlyTheNamespaceRules() {
        let p = SyscallGroups.policy(allow: [], deny: [], nestedSandbox: true)
        for name in ["mount", "unshare", "setns", "pivot_root"] { XCTAssertFalse(p.rules.contains { $0.syscall == name }, name) }
        XCTAssertFalse(p.rules.contains { $0.syscall == "clone" })
        XCTAssertTrue(p.rules.contains { $0.syscall == "fsopen" }, "the new mount API stays ENOSYS")
        XCTAssertTrue(p.rules.contains { $0.syscall == "keyctl" })
    }

    func testProfileAllowAndDeny() {
        let p = SyscallGroups.policy(allow: [Traced("userfaultfd", here), Traced("@clock", here)], deny: [Traced("ptrace", here), Traced("@wine", here)], nestedSandbox: false)
        XCTAssertFalse(p.rules.contains { $0.syscall == "userfaultfd" })
        XCTAssertFalse(p.rules.contains { $0.syscall == "settimeofday" })
        XCTAssertEqual(p.rules.first { $0.syscall == "ptrace" }?.reason, "deny (t.toml:3)")
        XCTAssertTrue(p.rules.contains { $0.syscall == "modify_ldt" })
        XCTAssertEqual(p.allowed, ["userfaultfd (t.toml:3)", "@clock (t.toml:3)"])
    }

    func testSeccompEntriesAreValidatedWithFileAndLine() {
        XCTAssertTrue(parseError("[seccomp]\nallow = [\"userfaultd\"]\n").contains("t.toml:2: allow entry \"userfaultd\" is not a syscall name known to ww"))
        XCTAssertTrue(parseError("[seccomp]\ndeny = [\"@nope\"]\n").contains("t.toml:2: deny entry \"@nope\" is not a syscall group; groups: @bpf"))
        XCTAssertTrue(parseError("[seccomp]\nallow = [\"bpf\"]\n").contains("cannot be allowed: bpf is always refused"))
        XCTAssertTrue(parseError("[seccomp]\nallow = [\"@keyring\"]\n").contains("cannot be allowed: keyctl"))
        XCTAssertTrue(parseError("[seccomp]\nallow = [\"read\"]\n").contains("is not refused by default"))
        XCTAssertTrue(parseError("[seccomp]\nallow = [\"mount\"]\n").contains("nested_sandbox"))
        XCTAssertTrue(parseError("[seccomp]\ndeny = [\"execve\"]\n").contains("cannot be denied: ww needs execve"))
        XCTAssertTrue(parseError("[seccomp]\nallows = []\n").contains("unknown key 'allows' in [seccomp] (did you mean 'allow'?)"))
        XCTAssertEqual(parseError("[seccomp]\nallow = [\"userfaultfd\", \"@obsolete\"]\ndeny = [\"ptrace\", \"@debug\"]\n"), "")
    }

    func testLandlockAndProcessKeysAreValidated() {
        XCTAssertTrue(parseError("[landlock]\nmode = \"strict\"\n").contains("t.toml:2: 'mode' is \"strict\"; it must be one of \"required\", \"best-effort\", \"off\""))
        XCTAssertTrue(parseError("[process]\nmax_child_processes = 0\n").contains("t.toml:2: 'max_child_processes' must be a whole number from 1 to 100000"))
        XCTAssertTrue(parseError("[process]\nallow_shell_execution = \"yes\"\n").contains("must be true or false"))
        XCTAssertTrue(parseError("[process]\nblocked_patterns = [\"\"]\n").contains("non-empty patterns"))
    }

    // MARK: Landlock

    func testLandlockRulesMirrorTheMounts() {
        let mounts = [
            MountStep(.readOnlyBind, source: "/usr", "/usr", reason: "system"),
            MountStep(.bind, source: "/h/v", "/home/u", reason: "home"),
            MountStep(.deviceBind, source: "/dev/dri", "/dev/dri", reason: "GPU"),
            MountStep(.proc, "/proc", reason: "proc"),
            MountStep(.dev, "/dev", reason: "dev"),
            MountStep(.tmpfs, "/run/user/1", permissions: "0700", reason: "runtime"),
            MountStep(.tmpfs, "/home/u/.ssh", permissions: "0000", reason: "hidden"),
            MountStep(.hideFile, source: "/e", "/etc/shadow", reason: "hidden"),
        ]
        let p = LandlockPlan.mirroring(mounts, mode: Traced(.bestEffort, here), nestedSandbox: Traced(false, here))
        let rules = Dictionary(uniqueKeysWithValues: p.rules.map { ($0.path, $0.access) })
        XCTAssertEqual(rules["/"], LandlockAccess.readDir)
        XCTAssertEqual(rules["/usr"], LandlockAccess.readOnly)
        XCTAssertEqual(rules["/home/u"], LandlockAccess.readWrite)
        XCTAssertEqual(rules["/home/u"]! & (LandlockAccess.makeChar | LandlockAccess.makeBlock), 0, "no device nodes, anywhere")
        XCTAssertEqual(rules["/dev/dri"], LandlockAccess.device)
        XCTAssertEqual(rules["/proc"]! & LandlockAccess.execute, 0)
        XCTAssertNotNil(rules["/dev/shm"])
        XCTAssertNotNil(rules["/run/user/1"])
        XCTAssertNil(rules["/home/u/.ssh"])
        XCTAssertNil(rules["/etc/shadow"])
        XCTAssertEqual(p.handledAccess, LandlockAccess.all)
        XCTAssertEqual(p.scopes, LandlockAccess.scopeAbstractUnixSocket | LandlockAccess.scopeSignal)
        XCTAssertEqual(p.restrictFlags, LandlockAccess.logNewExecOn)
    }

    func testNestedSandboxKeepsOnlyTheScopesAndOffKeepsNothing() {
        let mounts = [MountStep(.readOnlyBind, source: "/usr", "/usr", reason: "system")]
        let nested = LandlockPlan.mirroring(mounts, mode: Traced(.required, here), nestedSandbox: Traced(true, here))
        XCTAssertEqual(nested.handledAccess, 0)
        XCTAssertEqual(nested.rules, [])
        XCTAssertNotEqual(nested.scopes, 0)
        let off = LandlockPlan.mirroring(mounts, mode: Traced(.off, here), nestedSandbox: Traced(false, here))
        XCTAssertTrue(off.isOff)
        XCTAssertEqual(off.scopes, 0)
    }

    // MARK: process policy

    func request(_ path: String, _ argv: [String], callerExe: String = "/usr/bin/dash", caller: String = "sh", launch: Bool = false) -> ExecRequest {
        ExecRequest(path: path, argv: argv, callerExecutable: callerExe, callerName: caller, isLaunchCommand: launch)
    }

    func testBlockedPatternsMatchTheProgramAndTheWindowsProgram() {
        let policy = ProcessPolicy(blockedPatterns: ["*nc*", "*powershell*"])
        XCTAssertFalse(policy.decide(request("/usr/bin/ncat", ["ncat"])).allowed)
        XCTAssertTrue(policy.decide(request("/usr/bin/true", ["true"])).allowed)
        let ps = request("/usr/lib/wine/wine64", ["/usr/lib/wine/wine64", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe", "-c", "x"],
                         callerExe: "/usr/lib/wine/wine64", caller: "launcher.exe")
        let d = policy.decide(ps)
        XCTAssertFalse(d.allowed)
        XCTAssertEqual(d.windowsProgram, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe")
        XCTAssertFalse(policy.decide(request("/usr/bin/nc", ["nc"], launch: true)).allowed, "blocked beats the launch command")
    }

    func testShellsAreRefusedOnlyWhenAWindowsProgramStartsThem() {
        let policy = ProcessPolicy()
        let wineCaller = (exe: "/usr/lib/wine/wine64", name: "game.exe")
        let cmd = request("/usr/lib/wine/wine64", ["/usr/lib/wine/wine64", "cmd.exe", "/c", "echo"], callerExe: wineCaller.exe, caller: wineCaller.name)
        XCTAssertFalse(policy.decide(cmd).allowed)
        XCTAssertEqual(policy.decide(cmd).windowsProgram, "cmd.exe")
        // The preloader re-exec carries the loader first: the Windows program is the one after it.
        let pre = request("/usr/lib/wine/wine64-preloader", ["/usr/lib/wine/wine64-preloader", "/usr/lib/wine/wine64", "C:\\x\\setup.BAT"],
                          callerExe: wineCaller.exe, caller: wineCaller.name)
        XCTAssertEqual(policy.decide(pre).windowsProgram, "C:\\x\\setup.BAT")
        XCTAssertFalse(policy.decide(pre).allowed)
        XCTAssertFalse(policy.decide(request("/bin/sh", ["sh", "-c", "curl x | sh"], callerExe: wineCaller.exe, caller: wineCaller.name)).allowed)
        XCTAssertFalse(policy.decide(request("/usr/bin/python3", ["python3"], callerExe: wineCaller.exe, caller: wineCaller.name)).allowed)
        // The launch chain's own scripts and Wine starting up are not Windows programs.
        XCTAssertTrue(policy.decide(request("/bin/sh", ["sh", "run.sh"], callerExe: "/usr/bin/python3", caller: "proton")).allowed)
        XCTAssertTrue(policy.decide(request("/usr/lib/wine/wine64", ["/usr/lib/wine/wine64", "cmd.exe"], callerExe: "/usr/lib/wine/wine64", caller: "wine64")).allowed)
        XCTAssertTrue(policy.decide(request("/usr/lib/wine/wine64", ["/usr/lib/wine/wine64", "C:\\windows\\system32\\rundll32.exe", "setupapi"],
                                            callerExe: wineCaller.exe, caller: "wineboot.exe")).allowed, "Wine's own setup")
        XCTAssertTrue(ProcessPolicy(allowShellExecution: true).decide(cmd).allowed)
    }

    func testAllowedPatternsAreAnAllowList() {
        let policy = ProcessPolicy(allowedPatterns: ["wine*", "*.exe"])
        XCTAssertTrue(policy.decide(request("/usr/lib/wine/wine64", ["wine64", "C:\\game.exe"])).allowed)
        XCTAssertTrue(policy.decide(request("/usr/lib/wine/wineserver", ["wineserver"])).allowed)
        XCTAssertFalse(policy.decide(request("/usr/bin/curl", ["curl"])).allowed)
        XCTAssertTrue(policy.decide(request("/usr/bin/curl", ["curl"], launch: true)).allowed, "the launch command is always allowed unless blocked")
        XCTAssertTrue(ProcessPolicy(allowedPatterns: ["/opt/game/*"]).decide(request("/opt/game/bin/run", ["run"])).allowed, "a pattern with / matches the path")
    }

    // MARK: wire format and trail

    func testHelperInstructionsRoundTripAndRejectGarbage() {
        let ll = LandlockPlan(mode: .required, handledAccess: LandlockAccess.all, scopes: 3, restrictFlags: 2,
                              rules: [.init(path: "/usr", access: LandlockAccess.readOnly, reason: "")], explanation: "")
        let i = HelperInstructions(command: ["wine", "Game Ω.exe", ""], landlock: ll, notificationFilter: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(HelperInstructions.decode(i.encoded()[...]), i)
        let bytes = i.encoded()
        XCTAssertNil(HelperInstructions.decode(bytes.dropLast()[...]))
        XCTAssertNil(HelperInstructions.decode((bytes + [0])[...]))
        XCTAssertNil(HelperInstructions.decode([0xFF, 0xFF, 0xFF, 0xFF][...]))
        var s = EnforcementStatus()
        s.landlockABI = 7; s.landlockHandled = 0xF7BF; s.listenerErrno = 0; s.rulesMissing = 2
        XCTAssertEqual(EnforcementStatus.decode(s.encoded()[...]), s)
        let killed = ExitReport(sandboxPID: 2, isGame: true, killed: true, status: 31, name: "game.exe")
        let exited = ExitReport(sandboxPID: 40, isGame: false, killed: false, status: 3, name: "wineserver")
        XCTAssertEqual(ExitReport.decode(killed.encoded()[...]), killed)
        XCTAssertEqual(ExitReport.decode(exited.encoded()[...]), exited)
        XCTAssertNil(ExitReport.decode(killed.encoded().dropLast()[...]))
        XCTAssertEqual(SignalNames.name(31), "SIGSYS")
        XCTAssertEqual(SignalNames.name(64), "signal 64")
    }

    func testAuditEventsAreOneLineOfJSON() throws {
        let e = AuditEvent(time: 1_795_000_000_123_456_789, session: "abc", game: "steam:620", kind: "exec_refused", pid: 42,
                           chain: [.init(pid: 42, name: "game \"x\".exe"), .init(pid: 7, name: "wine64")],
                           details: [("argv", .strings(["a\nb", "tab\t", "\u{1}", "é", "back\\slash", "\u{7F}", "line\u{2028}sep", "plain"])),
                                     ("shell", .bool(true)), ("port", .int(443))])
        let line = e.jsonLine()
        XCTAssertFalse(line.contains("\n"))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(obj["ts_ns"] as? UInt64, 1_795_000_000_123_456_789)
        XCTAssertEqual(obj["argv"] as? [String], ["a\nb", "tab\t", "\u{1}", "é", "back\\slash", "\u{7F}", "line\u{2028}sep", "plain"])
        XCTAssertTrue(line.contains("\"plain\"]") && line.contains("\\u2028") && line.contains("\\u007f"), line)
        XCTAssertEqual((obj["chain"] as? [[String: Any]])?.first?["name"] as? String, "game \"x\".exe")
        XCTAssertEqual(obj["kind"] as? String, "exec_refused")
    }

    func testSocketAddressesDecode() {
        XCTAssertEqual(SocketAddress.decode([2, 0, 0x01, 0xBB, 93, 184, 216, 34, 0, 0, 0, 0, 0, 0, 0, 0]), SocketAddress(family: "inet", address: "93.184.216.34", port: 443))
        var v6: [UInt8] = [10, 0, 0x00, 0x35, 0, 0, 0, 0] + [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 10) + [0, 1] + [0, 0, 0, 0]
        XCTAssertEqual(SocketAddress.decode(v6), SocketAddress(family: "inet6", address: "2001:db8::1", port: 53))
        v6.removeLast(10)
        XCTAssertNil(SocketAddress.decode(v6), "too short for an IPv6 address")
        XCTAssertEqual(SocketAddress.decode([1, 0] + Array("/tmp/.X11-unix/X0".utf8) + [0]), SocketAddress(family: "unix", address: "/tmp/.X11-unix/X0", port: nil))
        XCTAssertEqual(SocketAddress.decode([1, 0, 0] + Array("/tmp/.X11-unix/X0".utf8))?.address, "@/tmp/.X11-unix/X0")
        XCTAssertEqual(SocketAddress.decode([17, 0, 1, 2])?.family, "family-17")
        XCTAssertNil(SocketAddress.decode([2]))
    }
}
