import Foundation
import XCTest

/// The process policy decides on what the kernel runs, not on the name typed: with
/// `blocked_patterns = ["nc", "*netcat*"]`, a symlink to `nc`, `execve("/proc/self/fd/N")` on it, a
/// `#!` script naming it (also through a second script), the dynamic loader given it, and a memfd or
/// deleted copy of any program are each refused with an `exec_refused` event naming the file that would have run.
/// Each refusal has a control in the same sandbox: the same way of starting a program that is not
/// blocked works, so the refusal is about the file, not the mechanism. All as the unprivileged test
/// user against the real bwrap, with `Tests/probes/execprobe.c`.
final class ExecIdentityTests: XCTestCase {
    let sb = Sandbox.shared

    /// The game's folder: the probe, `nc` (a copy of /bin/echo, so a run that gets through prints its
    /// arguments) and `okecho` (the same program under a name no rule matches), links and scripts.
    struct Game {
        let dir: String
        var probe: String { dir + "/execprobe" }
        var nc: String { dir + "/nc" }
        var ok: String { dir + "/okecho" }
    }

    static let built: (game: Game?, problem: String) = {
        do {
            let dir = try Sandbox.shared.userFolder("execid")
            let r = try Sandbox.run("/usr/bin/env", ["cc", "-O1", "-Wall", "-o", dir + "/execprobe", Sandbox.packageRoot + "/Tests/probes/execprobe.c"])
            guard r.status == 0 else { return (nil, r.output) }
            let fm = FileManager.default
            try fm.copyItem(atPath: "/bin/echo", toPath: dir + "/nc")
            try fm.copyItem(atPath: "/bin/echo", toPath: dir + "/okecho")
            try fm.createSymbolicLink(atPath: dir + "/x", withDestinationPath: "nc")
            try fm.createSymbolicLink(atPath: dir + "/y", withDestinationPath: "okecho")
            // A chain of links, one absolute, through a directory link.
            try fm.createSymbolicLink(atPath: dir + "/here", withDestinationPath: dir)
            try fm.createSymbolicLink(atPath: dir + "/z", withDestinationPath: dir + "/here/./x")
            for (name, text) in [("run", "#!\(dir)/nc -n\n"), ("runok", "#!\(dir)/okecho -n\n"), ("nested", "#!\(dir)/run\n"),
                                 ("spaced", "#!  \(dir)/x   \n")] {
                try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
                chmod(dir + "/" + name, 0o755)
            }
            // The i386 loader's name on a copy of the native one (this host has no i386 libc).
            try fm.copyItem(atPath: "/lib64/ld-linux-x86-64.so.2", toPath: dir + "/ld-linux.so.2")
            _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
            return (Game(dir: dir), "")
        } catch { return (nil, "\(error)") }
    }()

    func game() throws -> Game {
        guard let g = Self.built.game else { throw Skip.unexpected("cannot build Tests/probes/execprobe.c (install gcc): \(Self.built.problem)") }
        return g
    }

    func blocking(_ extra: String = "") throws -> String {
        try sb.profile("[process]\nblocked_patterns = [\"nc\", \"*netcat*\"]\n" + extra)
    }

    /// Runs the probe in ww; returns its output and the trail's exec_refused events.
    func run(_ g: Game, _ args: [String], profile: String) throws -> (Sandbox.Result, [[String: Any]]) {
        let home = try sb.makeHome()
        let log = sb.logPath()
        let r = try sb.ww(["--profile", profile, "--log", log, "--", g.probe] + args, home: home)
        return (r, sb.events(log).filter { $0["kind"] as? String == "exec_refused" })
    }

    func assertRefused(_ g: Game, _ args: [String], resolved: String?, reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (r, refused) = try run(g, args, profile: try blocking())
        XCTAssertEqual(r.stdout, "refused errno=1 EPERM\n", "\(args)\n\(r.output)", file: file, line: line)
        XCTAssertEqual(refused.count, 1, "\(refused)", file: file, line: line)
        let event = refused.first ?? [:]
        if let resolved { XCTAssertEqual(event["resolved"] as? String, resolved, "\(event)", file: file, line: line) }
        XCTAssertTrue((event["reason"] as? String ?? "").contains(reason), "\(event)", file: file, line: line)
    }

    func assertRuns(_ g: Game, _ args: [String], profile: String? = nil, prints: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (r, refused) = try run(g, args, profile: try profile ?? blocking())
        XCTAssertEqual(r.stdout, prints, "control: \(args)\n\(r.output)", file: file, line: line)
        XCTAssertEqual(refused.count, 0, "\(refused)", file: file, line: line)
    }

