import Foundation
import QuenchSecurity

/// The one filter every diagnostic passes through before it is printed or written (log lines, error
/// messages, run records, reports): secrets are replaced, everything else is left as it was.
///
/// Replaced: the actual secret values this process has read (`KnownSecrets`: the hub token from any
/// source) and the ones given here, credentials in URLs (`https://user:pass@host`), `Authorization`
/// header values and bearer tokens, and what the credential detectors find (API tokens, AWS keys,
/// private keys, JWTs). Personal data is not: an IP address, a path with an `@` or a byte count is what
/// makes a diagnostic useful. Finding personal data is the data scanner's job, not the error path's.
public struct SecretScrubber: Sendable {
    /// Shortest known secret honoured: shorter strings would scrub ordinary words.
    public static let minimumSecretLength = KnownSecrets.minimumLength
    /// The placeholder for known secrets.
    public static let secretPlaceholder = "<SECRET>"
    /// The detector kinds applied to diagnostics: credentials only.
    public static let secretKinds = Set(PIIKind.allCases.filter(\.isSecret))

    private let secrets: [String]
    private let redactor = Redactor(kinds: secretKinds, style: .placeholder)

    /// A scrubber for the process's known secrets and `secrets` (those shorter than
    /// `minimumSecretLength` are ignored).
    public init(secrets: [String] = []) {
        self.secrets = secrets.filter { $0.utf8.count >= Self.minimumSecretLength }
    }

    /// A scrubber that also hides `secret`.
    public func adding(secret: String) -> SecretScrubber {
        SecretScrubber(secrets: secrets + [secret])
    }

    /// `text` without secrets.
    public func scrub(_ text: String) -> String {
        var text = text
        let known = (secrets + KnownSecrets.all).sorted { $0.utf8.count > $1.utf8.count }
        for secret in known where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.secretPlaceholder)
        }
        return redactor.redact(Self.withoutCredentialFields(text))
    }

    /// The description of `error`, scrubbed: what CLI error messages print.
    public func scrub(_ error: any Error) -> String { scrub(String(describing: error)) }

    /// `text` with the user information of URLs and the values of authorization headers replaced,
    /// whatever the secret looks like.
    private static func withoutCredentialFields(_ text: String) -> String {
        guard text.contains("@") || text.localizedCaseInsensitiveContains("bearer")
            || text.localizedCaseInsensitiveContains("authorization") else { return text }
        let userInfo = #/(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@"'<>]+@/#
        let authorization = #/(?i)(?<name>authorization["']?\s*[:=]\s*["']?)[^\s"',;]+(\s+[^\s"',;]+)?/#
        let bearer = #/(?i)(?<name>bearer\s+)[A-Za-z0-9._~+/=\-]{8,}/#
        return text
            .replacing(userInfo) { $0.output.scheme + secretPlaceholder + "@" }
            .replacing(authorization) { $0.output.name + secretPlaceholder }
            .replacing(bearer) { $0.output.name + secretPlaceholder }
    }
}
