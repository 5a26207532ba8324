// Runs the built `ww features` on this machine and checks it against what the machine can do.
// Works as root and as an ordinary user: expectations come from independent checks, not from ww.

import Foundation
import XCTest

final class FeaturesIntegrationTests: XCTestCase {
    /// $WW_BIN, else <package root>/.build/debug/ww.
    var wwBinary: URL {
        if let path = ProcessInfo.processInfo.environment["WW_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/ww")
    }

    struct Ran {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ executable: URL, _ arguments: [String]) throws -> Ran {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot stall the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Ran(status: process.terminationStatus,
                   stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    func ww(_ arguments: String...) throws -> Ran {
        let binary = wwBinary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Skip.unexpected("no ww binary at \(binary.path); run `swift build` or set WW_BIN")
        }
        return try run(binary, arguments)
    }

    /// Landlock is in the kernel's active LSM list, when securityfs lets us look.
    func landlockActiveBySecurityfs() -> Bool? {
        guard let lsm = try? String(contentsOfFile: "/sys/kernel/security/lsm", encoding: .utf8) else { return nil }
        return lsm.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "landlock" }
    }

    /// util-linux's `unshare --user --map-root-user` does what bwrap needs first; nil when unshare is absent.
    func userNamespacesWorkByUnshare() throws -> Bool? {
        for path in ["/usr/bin/unshare", "/bin/unshare"] where FileManager.default.isExecutableFile(atPath: path) {
            let ran = try run(URL(fileURLWithPath: path), ["--user", "--map-root-user", "--mount", "true"])
            return ran.status == 0
        }
        return nil
    }

    func testJSONReportMatchesThisMachine() throws {
        let ran = try ww("features", "--json")
        XCTAssertEqual(ran.status, 0, ran.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8))
        let report = try XCTUnwrap(object as? [String: Any], "top level is not an object")
        let features = try XCTUnwrap(report["features"] as? [String: Any])
        let checks = try XCTUnwrap(report["checks"] as? [[String: Any]])
        XCTAssertFalse(checks.isEmpty)
        for check in checks {
            XCTAssertNotNil(check["name"] as? String)
            XCTAssertTrue(["ok", "degraded", "missing"].contains(check["verdict"] as? String ?? ""), "\(check)")
        }

        let abi = try XCTUnwrap(features["landlockABI"] as? Int)
        if let expected = ProcessInfo.processInfo.environment["WW_EXPECT_LANDLOCK_ABI"].flatMap(Int.init) {
            XCTAssertEqual(abi, expected, "Landlock ABI")
        } else if landlockActiveBySecurityfs() == true {
            XCTAssertGreaterThanOrEqual(abi, 1, "securityfs lists landlock, so ww must find an ABI")
        }
        XCTAssertGreaterThanOrEqual(abi, 0)

        let userns = try XCTUnwrap(features["userNamespaces"] as? [String: Any])
        let usable = try XCTUnwrap(report["userNamespacesUsable"] as? Bool)
        if try userNamespacesWorkByUnshare() == true {
            XCTAssertTrue(usable, "unshare(1) creates a user namespace here but ww says: \(userns)")
            XCTAssertEqual(userns["status"] as? String, "usable")
        }
        XCTAssertEqual(userns["testedAsRoot"] as? Bool ?? false, geteuid() == 0)
        XCTAssertEqual(features["probedAsRoot"] as? Bool, geteuid() == 0)
    }

    func testJSONDecodesWithTheRealModelShape() throws {
        // The same shape WardenCore encodes; decoding it with a Decodable mirror guards the key names.
        struct Shape: Decodable {
            struct F: Decodable {
                var kernelRelease: String
                var landlockABI: Int
                var landlockErrata: Int
                struct U: Decodable { var status: String; var reason: String }
                var userNamespaces: U
                struct S: Decodable { var filterAvailable: Bool; var actionsAvailable: [String] }
                var seccomp: S
            }
            var features: F
            var canSandbox: Bool
            var bwrapUsable: Bool
            var userNamespacesUsable: Bool
        }
        let ran = try ww("features", "--json")
        let shape = try JSONDecoder().decode(Shape.self, from: Data(ran.stdout.utf8))
        XCTAssertFalse(shape.features.kernelRelease.isEmpty)
        XCTAssertTrue(["usable", "blocked", "untested"].contains(shape.features.userNamespaces.status))
    }

    func testTableIsPrintedWithABwrapLine() throws {
        let ran = try ww("features")
        XCTAssertEqual(ran.status, 0, ran.stderr)
        let lines = ran.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("CHECK") ?? false, ran.stdout)
        let bwrap = lines.first { $0.hasPrefix("bwrap ") }
        XCTAssertNotNil(bwrap, "no bwrap line in:\n\(ran.stdout)")
        XCTAssertTrue(["ok", "degraded", "missing"].contains { bwrap?.contains($0) ?? false })
        XCTAssertTrue(lines.contains { $0.hasPrefix("landlock ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("user namespaces ") })
    }
}
