import Foundation
import WardenCore

/// Where profiles are found, earlier folders first (SPEC §3), then the ones compiled into ww.
public enum ProfileSearchPath {
    public static func folders(directories: WardenDirectories, environment: [String: String], executable: String) -> [String] {
        var out = [Paths.join(directories.config, "profiles")]
        if let extra = environment["WW_PROFILE_PATH"] {
            out += extra.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        }
        out.append("/etc/winewarden/profiles")
        let binDir = Paths.dirname(executable)
        // <prefix>/bin/ww → <prefix>/share/winewarden/profiles (`make install`); the executable's path is
        // already resolved, so dropping the last folder lexically is exact.
        out.append(Paths.join(Paths.dirname(binDir), "share/winewarden/profiles"))
        out.append("/usr/share/winewarden/profiles")
        // A build tree (.build/debug/ww): the repository's own profiles/.
        var dir = binDir
        for _ in 0..<5 {
            dir = Paths.dirname(dir)
            if FileManager.default.fileExists(atPath: Paths.join(dir, "Package.swift")),
               FileManager.default.fileExists(atPath: Paths.join(dir, "profiles/default.toml")) {
                out.append(Paths.join(dir, "profiles"))
                break
            }
        }
        var seen = Set<String>()
        return out.map { Paths.normalize($0) }.filter { seen.insert($0).inserted }
    }

    public static func catalog(folders: [String]) throws -> ProfileCatalog {
        var sources: [ProfileSource] = []
        let fs = RealFileSystem()
        for folder in folders {
            for name in fs.list(folder).sorted() where name.hasSuffix(".toml") {
                let path = Paths.join(folder, name)
                sources.append(try read(path: path, name: String(name.dropLast(5))))
            }
        }
        // Last: the shipped profiles compiled in, so the binary alone works (`install -m 755 ww ~/.local/bin/`).
        return ProfileCatalog(searchOrder: sources + ProfileSource.builtIn)
    }

    public static func read(path: String, name: String? = nil) throws -> ProfileSource {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WardenError(.profile, "cannot read profile \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"); check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw WardenError(.profile, "\(path) is not UTF-8 text; save it as UTF-8")
        }
        let base = name ?? String(Paths.basename(path).split(separator: ".").first ?? "profile")
        return ProfileSource(name: base, path: path, text: text)
    }
}
