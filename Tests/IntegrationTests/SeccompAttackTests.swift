import Foundation
import XCTest

/// The syscall filter bwrap loads (`--seccomp FD`), attacked by a small C program (Tests/attack/attack.c).
/// Every attack runs twice as the test user:
/// - outside ww, the control: the kernel itself lets the call through (`ok`) or refuses it with an errno
///   different from the filter's, so an identical answer inside can only come from the filter;
/// - inside `ww -- attack NAME`, where the answer must be exactly the filter's.
/// The program prints one line: `ok` (exit 0) or `refused errno=N ENAME` (exit 1); exit 2 is a setup failure.
final class SeccompAttackTests: XCTestCase {
    let sb = Sandbox.shared

    enum Expected: Equatable {
        case refused(Int32, String)
        /// x32 syscalls hit the filter's bad-arch action: the process dies of SIGSYS, ww exits 128+31.
        case killedBySIGSYS

        var line: String? {
            if case .refused(let errno, let name) = self { return "refused errno=\(errno) \(name)" }
            return nil
        }
    }

    static let EPERM = Expected.refused(1, "EPERM")
    static let ENOSYS = Expected.refused(38, "ENOSYS")
    static let EAFNOSUPPORT = Expected.refused(97, "EAFNOSUPPORT")

    /// What the audit trail must hold for the attack.
    enum Recorded: Equatable {
        /// A `syscall_refused` event naming this call and architecture.
        case refused(String, arch: String)
        /// A `process_exit` event for the game's process, killed by this signal.
        case killed(String)
        /// Not recorded, on purpose (clone3: every thread start tries it, bwrap's filter answers).
        case notRecorded
    }

    struct Attack {
        var name: String
        var inside: Expected
        var recorded: Recorded
        /// The feature may be missing from the kernel (AF_ALG without CONFIG_CRYPTO_USER_API, AF_VSOCK without
        /// CONFIG_VSOCKETS): then the kernel answers EAFNOSUPPORT outside too and the control proves nothing,
        /// which is reported, not failed. The inside answer is checked all the same.
        var kernelMayLack = false

        init(_ name: String, _ inside: Expected, _ recorded: Recorded, kernelMayLack: Bool = false) {
            self.name = name
            self.inside = inside
            self.recorded = recorded
            self.kernelMayLack = kernelMayLack
        }
    }

    static func x64(_ call: String) -> Recorded { .refused(call, arch: "x86_64") }
    static func i386(_ call: String) -> Recorded { .refused(call, arch: "i386") }

    static let terminal = [
        Attack("tiocsti", EPERM, x64("ioctl")),              // CVE-2017-5226: typing into the terminal ww was started from
        Attack("tiocsti-high", EPERM, x64("ioctl")),         // CVE-2019-10063: the same with bit 32 of the command set
        Attack("tioclinux", EPERM, x64("ioctl")),            // CVE-2023-28100
        Attack("int80-ioctl-tiocsti", EPERM, i386("ioctl")), // the i386 entry point gets the same rules
    ]
    static let kernelSurface = [
        Attack("keyctl", EPERM, x64("keyctl")), Attack("bpf", EPERM, x64("bpf")), Attack("perf", EPERM, x64("perf_event_open")),
        Attack("int80-keyctl", EPERM, i386("keyctl")),
    ]
    static let ioUring = [Attack("io_uring", ENOSYS, x64("io_uring_setup")), Attack("int80-io_uring", ENOSYS, i386("io_uring_setup"))]
    static let socketFamilies = [
        Attack("af_packet", EAFNOSUPPORT, x64("socket")),
        Attack("af_alg", EAFNOSUPPORT, x64("socket"), kernelMayLack: true),
        Attack("af_vsock", EAFNOSUPPORT, x64("socket"), kernelMayLack: true),
        Attack("socketpair-packet", EAFNOSUPPORT, x64("socketpair")),
        Attack("int80-socket-alg", EAFNOSUPPORT, i386("socket"), kernelMayLack: true),
        Attack("int80-socket-vsock", EAFNOSUPPORT, i386("socket"), kernelMayLack: true),
        // 32-bit glibc's way: the family is in memory, read by ww (see NotificationSupervisor).
        Attack("int80-socketcall-packet", EAFNOSUPPORT, i386("socket")),
        Attack("int80-socketcall-socketpair-packet", EAFNOSUPPORT, i386("socketpair")),
    ]
    /// Refused because the default profile has `nested_sandbox = false`.
    static let nesting = [
        Attack("mount", EPERM, x64("unshare")),          // unshare(CLONE_NEWUSER|CLONE_NEWNS) is refused before the mount
        Attack("unshare-user", EPERM, x64("unshare")),   // without the filter bwrap's --disable-userns says ENOSPC instead
        Attack("clone-newuser", EPERM, x64("clone")),
        Attack("int80-unshare", EPERM, i386("unshare")),
    ]
    static let inspectionProof = [Attack("clone3", ENOSYS, .notRecorded), Attack("fsopen", ENOSYS, x64("fsopen"))]
    static let x32 = [Attack("x32-getpid", .killedBySIGSYS, .killed("SIGSYS"))]

