import Foundation

/// One step of the pipeline. A stage is built from the earlier stages' outputs it reads (typed
/// values the runner passes forward, so a missing one does not compile); it declares its inputs
/// (equal inputs on a re-run mean its stored output is reused) and does its work.
protocol Stage {
    associatedtype Output: Codable & Sendable
    static var name: StageName { get }
    /// Everything the output depends on, as text (paths, hashes, canonical settings).
    func inputs() throws -> [String: String]
    func run(events: @escaping RunEvents) throws -> Output
    /// One line for progress and `state.json`.
    static func summary(_ output: Output) -> String
}

/// Progress of a run as it happens, for the CLI to print (to standard error).
public enum RunEvent: Sendable {
    case started(StageName)
    case finished(StageName, seconds: Double, summary: String)
    case reused(StageName, summary: String)
    case notRun(StageName, reason: String)
    case message(String)
}

/// Receives run events.
public typealias RunEvents = @Sendable (RunEvent) -> Void
