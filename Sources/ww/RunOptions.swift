import ArgumentParser
import WardenCore

/// Options shared by `ww run` and `ww plan` (SPEC §2); each is also settable in a profile.
struct RunOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Profile name, or a path to a profile file.", completion: ProfileNameCompletion.kind)
    var profile: String?

    @Option(help: ArgumentHelp("Network mode.", valueName: "off|proxy|observe|full"), completion: .list(NetworkMode.allCases.map(\.rawValue)))
    var network: String?

    @Option(name: .customLong("allow-domain"), help: ArgumentHelp("With --network proxy: let the game reach this host (example.com, *.example.com, an address); repeatable.", valueName: "pattern"))
    var allowDomains: [String] = []

    @Option(help: ArgumentHelp("Home folder seen by the game.", valueName: "virtual|host-ro|host"), completion: .list(HomeMode.allCases.map(\.rawValue)))
    var home: String?

    @Option(name: .customLong("ro"), help: ArgumentHelp("Make PATH visible read-only (repeatable).", valueName: "path"), completion: .file())
    var readOnly: [String] = []

    @Option(name: .customLong("rw"), help: ArgumentHelp("Make PATH visible read-write (repeatable).", valueName: "path"), completion: .file())
    var readWrite: [String] = []

    @Option(name: .customLong("hide"), help: ArgumentHelp("Hide PATH from the game (repeatable).", valueName: "path"), completion: .file())
    var hide: [String] = []

    @Option(help: ArgumentHelp("Write the audit trail (JSON lines) to FILE instead of ~/.local/state/winewarden/logs/.", valueName: "file"), completion: .file())
    var log: String?

    @Option(name: .customLong("unsafe-bwrap"), help: ArgumentHelp("Run this bwrap instead of the root-owned one in /usr/bin (a bwrap you or a game can change controls the sandbox).", valueName: "path"), completion: .file())
    var unsafeBwrap: String?

    @Option(help: ArgumentHelp("Name the game this launch belongs to, whatever program it runs (its installer, launcher and game share one virtual home, prefix and trust).", valueName: "name"))
    var game: String?

    @Flag(help: "Explain decisions (skipped paths, identification).")
    var verbose = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run, after --.", valueName: "command"))
    var command: [String] = []

    var overrides: CommandLineOverrides {
        CommandLineOverrides(network: network, home: home, readOnly: readOnly, readWrite: readWrite, hidden: hide, allowDomains: allowDomains, game: game)
    }
}
