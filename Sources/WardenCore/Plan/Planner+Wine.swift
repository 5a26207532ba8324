// The Wine autostart check's part of the plan: which prefix the game uses, where it lies on the
// host, and where a wineserver serving it would keep its socket.

extension Planner {
    /// The game's prefix as it sees it: `WINEPREFIX` of its environment, else Proton's `pfx` below
    /// `STEAM_COMPAT_DATA_PATH`, else `~/.wine`; nil when no host folder holds it writable (a
    /// tmpfs, a read-only or copy-on-write bind: nothing there outlives the session or changes).
    func wineAutostart(_ b: inout Builder, environment: [EnvironmentVariable]) -> WineAutostartPlan? {
        func env(_ name: String) -> String? { environment.first { $0.name == name }?.value }
        let sandboxPrefix: String
        if let p = env("WINEPREFIX"), p.hasPrefix("/") { sandboxPrefix = Paths.normalize(p) }
        else if let data = env("STEAM_COMPAT_DATA_PATH"), data.hasPrefix("/") { sandboxPrefix = Paths.join(data, "pfx") }
        else { sandboxPrefix = Paths.join(home, ".wine") }
        guard !Paths.hasParentReference(sandboxPrefix) else { return nil }
        guard let (prefix, bindSource) = b.writableHostPath(forSandbox: sandboxPrefix) else {
            if b.lastMount(covering: sandboxPrefix)?.kind == .overlayBind {
                b.notes.append("Wine autostart: the prefix \(sandboxPrefix) is copy-on-write; its Run keys and Startup folders are not checked")
            }
            return nil
        }
        var folders = ["/tmp"]
        if let (inside, _) = b.writableHostPath(forSandbox: "/tmp"), !folders.contains(inside) { folders.append(inside) }
        return WineAutostartPlan(prefix: prefix, sandboxPrefix: sandboxPrefix, bindSource: bindSource, keep: profile.keepAutostart.value,
                                 keepOrigin: profile.keepAutostart.origin.description, temporaryFolders: folders, uid: context.user.uid)
    }
}

extension Planner.Builder {
    /// The host path behind a sandbox path, and the bind source it lies in, when the last mount
    /// covering it is a writable bind.
    func writableHostPath(forSandbox path: String) -> (String, source: String)? {
        guard let m = lastMount(covering: path), m.kind == .bind || m.kind == .anchor, let source = m.source else { return nil }
        return (Paths.rebase(path, from: m.destination, to: source), source)
    }

    /// The mount that decides what a sandbox path is (a remount changes only flags, so it is passed over).
    func lastMount(covering path: String) -> MountStep? {
        mounts.last { Paths.isWithin(path, $0.destination) && $0.kind != .remountReadOnly }
    }
}
