/// An error the user can act on: one sentence naming the cause and the fix, and the exit status ww ends with.
public struct WardenError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case profile        // a profile or config that does not load or validate
        case host           // something missing on this machine (bwrap, user namespaces)
        case policy         // a request the sandbox refuses (unsafe path, unsupported mode)
        case usage          // the command line
        case commandNotFound
        case commandNotExecutable
        case launch         // the sandbox could not be set up
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// SPEC §2: 125 when ww itself failed, 126/127 for the command.
    public var exitStatus: Int32 {
        switch kind {
        case .commandNotFound: return 127
        case .commandNotExecutable: return 126
        default: return 125
        }
    }

    public var description: String { message }
}

/// Where a value came from, so errors and `ww profile show` can point at it.
public struct SourceLocation: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public static func builtIn(_ what: String) -> SourceLocation { SourceLocation(file: "<built-in: \(what)>", line: 0) }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}
