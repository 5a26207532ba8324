// Golden plans: (launch context, shipped profile, made-up host) -> SandboxPlan JSON and bwrap argv.
// Regenerate with `WW_UPDATE_GOLDEN=1 swift test --filter GoldenPlanTests`, then read the diff.

import Foundation
import XCTest
@testable import WardenCore

/// A host file system answered from a table: kinds, symlink targets, listings derived from the keys.
struct FakeFileSystem: HostFileSystem {
    var kinds: [String: FileKind] = [:]
    var links: [String: String] = [:]

    func kind(_ path: String) -> FileKind? { kinds[Paths.normalize(path)] }
    func symlinkTarget(_ path: String) -> String? { links[Paths.normalize(path)] }
    func list(_ directory: String) -> [String] {
        let dir = Paths.normalize(directory)
        return kinds.keys.filter { $0 != dir && Paths.dirname($0) == dir }.map { Paths.basename($0) }.sorted()
    }
    func canonical(_ path: String) -> String? { kind(path) == nil ? nil : Paths.normalize(path) }

    /// Adds `path` with `kind` and every missing parent folder.
    mutating func add(_ path: String, _ kind: FileKind) {
        var p = Paths.dirname(path)
        while p != "/" && kinds[p] == nil { kinds[p] = .directory; p = Paths.dirname(p) }
        kinds[path] = kind
    }

    mutating func link(_ path: String, _ target: String) {
        add(path, .symlink)
        links[path] = target
    }

    /// A desktop with a merged /usr, a GPU, ntsync, X11/Wayland/Pulse sockets and a home full of secrets.
    static func desktop() -> FakeFileSystem {
        var fs = FakeFileSystem()
        fs.kinds["/"] = .directory
        for d in ["/usr", "/usr/bin", "/usr/lib", "/usr/share", "/etc", "/sys/block", "/sys/bus", "/sys/class", "/sys/dev",
                  "/sys/devices", "/proc", "/dev", "/dev/dri", "/dev/input", "/tmp", "/tmp/.X11-unix", "/run/user/1000",
                  "/run/user/1000/pulse", "/home/player"] {
            fs.add(d, .directory)
        }
        fs.link("/bin", "usr/bin")
        fs.link("/sbin", "usr/bin")
        fs.link("/lib", "usr/lib")
        fs.link("/lib64", "usr/lib")
        fs.add("/usr/bin/wine", .file)
        fs.add("/usr/local/bin/ww", .file)
        fs.add("/etc/passwd", .file)
        fs.add("/dev/dri/card0", .characterDevice)
        fs.add("/dev/dri/renderD128", .characterDevice)
        fs.add("/dev/nvidia0", .characterDevice)
        fs.add("/dev/nvidiactl", .characterDevice)
        fs.add("/dev/ntsync", .characterDevice)
        fs.add("/dev/uinput", .characterDevice)
        fs.add("/dev/input/event3", .characterDevice)
        fs.add("/dev/input/event4", .characterDevice)
        fs.add("/dev/hidraw0", .characterDevice)
        fs.add("/tmp/.X11-unix/X0", .socket)
        fs.add("/run/user/1000/wayland-0", .socket)
        fs.add("/run/user/1000/pulse/native", .socket)
        fs.add("/run/user/1000/bus", .socket)
        let h = "/home/player"
        fs.add("\(h)/.ssh/id_ed25519", .file)
        fs.add("\(h)/.mozilla/firefox/profiles.ini", .file)
        fs.add("\(h)/.bashrc", .file)
        fs.add("\(h)/.config/autostart", .directory)
        fs.add("\(h)/.Xauthority", .file)
        fs.add("\(h)/.local/share/winewarden", .directory)
        fs.add("\(h)/.steam/steam/ssfn123", .file)
        fs.add("\(h)/.steam/steam/config/loginusers.vdf", .file)
        fs.add("\(h)/.steam/steam/ubuntu12_32/reaper", .file)
        fs.add("\(h)/.steam/steam/steamapps/common/Proton - Experimental/proton", .file)
        fs.add("\(h)/.steam/steam/steamapps/common/ELDEN RING/Game/eldenring.exe", .file)
        fs.add("\(h)/.steam/steam/steamapps/compatdata/1245620/pfx", .directory)
        fs.add("\(h)/.steam/steam/local.vdf", .file)
        fs.add("\(h)/.steam/steam/config/htmlcache/Cookies", .file)
        fs.add("\(h)/.steam/steam/userdata/4242/1245620/remote", .directory)
        fs.add("\(h)/.steam/steam/userdata/4242/570/remote", .directory)
        fs.add("\(h)/.steam/steam/userdata/4242/config/localconfig.vdf", .file)
        fs.add("\(h)/.steam/steam/steamapps/common/SteamLinuxRuntime_sniper/var", .directory)
        fs.add("\(h)/.steam/steam/steamapps/common/SteamLinuxRuntime_sniper/_v2-entry-point", .file)
        fs.add("\(h)/.steam/steam/steamapps/common/GoatGame/GoatGame", .file)
        fs.add("\(h)/.steam/steam/steamapps/shadercache/1245620", .directory)
        fs.add("\(h)/.steam/steam.pipe", .fifo)
        fs.link("\(h)/.steam/sdk32", "\(h)/.steam/steam/linux32")
        fs.add("\(h)/Games/native/game.x86_64", .file)
        fs.add("\(h)/Games/foo/Foo.exe", .file)
        fs.add("\(h)/Prefixes/foo/drive_c", .directory)
        fs.add("\(h)/Games/diablo-ii/prefix/drive_c", .directory)
        fs.add("\(h)/Games/diablo-ii/drive_c/D2/Game.exe", .file)
        return fs
    }
}

