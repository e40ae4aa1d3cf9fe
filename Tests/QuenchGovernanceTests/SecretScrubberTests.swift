import QuenchSecurity
import Testing
@testable import QuenchGovernance

/// The filter every log line, report and error message passes through: secrets out, diagnostics intact.
@Suite struct SecretScrubberTests {
    @Test func scrubsKnownSecretsAndDetectedCredentials() {
        let scrubber = SecretScrubber(secrets: ["s3cr3t-hub-token-value", "short"])
        let line = "GET with s3cr3t-hub-token-value failed using AKIAIOSFODNN7EXAMPLE (short)"
        #expect(scrubber.scrub(line) == "GET with <SECRET> failed using <AWS_ACCESS_KEY> (short)")
        #expect(scrubber.scrub("nothing to hide") == "nothing to hide")
        #expect(SecretScrubber().adding(secret: "another-secret").scrub("x another-secret y") == "x <SECRET> y")
        #expect(SecretScrubber().scrub("token hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567 refused") == "token <API_TOKEN> refused")
    }

    @Test func aSecretThisProcessReadIsScrubbedByEveryScrubber() {
        let secret = "process-known-" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        #expect(SecretScrubber().scrub("value \(secret) seen") == "value \(secret) seen")
        KnownSecrets.register(secret)
        #expect(SecretScrubber().scrub("value \(secret) seen") == "value <SECRET> seen")
        #expect(SecretScrubber().scrub("https://h/?t=\(secret.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed)!)")
                == "https://h/?t=<SECRET>")
    }

    @Test func credentialsInURLsAndAuthorizationHeadersAreScrubbedWhateverTheirShape() {
        let scrubber = SecretScrubber()
        #expect(scrubber.scrub("request to https://user:pa55word@127.0.0.1:9/api failed")
                == "request to https://<SECRET>@127.0.0.1:9/api failed")
        #expect(scrubber.scrub("git clone https://x-token-abc@git.example.com/r") == "git clone https://<SECRET>@git.example.com/r")
        #expect(scrubber.scrub("sent Authorization: Bearer abc.def-ghi_jkl to it") == "sent Authorization: <SECRET> to it")
        #expect(scrubber.scrub("{\"authorization\": \"Basic dXNlcjpwYXNz\"}") == "{\"authorization\": \"<SECRET>\"}")
        #expect(scrubber.scrub("header bearer 0123456789abcdef") == "header bearer <SECRET>")
    }

    /// A diagnostic keeps the address, path and number that make it useful: they are not personal data
    /// to hide but what the user needs to act on.
    @Test func diagnosticsKeepAddressesPathsAndNumbers() {
        let scrubber = SecretScrubber(secrets: ["some-known-secret"])
        for text in ["Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server",
                     "/tmp/a@b.c/m.gguf: not a GGUF file",
                     "model.safetensors: header length 4111111111111111 exceeds the file size",
                     "contact admin@example.com or call +44 20 7946 0958 about fe80::1",
                     "mailto:ops@example.com and file:///tmp/x@y/z.gguf"] {
            #expect(scrubber.scrub(text) == text)
        }
    }

    @Test func scrubsErrors() {
        let error = GovernanceError.unreadable(path: "/data/hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567.jsonl", reason: "gone")
        #expect(!SecretScrubber().scrub(error).contains("hf_aBc"))
    }
}
