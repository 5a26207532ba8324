/// Files Wine writes itself while it creates or updates a prefix (wineboot and the programs it runs:
/// services, rundll32 setupapi, …): some 700 executables and DLLs in `drive_c/windows` and in the
/// few folders of its own under Program Files. Wine runs the game's program only once wineboot has
/// exited, so what lands there before that exit is setup, not the game; the game folder, `AppData`,
/// `Temp` and the Startup folders are never Wine's.
public enum PrefixSetup {
    /// The Windows program whose exit ends the setup.
    public static let wineboot = "wineboot.exe"
    static let programFilesFolders: Set<String> = ["common files", "internet explorer", "windows media player", "windows nt"]

    /// Whether `path` (a host path) lies in one of Wine's own folders of a prefix: `drive_c/windows/**`
    /// except `windows/temp`, or `Program Files`' (and `Program Files (x86)`') Common Files, Internet
    /// Explorer, Windows Media Player and Windows NT.
    public static func isWineFolder(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map { $0.lowercased() }
        guard let drive = parts.lastIndex(of: "drive_c") else { return false }
        let inside = parts[(drive + 1)...].dropLast()   // the folders, without the file's name
        guard let top = inside.first else { return false }
        if top == "windows" { return inside.dropFirst().first != "temp" }
        guard top == "program files" || top == "program files (x86)", let folder = inside.dropFirst().first else { return false }
        return programFilesFolders.contains(folder)
    }

    /// The positions of the `file_written` events of a session (in trail order) that are prefix setup:
    /// in Wine's own folders, outside the game folder, written in a session that ran wineboot and
    /// before wineboot's exit (a session where it never exited is setup to its end).
    public static func setupWrites(_ events: [TrustEvent]) -> Set<Int> {
        let ranWineboot = events.contains { e in
            (e.kind == "exec_allowed" && e.detail.map(isWineboot) == true) || (e.kind == "process_exit" && e.detail.map(isWineboot) == true)
        }
        guard ranWineboot else { return [] }
        var setup: Set<Int> = []
        for (i, e) in events.enumerated() {
            if e.kind == "process_exit", e.detail.map(isWineboot) == true { break }
            if e.kind == "file_written", let path = e.subject, e.detail != "game folder", isWineFolder(path) { setup.insert(i) }
        }
        return setup
    }

    /// `C:\windows\system32\wineboot.exe`, `wineboot.exe` or `wineboot` (the exec's Windows program or the exited process's name).
    static func isWineboot(_ name: String) -> Bool {
        let base = name.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map { $0.lowercased() } ?? ""
        return base == wineboot || base == "wineboot"
    }
}
