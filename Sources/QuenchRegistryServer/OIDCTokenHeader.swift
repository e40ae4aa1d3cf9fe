import Foundation

/// The protected header of a compact JWS, read before any key is touched: a credential that is not
/// shaped like a JWT (an API token, `qrt_...`) is passed over at once, without decoding anything.
struct OIDCTokenHeader: Decodable {
    /// The signing algorithm the token claims (`RS256`, `ES256`...); checked against the key's own.
    var alg: String
    /// The issuer's key that signed it: required, so a rotated-in key can be told from a forged one.
    var kid: String
    /// Critical extensions: none is supported, so a token listing any is refused (RFC 7515 section 4.1.11).
    var crit: [String]?

    /// Identity tokens are a few kilobytes; anything far longer is not one.
    static let maximumLength = 16 << 10

    /// The header of `credential`, or nil when it is not three base64url segments whose first is a JSON
    /// header with `alg` and `kid` and no `crit`.
    static func parse(_ credential: String) -> OIDCTokenHeader? {
        guard credential.utf8.count <= maximumLength else { return nil }
        let segments = credential.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, segments.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isBase64URL) }),
              let data = decodeBase64URL(Substring(segments[0])),
              let header = try? JSONDecoder().decode(OIDCTokenHeader.self, from: data),
              header.crit == nil, !header.kid.isEmpty else { return nil }
        return header
    }

    /// Letters, digits, `-` and `_`.
    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// The bytes of unpadded base64url `text`.
    private static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