    func testASymlinkToABlockedProgramIsRefused() throws {
        let g = try game()
        try assertRefused(g, ["exec", g.dir + "/x", "ran"], resolved: g.nc, reason: "matches blocked pattern \"nc\"")
        try assertRefused(g, ["exec", g.dir + "/z", "ran"], resolved: g.nc, reason: "what the path resolves to")
        try assertRuns(g, ["exec", g.dir + "/y", "ran"], prints: "ran\n")
    }

    func testExecOfProcSelfFdIsTheFileOpenOnIt() throws {
        let g = try game()
        try assertRefused(g, ["fd", g.nc, "ran"], resolved: g.nc, reason: "matches blocked pattern \"nc\"")
        try assertRefused(g, ["fd", g.dir + "/x", "ran"], resolved: g.nc, reason: "matches blocked pattern \"nc\"")
        try assertRuns(g, ["fd", g.ok, "ran"], prints: "ran\n")
    }

    func testAScriptWhoseInterpreterIsBlockedIsRefusedAlsoNested() throws {
        let g = try game()
        try assertRefused(g, ["exec", g.dir + "/run", "ran"], resolved: nil, reason: "\(g.nc) (a #! interpreter) matches blocked pattern \"nc\"")
        try assertRefused(g, ["exec", g.dir + "/nested", "ran"], resolved: nil, reason: "\(g.nc) (a #! interpreter)")
        try assertRefused(g, ["exec", g.dir + "/spaced", "ran"], resolved: nil, reason: "\(g.nc) (a #! interpreter)")
        // The kernel's argv for `#!okecho -n`: okecho -n SCRIPT ran.
        try assertRuns(g, ["exec", g.dir + "/runok", "ran"], prints: "\(g.dir)/runok ran")
    }

    func testTheDynamicLoaderRunDirectlyHasItsProgramChecked() throws {
        let g = try game()
        let loader = "/lib64/ld-linux-x86-64.so.2"
        let why = "\(g.nc) (the program given to the dynamic loader) matches blocked pattern \"nc\""
        try assertRefused(g, ["exec", loader, g.nc, "ran"], resolved: nil, reason: why)
        try assertRefused(g, ["exec", loader, "--argv0", "innocent", "--inhibit-cache", g.nc, "ran"], resolved: nil, reason: why)
        try assertRefused(g, ["exec", loader, "--library-path=/usr/lib", g.dir + "/x", "ran"], resolved: nil, reason: why)
        try assertRefused(g, ["exec", g.dir + "/ld-linux.so.2", g.nc, "ran"], resolved: nil, reason: why)
        try assertRuns(g, ["exec", loader, "--argv0", "innocent", g.ok, "ran"], prints: "ran\n")
    }

    func testAProgramWithNoPathIsRefusedUnlessTheProfileAllowsIt() throws {
        let g = try game()
        let (r, refused) = try run(g, ["memfd", g.ok, "ran"], profile: try blocking())
        XCTAssertEqual(r.stdout, "refused errno=1 EPERM\n", r.output)
        XCTAssertEqual(refused.count, 1, "\(refused)")
        XCTAssertEqual(refused.first?["anonymous"] as? Bool, true, "\(refused)")
        XCTAssertTrue((refused.first?["reason"] as? String ?? "").contains("allow_anonymous_exec = false"), "\(refused)")
        XCTAssertTrue((refused.first?["resolved"] as? String ?? "").hasPrefix("/memfd:probe"), "\(refused)")

        let (deleted, refusedDeleted) = try run(g, ["deleted", g.ok, "ran"], profile: try blocking())
        XCTAssertEqual(deleted.stdout, "refused errno=1 EPERM\n", deleted.output)
        XCTAssertEqual(refusedDeleted.first?["anonymous"] as? Bool, true, "\(refusedDeleted)")
        XCTAssertEqual(refusedDeleted.first?["resolved"] as? String, "/tmp/execprobe-deleted (deleted)", "\(refusedDeleted)")

        let allowing = try blocking("allow_anonymous_exec = true\n")
        try assertRuns(g, ["memfd", g.ok, "ran"], profile: allowing, prints: "ran\n")
        try assertRuns(g, ["deleted", g.ok, "ran"], profile: allowing, prints: "ran\n")
        // What the key gives up: a memfd copy of a blocked program has no name to match.
        try assertRuns(g, ["memfd", g.nc, "ran"], profile: allowing, prints: "ran\n")
    }
}
