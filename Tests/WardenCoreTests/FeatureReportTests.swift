// Verdicts of `ww features` for made-up hosts: the report is pure, so no machine is needed.

import XCTest
@testable import WardenCore

private typealias Bwrap = Features.Bwrap
private typealias UserNamespaces = Features.UserNamespaces
private typealias Seccomp = Features.Seccomp
private typealias DesktopSockets = Features.DesktopSockets
private typealias Container = Features.Container

final class FeatureReportTests: XCTestCase {
    static let bwrapHelp = """
        usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]

            --help                       Print this help
            --unshare-user               Create new user namespace (may be automatically implied if not setuid)
            --disable-userns             Disable further use of user namespaces inside sandbox
            --clearenv                   Unset all environment variables
            --bind-fd FD DEST            Bind open directory or path fd on DEST
            --overlay-src SRC            Read files from SRC in the following overlay
            --overlay RWSRC WORKDIR DEST Mount overlayfs on DEST, with RWSRC as the host path for writes
            --json-status-fd FD          Write container status to FD as multiple JSON documents
            --perms OCTAL                Set permissions of next argument (--bind-data, --file, etc.)
            --size BYTES                 Set size of next argument (only for --tmpfs)
            --chmod OCTAL PATH           Change permissions of PATH (must already exist)
        """

    /// A desktop with everything ww can use.
    static func capableHost() -> Features {
        Features(
            kernelRelease: "6.18.44-arch1-1",
            bwrap: Bwrap(path: "/usr/bin/bwrap", version: "0.11.0",
                         options: Bwrap.options(fromHelp: bwrapHelp), trial: .init(succeeded: true)),
            userNamespaces: UserNamespaces(status: .usable, maxUserNamespaces: 63_000),
            landlockABI: 7,
            landlockErrata: 0b111,
            seccomp: Seccomp(filterAvailable: true,
                             actionsAvailable: ["kill_process", "errno", "user_notif", "allow"],
                             userNotification: true, newListenerFlag: true, waitKillableRecvFlag: true,
                             flagEvidence: .childInstalledFilter),
            socatPath: "/usr/bin/socat",
            xdgDbusProxyPath: "/usr/bin/xdg-dbus-proxy",
            desktop: DesktopSockets(x11Display: ":0", x11Sockets: ["/tmp/.X11-unix/X0"],
                                    wayland: "/run/user/1000/wayland-0",
                                    pulseaudio: "/run/user/1000/pulse/native",
                                    pipewire: "/run/user/1000/pipewire-0"),
            gpuDevices: ["/dev/dri/card0", "/dev/dri/renderD128"],
            ntsync: true)
    }

