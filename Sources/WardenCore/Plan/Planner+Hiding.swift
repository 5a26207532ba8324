// Security-critical: secrets hidden over whatever the binds exposed (the built-in list, Steam login
// files, the profile's `hidden`) and persistence targets (autostart, shell startup files) never writable.

extension Planner {
    /// Host paths to hide: the built-in list below $HOME plus the profile's `hidden`, expanded; globs
    /// are matched against one folder listing (never a tree walk).
    func hiddenHostPaths(_ b: inout Builder) -> [(String, String)] {
        var out: [(String, String)] = []
        var rules = SensitivePaths.alwaysHidden.map { (Paths.join(home, $0), "always hidden") }
            + SensitivePaths.systemHidden.map { ($0, "always hidden (system secret)") }
        if let client = context.env("STEAM_COMPAT_CLIENT_INSTALL_PATH"), client.hasPrefix("/") {
            rules += SensitivePaths.steamClientSecrets.map { (Paths.join(Paths.normalize(client), $0), "always hidden (Steam login)") }
        }
        for rule in profile.hidden {
            switch PathPolicy.expand(rule.text, variables: variables) {
            case .path(let p): rules.append((p, "hidden (\(rule.origin))"))
            case .unset(let n): b.notes.append("hidden \(rule.text) (\(rule.origin)) skipped: $\(n) is not set")
            }
        }
        for (path, why) in rules {
            if Glob.hasWildcards(Paths.basename(path)) {
                let dir = Paths.dirname(path)
                let glob = Glob(Paths.basename(path))
                for name in fs.list(dir).sorted() where glob.matches(name) { out.append((Paths.join(dir, name), why)) }
            } else if fs.kind(path) != nil {
                out.append((path, why))
            }
        }
        return out
    }

    func addHidden(_ b: inout Builder) {
        let binds = b.mounts.filter { ($0.kind == .readOnlyBind || $0.kind == .bind || $0.kind == .overlayBind) && $0.source != nil }
        let systemSecrets = Set(SensitivePaths.systemHidden.map(Paths.dirname))
        for (path, why) in hiddenHostPaths(&b) {
            let forms = Set([path, fs.canonical(path) ?? path])
            var destinations: [String] = []
            var kinds: [String: FileKind?] = [:]
            for m in binds {
                // An overlay shows its folder's content (and the changes) where the folder is.
                guard let src = m.kind == .overlayBind ? m.destination : m.source else { continue }
                for form in forms where Paths.isWithin(form, src) && form != src {
                    let dest = Paths.rebase(form, from: src, to: m.destination)
                    if !destinations.contains(dest) { destinations.append(dest); kinds[dest] = fs.kind(form) }
                }
            }
            let kind = fs.kind(path)
            // System files (/etc/shadow, sudoers, host keys) stay hidden: no game looks for a decoy there.
            if profile.decoys.value, kind == .file || kind == .directory, !systemSecrets.contains(Paths.dirname(path)) || Paths.isWithin(path, home) {
                // A virtual home is at your home's path: a secret of yours that no bind shows appears there as a decoy
                // (not inside ~/.steam, which holds only links to the Steam client there).
                if destinations.isEmpty, profile.home.value == .virtual, Paths.isWithin(path, home), path != home,
                   !Paths.isWithin(path, Paths.join(home, ".steam")) {
                    destinations = [path]
                }
                if !destinations.isEmpty {
                    addDecoy(&b, standsFor: path, isDirectory: kind == .directory, destinations: destinations, reason: "\(why): \(path)")
                    continue
                }
            }
            for dest in destinations {
                b.hide(dest, kind: kinds[dest] ?? kind, reason: "\(why): \(path)")
                b.guardPath(dest, .hidden, standsFor: path)
            }
        }
    }

    /// A decoy for `standsFor`, read-only at each destination, written by ww into the session folder.
    func addDecoy(_ b: inout Builder, standsFor: String, isDirectory: Bool, destinations all: [String], reason: String) {
        // The same secret reached by two rules (~/.steam/steam and the client folder it leads to): one decoy.
        let destinations = all.filter { dest in !b.mounts.contains { ($0.kind == .decoy || $0.kind == .hideFile || $0.kind == .tmpfs) && $0.destination == dest } }
        guard !destinations.isEmpty else { return }
        let relative = Paths.isWithin(standsFor, home) ? String(standsFor.dropFirst(home.count + 1)) : standsFor
        let kind = DecoyKind.of(relative: relative, isDirectory: isDirectory)
        let source = Paths.join(Paths.join(host.sessionDirectory, "decoys"), "\(b.decoys.count)-\(Paths.basename(standsFor))")
        b.decoys.append(DecoyPlan.Item(standsFor: standsFor, kind: kind, isDirectory: isDirectory, source: source, destinations: destinations))
        for dest in destinations {
            b.add(.decoy, source: source, dest, reason: "decoy (\(kind.rawValue)) for \(reason)")
            b.guardPath(dest, .decoy, standsFor: standsFor)
        }
    }

