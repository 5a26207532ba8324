import CSeccomp
import Glibc
import WardenCore
@testable import WardenLinux
import XCTest

/// The supervisor's table of path calls agrees with libseccomp's numbers on both architectures, and
/// reads each call's names from the right arguments.
final class PathCallTableTests: XCTestCase {
    func testEveryPathCallIsKnownOnBothArchitectures() {
        for arch in [SeccompCompiler.archX86_64, SeccompCompiler.archX86] {
            for name in NotificationSupervisor.pathCallNames {
                let nr = seccomp_syscall_resolve_name_arch(arch, name)
                XCTAssertGreaterThanOrEqual(nr, 0, name)
                let args: [UInt64] = [1, 2, 3, 4, 5, 6]
                XCTAssertNotNil(NotificationSupervisor.pathCall(arch: arch, nr: nr, args: args), "\(name) (\(nr)) on \(String(arch, radix: 16))")
            }
            XCTAssertNil(NotificationSupervisor.pathCall(arch: arch, nr: seccomp_syscall_resolve_name_arch(arch, "openat"), args: [0, 0, 0, 0, 0, 0]))
        }
    }

    func testTheNamesComeFromTheRightArguments() throws {
        let x64 = SeccompCompiler.archX86_64, x86 = SeccompCompiler.archX86
        func call(_ arch: UInt32, _ name: String, _ args: [UInt64]) throws -> (PathGuard.Call, [NotificationSupervisor.PathName]) {
            try XCTUnwrap(NotificationSupervisor.pathCall(arch: arch, nr: seccomp_syscall_resolve_name_arch(arch, name), args: args))
        }
        let renameat2 = try call(x64, "renameat2", [5, 100, 6, 200, 1, 0])
        XCTAssertEqual(renameat2.0, .rename)
        XCTAssertEqual(renameat2.1.map(\.address), [100, 200])
        XCTAssertEqual(renameat2.1.map(\.dirfd), [5, 6])
        let rmdirAt = try call(x86, "unlinkat", [UInt64(UInt32(bitPattern: -100)), 300, 0x200, 0, 0, 0])
        XCTAssertEqual(rmdirAt.0, .rmdir)
        XCTAssertEqual(rmdirAt.1.first?.dirfd, -100)
        XCTAssertEqual(try call(x64, "unlinkat", [3, 300, 0, 0, 0, 0]).0, .unlink)
        let symlinkat = try call(x86, "symlinkat", [10, 7, 400, 0, 0, 0])
        XCTAssertEqual(symlinkat.1.map(\.address), [400], "only the new name, never the link's text")
        XCTAssertEqual(symlinkat.1.first?.role, .created)
        XCTAssertEqual(try call(x64, "linkat", [1, 10, 2, 20, 0, 0]).1.map(\.address), [20])
        XCTAssertEqual(try call(x86, "rename", [10, 20, 0, 0, 0, 0]).1.map(\.role), [.removed, .created])
    }
}