    func verdict(_ report: FeatureReport, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> FeatureCheck.Verdict? {
        let check = report.check(name)
        XCTAssertNotNil(check, "no check named \(name)", file: file, line: line)
        return check?.verdict
    }

    func testCapableHostIsAllOk() {
        let report = FeatureReport(Self.capableHost())
        for check in report.checks {
            XCTAssertEqual(check.verdict, .ok, "\(check.name): \(check.detail)")
            XCTAssertNil(check.fix, check.name)
        }
        XCTAssertTrue(report.canSandbox)
        XCTAssertTrue(report.features.bwrapUsable)
        XCTAssertTrue(report.features.userNamespacesUsable)
    }

    func testEveryCheckIsPresentWhateverTheHost() {
        let names = ["kernel", "bwrap", "bwrap --bind-fd", "bwrap --disable-userns", "bwrap --overlay",
                     "user namespaces", "landlock", "seccomp filter", "seccomp user notification",
                     "socat", "xdg-dbus-proxy", "display", "sound", "gpu", "ntsync", "container"]
        XCTAssertEqual(FeatureReport(Self.capableHost()).checks.map(\.name), names)
        XCTAssertEqual(FeatureReport(Features(kernelRelease: "")).checks.map(\.name), names)
    }

    func testEveryProblemSaysWhatItCostsAndHowToFixIt() {
        let report = FeatureReport(Features(kernelRelease: "4.19.0", container: Container(kind: .flatpak, evidence: "/.flatpak-info")))
        let problems = report.checks.filter { $0.verdict != .ok }
        XCTAssertFalse(problems.isEmpty)
        for check in problems {
            XCTAssertFalse(check.cost?.isEmpty ?? true, "\(check.name) has no cost")
            XCTAssertFalse(check.fix?.isEmpty ?? true, "\(check.name) has no fix")
        }
    }

    func testMissingBwrapMeansNoSandbox() {
        var host = Self.capableHost()
        host.bwrap = nil
        let report = FeatureReport(host)
        XCTAssertEqual(verdict(report, "bwrap"), .missing)
        XCTAssertEqual(verdict(report, "bwrap --overlay"), .missing)
        XCTAssertTrue(report.check("bwrap")?.fix?.contains("apt install bubblewrap") ?? false)
        XCTAssertFalse(report.canSandbox)
        XCTAssertFalse(host.bwrapUsable)
    }

    func testBwrapThatFailsItsTrialIsNotUsable() {
        var host = Self.capableHost()
        host.bwrap?.trial = .init(succeeded: false, message: "bwrap: setting up uid map: Permission denied")
        let report = FeatureReport(host)
        XCTAssertEqual(verdict(report, "bwrap"), .missing)
        XCTAssertTrue(report.check("bwrap")?.detail.contains("setting up uid map") ?? false)
        XCTAssertFalse(report.canSandbox)
    }

    func testOldBwrapLacksOverlayOnly() {
        var host = Self.capableHost()
        let help = Self.bwrapHelp.split(separator: "\n").filter { !$0.contains("--overlay") }.joined(separator: "\n")
        host.bwrap = Bwrap(path: "/usr/bin/bwrap", version: "0.8.0", options: Bwrap.options(fromHelp: help))
        let report = FeatureReport(host)
        XCTAssertEqual(verdict(report, "bwrap --overlay"), .missing)
        XCTAssertEqual(report.check("bwrap --overlay")?.fix?.contains("0.11.0"), true)
        XCTAssertEqual(verdict(report, "bwrap --bind-fd"), .ok)
        XCTAssertEqual(verdict(report, "bwrap"), .ok)
        XCTAssertTrue(report.canSandbox)
    }

    func testSetuidBwrapCannotOverlay() {
        var host = Self.capableHost()
        host.bwrap?.isSetuid = true
        XCTAssertFalse(host.bwrap!.overlayUsable)
        XCTAssertEqual(verdict(FeatureReport(host), "bwrap --overlay"), .missing)
    }

    func testHelpParsingTakesOnlyOptionWords() {
        let options = Bwrap.options(fromHelp: Self.bwrapHelp)
        XCTAssertTrue(options.contains("--overlay"))
        XCTAssertTrue(options.contains("--overlay-src"))
        XCTAssertTrue(options.contains("--bind-fd"))
        XCTAssertFalse(options.contains("--bind-data"))   // only mentioned inside a description
        XCTAssertFalse(options.contains("--tmpfs"))
        XCTAssertEqual(Bwrap.version(fromVersionOutput: "bubblewrap 0.8.0\n"), "0.8.0")
        XCTAssertNil(Bwrap.version(fromVersionOutput: "bwrap: unknown option"))
    }

    func testAppArmorRestrictedUserNamespaces() {
        var host = Self.capableHost()
        var userns = UserNamespaces(testedAsRoot: false, maxUserNamespaces: 63_000, apparmorRestrictUnprivileged: 1)
        userns.status = .blocked
        userns.failedStep = UserNamespaces.Step.uidMap.rawValue
        userns.error = "EPERM"
        userns.reason = userns.reasonForFailure(step: .uidMap, error: "EPERM")
        XCTAssertEqual(userns.reason, .apparmorRestricted)
        host.userNamespaces = userns
        host.bwrap?.trial = .init(succeeded: false, message: "bwrap: setting up uid map: Permission denied")

        let report = FeatureReport(host)
        let check = report.check("user namespaces")
        XCTAssertEqual(check?.verdict, .missing)
        XCTAssertTrue(check?.detail.contains("kernel.apparmor_restrict_unprivileged_userns=1") ?? false)
        XCTAssertTrue(check?.fix?.contains("bwrap-userns-restrict") ?? false)
        XCTAssertTrue(check?.fix?.contains("apparmor_restrict_unprivileged_userns=0") ?? false)
        XCTAssertFalse(report.canSandbox)
        XCTAssertFalse(host.userNamespacesUsable)
    }

    func testSetuidBwrapRescuesBlockedUserNamespaces() {
        var host = Self.capableHost()
        host.bwrap?.isSetuid = true
        host.userNamespaces = UserNamespaces(status: .blocked, reason: .unprivilegedCloneDisabled,
                                             failedStep: UserNamespaces.Step.clone.rawValue, error: "EPERM",
                                             unprivilegedUsernsClone: 0)
        let report = FeatureReport(host)
        XCTAssertEqual(verdict(report, "user namespaces"), .degraded)
        XCTAssertTrue(report.check("user namespaces")?.fix?.contains("unprivileged_userns_clone=1") ?? false)
        XCTAssertTrue(report.canSandbox)
    }

    func testUserNamespaceFailureReasons() {
        let plain = UserNamespaces(maxUserNamespaces: 100)
        XCTAssertEqual(plain.reasonForFailure(step: .clone, error: "EINVAL"), .notInKernel)
        XCTAssertEqual(plain.reasonForFailure(step: .clone, error: "ENOSPC"), .limitReached)
        XCTAssertEqual(plain.reasonForFailure(step: .clone, error: "EPERM"), .deniedBySurroundings)
        XCTAssertEqual(plain.reasonForFailure(step: .mountNamespace, error: "EPERM"), .deniedBySurroundings)
        XCTAssertEqual(plain.reasonForFailure(step: .uidMap, error: "EIO"), .unknown)
        XCTAssertEqual(UserNamespaces(apparmorRestrictUnprivileged: 1).reasonForFailure(step: .uidMap, error: "EACCES"), .apparmorRestricted)
        XCTAssertEqual(UserNamespaces(maxUserNamespaces: 0).reasonForFailure(step: .clone, error: "ENOSPC"), .maxUserNamespacesZero)
        XCTAssertEqual(UserNamespaces(unprivilegedUsernsClone: 0).reasonForFailure(step: .clone, error: "EPERM"), .unprivilegedCloneDisabled)
        // Root is never stopped by AppArmor's restriction: the cause must be something else.
        XCTAssertEqual(UserNamespaces(testedAsRoot: true, apparmorRestrictUnprivileged: 1)
                        .reasonForFailure(step: .uidMap, error: "EPERM"), .deniedBySurroundings)
    }

    func testQuickProbeJudgesUserNamespacesBySysctl() {
        XCTAssertEqual(UserNamespaces(maxUserNamespaces: 0).sysctlBlock(asRoot: true), .maxUserNamespacesZero)
        XCTAssertEqual(UserNamespaces(unprivilegedUsernsClone: 0).sysctlBlock(asRoot: false), .unprivilegedCloneDisabled)
        XCTAssertNil(UserNamespaces(unprivilegedUsernsClone: 0).sysctlBlock(asRoot: true))
        XCTAssertNil(UserNamespaces(apparmorRestrictUnprivileged: 1).sysctlBlock(asRoot: false))
        XCTAssertTrue(UserNamespaces(status: .untested).usable)
        XCTAssertFalse(UserNamespaces(status: .blocked, reason: .maxUserNamespacesZero).usable)
    }

    func testNoLandlock() {
        var host = Self.capableHost()
        host.landlockABI = 0
        host.landlockErrata = 0
        host.landlockUnavailable = .disabledAtBoot
        let report = FeatureReport(host)
        XCTAssertEqual(verdict(report, "landlock"), .missing)
        XCTAssertTrue(report.check("landlock")?.fix?.contains("lsm=") ?? false)
        XCTAssertTrue(report.canSandbox, "Landlock is a second layer; bwrap alone still sandboxes")
    }

    func testOldLandlockIsDegradedAndSaysWhatIsLost() {
        var host = Self.capableHost()
        host.landlockABI = 3
        let check = FeatureReport(host).check("landlock")
        XCTAssertEqual(check?.verdict, .degraded)
        XCTAssertTrue(check?.cost?.contains("TCP port rules") ?? false)
        XCTAssertTrue(check?.cost?.contains("abstract unix sockets") ?? false)
        XCTAssertFalse(check?.cost?.contains("truncation") ?? true)

        host.landlockABI = 6
        XCTAssertEqual(FeatureReport(host).check("landlock")?.verdict, .ok)
    }

    func testSeccompWithoutKillableWaitsIsDegraded() {
        var host = Self.capableHost()
        host.kernelRelease = "5.15.0-100-generic"
        host.seccomp.waitKillableRecvFlag = false
        XCTAssertEqual(verdict(FeatureReport(host), "seccomp user notification"), .degraded)
        host.seccomp.userNotification = false
        XCTAssertEqual(verdict(FeatureReport(host), "seccomp user notification"), .missing)
    }

    func testHelpersAndDesktop() {
        var host = Self.capableHost()
        host.socatPath = nil
        host.xdgDbusProxyPath = nil
        host.desktop = DesktopSockets()
        host.gpuDevices = []
        host.ntsync = false
        host.container = Container(kind: .docker, evidence: "/.dockerenv")
        let report = FeatureReport(host)
        for name in ["socat", "xdg-dbus-proxy", "display", "sound", "gpu", "ntsync"] {
            XCTAssertEqual(verdict(report, name), .missing, name)
        }
        XCTAssertEqual(verdict(report, "container"), .degraded)
        XCTAssertTrue(report.check("socat")?.cost?.contains("proxy") ?? false)
        XCTAssertTrue(report.canSandbox)
    }

    func testJSONRoundTrips() throws {
        var host = Self.capableHost()
        host.container = Container(kind: .podman, evidence: "/run/.containerenv")
        host.userNamespaces = UserNamespaces(status: .blocked, reason: .apparmorRestricted,
                                             failedStep: UserNamespaces.Step.uidMap.rawValue, error: "EPERM",
                                             apparmorRestrictUnprivileged: 1)
        host.bwrap?.trial = .init(succeeded: false, message: "bwrap: setting up uid map: Permission denied")
        let report = FeatureReport(host)
        let json = try report.json()
        XCTAssertEqual(try FeatureReport.decode(json: json), report)
        XCTAssertEqual(try report.json(), json, "encoding is stable")
        XCTAssertTrue(json.contains("\"landlockABI\" : 7"))
        XCTAssertTrue(json.contains("\"reason\" : \"apparmorRestricted\""))
        XCTAssertTrue(json.contains("\"canSandbox\" : false"))

        let compact = try report.json(pretty: false)
        XCTAssertFalse(compact.contains("\n"))
        XCTAssertEqual(try FeatureReport.decode(json: compact), report)
    }

    func testTableIsAlignedAndReadable() {
        var host = Self.capableHost()
        host.socatPath = nil
        let table = FeatureReport(host).renderTable(width: 80)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[0].hasPrefix("CHECK"))
        let detailColumn = lines[0].range(of: "DETAIL")!.lowerBound.utf16Offset(in: lines[0])
        let socat = lines.first { $0.hasPrefix("socat ") }!
        XCTAssertTrue(socat.contains("missing"))
        XCTAssertEqual(socat.range(of: "no socat")!.lowerBound.utf16Offset(in: socat), detailColumn)
        XCTAssertTrue(table.contains("cost: "))
        XCTAssertTrue(table.contains("fix:  "))
        XCTAssertFalse(table.contains("\u{1B}"), "no colour escapes")
        for line in lines { XCTAssertLessThanOrEqual(line.count, 80, String(line)) }
        XCTAssertTrue(table.contains("ww can sandbox games on this machine"))
    }

