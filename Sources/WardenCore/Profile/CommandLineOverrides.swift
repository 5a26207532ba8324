/// Run options that override the profile (SPEC §2), as one more layer on top of it.
public struct CommandLineOverrides: Sendable {
    public var network: String?
    public var home: String?
    public var readOnly: [String] = []
    public var readWrite: [String] = []
    public var hidden: [String] = []
    public var allowDomains: [String] = []
    /// `--game NAME`: the game this launch belongs to, whatever program it runs (`game:<name>`).
    public var game: String?

    public init(network: String? = nil, home: String? = nil, readOnly: [String] = [], readWrite: [String] = [], hidden: [String] = [],
                allowDomains: [String] = [], game: String? = nil) {
        self.game = game
        self.allowDomains = allowDomains
        self.network = network
        self.home = home
        self.readOnly = readOnly
        self.readWrite = readWrite
        self.hidden = hidden
    }

    public func layer() throws -> ProfileLayer {
        let here = SourceLocation(file: "<command line>", line: 0)
        var l = ProfileLayer(name: "command line", path: "<command line>")
        if let n = network {
            guard let mode = NetworkMode(rawValue: n) else {
                throw WardenError(.usage, "--network \(n) is not a network mode; use one of \(NetworkMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            l.network = Traced(mode, here)
        }
        if let h = home {
            guard let mode = HomeMode(rawValue: h) else {
                throw WardenError(.usage, "--home \(h) is not a home mode; use one of \(HomeMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            l.home = Traced(mode, here)
        }
        func edits(_ list: [String], _ flag: String, glob: Bool) throws -> [ProfileLayer.ListEdit] {
            try list.map { text in
                if let p = PathPolicy.lexicalProblems(text, allowGlob: glob).first {
                    throw WardenError(.usage, "\(flag) \(text) \(p.sentence)")
                }
                return ProfileLayer.ListEdit(text: text, remove: false, create: false, origin: SourceLocation(file: "\(flag) \(text)", line: 0))
            }
        }
        l.readOnly = try edits(readOnly, "--ro", glob: false)
        l.readWrite = try edits(readWrite, "--rw", glob: false)
        l.hidden = try edits(hidden, "--hide", glob: true)
        l.allowDomains = try allowDomains.map { text in
            if case .failure(let f) = DomainPattern.parse(text) {
                throw WardenError(.usage, "--allow-domain \(text) \(f.sentence); write example.com, *.example.com, * or an address")
            }
            return ProfileLayer.ListEdit(text: text, remove: false, create: false, origin: SourceLocation(file: "--allow-domain \(text)", line: 0))
        }
        return l
    }
}

extension ProfileResolver {
    /// The merged profile with the command line's layer applied last.
    public func applying(_ layer: ProfileLayer, to profile: Profile) throws -> Profile {
        var p = profile
        try apply(layer, to: &p)
        return p
    }
}
