import ArgumentParser
import Foundation
import WardenApp
import WardenCore
import WardenLinux

// Inside the sandbox the helper must start fast and must not parse anything the game controls.
if CommandLine.arguments.count == 2, CommandLine.arguments[1] == InnerHelperProtocol.subcommand {
    InnerHelper.main()
}

if let launch = GameLaunch.fastPath(CommandLine.arguments) { launch.runAndExit() }

if let shell = CompletionScripts.requestedShell(CommandLine.arguments) {
    do { print(try CompletionScripts.script(for: shell)) } catch { exitWith(error) }
    exit(0)
}

do {
    var command = try WW.parseAsRoot()
    try command.run()
} catch {
    // Help and version exit 0; a usage mistake is ww failing, so 125 (SPEC §2), never ArgumentParser's 64.
    let code = WW.exitCode(for: error)
    let message = WW.fullMessage(for: error)
    if code == .success {
        if !message.isEmpty { print(message) }
        exit(0)
    }
    if let e = error as? WardenError { exitWith(e) }
    if let e = error as? ExitCode { exit(e.rawValue) }
    FileHandle.standardError.write((message.isEmpty ? "ww: \(error)" : message).appending("\n").data(using: .utf8)!)
    exit(125)
}
