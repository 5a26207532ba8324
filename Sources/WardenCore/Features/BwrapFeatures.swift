// The bubblewrap binary found on the host and what it can do, read from the text of
// `bwrap --help` and `bwrap --version` (FeatureProbe runs them; parsing is pure).

extension Features {
    // MARK: bwrap

    /// The bubblewrap binary found on PATH and what it can do.
    public struct Bwrap: Codable, Sendable, Equatable {
        public var path: String
        /// "0.8.0"; nil when `bwrap --version` was not run (quick probe) or said nothing usable.
        public var version: String?
        /// Installed setuid root: works without user namespaces but refuses `--overlay`.
        public var isSetuid: Bool
        /// false when `bwrap --help` could not be read; then every `supports*` is false.
        public var optionsKnown: Bool
        public var supportsBindFd: Bool
        public var supportsOverlay: Bool
        public var supportsDisableUserns: Bool
        public var supportsJsonStatusFd: Bool
        public var supportsClearenv: Bool
        public var supportsChmod: Bool
        public var supportsPerms: Bool
        public var supportsSizeOption: Bool
        /// Result of starting a throwaway sandbox; nil when not tried (quick probe).
        public var trial: Trial?

        public struct Trial: Codable, Sendable, Equatable {
            public var succeeded: Bool
            /// bwrap's own complaint (first line of its output) when it failed.
            public var message: String?

            public init(succeeded: Bool, message: String? = nil) {
                self.succeeded = succeeded
                self.message = message
            }
        }

        public init(
            path: String,
            version: String? = nil,
            isSetuid: Bool = false,
            options: Set<String>?,
            trial: Trial? = nil
        ) {
            let options = options ?? []
            self.path = path
            self.version = version
            self.isSetuid = isSetuid
            self.optionsKnown = !options.isEmpty
            self.supportsBindFd = options.contains("--bind-fd")
            self.supportsOverlay = options.contains("--overlay")
            self.supportsDisableUserns = options.contains("--disable-userns")
            self.supportsJsonStatusFd = options.contains("--json-status-fd")
            self.supportsClearenv = options.contains("--clearenv")
            self.supportsChmod = options.contains("--chmod")
            self.supportsPerms = options.contains("--perms")
            self.supportsSizeOption = options.contains("--size")
            self.trial = trial
        }

        /// `--overlay` is listed and bwrap is not setuid (setuid bwrap refuses overlays).
        public var overlayUsable: Bool { supportsOverlay && !isSetuid }

        /// The option names bwrap lists in `bwrap --help`: the first word of each
        /// indented line that starts with "--" ("--bind-fd FD DEST  Bind open..." -> "--bind-fd").
        public static func options(fromHelp help: String) -> Set<String> {
            var found = Set<String>()
            for line in help.split(whereSeparator: \.isNewline) {
                guard let word = line.split(whereSeparator: \.isWhitespace).first,
                      word.hasPrefix("--"), word.count > 2 else { continue }
                found.insert(String(word))
            }
            return found
        }

        /// "bubblewrap 0.8.0\n" -> "0.8.0"; nil when no version number is present.
        public static func version(fromVersionOutput output: String) -> String? {
            output.split(whereSeparator: \.isWhitespace)
                .first(where: { $0.first?.isNumber == true && $0.contains(".") })
                .map(String.init)
        }

        /// The options ww uses beyond the basics that this bwrap lacks, as they appear on its command line.
        public var missingMinorOptions: [String] {
            [("--json-status-fd", supportsJsonStatusFd), ("--clearenv", supportsClearenv),
             ("--chmod", supportsChmod), ("--perms", supportsPerms), ("--size", supportsSizeOption)]
                .filter { !$0.1 }.map(\.0)
        }
    }
}
