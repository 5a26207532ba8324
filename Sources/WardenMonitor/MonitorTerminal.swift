import CLinux
import CNcurses
import Glibc
import WardenCore

/// The terminal through ncurses: full screen, keys without echo, colour when the terminal has it
/// (and `NO_COLOR` is unset), bold / reverse / underline otherwise. curses keeps what is on the
/// screen and sends only the cells that changed, so an unchanged frame costs no output.
/// The terminal is restored on every exit: `stop()` on q and on the signals the app reads, and a
/// crash handler (async-signal-safe, in C) for faults and traps.
final class MonitorTerminal {
    private(set) var width = 80
    private(set) var height = 24
    private(set) var unicode = false
    private var colours = false
    private var started = false

    /// Nil when curses cannot drive this terminal (its TERM has no terminfo entry): the reason, with the fix.
    func start(environment: [String: String]) -> String? {
        setlocale(LC_ALL, "")
        unicode = String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        _ = ww_terminal_save(1)
        // newterm, unlike initscr, returns instead of exiting when the terminal type is unknown.
        guard newterm(nil, stdout, stdin) != nil else {
            let term = environment["TERM"].map { "TERM=\($0)" } ?? "TERM (not set)"
            return "the monitor cannot drive this terminal: \(term) is unknown to ncurses; set TERM to your terminal's type (for example xterm-256color), or install the ncurses-term package"
        }
        ww_terminal_restore_on_crash()
        started = true
        cbreak()
        noecho()
        nonl()
        keypad(ww_curses_stdscr(), true)
        nodelay(ww_curses_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        colours = has_colors() && environment["NO_COLOR"] == nil
        if colours {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_WHITE), Int16(COLOR_BLUE))   // title, tabs
            init_pair(2, Int16(COLOR_RED), -1)                    // refused, denied
            init_pair(3, Int16(COLOR_YELLOW), -1)                 // warnings, yellow tier
            init_pair(4, Int16(COLOR_GREEN), -1)                  // running, green tier
            init_pair(5, Int16(COLOR_BLACK), Int16(COLOR_CYAN))   // selected row
            init_pair(6, Int16(COLOR_CYAN), -1)                   // keys
        }
        measure()
        return nil
    }

    func stop() {
        guard started else { return }
        started = false
        endwin()
        ww_terminal_restore()
    }

    func measure() {
        width = Int(ww_curses_cols())
        height = Int(ww_curses_lines())
    }

    func attributes(_ style: MonitorStyle) -> Int32 {
        let bold = ww_curses_attr_bold(), reverse = ww_curses_attr_reverse(), dim = ww_curses_attr_dim(), under = ww_curses_attr_underline()
        if colours {
            switch style {
            case .normal: return 0
            case .title: return ww_curses_pair(1) | bold
            case .tab: return ww_curses_pair(1)
            case .current: return reverse | bold
            case .header: return bold | under
            case .dim: return dim
            case .bad: return ww_curses_pair(2) | bold
            case .warn: return ww_curses_pair(3)
            case .good: return ww_curses_pair(4)
            case .selected: return ww_curses_pair(5)
            case .key: return ww_curses_pair(6) | bold
            }
        }
        switch style {
        case .normal, .good, .warn: return 0
        case .title: return reverse | bold
        case .tab: return reverse
        case .current: return bold | under
        case .header: return under
        case .dim: return dim
        case .bad: return bold
        case .selected: return reverse
        case .key: return bold
        }
    }

    /// Writes the frame into curses' screen and lets it send what changed.
    func draw(_ lines: [MonitorLine]) {
        for (y, line) in lines.enumerated() where y < height {
            move(Int32(y), 0)
            var x = 0
            for span in line where x < width {
                // Names the game chose (files, processes, DNS) may hold control characters: shown as '?'.
                let text = String(String.UnicodeScalarView(span.text.prefix(width - x).unicodeScalars.map { EventText.isControl($0) ? "?" : $0 }))
                attrset(attributes(span.style))
                // The very last cell would scroll the screen: leave it.
                let safe = (y == height - 1 && x + text.count >= width) ? String(text.dropLast()) : text
                addstr(safe)
                x += text.count
            }
            attrset(0)
            clrtoeol()
        }
        if lines.count < height { move(Int32(lines.count), 0); clrtobot() }
        refresh()
    }

    /// Keys typed since the last call (characters through wget_wch, so a filter can hold any letter).
    func keys() -> [MonitorKey] {
        var out: [MonitorKey] = []
        while true {
            var ch: wint_t = 0
            let r = wget_wch(ww_curses_stdscr(), &ch)
            if r == ERR { break }
            let c = Int32(bitPattern: ch)
            if r == KEY_CODE_YES {
                switch c {
                case Int32(KEY_UP): out.append(.up)
                case Int32(KEY_DOWN): out.append(.down)
                case Int32(KEY_LEFT): out.append(.left)
                case Int32(KEY_RIGHT): out.append(.right)
                case Int32(KEY_HOME): out.append(.home)
                case Int32(KEY_END): out.append(.end)
                case Int32(KEY_NPAGE): out.append(.pageDown)
                case Int32(KEY_PPAGE): out.append(.pageUp)
                case Int32(KEY_BTAB): out.append(.backTab)
                case Int32(KEY_ENTER): out.append(.enter)
                case Int32(KEY_BACKSPACE): out.append(.backspace)
                case Int32(KEY_RESIZE): measure(); out.append(.resize)
                default: break
                }
                continue
            }
            switch c {
            case 10, 13: out.append(.enter)
            case 127, 8: out.append(.backspace)
            case 9: out.append(.tab)
            case 27: out.append(.escape)
            case 3: out.append(.char("q"))
            default:
                if c >= 32, let u = Unicode.Scalar(UInt32(c)), !EventText.isControl(u) { out.append(.char(Character(u))) }
            }
        }
        return out
    }
}