enum Fixture {
    static let user = UserInfo(name: "player", uid: 1000, gid: 1000, home: "/home/player")
    static let gamepad = InputDevice(path: "/dev/input/event3", isJoystick: true, isKeyboard: false, isMouse: false)
    static let keyboard = InputDevice(path: "/dev/input/event4", isJoystick: false, isKeyboard: true, isMouse: false)
    static let controller = HidrawDevice(path: "/dev/hidraw0", vendorID: 0x054c)

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var goldenDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden") }

    /// The repository's shipped profiles, read from disk, with stable `profiles/<name>.toml` paths.
    static func shippedCatalog() throws -> ProfileCatalog {
        let dir = repoRoot.appendingPathComponent("profiles")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".toml") }.sorted()
        let sources = try names.map { file -> ProfileSource in
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            return ProfileSource(name: String(file.dropLast(5)), path: "profiles/\(file)", text: text)
        }
        return ProfileCatalog(searchOrder: sources)
    }

    /// The shipped profiles with one more, first on the search path (a user's profile).
    static func catalog(adding source: ProfileSource) throws -> ProfileCatalog {
        ProfileCatalog(searchOrder: [source] + (try shippedCatalog().sources))
    }

    static func host(_ fs: FakeFileSystem = .desktop()) -> HostFacts {
        HostFacts(fileSystem: fs, inputDevices: [keyboard, gamepad], hidrawDevices: [controller],
                  wardenExecutable: "/usr/local/bin/ww", dataDirectory: "/home/player/.local/share/winewarden", landlockABI: 7)
    }

    static let baseEnvironment: [String: String] = [
        "HOME": "/home/player", "USER": "player", "PATH": "/usr/local/bin:/usr/bin",
        "DISPLAY": ":0", "XDG_RUNTIME_DIR": "/run/user/1000", "WAYLAND_DISPLAY": "wayland-0",
        "SSH_AUTH_SOCK": "/run/user/1000/ssh-agent.socket", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
    ]

    struct Case {
        var name: String
        var context: LaunchContext
        /// nil: let `ProfileResolver.select` choose, as `ww run` does.
        var profile: String?
    }

    static func context(_ command: [String], env extra: [String: String], cwd: String, resolved: String?) -> LaunchContext {
        LaunchContext(command: command, environment: baseEnvironment.merging(extra) { _, new in new }, workingDirectory: cwd,
                      user: user, resolvedCommand: resolved, windowsExecutable: LaunchContext.windowsProgramArgument(in: command))
    }

    static let steamRoot = "/home/player/.steam/steam"
    static let cases: [Case] = [
        Case(name: "default-native",
             context: context(["/home/player/Games/native/game.x86_64"], env: [:], cwd: "/home/player/Games/native",
                              resolved: "/home/player/Games/native/game.x86_64"),
             profile: "default"),
        Case(name: "wine",
             context: context(["wine", "/home/player/Games/foo/Foo.exe"], env: ["WINEPREFIX": "/home/player/Prefixes/foo"],
                              cwd: "/home/player/Games/foo", resolved: "/usr/bin/wine"),
             profile: "wine"),
        Case(name: "offline",
             context: context(["wine", "/home/player/Games/foo/Foo.exe"], env: ["WINEPREFIX": "/home/player/Prefixes/foo"],
                              cwd: "/home/player/Games/foo", resolved: "/usr/bin/wine"),
             profile: "offline"),
        Case(name: "steam",
             context: context(["\(steamRoot)/ubuntu12_32/reaper", "SteamLaunch", "AppId=1245620", "--",
                               "\(steamRoot)/ubuntu12_32/steam-launch-wrapper", "--",
                               "\(steamRoot)/steamapps/common/SteamLinuxRuntime_sniper/_v2-entry-point", "--verb=waitforexitandrun", "--",
                               "\(steamRoot)/steamapps/common/Proton - Experimental/proton", "waitforexitandrun",
                               "\(steamRoot)/steamapps/common/ELDEN RING/Game/eldenring.exe"],
                              env: ["STEAM_COMPAT_INSTALL_PATH": "\(steamRoot)/steamapps/common/ELDEN RING",
                                    "STEAM_COMPAT_DATA_PATH": "\(steamRoot)/steamapps/compatdata/1245620",
                                    "STEAM_COMPAT_CLIENT_INSTALL_PATH": steamRoot,
                                    "STEAM_COMPAT_SHADER_PATH": "\(steamRoot)/steamapps/shadercache/1245620",
                                    "STEAM_COMPAT_TOOL_PATHS": "\(steamRoot)/steamapps/common/Proton - Experimental:\(steamRoot)/steamapps/common/SteamLinuxRuntime_sniper",
                                    "SteamAppId": "1245620", "LD_PRELOAD": "/usr/lib/gameoverlayrenderer.so"],
                              cwd: "\(steamRoot)/steamapps/common/ELDEN RING/Game", resolved: "\(steamRoot)/ubuntu12_32/reaper"),
             profile: nil),
        Case(name: "steam-native",
             context: context(["\(steamRoot)/ubuntu12_32/reaper", "SteamLaunch", "AppId=570", "--",
                               "\(steamRoot)/steamapps/common/SteamLinuxRuntime_sniper/_v2-entry-point", "--verb=waitforexitandrun", "--",
                               "\(steamRoot)/steamapps/common/GoatGame/GoatGame"],
                              env: ["STEAM_COMPAT_INSTALL_PATH": "\(steamRoot)/steamapps/common/GoatGame",
                                    "STEAM_COMPAT_CLIENT_INSTALL_PATH": steamRoot,
                                    "STEAM_COMPAT_TOOL_PATHS": "\(steamRoot)/steamapps/common/SteamLinuxRuntime_sniper",
                                    "SteamAppId": "570"],
                              cwd: "\(steamRoot)/steamapps/common/GoatGame", resolved: "\(steamRoot)/ubuntu12_32/reaper"),
             profile: nil),
        Case(name: "lutris",
             context: context(["wine", "/home/player/Games/diablo-ii/drive_c/D2/Game.exe"],
                              env: ["LUTRIS_GAME_UUID": "7f1c9a0e-1111-2222-3333-444455556666", "GAME_NAME": "Diablo II",
                                    "GAME_DIRECTORY": "/home/player/Games/diablo-ii", "WINEPREFIX": "/home/player/Games/diablo-ii/prefix"],
                              cwd: "/home/player/Games/diablo-ii", resolved: "/usr/bin/wine"),
             profile: "wine"),
    ]

    static func plan(_ c: Case, fs: FakeFileSystem = .desktop(), catalog: ProfileCatalog? = nil) throws -> SandboxPlan {
        let catalog = try catalog ?? shippedCatalog()
        let resolver = ProfileResolver(catalog: catalog)
        let identity = GameIdentity.resolve(c.context)
        let source: ProfileSource
        let reason: String
        if let name = c.profile {
            source = try XCTUnwrap(catalog.source(named: name))
            reason = ProfileResolver.Selection.explicit(name).reason
        } else {
            let (s, selection) = try resolver.select(for: c.context, identity: identity)
            source = s
            reason = selection.reason
        }
        let profile = try resolver.load(source)
        return try Planner(context: c.context, identity: identity, profile: profile, profileReason: reason, host: host(fs)).plan()
    }

    static func plan(_ name: String) throws -> SandboxPlan {
        try plan(try XCTUnwrap(cases.first { $0.name == name }))
    }
}

