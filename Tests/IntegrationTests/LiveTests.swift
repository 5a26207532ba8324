import Foundation
import Glibc
import XCTest

/// The live feed and `ww monitor` with real sessions as the test user: a late reader gets the
/// session so far and then each event; the sandbox cannot see the feed; the monitor under tmux.
final class LiveTests: XCTestCase {
    let sb = Sandbox.shared

    /// A runtime folder of the test user's own (XDG_RUNTIME_DIR), so other tests' sessions stay out.
    func runtimeFolder() throws -> String {
        let dir = try sb.userFolder("run")
        chmod(dir, 0o700)
        return dir
    }

    func waitFor(_ what: String, seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(100_000)
        }
        XCTFail("waited \(seconds) s for \(what)")
        return false
    }

    func feeds(_ runtime: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: runtime + "/winewarden")) ?? [])
            .filter { FileManager.default.fileExists(atPath: runtime + "/winewarden/\($0)/feed.sock") }
    }

    func testALateReaderGetsTheSessionSoFarThenEveryEventOnceAndTheSandboxCannotSeeTheFeed() throws {
        let home = try sb.makeHome()
        let runtime = try runtimeFolder()
        let dir = try sb.blockedProgram()
        let blocked = try sb.profile("[process]\nblocked_patterns = [\"*nc*\"]\n")
        var env = sb.wwEnvironment(home: home, ["XDG_RUNTIME_DIR": runtime])
        let log = sb.logPath()
        let game = try sb.backgroundAsUser(sb.wwBinary, ["--profile", blocked, "--ro", dir, "--log", log, "--", "/bin/sh", "-c",
                                                          "\(dir)/ncat; sleep 4; \(dir)/ncat; sleep 2; \(dir)/ncat"], env: env)
        defer { kill(game, SIGKILL); var st: Int32 = 0; waitpid(game, &st, 0) }
        guard waitFor("the feed socket", { feeds(runtime).count == 1 }) else { return }
        let session = feeds(runtime)[0]
        let socket = runtime + "/winewarden/\(session)/feed.sock"
        var st = stat()
        XCTAssertEqual(stat(runtime + "/winewarden/\(session)", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o700, "the session folder is private")
        XCTAssertEqual(stat(socket, &st), 0)
        XCTAssertEqual(st.st_mode & 0o077, 0, "the socket is the user's only")

        // Inside another sandbox of the same user: the runtime folder is empty and the socket unreachable.
        let probe = "ls -A \"$XDG_RUNTIME_DIR\"; ls -d /tmp/winewarden-* 2>/dev/null; " +
            "python3 -c 'import socket,sys\ns = socket.socket(socket.AF_UNIX)\ntry:\n  s.connect(sys.argv[1]); print(\"CONNECTED\")\nexcept OSError as e: print(\"REFUSED\", e.errno)' \(socket); echo end"
        let inside = try sb.ww(["--", "/bin/sh", "-c", probe], home: home, env: ["XDG_RUNTIME_DIR": runtime])
        XCTAssertEqual(inside.status, 0, inside.output)
        XCTAssertTrue(inside.stdout.hasPrefix("REFUSED 2\nend"), "nothing listed, no socket inside\n\(inside.output)")

        // Another user (root here) is refused by SO_PEERCRED: the server closes without a byte.
        if sb.isRoot {
            let fd = socket_unix_connect(socket)
            XCTAssertGreaterThanOrEqual(fd, 0)
            var byte: UInt8 = 0
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            XCTAssertEqual(read(fd, &byte, 1), 0, "closed at once, nothing sent")
            close(fd)
        }

        // A reader that joins late: the database's part, then the feed's, each line once, in order.
        env["WW_PROFILE_PATH"] = sb.profilesDir
        let follow = try sb.ww(["events", "--follow", "--session", session, "--json"], home: home, env: ["XDG_RUNTIME_DIR": runtime], timeout: 60)
        XCTAssertEqual(follow.status, 0, follow.output)
        let trail = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(follow.stdout.split(separator: "\n").map(String.init), trail, "every line of the session, once, in order")
        XCTAssertEqual(trail.filter { $0.contains("\"exec_refused\"") }.count, 3)
        XCTAssertTrue(trail.last?.contains("\"session_end\"") ?? false)
        XCTAssertTrue(waitFor("the session folder to go", { feeds(runtime).isEmpty }), "the socket is removed at exit")
    }

    // MARK: ww monitor under tmux

    final class Tmux {
        let socket: String
        init() { socket = "ww-test-\(getpid())-\(UUID().uuidString.prefix(6))" }
        @discardableResult
        func run(_ args: [String]) -> String { ((try? Sandbox.run("/usr/bin/tmux", ["-L", socket] + args))?.stdout) ?? "" }
        /// Foundation learns that a child ended when every copy of a descriptor it gave the child is closed:
        /// the server tmux forks would keep one open forever, so it starts with descriptors 0-2 only.
        func start(_ args: [String]) {
            let closeAll = "import os, sys\nn = os.open('/dev/null', os.O_RDWR)\nfor fd in (0, 1, 2): os.dup2(n, fd)\nos.closerange(3, 65536)\nos.execv(sys.argv[1], sys.argv[1:])"
            _ = try? Sandbox.run("/usr/bin/python3", ["-c", closeAll, "/usr/bin/tmux", "-L", socket] + args)
        }
        func screen(_ pane: String) -> String { run(["capture-pane", "-p", "-t", pane]) }
        func keys(_ pane: String, _ keys: String...) { run(["send-keys", "-t", pane] + keys) }
        deinit { _ = try? Sandbox.run("/usr/bin/tmux", ["-L", socket, "kill-server"]) }
    }

    /// The monitor's command line in a tmux pane: after it exits, the pane shows its status and
    /// whether the terminal is back in canonical mode with echo.
    func monitorPane(_ tmux: Tmux, name: String, home: FakeHome, runtime: String, extra: [String: String] = [:], width: Int = 100, height: Int = 30) {
        var env = sb.wwEnvironment(home: home, ["XDG_RUNTIME_DIR": runtime, "TERM": "screen"])
        for (k, v) in extra { env[k] = v }
        let (launcher, argv) = sb.userCommand(sb.wwBinary, ["monitor"], env: env)
        let command = ([launcher] + argv).map { "'\($0)'" }.joined(separator: " ")
            + "; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 600"
        tmux.start(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), command])
    }

    func testTheMonitorShowsARunningSessionOnFiveScreensFiltersResizesAndRestoresTheTerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else { throw Skip.unexpected("tmux is not installed (make deps)") }
        let home = try sb.makeHome()
        let runtime = try runtimeFolder()
        let dir = try sb.blockedProgram()
        let p = try sb.profile("[network]\nmode = \"observe\"\ndeny_destinations = [\"*:9\"]\n[process]\nblocked_patterns = [\"*nc*\"]\n")
        // A finished session first: the Trust screen has history from the database.
        let first = try sb.ww(["--profile", p, "--ro", dir, "--", "/bin/sh", "-c", "\(dir)/ncat; true"], home: home, env: ["XDG_RUNTIME_DIR": runtime])
        XCTAssertEqual(first.status, 0, first.output)
        // The running one: a denied and an allowed connection, a refused program, a DLL written.
        let script = "python3 -c 'import socket\nfor port in (9, 7):\n  s = socket.socket(); s.settimeout(1)\n  try: s.connect((\"127.0.0.1\", port))\n  except OSError: pass\n  s.close()'; "
            + "\(dir)/ncat; echo x > \"$HOME/evil.dll\"; sleep 60"
        let env = sb.wwEnvironment(home: home, ["XDG_RUNTIME_DIR": runtime])
        let game = try sb.backgroundAsUser(sb.wwBinary, ["--profile", p, "--ro", dir, "--", "/bin/sh", "-c", script], env: env)
        defer { kill(game, SIGTERM); var st: Int32 = 0; waitpid(game, &st, 0) }
        guard waitFor("the feed socket", { feeds(runtime).count == 1 }) else { return }
        let session = String(feeds(runtime)[0].prefix(8))

        let tmux = Tmux()
        monitorPane(tmux, name: "m", home: home, runtime: runtime)
        func shows(_ text: String, _ what: String) -> Bool {
            waitFor("\(what): \(text)", seconds: 15) { tmux.screen("m").contains(text) }
        }
        // 1 Dashboard: the running session with its refusals (x programs, n network, f files).
        XCTAssertTrue(shows("1 running", "the dashboard"))
        XCTAssertTrue(shows("x1 n1 s0 f1", "the dashboard's refusals"), tmux.screen("m"))
        XCTAssertTrue(tmux.screen("m").contains(session), tmux.screen("m"))
        // 2 Trust: the finished session's score and why.
        tmux.keys("m", "2")
        XCTAssertTrue(shows("refused program", "the trust screen"), tmux.screen("m"))
        XCTAssertTrue(tmux.screen("m").contains("SCORE"))
        // 3 Network: both destinations, the denied one counted.
        tmux.keys("m", "3")
        XCTAssertTrue(shows("127.0.0.1:9", "the network screen"), tmux.screen("m"))
        XCTAssertTrue(tmux.screen("m").contains("127.0.0.1:7"), tmux.screen("m"))
        // 4 Processes: the tree with the refused program under its parent.
        tmux.keys("m", "4")
        XCTAssertTrue(shows("refused: \(dir)/ncat", "the process screen"), tmux.screen("m"))
        XCTAssertTrue(tmux.screen("m").contains("python3"), tmux.screen("m"))
        // 5 Events, then a filter.
        tmux.keys("m", "Tab")
        XCTAssertTrue(shows("file_written", "the events screen"), tmux.screen("m"))
        tmux.keys("m", "/", "net_denied", "Enter")
        XCTAssertTrue(shows("filter: net_denied  (1 of", "the filter"), tmux.screen("m"))
        XCTAssertFalse(tmux.screen("m").contains("exec_refused"), tmux.screen("m"))
        tmux.keys("m", "Enter")
        XCTAssertTrue(shows("deny_destinations *:9", "the event's details"), tmux.screen("m"))
        tmux.keys("m", "Escape")
        tmux.keys("m", "?")
        XCTAssertTrue(shows("Tab / Shift-Tab", "the keys"), tmux.screen("m"))
        tmux.keys("m", "1")
        // Resized to 40×10 and smaller, then back.
        tmux.run(["resize-window", "-t", "m", "-x", "40", "-y", "10"])
        XCTAssertTrue(shows("1 Dashboard", "the dashboard at 40×10"), tmux.screen("m"))
        XCTAssertTrue(tmux.screen("m").contains("REF"), tmux.screen("m"))
        tmux.run(["resize-window", "-t", "m", "-x", "30", "-y", "8"])
        XCTAssertTrue(shows("needs 40×10", "the size message"), tmux.screen("m"))
        tmux.run(["resize-window", "-t", "m", "-x", "100", "-y", "30"])
        XCTAssertTrue(shows("2 Trust  3 Network", "the full width again"), tmux.screen("m"))
        // q: the terminal is back (canonical mode, echo), the status 0.
        tmux.keys("m", "q")
        XCTAssertTrue(shows("EXIT=0", "the monitor's exit"), tmux.screen("m"))
        XCTAssertTrue(shows("icanon echo", "the terminal restored"), tmux.screen("m"))
    }

    func testCtrlCSigtermAndACrashRestoreTheTerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else { throw Skip.unexpected("tmux is not installed (make deps)") }
        let home = try sb.makeHome()
        let runtime = try runtimeFolder()
        let tmux = Tmux()
        func settled(_ pane: String, _ text: String) -> Bool { waitFor(text, seconds: 15) { tmux.screen(pane).contains(text) } }

        monitorPane(tmux, name: "c", home: home, runtime: runtime)
        XCTAssertTrue(settled("c", "no session running"))
        tmux.keys("c", "C-c")
        XCTAssertTrue(settled("c", "EXIT=130"), tmux.screen("c"))
        XCTAssertTrue(settled("c", "icanon echo"), tmux.screen("c"))

        monitorPane(tmux, name: "t", home: home, runtime: runtime)
        XCTAssertTrue(settled("t", "no session running"))
        let pids = try Sandbox.run("/usr/bin/pgrep", ["-u", String(sb.uid), "-f", "\(sb.wwBinary) monitor"]).stdout
        for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGTERM) }
        XCTAssertTrue(settled("t", "EXIT=143"), tmux.screen("t"))
        XCTAssertTrue(settled("t", "icanon echo"), tmux.screen("t"))

        // A terminal type ncurses does not know: one sentence with the fix, 125, the terminal untouched.
        monitorPane(tmux, name: "u", home: home, runtime: runtime, extra: ["TERM": "no-such-terminal"])
        XCTAssertTrue(settled("u", "EXIT=125"), tmux.screen("u"))
        XCTAssertTrue(tmux.screen("u").replacingOccurrences(of: "\n", with: "").contains("TERM=no-such-terminal is unknown to ncurses"), tmux.screen("u"))
        XCTAssertTrue(settled("u", "icanon echo"), tmux.screen("u"))
        // Not a terminal at all.
        let piped = try sb.ww(["monitor"], home: home, env: ["XDG_RUNTIME_DIR": runtime])
        XCTAssertEqual(piped.status, 125, piped.output)
        XCTAssertTrue(piped.stderr.contains("needs a terminal"), piped.output)

        // A crash after the first frame: a fault (SIGSEGV) and an abort (SIGABRT, what a Swift trap
        // such as a failed precondition ends in) sent to the running monitor.
        for (name, signal) in [("x", SIGSEGV), ("y", SIGABRT)] {
            monitorPane(tmux, name: name, home: home, runtime: runtime)
            XCTAssertTrue(settled(name, "no session running"), tmux.screen(name))
            let running = try Sandbox.run("/usr/bin/pgrep", ["-u", String(sb.uid), "-f", "\(sb.wwBinary) monitor"]).stdout
            for pid in running.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, signal) }
            XCTAssertTrue(settled(name, "EXIT="), tmux.screen(name))
            XCTAssertTrue(settled(name, "echo"), tmux.screen(name))
            let screen = tmux.screen(name)
            let status = screen.components(separatedBy: "EXIT=").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            XCTAssertEqual(status, 128 + Int(signal), "died of the signal\n\(screen)")
            XCTAssertTrue(screen.contains("icanon echo"), screen)
        }
    }
}

/// connect(2) to a unix socket path (the test process's own, as root here).
func socket_unix_connect(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in
        let bytes = Array(path.utf8.prefix(raw.count - 1))
        raw.copyBytes(from: bytes + [0])
    }
    let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    if r != 0 { close(fd); return -1 }
    return fd
}
