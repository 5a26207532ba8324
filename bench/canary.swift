// The canary matcher's cost on the most it looks at per connection (64 KiB), fed in 4 KiB reads as
// the proxy gets them: random bytes (a binary upload, TLS) and HTTP text full of "ww" pairs (every
// token starts with "ww"). Built by bench/canary.sh with the matcher's own source, -O. CPU time of
// this thread, so other load on the machine does not count.
import Glibc

func cpuNanoseconds() -> Int {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return t.tv_sec * 1_000_000_000 + t.tv_nsec
}

var random = SystemRandomNumberGenerator()
let inputs: [(String, [UInt8])] = [
    ("random bytes", (0..<65536).map { _ in UInt8.random(in: 0...255, using: &random) }),
    ("text with many ww", Array(String(repeating: "GET /wwwidget?wwx=1&www=2 HTTP/1.1\r\nHost: www.example.com\r\n", count: 1200).utf8.prefix(65536))),
]
for count in [1, 12, 50] {
    let tokens = CanaryTokens((0..<count).map { .init(value: CanaryTokens.makeToken(using: &random), standsFor: "/decoy/\($0)") })
    let matcher = CanaryMatcher(tokens)
    for (name, bytes) in inputs {
        let rounds = 300
        var found = 0
        let start = cpuNanoseconds()
        for _ in 0..<rounds {
            var scanner = matcher.scanner()
            for at in stride(from: 0, to: bytes.count, by: 4096) where scanner.feed(bytes[at..<at + 4096]) != nil { found += 1 }
        }
        let micros = Double(cpuNanoseconds() - start) / Double(rounds) / 1000
        print("\(count) tokens, \(name): \(Int(micros)) µs of CPU per 64 KiB\(found > 0 ? " (false positives: \(found))" : "")")
    }
}
