import Glibc
import CLinux
import WardenCore

/// Copy-on-write layers on disk: checked and labelled before the launch, listed by `ww cow status`,
/// removed by `ww cow reset`.
public enum CopyOnWrite {
    /// Below this much free space the launch stops: a game writing into a full layer gets ENOSPC
    /// half-way through its own files.
    public static let minimumFreeBytes: UInt64 = 256 << 20

    static func prepare(_ layers: [CopyOnWriteLayer]) throws {
        for layer in layers {
            var vfs = statvfs()
            guard statvfs(layer.upper, &vfs) == 0 else {
                throw WardenError(.launch, "cannot check the copy-on-write layer \(layer.upper): \(String(cString: strerror(errno)))")
            }
            let free = UInt64(vfs.f_bavail) * UInt64(vfs.f_frsize)
            // A file system that reports no size at all (ramfs) has no free-space figure to judge.
            if vfs.f_blocks > 0 && free < minimumFreeBytes {
                throw WardenError(.launch, "the copy-on-write layer for \(layer.original) is at \(layer.upper), where only \(free >> 20) MiB are free (ww wants \(minimumFreeBytes >> 20) MiB); free some space there, or drop copy_on_write for this game")
            }
            try SessionFolder.write(Paths.join(layer.layerDirectory, "origin"), layer.original + "\n")
        }
    }

    /// Why the overlay namespace or mount failed, with the fix.
    static func failure(_ layers: [CopyOnWriteLayer], step: Int32, errno code: Int32) -> WardenError {
        let why = String(cString: strerror(code))
        guard step >= 10, Int(step - 10) < layers.count else {
            return WardenError(.host, "cannot create the user namespace for copy-on-write folders (\(why)); check `ww features` (unprivileged user namespaces), or drop copy_on_write")
        }
        let layer = layers[Int(step - 10)]
        switch code {
        case EBUSY:
            return WardenError(.launch, "the copy-on-write layer of \(layer.original) is in use by another session of this game; close it first")
        case EINVAL, EOPNOTSUPP, ENOTSUP, EXDEV, EPERM, EACCES:
            return WardenError(.host, "cannot mount the copy-on-write layer of \(layer.original) (\(why)): the file system of \(layer.layerDirectory) must support overlay upper layers with user extended attributes (ext4, xfs, btrfs, tmpfs on Linux 6.6+), and the kernel must allow overlayfs in user namespaces (Linux 5.11+); move ~/.local/share/winewarden to such a file system, or drop copy_on_write")
        default:
            return WardenError(.launch, "cannot mount the copy-on-write layer of \(layer.original) at \(layer.merged): \(why)")
        }
    }

    /// One change in a layer, relative to the original folder.
    public struct Change: Equatable, Sendable {
        public enum Kind: String, Sendable { case added = "A", modified = "M", deleted = "D", replaced = "R" }
        public var kind: Kind
        public var path: String
    }

    public struct Layer: Sendable {
        public var original: String
        public var directory: String
        public var changes: [Change]
        public var bytes: UInt64
    }

    /// `~/.local/share/winewarden/cow/<game-id>`.
    public static func gameDirectory(data: String, game: String) -> String { Paths.join(data, "cow/\(game)") }

    /// Games that have layers.
    public static func games(data: String) -> [String] {
        RealFileSystem().list(Paths.join(data, "cow")).sorted()
    }

    /// The layers of one game with what changed in each (a whiteout is a deletion; an opaque folder
    /// replaced the original one).
    public static func layers(data: String, game: String) -> [Layer] {
        let dir = gameDirectory(data: data, game: game)
        var out: [Layer] = []
        for name in RealFileSystem().list(dir).sorted() {
            let base = Paths.join(dir, name)
            guard let origin = RealFileSystem.readSmallFile(Paths.join(base, "origin"))?.split(separator: "\n").first.map(String.init) else { continue }
            var changes: [Change] = []
            var bytes: UInt64 = 0
            walk(Paths.join(base, "upper"), relative: "", original: origin, into: &changes, bytes: &bytes)
            out.append(Layer(original: origin, directory: base, changes: changes, bytes: bytes))
        }
        return out
    }

    static func walk(_ dir: String, relative: String, original: String, into changes: inout [Change], bytes: inout UInt64) {
        for name in RealFileSystem().list(dir).sorted() {
            let path = Paths.join(dir, name)
            let rel = relative.isEmpty ? name : "\(relative)/\(name)"
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            var orig = stat()
            let existed = lstat(Paths.join(original, rel), &orig) == 0
            switch st.st_mode & S_IFMT {
            case S_IFCHR where st.st_rdev == 0:
                changes.append(Change(kind: .deleted, path: rel))
            case S_IFDIR:
                let opaque = ww_xattr_first_byte(path, "user.overlay.opaque") == Int32(UInt8(ascii: "y"))
                if !existed { changes.append(Change(kind: .added, path: rel + "/")) }
                else if opaque { changes.append(Change(kind: .replaced, path: rel + "/")) }
                walk(path, relative: rel, original: original, into: &changes, bytes: &bytes)
            default:
                bytes += UInt64(st.st_size)
                changes.append(Change(kind: existed ? .modified : .added, path: rel))
            }
        }
    }

    /// Removes a game's layers (never following links; the overlay's work folders are made
    /// removable first). Returns how many layers went.
    public static func reset(data: String, game: String) throws -> Int {
        let dir = gameDirectory(data: data, game: game)
        // Layers are the folders with an origin file (no need to walk what changed in them).
        let count = RealFileSystem().list(dir).filter { RealFileSystem.readSmallFile(Paths.join(dir, "\($0)/origin")) != nil }.count
        var st = stat()
        guard lstat(dir, &st) == 0 else { return 0 }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw WardenError(.usage, "\(dir) is not a folder; remove it by hand") }
        try RealFileSystem.removeTree(dir)
        return count
    }
}
