function __ww_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ww_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ww_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ww_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ww_parse_tokens -S
    set -l unparsed_tokens (__ww_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ww'
        # ww's default command is run: a first word that starts with a dash is one of run's options.
        set -l first $unparsed_tokens[2]
        test (count $unparsed_tokens) -eq 1; and set first (commandline -ct)
        if string match -q -- '-*' "$first"
            set unparsed_tokens $unparsed_tokens[1] run $unparsed_tokens[2..]
        end
        __ww_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __ww_parse_subcommand -r 1 'p/profile=' 'network=' 'allow-domain=+' 'home=' 'ro=+' 'rw=+' 'hide=+' 'log=' 'unsafe-bwrap=' 'game=' 'verbose' 'quiet' 'dry-run' 'version' 'h/help'
        case 'plan'
            __ww_parse_subcommand -r 1 'p/profile=' 'network=' 'allow-domain=+' 'home=' 'ro=+' 'rw=+' 'hide=+' 'log=' 'unsafe-bwrap=' 'game=' 'verbose' 'quiet' 'json' 'version' 'h/help'
        case 'features'
            __ww_parse_subcommand 0 'json' 'version' 'h/help'
        case 'profile'
            __ww_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __ww_parse_subcommand 0 'names' 'version' 'h/help'
            case 'show'
                __ww_parse_subcommand 1 'version' 'h/help'
            case 'check'
                __ww_parse_subcommand -r 1 'version' 'h/help'
            case 'new'
                __ww_parse_subcommand 1 'steam-appid=' 'exe=' 'from-last' 'extends=' 'force' 'version' 'h/help'
            end
        case 'events'
            __ww_parse_subcommand 0 'game=' 'session=' 'kind=+' 'since=' 'until=' 'last=' 'json' 'follow' 'capture=' 'version' 'h/help'
        case 'trust'
            __ww_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __ww_parse_subcommand 0 'json' 'version' 'h/help'
            case 'show'
                __ww_parse_subcommand 1 'json' 'version' 'h/help'
            case 'set'
                __ww_parse_subcommand 2 'json' 'version' 'h/help'
            case 'reset'
                __ww_parse_subcommand 1 'json' 'version' 'h/help'
            end
        case 'monitor'
            __ww_parse_subcommand 0 'version' 'h/help'
        case 'cow'
            __ww_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'status'
                __ww_parse_subcommand 1 'json' 'version' 'h/help'
            case 'reset'
                __ww_parse_subcommand 1 'version' 'h/help'
            end
        case 'steam'
            __ww_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'install-tool'
                __ww_parse_subcommand 0 'steam-root=' 'version' 'h/help'
            case 'remove-tool'
                __ww_parse_subcommand 0 'steam-root=' 'version' 'h/help'
            case 'status'
                __ww_parse_subcommand 0 'steam-root=' 'version' 'h/help'
            end
        case 'init'
            __ww_parse_subcommand 0 'force' 'stdout' 'version' 'h/help'
        case 'help'
            __ww_parse_subcommand -r 1 'version'
        end
    end
end

function __ww_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ww_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __ww_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ww_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ww_tokens -p)
    if test -z "$(__ww_tokens -t)"
        set -l index (count (__ww_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ww' -f
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'run' -d 'Run COMMAND sandboxed (the default: `ww -- %command%`).'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'plan' -d 'Print the sandbox plan and the exact bwrap command; run nothing.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'features' -d 'Show what this machine supports, with a verdict, its cost and a fix for each feature.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'profile' -d 'List, show, check and create profiles.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'events' -d 'Query the audit trail of past and running sessions (from the event database).'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'trust' -d 'Each game\'s trust score and tier, why it moved, and pinning a tier.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'monitor' -d 'Full-screen view of running and past sessions: dashboard, trust, network, processes, events.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'cow' -d 'What the copy-on-write layers of a game changed, and discarding those changes.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'steam' -d 'Put WineWarden in Steam\'s compatibility tool menu, one entry per Proton.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'init' -d 'Write a commented default config (~/.config/winewarden/config.toml).'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" p profile' -s 'p' -l 'profile' -d 'Profile name, or a path to a profile file.' -rfka '(ww profile list --names 2>/dev/null)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" network' -l 'network' -d 'Network mode.' -rfka 'off proxy observe full'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run"' -l 'allow-domain' -d 'With --network proxy: let the game reach this host (example.com, *.example.com, an address); repeatable.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" home' -l 'home' -d 'Home folder seen by the game.' -rfka 'virtual host-ro host'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run"' -l 'ro' -d 'Make PATH visible read-only (repeatable).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run"' -l 'rw' -d 'Make PATH visible read-write (repeatable).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run"' -l 'hide' -d 'Hide PATH from the game (repeatable).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" log' -l 'log' -d 'Write the audit trail (JSON lines) to FILE instead of ~/.local/state/winewarden/logs/.' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" unsafe-bwrap' -l 'unsafe-bwrap' -d 'Run this bwrap instead of the root-owned one in /usr/bin (a bwrap you or a game can change controls the sandbox).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" game' -l 'game' -d 'Name the game this launch belongs to, whatever program it runs (its installer, launcher and game share one virtual home, prefix and trust).' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" verbose' -l 'verbose' -d 'Explain decisions (skipped paths, identification).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" quiet' -l 'quiet' -d 'Print nothing but errors.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" dry-run' -l 'dry-run' -d 'Print the plan and the bwrap command; run nothing (same as `ww plan`).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" p profile' -s 'p' -l 'profile' -d 'Profile name, or a path to a profile file.' -rfka '(ww profile list --names 2>/dev/null)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" network' -l 'network' -d 'Network mode.' -rfka 'off proxy observe full'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan"' -l 'allow-domain' -d 'With --network proxy: let the game reach this host (example.com, *.example.com, an address); repeatable.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" home' -l 'home' -d 'Home folder seen by the game.' -rfka 'virtual host-ro host'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan"' -l 'ro' -d 'Make PATH visible read-only (repeatable).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan"' -l 'rw' -d 'Make PATH visible read-write (repeatable).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan"' -l 'hide' -d 'Hide PATH from the game (repeatable).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" log' -l 'log' -d 'Write the audit trail (JSON lines) to FILE instead of ~/.local/state/winewarden/logs/.' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" unsafe-bwrap' -l 'unsafe-bwrap' -d 'Run this bwrap instead of the root-owned one in /usr/bin (a bwrap you or a game can change controls the sandbox).' -rF
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" game' -l 'game' -d 'Name the game this launch belongs to, whatever program it runs (its installer, launcher and game share one virtual home, prefix and trust).' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" verbose' -l 'verbose' -d 'Explain decisions (skipped paths, identification).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" quiet' -l 'quiet' -d 'Print nothing but errors.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" json' -l 'json' -d 'Print the plan as JSON.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww plan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww features" json' -l 'json' -d 'Print the report as JSON (sorted keys) instead of a table.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww features" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww features" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww profile" -eq 1' -fa 'list' -d 'List the profiles on the search path.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww profile" -eq 1' -fa 'show' -d 'Show a profile merged with what it extends, and where each value comes from.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww profile" -eq 1' -fa 'check' -d 'Validate profile files; prints FILE: ok or each problem as file:line. Exit 125 when any has a problem.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww profile" -eq 1' -fa 'new' -d 'Write a commented profile for one game to ~/.config/winewarden/profiles/NAME.toml.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile list" names' -l 'names' -d 'Print only the names, one a line (what shell completion offers).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile list" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww profile show" -eq 1' -fka '(ww profile list --names 2>/dev/null)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile show" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww profile check" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'toml\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile check" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" steam-appid' -l 'steam-appid' -d 'Match this Steam AppId.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" exe' -l 'exe' -d 'Match this Windows program (its full path).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'exe\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" from-last' -l 'from-last' -d 'Take the game from the newest session ww ran.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" extends' -l 'extends' -d 'Extend this profile instead of the one ww picks.' -rfka '(ww profile list --names 2>/dev/null)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" force' -l 'force' -d 'Replace an existing profile of that name (the old one is kept as NAME.toml.bak).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww profile new" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" game' -l 'game' -d 'Game id (steam:1245620), or a wildcard pattern (steam:*).' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" session' -l 'session' -d 'Session id, or its first digits.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events"' -l 'kind' -d 'Event kind, or a wildcard pattern (dns_*); repeatable.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" since' -l 'since' -d 'Only events at or after this time.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" until' -l 'until' -d 'Only events before this time.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" last' -l 'last' -d 'Only the newest N events.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" json' -l 'json' -d 'Print the events as JSON lines, exactly as the audit trail has them.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" follow' -l 'follow' -d 'After the stored events, print new ones of running sessions as they happen (Ctrl-C ends).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" capture' -l 'capture' -d 'Print what a persistence_attempt captured (its capture field, SESSION/N), byte for byte.' -rfka ''
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww events" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww trust" -eq 1' -fa 'list' -d 'Every game with its score, tier and last change.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww trust" -eq 1' -fa 'show' -d 'A game\'s score and tier, and every change with its reasons (newest first).'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww trust" -eq 1' -fa 'set' -d 'Pin a game\'s tier (red, yellow, green), or `auto` to let the score decide again.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww trust" -eq 1' -fa 'reset' -d 'Start a game\'s trust again at 50, without pin or baseline (the history keeps the reset).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust list" json' -l 'json' -d 'One JSON object per game.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust list" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust show" json' -l 'json' -d 'JSON: the standing and the history.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust show" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust set" json' -l 'json' -d 'Print the change as JSON.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust set" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust reset" json' -l 'json' -d 'Print the change as JSON.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust reset" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww trust reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww monitor" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww monitor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww cow" -eq 1' -fa 'status' -d 'List the changes in a game\'s copy-on-write layers (A added, M modified, D deleted, R folder replaced); without GAME, the games that have layers.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww cow" -eq 1' -fa 'reset' -d 'Discard a game\'s copy-on-write changes: the next run sees its folders as they are on disk.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow status" json' -l 'json' -d 'One JSON object per change.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow status" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow reset" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww cow reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww steam" -eq 1' -fa 'install-tool' -d 'Write (or update) one WineWarden compatibility tool per Proton found; restart Steam to see them.'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww steam" -eq 1' -fa 'remove-tool' -d 'Remove the compatibility tools ww wrote (only files ww wrote are removed).'
complete -c 'ww' -n '__ww_should_offer_completions_for_positional "ww steam" -eq 1' -fa 'status' -d 'List WineWarden\'s compatibility tools and the games Steam sets to each (config.vdf, read only).'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam install-tool" steam-root' -l 'steam-root' -d 'The Steam client folder (default: every one found below ~: ~/.steam/root, ~/.local/share/Steam, …).' -rfa '(__ww_complete_directories)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam install-tool" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam install-tool" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam remove-tool" steam-root' -l 'steam-root' -d 'The Steam client folder (default: every one found below ~: ~/.steam/root, ~/.local/share/Steam, …).' -rfa '(__ww_complete_directories)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam remove-tool" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam remove-tool" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam status" steam-root' -l 'steam-root' -d 'The Steam client folder (default: every one found below ~: ~/.steam/root, ~/.local/share/Steam, …).' -rfa '(__ww_complete_directories)'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam status" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww steam status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww init" force' -l 'force' -d 'Replace an existing config; the old one is kept as config.toml.bak.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww init" stdout' -l 'stdout' -d 'Print the config instead of writing it.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww init" version' -l 'version' -d 'Show the version.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ww' -n '__ww_should_offer_completions_for_flags_or_options "ww help" version' -l 'version' -d 'Show the version.'
