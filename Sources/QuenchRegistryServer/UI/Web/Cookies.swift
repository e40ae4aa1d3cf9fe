import Foundation
import Hummingbird

/// The web UI's cookies: their names, reading them from a request and the `Set-Cookie` values that
/// set or clear them (always `HttpOnly`, `SameSite=Strict`, `Path=/ui`, and `Secure` over TLS).
struct UICookies: Sendable, Equatable {
    /// The session id.
    static let session = "quench_session"
    /// The sign-in form's double-submit CSRF token.
    static let signIn = "quench_signin"
    /// The longest `Cookie` header read; a longer one reads as no cookie at all.
    static let maxHeaderBytes = 8 * 1024

    private let values: [String: String]

    /// The cookies of `request`.
    init(_ request: Request) {
        self.init(header: request.headers[values: .cookie].joined(separator: "; "))
    }

    /// The cookies of a `Cookie` header value: `name=value` pairs separated by `;` and spaces. A pair that
    /// is not a valid cookie (another site on this host may set odd ones) is skipped; of a repeated name
    /// the first (the most specific path) wins.
    init(header: String?) {
        var values: [String: String] = [:]
        if let header, header.utf8.count <= Self.maxHeaderBytes {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: [" ", "\t"])
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = String(trimmed[..<equals])
                var value = Substring(trimmed[trimmed.index(after: equals)...])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
                guard Self.isToken(name), value.utf8.allSatisfy(Self.isCookieOctet), values[name] == nil else { continue }
                values[name] = String(value)
            }
        }
        self.values = values
    }

    /// The value of cookie `name`, nil when absent or empty.
    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The `Set-Cookie` value setting `name` to `value`; without `maxAge` it lasts the browser session.
    static func setting(_ name: String, to value: String, maxAge: Int? = nil, secure: Bool) -> String {
        var parts = ["\(name)=\(value)", "Path=/ui", "HttpOnly", "SameSite=Strict"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// The `Set-Cookie` value removing `name` from the browser.
    static func clearing(_ name: String, secure: Bool) -> String {
        setting(name, to: "", maxAge: 0, secure: secure)
    }

    /// RFC 6265 cookie-octet: visible ASCII but `"`, `,`, `;` and `\`.
    private static func isCookieOctet(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && byte != 0x22 && byte != 0x2C && byte != 0x3B && byte != 0x5C
    }

    /// RFC 7230 token: a non-empty run of visible ASCII without separators.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x21...0x7E).contains($0) && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }
    }
}
