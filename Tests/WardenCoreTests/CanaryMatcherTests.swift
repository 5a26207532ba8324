import Foundation
import XCTest
@testable import WardenCore

/// The canary matcher: what it finds (as written, any case, base64 at every alignment, across chunks,
/// across DNS labels) and what it must not (near misses, bytes past the 64 KiB bound).
final class CanaryMatcherTests: XCTestCase {
    static let aws = CanaryTokens.Token(value: "wwq7k2mzx4hd5nrt3p6ya2bcfe", standsFor: "/home/player/.aws/credentials")
    static let ssh = CanaryTokens.Token(value: "wwb3c5d7e2f4g6h7i2j3k4l5mn", standsFor: "/home/player/.ssh/id_rsa")
    let matcher = CanaryMatcher(CanaryTokens([aws, ssh]))
    var token: String { Self.aws.value }

    func testTokensAreFoundAsWrittenAndInsideOtherText() {
        XCTAssertEqual(matcher.find(in: token)?.token, Self.aws)
        XCTAssertEqual(matcher.find(in: "aws_secret_access_key = \(token)\n")?.token, Self.aws)
        XCTAssertEqual(matcher.find(in: "user=x&k=\(Self.ssh.value)&z=1")?.token, Self.ssh)
        XCTAssertEqual(matcher.find(in: "k=\(token)")?.form, .text)
    }

    func testUpperAndMixedCaseAreTheSameToken() {
        XCTAssertEqual(matcher.find(in: "X-Key: \(token.uppercased())")?.token, Self.aws)
        let mixed = String(token.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element })
        XCTAssertEqual(matcher.find(in: mixed)?.token, Self.aws)
    }

    func testBase64OfTheTokenIsFoundAtEveryAlignmentInsideLongerBase64() {
        for prefix in ["", "a", "ab", "key=", "aws_secret_access_key = "] {
            for suffix in ["", "\n", "xy"] {
                let encoded = Data((prefix + token + suffix).utf8).base64EncodedString()
                let hit = matcher.find(in: "Authorization: Basic \(encoded)")
                XCTAssertEqual(hit?.token, Self.aws, "\(prefix.count) bytes before: \(encoded)")
                XCTAssertEqual(hit?.form, .base64)
            }
        }
    }

    func testNearMissesAreNotTokens() {
        var changed = Array(token)
        changed[13] = changed[13] == "a" ? "b" : "a"
        let head = String(token.prefix(12)), rest = String(token.dropFirst(12))
        let misses: [String] = [String(token.dropLast()), String(token.dropFirst()), String(changed), head + "-" + rest, head + " " + rest,
                                "ww" + String(repeating: "a", count: 24), String(repeating: "w", count: 64)]
        for miss in misses { XCTAssertNil(matcher.find(in: "k=\(miss)&z=1"), miss) }
        XCTAssertNil(matcher.find(in: Data(String(token.dropLast(3)).utf8).base64EncodedString()))
        XCTAssertNil(matcher.find(in: Data(token.uppercased().utf8).base64EncodedString()), "base64 is of the bytes sent")
    }

    func testATokenSplitAtAnyPointAcrossTwoChunksIsFound() {
        let text = Array("POST /upload HTTP/1.1\r\n\r\nsecret=\(token)&more".utf8)
        for cut in 0...text.count {
            var s = matcher.scanner()
            let first = s.feed(text[..<cut])
            let second = s.feed(text[cut...])
            XCTAssertEqual((first ?? second)?.token, Self.aws, "cut at \(cut)")
        }
    }

    func testATokenSentOneByteAtATimeIsFoundAndTheScannerKeepsOnlyATail() {
        var s = matcher.scanner()
        var hit: CanaryMatcher.Hit?
        for b in Array("k=\(token.uppercased())".utf8) {
            if let h = s.feed([b]) { hit = h }
            XCTAssertLessThan(s.tail.count, matcher.longest)
        }
        XCTAssertEqual(hit?.token, Self.aws)
    }

    func testOnlyTheFirst64KiBAreLookedAt() {
        let limit = CanaryScanner.defaultLimit
        let tokenBytes = Array(token.utf8)
        func scan(tokenEndingAt end: Int) -> CanaryMatcher.Hit? {
            var s = matcher.scanner()
            let bytes = [UInt8](repeating: UInt8(ascii: "x"), count: end - tokenBytes.count) + tokenBytes + [UInt8](repeating: 0, count: 4096)
            var hit: CanaryMatcher.Hit?
            for start in stride(from: 0, to: bytes.count, by: 1000) where hit == nil {
                hit = s.feed(bytes[start..<min(start + 1000, bytes.count)])
            }
            XCTAssertTrue(s.isDone)
            XCTAssertEqual(s.scanned, limit)
            return hit
        }
        XCTAssertNotNil(scan(tokenEndingAt: limit), "a token ending at the last byte of the bound")
        XCTAssertNil(scan(tokenEndingAt: limit + 1), "a token ending past the bound")
        var s = matcher.scanner()
        _ = s.feed([UInt8](repeating: 0, count: limit))
        XCTAssertNil(s.feed(tokenBytes))
    }

    func testDNSNamesHoldTokensAsLabelsInsideLabelsAndSplitAcrossLabels() {
        XCTAssertEqual(matcher.find(inName: "\(token).evil.example")?.token, Self.aws)
        XCTAssertEqual(matcher.find(inName: "x\(token)y.evil.example")?.token, Self.aws)
        XCTAssertEqual(matcher.find(inName: "\(token.prefix(10)).\(token.dropFirst(10)).evil.example")?.token, Self.aws)
        XCTAssertEqual(matcher.find(inName: "\(token.uppercased()).EVIL.example")?.token, Self.aws)
        XCTAssertNil(matcher.find(inName: "www.wwq7k2mzx.example.com"))
        XCTAssertNil(matcher.find(inName: "\(token.prefix(10)).evil.\(token.dropFirst(10))x"), "the pieces out of order are no token")
    }

    func testNoTokensMeansNothingIsLookedAt() {
        let none = CanaryMatcher(CanaryTokens())
        XCTAssertTrue(none.isEmpty)
        XCTAssertNil(none.find(in: token))
        var s = none.scanner()
        XCTAssertTrue(s.isDone)
        XCTAssertNil(s.feed(Array(token.utf8)))
        XCTAssertEqual(s.scanned, 0)
    }

    func testFreshTokensAreFoundByTheirOwnMatcher() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let value = CanaryTokens.makeToken(using: &random)
            let m = CanaryMatcher(CanaryTokens([.init(value: value, standsFor: "/x")]))
            XCTAssertNotNil(m.find(in: "q=\(value)"))
            XCTAssertNotNil(m.find(in: Data("k=\(value)".utf8).base64EncodedString()))
            XCTAssertNil(m.find(in: "q=\(value.dropLast())"))
            // Lower-case letters and digits never make "+" or "/": URL-safe base64 spells the token the same.
            XCTAssertFalse(m.patterns.contains { $0.bytes.contains(UInt8(ascii: "+")) || $0.bytes.contains(UInt8(ascii: "/")) })
        }
    }
}
