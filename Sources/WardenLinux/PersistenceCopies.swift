import Glibc
import WardenCore

/// The session copies of a real home's persistence targets (`PersistencePlan.isCopy`), made before
/// bwrap binds them: files byte for byte (mode kept, owner-writable), folders with their files,
/// links and subfolders. Bounded like the capture: a file over `PersistenceService.maxFile`, more
/// than `maxEntries` entries, depth over 8, or a device, socket or fifo is left out and named.
/// The real targets are only read (links never followed).
enum PersistenceCopies {
    /// Makes every copy; returns the real paths left out. Throws when the copy folder cannot be made.
    static func make(_ plan: PersistencePlan, from real: String, into copies: String) throws -> [String] {
        try WardenDirectories.createPrivate(copies)
        var state = (entries: 0, leftOut: [String]())
        for target in plan.targets {
            // Parents of a nested target (.config/systemd for .config/systemd/user): folders of ww's own.
            var parent = copies
            for part in target.relative.split(separator: "/").dropLast() {
                parent += "/" + part
                if mkdir(parent, 0o700) != 0 && errno != EEXIST { throw failure(parent) }
            }
            let source = Paths.join(real, target.relative), dest = Paths.join(copies, target.relative)
            var st = stat()
            if lstat(source, &st) != 0 {
                // A folder that does not exist yet (home = host): an empty one for the game to write.
                guard target.isDirectory, mkdir(dest, 0o700) == 0 else { throw failure(dest) }
                continue
            }
            try copy(source, dest, &state, depth: 0, top: true)
        }
        return state.leftOut
    }

    private static func copy(_ source: String, _ dest: String, _ state: inout (entries: Int, leftOut: [String]), depth: Int, top: Bool) throws {
        var st = stat()
        guard lstat(source, &st) == 0 else { return }
        state.entries += 1
        let mode = mode_t(st.st_mode & 0o777) | 0o600
        switch st.st_mode & S_IFMT {
        case S_IFREG where Int(st.st_size) <= PersistenceService.maxFile || top:
            // The bind's source must exist: a top-level file over the limit is copied whole all the same.
            guard copyFile(source, dest, mode: mode) else { throw failure(dest) }
        case S_IFDIR where depth < 8 && (state.entries <= PersistenceService.maxEntries || top):
            guard mkdir(dest, mode | 0o700) == 0 else { throw failure(dest) }
            for name in RealFileSystem().list(source).sorted() {
                guard state.entries < PersistenceService.maxEntries else { state.leftOut.append(Paths.join(source, name)); continue }
                try copy(Paths.join(source, name), Paths.join(dest, name), &state, depth: depth + 1, top: false)
            }
        case S_IFLNK:
            guard let target = RealFileSystem().symlinkTarget(source), symlink(target, dest) == 0 else { throw failure(dest) }
        default:
            state.leftOut.append(source)
        }
    }

    private static func copyFile(_ source: String, _ dest: String, mode: mode_t) -> Bool {
        let from = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard from >= 0 else { return false }
        defer { close(from) }
        let to = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard to >= 0 else { return false }
        defer { close(to) }
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(from, &buf, buf.count)
            if n == 0 { return true }
            if n < 0 { if errno == EINTR { continue }; return false }
            guard RealFileSystem.writeAll(to, Array(buf[0..<n])) else { return false }
        }
    }

    private static func failure(_ path: String) -> WardenError {
        WardenError(.launch, "cannot make the session copy \(path) of a persistence target: \(ErrnoText.describe(errno)); check the free space of \(Paths.dirname(path))")
    }
}
