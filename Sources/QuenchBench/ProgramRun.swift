import Foundation

/// A helper program a benchmark runs to its end: standard input from /dev/null, standard output and error
/// read together from a pipe (so what it prints, such as a token, never passes through arguments).
enum ProgramRun {
    /// Runs `executable` with `arguments`; a non-zero exit throws `BenchmarkError.commandFailed` naming
    /// `command` with the end of the output.
    static func output(of executable: URL, _ arguments: [String], command: String) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError.commandFailed(command: command, status: process.terminationStatus, output: String(text.suffix(2000)))
        }
        return text
    }
}
