import Foundation
import XCTest

/// `ww steam install-tool` on the stand-in Steam tree of SteamChainTests, given what a real one has for
/// compatibility tools: a library list, a Proton in steamapps/common that requires the runtime (app
/// 1628350, whose entry point runs pressure-vessel's nested bwrap), and a second Proton in
/// compatibilitytools.d that requires nothing. The tools' command lines are run the way Steam runs them.
extension SteamChainTests {
    static let slrApp = "1628350"
    var toolProton: String { "winewarden-proton-stand-in" }
    var toolGE: String { "winewarden-ge-proton-stand-in" }

    struct ToolSteam {
        let s: Steam
        var tools: String { s.client + "/compatibilitytools.d" }
        var ge: String { tools + "/GE-Proton Stand-in" }
        var library2: String { s.home.path + "/SteamLibrary" }
    }

    func makeToolSteam() throws -> ToolSteam {
        let s = try makeSteam()
        let t = ToolSteam(s: s)
        try write(s.client + "/steamapps/libraryfolders.vdf", """
            "libraryfolders"
            {
            \t"0"
            \t{
            \t\t"path"\t\t"\(s.client)"
            \t\t"apps"
            \t\t{
            \t\t\t"\(Self.slrApp)"\t\t"698541294"
            \t\t}
            \t}
            \t"1"
            \t{
            \t\t"path"\t\t"\(t.library2)"
            \t}
            }

            """)
        try FileManager.default.createDirectory(atPath: t.library2 + "/steamapps/common", withIntermediateDirectories: true)
        try write(s.client + "/steamapps/appmanifest_\(Self.slrApp).acf",
                  "\"AppState\"\n{\n\t\"appid\"\t\t\"\(Self.slrApp)\"\n\t\"name\"\t\t\"Steam Linux Runtime 3.0 (sniper)\"\n\t\"installdir\"\t\t\"SteamLinuxRuntime_sniper\"\n}\n")
        try write(s.slr + "/toolmanifest.vdf", "\"manifest\"\n{\n  \"version\" \"2\"\n  \"commandline\" \"/_v2-entry-point --verb=%verb% --\"\n  \"use_tool_subprocess_reaper\" \"1\"\n}\n")
        try write(s.proton + "/toolmanifest.vdf", "\"manifest\"\n{\n  \"version\" \"2\"\n  \"commandline\" \"/proton %verb%\"\n  \"require_tool_appid\" \"\(Self.slrApp)\"\n  \"use_sessions\" \"1\"\n}\n")
        // A third-party Proton without the runtime: runs Wine itself and says it ran.
        try write(t.ge + "/compatibilitytool.vdf", """
            "compatibilitytools"
            {
              "compat_tools"
              {
                "GE-Proton-Standin" // internal name
                {
                  "install_path" "."
                  "display_name" "GE-Proton Stand-in"
                  "from_oslist"  "windows"
                  "to_oslist"    "linux"
                }
              }
            }

            """)
        try write(t.ge + "/toolmanifest.vdf", "\"manifest\"\n{\n  \"version\" \"2\"\n  \"commandline\" \"/proton %verb%\"\n}\n")
        try write(t.ge + "/proton", """
            #!/bin/sh
            echo "GE proton verb=$1" >&2
            shift
            export WINEPREFIX="$STEAM_COMPAT_DATA_PATH/pfx"
            mkdir -p "$WINEPREFIX"
            exec wine "$@"

            """, mode: 0o755)
        // Steam's config.vdf: the login token is a secret, CompatToolMapping says which game uses which tool.
        try write(s.client + "/config/config.vdf", """
            "InstallConfigStore"
            {
            \t"Software"
            \t{
            \t\t"Valve"
            \t\t{
            \t\t\t"Steam"
            \t\t\t{
            \t\t\t\t"ConnectCache"
            \t\t\t\t{
            \t\t\t\t\t"1a2b"\t\t"PLANTED-CONFIG-VDF"
            \t\t\t\t}
            \t\t\t\t"CompatToolMapping"
            \t\t\t\t{
            \t\t\t\t\t"\(Self.app)"
            \t\t\t\t\t{
            \t\t\t\t\t\t"name"\t\t"\(toolProton)"
            \t\t\t\t\t\t"config"\t\t""
            \t\t\t\t\t\t"priority"\t\t"250"
            \t\t\t\t\t}
            \t\t\t\t}
            \t\t\t}
            \t\t}
            \t}
            }

            """)
        sb.chownTree(s.home.path)
        return t
    }

