import Foundation
import XCTest

/// Steam's launch chain, rebuilt from stand-ins (no Steam needed): `reaper SteamLaunch AppId=N --`,
/// `steam-launch-wrapper`, the runtime's `_v2-entry-point`, a pressure-vessel stand-in that runs its
/// own nested bwrap with its own binds, and a `proton` stand-in that runs real Wine on a mingw probe.
/// Run as the test user, with Steam's variables, under `ww -- <chain>` and, as the control, without ww.
final class SteamChainTests: XCTestCase {
    let sb = Sandbox.shared
    static let app = 4815162

    struct Steam {
        let home: FakeHome
        var client: String { home.path + "/.local/share/Steam" }
        var slr: String { client + "/steamapps/common/SteamLinuxRuntime_sniper" }
        var proton: String { client + "/steamapps/common/Proton Stand-in" }
        var game: String { client + "/steamapps/common/Test Game" }
        var compatdata: String { client + "/steamapps/compatdata/\(SteamChainTests.app)" }
        var ownSave: String { client + "/userdata/4242/\(SteamChainTests.app)/remote/save.txt" }
        var otherSave: String { client + "/userdata/4242/570/remote/other.txt" }
        var pipe: String { home.path + "/.steam/steam.pipe" }

        var command: [String] {
            ["\(client)/ubuntu12_32/reaper", "SteamLaunch", "AppId=\(SteamChainTests.app)", "--",
             "\(client)/ubuntu12_32/steam-launch-wrapper", "--",
             "\(slr)/_v2-entry-point", "--verb=waitforexitandrun", "--",
             "\(proton)/proton", "waitforexitandrun", "\(game)/game.exe"]
        }

        var environment: [String: String] {
            ["SteamAppId": "\(SteamChainTests.app)", "STEAM_COMPAT_APP_ID": "\(SteamChainTests.app)",
             "SteamGameId": "\(SteamChainTests.app)", "STEAM_COMPAT_CLIENT_INSTALL_PATH": client,
             "STEAM_COMPAT_DATA_PATH": compatdata, "STEAM_COMPAT_INSTALL_PATH": game,
             "STEAM_COMPAT_TOOL_PATHS": "\(proton):\(slr)", "STEAM_COMPAT_LIBRARY_PATHS": client + "/steamapps",
             "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d"]
        }
    }

