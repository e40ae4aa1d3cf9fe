import Testing
@testable import QuenchGovernance

/// Every detector on values it must find (exactly) and look-alikes it must not.
@Suite struct PIIDetectorTests {
    let detector = PIIDetector()

    /// The (kind, matched text) pairs in `text`.
    func found(_ text: String) -> [(PIIKind, String)] {
        let bytes = Array(text.utf8)
        return detector.matches(in: text).map { ($0.kind, String(decoding: bytes[$0.start..<$0.end], as: UTF8.self)) }
    }

    /// Expects `value`, embedded in a sentence, to be found as exactly one match of `kind`.
    func expectFound(_ value: String, _ kind: PIIKind, sourceLocation: SourceLocation = #_sourceLocation) {
        let results = found("Contact: \(value), thanks.")
        #expect(results.count == 1 && results.first?.0 == kind && results.first?.1 == value,
                "\(value): found \(results.map { "\($0.0.rawValue)=\($0.1)" })", sourceLocation: sourceLocation)
    }

    /// Expects nothing in `text`.
    func expectNothing(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let results = found("see \(text) here")
        #expect(results.isEmpty, "\(text): found \(results.map { "\($0.0.rawValue)=\($0.1)" })", sourceLocation: sourceLocation)
    }

    @Test func emails() {
        expectFound("john.doe@example.com", .email)
        expectFound("Jane_Roe+tag@mail.example.co.uk", .email)
        for text in ["user@localhost", "@handle", "a@b.c", "name at example dot com", "user@-example.com"] { expectNothing(text) }
    }

    @Test func phones() {
        for value in ["+14155552671", "+44 20 7946 0958", "+1 (415) 555-2671", "(415) 555-2671", "415-555-2671",
                      "415.555.2671", "1-800-555-0199"] {
            expectFound(value, .phone)
        }
        for text in ["123-456-7890", "2023-10-12", "415-555-267", "415-555-26710", "+123 45", "4155552671", "v1.415.555.2671"] {
            expectNothing(text)
        }
    }

    @Test func socialSecurityNumbers() {
        expectFound("123-45-6789", .ssn)
        expectFound("536-90-4399", .ssn)
        for text in ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "123-45-67890", "1234-56-789"] {
            expectNothing(text)
        }
    }

    @Test func paymentCardsPassTheLuhnCheck() {
        for value in ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "378282246310005",
                      "3782 822463 10005", "6011111111111117"] {
            expectFound(value, .paymentCard)
        }
        for text in ["4111 1111 1111 1112", "5555555555554445", "1234567812345670", "4111 1 1111 1111 1111",
                     "41111111111111111111"] {
            expectNothing(text)
        }
    }

    @Test func ibansPassTheMod97Check() {
        for value in ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
                      "NL91ABNA0417164300", "FR1420041010050500013M02606"] {
            expectFound(value, .iban)
        }
        for text in ["DE89 3704 0044 0532 0130 01", "DE89370400440532013", "XX89370400440532013000", "GB82 WEST 1234 5698 7654 33"] {
            expectNothing(text)
        }
    }

    @Test func ipAddresses() {
        expectFound("192.168.1.20", .ipv4)
        expectFound("8.8.8.8", .ipv4)
        for text in ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.02.03.04", "version 1.2.3.4a"] { expectNothing(text) }
        for value in ["2001:db8::ff00:42:8329", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::1", "fe80::1",
                      "::ffff:192.0.2.128"] {
            expectFound(value, .ipv6)
        }
        for text in ["12:30:45", "00:1A:2B:3C:4D:5E", "std::vector", "a:b", "1:2:3:4:5:6:7:8:9", "dead:beef"] { expectNothing(text) }
    }

    @Test func awsAccessKeys() {
        expectFound("AKIAIOSFODNN7EXAMPLE", .awsAccessKey)
        expectFound("ASIAY34FZKBOKMUTVV7A", .awsAccessKey)
        for text in ["AKIAIOSFODNN7EXAMPL", "akiaiosfodnn7example", "AKIAIOSFODNN7EXAMPLE1", "AKIA-IOSFODNN7EXAMPLE"] {
            expectNothing(text)
        }
    }

    @Test func privateKeyBlocks() {
        let block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----"
        expectFound(block, .privateKey)
        expectFound("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----", .privateKey)
        let headless = found("key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n. done")
        #expect(headless.count == 1 && headless.first?.0 == .privateKey && headless.first?.1.hasSuffix("ASC\n") == true)
        for text in ["-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----",
                     "--- BEGIN PRIVATE KEY ---"] {
            expectNothing(text)
        }
    }

    @Test func jsonWebTokens() {
        expectFound("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", .jwt)
        expectFound("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", .jwt)
        for text in ["eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.notjson.sig", "eyes.eyes.eyes"] { expectNothing(text) }
    }

    @Test func serviceTokens() {
        for value in ["hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567", "ghp_" + String(repeating: "a1B2", count: 9),
                      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
                      "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "sk-" + String(repeating: "x7Y", count: 16),
                      "sk_live_4eC39HqLyjWDarjtT1zdp7dc"] {
            expectFound(value, .apiToken)
        }
        for text in ["hf_short", "sk-learn", "sk-this-is-a-long-hyphenated-sentence-without-digits", "ghp_tooShort1",
                     "xhf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"] {
            expectNothing(text)
        }
    }

    @Test func findsEveryKindInOnePassInOrder() {
        let text = "mail a@example.org, card 4111111111111111, ip 10.0.0.1 and key AKIAIOSFODNN7EXAMPLE."
        #expect(found(text).map(\.0) == [.email, .paymentCard, .ipv4, .awsAccessKey])
        #expect(PIIDetector(kinds: [.ipv4]).matches(in: text).map(\.kind) == [.ipv4])
        #expect(detector.matches(in: "").isEmpty)
    }

    @Test func maskedExcerptsNeverShowTheValue() {
        let excerpt = Masking.excerpt("john.doe@example.com")
        #expect(excerpt == "jo************…om")
        #expect(Masking.excerpt("123-45-6789") == "1*********9")
        #expect(Masking.excerpt("1.2.3.4") == "*******")
        #expect(Masking.excerpt(String(repeating: "a", count: 100)).count < 30)
    }
}