    /// Autostart folders and shell startup files are never writable where a bind exposes the real ones.
    /// In a virtual home they are the game's own copies, captured and put back at the end; in a real
    /// home (`host-ro`, `host`) each one is a session copy bound writable over it, captured the same
    /// way and dropped with the session (`PersistencePlan`); anywhere else they are hidden.
    func addPersistenceGuards(_ b: inout Builder) -> PersistencePlan {
        var capture = PersistencePlan()
        let realHome = b.mounts.contains { ($0.kind == .bind || $0.kind == .readOnlyBind) && $0.destination == home && $0.source == home }
        if profile.home.value != .virtual, realHome {
            capture = sessionCopies(&b)
        }
        let writable = b.mounts.filter { $0.kind == .bind && $0.source != nil && $0.destination != "/tmp" && $0.destination != "/dev/shm" }
        for m in writable {
            guard let src = m.source else { continue }
            let homeBind = m.destination == home
            if homeBind && profile.home.value == .virtual {
                capture = PersistencePlan(hostHome: src, sandboxHome: home, targets: PersistencePlan.targets())
                continue
            }
            if homeBind && capture.isCopy { continue }
            for rel in SensitivePaths.persistenceFiles + SensitivePaths.persistenceDirectories {
                let hostPath = homeBind ? Paths.join(src, rel) : Paths.join(home, rel)
                guard Paths.isWithin(hostPath, src), hostPath != src else { continue }
                let dest = Paths.rebase(hostPath, from: src, to: m.destination)
                let isDir = SensitivePaths.persistenceDirectories.contains(rel)
                let mechanism = PersistencePlan.targets().first { $0.relative == rel }?.mechanism
                b.guardPath(dest, .persistence, standsFor: hostPath, mechanism: mechanism)
                switch fs.kind(hostPath) {
                case nil:
                    if isDir { b.hide(dest, kind: .directory, reason: "persistence target, never writable") }
                    else { b.hide(dest, kind: .file, reason: "persistence target, never writable") }
                case let kind:
                    b.hide(dest, kind: kind, reason: "persistence target, never writable")
                }
            }
        }
        return capture
    }

    /// The real home's persistence targets as session copies: each existing shell file or folder (and,
    /// in a writable home, each missing folder: bwrap makes an empty one as the mount point) is bound
    /// from `<session>/persistence/<target>`, which ww fills from the real one before the game starts.
    /// A missing file stays missing: in `host-ro` the kernel refuses creating it (read-only), in `host`
    /// bwrap would have to create it in your real home (an empty `~/.bash_profile` changes what bash
    /// reads), so the plan says the game could create it.
    func sessionCopies(_ b: inout Builder) -> PersistencePlan {
        let copies = Paths.join(host.sessionDirectory, "persistence")
        var targets: [PersistencePlan.Target] = []
        for target in PersistencePlan.targets() {
            let real = Paths.join(home, target.relative)
            let kind = fs.kind(real)
            switch (kind, target.isDirectory) {
            case (.file?, false), (.directory?, true):
                break
            case (nil, true) where profile.home.value == .host:
                break
            case (nil, false) where profile.home.value == .host:
                b.notes.append("\(real) does not exist and could be created by the game (home = host)")
                continue
            case (nil, _), (.symlink?, _) where profile.home.value == .hostReadOnly:
                // Read-only already: nothing to create, and a link's target is not the home's to copy.
                continue
            case (let other?, _):
                // A link or a folder where a file belongs: never followed, never writable.
                b.hide(real, kind: other, reason: "persistence target (\(other.rawValue)), never writable")
                continue
            }
            targets.append(target)
            // The copy is the game's to change (captured at the end); renaming or replacing the target itself is refused.
            b.guardPath(real, .persistence, standsFor: real, mechanism: target.mechanism, namesInside: true)
            b.add(.sessionCopy, source: Paths.join(copies, target.relative), real, reason: "persistence target: a session copy, each change captured, your file untouched")
        }
        return PersistencePlan(hostHome: copies, sandboxHome: home, targets: targets, copiedFrom: home)
    }
}
