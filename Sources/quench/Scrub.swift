import Foundation
import QuenchGovernance

/// The one filter every message the CLI prints on failure passes through: the hub token (when one is
/// set in the environment) and anything the PII and secret detectors find are replaced.
enum Scrub {
    static let scrubber: SecretScrubber = {
        let environment = ProcessInfo.processInfo.environment
        return SecretScrubber(secrets: ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"].compactMap { environment[$0] })
    }()

    static func text(_ text: String) -> String { scrubber.scrub(text) }
}
