// `ww init [--force] [--stdout]`: write a commented default global config.

import ArgumentParser
import WardenApp
import WardenCore
import WardenLinux

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented default config (~/.config/winewarden/config.toml).",
        discussion: """
            Lists every global setting with its default. Honours XDG_CONFIG_HOME; the folder is \
            created with mode 0700. An existing file is left alone unless --force.
            """)

    @Flag(help: "Replace an existing config; the old one is kept as config.toml.bak.")
    var force = false

    @Flag(help: "Print the config instead of writing it.")
    var stdout = false

    func run() throws {
        let text = GlobalConfig.commentedDefault
        if stdout {
            print(text, terminator: "")
            return
        }
        do {
            let path = LaunchPreparation(command: [], profileArgument: nil, overrides: .init()).directories().configFile
            switch try GlobalConfigFile.create(text, at: path, replacing: force) {
            case .created: print("wrote \(path)")
            case .replaced(let backup): print("wrote \(path) (the old one is now \(backup))")
            }
        } catch { exitWith(error) }
    }
}
