@testable import WardenCore
import XCTest

/// The pure parts of exec identity: `#!` lines as binfmt_script reads them, ld.so's arguments, and the
/// policy deciding on every file of the chain.
final class ExecIdentityUnitTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testShebangLinesAsTheKernelReadsThem() {
        XCTAssertEqual(ExecIdentity.shebang(bytes("#!/bin/sh\necho hi\n"))?.interpreter, "/bin/sh")
        XCTAssertNil(ExecIdentity.shebang(bytes("#!/bin/sh\n"))?.argument)
        let spaced = ExecIdentity.shebang(bytes("#!  \t/usr/bin/env   python3 -u  \nprint()"))
        XCTAssertEqual(spaced?.interpreter, "/usr/bin/env")
        XCTAssertEqual(spaced?.argument, "python3 -u", "everything after the interpreter is one argument, trimmed")
        XCTAssertEqual(ExecIdentity.shebang(bytes("#!nc"))?.interpreter, "nc", "no newline in a short file: the whole file is the line")
        XCTAssertEqual(ExecIdentity.shebang(bytes("#!/bin/sh\r\n"))?.interpreter.utf8.count, "/bin/sh\r".utf8.count, "a CR is part of the name to the kernel")
        XCTAssertNil(ExecIdentity.shebang(bytes("#!   \n")), "no interpreter: ENOEXEC")
        XCTAssertNil(ExecIdentity.shebang(bytes("# !/bin/sh\n")))
        XCTAssertNil(ExecIdentity.shebang(bytes("\u{7f}ELF")))
        XCTAssertNil(ExecIdentity.shebang([]))
        // An interpreter cut by the 256-byte buffer does not run; one that ends before it does.
        XCTAssertNil(ExecIdentity.shebang(bytes("#!/" + String(repeating: "a", count: 300))))
        let long = ExecIdentity.shebang(bytes("#!/bin/nc " + String(repeating: "a", count: 300)))
        XCTAssertEqual(long?.interpreter, "/bin/nc")
        XCTAssertEqual(long?.argument?.count, 256 - "#!/bin/nc ".count)
        XCTAssertEqual(ExecIdentity.shebang(bytes("#!/bin/nc\0junk\n"))?.interpreter, "/bin/nc")
    }

    func testTheInterpretersArguments() {
        XCTAssertEqual(ExecIdentity.interpreterArguments(interpreter: "/bin/sh", argument: "-e", script: "./run", argv: ["run", "a", "b"]),
                       ["/bin/sh", "-e", "./run", "a", "b"])
        XCTAssertEqual(ExecIdentity.interpreterArguments(interpreter: "/bin/sh", argument: nil, script: "/x/run", argv: []), ["/bin/sh", "/x/run"])
    }

    func testTheLoadersProgramAfterItsOptions() {
        XCTAssertEqual(ExecIdentity.loaderProgram(["/lib64/ld-linux-x86-64.so.2", "./nc", "-l"]), "./nc")
        XCTAssertEqual(ExecIdentity.loaderProgram(["ld.so", "--argv0", "bash", "--library-path", "/x", "--preload", "a.so", "--audit", "b.so", "/bin/nc"]), "/bin/nc")
        XCTAssertEqual(ExecIdentity.loaderProgram(["ld.so", "--inhibit-cache", "--verify", "--list", "nc"]), "nc")
        XCTAssertEqual(ExecIdentity.loaderProgram(["ld.so", "--library-path=/x", "nc"]), "nc")
        XCTAssertEqual(ExecIdentity.loaderProgram(["ld.so", "--", "--weird-name"]), "--weird-name")
        XCTAssertEqual(ExecIdentity.loaderProgram(["ld.so", "--unknown", "nc"]), "--unknown", "an unknown option is the program to ld.so")
        XCTAssertNil(ExecIdentity.loaderProgram(["ld.so", "--argv0"]))
        XCTAssertNil(ExecIdentity.loaderProgram(["ld.so"]))
        XCTAssertEqual(ExecIdentity.loaderProgramArguments(["ld.so", "--argv0", "innocent", "/bin/nc", "-l"]), ["innocent", "-l"])
        XCTAssertEqual(ExecIdentity.loaderProgramArguments(["ld.so", "/bin/nc", "-l"]), ["/bin/nc", "-l"])
    }

    func testLoaderNames() {
        for name in ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/lib/ld-musl-x86_64.so.1", "ld.so"] {
            XCTAssertTrue(ExecIdentity.isDynamicLoader(name), name)
        }
        for name in ["/usr/bin/ld", "/usr/bin/ldd", "/lib/libc.so.6", "/usr/bin/ld.gold"] { XCTAssertFalse(ExecIdentity.isDynamicLoader(name), name) }
    }

    let blocking = ProcessPolicy(blockedPatterns: ["nc", "*netcat*"])
    func request(_ path: String, caller: String = "game", exe: String = "/game/game", launch: Bool = false) -> ExecRequest {
        ExecRequest(path: path, argv: [path], callerExecutable: exe, callerName: caller, isLaunchCommand: launch)
    }

    func testEveryFileOfTheChainIsChecked() {
        let link = blocking.decide(request("/g/x"), running: [ExecTarget(path: "/g/nc", role: .resolved)])
        XCTAssertFalse(link.allowed)
        XCTAssertEqual(link.reason, "/g/nc (what the path resolves to) matches blocked pattern \"nc\"")
        let script = blocking.decide(request("/g/run"), running: [ExecTarget(path: "/g/run", role: .resolved), ExecTarget(path: "/usr/bin/netcat", role: .interpreter)])
        XCTAssertEqual(script.reason, "/usr/bin/netcat (a #! interpreter) matches blocked pattern \"*netcat*\"")
        let loaded = blocking.decide(request("/lib64/ld-linux-x86-64.so.2"), running: [ExecTarget(path: "/usr/lib/ld-linux-x86-64.so.2", role: .resolved),
                                                                                       ExecTarget(path: "/g/nc", role: .loaderProgram)])
        XCTAssertFalse(loaded.allowed)
        XCTAssertTrue(blocking.decide(request("/g/y"), running: [ExecTarget(path: "/g/okecho", role: .resolved)]).allowed)
        XCTAssertTrue(blocking.decide(request("/g/y"), running: []).allowed, "nothing resolved (the kernel fails too): the name decides")
        XCTAssertFalse(blocking.decide(request("/g/nc"), running: []).allowed)
        XCTAssertFalse(blocking.decide(request("/g/x", launch: true), running: [ExecTarget(path: "/g/nc", role: .resolved)]).allowed,
                       "blocked patterns apply to the launch command too")
    }

    func testAnonymousProgramsNeedTheKey() {
        let memfd = [ExecTarget(path: "/memfd:x (deleted)", role: .resolved, anonymous: true)]
        let refused = blocking.decide(request("/proc/self/fd/3"), running: memfd)
        XCTAssertFalse(refused.allowed)
        XCTAssertTrue(refused.anonymous)
        XCTAssertTrue(refused.reason.contains("allow_anonymous_exec = false"), refused.reason)
        var allowing = blocking
        allowing.allowAnonymousExec = true
        XCTAssertTrue(allowing.decide(request("/proc/self/fd/3"), running: memfd).allowed)
        // A memfd script still has its interpreter checked.
        XCTAssertFalse(allowing.decide(request("/proc/self/fd/3"), running: memfd + [ExecTarget(path: "/g/nc", role: .interpreter)]).allowed)
    }

    func testShellsFromWindowsProgramsAndTheAllowList() {
        let wine = "/usr/lib/wine/wine64"
        let fromWindows = request("/g/setup", caller: "game.exe", exe: wine)
        let sh = [ExecTarget(path: "/g/setup", role: .resolved), ExecTarget(path: "/bin/sh", role: .interpreter)]
        let d = ProcessPolicy().decide(fromWindows, running: sh)
        XCTAssertFalse(d.allowed, "a script run by a Windows program is a shell, whatever its name")
        XCTAssertTrue(d.reason.contains("(a #! interpreter) shell or script host"), d.reason)
        XCTAssertTrue(ProcessPolicy(allowShellExecution: true).decide(fromWindows, running: sh).allowed)
        XCTAssertTrue(ProcessPolicy().decide(request("/g/setup"), running: sh).allowed, "not started by a Windows program")
        // Debian's /usr/bin/wine is a /bin/sh script: a Windows program starting Wine is not a shell.
        let wineScript = request("/usr/bin/wine", caller: "game.exe", exe: wine)
        XCTAssertTrue(ProcessPolicy().decide(wineScript, running: [ExecTarget(path: "/usr/bin/wine-stable", role: .resolved),
                                                                    ExecTarget(path: "/bin/sh", role: .interpreter)]).allowed)
        // allowed_patterns: the resolved file must match; interpreters need not.
        let allow = ProcessPolicy(allowedPatterns: ["game*", "run*"])
        XCTAssertFalse(allow.decide(request("/g/gamex"), running: [ExecTarget(path: "/usr/bin/other", role: .resolved)]).allowed)
        XCTAssertTrue(allow.decide(request("/g/runner"), running: [ExecTarget(path: "/g/runner", role: .resolved),
                                                                    ExecTarget(path: "/bin/sh", role: .interpreter)]).allowed)
    }
}
