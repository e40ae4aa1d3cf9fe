import Foundation

/// Failures setting up a test fixture or server, with what went wrong.
public enum TestSetupError: Error, CustomStringConvertible {
    /// A setup step (a command, a file) failed.
    case command(String)
    /// The server did not come up in time (with its log).
    case timeout(String)

    public var description: String {
        switch self {
        case .command(let text), .timeout(let text): return text
        }
    }
}
