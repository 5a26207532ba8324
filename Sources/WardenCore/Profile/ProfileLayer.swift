/// One profile file, validated but not merged: every field optional, lists as edits.
public struct ProfileLayer: Sendable {
    public struct ListEdit: Sendable, Equatable {
        public var text: String
        public var remove: Bool
        public var create: Bool
        public var origin: SourceLocation
    }

    public var name: String
    public var path: String
    public var extends: [Traced<String>] = []
    public var description: String?
    public var match = ProfileMatch()

    public var home: Traced<HomeMode>?
    public var readOnly: [ListEdit] = []
    public var readWrite: [ListEdit] = []
    public var hidden: [ListEdit] = []
    public var copyOnWrite: [ListEdit] = []
    public var gpu, gamepads, sound, ntsync: Traced<Bool>?
    public var extraDevices: [ListEdit] = []
    public var x11, wayland, pulseaudio, pipewire, discordIPC: Traced<Bool>?
    public var dbus: Traced<DBusMode>?
    public var dbusTalk: [ListEdit] = []
    public var dbusCall: [ListEdit] = []
    public var pid, ipc: Traced<NamespaceSharing>?
    public var nestedSandbox: Traced<Bool>?
    public var steamClient: Traced<Bool>?
    public var decoys: Traced<Bool>?
    public var network: Traced<NetworkMode>?
    public var allowDomains: [ListEdit] = []
    public var denyDomains: [ListEdit] = []
    public var denyDestinations: [ListEdit] = []
    public var inboundPorts: [ListEdit] = []
    public var rateLimit: Traced<Int>?
    public var upstreamDNS: Traced<String>?
    public var upstreamProxy: Traced<String>?
    public var idleTimeout: Traced<Int>?
    public var allowLocal: [ListEdit] = []
    public var unsafeAllowRemoteProxy: Traced<Bool>?
    public var seccompAllow: [ListEdit] = []
    public var seccompDeny: [ListEdit] = []
    public var landlock: Traced<LandlockMode>?
    public var allowedPatterns: [ListEdit] = []
    public var blockedPatterns: [ListEdit] = []
    public var allowShellExecution: Traced<Bool>?
    public var maxChildProcesses: Traced<Int>?
    public var allowAnonymousExec: Traced<Bool>?
    public var environmentSet: [String: Traced<String>] = [:]
    public var environmentUnset: [Traced<String>] = []
    public var trustTier: Traced<TrustTier>?
    public var keepAutostart: Traced<Bool>?
}

/// Reads a profile file into a `ProfileLayer`, collecting every problem with `file:line` and a hint.
public struct ProfileParser {
    public static let sections: [String: [String]] = [
        "match": ["steam_app_ids", "executables", "prefixes"],
        "filesystem": ["home", "read_only", "read_write", "hidden", "copy_on_write", "steam_client", "decoys"],
        "devices": ["gpu", "gamepads", "sound", "ntsync", "extra"],
        "desktop": ["x11", "wayland", "pulseaudio", "pipewire", "discord_ipc", "dbus", "dbus_talk", "dbus_call"],
        "namespaces": ["pid", "ipc", "nested_sandbox"],
        "network": ["mode", "allow_domains", "deny_domains", "deny_destinations", "inbound_ports", "rate_limit",
                    "upstream_dns", "upstream_proxy", "unsafe_allow_remote_proxy", "idle_timeout", "allow_local"],
        "environment": ["set", "unset"],
        "seccomp": ["allow", "deny"],
        "landlock": ["mode"],
        "process": ["allowed_patterns", "blocked_patterns", "allow_shell_execution", "max_child_processes", "allow_anonymous_exec"],
        "trust": ["tier"],
        "wine": ["keep_autostart"],
    ]
    public static let topLevel = ["extends", "description"]

    let doc: TOMLDocument
    var problems: [String] = []

    public static func parse(name: String, path: String, text: String) throws -> ProfileLayer {
        let doc = try TOMLDocument(path: path, text: text)
        var parser = ProfileParser(doc: doc)
        let layer = parser.layer(name: name)
        if !parser.problems.isEmpty { throw WardenError(.profile, parser.problems.joined(separator: "\n")) }
        return layer
    }

