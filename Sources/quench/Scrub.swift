import Foundation
import QuenchGovernance

/// The one filter every message the CLI prints on failure passes through: every hub token this process
/// holds (from the environment, a token file or a token command) and anything the credential detectors
/// find are replaced; paths, addresses and numbers stay readable.
enum Scrub {
    static func text(_ text: String) -> String { SecretScrubber().scrub(text) }
}
