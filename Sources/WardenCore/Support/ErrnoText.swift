import Foundation

/// The C library's text for an errno value (a table lookup, no system call).
public enum ErrnoText {
    public static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