    mutating func fail(_ key: [String], element: Int? = nil, _ sentence: String) {
        problems.append("\(doc.location(key, element: element)): \(sentence)")
    }

    mutating func layer(name: String) -> ProfileLayer {
        var layer = ProfileLayer(name: name, path: doc.path)
        for key in doc.root.keys.sorted() {
            let value = doc.root[key]!
            if Self.topLevel.contains(key) {
                switch (key, value) {
                case ("extends", .string(let s)): layer.extends = [Traced(s, doc.location([key]))]
                case ("extends", .array(let items)):
                    for (i, item) in items.enumerated() {
                        if case .string(let s) = item { layer.extends.append(Traced(s, doc.location([key], element: i))) }
                        else { fail([key], element: i, "extends entries must be profile names (strings), not \(item.typeName)") }
                    }
                case ("description", .string(let s)): layer.description = s
                default: fail([key], "'\(key)' must be \(key == "extends" ? "a profile name or a list of names" : "a string"), not \(value.typeName)")
                }
                continue
            }
            guard let known = Self.sections[key] else {
                fail([key], "unknown key '\(key)'\(Self.suggestion(key, Self.topLevel + Self.sections.keys.sorted())); known sections: \(Self.sections.keys.sorted().map { "[\($0)]" }.joined(separator: ", "))")
                continue
            }
            guard case .table(let table) = value else { fail([key], "'\(key)' must be a table ([\(key)]), not \(value.typeName)"); continue }
            for sub in table.keys.sorted() where !known.contains(sub) {
                fail([key, sub], "unknown key '\(sub)' in [\(key)]\(Self.suggestion(sub, known)); known keys: \(known.joined(separator: ", "))")
            }
            read(section: key, table, into: &layer)
        }
        return layer
    }

    static func suggestion(_ word: String, _ candidates: [String]) -> String {
        let best = candidates.map { ($0, editDistance($0, word)) }.min { $0.1 < $1.1 }
        guard let (name, d) = best, d <= max(2, word.count / 3) else { return "" }
        return " (did you mean '\(name)'?)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var prev = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return a.isEmpty ? b.count : prev[b.count]
    }

    mutating func bool(_ t: [String: TOMLNode], _ section: String, _ key: String) -> Traced<Bool>? {
        guard let v = t[key] else { return nil }
        guard case .bool(let b) = v else { fail([section, key], "'\(key)' must be true or false, not \(v.typeName)"); return nil }
        return Traced(b, doc.location([section, key]))
    }

    mutating func choice<E: RawRepresentable & CaseIterable & Sendable & Equatable>(_ t: [String: TOMLNode], _ section: String, _ key: String, _: E.Type) -> Traced<E>? where E.RawValue == String {
        guard let v = t[key] else { return nil }
        let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = v else { fail([section, key], "'\(key)' must be one of \(allowed), not \(v.typeName)"); return nil }
        guard let e = E(rawValue: s) else { fail([section, key], "'\(key)' is \"\(s)\"; it must be one of \(allowed)"); return nil }
        return Traced(e, doc.location([section, key]))
    }

