// `ww --generate-completion-script SHELL`: swift-argument-parser's scripts, taught ww's default command.

import ArgumentParser
import WardenCore

/// swift-argument-parser completes `ww run --profile <TAB>` but not `ww --profile <TAB>`: its scripts
/// know nothing of a default subcommand. Each script gets one splice that hands a command line whose
/// first word after `ww` starts with a dash to the function that completes `run`. A splice point that
/// is gone (a new swift-argument-parser) fails loudly; the completion tests would fail anyway.
enum CompletionScripts {
    static func script(for shell: CompletionShell) throws -> String {
        let root = WW.configuration.commandName ?? "ww"
        let run = WW.configuration.defaultSubcommand?.configuration.commandName ?? "run"
        let generated = WW.completionScript(for: shell)
        let anchor: String, splice: String
        switch shell {
        case .bash:
            // In the top-level function, after its option lists are declared local (run's function sets them).
            anchor = "    local -a non_repeating_options=()\n"
            splice = """
                    # \(root)'s default command is \(run): a first word that starts with a dash is one of \(run)'s options.
                    if [[ "${unparsed_words[0]}" == -* ]]; then
                        _\(root)_\(run)
                        return
                    fi

                """
        case .zsh:
            anchor = "    local -ir current_word_index=\"$((CURRENT - 1))\"\n"
            splice = """

                    # \(root)'s default command is \(run): a first word that starts with a dash is one of \(run)'s options.
                    if [[ "${words[2]}" == -* ]]; then
                        _\(root)_\(run)
                        return
                    fi

                """
        case .fish:
            anchor = "    case '\(root)'\n"
            splice = """
                        # \(root)'s default command is \(run): a first word that starts with a dash is one of \(run)'s options.
                        set -l first $unparsed_tokens[2]
                        test (count $unparsed_tokens) -eq 1; and set first (commandline -ct)
                        if string match -q -- '-*' "$first"
                            set unparsed_tokens $unparsed_tokens[1] \(run) $unparsed_tokens[2..]
                        end

                """
        default:
            return generated
        }
        guard let range = generated.range(of: anchor) else {
            throw WardenError(.usage, "the \(shell.rawValue) completion script of this swift-argument-parser has no line \(anchor.debugDescription) to splice the default command into; update Sources/ww/CompletionScripts.swift")
        }
        return generated.replacingCharacters(in: range, with: anchor + splice)
    }

    /// `--generate-completion-script SHELL` or `--generate-completion-script=SHELL`, as the only option.
    static func requestedShell(_ args: [String]) -> CompletionShell? {
        let flag = "--generate-completion-script"
        if args.count == 3, args[1] == flag { return CompletionShell(rawValue: args[2]) }
        if args.count == 2, args[1].hasPrefix(flag + "=") { return CompletionShell(rawValue: String(args[1].dropFirst(flag.count + 1))) }
        return nil
    }
}
