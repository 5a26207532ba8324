/// What the kernel will actually run for an exec, as opposed to the name typed (SPEC §5): the pure
/// parts. The supervisor resolves the file in the game's own view of the file system (symlinks,
/// /proc/PID/fd links) and reads its first bytes; these functions say what those bytes and the
/// arguments mean, the way the kernel's binfmt_script and glibc's ld.so read them, and
/// `ProcessPolicy.decide(_:running:)` decides on every file of the chain.
public enum ExecIdentity {
    /// The kernel reads this much of a file to pick its format (BINPRM_BUF_SIZE).
    public static let headSize = 256
    /// exec_binprm rewrites at most this many times (a script's interpreter being a script, …):
    /// deeper chains fail with ELOOP in the kernel, and ww refuses them.
    public static let maxRewrites = 5

    /// The interpreter line of a `#!` script as binfmt_script reads it: the interpreter path ends at the
    /// first space or tab, everything after it (trimmed) is one optional argument. nil when the head is
    /// not a script, or the kernel would not run it (no interpreter, or one cut off by the 256 bytes).
    public static func shebang(_ head: [UInt8]) -> (interpreter: String, argument: String?)? {
        guard head.count >= 2, head[0] == UInt8(ascii: "#"), head[1] == UInt8(ascii: "!") else { return nil }
        let body = head.prefix(headSize).dropFirst(2)
        let newline = body.firstIndex(of: UInt8(ascii: "\n"))
        var line = Array(body[..<(newline ?? body.endIndex)])
        if let nul = line.firstIndex(of: 0) { line = Array(line[..<nul]) }
        func blank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        while let last = line.last, blank(last) { line.removeLast() }
        guard let start = line.firstIndex(where: { !blank($0) }) else { return nil }
        let end = line[start...].firstIndex(where: blank) ?? line.endIndex
        // No newline within the buffer and the interpreter runs to its end: the name may be cut (ENOEXEC).
        if newline == nil && end == line.endIndex && head.count >= headSize { return nil }
        let interpreter = String(decoding: line[start..<end], as: UTF8.self)
        let rest = line[end...].drop(while: blank)
        return (interpreter, rest.isEmpty ? nil : String(decoding: rest, as: UTF8.self))
    }

    /// The argv the interpreter of a script gets: interpreter, its argument if any, the script's path,
    /// then the script's own arguments after argv[0].
    public static func interpreterArguments(interpreter: String, argument: String?, script: String, argv: [String]) -> [String] {
        [interpreter] + (argument.map { [$0] } ?? []) + [script] + argv.dropFirst()
    }

    /// True for an ELF head (`\x7fELF`).
    public static func isELF(_ head: [UInt8]) -> Bool { head.starts(with: [0x7f, 0x45, 0x4c, 0x46]) }

    /// File names of the dynamic loaders (glibc x86_64 and i386, musl, the generic ld.so).
    public static let loaderPatterns = ["ld-linux*.so*", "ld-*.so", "ld.so", "ld.so.*", "ld-musl-*.so*", "ld64.so*"]

    public static func isDynamicLoader(_ path: String) -> Bool {
        let name = Paths.basename(path)
        return loaderPatterns.contains { Glob($0).matches(name) }
    }

    /// glibc ld.so options that take the next argument as their value.
    static let loaderOptionsWithValue: Set<String> = ["--library-path", "--inhibit-rpath", "--audit", "--preload", "--argv0",
                                                      "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask"]
    /// Options after which ld.so runs nothing (it prints and exits) — the program is still checked.
    static let loaderFlags: Set<String> = ["--list", "--verify", "--inhibit-cache", "--list-tunables", "--list-diagnostics", "--help", "--version"]

    /// The program a dynamic loader run directly is asked to load (`ld.so [OPTIONS] PROGRAM [ARGS]`),
    /// reading options as ld.so does: a known option (with its value, also as `--opt=value`) is skipped,
    /// `--` ends the options, and the first other argument is the program. nil when there is none.
    public static func loaderProgram(_ argv: [String]) -> String? {
        var i = 1
        while i < argv.count {
            let arg = argv[i]
            if arg == "--" { return i + 1 < argv.count ? argv[i + 1] : nil }
            if loaderOptionsWithValue.contains(arg) { i += 2; continue }
            if let eq = arg.firstIndex(of: "="), loaderOptionsWithValue.contains(String(arg[..<eq])) { i += 1; continue }
            if loaderFlags.contains(arg) { i += 1; continue }
            return arg
        }
        return nil
    }

    /// The argv the loaded program sees (`--argv0` replaces its argv[0]).
    public static func loaderProgramArguments(_ argv: [String]) -> [String] {
        guard let program = loaderProgram(argv), let at = argv.dropFirst().firstIndex(of: program) else { return [] }
        var out = Array(argv[at...])
        var i = 1
        while i < at {
            if argv[i] == "--argv0", i + 1 < at { out[0] = argv[i + 1] }
            else if argv[i].hasPrefix("--argv0=") { out[0] = String(argv[i].dropFirst("--argv0=".count)) }
            i += 1
        }
        return out
    }
}

/// One file the kernel will run for an exec, besides the path typed: where it came from.
public struct ExecTarget: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        /// The file the typed path names, after symlinks and /proc/PID/fd links.
        case resolved
        /// The interpreter named by the `#!` line of the previous file.
        case interpreter
        /// The program the dynamic loader (the previous file) is asked to load.
        case loaderProgram = "loader_program"
    }
    public var path: String
    public var role: Role
    /// No path reaches it (memfd, a deleted file): name-based rules cannot judge it.
    public var anonymous: Bool

    public init(path: String, role: Role, anonymous: Bool = false) {
        self.path = path
        self.role = role
        self.anonymous = anonymous
    }

    var description: String {
        switch role {
        case .resolved: return "\(path) (what the path resolves to)"
        case .interpreter: return "\(path) (a #! interpreter)"
        case .loaderProgram: return "\(path) (the program given to the dynamic loader)"
        }
    }
}
