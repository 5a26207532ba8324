import WardenCore

/// Settings the integration tests reach through the environment, compiled into debug builds only
/// (`WW_TEST_HOOKS`, defined by Package.swift for the debug configuration). A release build reads
/// none of these variables: nothing in a player's environment changes what is enforced or audited.
/// Each hook only ever makes a session stricter or smaller, and the trail says what it did.
public enum TestHooks {
    /// `WW_TEST_LANDLOCK_OMIT=/a:/b`: plan no Landlock rule for these folders (they stay mounted).
    public static func landlockRulesLeftOut(_ environment: [String: String]) -> Set<String> {
        #if WW_TEST_HOOKS
        return Set((environment["WW_TEST_LANDLOCK_OMIT"] ?? "").split(separator: ":").map(String.init))
        #else
        return []
        #endif
    }

    /// `WW_TEST_FILE_WATCHES=N`: a budget of N inotify watches (fewer than the user's).
    public static func fileWatchLimit(_ environment: [String: String]) -> Int? {
        #if WW_TEST_HOOKS
        return environment["WW_TEST_FILE_WATCHES"].flatMap(Int.init)
        #else
        return nil
        #endif
    }

    /// `WW_TEST_DEVICE_ROOT=/path`: input devices come from `/path/dev`, `/path/sys`, `/path/run/udev`
    /// (faked controllers and keyboards, which may be regular files) instead of the host's.
    public static func deviceRoot(_ environment: [String: String]) -> String {
        #if WW_TEST_HOOKS
        return environment["WW_TEST_DEVICE_ROOT"].map { Paths.normalize($0) }.flatMap { $0.hasPrefix("/") && $0 != "/" ? $0 : nil } ?? ""
        #else
        return ""
        #endif
    }

    /// Whether this binary has the hooks (`ww features` says so: a release build says no).
    public static var compiledIn: Bool {
        #if WW_TEST_HOOKS
        return true
        #else
        return false
        #endif
    }
}
