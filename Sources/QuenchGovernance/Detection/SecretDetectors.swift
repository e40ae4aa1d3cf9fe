/// Detectors for credentials: AWS access key ids, private-key blocks, JWTs and service API tokens.
enum SecretDetectors {
    /// The prefixes of AWS access key ids (long-term, temporary, and the other key types).
    private static let awsPrefixes: [StaticString] = [
        "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA",
    ]

    /// A known prefix and 16 upper-case letters or digits: `AKIAIOSFODNN7EXAMPLE`.
    static func awsAccessKey(_ view: ByteView, _ start: Int) -> Int? {
        guard view[start] == UInt8(ascii: "A"), awsPrefixes.contains(where: { view.matches($0, at: start) }) else {
            return nil
        }
        for offset in 4..<20 {
            let byte = view[start + offset]
            guard ASCII.isUpper(byte) || ASCII.isDigit(byte) else { return nil }
        }
        return ASCII.isWord(view[start + 20]) ? nil : start + 20
    }

    /// `-----BEGIN … PRIVATE KEY-----` through its `-----END …-----` line (looked for within 64 KiB);
    /// without an end line, through the base64 body.
    static func privateKey(_ view: ByteView, _ start: Int) -> Int? {
        guard view.matches("-----BEGIN ", at: start) else { return nil }
        var index = start + 11
        while (ASCII.isUpper(view[index]) || view[index] == ASCII.space) && index - start < 64 { index += 1 }
        guard view.matches("-----", at: index),
              view.matches("PRIVATE KEY", at: index - 11) || view.matches("PRIVATE KEY BLOCK", at: index - 17) else {
            return nil
        }
        index += 5
        let limit = min(view.count, index + 65_536)
        var search = index
        while search < limit {
            if view[search] == ASCII.dash, view.matches("-----END ", at: search) {
                var end = search + 9
                while (ASCII.isUpper(view[end]) || view[end] == ASCII.space) && end - search < 64 { end += 1 }
                if view.matches("-----", at: end) { return end + 5 }
            }
            search += 1
        }
        while isPEMBody(view[index]) { index += 1 }
        return index
    }

    @inline(__always) private static func isPEMBody(_ byte: UInt8) -> Bool {
        ASCII.isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            || byte == UInt8(ascii: "=") || byte == 0x0A || byte == 0x0D
    }

    /// Three base64url segments joined by dots, the first two starting `ey` (a JSON object): header,
    /// payload and signature (possibly empty, for unsigned tokens).
    static func jwt(_ view: ByteView, _ start: Int) -> Int? {
        guard view.matches("eyJ", at: start) else { return nil }
        var index = start
        while ASCII.isBase64URL(view[index]) { index += 1 }
        guard index - start >= 10, view[index] == ASCII.dot else { return nil }
        let payload = index + 1
        guard view.matches("ey", at: payload) else { return nil }
        index = payload
        while ASCII.isBase64URL(view[index]) { index += 1 }
        guard index - payload >= 10, view[index] == ASCII.dot else { return nil }
        index += 1
        while ASCII.isBase64URL(view[index]) { index += 1 }
        return index
    }

    /// Hugging Face (`hf_…`), GitHub (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`),
    /// OpenAI-style (`sk-…`, with at least one digit and one letter) and Stripe (`sk_live_…`) tokens.
    static func apiToken(_ view: ByteView, _ start: Int) -> Int? {
        switch view[start] {
        case UInt8(ascii: "h"):
            return view.matches("hf_", at: start) ? run(view, from: start + 3, minimum: 30, ASCII.isAlphanumeric) : nil
        case UInt8(ascii: "g"):
            if view.matches("github_pat_", at: start) {
                return run(view, from: start + 11, minimum: 40, ASCII.isWord)
            }
            guard view[start + 1] == UInt8(ascii: "h"), "pousr".utf8.contains(view[start + 2]),
                  view[start + 3] == UInt8(ascii: "_") else { return nil }
            return run(view, from: start + 4, minimum: 30, ASCII.isAlphanumeric)
        case UInt8(ascii: "s"):
            if view.matches("sk_live_", at: start) || view.matches("sk_test_", at: start) {
                return run(view, from: start + 8, minimum: 20, ASCII.isAlphanumeric)
            }
            guard view.matches("sk-", at: start),
                  let end = run(view, from: start + 3, minimum: 32, ASCII.isBase64URL) else { return nil }
            var digit = false
            var letter = false
            for index in (start + 3)..<end {
                digit = digit || ASCII.isDigit(view[index])
                letter = letter || ASCII.isLetter(view[index])
            }
            return digit && letter ? end : nil
        default:
            return nil
        }
    }

    /// The end of a run of at least `minimum` bytes of `accepts` from `start`, which no word byte follows.
    private static func run(_ view: ByteView, from start: Int, minimum: Int, _ accepts: (UInt8) -> Bool) -> Int? {
        var index = start
        while accepts(view[index]) { index += 1 }
        guard index - start >= minimum, !ASCII.isWord(view[index]) else { return nil }
        return index
    }
}
