import Glibc
import WardenCore

/// Whether a program ww hands the sandbox to can be trusted not to have been swapped by the player's
/// own processes (or a game that escaped an earlier launch): root owns the file and every folder
/// above it, and neither group nor others can write any of them.
public enum TrustedPath {
    /// Inside a user namespace that does not map the host's root (ww run inside a container), root's
    /// files show as the overflow uid: owned by nobody ww's user can be, so as safe as root's.
    static let unmappedOwner: uid_t = RealFileSystem.readSmallFile("/proc/sys/kernel/overflowuid").flatMap { uid_t($0.filter(\.isNumber)) } ?? 65534
    static let insideUserNamespace: Bool = {
        let map = RealFileSystem.readSmallFile("/proc/self/uid_map") ?? ""
        return map.split(whereSeparator: \.isWhitespace) != ["0", "0", "4294967295"]
    }()

    /// nil: trusted; else why not, in a few words.
    public static func problem(_ path: String) -> String? {
        guard let real = RealFileSystem().canonical(path) else { return "cannot be resolved" }
        var current = real
        while true {
            var st = stat()
            guard stat(current, &st) == 0 else { return "cannot read \(current): \(ErrnoText.describe(errno))" }
            if st.st_uid != 0 && !(st.st_uid == unmappedOwner && insideUserNamespace) { return "\(current) is owned by uid \(st.st_uid), not root" }
            if st.st_mode & (S_IWGRP | S_IWOTH) != 0 { return "\(current) is writable by \(st.st_mode & S_IWOTH != 0 ? "anyone" : "its group")" }
            if current == "/" { return nil }
            current = Paths.dirname(current)
        }
    }
}

/// Which bwrap ww hands the sandbox to. System folders only: a `bwrap` earlier on the player's PATH
/// (or in any folder the player can write) could be replaced by anything running as the player, and
/// would then build the sandbox; such a one is used only when named with `--unsafe-bwrap`.
public enum BwrapLocator {
    public static let folders = ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"]

    /// The first bwrap in `folders` that root owns and nobody else can write (the file and every
    /// folder above it), or exactly `unsafe` when the player named one.
    public static func find(unsafe: String? = nil) throws -> String {
        if let explicit = unsafe {
            guard explicit.hasPrefix("/"), case .found(let p) = CommandResolver.resolve(explicit, path: nil, workingDirectory: "/") else {
                throw WardenError(.host, "bwrap not found at --unsafe-bwrap \(explicit): give the full path of an installed bwrap, or install the bubblewrap package and drop the option")
            }
            return p
        }
        var untrusted: [String] = []
        var seen: Set<String> = []
        for folder in folders {
            guard case .found(let p) = CommandResolver.resolve(Paths.join(folder, "bwrap"), path: nil, workingDirectory: "/"),
                  seen.insert(RealFileSystem().canonical(p) ?? p).inserted else { continue }
            if let why = TrustedPath.problem(p) { untrusted.append("\(p) (\(why))"); continue }
            return p
        }
        if !untrusted.isEmpty {
            throw WardenError(.host, "bwrap is not safe to run: \(untrusted.joined(separator: "; ")); reinstall the bubblewrap package (sudo apt install --reinstall bubblewrap), or name one with --unsafe-bwrap PATH")
        }
        throw WardenError(.host, "bwrap not found in \(folders.joined(separator: ", ")): install the bubblewrap package (Debian/Ubuntu: sudo apt install bubblewrap)")
    }
}
