import Foundation
import XCTest

/// Each committed completion script, loaded into its own shell, completes ww's subcommands, options,
/// network modes and profile names; the names come from the ww under test (first on PATH) at TAB time.
final class CompletionTests: XCTestCase {
    let sb = Sandbox.shared
    static let probe = "completion-probe"

    /// A home for the shells, and a profile folder whose extra profile only a ww reading it can name.
    lazy var environment: [String: String] = {
        let dir = sb.root + "/completion-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: dir + "/profiles", withIntermediateDirectories: true)
        try! "description = \"only here\"\nextends = \"default\"\n".write(toFile: dir + "/profiles/\(Self.probe).toml", atomically: true, encoding: .utf8)
        return ["HOME": dir + "/home", "PATH": (sb.wwBinary as NSString).deletingLastPathComponent + ":/usr/bin:/bin",
                "WW_PROFILE_PATH": dir + "/profiles:" + sb.profilesDir, "LANG": "C.UTF-8", "TERM": "xterm"]
    }()

    func shell(_ program: String, _ args: [String]) throws -> Sandbox.Result {
        let env = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        return try Sandbox.run("/usr/bin/env", ["-i"] + env + [program] + args, cwd: environment["HOME"], timeout: 60)
    }

    static let completions = Sandbox.packageRoot + "/completions"

    // MARK: bash: source the script, fill COMP_WORDS/COMP_CWORD, call the function it registered for ww.

    static let bashDriver = """
        source "$1"; shift
        spec=$(complete -p ww) || exit 3
        function=${spec##*-F }; function=${function%% *}
        COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$function" ww "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """

    func bash(_ line: String) throws -> [String] {
        // A trailing space is an empty word being completed.
        var words = line.split(separator: " ").map(String.init)
        if line.hasSuffix(" ") { words.append("") }
        let r = try shell("bash", ["--norc", "--noprofile", "-c", Self.bashDriver, "bash", Self.completions + "/ww.bash"] + words)
        XCTAssertEqual(r.status, 0, r.output)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    // MARK: zsh: an interactive `zsh -f` in a pseudo-terminal (zpty) types the line and TAB; a compadd
    // wrapper prints every match the completion system adds.

    static let zshDriver = """
        zmodload zsh/zpty || exit 2
        setup=$(mktemp)
        cat > $setup <<SETUP
        PROMPT=
        RPROMPT=
        fpath=(${(q)1} \\$fpath)
        autoload -U compinit && compinit -u -D
        bindkey '^I' complete-word
        zstyle ':completion:*' insert-tab false
        __capture_end() { print -r -- '<<<end>>>'; exit }
        comppostfuncs=(__capture_end)
        compadd() {
            if [[ \\${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "\\$@"; return; fi
            local -a __hits
            builtin compadd -A __hits "\\$@"
            local h
            for h in \\$__hits; do print -r -- "<<<hit>>>\\$h"; done
            builtin compadd "\\$@"
        }
        print -r -- '<<<ready>>>'
        SETUP
        zpty z zsh -f -i
        zpty -w z "source ${(q)setup}"
        local out
        zpty -r z out '*<<<ready>>>*'
        zpty -w -n z "$2"$'\\t'
        zpty -r z out '*<<<end>>>*'
        rm -f $setup
        print -r -- "$out"
        """

    func zsh(_ line: String) throws -> [String] {
        let r = try shell("zsh", ["-f", "-c", Self.zshDriver, "zsh", Self.completions, line])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("<<<end>>>"), "zsh's completion did not finish:\n\(r.output)")
        return r.stdout.components(separatedBy: "<<<hit>>>").dropFirst().map { hit in
            String(hit.prefix { !$0.isWhitespace && $0 != "\u{1b}" && $0 != "<" })
        }
    }

    // MARK: fish: `complete -C` asks fish what it would offer for a command line.

    func fish(_ line: String) throws -> [String] {
        let r = try shell("fish", ["--no-config", "-c", "source $argv[1]; complete --do-complete=$argv[2]", Self.completions + "/ww.fish", line])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stderr, "", "fish reported errors while completing \(line)")
        return r.stdout.split(separator: "\n").map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) }
    }

    // MARK: what every shell must offer

    func check(_ complete: (String) throws -> [String], _ shell: String) throws {
        let cases: [(line: String, expected: String)] = [
            ("ww --profile off", "offline"),                 // the default command's options, after ww itself
            ("ww run --profile \(Self.probe.prefix(12))", Self.probe),  // read by ww at TAB time
            ("ww -p wi", "wine"),
            ("ww --network pr", "proxy"),
            ("ww plan --network ob", "observe"),
            ("ww --home host-", "host-ro"),
            ("ww profile show def", "default"),
            ("ww pro", "profile"),
            ("ww in", "init"),
            ("ww --netw", "--network"),
            ("ww init --fo", "--force"),
            ("ww profile list --na", "--names"),
        ]
        for c in cases {
            let offered = try complete(c.line)
            XCTAssertTrue(offered.contains(c.expected), "\(shell) offers \(offered) for `\(c.line)<TAB>`, not \(c.expected)")
        }
        XCTAssertEqual(try complete("ww --network pr"), ["proxy"], "\(shell): only the matching network mode")
    }

    func testBashCompletesCommandsOptionsNetworkModesAndProfileNames() throws {
        try check(bash, "bash")
    }

    func testZshCompletesCommandsOptionsNetworkModesAndProfileNames() throws {
        try check(zsh, "zsh")
    }

    func testFishCompletesCommandsOptionsNetworkModesAndProfileNames() throws {
        try check(fish, "fish")
    }
}