    func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
    }

    /// A Steam client folder with login files, two games' userdata, the runtime and Proton stand-ins,
    /// the probe as the game, and ~/.steam with its links and steam.pipe.
    func makeSteam() throws -> Steam {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wine") else { throw Skip.unexpected("wine is not installed") }
        let s = Steam(home: try sb.makeHome())
        let fm = FileManager.default
        try write(s.client + "/ssfn1234567890", "PLANTED-STEAM-SENTRY")
        try write(s.client + "/config/loginusers.vdf", "PLANTED-LOGINUSERS")
        try write(s.client + "/config/config.vdf", "PLANTED-CONFIG-VDF")
        try write(s.client + "/local.vdf", "PLANTED-LOCAL-VDF")
        try write(s.ownSave, "OWN-CLOUD-SAVE")
        try write(s.otherSave, "OTHER-GAME-SAVE")
        try write(s.client + "/linux64/steamclient.so", "STEAMCLIENT64")
        try write(s.client + "/linux32/steamclient.so", "STEAMCLIENT32")
        try fm.createDirectory(atPath: s.compatdata, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: s.slr + "/var", withIntermediateDirectories: true)
        // reaper and steam-launch-wrapper: run what follows the first `--`.
        let execAfterDashes = """
            #!/bin/sh
            while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
            shift
            exec "$@"

            """
        try write(s.client + "/ubuntu12_32/reaper", execAfterDashes, mode: 0o755)
        try write(s.client + "/ubuntu12_32/steam-launch-wrapper", execAfterDashes, mode: 0o755)
        try write(s.slr + "/_v2-entry-point", """
            #!/bin/sh
            # The runtime's entry point: drop its own options, hand the rest to pressure-vessel.
            while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
            shift
            exec "$(dirname "$0")/pressure-vessel" "$@"

            """, mode: 0o755)
        // pressure-vessel: its own bwrap, sharing PIDs and binding /proc as the real one does.
        try write(s.slr + "/pressure-vessel", """
            #!/bin/sh
            echo "PV nested bwrap starting" >&2
            exec bwrap --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \\
                --symlink usr/sbin /sbin --ro-bind /etc /etc --bind /proc /proc --dev-bind /dev /dev --bind /tmp /tmp \\
                --bind "$HOME" "$HOME" --bind "$STEAM_COMPAT_CLIENT_INSTALL_PATH" "$STEAM_COMPAT_CLIENT_INSTALL_PATH" \\
                --setenv PRESSURE_VESSEL_STANDIN 1 --chdir "$STEAM_COMPAT_INSTALL_PATH" -- "$@"

            """, mode: 0o755)
        // proton: `proton VERB GAME.exe ARGS`, with the prefix in compatdata/pfx.
        try write(s.proton + "/proton", """
            #!/bin/sh
            verb="$1"; shift
            [ -n "$PRESSURE_VESSEL_STANDIN" ] || { echo "proton: not inside the runtime" >&2; exit 3; }
            # A native look around first: may this process signal a program of the player outside?
            if kill -0 "$WW_TEST_HOST_PID" 2>/dev/null; then echo "NATIVE signal_host OK"; else echo "NATIVE signal_host BLOCKED"; fi
            export WINEPREFIX="$STEAM_COMPAT_DATA_PATH/pfx"
            mkdir -p "$WINEPREFIX"
            exec wine "$@"

            """, mode: 0o755)
        try fm.createDirectory(atPath: s.game, withIntermediateDirectories: true)
        let build = try Sandbox.run("/usr/bin/x86_64-w64-mingw32-gcc", ["-O2", "-o", s.game + "/game.exe", Sandbox.packageRoot + "/Tests/probes/fileprobe.c"])
        guard build.status == 0 else { throw Skip.unexpected("cannot build the probe with mingw: \(build.output)") }
        try fm.createDirectory(atPath: s.home.path + "/.steam", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: s.home.path + "/.steam/steam", withDestinationPath: s.client)
        try fm.createSymbolicLink(atPath: s.home.path + "/.steam/root", withDestinationPath: s.client)
        try fm.createSymbolicLink(atPath: s.home.path + "/.steam/sdk64", withDestinationPath: s.home.path + "/.steam/steam/linux64")
        guard mkfifo(s.pipe, 0o600) == 0 else { throw Skip.unexpected("mkfifo: \(String(cString: strerror(errno)))") }
        sb.chownTree(s.home.path)
        return s
    }

    /// A host process of the same user holding a secret in its environment.
    func hostSecretHolder() throws -> Int32 {
        try sb.backgroundAsUser("/bin/sleep", ["600"], env: ["WW_HOST_SECRET": "PLANTED-HOST-ENV"])
    }

    func probeArguments(_ s: Steam, hostPID: Int32, shm: String) -> [String] {
        [
            "--read", "sentry", s.client + "/ssfn1234567890",
            "--read", "loginusers", s.client + "/config/loginusers.vdf",
            "--read", "config_vdf", s.client + "/config/config.vdf",
            "--read", "local_vdf", s.client + "/local.vdf",
            "--read", "other_userdata", s.otherSave,
            "--read", "own_userdata", s.ownSave,
            "--find", "steam_pipe", s.pipe,
            "--read", "sdk64", s.home.path + "/.steam/sdk64/steamclient.so",
            "--read", "ssh_key", s.home.sshKey,
            "--write", "shm", shm, "FROM-THE-GAME",
            "--write", "game_folder", s.game + "/save.dat", "SAVED",
            "--write", "client_folder", s.client + "/evil.dll", "MZ",
            "--exists", "host_process", "/proc/\(hostPID)",
            // Refused in any user namespace (the kernel's ptrace check), with or without Landlock.
            "--read", "host_environ", "/proc/\(hostPID)/environ",
        ]
    }

    func results(_ output: String) -> [String: String] { Sandbox.probeResults(output) }

    /// Without ww the same chain (and its nested bwrap) reads everything: the checks below can fail.
    func testTheChainWithoutWWReadsSteamsSecrets() throws {
        let s = try makeSteam()
        let holder = try hostSecretHolder()
        defer { kill(holder, SIGKILL); var st: Int32 = 0; waitpid(holder, &st, 0) }
        let shm = "/dev/shm/ww-steam-control-\(UUID().uuidString)"
        defer { unlink(shm) }
        var env = s.environment
        env["HOME"] = s.home.path
        env["PATH"] = "/usr/bin:/bin"
        env["WW_TEST_HOST_PID"] = "\(holder)"
        let r = try sb.asUser(s.command[0], Array(s.command.dropFirst()) + probeArguments(s, hostPID: holder, shm: shm),
                              env: env, cwd: s.game, timeout: 300)
        let got = results(r.stdout)
        XCTAssertEqual(r.status, 0, r.output)
        for check in ["sentry", "loginusers", "local_vdf", "other_userdata", "steam_pipe", "client_folder"] {
            XCTAssertTrue(got[check]?.hasPrefix("OK") == true, "control \(check): \(got[check] ?? "missing")\n\(r.output)")
        }
        XCTAssertTrue(r.stderr.contains("PV nested bwrap starting"), r.output)
        XCTAssertTrue(r.stdout.contains("NATIVE signal_host OK"), "without Landlock the game could signal the player's programs\n\(r.output)")
    }

    func testSteamProtonChainRunsNestedAndKeepsSteamSecretsOut() throws {
        let s = try makeSteam()
        let holder = try hostSecretHolder()
        defer { kill(holder, SIGKILL); var st: Int32 = 0; waitpid(holder, &st, 0) }
        let shm = "/dev/shm/ww-steam-\(UUID().uuidString)"
        defer { unlink(shm) }
        let log = sb.logPath()
        var env = s.environment
        env["WW_TEST_HOST_PID"] = "\(holder)"
        let r = try sb.ww(["--log", log, "--"] + s.command + probeArguments(s, hostPID: holder, shm: shm),
                          home: s.home, env: env, cwd: s.game, timeout: 300)
        let got = results(r.stdout)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("PROBE done"), r.output)
        XCTAssertTrue(r.stderr.contains("PV nested bwrap starting"), "the runtime's own bwrap ran\n\(r.output)")
        // The profile is chosen by itself, and ww says which.
        XCTAssertTrue(r.stderr.contains("ww: steam:\(Self.app) runs with profile steam-proton"), r.output)

        for check in ["other_userdata", "steam_pipe", "client_folder", "host_environ"] {
            XCTAssertTrue(got[check]?.hasPrefix("BLOCKED") == true, "\(check): \(got[check] ?? "missing")\n\(r.output)")
        }
        // Steam's login files and the SSH key are decoys, through the runtime's nested bwrap too; each read is an event.
        let touched = sb.events(log).filter { $0["kind"] as? String == "secret_touched" }.compactMap { $0["path"] as? String }
        for (check, path) in [("sentry", s.client + "/ssfn1234567890"), ("loginusers", s.client + "/config/loginusers.vdf"),
                              ("config_vdf", s.client + "/config/config.vdf"), ("local_vdf", s.client + "/local.vdf"), ("ssh_key", s.home.sshKey)] {
            XCTAssertTrue(got[check]?.hasPrefix("OK") == true, "\(check): \(got[check] ?? "missing")\n\(r.output)")
            XCTAssertTrue(touched.contains(path), "\(check): \(path) not in \(touched)")
        }
        XCTAssertFalse(r.output.contains("PLANTED"), r.output)
        XCTAssertEqual(got["own_userdata"], "OK OWN-CLOUD-SAVE", r.output)
        XCTAssertEqual(got["sdk64"], "OK STEAMCLIENT64", "~/.steam/sdk64 leads to steamclient.so\n\(r.output)")
        XCTAssertEqual(got["game_folder"], "OK written", r.output)
        XCTAssertEqual(got["shm"], "OK written", r.output)
        XCTAssertEqual(try? String(contentsOfFile: shm, encoding: .utf8), "FROM-THE-GAME", "/dev/shm is the host's (Steam overlay IPC)")
        XCTAssertEqual(got["host_process"], "OK exists", "the PID namespace is shared\n\(r.output)")
        // Shared PIDs, yet Landlock's signal scope keeps the game from signalling the player's programs.
        XCTAssertTrue(r.stdout.contains("NATIVE signal_host BLOCKED"), r.output)
        XCTAssertEqual(try? String(contentsOfFile: s.game + "/save.dat", encoding: .utf8), "SAVED")
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.client + "/evil.dll"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.compatdata + "/pfx/system.reg"), "Proton's prefix lives in compatdata")

        let events = sb.events(log)
        let policy = try XCTUnwrap(events.first { $0["kind"] as? String == "policy_applied" }, "\(events.prefix(3))")
        XCTAssertEqual(policy["game"] as? String, "steam:\(Self.app)", "\(policy)")
        XCTAssertEqual(policy["profile"] as? String, "steam-proton", "\(policy)")
        // Landlock is in force with its scopes only (filesystem rights would forbid the runtime's bwrap).
        let landlock = try XCTUnwrap(events.first { $0["kind"] as? String == "landlock_status" })
        XCTAssertEqual(landlock["mode"] as? String, "required", "\(landlock)")
        XCTAssertEqual(landlock["status"] as? String, "fully enforced", "\(landlock)")
        XCTAssertEqual(landlock["handled"] as? String, "", "\(landlock)")
        let scopes = landlock["scopes"] as? String ?? ""
        XCTAssertEqual(scopes, "abstract unix sockets, signals", "\(landlock)")
    }

    /// When ww is killed, nothing of a shared-PID sandbox lives on (no PID namespace ends it for us).
    func testKillingWWEndsTheWholeSharedPIDSandbox() throws {
        let home = try sb.makeHome()
        let profile = sb.root + "/shared-pid-\(UUID().uuidString).toml"
        try "extends = \"default\"\n[namespaces]\npid = \"shared\"\n".write(toFile: profile, atomically: true, encoding: .utf8)
        chmod(profile, 0o644)
        let out = sb.root + "/orphan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        sb.chownTree(out)
        // The game leaves an orphan behind (double fork, own session, deaf to SIGTERM) that says its
        // pid, then waits.
        let script = "(setsid sh -c 'trap \"\" TERM; echo $$ > \(out)/orphan.pid; exec sleep 300' &) ; sleep 300"
        let ww = try sb.backgroundAsUser(sb.wwBinary, ["--profile", profile, "--rw", out, "--", "/bin/sh", "-c", script],
                                         env: sb.wwEnvironment(home: home))
        // Its pid inside is its pid on the host (the PID namespace is shared).
        func orphans() -> [Int32] {
            guard let text = try? String(contentsOfFile: out + "/orphan.pid", encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0,
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), !stat.contains(") Z ") else { return [] }
            return [pid]
        }
        var deadline = Date().addingTimeInterval(30)
        while orphans().isEmpty && Date() < deadline { usleep(100_000) }
        XCTAssertFalse(orphans().isEmpty, "the orphan never started")
        kill(ww, SIGKILL)
        var st: Int32 = 0
        waitpid(ww, &st, 0)
        deadline = Date().addingTimeInterval(10)
        while !orphans().isEmpty && Date() < deadline { usleep(100_000) }
        let left = orphans()
        for pid in left { kill(pid, SIGKILL) }
        XCTAssertEqual(left, [], "processes of the sandbox outlived ww")
    }
}
