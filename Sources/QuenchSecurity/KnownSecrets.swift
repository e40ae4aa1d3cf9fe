import Foundation
import Synchronization

/// The secret values this process holds (the hub token variables of its environment, and every token
/// read from a token file or a token command, or taken out of a URL), so that every output filter can
/// remove the actual value wherever it shows up, whatever its shape.
public enum KnownSecrets {
    /// Shortest value recorded: shorter strings would scrub ordinary words from every message.
    public static let minimumLength = 8
    /// The environment variables that hold a hub token, known from the start.
    public static let environmentVariables = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]

    private static let values = Mutex<Set<String>>(Set(environmentVariables.flatMap { name -> [String] in
        guard let value = ProcessInfo.processInfo.environment[name] else { return [] }
        return variants(of: value)
    }))

    /// Records `secret` (and its percent-encoded form, as it would appear in a URL); values shorter than
    /// `minimumLength` are ignored.
    public static func register(_ secret: String) {
        let found = variants(of: secret)
        guard !found.isEmpty else { return }
        values.withLock { $0.formUnion(found) }
    }

    /// Every recorded value, longest first (so a secret containing another is replaced whole).
    public static var all: [String] {
        values.withLock { $0.sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 } }
    }

    /// `secret` as given, trimmed, and percent-encoded (as it would appear in a URL), each at least
    /// `minimumLength` bytes long.
    private static func variants(of secret: String) -> [String] {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        let encoded = trimmed.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed)
        return [secret, trimmed, encoded].compactMap { $0 }.filter { $0.utf8.count >= minimumLength }
    }
}