    func steamCommand(_ args: [String], _ s: Steam) throws -> Sandbox.Result {
        try sb.ww(["steam"] + args, home: s.home, cwd: s.home.path)
    }

    /// Every file and folder below `path` with its mode and content (links as their target).
    func treeSnapshot(_ path: String) -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        for rel in (fm.subpaths(atPath: path) ?? []) {
            let full = path + "/" + rel
            let attrs = try? fm.attributesOfItem(atPath: full)
            let mode = (attrs?[.posixPermissions] as? NSNumber)?.intValue ?? -1
            if let link = try? fm.destinationOfSymbolicLink(atPath: full) { out[rel] = "link \(link)"; continue }
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: full, isDirectory: &isDir)
            out[rel] = isDir.boolValue ? "dir \(String(mode, radix: 8))" : "file \(String(mode, radix: 8)) \(fm.contents(atPath: full)?.count ?? -1) \((try? String(contentsOfFile: full, encoding: .utf8))?.hashValue ?? 0)"
        }
        return out
    }

    /// Steam's command for a game set to a compatibility tool with no required tool: reaper, the launch
    /// wrapper, then the tool's commandline (its first word below the tool's folder, %verb% replaced).
    func steamLaunch(tool: String, verb: String, exe: String, _ s: Steam) throws -> [String] {
        let manifest = try String(contentsOfFile: tool + "/toolmanifest.vdf", encoding: .utf8)
        let line = try XCTUnwrap(manifest.split(separator: "\n").first { $0.contains("\"commandline\"") }, manifest)
        let value = try XCTUnwrap(line.split(separator: "\"").dropFirst(3).first, String(line))
        var words = value.replacingOccurrences(of: "%verb%", with: verb).split(separator: " ").map(String.init)
        words[0] = tool + words[0]
        return ["\(s.client)/ubuntu12_32/reaper", "SteamLaunch", "AppId=\(Self.app)", "--",
                "\(s.client)/ubuntu12_32/steam-launch-wrapper", "--"] + words + [exe]
    }

    func newestTrail(_ home: FakeHome) throws -> String {
        let logs = home.path + "/.local/state/winewarden/logs"
        let newest = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".jsonl") }.max {
            (try? FileManager.default.attributesOfItem(atPath: logs + "/" + $0)[.modificationDate] as? Date) ?? .distantPast
                < (try? FileManager.default.attributesOfItem(atPath: logs + "/" + $1)[.modificationDate] as? Date) ?? .distantPast
        })
        return logs + "/" + newest
    }

    func testToolInstallWritesOneToolPerProtonAndRemoveLeavesTheTreeAsItWas() throws {
        let t = try makeToolSteam()
        let before = treeSnapshot(t.s.client)
        let install = try steamCommand(["install-tool"], t.s)
        XCTAssertEqual(install.status, 0, install.output)
        XCTAssertTrue(install.stdout.contains("WineWarden (Proton Stand-in): \(t.tools)/\(toolProton) (SteamLinuxRuntime_sniper → Proton Stand-in)"), install.output)
        XCTAssertTrue(install.stdout.contains("WineWarden (GE-Proton Stand-in): \(t.tools)/\(toolGE) (GE-Proton Stand-in)"), install.output)
        let declaration = try String(contentsOfFile: "\(t.tools)/\(toolProton)/compatibilitytool.vdf", encoding: .utf8)
        XCTAssertTrue(declaration.contains("\"\(toolProton)\"\n\t\t{\n\t\t\t\"install_path\"\t\t\".\"\n\t\t\t\"display_name\"\t\t\"WineWarden (Proton Stand-in)\""), declaration)
        let launcher = "\(t.tools)/\(toolProton)/winewarden-launch"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: launcher))
        // Steam's own files are only read.
        for file in ["steamapps/libraryfolders.vdf", "config/config.vdf", "steamapps/appmanifest_\(Self.slrApp).acf", "compatibilitytools.d/GE-Proton Stand-in/compatibilitytool.vdf"] {
            XCTAssertEqual(treeSnapshot(t.s.client)[file], before[file], file)
        }
        // Status: the tools, and the game config.vdf sets to one of them.
        let status = try steamCommand(["status"], t.s)
        XCTAssertEqual(status.status, 0, status.output)
        XCTAssertTrue(status.stdout.contains("WineWarden (Proton Stand-in)  \(toolProton)\n    used by: app \(Self.app)"), status.output)
        XCTAssertFalse(status.output.contains("PLANTED"), status.output)
        // Again: the same tools, updated in place.
        let again = try steamCommand(["install-tool"], t.s)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(Set(FileManager.default.subpaths(atPath: t.tools) ?? []).filter { $0.hasPrefix("winewarden-") && $0.contains("/") }.count, 6)
        let remove = try steamCommand(["remove-tool"], t.s)
        XCTAssertEqual(remove.status, 0, remove.output)
        XCTAssertEqual(treeSnapshot(t.s.client), before, "remove-tool leaves the tree as it was")
        let none = try steamCommand(["remove-tool"], t.s)
        XCTAssertTrue(none.status == 0 && none.stdout.contains("no WineWarden tool to remove"), none.output)
    }

    func testToolLeavesFilesItDidNotWrite() throws {
        let t = try makeToolSteam()
        XCTAssertEqual(try steamCommand(["install-tool"], t.s).status, 0)
        try write("\(t.tools)/\(toolGE)/notes.txt", "MINE")
        sb.chownTree(t.tools)
        let remove = try steamCommand(["remove-tool"], t.s)
        XCTAssertEqual(remove.status, 0, remove.output)
        XCTAssertTrue(remove.stdout.contains("still holds files ww did not write (notes.txt)"), remove.output)
        XCTAssertEqual(FileManager.default.subpaths(atPath: "\(t.tools)/\(toolGE)"), ["notes.txt"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(t.tools)/\(toolProton)"))
    }

    func testNoSteamAndFlatpakSteamAreOneSentenceWithTheFix() throws {
        let home = try sb.makeHome()
        let none = try sb.ww(["steam", "install-tool"], home: home)
        XCTAssertEqual(none.status, 125, none.output)
        XCTAssertTrue(none.stderr.contains("no Steam client folder found") && none.stderr.contains("--steam-root"), none.output)
        try FileManager.default.createDirectory(atPath: home.path + "/.var/app/com.valvesoftware.Steam/.local/share/Steam/steamapps", withIntermediateDirectories: true)
        sb.chownTree(home.path)
        let flatpak = try sb.ww(["steam", "install-tool"], home: home)
        XCTAssertEqual(flatpak.status, 125, flatpak.output)
        XCTAssertTrue(flatpak.stderr.contains("the only Steam found is a Flatpak") && flatpak.stderr.contains("native package"), flatpak.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.path + "/.var/app/com.valvesoftware.Steam/.local/share/Steam/compatibilitytools.d"))
    }

    /// The game (waitforexitandrun) and an install script (run), each through the runtime's nested bwrap:
    /// secrets are decoys or hidden, the exit code comes back, identity and profile are those of `ww -- %command%`.
    func testToolCommandLineRunsTheGameAndItsInstallScriptInsideTheChain() throws {
        let t = try makeToolSteam()
        XCTAssertEqual(try steamCommand(["install-tool"], t.s).status, 0)
        for (verb, status) in [("waitforexitandrun", 7), ("run", 3)] {
            var env = sb.wwEnvironment(home: t.s.home, t.s.environment)
            // What Steam sets for a tool that requires no other: its own folder.
            env["STEAM_COMPAT_TOOL_PATHS"] = "\(t.tools)/\(toolProton)"
            env["WW_TEST_HOST_PID"] = "1"
            let command = try steamLaunch(tool: "\(t.tools)/\(toolProton)", verb: verb, exe: t.s.game + "/game.exe", t.s)
            let probe = ["--read", "sentry", t.s.client + "/ssfn1234567890", "--read", "config_vdf", t.s.client + "/config/config.vdf",
                         "--read", "ssh_key", t.s.home.sshKey, "--find", "steam_pipe", t.s.pipe,
                         "--write", "client_folder", t.s.client + "/evil-\(verb).dll", "MZ", "--exit", "\(status)"]
            let r = try sb.asUser(command[0], Array(command.dropFirst()) + probe, env: env, cwd: t.s.game, timeout: 300)
            XCTAssertEqual(r.status, Int32(status), "\(verb)\n\(r.output)")
            XCTAssertTrue(r.stdout.contains("PROBE done"), r.output)
            XCTAssertTrue(r.stderr.contains("PV nested bwrap starting"), "\(verb): the runtime's own bwrap ran\n\(r.output)")
            XCTAssertTrue(r.stderr.contains("ww: steam:\(Self.app) runs with profile steam-proton"), "\(verb)\n\(r.output)")
            let got = results(r.stdout)
            for check in ["sentry", "config_vdf", "ssh_key"] { XCTAssertTrue(got[check]?.hasPrefix("OK") == true, "\(verb) \(check)\n\(r.output)") }
            for check in ["steam_pipe", "client_folder"] { XCTAssertTrue(got[check]?.hasPrefix("BLOCKED") == true, "\(verb) \(check): \(got[check] ?? "missing")\n\(r.output)") }
            XCTAssertFalse(r.output.contains("PLANTED"), r.output)
            XCTAssertFalse(FileManager.default.fileExists(atPath: t.s.client + "/evil-\(verb).dll"))
            // The session's trail (ww's own, in the player's state folder): the game, the decoys read, Landlock's scopes.
            let events = sb.events(try newestTrail(t.s.home))
            let policy = try XCTUnwrap(events.first { $0["kind"] as? String == "policy_applied" })
            XCTAssertEqual(policy["game"] as? String, "steam:\(Self.app)", "\(policy)")
            XCTAssertEqual(policy["profile"] as? String, "steam-proton", "\(policy)")
            let touched = events.filter { $0["kind"] as? String == "secret_touched" }.compactMap { $0["path"] as? String }
            XCTAssertTrue(touched.contains(t.s.home.sshKey) && touched.contains(t.s.client + "/ssfn1234567890"), "\(verb): \(touched)")
            let landlock = try XCTUnwrap(events.first { $0["kind"] as? String == "landlock_status" })
            XCTAssertEqual(landlock["scopes"] as? String, "abstract unix sockets, signals", "\(landlock)")
        }
    }

    /// The second Proton runs without the runtime: ww runs its proton directly, with the verb.
    func testToolOfAProtonWithoutTheRuntimeRunsItsProton() throws {
        let t = try makeToolSteam()
        XCTAssertEqual(try steamCommand(["install-tool"], t.s).status, 0)
        var env = sb.wwEnvironment(home: t.s.home, t.s.environment)
        env["STEAM_COMPAT_TOOL_PATHS"] = "\(t.tools)/\(toolGE)"
        let command = try steamLaunch(tool: "\(t.tools)/\(toolGE)", verb: "waitforexitandrun", exe: t.s.game + "/game.exe", t.s)
        let r = try sb.asUser(command[0], Array(command.dropFirst()) + ["--read", "ssh_key", t.s.home.sshKey, "--exit", "5"], env: env, cwd: t.s.game, timeout: 300)
        XCTAssertEqual(r.status, 5, r.output)
        XCTAssertTrue(r.stderr.contains("GE proton verb=waitforexitandrun"), r.output)
        XCTAssertFalse(r.stderr.contains("PV nested bwrap starting"), r.output)
        XCTAssertTrue(results(r.stdout)["ssh_key"]?.hasPrefix("OK") == true, r.output)
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
        XCTAssertTrue(r.stderr.contains("ww: steam:\(Self.app) runs with profile steam-proton"), r.output)
    }
}
