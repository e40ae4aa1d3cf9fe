import Foundation

/// The one redaction filter every log line, report and error message passes through: known secrets
/// (the hub token, signing-key passphrases) become `<SECRET>`, and whatever the detectors find
/// (tokens, keys, personal data) becomes its typed placeholder.
public struct SecretScrubber: Sendable {
    /// Shortest known secret honoured: shorter strings would scrub ordinary words.
    public static let minimumSecretLength = 8
    /// The placeholder for known secrets.
    public static let secretPlaceholder = "<SECRET>"

    private let secrets: [String]
    private let redactor: Redactor

    /// A scrubber for `secrets` (those shorter than `minimumSecretLength` are ignored) and the
    /// detectors' `kinds` (all by default).
    public init(secrets: [String] = [], kinds: Set<PIIKind> = Set(PIIKind.allCases)) {
        self.secrets = secrets.filter { $0.utf8.count >= Self.minimumSecretLength }
            .sorted { $0.utf8.count > $1.utf8.count }
        self.redactor = Redactor(kinds: kinds, style: .placeholder)
    }

    /// A scrubber that also hides `secret`.
    public func adding(secret: String) -> SecretScrubber {
        SecretScrubber(secrets: secrets + [secret], kinds: redactor.kinds)
    }

    /// `text` without secrets or detected findings.
    public func scrub(_ text: String) -> String {
        var text = text
        for secret in secrets {
            text = text.replacingOccurrences(of: secret, with: Self.secretPlaceholder)
        }
        return redactor.redact(text)
    }

    /// The description of `error`, scrubbed: what CLI error messages print.
    public func scrub(_ error: any Error) -> String { scrub(String(describing: error)) }
}