final class GoldenPlanTests: XCTestCase {
    static func json(_ plan: SandboxPlan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(plan), as: UTF8.self) + "\n"
    }

    static func checkGolden(_ file: String, _ actual: String, line: UInt = #line) throws {
        let url = Fixture.goldenDirectory.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["WW_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Fixture.goldenDirectory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("missing golden file \(file); run with WW_UPDATE_GOLDEN=1 to create it", line: line)
        }
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let i = Array(zip(e, a)).firstIndex { $0.0 != $0.1 } ?? min(e.count, a.count)
            XCTFail("""
                \(file) differs from the golden file at line \(i + 1):
                  golden: \(i < e.count ? String(e[i]) : "<end>")
                  actual: \(i < a.count ? String(a[i]) : "<end>")
                rerun with WW_UPDATE_GOLDEN=1 if the change is intended
                """, line: line)
        }
    }

    func checkCase(_ name: String, line: UInt = #line) throws {
        try Self.checkPlan(try Fixture.plan(name), name: name, line: line)
    }

    /// `<name>.plan.json` and `<name>.argv` against the golden files.
    static func checkPlan(_ plan: SandboxPlan, name: String, line: UInt = #line) throws {
        try checkGolden("\(name).plan.json", try json(plan), line: line)
        let argv = BwrapCommand.render(plan).arguments.joined(separator: "\n") + "\n"
        try checkGolden("\(name).argv", argv, line: line)
    }

    func testDefaultProfileNativeCommandMatchesGolden() throws { try checkCase("default-native") }
    func testWineProfileMatchesGolden() throws { try checkCase("wine") }
    func testOfflineProfileMatchesGolden() throws { try checkCase("offline") }
    func testSteamLaunchMatchesGolden() throws { try checkCase("steam") }
    func testLutrisLaunchMatchesGolden() throws { try checkCase("lutris") }
    func testSteamNativeLaunchMatchesGolden() throws { try checkCase("steam-native") }
}

/// Properties every golden plan must have, stated directly so a regenerated golden cannot hide them.
final class PlanPropertyTests: XCTestCase {
    func allPlans() throws -> [(String, SandboxPlan)] {
        try Fixture.cases.map { ($0.name, try Fixture.plan($0)) }
    }

    func argv(_ plan: SandboxPlan) -> [String] { BwrapCommand.render(plan).arguments }

    func env(_ plan: SandboxPlan, _ name: String) -> String? { plan.environment.first { $0.name == name }?.value }

