import Foundation
import XCTest

/// Landlock, the nested-sandbox exception, the process policy answered by seccomp notification, and
/// the JSON-lines audit trail: each tried for real as the unprivileged test user, with a control run
/// (outside ww, or with the layer off) that shows the same probe would have succeeded.
final class KernelLayerTests: XCTestCase {
    let sb = Sandbox.shared

    /// `Tests/probes/kprobe.c`, built once into `<root>/kprobe/` (the game's folder inside ww).
    static let kprobe: (path: String?, problem: String) = {
        let dir = Sandbox.shared.root + "/kprobe"
        let binary = dir + "/kprobe"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let r = try Sandbox.run("/usr/bin/env", ["cc", "-O1", "-Wall", "-o", binary, Sandbox.packageRoot + "/Tests/probes/kprobe.c"])
            guard r.status == 0 else { return (nil, r.output) }
            _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
            return (binary, "")
        } catch { return (nil, "\(error)") }
    }()

    func probe() throws -> String {
        guard let p = Self.kprobe.path else { throw Skip.unexpected("cannot build Tests/probes/kprobe.c (install gcc): \(Self.kprobe.problem)") }
        return p
    }

    // MARK: Landlock

    /// An abstract unix socket listening outside ww (as X11 or an old D-Bus would).
    func abstractListener() throws -> (name: String, fd: Int32) {
        let name = "ww-it-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw[0] = 0
            for (i, b) in bytes.enumerated() { raw[i + 1] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        XCTAssertEqual(rc, 0, "bind abstract socket")
        XCTAssertEqual(listen(fd, 16), 0)
        return (name, fd)
    }

    func testLandlockScopesAbstractUnixSocketsEvenWithTheNetworkShared() throws {
        let kprobe = try probe()
        let (name, fd) = try abstractListener()
        defer { close(fd) }
        let home = try sb.makeHome()
        let outside = try sb.asUser(kprobe, ["abstract", name], env: ["PATH": "/usr/bin:/bin"], cwd: sb.root)
        XCTAssertEqual(outside.stdout, "ok\n", "control: the user can reach the socket outside ww\n\(outside.output)")

        let log = sb.logPath()
        let inside = try sb.ww(["--network", "full", "--log", log, "--", kprobe, "abstract", name], home: home)
        XCTAssertEqual(inside.stdout, "refused errno=1 EPERM\n", inside.output)
        let status = sb.events(log).first { $0["kind"] as? String == "landlock_status" }
        XCTAssertEqual(status?["status"] as? String, "fully enforced", "\(status ?? [:])")
        XCTAssertEqual(status?["abi"] as? Int, Int(ProcessInfo.processInfo.environment["WW_EXPECT_LANDLOCK_ABI"] ?? "") ?? (status?["abi"] as? Int))

        let off = try sb.profile("[landlock]\nmode = \"off\"\n")
        let unscoped = try sb.ww(["--profile", off, "--network", "full", "--", kprobe, "abstract", name], home: home)
        XCTAssertEqual(unscoped.stdout, "ok\n", "landlock = off: the same probe connects\n\(unscoped.output)")
    }

    func testLandlockRefusesAWritableMountItsRulesDoNotCover() throws {
        let kprobe = try probe()
        let home = try sb.makeHome()
        // Outside every other writable mount of the sandbox, so only its own rule could grant writes.
        let dir = "/var/tmp/ww-it-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        sb.chownTree(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let granted = try sb.ww(["--rw", dir, "--", kprobe, "write", dir + "/a"], home: home)
        XCTAssertEqual(granted.stdout, "ok\n", "the rule that mirrors the mount lets the game write\n\(granted.output)")

        let omitted = try sb.ww(["--rw", dir, "--", kprobe, "write", dir + "/b"], home: home, env: ["WW_TEST_LANDLOCK_OMIT": dir])
        XCTAssertEqual(omitted.stdout, "refused errno=13 EACCES\n", "mounted read-write, but Landlock has no rule for it\n\(omitted.output)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/b"))

        let off = try sb.profile("[landlock]\nmode = \"off\"\n")
        let unguarded = try sb.ww(["--profile", off, "--rw", dir, "--", kprobe, "write", dir + "/c"], home: home, env: ["WW_TEST_LANDLOCK_OMIT": dir])
        XCTAssertEqual(unguarded.stdout, "ok\n", "landlock = off: only the mount decides\n\(unguarded.output)")
    }

    /// The refused calls are answered through the game's notification filter; a process outside it that
    /// the game could ptrace would run them unrecorded. Inside the sandbox the only such process is pid 1,
    /// the inner helper (no bwrap init: `--as-pid-1`), and it is not dumpable: even with Landlock off
    /// (which would otherwise forbid ptrace out of its domain) the game cannot attach to it.
    func testTheGameCannotPtraceAnythingOutsideItsFilterEvenWithoutLandlock() throws {
        let kprobe = try probe()
        let home = try sb.makeHome()
        let off = try sb.profile("[landlock]\nmode = \"off\"\n")
        let own = try sb.ww(["--profile", off, "--", kprobe, "ptrace", "0"], home: home)
        XCTAssertEqual(own.stdout, "ok\n", "ptrace of its own child works (Wine needs it), so a refusal below is specific\n\(own.output)")
        let initName = try sb.ww(["--profile", off, "--", "/bin/cat", "/proc/1/comm"], home: home)
        XCTAssertEqual(initName.stdout, "ww\n", "pid 1 is the inner helper\n\(initName.output)")
        let helper = try sb.ww(["--profile", off, "--", kprobe, "ptrace", "1"], home: home)
        XCTAssertEqual(helper.stdout, "refused errno=1 EPERM\n", helper.output)
    }

    func testANestedBwrapRunsWithNestedSandbox() throws {
        let home = try sb.makeHome()
        let inner = ["bwrap", "--unshare-user", "--unshare-pid", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib64", "/lib64",
                     "--symlink", "usr/lib", "/lib", "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
                     "--", "/bin/sh", "-c", "echo nested pid=$$"]
        let nested = try sb.profile("[namespaces]\nnested_sandbox = true\n")
        let r = try sb.ww(["--profile", nested, "--"] + inner, home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout, "nested pid=2\n", r.output)
        // Without it, the same command cannot make its namespaces.
        let refused = try sb.ww(["--"] + inner, home: home)
        XCTAssertNotEqual(refused.status, 0, refused.output)
        XCTAssertFalse(refused.stdout.contains("nested"), refused.output)
    }

    // MARK: process policy

    func testABlockedPatternIsRefusedAndRecorded() throws {
        let home = try sb.makeHome()
        // A harmless program whose name matches *nc*.
        let dir = sb.root + "/blocked-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: dir + "/ncat")
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
        let blocked = try sb.profile("[process]\nblocked_patterns = [\"*nc*\"]\n")
        let log = sb.logPath()
        let r = try sb.ww(["--profile", blocked, "--ro", dir, "--log", log, "--", "/bin/sh", "-c", "\(dir)/ncat; echo status=$?"], home: home)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("status=126"), "the shell saw its exec refused\n\(r.output)")
        let refused = sb.events(log).filter { $0["kind"] as? String == "exec_refused" }
        XCTAssertEqual(refused.count, 1, "\(refused)")
        let e = refused.first ?? [:]
        XCTAssertEqual(e["path"] as? String, dir + "/ncat")
        XCTAssertEqual(e["reason"] as? String, "matches blocked pattern \"*nc*\"")
        XCTAssertNotNil(e["pid"] as? Int)
        let chain = (e["chain"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        XCTAssertEqual(chain.first, "sh", "parent chain starts with the caller: \(e)")
        XCTAssertTrue(r.stderr.contains("1 refused (exec 1)"), "summary line\n\(r.stderr)")

        // The same command with the default profile runs it (the test can fail).
        let control = try sb.ww(["--ro", dir, "--", "/bin/sh", "-c", "\(dir)/ncat; echo status=$?"], home: home)
        XCTAssertTrue(control.stdout.contains("status=0"), control.output)
    }

    func testTheLaunchCommandItselfCanBeBlocked() throws {
        let home = try sb.makeHome()
        let blocked = try sb.profile("[process]\nblocked_patterns = [\"true\"]\n")
        let r = try sb.ww(["--profile", blocked, "--", "true"], home: home)
        XCTAssertEqual(r.status, 126, r.output)
        XCTAssertTrue(r.stderr.contains("[process] policy refuses it"), r.output)
    }

    func testTheFiftyFirstLiveChildFails() throws {
        let kprobe = try probe()
        let home = try sb.makeHome()
        let limited = try sb.profile("[process]\nmax_child_processes = 50\n")
        let log = sb.logPath()
        let r = try sb.ww(["--profile", limited, "--log", log, "--", kprobe, "forks", "60"], home: home)
        XCTAssertEqual(r.stdout, "started 50 then errno=EAGAIN\n", r.output)
        let refused = sb.events(log).filter { $0["kind"] as? String == "process_refused" }
        XCTAssertEqual(refused.count, 1, "\(refused)")
        XCTAssertEqual(refused.first?["live"] as? Int, 50)
        // No limit set: all 60 start.
        let control = try sb.ww(["--", kprobe, "forks", "60"], home: home)
        XCTAssertEqual(control.stdout, "started 60\n", control.output)
    }

    func testMalformedArgvIsRefusedAndTheSupervisorCarriesOn() throws {
        let kprobe = try probe()
        let home = try sb.makeHome()
        let outside = try sb.asUser(kprobe, ["exec-bad-argv", "/bin/true"], env: ["PATH": "/usr/bin:/bin"], cwd: sb.root)
        XCTAssertEqual(outside.stdout, "refused errno=14 EFAULT\n", outside.output)
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--ro", (kprobe as NSString).deletingLastPathComponent, "--", "/bin/sh", "-c", "\(kprobe) exec-bad-argv /bin/true; echo after; /bin/true && echo still-running"], home: home)
        XCTAssertEqual(r.stdout, "refused errno=1 EPERM\nafter\nstill-running\n", r.output)
        let refused = sb.events(log).filter { $0["kind"] as? String == "exec_refused" }
        XCTAssertEqual(refused.count, 1)
        XCTAssertTrue((refused.first?["reason"] as? String ?? "").hasPrefix("unreadable exec request: argv"), "\(refused)")
    }

    func testThirtyTwoBitSocketcallStillMakesOrdinarySockets() throws {
        // 32-bit glibc creates sockets through socketcall; the family rules must not cut it off them.
        let kprobe = try probe()
        let home = try sb.makeHome()
        for family in ["2", "1", "10"] {
            let r = try sb.ww(["--", kprobe, "socketcall", family], home: home)
            XCTAssertEqual(r.stdout, "ok\n", "socketcall(SYS_SOCKET, family \(family))\n\(r.output)")
        }
    }

    // MARK: Windows programs

    static let spawn: (path: String?, problem: String) = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wine") else { return (nil, "wine is not installed") }
        let dir = Sandbox.shared.root + "/spawn"
        let exe = dir + "/spawn.exe"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let r = try Sandbox.run("/usr/bin/env", ["x86_64-w64-mingw32-gcc", "-O1", "-o", exe, Sandbox.packageRoot + "/Tests/probes/spawn.c"])
            guard r.status == 0 else { return (nil, r.output) }
            _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
            return (exe, "")
        } catch { return (nil, "\(error)") }
    }()

    func testCmdStartedByAWindowsProgramIsRefusedUnlessShellsAreAllowed() throws {
        guard let exe = Self.spawn.path else { throw Skip.unexpected("cannot build the Windows probe: \(Self.spawn.problem)") }
        let home = try sb.makeHome()
        let log = sb.logPath()
        let refused = try sb.ww(["--log", log, "--", "wine", exe, "cmd.exe /c echo from-cmd"], home: home, timeout: 240)
        XCTAssertTrue(refused.stdout.contains("SPAWN refused"), refused.output)
        XCTAssertFalse(refused.stdout.contains("from-cmd"), refused.output)
        let e = sb.events(log).first { $0["kind"] as? String == "exec_refused" } ?? [:]
        XCTAssertEqual(e["windows_program"] as? String, "cmd.exe", "\(e)")
        XCTAssertEqual(e["caller"] as? String, "spawn.exe", "\(e)")
        XCTAssertEqual(e["shell"] as? Bool, true)

        // Another player's home: in this one the refusals above made the game red, and red refuses
        // shells whatever the profile says (StoreTests covers the tiers).
        let allowed = try sb.profile("[process]\nallow_shell_execution = true\n")
        let ran = try sb.ww(["--profile", allowed, "--", "wine", exe, "cmd.exe /c echo from-cmd"], home: try sb.makeHome(), timeout: 240)
        XCTAssertTrue(ran.stdout.contains("from-cmd"), ran.output)
        XCTAssertTrue(ran.stdout.contains("SPAWN ok exit=0"), ran.output)
    }

    // MARK: the trail

    func testRefusedKernelCallsAreInTheTrailWithTheirProcess() throws {
        guard let attack = SeccompAttackTests.built.path else { throw Skip.unexpected("attack program not built") }
        let home = try sb.makeHome()
        let log = sb.logPath()
        let names = ["keyctl", "int80-keyctl", "tiocsti-high", "unshare-user", "bpf", "perf"]
        let script = names.map { "\(attack) \($0)" }.joined(separator: "; ")
        let r = try sb.ww(["--log", log, "--ro", (attack as NSString).deletingLastPathComponent, "--", "/bin/sh", "-c", script], home: home)
        XCTAssertEqual(r.stdout.components(separatedBy: "refused errno=1 EPERM").count - 1, names.count, r.output)
        let refused = sb.events(log).filter { $0["kind"] as? String == "syscall_refused" }
        let calls = refused.map { "\($0["syscall"] as? String ?? "?")/\($0["arch"] as? String ?? "?")" }
        XCTAssertEqual(Set(calls), ["keyctl/x86_64", "keyctl/i386", "ioctl/x86_64", "unshare/x86_64", "bpf/x86_64", "perf_event_open/x86_64"], "\(refused)")
        for e in refused {
            XCTAssertNotNil(e["pid"] as? Int, "\(e)")
            let chain = (e["chain"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            XCTAssertTrue(chain.contains("attack") && chain.last == "sh", "chain up to the launch command: \(e)")
            XCTAssertFalse((e["reason"] as? String ?? "").isEmpty)
        }
        XCTAssertTrue(r.stderr.contains("syscall"), "summary counts them\n\(r.stderr)")
    }

    func testTheTrailRecordsWhatWasEnforcedLineByLine() throws {
        let home = try sb.makeHome()
        let log = sb.logPath()
        let r = try sb.ww(["--log", log, "--quiet", "--", "/bin/sh", "-c", "exit 3"], home: home)
        XCTAssertEqual(r.status, 3, r.output)
        XCTAssertEqual(r.stderr, "", "--quiet prints nothing")
        // file_watch_status comes from the file watcher's own thread, whenever its walk is done.
        let everything = sb.events(log)
        XCTAssertEqual(everything.filter { $0["kind"] as? String == "file_watch_status" }.count, 1)
        let all = everything.filter { $0["kind"] as? String != "file_watch_status" }
        XCTAssertEqual(all.map { $0["kind"] as? String ?? "?" },
                       ["policy_applied", "seccomp_status", "landlock_status", "seccomp_status", "exec_allowed", "process_exit", "session_end"])
        let session = all.first?["session"] as? String
        for e in all {
            XCTAssertEqual(e["session"] as? String, session)
            XCTAssertNotNil(e["game"] as? String)
            XCTAssertGreaterThan((e["ts_ns"] as? NSNumber)?.uint64Value ?? 0, 1_700_000_000_000_000_000)
        }
        XCTAssertEqual(all.last?["exit_status"] as? Int, 3)
        XCTAssertEqual(all[5]["exit_status"] as? Int, 3, "the game's process_exit")
        XCTAssertEqual(all[5]["pid"] as? Int, all[4]["pid"] as? Int, "the game's pid as ww sees it")
        XCTAssertEqual(all[3]["installed"] as? Bool, true)
        // Without --log the trail goes to the state folder, and the summary names it.
        let plain = try sb.ww(["--", "true"], home: home)
        XCTAssertTrue(plain.stderr.contains("audit trail \(home.path)/.local/state/winewarden/logs/"), plain.output)
    }
}
