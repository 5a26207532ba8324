/// `[process]`: which programs the game may start (SPEC §5), decided by the supervisor for every
/// `execve` the inner helper's notification filter reports. Pure: the supervisor gathers the facts
/// (`ExecRequest`) from /proc and the target's memory.
public struct ProcessPolicy: Codable, Equatable, Sendable {
    /// When not empty, only programs matching one of these may start (the launch command always may).
    public var allowedPatterns: [String]
    /// Programs matching one of these never start (checked first).
    public var blockedPatterns: [String]
    public var allowShellExecution: Bool
    /// Live processes the game may have besides itself; 0: no limit (process creation not watched).
    public var maxChildProcesses: Int
    /// Programs with no path (a memfd, a deleted file) may run: no name rule can judge them.
    public var allowAnonymousExec: Bool

    public init(allowedPatterns: [String] = [], blockedPatterns: [String] = [], allowShellExecution: Bool = false, maxChildProcesses: Int = 0,
                allowAnonymousExec: Bool = false) {
        self.allowedPatterns = allowedPatterns
        self.blockedPatterns = blockedPatterns
        self.allowShellExecution = allowShellExecution
        self.maxChildProcesses = maxChildProcesses
        self.allowAnonymousExec = allowAnonymousExec
    }

    /// Unix shells and script interpreters.
    public static let unixShells = ["sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox",
                                    "python", "python[0-9]*", "perl", "perl[0-9]*", "ruby", "ruby[0-9]*", "node", "nodejs",
                                    "lua", "lua[0-9]*", "php", "php[0-9]*", "tclsh*", "wish*", "pwsh", "osascript"]
    /// Windows shells and script hosts, and script files they run.
    public static let windowsShells = ["cmd.exe", "powershell.exe", "powershell_ise.exe", "pwsh.exe", "wscript.exe", "cscript.exe",
                                       "mshta.exe", "bash.exe", "wsl.exe"]
    public static let scriptExtensions = [".bat", ".cmd", ".ps1", ".psm1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".sh", ".py"]
    /// Executables of Wine's loader: a process running one of these is Wine, and once it has renamed
    /// itself (comm) to something else it runs a Windows program.
    public static let wineLoaders = ["wine", "wine64", "wine-preloader", "wine64-preloader", "wine-stable", "wine64-stable"]
    /// Wine's launchers that are shell scripts on some distributions (Debian's /usr/bin/wine).
    static let wineLauncherScripts: Set<String> = Set(wineLoaders + ["wineapploader"])
}

/// What the supervisor knows about one `execve`.
public struct ExecRequest: Sendable, Equatable {
    /// The program path as the game passed it (resolved against its cwd when relative, where possible).
    public var path: String
    public var argv: [String]
    /// The calling process: its executable (`/proc/PID/exe`) and name (`comm` of its main thread:
    /// Wine renames a process after the Windows program it runs).
    public var callerExecutable: String
    public var callerName: String
    /// The first exec in the sandbox: the command the player asked ww to run.
    public var isLaunchCommand: Bool

    public init(path: String, argv: [String], callerExecutable: String, callerName: String, isLaunchCommand: Bool) {
        self.path = path
        self.argv = argv
        self.callerExecutable = callerExecutable
        self.callerName = callerName
        self.isLaunchCommand = isLaunchCommand
    }

    /// True when the caller is a Wine process that runs a Windows program (not the loader starting up).
    public var callerIsWindowsProgram: Bool {
        let exe = Paths.basename(callerExecutable)
        guard ProcessPolicy.wineLoaders.contains(exe) else { return false }
        let name = callerName.lowercased()
        return !name.isEmpty && !ProcessPolicy.wineLoaders.contains(name)
    }

    /// The Windows program a Wine loader is asked to start: the first argument after the loader
    /// that names a Windows executable or script (`C:\…\cmd.exe`, `probe.exe`, `setup.bat`).
    public var windowsProgram: String? {
        guard ProcessPolicy.wineLoaders.contains(Paths.basename(path)) || ProcessPolicy.wineLoaders.contains(Paths.basename(argv.first ?? "")) else { return nil }
        for arg in argv.dropFirst() {
            if ProcessPolicy.wineLoaders.contains(Paths.basename(arg)) { continue }   // the preloader's argv: loader, program, …
            if arg.hasPrefix("-") && !arg.contains("\\") { continue }
            let lower = arg.lowercased()
            if lower == "start" || lower == "/unix" || lower == "/exec" || lower == "/wait" || lower == "/b" { continue }
            return arg
        }
        return nil
    }
}

public struct ExecDecision: Sendable, Equatable {
    public var allowed: Bool
    /// Why, in the player's words (goes into the audit trail).
    public var reason: String
    public var windowsProgram: String?
    public var isShell: Bool
    /// Refused because the program has no path (`allow_anonymous_exec = false`).
    public var anonymous = false

