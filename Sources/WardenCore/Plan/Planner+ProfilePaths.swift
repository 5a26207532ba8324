// The profile's own paths: read_only, copy_on_write (overlays) and read_write binds, with variables
// (and Steam's list variables) expanded and checked for this launch.

extension Planner {
    /// The paths a rule names for this launch: none when a variable is unset, one per entry when it
    /// names a list variable (`${STEAM_COMPAT_TOOL_PATHS}/var`).
    func expandForUse(_ rule: PathRule, _ use: PathPolicy.Use, _ b: inout Builder) throws -> [String] {
        let lists = listVariables
        guard let listName = PathPolicy.variables(in: rule.text).first(where: { Self.listVariableNames.contains($0) }) else {
            return try expandOne(rule, use, variables, &b).map { [$0] } ?? []
        }
        guard let entries = lists[listName] else {
            b.notes.append("\(rule.text) (\(rule.origin)) skipped: $\(listName) is not set for this launch")
            return []
        }
        var out: [String] = []
        for entry in entries {
            var vars = variables
            vars[listName] = entry
            if let p = try expandOne(rule, use, vars, &b), !out.contains(p) { out.append(p) }
        }
        return out
    }

    func expandOne(_ rule: PathRule, _ use: PathPolicy.Use, _ vars: [String: String], _ b: inout Builder) throws -> String? {
        switch PathPolicy.expand(rule.text, variables: vars) {
        case .unset(let name):
            b.notes.append("\(rule.text) (\(rule.origin)) skipped: $\(name) is not set for this launch")
            return nil
        case .path(let path):
            let problems = PathPolicy.expandedProblems(path, use: use, home: home)
            let derived = PathPolicy.variables(in: rule.text).contains { $0 != "HOME" }
            if !problems.isEmpty {
                // A folder derived from the launch (the game's folder is /usr/bin for `ww -- true`) is
                // skipped; a path the user wrote is an error.
                if derived {
                    b.notes.append("\(rule.text) = \(path) (\(rule.origin)) not granted: it \(problems[0].sentence)")
                    return nil
                }
                throw WardenError(.policy, "\(rule.origin): \(rule.text) \(problems[0].sentence)")
            }
            if SensitivePaths.persistenceFiles.contains(where: { Paths.isWithin(path, Paths.join(home, $0)) }) ||
                (use == .readWrite && SensitivePaths.persistenceDirectories.contains(where: { Paths.isWithin(path, Paths.join(home, $0)) })) {
                throw WardenError(.policy, "\(rule.origin): \(rule.text) is a place malware uses to start again outside the sandbox (autostart, shell startup files); it is never writable")
            }
            return path
        }
    }

    func addProfilePaths(_ b: inout Builder) throws {
        for rule in profile.readOnly {
            for path in try expandForUse(rule, .readOnly, &b) {
                guard fs.kind(path) != nil else { b.notes.append("read-only \(path) (\(rule.origin)) does not exist: skipped"); continue }
                b.add(.readOnlyBind, source: path, path, reason: "read_only (\(rule.origin))")
            }
        }
        // Copy-on-write folders: ww mounts an overlay (the folder below, a per-game upper layer on top)
        // before bwrap and binds it where the folder is; the folder itself is never written.
        var cow: [String] = []
        for rule in profile.copyOnWrite {
            let derived = PathPolicy.variables(in: rule.text).contains { $0 != "HOME" }
            for path in try expandForUse(rule, .readWrite, &b) where !cow.contains(path) {
                switch fs.kind(path) {
                case .directory?: cow.append(path)
                case .symlink?:
                    throw WardenError(.policy, "\(rule.origin): copy_on_write \(rule.text) = \(path) is a symbolic link; name the real folder (\(fs.canonical(path) ?? "its target"))")
                case nil where derived:
                    b.notes.append("copy_on_write \(path) (\(rule.origin)) does not exist: skipped")
                default:
                    throw WardenError(.policy, "\(rule.origin): copy_on_write \(path) is not an existing folder; copy-on-write works on folders")
                }
            }
        }
        for path in cow {
            let layer = CopyOnWriteLayer(original: path, layerDirectory: Paths.join(host.dataDirectory, "cow/\(identity.id)/\(StableHash.hex(path))"))
            b.copyOnWrite.append(layer)
            b.directoriesToCreate += [layer.upper, layer.work, layer.merged]
            b.add(.overlayBind, source: layer.merged, path, reason: "copy-on-write: changes land in \(layer.upper), \(path) stays as it is")
        }
        var writable: [(path: String, rule: PathRule)] = []
        for rule in profile.readWrite {
            let fromList = PathPolicy.variables(in: rule.text).contains { Self.listVariableNames.contains($0) }
            for path in try expandForUse(rule, .readWrite, &b) {
                if fs.kind(path) == nil {
                    if fromList && !rule.create {
                        // One entry of Steam's list lacks the folder (Proton has no var/, the runtime has).
                        b.notes.append("read-write \(path) (\(rule.origin)) does not exist: skipped")
                        continue
                    }
                    guard rule.create else {
                        throw WardenError(.policy, "\(rule.origin): read-write path \(path) does not exist; create it, or write { path = \"\(rule.text)\", create = true }")
                    }
                    b.directoriesToCreate.append(path)
                }
                if cow.contains(path) {
                    b.notes.append("\(path) (\(rule.origin)) is copy-on-write instead of read-write")
                    continue
                }
                if let outer = cow.first(where: { Paths.isWithin(path, $0) }) {
                    b.notes.append("\(path) (\(rule.origin)) is read-write inside the copy-on-write folder \(outer): writes there reach the real folder")
                }
                writable.append((path, rule))
            }
        }
        // A writable folder inside another writable folder is already granted; binding it again would
        // open its source through a path the game could have swapped for a symlink.
        for (i, entry) in writable.enumerated() {
            if writable.enumerated().contains(where: { $0.offset != i && Paths.isWithin(entry.path, $0.element.path) && ($0.element.path != entry.path || $0.offset < i) }) {
                b.notes.append("\(entry.path) is inside another read-write folder: already granted")
                continue
            }
            b.add(.bind, source: entry.path, entry.path, reason: "read_write (\(entry.rule.text), \(entry.rule.origin))")
        }
    }
}
