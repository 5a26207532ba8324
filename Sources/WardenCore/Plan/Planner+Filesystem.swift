// The filesystem base of the plan: read-only system folders, /proc and /dev, the home folder (virtual,
// real read-only or real read-write), the private /tmp, an empty runtime folder, and ww's own binary.

extension Planner {
    func addSystemFolders(_ b: inout Builder) {
        b.add(.readOnlyBind, source: "/usr", "/usr", reason: "system")
        for dir in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            switch fs.kind(dir) {
            case .symlink?: b.add(.symlink, source: fs.symlinkTarget(dir), dir, reason: "system link")
            case .directory?: b.add(.readOnlyBind, source: dir, dir, reason: "system")
            default: break
            }
        }
        b.add(.readOnlyBind, source: "/etc", "/etc", reason: "system configuration")
        for dir in ["/sys/block", "/sys/bus", "/sys/class", "/sys/dev", "/sys/devices"] where fs.kind(dir) == .directory {
            b.add(.readOnlyBind, source: dir, dir, reason: "hardware discovery (GPU, gamepads)")
        }
        b.add(.proc, "/proc", reason: "processes of this sandbox")
        b.add(.dev, "/dev", reason: "minimal /dev (null, zero, random, tty, pts, shm)")
    }

    /// The home folder per `home`, the private /tmp, an empty $XDG_RUNTIME_DIR; returns the runtime folder.
    func addHome(_ b: inout Builder) -> String? {
        let vhome = Paths.join(virtualRoot, "home")
        let vtmp = Paths.join(virtualRoot, "tmp")
        // /tmp first: a home (or anything else) below /tmp is then mounted on top of it, not hidden by it.
        b.add(.bind, source: vtmp, "/tmp", reason: "private /tmp of \(identity.id), stable across runs (wineserver socket)")
        switch profile.home.value {
        case .virtual:
            b.directoriesToCreate += [vhome, vtmp]
            b.add(.bind, source: vhome, home, reason: "virtual home of \(identity.id) (\(profile.home.origin))")
        case .hostReadOnly:
            b.directoriesToCreate.append(vtmp)
            b.add(.readOnlyBind, source: home, home, reason: "real home, read-only (\(profile.home.origin))")
            b.warnings.append("home = host-ro: the game can read your real home folder except the hidden paths")
        case .host:
            b.directoriesToCreate.append(vtmp)
            b.add(.bind, source: home, home, reason: "real home, read-write (\(profile.home.origin))")
            b.warnings.append("home = host: the game can change your real home folder except the hidden and persistence paths")
        }
        let runtimeDir = context.env("XDG_RUNTIME_DIR").flatMap { $0.hasPrefix("/") ? Paths.normalize($0) : nil }
        if let rt = runtimeDir {
            b.add(.tmpfs, rt, permissions: "0700", reason: "empty runtime folder (no D-Bus, no agents)")
        }
        return runtimeDir
    }

    func addInnerHelper(_ b: inout Builder) {
        b.add(.readOnlyBind, source: host.wardenExecutable, Self.helperSandboxPath, reason: "inner helper (ww itself)")
        for dir in host.wardenLibraryDirectories where !b.isVisible(dir) {
            b.add(.readOnlyBind, source: dir, dir, reason: "libraries of the ww binary")
        }
    }
}
