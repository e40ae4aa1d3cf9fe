import Foundation

/// One step of the pipeline: it declares its inputs (equal inputs on a re-run mean its stored
/// output is reused), does its work, and stores what later stages need in the context.
protocol Stage {
    associatedtype Output: Codable & Sendable
    static var name: StageName { get }
    /// Everything the output depends on, as text (paths, hashes, canonical settings).
    func inputs(_ context: RunContext) throws -> [String: String]
    func run(_ context: RunContext, events: @escaping RunEvents) throws -> Output
    /// Makes the output visible to later stages.
    static func store(_ output: Output, in context: inout RunContext)
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