    public init(allowed: Bool, reason: String, windowsProgram: String?, isShell: Bool, anonymous: Bool = false) {
        self.allowed = allowed
        self.reason = reason
        self.windowsProgram = windowsProgram
        self.isShell = isShell
        self.anonymous = anonymous
    }
}

extension ProcessPolicy {
    /// Windows names compare case-insensitively and by their last path component (`C:\x\CMD.EXE`).
    static func windowsBasename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? name
        return last.lowercased()
    }

    static func matches(_ pattern: String, path: String, windows: String?) -> Bool {
        let glob = Glob(pattern)
        if pattern.contains("/") { return glob.matches(path) }
        if glob.matches(Paths.basename(path)) { return true }
        if let w = windows {
            return glob.matches(windowsBasename(w), caseInsensitive: true) || glob.matches(w, caseInsensitive: true)
        }
        return false
    }

    public func decide(_ request: ExecRequest) -> ExecDecision {
        let windows = request.windowsProgram
        let shell = isShell(request, windows: windows)
        func verdict(_ allowed: Bool, _ reason: String) -> ExecDecision {
            ExecDecision(allowed: allowed, reason: reason, windowsProgram: windows, isShell: shell)
        }
        if let p = blockedPatterns.first(where: { Self.matches($0, path: request.path, windows: windows) }) {
            return verdict(false, "matches blocked pattern \"\(p)\"")
        }
        if request.isLaunchCommand { return verdict(true, "the launch command") }
        if shell && !allowShellExecution && request.callerIsWindowsProgram {
            let what = windows.map { "\(Self.windowsBasename($0)) started through Wine" } ?? "\(Paths.basename(request.path)) started by the Windows program \(request.callerName)"
            return verdict(false, "shell or script host (\(what)); allow_shell_execution = false")
        }
        if !allowedPatterns.isEmpty {
            if let p = allowedPatterns.first(where: { Self.matches($0, path: request.path, windows: windows) }) {
                return verdict(true, "matches allowed pattern \"\(p)\"")
            }
            return verdict(false, "matches none of allowed_patterns")
        }
        return verdict(true, shell ? "shell allowed (not started by a Windows program, or allow_shell_execution)" : "no rule refuses it")
    }

    /// Decides on what the kernel will run: the request as typed (above), then every file of the chain
    /// the supervisor found (the resolved file, `#!` interpreters, the dynamic loader's program). Each
    /// of those must pass the blocked patterns, the shell rule and (for the resolved file)
    /// `allowed_patterns`; a file with no path needs `allow_anonymous_exec`. The first refusal wins and
    /// names the file.
    public func decide(_ request: ExecRequest, running targets: [ExecTarget]) -> ExecDecision {
        let typed = decide(request)
        guard typed.allowed else { return typed }
        var script = request.path   // the file whose #! line names the next interpreter
        for target in targets {
            if target.anonymous {
                if allowAnonymousExec { continue }
                return ExecDecision(allowed: false, reason: "anonymous program (\(target.path): a memfd or deleted file, no name to check); allow_anonymous_exec = false",
                                    windowsProgram: typed.windowsProgram, isShell: typed.isShell, anonymous: true)
            }
            var r = request
            r.path = target.path
            if target.role != .resolved { r.isLaunchCommand = false }
            // Wine's own launcher scripts (/usr/bin/wine, wineapploader) run under /bin/sh: that shell is
            // Wine starting, not a shell the Windows program asked for. Blocked patterns still apply.
            if target.role == .interpreter && [request.path, script].contains(where: { Self.wineLauncherScripts.contains(Paths.basename($0)) }) { r.callerName = "" }
            defer { script = target.path }
            var d = decide(r)
            if d.allowed || (target.role != .resolved && d.reason == "matches none of allowed_patterns") { continue }
            d.reason = "\(target.description) \(d.reason)"
            d.windowsProgram = typed.windowsProgram
            d.isShell = d.isShell || typed.isShell
            return d
        }
        return typed
    }

    func isShell(_ request: ExecRequest, windows: String?) -> Bool {
        if let w = windows {
            let name = Self.windowsBasename(w)
            return Self.windowsShells.contains(name) || Self.scriptExtensions.contains { name.hasSuffix($0) }
        }
        let name = Paths.basename(request.path)
        return Self.unixShells.contains { Glob($0).matches(name) }
            || Self.windowsShells.contains(name.lowercased())
            || Self.scriptExtensions.contains { name.lowercased().hasSuffix($0) }
    }
}
