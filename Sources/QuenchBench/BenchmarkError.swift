import Foundation

/// Why a benchmark could not measure: a helper process that failed, or an answer that was not the expected one.
public enum BenchmarkError: Error, Equatable, CustomStringConvertible {
    /// A command the benchmark runs exited with a failure; `output` is the end of what it printed.
    case commandFailed(command: String, status: Int32, output: String)
    /// The registry server did not announce its address within the wait; `log` is where its output is.
    case serverDidNotStart(log: String, output: String)
    /// A URL the benchmark built does not parse.
    case invalidURL(String)
    /// A request of the benchmark was answered with an unexpected status.
    case unexpectedAnswer(request: String, status: Int, body: String)
    /// A tool's output could not be read; `what` names the missing figure.
    case unreadableOutput(tool: String, what: String)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let output):
            return "\(command) exited with status \(status): \(output)"
        case .serverDidNotStart(let log, let output):
            return "the registry server did not announce its address within 30 s (its output is in \(log)): \(output)"
        case .invalidURL(let url):
            return "\(url) is not a URL"
        case .unexpectedAnswer(let request, let status, let body):
            return "\(request) was answered with status \(status): \(body)"
        case .unreadableOutput(let tool, let what):
            return "\(tool) printed no \(what)"
        }
    }
}
