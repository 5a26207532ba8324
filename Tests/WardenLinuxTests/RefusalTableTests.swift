@testable import WardenCore
@testable import WardenLinux
import XCTest

/// The table the supervisor answers refused calls from: a notification (architecture, number,
/// registers) maps to the first matching rule of the default policy, or to none. Numbers are the
/// kernel's (x86_64 and i386), written out here so a change in libseccomp's names shows.
final class RefusalTableTests: XCTestCase {
    let x86_64 = SeccompCompiler.archX86_64
    let i386 = SeccompCompiler.archX86

    func table(nestedSandbox: Bool = false) -> SeccompCompiler.RefusalTable {
        let policy = SyscallGroups.policy(allow: [], deny: [], nestedSandbox: nestedSandbox)
        return SeccompCompiler.RefusalTable(SeccompCompiler.answeredByWarden(policy))
    }

    func args(_ a: UInt64 = 0, _ b: UInt64 = 0) -> [UInt64] { [a, b, 0, 0, 0, 0] }

    func testTerminalInjectionIsMatchedOnTheLow32BitsOnBothArchitectures() {
        let t = table()
        XCTAssertEqual(t.match(arch: x86_64, nr: 16, args: args(0, 0x5412))?.reason, "TIOCSTI: typing into the terminal")
        // CVE-2019-10063: high bits set in the 64-bit register, the kernel only looks at 32.
        XCTAssertEqual(t.match(arch: x86_64, nr: 16, args: args(0, 0x1_0000_5412))?.reason, "TIOCSTI: typing into the terminal")
        XCTAssertEqual(t.match(arch: i386, nr: 54, args: args(0, 0x5412))?.reason, "TIOCSTI: typing into the terminal")
        XCTAssertEqual(t.match(arch: x86_64, nr: 16, args: args(0, 0x541C))?.reason, "TIOCLINUX: console selection injection")
        XCTAssertNil(t.match(arch: x86_64, nr: 16, args: args(0, 0x5413)), "TIOCGWINSZ and every other ioctl pass")
        XCTAssertNil(t.match(arch: x86_64, nr: 16, args: args(0, 0x5401)))
    }

    func testSocketFamiliesByRegisterOnX86_64AndByNameForI386() {
        let t = table()
        XCTAssertNil(t.match(arch: x86_64, nr: 41, args: args(1)), "AF_UNIX")
        XCTAssertNil(t.match(arch: x86_64, nr: 41, args: args(2)), "AF_INET")
        XCTAssertNil(t.match(arch: x86_64, nr: 41, args: args(10)), "AF_INET6")
        XCTAssertNil(t.match(arch: x86_64, nr: 41, args: args(16)), "AF_NETLINK")
        let packet = t.match(arch: x86_64, nr: 41, args: args(17))
        XCTAssertEqual(packet?.reason, "socket families above netlink")
        XCTAssertEqual(packet?.action, .errno(SyscallGroups.EAFNOSUPPORT))
        XCTAssertEqual(t.match(arch: x86_64, nr: 41, args: args(4))?.condition, .equal(0, 4), "AF_IPX: its own rule")
        XCTAssertEqual(t.match(arch: x86_64, nr: 53, args: args(38))?.syscall, "socketpair", "AF_ALG through socketpair")
        // i386 socket/socketpair have pseudo-numbers in libseccomp: the supervisor matches them by name.
        XCTAssertNil(t.match(arch: i386, nr: SeccompCompiler.i386Socket, args: args(17)))
        XCTAssertEqual(t.match(name: "socket", args: args(17))?.syscall, "socket")
        XCTAssertNil(t.match(name: "socket", args: args(2)))
        XCTAssertEqual(t.match(name: "socketpair", args: args(0))?.condition, .equal(0, 0))
    }

    func testNamespacesAndMountsOnlyWithoutANestedSandbox() {
        let t = table()
        let newUser: UInt64 = 0x1000_0000
        XCTAssertEqual(t.match(arch: x86_64, nr: 56, args: args(newUser | 0x11))?.reason, "clone(CLONE_NEWUSER): no nested sandbox in this launch chain")
        XCTAssertEqual(t.match(arch: i386, nr: 120, args: args(newUser))?.syscall, "clone")
        XCTAssertNil(t.match(arch: x86_64, nr: 56, args: args(0x0001_0000 | 0x11)), "a thread or a plain fork passes")
        XCTAssertEqual(t.match(arch: x86_64, nr: 165, args: args())?.syscall, "mount")
        XCTAssertEqual(t.match(arch: x86_64, nr: 272, args: args())?.syscall, "unshare")
        XCTAssertEqual(t.match(arch: i386, nr: 310, args: args())?.syscall, "unshare")
        let nested = table(nestedSandbox: true)
        XCTAssertNil(nested.match(arch: x86_64, nr: 56, args: args(newUser)))
        XCTAssertNil(nested.match(arch: x86_64, nr: 165, args: args()))
        XCTAssertNil(nested.match(arch: x86_64, nr: 272, args: args()))
    }

    func testAlwaysRefusedCallsAndTheirErrno() {
        let t = table()
        let module = t.match(arch: x86_64, nr: 313, args: args())   // finit_module
        XCTAssertEqual(module?.syscall, "finit_module")
        XCTAssertEqual(module?.action, .errno(SyscallGroups.EPERM))
        XCTAssertEqual(t.match(arch: x86_64, nr: 169, args: args())?.syscall, "reboot")
        XCTAssertEqual(t.match(arch: i386, nr: 88, args: args())?.syscall, "reboot")
        let uring = t.match(arch: x86_64, nr: 425, args: args())   // io_uring_setup
        XCTAssertEqual(uring?.action, .errno(SyscallGroups.ENOSYS))
        XCTAssertEqual(t.match(arch: x86_64, nr: 323, args: args())?.syscall, "userfaultfd")
    }

    func testClone3IsLeftToTheFilterAndOrdinaryCallsMatchNothing() {
        let t = table()
        XCTAssertNil(t.match(arch: x86_64, nr: 435, args: args()), "clone3 is answered by bwrap's filter, not ww")
        for nr: Int32 in [0, 1, 2, 59, 42, 57, 231] { XCTAssertNil(t.match(arch: x86_64, nr: nr, args: args()), "x86_64 \(nr)") }
        XCTAssertNil(t.match(arch: 0xC000_00B7, nr: 165, args: args()), "an architecture the table does not know")
        XCTAssertNil(SeccompCompiler.RefusalTable([]).match(arch: x86_64, nr: 165, args: args()))
    }

    func testAProfileDenyAddsAnUnconditionalRule() {
        let policy = SyscallGroups.policy(allow: [], deny: [Traced("ptrace", SourceLocation(file: "test.toml", line: 1))], nestedSandbox: false)
        let t = SeccompCompiler.RefusalTable(SeccompCompiler.answeredByWarden(policy))
        XCTAssertEqual(t.match(arch: x86_64, nr: 101, args: args())?.syscall, "ptrace")
        XCTAssertEqual(t.match(arch: i386, nr: 26, args: args(7))?.syscall, "ptrace")
        XCTAssertNil(table().match(arch: x86_64, nr: 101, args: args()), "not refused by default (Wine needs it)")
    }
}
