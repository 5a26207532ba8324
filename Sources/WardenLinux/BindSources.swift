import Glibc
import CLinux
import WardenCore

/// Opens every bind source of a plan without following symlinks (DESIGN lesson 10): a source inside
/// a folder the game can write is resolved beneath that folder with no symlink allowed on the way,
/// so a link planted during an earlier run cannot redirect a bind to, say, ~/.ssh.
public struct BindSources {
    /// Mount index → open O_PATH descriptor.
    public private(set) var descriptors: [Int: Int32] = [:]

    public static func open(_ plan: SandboxPlan) throws -> BindSources {
        var out = BindSources()
        let writable = plan.mounts.filter { $0.kind == .bind }.compactMap(\.source)
        do {
            for (i, m) in plan.mounts.enumerated() where m.bindsHostPath {
                guard let source = m.source else { continue }
                out.descriptors[i] = try openSource(source, writable: writable)
            }
        } catch {
            out.closeAll()
            throw error
        }
        return out
    }

    static func openSource(_ source: String, writable: [String]) throws -> Int32 {
        let enclosing = writable.filter { Paths.isWithin(source, $0) && $0 != source }.max { $0.count < $1.count }
        if let base = enclosing {
            let baseFD = ww_open_path_nofollow(base)
            guard baseFD >= 0 else { throw failure(base, errno) }
            defer { close(baseFD) }
            let rel = String(source.dropFirst(base == "/" ? 1 : base.count + 1))
            let fd = ww_open_beneath(baseFD, rel)
            guard fd >= 0 else {
                if errno == ELOOP || errno == EXDEV {
                    throw WardenError(.policy, "\(source) goes through a symbolic link inside \(base), which the game can write; ww will not follow it (it could point at your private files). Remove the link or name the real folder")
                }
                throw failure(source, errno)
            }
            return fd
        }
        let fd = ww_open_path_nofollow(source)
        guard fd >= 0 else { throw failure(source, errno) }
        if ww_fd_is_symlink(fd) == 1 {
            close(fd)
            let target = RealFileSystem().canonical(source) ?? "its target"
            throw WardenError(.policy, "\(source) is a symbolic link; ww does not follow links in bind sources, so name \(target) instead")
        }
        return fd
    }

    static func failure(_ path: String, _ code: Int32) -> WardenError {
        WardenError(.launch, "cannot open \(path) for the sandbox: \(String(cString: strerror(code))); check that it exists and that you can read it")
    }

    public func closeAll() {
        for fd in descriptors.values { close(fd) }
    }
}
