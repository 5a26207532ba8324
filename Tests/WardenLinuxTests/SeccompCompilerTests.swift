import Glibc
import WardenCore
@testable import WardenLinux
import XCTest

final class SeccompCompilerTests: XCTestCase {
    /// A rule libseccomp cannot compile stops the launch (exit 125) with the fix; it is never left
    /// out of the filter while the profile believes the call refused.
    func testARuleLibseccompDoesNotKnowStopsTheLaunch() {
        var policy = SyscallGroups.policy(allow: [], deny: [], nestedSandbox: false)
        XCTAssertNoThrow(try SeccompCompiler.compile(policy), "the default policy compiles here")
        XCTAssertNoThrow(try SeccompCompiler.notificationFilter(policy, watchProcessCreation: true, watchSends: true))
        policy.rules.append(.init(syscall: "no_such_call_ww", action: .errno(EPERM), condition: nil, reason: "test"))
        for compile in [{ _ = try SeccompCompiler.compile(policy) },
                        { _ = try SeccompCompiler.notificationFilter(policy, watchProcessCreation: false) }] {
            XCTAssertThrowsError(try compile()) { error in
                let e = error as? WardenError
                XCTAssertEqual(e?.exitStatus, 125)
                XCTAssertTrue(e?.message.contains("cannot refuse no_such_call_ww") == true, e?.message ?? "\(error)")
                XCTAssertTrue(e?.message.contains("update libseccomp") == true, e?.message ?? "")
            }
        }
    }
}

final class TrustedPathTests: XCTestCase {
    func testTheSystemBwrapIsTrustedAndAPlayerWritableOneIsNot() throws {
        XCTAssertNil(TrustedPath.problem("/usr/bin/bwrap"), "root-owned, in root-owned folders (make deps installs it)")
        let dir = NSTemporaryDirectory() + "ww-trusted-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fake = dir + "/bwrap"
        try "#!/bin/sh\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(dir, 0o755); chmod(fake, 0o755)
        // Owned by root but writable by others: anyone could replace it.
        chmod(fake, 0o777)
        XCTAssertTrue(TrustedPath.problem(fake)?.contains("writable by anyone") == true, TrustedPath.problem(fake) ?? "trusted")
        chmod(fake, 0o755)
        chmod(dir, 0o777)
        XCTAssertTrue(TrustedPath.problem(fake)?.contains("\(dir) is writable") == true, TrustedPath.problem(fake) ?? "trusted")
        chmod(dir, 0o755)
        // Owned by a player.
        if getuid() == 0 {
            chown(fake, 1001, 1001)
            XCTAssertTrue(TrustedPath.problem(fake)?.contains("not root") == true, TrustedPath.problem(fake) ?? "trusted")
        }
        // A link into a trusted place is judged by where it leads.
        let link = dir + "/link"
        symlink("/usr/bin/bwrap", link)
        XCTAssertNil(TrustedPath.problem(link))
    }
}