    static var all: [Attack] { terminal + kernelSurface + ioUring + socketFamilies + nesting + inspectionProof + x32 }

    // MARK: building and running the attack program

    /// Built once per test run into the harness root: `<root>/attack/attack`, readable and executable by the test
    /// user. Inside ww its folder is the game's folder (`${GAME_DIR}`, read-write in the default profile).
    static let built: (path: String?, problem: String) = {
        let sb = Sandbox.shared
        let source = Sandbox.packageRoot + "/Tests/attack/attack.c"
        let dir = sb.root + "/attack"
        let binary = dir + "/attack"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let r = try Sandbox.run("/usr/bin/env", ["cc", "-O1", "-Wall", "-o", binary, source])
            guard r.status == 0 else { return (nil, "cc failed (\(r.status)): \(r.output)") }
            _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
            return (binary, "")
        } catch {
            return (nil, "cannot run cc: \(error)")
        }
    }()

    var attackProgram = ""

    override func setUpWithError() throws {
        guard let path = SeccompAttackTests.built.path else {
            throw Skip.unexpected("cannot build Tests/attack/attack.c (install gcc): \(SeccompAttackTests.built.problem)")
        }
        attackProgram = path
    }

    struct Outcome {
        var status: Int32
        /// The program's verdict line, `ok` or `refused errno=N ENAME`; nil when it printed none.
        var line: String?
        var output: String

        init(_ r: Sandbox.Result) {
            status = r.status
            line = r.stdout.split(separator: "\n").map(String.init).last { $0 == "ok" || $0.hasPrefix("refused errno=") }
            output = "exit \(r.status)\n--- stdout\n\(r.stdout)--- stderr\n\(r.stderr)"
        }
    }

    func outside(_ name: String) throws -> Outcome {
        Outcome(try sb.asUser(attackProgram, [name], env: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"], cwd: sb.root))
    }

    func inside(_ name: String, home: FakeHome, profile: String? = nil, log: String? = nil) throws -> Outcome {
        let args = (profile.map { ["--profile", $0] } ?? []) + (log.map { ["--log", $0] } ?? []) + ["--", attackProgram, name]
        return Outcome(try sb.ww(args, home: home))
    }

    /// The attack's refusal on record: the call, its architecture, the pid and the parent chain
    /// (ending at the attack program, the game), or the game's death by signal.
    func checkTrail(_ a: Attack, _ log: String, file: StaticString, line: UInt) {
        let events = sb.events(log, file: file, line: line)
        let all = events.map { "\($0)" }.joined(separator: "\n")
        switch a.recorded {
        case .refused(let call, let arch):
            let hit = events.first { $0["kind"] as? String == "syscall_refused" && $0["syscall"] as? String == call }
            guard let e = hit else { return XCTFail("\(a.name): no syscall_refused for \(call) in the trail\n\(all)", file: file, line: line) }
            XCTAssertEqual(e["arch"] as? String, arch, "\(a.name)", file: file, line: line)
            XCTAssertEqual(e["errno"] as? String, a.inside.line?.split(separator: " ").last.map(String.init), "\(a.name)", file: file, line: line)
            XCTAssertNotNil(e["pid"] as? Int, "\(a.name): no pid", file: file, line: line)
            let chain = e["chain"] as? [[String: Any]] ?? []
            XCTAssertEqual(chain.first?["pid"] as? Int, e["pid"] as? Int, "\(a.name): the chain starts at the caller", file: file, line: line)
            XCTAssertEqual(chain.last?["name"] as? String, "attack", "\(a.name): the chain ends at the game\n\(e)", file: file, line: line)
        case .killed(let signal):
            let hit = events.first { $0["kind"] as? String == "process_exit" && $0["role"] as? String == "game" }
            XCTAssertEqual(hit?["signal"] as? String, signal, "\(a.name)\n\(all)", file: file, line: line)
            XCTAssertNotNil(hit?["pid"] as? Int, "\(a.name): no pid", file: file, line: line)
        case .notRecorded:
            XCTAssertFalse(events.contains { $0["kind"] as? String == "syscall_refused" }, "\(a.name)\n\(all)", file: file, line: line)
        }
    }

    /// The control outside, then the filter's exact answer inside.
    func check(_ attacks: [Attack], file: StaticString = #filePath, line: UInt = #line) throws {
        let home = try sb.makeHome()
        for a in attacks {
            let out = try outside(a.name)
            XCTAssertTrue(out.status == 0 || out.status == 1, "\(a.name) outside ww: no verdict (setup failure or signal)\n\(out.output)", file: file, line: line)
            XCTAssertNotNil(out.line, "\(a.name) outside ww printed no verdict\n\(out.output)", file: file, line: line)
            if let expected = a.inside.line, out.line == expected {
                if a.kernelMayLack {
                    print("note: \(a.name): this kernel lacks the feature (outside ww: \(expected)); only the inside answer is checked")
                } else {
                    XCTFail("\(a.name): outside ww the kernel already answers '\(expected)', so the same answer inside proves nothing", file: file, line: line)
                }
            }

            let log = sb.logPath()
            let ins = try inside(a.name, home: home, log: log)
            checkTrail(a, log, file: file, line: line)
            switch a.inside {
            case .refused:
                XCTAssertEqual(ins.line, a.inside.line, "\(a.name) inside ww (outside: \(out.line ?? "nothing"))\n\(ins.output)", file: file, line: line)
                XCTAssertEqual(ins.status, 1, "\(a.name) inside ww\n\(ins.output)", file: file, line: line)
            case .killedBySIGSYS:
                XCTAssertNotEqual(out.status, 128 + SIGSYS, "\(a.name): killed by SIGSYS even outside ww\n\(out.output)", file: file, line: line)
                XCTAssertEqual(ins.status, 128 + SIGSYS, "\(a.name) inside ww must die of SIGSYS (outside: \(out.line ?? "nothing"))\n\(ins.output)", file: file, line: line)
                XCTAssertNil(ins.line, "\(a.name) inside ww returned from the syscall\n\(ins.output)", file: file, line: line)
            }
        }
    }

    // MARK: the attacks

    func testTerminalInjectionIsRefused() throws {
        try check(Self.terminal)
    }

    func testKeyringsBPFAndPerfAreRefused() throws {
        try check(Self.kernelSurface)
    }

    func testIoUringIsRefused() throws {
        try check(Self.ioUring)
    }

    func testSocketFamiliesOtherThanUnixInetNetlinkAreRefused() throws {
        try check(Self.socketFamilies)
    }

    func testNamespacesAndMountsAreRefusedWithoutNestedSandbox() throws {
        try check(Self.nesting)
    }

    func testClone3AndTheNewMountAPIAreUnavailable() throws {
        try check(Self.inspectionProof)
    }

    func testX32SyscallsKillTheProcess() throws {
        try check(Self.x32)
    }

    func testNestedSandboxProfileAllowsUserNamespaces() throws {
        // A launcher that runs its own sandbox (Steam's pressure-vessel) needs user namespaces inside ww.
        let profile = sb.root + "/nested-\(UUID().uuidString).toml"
        try """
            description = "attack test: the game runs its own sandbox"
            extends = "default"

            [namespaces]
            nested_sandbox = true

            """.write(toFile: profile, atomically: true, encoding: .utf8)
        chmod(profile, 0o644)
        let home = try sb.makeHome()
        for name in ["unshare-user", "clone-newuser", "int80-unshare"] {
            let r = try inside(name, home: home, profile: profile)
            XCTAssertEqual(r.line, "ok", "\(name) inside ww with nested_sandbox = true\n\(r.output)")
            XCTAssertEqual(r.status, 0, "\(name)\n\(r.output)")
        }
        // Only the namespace rules are lifted: the rest of the filter still applies.
        for (name, expected) in [("keyctl", Self.EPERM), ("fsopen", Self.ENOSYS), ("tiocsti", Self.EPERM), ("af_packet", Self.EAFNOSUPPORT)] {
            let r = try inside(name, home: home, profile: profile)
            XCTAssertEqual(r.line, expected.line, "\(name) inside ww with nested_sandbox = true\n\(r.output)")
        }
    }

    func testEveryAttackOfTheProgramIsChecked() throws {
        let r = try Sandbox.run(attackProgram, ["list"])
        XCTAssertEqual(r.status, 0, r.output)
        let listed = Set(r.stdout.split(separator: "\n").map(String.init))
        XCTAssertEqual(listed, Set(Self.all.map(\.name)), "Tests/attack/attack.c and this table disagree")
    }
}
