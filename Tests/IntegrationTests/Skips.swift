import Foundation
import XCTest

/// Skips that can fail. A skipped test proves nothing, so on a machine set up by `make deps` (CI:
/// `.ci/run` sets WW_STRICT_SKIPS=1) only the skips listed in `Allowed`, each with its reason, are
/// skips; any other (a missing tool, a probe that does not build, a peer that does not start) fails
/// the run. Elsewhere (a developer's machine without Wine, say) they stay skips.
enum Skip {
    enum Allowed: String {
        /// The suite runs as root and drops to the test user; run by a normal user, the parts that
        /// need root for their set-up (a tmpfs mount, port 53, reading /etc/shadow as a baseline)
        /// have nothing to compare against.
        case needsRootForSetUp = "needs root for its set-up; the suite is run as a normal user here"
    }

    static var strict: Bool { ProcessInfo.processInfo.environment["WW_STRICT_SKIPS"] == "1" }

    static func allowed(_ why: Allowed, _ detail: String) -> XCTSkip {
        XCTSkip("\(detail) (allowed skip: \(why.rawValue))")
    }

    /// A skip for a machine that lacks something: a failure under WW_STRICT_SKIPS=1.
    static func unexpected(_ detail: String) -> Error {
        strict ? Unexpected(detail: detail) : XCTSkip(detail)
    }

    struct Unexpected: Error, CustomStringConvertible {
        var detail: String
        var description: String { "a skip is not allowed here (WW_STRICT_SKIPS=1): \(detail); install what `make deps` installs" }
    }
}