    func testKernelVersionParsing() {
        XCTAssertEqual(KernelVersion(release: "6.18.44-fc-v782"), KernelVersion(6, 18))
        XCTAssertEqual(KernelVersion(release: "5.4.0-150-generic"), KernelVersion(5, 4))
        XCTAssertEqual(KernelVersion(release: "garbage"), KernelVersion(0, 0))
        XCTAssertLessThan(KernelVersion(5, 19), KernelVersion(6, 1))
    }
}

extension FeatureReportTests {
    func testWorkingBwrapOutranksAFailedUserNamespaceTrial() {
        var host = Self.capableHost()
        host.userNamespaces = UserNamespaces(status: .blocked, reason: .deniedBySurroundings,
                                             failedStep: UserNamespaces.Step.mountNamespace.rawValue, error: "EPERM")
        let report = FeatureReport(host)
        XCTAssertEqual(verdict(report, "user namespaces"), .degraded)
        XCTAssertTrue(report.canSandbox)
        XCTAssertFalse(report.userNamespacesUsable)
    }

    func testNestedSandboxExplainsENOSPC() {
        let nested = UserNamespaces(insideUserNamespace: true, maxUserNamespaces: 2_147_483_647)
        XCTAssertEqual(nested.reasonForFailure(step: .clone, error: "ENOSPC"), .deniedBySurroundings)
    }
}
