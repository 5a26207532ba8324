import Foundation
import Glibc
import WardenCore
import WardenLinux

/// `ww profile new`: what the newest session ran, and the file written into the user's profile folder.
public struct ProfileCreation {
    public let prep: LaunchPreparation

    public init(prep: LaunchPreparation) { self.prep = prep }

    public var folder: String { Paths.join(prep.directories().config, "profiles") }

    /// The game, profile and command of the newest session in `~/.local/state/winewarden/logs` (its `policy_applied`).
    public func lastLaunch() throws -> (game: String, profile: String?, command: [String]) {
        let logs = Paths.join(prep.directories().state, "logs")
        let trails = RealFileSystem().list(logs).filter { $0.hasSuffix(".jsonl") }.sorted()
        for name in trails.reversed() {
            guard let text = RealFileSystem.readSmallFile(Paths.join(logs, name), limit: 1 << 20) else { continue }
            for line in text.split(separator: "\n") where line.contains("\"policy_applied\"") {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      o["kind"] as? String == "policy_applied", let game = o["game"] as? String else { continue }
                return (game, o["profile"] as? String, o["command"] as? [String] ?? [])
            }
        }
        throw WardenError(.usage, "no session found in \(logs) to take the game from; start the game once with ww, or use --steam-appid or --exe")
    }

    /// The profile for the game the options name: a Steam AppId, a Windows program, the newest session (any mix).
    public func template(name: String, steamAppID: UInt64?, exe: String?, fromLast: Bool, extends: String?) throws -> ProfileTemplate {
        try ProfileTemplate.checkName(name, shipped: ShippedProfiles.texts.map(\.name))
        var apps: [UInt64] = []
        var exes: [String] = []
        var origins: [String] = []
        var used: String?
        var game: String?
        if let id = steamAppID {
            guard id != 0 else { throw WardenError(.usage, "--steam-appid 0 is no game; give the number from the game's store page URL") }
            apps.append(id)
            origins.append("Steam AppId \(id)")
            game = "steam:\(id)"
        }
        if let e = exe {
            let full = e.hasPrefix("/") ? e : Paths.join(HostEnvironment.workingDirectory(), e)
            exes.append(ProfileTemplate.executablePattern(RealFileSystem().canonical(full) ?? full))
            origins.append("program \(exes[0])")
        }
        if fromLast {
            let last = try lastLaunch()
            game = last.game
            used = last.profile
            if last.game.hasPrefix("steam:"), let id = UInt64(last.game.dropFirst(6)) {
                if !apps.contains(id) { apps.append(id) }
            } else if let program = LaunchContext.windowsProgramArgument(in: last.command) ?? last.command.first {
                exes.append(ProfileTemplate.executablePattern(program))
            }
            origins.append("the newest session: \(last.game)")
        }
        guard !origins.isEmpty else {
            throw WardenError(.usage, "say which game the profile is for: --steam-appid ID, --exe PATH or --from-last")
        }
        let base = extends ?? ProfileTemplate.base(forGame: game, profileUsed: used, exe: exes.first)
        return ProfileTemplate(name: name, extends: base, steamAppIDs: apps, executables: exes, origin: origins.joined(separator: ", "))
    }

    /// Writes the profile after checking it loads; an existing file is kept unless `force`.
    public func write(_ template: ProfileTemplate, force: Bool) throws -> String {
        let path = Paths.join(folder, template.name + ".toml")
        if FileManager.default.fileExists(atPath: path), !force {
            throw WardenError(.usage, "\(path) exists; edit it, or pass --force to replace it (the old one is kept as \(template.name).toml.bak)")
        }
        let catalog = try prep.catalog()
        let source = ProfileSource(name: template.name, path: path, text: template.text)
        _ = try ProfileResolver(catalog: ProfileCatalog(searchOrder: [source] + catalog.sources)).load(source)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if FileManager.default.fileExists(atPath: path) {
            _ = rename(path, path + ".bak")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(template.text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw WardenError(.usage, "cannot write \(path): \(String(cString: strerror(errno))); check that \(folder) is yours and writable")
        }
        return path
    }
}
