import Foundation
import Subprocess

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable, Equatable {
    /// The exit code, or 128 + the signal number when a signal ended it (as shells report it).
    public let status: Int32
    public let output: String
    public let errorOutput: String
}

/// Runs local programs (`sh`, `ssh`, `scp`) through swift-subprocess, with bounded output.
enum ProcessRunner {
    /// Answers of status commands are short; a log or listing past this is cut off with an error.
    static let outputLimit = 8 << 20

    /// Runs `program` (found on PATH) with `arguments`, feeding it `input`, and collects its output.
    static func collect(_ program: String, _ arguments: [String], input: Data? = nil) async throws -> CommandResult {
        let standardInput = try InputFile.holding(input ?? Data(), for: program)
        do {
            let result = try await Subprocess.run(
                .name(program), arguments: Arguments(arguments), input: standardInput,
                output: .string(limit: outputLimit), error: .string(limit: outputLimit))
            return CommandResult(status: code(result.terminationStatus), output: result.standardOutput,
                                 errorOutput: result.standardError)
        } catch {
            throw DispatchError.cannotStart(program: program, reason: "\(error)")
        }
    }

    /// Runs `program`, handing each line of its standard output to `line` as it arrives; returns the exit
    /// code. Cancelling the calling task ends the program.
    static func stream(_ program: String, _ arguments: [String], input: Data? = nil,
                       line: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        let standardInput = try InputFile.holding(input ?? Data(), for: program)
        let result: ExecutionResult<Void, SequenceOutput, DiscardedOutput>
        do {
            result = try await Subprocess.run(
                .name(program), arguments: Arguments(arguments), input: standardInput,
                output: .sequence, error: .discarded
            ) { execution in
                for try await text in execution.standardOutput.strings() { line(text) }
            }
        } catch is CancellationError {
            return 0
        } catch {
            throw DispatchError.cannotStart(program: program, reason: "\(error)")
        }
        return code(result.terminationStatus)
    }

    static func code(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}
