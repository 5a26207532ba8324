/// What `ww init` writes: every global config key with its default, explained. Keys whose default is
/// "not set" stay commented out, so the file parses to exactly `GlobalConfig()`.
extension GlobalConfig {
    public static var commentedDefault: String {
        let d = GlobalConfig()
        let builtIn = Profile.builtIn()
        return """
            # WineWarden global settings (written by `ww init`).
            # Every key is listed with its default; a line starting with # is not read (remove the #
            # to set the key). [network] and [process] apply under every profile: a value the profile
            # sets itself, or a command-line option such as --network, wins over them.
            # Profiles are described in `man ww-profile`.

            [winewarden]
            # false: ww runs the command unsandboxed, with a warning line (an emergency switch).
            enabled = \(d.enabled)
            # Accepted for the prompts to come; this version never interrupts a game.
            no_prompts_during_gameplay = \(d.noPromptsDuringGameplay)
            emergency_only = \(d.emergencyOnly)

            [network]
            # \(NetworkMode.allCases.map(\.rawValue).joined(separator: " | ")), for profiles that do not set their own [network] mode.
            # Not set: those profiles get "\(builtIn.network.value.rawValue)" (an empty network namespace).
            # mode = "\(builtIn.network.value.rawValue)"

            [process]
            # Shell wildcards matched against the program's file name (its path when the pattern has
            # a /) and against the Windows program Wine is asked to start (cmd.exe, C:\\...\\setup.exe).
            # Not empty: only matching programs may start (the launch command always may).
            # allowed_patterns = []
            # Checked first: matching programs never start, e.g. ["*powershell*", "*cmd.exe*"].
            # blocked_patterns = []
            # true: Windows programs may start shells and script hosts (cmd.exe, powershell, sh, python, ...).
            # allow_shell_execution = \(builtIn.allowShellExecution.value)
            # Live processes the game may have besides itself, 1 to 100000. Not set: no limit.
            # max_child_processes = 50
            # true: programs with no path (a memfd, a deleted file) may start; no name rule can judge them.
            # allow_anonymous_exec = \(builtIn.allowAnonymousExec.value)

            [trust]
            # Each game has a score from 0 to 100 (`ww trust show GAME`): red below 30, green above 70.
            # The tier picks stricter defaults: red = network off and no shells; yellow = network
            # "full" becomes "observe"; green = the profile as written.
            # The tier of a game ww has not seen yet (its first session):
            default_tier = "\(d.defaultTier.rawValue)"
            # After promotion_after_runs clean sessions in a row a game moves up one tier.
            auto_promote = \(d.trust.autoPromote)
            promotion_after_runs = \(d.trust.promotionAfterRuns)

            # Not read by this version, and refused when present, so nothing looks enforced that is not:
            # [network] dns_awareness, destination_monitoring (network = "observe" always records
            # every destination and DNS question).

            """
    }
}
