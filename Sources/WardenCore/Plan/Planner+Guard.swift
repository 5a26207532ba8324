// Security-critical: ww's own state (config, database, trails, journals, captures, sockets) never
// visible to the game, and the folders of a writable real home that hold protected paths made mount
// points, so renaming one (`mv ~/.config ~/.x`) cannot carry a hidden path, a persistence target or
// ww's state out from under the mount that protects it (issue 17).

extension Planner {
    /// An XDG base folder of the launch (`XDG_CONFIG_HOME`…) when set to an absolute path, else its default below the home.
    func xdg(_ name: String, _ fallback: String) -> String {
        if let v = context.env(name), v.hasPrefix("/") { return Paths.normalize(v) }
        return Paths.join(home, fallback)
    }

    /// ww's folders on the host (SPEC §3, with the XDG overrides `WardenDirectories` reads): config,
    /// data (database, virtual homes, layers), state (trails, journals, captures), live sockets.
    var wardenStateFolders: [String] {
        let folders = [Paths.join(xdg("XDG_CONFIG_HOME", ".config"), "winewarden"), host.dataDirectory,
                       Paths.join(xdg("XDG_STATE_HOME", ".local/state"), "winewarden"), Paths.dirname(host.sessionDirectory)]
        return folders.reduce(into: []) { out, f in if !out.contains(f) { out.append(f) } }
    }

    /// An empty, unreadable, read-only folder wherever a bind shows one of ww's folders (a real home,
    /// a profile path above them). A folder ww has not made yet is made first, so the mount has a place.
    func addWardenState(_ b: inout Builder) {
        let binds = b.mounts.filter { ($0.kind == .readOnlyBind || $0.kind == .bind || $0.kind == .overlayBind) && $0.source != nil }
        for folder in wardenStateFolders {
            let forms = Set([folder, fs.canonical(folder) ?? folder])
            for m in binds {
                guard let src = m.kind == .overlayBind ? m.destination : m.source else { continue }
                for form in forms.sorted() where Paths.isWithin(form, src) && form != src {
                    let dest = Paths.rebase(form, from: src, to: m.destination)
                    if fs.kind(form) == nil && !b.directoriesToCreate.contains(form) { b.directoriesToCreate.append(form) }
                    b.hide(dest, kind: .directory, reason: "ww's own state (\(folder)): never visible to the game")
                    b.guardPath(dest, .wardenState, standsFor: form)
                }
            }
        }
    }

    /// Binds each folder between a writable real bind (the home with `home = "host"`, a profile's
    /// read-write path) and a guarded path below it onto itself, right after that bind and before
    /// the mounts inside it. ww's own folders (virtual homes, the game's /tmp) hold nothing real.
    func addAnchors(_ b: inout Builder) -> PathGuard {
        let guardPlan = PathGuard(entries: b.guarded, roots: [home] + b.mounts.filter { $0.kind == .bind && $0.destination != home }.map(\.destination))
        var index = 0
        while index < b.mounts.count {
            let m = b.mounts[index]
            index += 1
            guard m.kind == .bind, let src = m.source, m.destination != "/tmp", m.destination != "/dev/shm",
                  !Paths.isWithin(src, host.dataDirectory) else { continue }
            let later = b.mounts[index...].filter { $0.kind != .remountReadOnly && $0.kind != .dir && $0.kind != .symlink }
            var anchors: [MountStep] = []
            for dest in guardPlan.ancestors(below: m.destination) {
                // A later mount decides what is there (the Steam client, a profile path): it needs no anchor.
                if later.contains(where: { Paths.isWithin(dest, $0.destination) }) { continue }
                let hostPath = Paths.rebase(dest, from: m.destination, to: src)
                switch fs.kind(hostPath) {
                case .directory?: break
                case nil: if !b.directoriesToCreate.contains(hostPath) { b.directoriesToCreate.append(hostPath) }
                default: continue   // a link or a file: renaming it moves nothing the plan protects
                }
                anchors.append(MountStep(.anchor, source: hostPath, dest, reason: "holds protected paths: a mount point, so it cannot be renamed or removed"))
            }
            b.mounts.insert(contentsOf: anchors, at: index)
            index += anchors.count
        }
        return guardPlan
    }
}
