import Foundation

/// `--since` / `--until` of `ww events`: a span back from now (`90s`, `30m`, `1h`, `2d`, `1w`) or a
/// date (`2026-11-23`, `2026-11-23T18:30`, `2026-11-23 18:30:05`, with `Z` or `+01:00` for a zone;
/// without one, the given time zone: the player's local time).
public enum TimeSpec {
    public static func parse(_ text: String, now: UInt64, timeZone: TimeZone = .current) -> UInt64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let unit = t.last, let n = UInt64(t.dropLast()), let seconds: UInt64 = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800][unit] {
            let span = n.multipliedReportingOverflow(by: seconds * 1_000_000_000)
            return span.overflow || span.partialValue > now ? 0 : now - span.partialValue
        }
        var rest = Substring(t)
        func number(_ digits: Int) -> Int? {
            guard rest.count >= digits, rest.prefix(digits).allSatisfy(\.isASCII), let n = Int(rest.prefix(digits)) else { return nil }
            rest = rest.dropFirst(digits)
            return n
        }
        func skip(_ c: Character) -> Bool {
            guard rest.first == c else { return false }
            rest = rest.dropFirst()
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0
        if skip("T") || skip(" ") {
            guard let h = number(2), skip(":"), let m = number(2) else { return nil }
            hour = h; minute = m
            if skip(":") { guard let s = number(2) else { return nil }; second = s }
        }
        var zone = timeZone
        if skip("Z") { zone = TimeZone(identifier: "UTC")! }
        else if let sign = rest.first, sign == "+" || sign == "-" {
            rest = rest.dropFirst()
            guard let h = number(2), skip(":"), let m = number(2) else { return nil }
            zone = TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (h * 3600 + m * 60))!
        }
        guard rest.isEmpty, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)),
              date.timeIntervalSince1970 >= 0 else { return nil }
        return UInt64(date.timeIntervalSince1970) * 1_000_000_000
    }

    /// `2026-11-23 18:30:05` in the given zone, for tables.
    public static func format(_ ns: UInt64, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(ns / 1_000_000_000)))
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : String(v) }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}
