/// Everything ww knows about the launch before any policy: what was asked to run, in which
/// environment, plus the few host facts identity needs (canonical paths, resolved by the caller).
public struct LaunchContext: Codable, Equatable, Sendable {
    /// The command after `--`, exactly as given (e.g. Steam's `%command%`).
    public var command: [String]
    public var environment: [String: String]
    public var workingDirectory: String
    /// The user running ww.
    public var user: UserInfo
    /// Canonical host path of `command[0]` after the PATH lookup; nil when not found.
    public var resolvedCommand: String?
    /// Canonical host path of the Windows program named in argv (the last `*.exe` argument), if any.
    public var windowsExecutable: String?
    /// `--game NAME`: the game named on the command line (checked: `GameIdentity.slug` keeps it whole).
    public var gameName: String? = nil

    public init(command: [String], environment: [String: String], workingDirectory: String, user: UserInfo,
                resolvedCommand: String?, windowsExecutable: String?) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.resolvedCommand = resolvedCommand
        self.windowsExecutable = windowsExecutable
    }

    /// The argument naming a Windows program: the last argv element ending in `.exe`.
    public static func windowsProgramArgument(in command: [String]) -> String? {
        command.dropFirst().last { $0.lowercased().hasSuffix(".exe") }
            ?? (command.first.map { $0.lowercased().hasSuffix(".exe") ? $0 : nil } ?? nil)
    }

    public func env(_ name: String) -> String? {
        guard let v = environment[name], !v.isEmpty else { return nil }
        return v
    }
}

public struct UserInfo: Codable, Equatable, Sendable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String

    public init(name: String, uid: UInt32, gid: UInt32, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }
}
