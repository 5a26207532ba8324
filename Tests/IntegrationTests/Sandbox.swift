import Foundation
import XCTest

/// Runs the real `ww` (and through it the real bwrap) as an unprivileged user with a fake home
/// full of planted secrets. As root, commands drop to the user `WW_TEST_USER` (default wwtest)
/// with setpriv, so user namespaces are exercised exactly as a player's session would.
final class Sandbox {
    static let shared = Sandbox()

    let root: String
    let wwBinary: String
    let profilesDir: String
    let user: String
    let uid: UInt32
    let gid: UInt32
    let isRoot = getuid() == 0

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    private init() {
        user = ProcessInfo.processInfo.environment["WW_TEST_USER"] ?? "wwtest"
        root = "/tmp/ww-it-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        // The folder (Wine prefixes, peers' files: gigabytes) goes when the test process ends;
        // WW_KEEP_TEST_ROOT=1 keeps it for a look after a failure.
        if ProcessInfo.processInfo.environment["WW_KEEP_TEST_ROOT"] == nil {
            atexit { _ = try? FileManager.default.removeItem(atPath: "/tmp/ww-it-\(getpid())") }
        }
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let built = ProcessInfo.processInfo.environment["WW_BIN"] ?? Sandbox.packageRoot + "/.build/debug/ww"
        precondition(FileManager.default.fileExists(atPath: built), "build ww first (swift build), or set WW_BIN")
        wwBinary = root + "/bin/ww"
        try! FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try! FileManager.default.copyItem(atPath: built, toPath: wwBinary)
        chmod(wwBinary, 0o755)
        profilesDir = root + "/profiles"
        try! FileManager.default.copyItem(atPath: Sandbox.packageRoot + "/profiles", toPath: profilesDir)
        _ = try? Sandbox.run("/bin/chmod", ["-R", "a+rX", root])
        if getuid() == 0 {
            guard let pw = getpwnam(user) else { fatalError("create the test user first: useradd -m \(user) (or set WW_TEST_USER)") }
            uid = pw.pointee.pw_uid
            gid = pw.pointee.pw_gid
        } else {
            uid = getuid()
            gid = getgid()
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// A fresh fake home owned by the test user, with the secrets a stealer looks for.
    func makeHome(_ name: String = UUID().uuidString) throws -> FakeHome {
        let home = FakeHome(path: "\(root)/homes/\(name)")
        try home.plant()
        chownTree(home.path)
        return home
    }

    func chownTree(_ path: String) {
        guard isRoot else { return }
        _ = try? Sandbox.run("/bin/chown", ["-R", "\(uid):\(gid)", path])
        // The user must be able to reach it.
        var dir = (path as NSString).deletingLastPathComponent
        while dir.hasPrefix(root) { chmod(dir, 0o755); dir = (dir as NSString).deletingLastPathComponent }
    }

    /// A folder under the harness root owned by the test user.
    func userFolder(_ name: String) throws -> String {
        let dir = root + "/\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chownTree(dir)
        return dir
    }

    /// A profile file in the harness root extending `default`, readable by the test user.
    func profile(_ body: String) throws -> String {
        let path = root + "/profile-\(UUID().uuidString).toml"
        try ("extends = \"default\"\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        return path
    }

    /// A folder with a program named like a blocked pattern (`ncat`, for `*nc*`): each run of it is a refused exec.
    func blockedProgram() throws -> String {
        let dir = try userFolder("blocked")
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: dir + "/ncat")
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
        return dir
    }

    /// `ww ARGS` as the test user, with a clean environment: HOME, PATH, the profile path, plus `env`.
    func ww(_ args: [String], home: FakeHome, env: [String: String] = [:], cwd: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        try asUser(wwBinary, args, env: wwEnvironment(home: home, env), cwd: cwd ?? home.path, timeout: timeout)
    }

    /// The environment `ww(...)` runs ww with.
    func wwEnvironment(home: FakeHome, _ env: [String: String] = [:]) -> [String: String] {
        var environment = ["HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "WW_PROFILE_PATH": profilesDir, "LANG": "C.UTF-8", "USER": user]
        for (k, v) in env { environment[k] = v }
        return environment
    }

    /// Runs a program as the test user (setpriv when we are root).
    func asUser(_ program: String, _ args: [String], env: [String: String], cwd: String, timeout: TimeInterval = 120) throws -> Result {
        let (launcher, argv) = userCommand(program, args, env: env)
        return try Sandbox.run(launcher, argv, cwd: cwd, timeout: timeout)
    }

    /// Starts a program as the test user in the background (stdio on /dev/null); the caller kills it.
    func backgroundAsUser(_ program: String, _ args: [String], env: [String: String]) throws -> Int32 {
        let (launcher, argv) = userCommand(program, args, env: env)
        return try NetworkTests.background(launcher, argv)
    }

    /// `env -i ENV… program args…`, through setpriv to the test user when we are root.
    func userCommand(_ program: String, _ args: [String], env: [String: String]) -> (String, [String]) {
        let envArgs = env.keys.sorted().map { "\($0)=\(env[$0]!)" }
        if isRoot {
            return ("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", "/usr/bin/env", "-i"] + envArgs + [program] + args)
        }
        return ("/usr/bin/env", ["-i"] + envArgs + [program] + args)
    }

    /// `PROBE <name> <OK|BLOCKED> <detail>` lines of the Windows probes, by name (Wine's console may
    /// end lines with \r\n).
    static func probeResults(_ output: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in output.split(whereSeparator: { $0.isNewline }) where line.hasPrefix("PROBE ") {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count >= 3 { out[String(parts[1])] = String(parts[2]) }
        }
        return out
    }

    @discardableResult
    static func run(_ program: String, _ args: [String], cwd: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read both pipes while the process runs so a chatty child never blocks.
        let outData = Collected(), errData = Collected()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outData.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        group.wait()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Result(status: status, stdout: String(decoding: outData.data, as: UTF8.self), stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

/// Bytes read by a background reader; the DispatchGroup wait orders the write before the read.
final class Collected: @unchecked Sendable {
    var data = Data()
}

/// A home folder with planted secrets and persistence targets whose content the tests compare after.
struct FakeHome {
    let path: String
    static let secretKey = "-----BEGIN OPENSSH PRIVATE KEY----- PLANTED-SECRET-KEY"
    static let cookies = "SQLite format 3 PLANTED-COOKIES"
    static let bashrc = "# PLANTED-BASHRC\n"

    var sshKey: String { path + "/.ssh/id_rsa" }
    var awsCredentials: String { path + "/.aws/credentials" }
    var cookiesFile: String { path + "/.mozilla/firefox/default.profile/cookies.sqlite" }
    var bashrcFile: String { path + "/.bashrc" }
    var autostart: String { path + "/.config/autostart" }

    func plant() throws {
        let fm = FileManager.default
        for dir in [".ssh", ".aws", ".mozilla/firefox/default.profile", ".config/autostart", ".local/share/keyrings", ".gnupg"] {
            try fm.createDirectory(atPath: path + "/" + dir, withIntermediateDirectories: true)
        }
        try FakeHome.secretKey.write(toFile: sshKey, atomically: true, encoding: .utf8)
        try FakeHome.cookies.write(toFile: cookiesFile, atomically: true, encoding: .utf8)
        try "[default]\naws_access_key_id = AKIAPLANTED\naws_secret_access_key = PLANTED-AWS-SECRET\n".write(toFile: awsCredentials, atomically: true, encoding: .utf8)
        try FakeHome.bashrc.write(toFile: bashrcFile, atomically: true, encoding: .utf8)
        try "PLANTED-KEYRING".write(toFile: path + "/.local/share/keyrings/login.keyring", atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// Content of every planted file, to prove nothing changed.
    func snapshot() -> [String: String] {
        var out: [String: String] = [:]
        for f in [sshKey, awsCredentials, cookiesFile, bashrcFile, path + "/.local/share/keyrings/login.keyring"] {
            out[f] = (try? String(contentsOfFile: f, encoding: .utf8)) ?? "<missing>"
        }
        out["autostart entries"] = ((try? FileManager.default.contentsOfDirectory(atPath: autostart)) ?? []).sorted().joined(separator: ",")
        return out
    }
}

/// Audit trails written by ww in the tests.
extension Sandbox {
    /// A log file the test user can create.
    func logPath() -> String {
        let dir = root + "/logs"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o777)
        return dir + "/\(UUID().uuidString).jsonl"
    }

    /// Every line parsed as a JSON object (fails the test on a line that does not parse).
    func events(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { XCTFail("no audit trail at \(path)", file: file, line: line); return [] }
        return text.split(separator: "\n").compactMap { l in
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(l.utf8))) as? [String: Any] else {
                XCTFail("audit trail line is not a JSON object: \(l)", file: file, line: line); return nil
            }
            return obj
        }
    }
}
