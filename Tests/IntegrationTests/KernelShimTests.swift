import XCTest

/// The C primitives under the kernel layers (Landlock, seccomp notification, fd passing), exercised
/// by Tests/kernel-shim/test_kernel.c against the running kernel as the unprivileged test user.
final class KernelShimTests: XCTestCase {
    func testLandlockAndNotificationPrimitivesWorkOnThisKernel() throws {
        let sb = Sandbox.shared
        let dir = sb.root + "/kernel-shim"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let root = Sandbox.packageRoot
        let build = try Sandbox.run("/usr/bin/env", ["cc", "-O1", "-Wall", "-Wextra", "-I", root + "/Sources/CLinux/include",
                                                      root + "/Tests/kernel-shim/test_kernel.c", root + "/Sources/CLinux/ww_kernel.c", "-o", dir + "/test_kernel"])
        guard build.status == 0 else { throw Skip.unexpected("cannot build the shim test (install gcc): \(build.output)") }
        _ = try Sandbox.run("/bin/chmod", ["-R", "a+rX", dir])
        let r = try sb.asUser(dir + "/test_kernel", [], env: ["PATH": "/usr/bin:/bin"], cwd: sb.root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("PASS: 0 failure(s)"), r.output)
        XCTAssertFalse(r.stdout.contains("FAIL"), r.output)
    }
}
