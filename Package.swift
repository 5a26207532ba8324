// swift-tools-version:6.0
import PackageDescription

/// Test hooks (environment variables the integration tests set) exist in debug builds only: a
/// release build reads none of them (see Sources/WardenApp/TestHooks.swift).
let testHooks: [SwiftSetting] = [.define("WW_TEST_HOOKS", .when(configuration: .debug))]

let package = Package(
    name: "WineWarden",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ww", targets: ["ww"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Pure: launch context, profiles, planner, plan -> bwrap argv. No syscalls here.
        .target(
            name: "WardenCore",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Tiny C shims for calls Swift cannot make directly (signalfd, pidfd, SCM_CREDENTIALS).
        .target(name: "CLinux"),
        // libseccomp: compiles the multi-arch filters (system library, package libseccomp-dev).
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // Effects: probing the host, spawning bwrap, signals, the inner helper.
        .target(name: "WardenLinux", dependencies: ["WardenCore", "CLinux", "CSeccomp"]),
        // The host side of network = proxy: HTTP CONNECT / plain HTTP / SOCKS5 proxy (SwiftNIO) and the DNS relay.
        .target(
            name: "WardenNet",
            dependencies: [
                "WardenCore", "WardenLinux", "CLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSOCKS", package: "swift-nio-extras"),
            ],
            // NIO's handlers are event-loop bound classes; Swift 5 mode keeps them readable.
            swiftSettings: [.swiftLanguageMode(.v5)] + testHooks
        ),
        // The event store (SPEC §6): sessions, events, games and trust in SQLite, filled from the trails.
        .target(
            name: "WardenStore",
            dependencies: ["WardenCore", "WardenLinux", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // ncurses (package libncurses-dev) for `ww monitor`.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        // `ww monitor`: the model and the screens are pure; the terminal and the loop are thin.
        .target(name: "WardenMonitor", dependencies: ["WardenCore", "WardenLinux", "CLinux", "CNcurses"], swiftSettings: [.swiftLanguageMode(.v5)] + testHooks),
        // The application: config, profiles, trust tier, planning, preflight, and the launch that
        // hands a plan to the SessionSupervisor and records the store at its end. May import everything.
        .target(
            name: "WardenApp",
            dependencies: ["WardenCore", "WardenLinux", "WardenNet", "WardenStore"],
            swiftSettings: testHooks
        ),
        // The command line (ArgumentParser) over WardenApp.
        .executableTarget(
            name: "ww",
            dependencies: [
                "WardenApp", "WardenCore", "WardenLinux", "WardenNet", "WardenStore", "WardenMonitor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: testHooks
        ),
        .testTarget(name: "WardenStoreTests", dependencies: ["WardenStore", "WardenCore", "WardenLinux"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "WardenLinuxTests", dependencies: ["WardenLinux", "WardenCore"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "WardenMonitorTests", dependencies: ["WardenMonitor", "WardenCore"], exclude: ["Golden"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "WardenNetTests", dependencies: ["WardenNet", "WardenCore"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "WardenCoreTests", dependencies: ["WardenCore"], exclude: ["Golden", "Fixtures"], swiftSettings: [.swiftLanguageMode(.v5)]),
        // Real bwrap, real files, an unprivileged user: see Tests/IntegrationTests/Sandbox.swift.
        .testTarget(name: "IntegrationTests", swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
