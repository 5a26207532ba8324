// `ww features [--json]`: what this machine supports, with verdicts and fixes.

import ArgumentParser
import WardenApp
import WardenCore
import WardenLinux

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Show what this machine supports, with a verdict, its cost and a fix for each feature.",
        discussion: """
            Probes the kernel (user namespaces, Landlock, seccomp), bubblewrap and its \
            options, socat, xdg-dbus-proxy, display and sound sockets, GPU devices and \
            whether ww runs inside a container. Always exits 0: the report is informational.
            """)

    @Flag(name: .long, help: "Print the report as JSON (sorted keys) instead of a table.")
    var json = false

    func run() throws {
        let report = FeatureReport(FeatureProbe.probe(thorough: true))
        if json {
            print(try report.json(pretty: true))
        } else {
            print(report.renderTable(), terminator: "")
            print(TestHooks.compiledIn
                  ? "this ww: a debug build with test hooks (variables of the test suite change what it does: never play with it)"
                  : "this ww: a release build (no test hooks)")
        }
    }
}
