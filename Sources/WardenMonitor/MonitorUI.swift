import WardenCore

/// A key as the monitor understands it (the terminal layer maps curses codes to these).
public enum MonitorKey: Equatable {
    case char(Character)
    case up, down, left, right, enter, escape, backspace, tab, backTab, home, end, pageUp, pageDown, resize
}

/// The five screens (SPEC §6), keys 1–5.
public enum MonitorScreen: Int, CaseIterable {
    case dashboard = 1, trust, network, processes, events

    public var title: String { ["Dashboard", "Trust", "Network", "Processes", "Events"][rawValue - 1] }
    public var short: String { ["Dash", "Trust", "Net", "Proc", "Events"][rawValue - 1] }
}

/// Where the player is: screen, selection, filter, overlays. Pure: keys in, state out.
public struct MonitorUI: Equatable {
    public var screen: MonitorScreen = .dashboard
    /// Selected row on each screen; nil on Events means "follow the newest".
    public var selected: [MonitorScreen: Int] = [:]
    /// The session screens 3–5 show (nil: all), moved with h / l.
    public var focus: String?
    /// The Events screen's filter: words that must all appear in the event's line.
    public var filter = ""
    /// Typing a filter after `/`.
    public var editing: String?
    public var details = false
    public var help = false

    public init() {}

    public enum Outcome: Equatable { case stay, quit }

    /// Applies one key. `rows` is how many rows the current screen lists; `sessions` the ids h / l cycle through.
    public mutating func handle(_ key: MonitorKey, rows: Int, sessions: [String]) -> Outcome {
        if var draft = editing {
            switch key {
            case .enter: filter = draft; editing = nil; selected[.events] = nil
            case .escape: editing = nil
            case .backspace: if !draft.isEmpty { draft.removeLast() }; editing = draft
            case .char(let c) where !c.isNewline: draft.append(c); editing = draft
            default: break
            }
            return .stay
        }
        if help {
            // Any key closes the help and does what it does (1-5 switch, q quits).
            if key == .resize { return .stay }
            help = false
            if key == .escape || key == .char("?") || key == .enter { return .stay }
        }
        let current = selected[screen]
        let last = max(0, rows - 1)
        func move(_ to: Int) { selected[screen] = min(max(0, to), last) }
        switch key {
        case .char("q"): return .quit
        case .char("?"): help = true
        case .char(let c) where ("1"..."5").contains(c):
            screen = MonitorScreen(rawValue: Int(String(c))!)!; details = false
        case .tab: screen = MonitorScreen(rawValue: screen.rawValue % 5 + 1)!; details = false
        case .backTab: screen = MonitorScreen(rawValue: (screen.rawValue + 3) % 5 + 1)!; details = false
        case .char("j"), .down: move((current ?? (screen == .events ? last : 0)) + 1)
        case .char("k"), .up: move((current ?? (screen == .events ? last : 0)) - 1)
        case .pageDown: move((current ?? 0) + 10)
        case .pageUp: move((current ?? last) - 10)
        case .char("g"), .home: move(0)
        case .char("G"), .end: selected[screen] = screen == .events ? nil : last
        case .char("h"), .left: cycle(-1, sessions)
        case .char("l"), .right: cycle(1, sessions)
        case .char("/"): editing = filter; screen = .events
        case .enter: details.toggle()
        case .escape: details = false; if screen == .events && !filter.isEmpty { filter = ""; selected[.events] = nil }
        default: break
        }
        return .stay
    }

    mutating func cycle(_ step: Int, _ sessions: [String]) {
        let choices: [String?] = [nil] + sessions
        let at = choices.firstIndex(of: focus) ?? 0
        focus = choices[(at + step + choices.count) % choices.count]
        selected[.network] = 0
        selected[.processes] = 0
        selected[.events] = nil
        details = false
    }
}