    func testNoWritableBindHasASystemSource() throws {
        for (name, plan) in try allPlans() {
            for m in plan.mounts where m.kind == .bind {
                let src = m.source ?? ""
                // The two shares Steam needs, only when the plan shares that namespace.
                if src == "/dev/shm" && !plan.namespaces.ipc { continue }
                if src == "/proc" && !plan.namespaces.pid { continue }
                for system in ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/sys", "/proc", "/dev", "/boot"] {
                    XCTAssertFalse(Paths.isWithin(src, system), "\(name): writable bind of \(src)")
                }
            }
        }
    }

    func testSystemFoldersAreReadOnly() throws {
        for (name, plan) in try allPlans() {
            XCTAssertTrue(plan.mounts.contains(MountStep(.readOnlyBind, source: "/usr", "/usr", reason: "system")), name)
            XCTAssertTrue(plan.mounts.contains { $0.kind == .readOnlyBind && $0.source == "/etc" && $0.destination == "/etc" }, name)
            XCTAssertTrue(plan.mounts.contains { $0.kind == .symlink && $0.source == "usr/bin" && $0.destination == "/bin" }, name)
        }
    }

    func testSandboxRootIsRemountedReadOnly() throws {
        for (name, plan) in try allPlans() {
            XCTAssertTrue(plan.mounts.contains { $0.kind == .remountReadOnly && $0.destination == "/" }, name)
        }
    }

    func testRealHomeAndSecretsAreNeverABindSource() throws {
        for (name, plan) in try allPlans() {
            for m in plan.mounts where m.kind == .bind || m.kind == .readOnlyBind {
                let src = m.source ?? ""
                XCTAssertNotEqual(src, "/home/player", "\(name): real home bound")
                for secret in [".ssh", ".mozilla", ".steam/steam/ssfn123", ".steam/steam/config"] {
                    XCTAssertFalse(Paths.isWithin(src, "/home/player/\(secret)"), "\(name): \(src) exposes a secret")
                }
            }
        }
    }

    func testHomeIsTheVirtualHomeOfTheGame() throws {
        for (name, plan) in try allPlans() {
            let vhome = "/home/player/.local/share/winewarden/virtual/\(plan.game.id)/home"
            XCTAssertTrue(plan.mounts.contains { $0.kind == .bind && $0.source == vhome && $0.destination == "/home/player" }, name)
            XCTAssertTrue(plan.directoriesToCreate.contains(vhome), name)
        }
    }

    func testGamepadAndControllerAreGrantedButKeyboardAndUinputNever() throws {
        for (name, plan) in try allPlans() {
            let a = argv(plan)
            XCTAssertTrue(a.contains("/dev/input/event3"), "\(name): gamepad missing")
            XCTAssertTrue(a.contains("/dev/hidraw0"), "\(name): Sony controller (hidraw) missing")
            XCTAssertFalse(a.contains("/dev/input/event4"), "\(name): keyboard granted")
            XCTAssertFalse(a.contains { $0.contains("uinput") }, "\(name): uinput granted")
            XCTAssertTrue(plan.notes.contains { $0.hasPrefix("/dev/input/event4 not granted") }, name)
        }
    }

    /// Controllers plugged in later: the host's /dev is staged where the game cannot enter (a tmpfs
    /// with no permissions, read-only, and no Landlock right), and udev's view is ww's copy only.
    func testControllersPluggedInLaterHaveAStageTheGameCannotEnter() throws {
        for (name, plan) in try allPlans() {
            XCTAssertTrue(plan.hotplug.enabled, name)
            XCTAssertEqual(plan.hotplug.initial, ["/dev/input/event3", "/dev/hidraw0"], name)
            let a = argv(plan)
            let stage = DeviceHotplugPlan.stagePath
            guard let i = a.firstIndex(of: stage), i >= 3 else { return XCTFail("\(name): no stage") }
            XCTAssertEqual(Array(a[(i - 3)...(i + 5)]), ["--perms", "0000", "--tmpfs", stage, "--dev-bind", "/dev", stage + "/dev", "--remount-ro", stage], name)
            XCTAssertFalse(plan.landlock.rules.contains { Paths.isWithin($0.path, stage) }, "\(name): a Landlock right in the stage")
            XCTAssertTrue(plan.mounts.contains { $0.kind == .readOnlyBind && $0.destination == "/run/udev" && $0.source == plan.hotplug.udevFolder }, name)
            XCTAssertFalse(plan.mounts.contains { $0.source?.hasPrefix("/run/udev") == true }, "\(name): the host's udev database is bound")
            XCTAssertTrue(plan.mounts.contains { $0.kind == .dir && $0.destination == "/dev/input" }, name)
        }
    }

    func testGPUAndNtsyncAreDeviceBinds() throws {
        for (name, plan) in try allPlans() {
            for dev in ["/dev/dri", "/dev/nvidia0", "/dev/nvidiactl", "/dev/ntsync"] {
                XCTAssertTrue(plan.mounts.contains { $0.kind == .deviceBind && $0.source == dev && $0.destination == dev }, "\(name): \(dev)")
            }
        }
    }

    func testSecretsAndBusAddressesAreRemovedFromTheEnvironment() throws {
        for (name, plan) in try allPlans() {
            XCTAssertNil(env(plan, "SSH_AUTH_SOCK"), name)
            XCTAssertNil(env(plan, "DBUS_SESSION_BUS_ADDRESS"), name)
            XCTAssertTrue(plan.removedEnvironment.contains { $0.name == "SSH_AUTH_SOCK" }, name)
            XCTAssertFalse(argv(plan).contains { $0.contains("ssh-agent") }, name)
            XCTAssertFalse(argv(plan).contains("/run/user/1000/bus"), "\(name): D-Bus socket bound")
        }
    }

    func testMenuBuilderIsDisabledEverywhere() throws {
        for (name, plan) in try allPlans() {
            XCTAssertTrue(env(plan, "WINEDLLOVERRIDES")?.contains("winemenubuilder.exe=d") == true, name)
        }
    }

    func testRuntimeDirIsAnEmptyPrivateTmpfs() throws {
        for (name, plan) in try allPlans() {
            XCTAssertTrue(plan.mounts.contains(MountStep(.tmpfs, "/run/user/1000", permissions: "0700",
                                                         reason: "empty runtime folder (no D-Bus, no agents)")), name)
        }
    }

    func testHelperIsBoundReadOnlyAndRunLast() throws {
        for (name, plan) in try allPlans() {
            XCTAssertTrue(plan.mounts.contains { $0.kind == .readOnlyBind && $0.source == "/usr/local/bin/ww" && $0.destination == "/run/winewarden/ww" }, name)
            XCTAssertEqual(Array(argv(plan).suffix(3)), ["--", "/run/winewarden/ww", "__inner-helper"], name)
            XCTAssertTrue(plan.dieWithParent && plan.dropAllCapabilities, name)
        }
    }

    /// A virtual home's persistence targets are the game's own copies, captured and put back at the end
    /// (no mount over them); the real home's (host-ro, host) are session copies bound over them.
    func testPersistenceTargetsOfTheVirtualHomeAreCapturedAndTheRealOnesCopied() throws {
        let plan = try Fixture.plan("default-native")
        XCTAssertFalse(plan.mounts.contains { $0.destination == "/home/player/.bashrc" || $0.destination == "/home/player/.config/autostart" })
        let vhome = try XCTUnwrap(plan.mounts.first { $0.kind == .bind && $0.destination == "/home/player" }?.source)
        XCTAssertEqual(plan.persistence.hostHome, vhome)
        XCTAssertEqual(plan.persistence.sandboxHome, "/home/player")
        XCTAssertFalse(plan.persistence.isCopy)
        let targets = Dictionary(uniqueKeysWithValues: plan.persistence.targets.map { ($0.relative, $0.mechanism) })
        XCTAssertEqual(targets[".bashrc"], "shell-startup")
        XCTAssertEqual(targets[".config/autostart"], "xdg-autostart")
        XCTAssertEqual(targets[".config/systemd/user"], "systemd-user")
        XCTAssertEqual(targets.count, SensitivePaths.persistenceFiles.count + SensitivePaths.persistenceDirectories.count)
        for mode in ["host", "host-ro"] {
            let catalog = try Fixture.catalog(adding: ProfileSource(name: "real", path: "user/real.toml", text: "extends = \"default\"\n[filesystem]\nhome = \"\(mode)\"\n"))
            let real = try Fixture.plan(Fixture.Case(name: "real", context: Fixture.cases[0].context, profile: "real"), catalog: catalog)
            let copies = "/run/user/1000/winewarden/0123456789abcdef/persistence"
            XCTAssertEqual(real.persistence.hostHome, copies, mode)
            XCTAssertEqual(real.persistence.copiedFrom, "/home/player", mode)
            let copied = real.mounts.filter { $0.kind == .sessionCopy }
            // Each copy is bound after the home (never under it) from ww's session folder.
            let homeIndex = try XCTUnwrap(real.mounts.firstIndex { $0.destination == "/home/player" })
            for m in copied {
                XCTAssertEqual(m.source, copies + String(m.destination.dropFirst("/home/player".count)), mode)
                XCTAssertGreaterThan(real.mounts.firstIndex(of: m) ?? 0, homeIndex, mode)
            }
            XCTAssertEqual(Set(copied.map(\.destination)), Set(real.persistence.targets.map { "/home/player/" + $0.relative }), mode)
            XCTAssertTrue(copied.contains { $0.destination == "/home/player/.bashrc" }, "\(mode): \(real.mounts.filter { $0.destination.contains("bashrc") })")
            XCTAssertTrue(argv(real).joined(separator: " ").contains("--bind \(copies)/.bashrc /home/player/.bashrc"), mode)
            // Missing folders: a writable home gets an empty copy; a read-only one has nothing to create.
            XCTAssertEqual(copied.contains { $0.destination == "/home/player/.config/systemd/user" }, mode == "host", mode)
        }
    }

    /// MangoHud's and vkBasalt's settings and the user's Vulkan layer manifests are read-only in a virtual
    /// home (a folder that is missing or a link is not bound); the real home shows them anyway.
    func testOverlayLayersAndSettingsAreReadOnlyInAVirtualHome() throws {
        var fs = FakeFileSystem.desktop()
        let h = "/home/player"
        fs.add("\(h)/.config/MangoHud", .directory)
        fs.add("\(h)/.local/share/vulkan/implicit_layer.d", .directory)
        fs.link("\(h)/.config/vkBasalt", "/somewhere/else")
        let plan = try Fixture.plan(Fixture.cases[0], fs: fs)
        let ro = plan.mounts.filter { $0.kind == .readOnlyBind && $0.reason.contains("overlay settings") }
        XCTAssertEqual(ro.map(\.destination), ["\(h)/.local/share/vulkan/implicit_layer.d", "\(h)/.config/MangoHud"])
        XCTAssertEqual(ro.map { $0.source ?? "" }, ro.map(\.destination))
        let home = try XCTUnwrap(plan.mounts.firstIndex { $0.destination == h })
        XCTAssertTrue(ro.allSatisfy { (plan.mounts.firstIndex(of: $0) ?? 0) > home }, "bound over the virtual home, not under it")
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "real", path: "user/real.toml", text: "extends = \"default\"\n[filesystem]\nhome = \"host-ro\"\n"))
        let real = try Fixture.plan(Fixture.Case(name: "real", context: Fixture.cases[0].context, profile: "real"), fs: fs, catalog: catalog)
        XCTAssertFalse(real.mounts.contains { $0.reason.contains("overlay settings") })
    }

    /// Discord's IPC sockets only when a profile turns them on (the native one, else the Flatpak's), where
    /// the game's Discord library looks; the plan says so.
    func testDiscordIPCIsOffByDefaultAndShownWhereTheGameLooks() throws {
        var fs = FakeFileSystem.desktop()
        fs.add("/run/user/1000/discord-ipc-0", .socket)
        fs.add("/run/user/1000/app/com.discordapp.Discord/discord-ipc-1", .socket)
        let off = try Fixture.plan(Fixture.cases[0], fs: fs)
        XCTAssertFalse(off.mounts.contains { $0.destination.contains("discord-ipc") })
        XCTAssertEqual(off.discordSockets, [])
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "rp", path: "user/rp.toml", text: "extends = \"default\"\n[desktop]\ndiscord_ipc = true\n"))
        let on = try Fixture.plan(Fixture.Case(name: "rp", context: Fixture.cases[0].context, profile: "rp"), fs: fs, catalog: catalog)
        let binds = on.mounts.filter { $0.destination.contains("discord-ipc") }
        XCTAssertEqual(binds.map(\.destination), ["/run/user/1000/discord-ipc-0", "/run/user/1000/discord-ipc-1"])
        XCTAssertEqual(binds.map { $0.source ?? "" }, ["/run/user/1000/discord-ipc-0", "/run/user/1000/app/com.discordapp.Discord/discord-ipc-1"])
        XCTAssertTrue(binds.allSatisfy { $0.kind == .readOnlyBind })
        XCTAssertEqual(on.discordSockets, ["/run/user/1000/discord-ipc-0", "/run/user/1000/discord-ipc-1"])
        XCTAssertTrue(on.warnings.contains { $0.contains("who you are") }, "\(on.warnings)")
        // After the empty runtime folder, or it would hide them.
        let runtime = try XCTUnwrap(on.mounts.firstIndex { $0.kind == .tmpfs && $0.destination == "/run/user/1000" })
        XCTAssertTrue(binds.allSatisfy { (on.mounts.firstIndex(of: $0) ?? 0) > runtime })
    }

    func testDefaultGrantsTheGameFolderReadWrite() throws {
        let plan = try Fixture.plan("default-native")
        XCTAssertTrue(plan.mounts.contains { $0.kind == .bind && $0.source == "/home/player/Games/native" && $0.destination == "/home/player/Games/native" })
        XCTAssertEqual(plan.workingDirectory, "/home/player/Games/native")
        XCTAssertTrue(argv(plan).contains("--unshare-net"))
        XCTAssertEqual(plan.game.source, .executable)
    }

    func testWineProfileIsSelectedForWineAndGrantsThePrefix() throws {
        let c = Fixture.Case(name: "wine-selected", context: Fixture.cases[1].context, profile: nil)
        let plan = try Fixture.plan(c)
        XCTAssertEqual(plan.profile, "wine")
        XCTAssertEqual(plan.profileChain, ["profiles/default.toml", "profiles/wine.toml"])
        XCTAssertTrue(plan.mounts.contains { $0.kind == .bind && $0.source == "/home/player/Prefixes/foo" })
        XCTAssertTrue(plan.mounts.contains { $0.kind == .bind && $0.source == "/home/player/Games/foo" })
        XCTAssertEqual(env(plan, "WINEDEBUG"), "-all")
        XCTAssertTrue(plan.game.id.hasPrefix("wine:"))
    }

    func testOfflineProfileHasNoNetwork() throws {
        let plan = try Fixture.plan("offline")
        XCTAssertEqual(plan.network, .off)
        XCTAssertTrue(argv(plan).contains("--unshare-net"))
        XCTAssertEqual(plan.profileChain, ["profiles/default.toml", "profiles/wine.toml", "profiles/offline.toml"])
    }

    /// A reaper line no profile names gets steam-proton (Proton in the chain) or steam-native.
    func testSteamLaunchesGetTheSteamProfiles() throws {
        let proton = try Fixture.plan("steam")
        XCTAssertEqual(proton.profile, "steam-proton")
        XCTAssertEqual(proton.profileReason, ProfileResolver.Selection.steamLaunch(app: 1245620, proton: true).reason)
        XCTAssertEqual(proton.profileChain, ["profiles/default.toml", "profiles/steam-native.toml", "profiles/steam-proton.toml"])
        let native = try Fixture.plan("steam-native")
        XCTAssertEqual(native.profile, "steam-native")
        XCTAssertEqual(native.game.id, "steam:570")
    }

    /// copy_on_write replaces the writable bind of the folder with the overlay's, by path.
    func testCopyOnWriteBindsTheOverlayInsteadOfTheFolder() throws {
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "cow", path: "user/cow.toml", text: """
            extends = "wine"
            [filesystem]
            copy_on_write = ["${GAME_DIR}"]
            """))
        let c = Fixture.Case(name: "cow", context: try XCTUnwrap(Fixture.cases.first { $0.name == "wine" }).context, profile: "cow")
        let plan = try Fixture.plan(c, catalog: catalog)
        let dir = "/home/player/Games/foo"
        let layer = try XCTUnwrap(plan.copyOnWrite.first)
        XCTAssertEqual(plan.copyOnWrite.count, 1)
        XCTAssertEqual(layer.original, dir)
        XCTAssertEqual(layer.layerDirectory, "/home/player/.local/share/winewarden/cow/\(plan.game.id)/\(StableHash.hex(dir))")
        let esc = { (p: String) in p.replacingOccurrences(of: ":", with: "\\:") }   // the game id has a colon
        XCTAssertEqual(layer.mountOptions, "lowerdir=\(dir),upperdir=\(esc(layer.upper)),workdir=\(esc(layer.work)),userxattr")
        XCTAssertTrue(plan.mounts.contains { $0.kind == .overlayBind && $0.source == layer.merged && $0.destination == dir })
        XCTAssertFalse(plan.mounts.contains { $0.kind == .bind && $0.source == dir }, "the real folder is never bound writable")
        XCTAssertTrue(plan.notes.contains { $0.contains("copy-on-write instead of read-write") }, "\(plan.notes)")
        let argv = BwrapCommand.render(plan, sourceDescriptor: { _ in 99 }).arguments
        let i = try XCTUnwrap(argv.firstIndex(of: layer.merged))
        XCTAssertEqual(argv[i - 1], "--bind", "the overlay is bound by path (it exists only in ww's mount namespace)")
        XCTAssertTrue(plan.landlock.rules.contains { $0.path == dir && $0.access == LandlockAccess.readWrite })
        XCTAssertTrue(PlanText.render(plan, bwrap: BwrapCommand.render(plan)).contains("copy-on-write \(dir): overlay mounted by ww before bwrap, changes in \(layer.upper)"))
        XCTAssertEqual(CopyOnWriteLayer(original: "/g/a,b:c", layerDirectory: "/l").mountOptions,
                       "lowerdir=/g/a\\,b\\:c,upperdir=/l/upper,workdir=/l/work,userxattr")
    }

    /// A user's profile naming the AppId wins over the shipped Steam profile.
    func testAProfileNamingTheAppIdWinsOverTheSteamProfile() throws {
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "elden", path: "user/elden.toml", text: """
            extends = "steam-proton"
            [match]
            steam_app_ids = [1245620]
            """))
        let c = Fixture.Case(name: "elden", context: try XCTUnwrap(Fixture.cases.first { $0.name == "steam" }).context, profile: nil)
        let plan = try Fixture.plan(c, catalog: catalog)
        XCTAssertEqual(plan.profile, "elden")
        XCTAssertEqual(plan.profileReason, ProfileResolver.Selection.steamAppID(1245620).reason)
    }

    /// What Steam shares with the game, and what stays out: login files, other games' userdata,
    /// steam.pipe; ~/.steam is links only; IPC and PIDs shared, the runtime's bwrap allowed.
    func testSteamProtonPlanSharesWhatSteamNeedsAndNoMore() throws {
        let plan = try Fixture.plan("steam")
        let s = Fixture.steamRoot
        func has(_ kind: MountStep.Kind, _ dest: String, source: String? = nil) -> Bool {
            plan.mounts.contains { $0.kind == kind && $0.destination == dest && (source == nil || $0.source == source) }
        }
        XCTAssertTrue(has(.readOnlyBind, s, source: s), "the client read-only")
        // Login files and the browser's cookies: decoys from the session folder over them.
        for secret in ["ssfn123", "config/loginusers.vdf", "local.vdf", "config/htmlcache"] {
            XCTAssertTrue(plan.mounts.contains { $0.kind == .decoy && $0.destination == "\(s)/\(secret)" && $0.source?.hasPrefix(plan.decoys.folder + "/") == true }, secret)
        }
        XCTAssertTrue(has(.tmpfs, "\(s)/userdata"))
        XCTAssertTrue(has(.bind, "\(s)/userdata/4242/1245620", source: "\(s)/userdata/4242/1245620"), "own cloud saves")
        XCTAssertFalse(plan.mounts.contains { $0.source?.hasPrefix("\(s)/userdata/4242/570") == true || $0.source == "\(s)/userdata/4242/config" })
        XCTAssertTrue(has(.tmpfs, "/home/player/.steam"))
        XCTAssertTrue(has(.symlink, "/home/player/.steam/root", source: s))
        XCTAssertFalse(has(.symlink, "/home/player/.steam/steam"), "the client itself lives there")
        XCTAssertTrue(has(.symlink, "/home/player/.steam/sdk32", source: "/home/player/.steam/steam/linux32"), "the host's link target")
        XCTAssertTrue(has(.symlink, "/home/player/.steam/sdk64", source: "\(s)/linux64"))
        XCTAssertFalse(plan.mounts.contains { $0.destination.hasSuffix("steam.pipe") && $0.kind != .hideFile })
        for rw in ["steamapps/compatdata/1245620", "steamapps/shadercache/1245620", "steamapps/common/ELDEN RING",
                   "steamapps/common/SteamLinuxRuntime_sniper/var"] {
            XCTAssertTrue(has(.bind, "\(s)/\(rw)", source: "\(s)/\(rw)"), rw)
        }
        XCTAssertTrue(has(.readOnlyBind, "\(s)/steamapps/common/Proton - Experimental"))
        XCTAssertTrue(plan.notes.contains { $0.contains("Proton - Experimental/var") && $0.contains("does not exist: skipped") }, "\(plan.notes)")
        // Binds inside the client come after it (on top), the hides after every bind.
        let client = try XCTUnwrap(plan.mounts.firstIndex { $0.destination == s })
        let prefix = try XCTUnwrap(plan.mounts.firstIndex { $0.destination == "\(s)/steamapps/compatdata/1245620" })
        let hide = try XCTUnwrap(plan.mounts.firstIndex { $0.destination == "\(s)/ssfn123" })
        XCTAssertLessThan(client, prefix)
        XCTAssertLessThan(prefix, hide)
        XCTAssertFalse(plan.namespaces.pid)
        XCTAssertFalse(plan.namespaces.ipc)
        XCTAssertFalse(plan.namespaces.disableNestedUserNamespaces)
        XCTAssertTrue(has(.bind, "/proc", source: "/proc"))
        XCTAssertTrue(has(.bind, "/dev/shm", source: "/dev/shm"))
        XCTAssertEqual(plan.landlock.mode, .required, "shared PIDs are safe only inside a Landlock domain")
        XCTAssertNotEqual(plan.landlock.scopes, 0)
    }

    /// The anti-cheat runtimes Proton names are readable, not writable; a list entry stands for each path.
    func testAntiCheatRuntimesAndToolPathsAreReadOnly() throws {
        var fs = FakeFileSystem.desktop()
        let eac = "/home/player/.steam/steam/steamapps/common/Proton EasyAntiCheat Runtime"
        let be = "/home/player/.steam/steam/steamapps/common/BattlEye Runtime"
        fs.add(eac, .directory)
        fs.add(be, .directory)
        var c = try XCTUnwrap(Fixture.cases.first { $0.name == "steam" })
        c.context.environment["PROTON_EAC_RUNTIME"] = eac
        c.context.environment["PROTON_BATTLEYE_RUNTIME"] = be
        let plan = try Fixture.plan(c, fs: fs)
        for dir in [eac, be] {
            XCTAssertTrue(plan.mounts.contains { $0.kind == .readOnlyBind && $0.source == dir && $0.destination == dir }, dir)
            XCTAssertFalse(plan.mounts.contains { $0.kind == .bind && $0.source == dir }, dir)
        }
        let text = PlanText.render(plan, bwrap: BwrapCommand.render(plan))
        XCTAssertTrue(text.contains("profile     steam-proton  (a Steam launch through Proton and no profile names AppId 1245620)"), text)
    }

    /// Without Landlock ABI 6 (or with landlock = off) shared PIDs would let the game trace the
    /// player's other programs: the plan falls back to a private PID namespace and says so.
    func testSharedPIDsNeedLandlockScoping() throws {
        let c = try XCTUnwrap(Fixture.cases.first { $0.name == "steam" })
        var host = Fixture.host()
        host.landlockABI = 5
        let catalog = try Fixture.shippedCatalog()
        let resolver = ProfileResolver(catalog: catalog)
        let identity = GameIdentity.resolve(c.context)
        let (source, selection) = try resolver.select(for: c.context, identity: identity)
        var profile = try resolver.load(source)
        var plan = try Planner(context: c.context, identity: identity, profile: profile, profileReason: selection.reason, host: host).plan()
        XCTAssertTrue(plan.namespaces.pid)
        XCTAssertTrue(plan.mounts.contains { $0.kind == .proc })
        XCTAssertTrue(plan.warnings.contains { $0.contains("needs Landlock ABI 6") && $0.contains("ABI 5") }, "\(plan.warnings)")
        host.landlockABI = 7
        profile.landlock = Traced(.off, SourceLocation(file: "test", line: 1))
        plan = try Planner(context: c.context, identity: identity, profile: profile, profileReason: selection.reason, host: host).plan()
        XCTAssertTrue(plan.namespaces.pid)
        XCTAssertTrue(plan.warnings.contains { $0.contains("landlock = off") }, "\(plan.warnings)")
    }

    func testSteamLaunchIsIdentifiedByAppIdAndKeepsLDPreload() throws {
        let plan = try Fixture.plan("steam")
        XCTAssertEqual(plan.game.id, "steam:1245620")
        XCTAssertEqual(plan.game.source, .steamLaunch)
        XCTAssertEqual(env(plan, "LD_PRELOAD"), "/usr/lib/gameoverlayrenderer.so")
        XCTAssertEqual(env(plan, "DISPLAY"), ":0")
        XCTAssertEqual(plan.game.gameDirectory, "/home/player/.steam/steam/steamapps/common/ELDEN RING")
        XCTAssertTrue(plan.mounts.contains { $0.kind == .bind && $0.source == "/home/player/.steam/steam/steamapps/common/ELDEN RING" })
    }

    func testLutrisLaunchIsIdentifiedByGameNameAndPrefixInsideGameFolderIsNotBoundTwice() throws {
        let plan = try Fixture.plan("lutris")
        XCTAssertEqual(plan.game.id, "lutris:diablo-ii")
        XCTAssertEqual(plan.game.gameDirectory, "/home/player/Games/diablo-ii")
        XCTAssertTrue(plan.mounts.contains { $0.kind == .bind && $0.source == "/home/player/Games/diablo-ii" })
        XCTAssertFalse(plan.mounts.contains { $0.source == "/home/player/Games/diablo-ii/prefix" })
        XCTAssertTrue(plan.notes.contains { $0.contains("/home/player/Games/diablo-ii/prefix is inside another read-write folder") })
    }

    /// When a profile exposes the Steam folder, its login files stay hidden.
    func testSteamCredentialsAreHiddenWhenTheSteamFolderIsBound() throws {
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "steamdir", path: "profiles/steamdir.toml", text: """
            extends = "default"
            [filesystem]
            read_only = ["~/.steam/steam"]
            """))
        let c = Fixture.Case(name: "steam-folder", context: Fixture.cases[3].context, profile: "steamdir")
        let plan = try Fixture.plan(c, catalog: catalog)
        XCTAssertTrue(plan.mounts.contains { $0.kind == .readOnlyBind && $0.source == "/home/player/.steam/steam" })
        XCTAssertTrue(plan.mounts.contains { $0.kind == .decoy && $0.destination == "/home/player/.steam/steam/ssfn123" })
        XCTAssertTrue(plan.mounts.contains { $0.kind == .decoy && $0.destination == "/home/player/.steam/steam/config/loginusers.vdf" })
        // The hide comes after the bind that exposed it, so it is on top.
        let bind = try XCTUnwrap(plan.mounts.firstIndex { $0.source == "/home/player/.steam/steam" })
        let hide = try XCTUnwrap(plan.mounts.firstIndex { $0.destination == "/home/player/.steam/steam/ssfn123" })
        XCTAssertLessThan(bind, hide)
    }

    /// Logitech (0x046d), Razer (0x1532) and Microsoft (0x045e) also make keyboards and mice; their
    /// hidraw nodes carry keystrokes, so the vendor alone cannot make a hidraw node a game controller.
    func testHidrawOfAKeyboardMakerIsNotGrantedByVendorAlone() throws {
        let c = Fixture.cases[0]
        var host = Fixture.host()
        host.hidrawDevices = [HidrawDevice(path: "/dev/hidraw7", vendorID: 0x046d)]
        let catalog = try Fixture.shippedCatalog()
        let profile = try ProfileResolver(catalog: catalog).load(named: "default")
        let plan = try Planner(context: c.context, identity: GameIdentity.resolve(c.context), profile: profile,
                               profileReason: "test", host: host).plan()
        if argv(plan).contains("/dev/hidraw7") {
            return XCTFail("/dev/hidraw7 of vendor 0x046d (Logitech: keyboards, mice, Unifying receivers) is granted as a game controller; hidraw is chosen by vendor id only")
        }
    }

    /// The global config's [network] mode sits below every profile, but default.toml writes mode = "off"
    /// explicitly, so for every shipped profile the global setting can never take effect.
    func testGlobalNetworkModeReachesProfilesThatDoNotSetOne() throws {
        let config = try GlobalConfig.parse(path: "config.toml", text: "[network]\nmode = \"full\"\n")
        let resolver = ProfileResolver(catalog: try Fixture.shippedCatalog(), globalLayer: config.layer)
        XCTAssertEqual(try resolver.load(named: "offline").network.value, .off, "offline is off whatever the config says")
        let wine = try resolver.load(named: "wine")
        if wine.network.value != .full {
            return XCTFail("global [network] mode = \"full\" never applies: default.toml sets mode = \"off\" (\(wine.network.origin)), and profiles override the global layer")
        }
    }

    func testAReadOnlyRuleNamingASecretFolderIsRefused() throws {
        let catalog = try Fixture.catalog(adding: ProfileSource(name: "leaky", path: "profiles/leaky.toml", text: """
            extends = "default"
            [filesystem]
            read_only = ["~/.ssh"]
            """))
        let c = Fixture.Case(name: "leaky", context: Fixture.cases[0].context, profile: "leaky")
        XCTAssertThrowsError(try Fixture.plan(c, catalog: catalog)) { error in
            XCTAssertTrue((error as? WardenError)?.message.contains("profiles/leaky.toml:3:") == true, "\(error)")
        }
    }
}
