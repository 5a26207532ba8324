// Profile names for the shells' completion of `--profile` and `ww profile show`.

import ArgumentParser

enum ProfileNameCompletion {
    /// Asked when the user presses TAB: the names `ww profile list` shows, from the same search path.
    /// A shell command rather than a Swift callback: fish 3 cannot tell a callback where the cursor is
    /// outside an interactive session, and errors must not scribble over the command line.
    static let kind = CompletionKind.shellCommand("ww profile list --names 2>/dev/null")
}
