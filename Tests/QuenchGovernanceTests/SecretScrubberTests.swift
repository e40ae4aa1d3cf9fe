import Testing
@testable import QuenchGovernance

/// The filter every log line, report and error message passes through.
@Suite struct SecretScrubberTests {
    @Test func scrubsKnownSecretsAndDetectedFindings() {
        let scrubber = SecretScrubber(secrets: ["s3cr3t-hub-token-value", "short"])
        let line = "GET with s3cr3t-hub-token-value failed for admin@example.com using AKIAIOSFODNN7EXAMPLE (short)"
        #expect(scrubber.scrub(line) == "GET with <SECRET> failed for <EMAIL> using <AWS_ACCESS_KEY> (short)")
        #expect(scrubber.scrub("nothing to hide") == "nothing to hide")
        #expect(SecretScrubber(kinds: [.apiToken]).scrub("ip 10.0.0.1") == "ip 10.0.0.1")
        #expect(SecretScrubber().adding(secret: "another-secret").scrub("x another-secret y") == "x <SECRET> y")
    }

    @Test func scrubsErrors() {
        let error = GovernanceError.unreadable(path: "/data/hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567.jsonl", reason: "gone")
        #expect(!SecretScrubber().scrub(error).contains("hf_aBc"))
    }
}
