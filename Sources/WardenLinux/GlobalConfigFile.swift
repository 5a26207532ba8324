import Foundation
import Glibc
import WardenCore

/// `ww init`: writes `config.toml` without ever truncating one in place; a file already there is
/// refused, or with `replacing` first moved to `config.toml.bak`.
public enum GlobalConfigFile {
    public enum Outcome: Equatable {
        case created
        /// The previous file now lives at this path.
        case replaced(backup: String)
    }

    /// Creates `path` (its folders 0700, like every folder ww creates) holding `text`.
    public static func create(_ text: String, at path: String, replacing: Bool) throws -> Outcome {
        try WardenDirectories.create(Paths.dirname(path))
        var st = stat()
        var outcome = Outcome.created
        if lstat(path, &st) == 0 {
            guard replacing else {
                throw WardenError(.usage, "\(path) already exists; keep it, or run `ww init --force` to replace it (the old file is kept as \(Paths.basename(path)).bak)")
            }
            let backup = path + ".bak"
            guard rename(path, backup) == 0 else {
                throw WardenError(.launch, "cannot move \(path) to \(backup): \(String(cString: strerror(errno))); check the permissions of \(Paths.dirname(path))")
            }
            outcome = .replaced(backup: backup)
        }
        // O_EXCL: a file that appeared since the check is never overwritten, a planted link never followed.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw WardenError(.usage, "\(path) appeared while ww was writing it; run `ww init` again") }
            throw WardenError(.launch, "cannot create \(path): \(String(cString: strerror(errno))); check the permissions of \(Paths.dirname(path))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw WardenError(.launch, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        return outcome
    }
}
