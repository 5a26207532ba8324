import Foundation
import XCTest

/// A real session bus for one test: dbus-daemon as the test user on a socket in a private runtime
/// folder, with `dbus-test-tool echo` services owning the given names.
struct TestBus {
    let sb: Sandbox
    let runtime: String
    var socket: String { runtime + "/bus" }
    var address: String { "unix:path=" + socket }
    private(set) var pids: [Int32] = []

    static func start(_ sb: Sandbox, names: [String], extraTools: [String] = []) throws -> TestBus {
        for tool in ["/usr/bin/dbus-daemon", "/usr/bin/dbus-send", "/usr/bin/dbus-test-tool"] + extraTools {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                throw Skip.unexpected("\(tool) is missing (apt-get install dbus-daemon dbus-bin dbus-tests xdg-dbus-proxy libnotify-bin)")
            }
        }
        let runtime = sb.root + "/run-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        chmod(runtime, 0o700)
        sb.chownTree(runtime)
        var bus = TestBus(sb: sb, runtime: runtime)
        bus.pids.append(try bus.background(["/usr/bin/dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=\(bus.address)"]))
        try wait { FileManager.default.fileExists(atPath: bus.socket) }
        for name in names { bus.pids.append(try bus.background(["/usr/bin/dbus-test-tool", "echo", "--name=\(name)"])) }
        // Every service owns its name before a test calls it.
        try wait { names.allSatisfy { (try? bus.call($0))?.status == 0 } }
        return bus
    }

    /// A program as the test user on this bus, in the background (stdout to `output` if given).
    mutating func startBackground(_ argv: [String], output: String? = nil) throws {
        pids.append(try background(argv, output: output))
    }

    func background(_ argv: [String], output: String? = nil) throws -> Int32 {
        var command = argv
        if let output { command = ["/bin/sh", "-c", "exec \"$@\" > \(output)", "sh"] + argv }
        return try sb.backgroundAsUser(command[0], Array(command.dropFirst()),
                                       env: ["DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": runtime, "PATH": "/usr/bin:/bin"])
    }

    /// `dbus-send` to NAME as the test user, outside any sandbox.
    func call(_ name: String) throws -> Sandbox.Result {
        try sb.asUser("/usr/bin/dbus-send", ["--session", "--print-reply", "--reply-timeout=5000", "--dest=\(name)", "/", "org.example.Test.Ping"],
                      env: ["DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": runtime, "PATH": "/usr/bin:/bin"], cwd: "/", timeout: 30)
    }

    func stop() {
        for pid in pids.reversed() { kill(pid, SIGTERM); var s: Int32 = 0; waitpid(pid, &s, 0) }
    }

    static func wait(_ what: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(20)
        while !what() {
            guard Date() < deadline else { throw Skip.unexpected("the test bus did not come up") }
            usleep(50_000)
        }
    }
}
