import XCTest

/// The committed completion scripts are what the command definitions generate (`make completions`).
final class CompletionSyncTests: XCTestCase {
    func testCommittedCompletionsMatchTheCommandDefinitions() throws {
        let sb = Sandbox.shared
        for (shell, file) in [("bash", "ww.bash"), ("zsh", "_ww"), ("fish", "ww.fish")] {
            let generated = try Sandbox.run(sb.wwBinary, ["--generate-completion-script", shell])
            XCTAssertEqual(generated.status, 0, generated.output)
            let committed = try String(contentsOfFile: Sandbox.packageRoot + "/completions/" + file, encoding: .utf8)
            XCTAssertEqual(generated.stdout, committed, "completions/\(file) is stale: run `make completions`")
        }
    }
}