    mutating func strings(_ t: [String: TOMLNode], _ section: String, _ key: String) -> [(String, Int)] {
        guard let v = t[key] else { return [] }
        guard case .array(let items) = v else { fail([section, key], "'\(key)' must be a list of strings, not \(v.typeName)"); return [] }
        var out: [(String, Int)] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item { out.append((s, i)) } else { fail([section, key], element: i, "'\(key)' entries must be strings, not \(item.typeName)") }
        }
        return out
    }

    /// Path lists: strings, `-path` to remove an inherited entry, or `{ path = "…", create = true }` for read_write.
    mutating func paths(_ t: [String: TOMLNode], _ section: String, _ key: String, use: PathPolicy.Use) -> [ProfileLayer.ListEdit] {
        guard let v = t[key] else { return [] }
        guard case .array(let items) = v else { fail([section, key], "'\(key)' must be a list of paths, not \(v.typeName)"); return [] }
        var out: [ProfileLayer.ListEdit] = []
        for (i, item) in items.enumerated() {
            var text: String
            var create = false
            switch item {
            case .string(let s): text = s
            case .table(let inline) where use == .readWrite:
                for k in inline.keys.sorted() where k != "path" && k != "create" {
                    fail([section, key], element: i, "unknown key '\(k)' in a read_write entry; known keys: path, create")
                }
                guard case .string(let s)? = inline["path"] else { fail([section, key], element: i, "a read_write entry needs path = \"…\""); continue }
                if let c = inline["create"] {
                    guard case .bool(let b) = c else { fail([section, key], element: i, "'create' must be true or false"); continue }
                    create = b
                }
                text = s
            default:
                fail([section, key], element: i, "'\(key)' entries must be path strings\(use == .readWrite ? " or { path = \"…\", create = true }" : ""), not \(item.typeName)")
                continue
            }
            let remove = text.hasPrefix("-")
            if remove { text.removeFirst() }
            for p in PathPolicy.lexicalProblems(text, allowGlob: use == .hidden) {
                fail([section, key], element: i, "\(key) entry \"\(text)\" \(p.sentence)")
            }
            out.append(.init(text: text, remove: remove, create: create, origin: doc.location([section, key], element: i)))
        }
        return out
    }

    /// `[seccomp] allow/deny`: syscall names or `@groups`; `-entry` removes an inherited one.
    mutating func syscalls(_ t: [String: TOMLNode], _ key: String) -> [ProfileLayer.ListEdit] {
        strings(t, "seccomp", key).compactMap { (text, i) in
            let remove = text.hasPrefix("-")
            let name = remove ? String(text.dropFirst()) : text
            for p in SyscallGroups.problems(name, allow: key == "allow") {
                fail(["seccomp", key], element: i, "\(key) entry \"\(name)\" \(p)")
                return nil
            }
            return .init(text: name, remove: remove, create: false, origin: doc.location(["seccomp", key], element: i))
        }
    }

    /// `[process]` pattern lists: wildcards (`*`, `?`, `[…]`); `-entry` removes an inherited one.
    mutating func patterns(_ t: [String: TOMLNode], _ section: String, _ key: String) -> [ProfileLayer.ListEdit] {
        strings(t, section, key).compactMap { (text, i) in
            let remove = text.hasPrefix("-")
            let pattern = remove ? String(text.dropFirst()) : text
            if pattern.isEmpty || pattern.contains("\0") {
                fail([section, key], element: i, "\(key) entries must be non-empty patterns such as \"*nc*\" or \"/usr/bin/*\"")
                return nil
            }
            return .init(text: pattern, remove: remove, create: false, origin: doc.location([section, key], element: i))
        }
    }

    /// `[network]` lists and values; each entry is checked here so a typo fails before anything starts.
    /// A list of strings where `-entry` removes an inherited entry; each entry checked by `check`.
    mutating func edits(_ t: [String: TOMLNode], _ section: String, _ key: String, check: (String) -> String?) -> [ProfileLayer.ListEdit] {
        strings(t, section, key).compactMap { (text, i) in
            let remove = text.hasPrefix("-")
            let entry = remove ? String(text.dropFirst()) : text
            if let problem = check(entry) { fail([section, key], element: i, "\(key) entry \"\(entry)\" \(problem)"); return nil }
            return .init(text: entry, remove: remove, create: false, origin: doc.location([section, key], element: i))
        }
    }

    mutating func readNetwork(_ t: [String: TOMLNode], into layer: inout ProfileLayer) {
        func edits(_ key: String, check: (String) -> String?) -> [ProfileLayer.ListEdit] {
            self.edits(t, "network", key, check: check)
        }
        let domain: (String) -> String? = { e in
            if case .failure(let f) = DomainPattern.parse(e) { return f.sentence + " (write example.com, *.example.com, *, an address or a CIDR range)" }
            return nil
        }
        layer.allowDomains = edits("allow_domains", check: domain)
        layer.denyDomains = edits("deny_domains", check: domain)
        layer.denyDestinations = edits("deny_destinations") { e in
            DestinationRule.parse(e) == nil ? "is not an address range with an optional port (10.0.0.0/8, 192.0.2.1:25, [2001:db8::/32]:443, *:25)" : nil
        }
        if let v = t["inbound_ports"] {
            guard case .array(let items) = v else { fail(["network", "inbound_ports"], "'inbound_ports' must be a list of port numbers, not \(v.typeName)"); return }
            for (i, item) in items.enumerated() {
                switch item {
                case .integer(let n) where (1...65535).contains(n):
                    layer.inboundPorts.append(.init(text: String(n), remove: false, create: false, origin: doc.location(["network", "inbound_ports"], element: i)))
                case .integer(let n) where (-65535 ... -1).contains(n):
                    layer.inboundPorts.append(.init(text: String(-n), remove: true, create: false, origin: doc.location(["network", "inbound_ports"], element: i)))
                default:
                    fail(["network", "inbound_ports"], element: i, "inbound_ports entries must be port numbers from 1 to 65535 (a negative number removes an inherited port), not \(item.typeName == "integer" ? "\(item)" : item.typeName)")
                }
            }
        }
        if let v = t["rate_limit"] {
            if case .integer(let n) = v, (1...1_000_000).contains(n) { layer.rateLimit = Traced(Int(n), doc.location(["network", "rate_limit"])) }
            else { fail(["network", "rate_limit"], "'rate_limit' must be a whole number of new connections per second per process, from 1 to 1000000") }
        }
        if let v = t["upstream_dns"] {
            if case .string(let s) = v, NetworkEndpoint.parse(s, defaultPort: 53)?.address != nil {
                layer.upstreamDNS = Traced(s, doc.location(["network", "upstream_dns"]))
            } else { fail(["network", "upstream_dns"], "'upstream_dns' must be an address with an optional port, such as \"192.0.2.53\" or \"[2001:db8::53]:5353\"") }
        }
        if let v = t["upstream_proxy"] {
            if case .string(let s) = v, let e = NetworkEndpoint.parse(s, defaultPort: nil), e.port != nil, !e.host.isEmpty {
                layer.upstreamProxy = Traced(s, doc.location(["network", "upstream_proxy"]))
            } else { fail(["network", "upstream_proxy"], "'upstream_proxy' must be host:port of an HTTP proxy that accepts CONNECT, such as \"127.0.0.1:3128\"") }
        }
        layer.unsafeAllowRemoteProxy = bool(t, "network", "unsafe_allow_remote_proxy")
        if let v = t["idle_timeout"] {
            if case .integer(let n) = v, (1...3600).contains(n) { layer.idleTimeout = Traced(Int(n), doc.location(["network", "idle_timeout"])) }
            else { fail(["network", "idle_timeout"], "'idle_timeout' must be a whole number of seconds from 1 to 3600 (how long the proxy waits for a connected client's request)") }
        }
        layer.allowLocal = edits("allow_local") { e in
            LocalAllowance.parse(e) == nil ? "is not an address of this machine or its network with an optional port (192.168.1.10:27015, 10.0.0.0/24, [fd00::5]:443)" : nil
        }
    }

    mutating func read(section: String, _ t: [String: TOMLNode], into layer: inout ProfileLayer) {
        switch section {
        case "match":
            if let v = t["steam_app_ids"] {
                if case .array(let items) = v {
                    for (i, item) in items.enumerated() {
                        if case .integer(let n) = item, n > 0 { layer.match.steamAppIDs.append(UInt64(n)) }
                        else { fail(["match", "steam_app_ids"], element: i, "steam_app_ids entries must be positive integers, not \(item.typeName)") }
                    }
                } else { fail(["match", "steam_app_ids"], "'steam_app_ids' must be a list of integers, not \(v.typeName)") }
            }
            layer.match.executables = strings(t, section, "executables").map(\.0)
            for (p, i) in strings(t, section, "prefixes") {
                for problem in PathPolicy.lexicalProblems(p, allowGlob: true) where problem != .globNotLast {
                    fail(["match", "prefixes"], element: i, "prefixes entry \"\(p)\" \(problem.sentence)")
                }
                layer.match.prefixes.append(p)
            }
        case "filesystem":
            layer.home = choice(t, section, "home", HomeMode.self)
            layer.readOnly = paths(t, section, "read_only", use: .readOnly)
            layer.readWrite = paths(t, section, "read_write", use: .readWrite)
            layer.hidden = paths(t, section, "hidden", use: .hidden)
            layer.copyOnWrite = paths(t, section, "copy_on_write", use: .readWrite)
            layer.steamClient = bool(t, section, "steam_client")
            layer.decoys = bool(t, section, "decoys")
        case "devices":
            layer.gpu = bool(t, section, "gpu")
            layer.gamepads = bool(t, section, "gamepads")
            layer.sound = bool(t, section, "sound")
            layer.ntsync = bool(t, section, "ntsync")
            layer.extraDevices = paths(t, section, "extra", use: .device)
            for edit in layer.extraDevices {
                for p in PathPolicy.expandedProblems(edit.text, use: .device, home: "/nonexistent-home") {
                    problems.append("\(edit.origin): extra device \"\(edit.text)\" \(p.sentence)")
                }
            }
        case "desktop":
            layer.x11 = bool(t, section, "x11")
            layer.wayland = bool(t, section, "wayland")
            layer.pulseaudio = bool(t, section, "pulseaudio")
            layer.pipewire = bool(t, section, "pipewire")
            layer.discordIPC = bool(t, section, "discord_ipc")
            layer.dbus = choice(t, section, "dbus", DBusMode.self)
            layer.dbusTalk = edits(t, "desktop", "dbus_talk", check: DBusPolicy.nameProblem)
            layer.dbusCall = edits(t, "desktop", "dbus_call", check: DBusPolicy.callProblem)
        case "namespaces":
            layer.pid = choice(t, section, "pid", NamespaceSharing.self)
            layer.ipc = choice(t, section, "ipc", NamespaceSharing.self)
            layer.nestedSandbox = bool(t, section, "nested_sandbox")
        case "network":
            layer.network = choice(t, section, "mode", NetworkMode.self)
            readNetwork(t, into: &layer)
        case "seccomp":
            layer.seccompAllow = syscalls(t, "allow")
            layer.seccompDeny = syscalls(t, "deny")
        case "landlock":
            layer.landlock = choice(t, section, "mode", LandlockMode.self)
        case "trust":
            layer.trustTier = choice(t, section, "tier", TrustTier.self)
        case "wine":
            layer.keepAutostart = bool(t, section, "keep_autostart")
        case "process":
            layer.allowedPatterns = patterns(t, section, "allowed_patterns")
            layer.blockedPatterns = patterns(t, section, "blocked_patterns")
            layer.allowShellExecution = bool(t, section, "allow_shell_execution")
            layer.allowAnonymousExec = bool(t, section, "allow_anonymous_exec")
            if let v = t["max_child_processes"] {
                if case .integer(let n) = v, n >= 1, n <= 100_000 {
                    layer.maxChildProcesses = Traced(Int(n), doc.location([section, "max_child_processes"]))
                } else {
                    fail([section, "max_child_processes"], "'max_child_processes' must be a whole number from 1 to 100000")
                }
            }
        case "environment":
            if let v = t["set"] {
                if case .table(let vars) = v {
                    for name in vars.keys.sorted() {
                        if case .string(let s)? = vars[name], EnvironmentPolicy.isValidName(name) {
                            layer.environmentSet[name] = Traced(s, doc.location(["environment", "set", name]))
                        } else { fail(["environment", "set", name], "environment.set.\(name) must be a string with a valid variable name") }
                    }
                } else { fail(["environment", "set"], "'set' must be a table of NAME = \"value\", not \(v.typeName)") }
            }
            for (name, i) in strings(t, section, "unset") {
                layer.environmentUnset.append(Traced(name, doc.location(["environment", "unset"], element: i)))
            }
        default: break
        }
    }
}
