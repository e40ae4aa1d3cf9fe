import Foundation

/// How a program run by `ProcessRunner` ended and what it printed.
public struct ProcessResult: Sendable {
    /// The exit status (or the signal number when `exited` is false).
    public let status: Int32
    /// Whether the program exited rather than being ended by a signal.
    public let exited: Bool
    /// Everything written to standard output.
    public let standardOutput: String
    /// Everything written to standard error.
    public let standardError: String

    /// Standard output followed by standard error, so JSON printed on standard output starts it.
    public var output: String { standardOutput + standardError }

    /// This result when the program exited with status 0; otherwise a `ProcessFailure` naming it.
    public func checked(_ program: String) throws -> ProcessResult {
        guard exited && status == 0 else { throw ProcessFailure(program: program, result: self) }
        return self
    }
}

/// A program that ended with a non-zero status, with what it said.
public struct ProcessFailure: Error, CustomStringConvertible {
    /// The program and its first argument.
    public let program: String
    /// How it ended.
    public let result: ProcessResult

    public var description: String {
        "\(program) failed with \(result.exited ? "status" : "signal") \(result.status): \(result.output.suffix(800))"
    }
}

/// Runs a program to its end and captures what it prints: the one way tests start a short-lived process.
public enum ProcessRunner {
    /// Runs `program` with `arguments`, `environment` merged over `base` (by default this process's
    /// environment), in `directory` when given, standard input from /dev/null. Standard error goes to
    /// a temporary file, so a chatty program cannot block on a full pipe.
    public static func run(_ program: URL, _ arguments: [String], environment: [String: String] = [:],
                           base: [String: String] = ProcessInfo.processInfo.environment,
                           in directory: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = base.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("quench-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let errorHandle = try FileHandle(forWritingTo: errors)
        let pipe = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = errorHandle
        do {
            try process.run()
        } catch {
            try? errorHandle.close()
            throw error
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        return ProcessResult(status: process.terminationStatus, exited: process.terminationReason == .exit,
                             standardOutput: String(decoding: data, as: UTF8.self),
                             standardError: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// Runs the program at `path`; see `run(_:_:environment:base:in:)`.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           base: [String: String] = ProcessInfo.processInfo.environment,
                           in directory: URL? = nil) throws -> ProcessResult {
        try run(URL(fileURLWithPath: path), arguments, environment: environment, base: base, in: directory)
    }

    /// Starts `program` in the background with `environment` merged over `base` (by default this
    /// process's environment), standard output and error both into `log` (a file, so a long run cannot
    /// block on a full pipe); the caller waits for it or signals it. Process makes it the leader of a
    /// process group of its own.
    public static func start(_ program: URL, _ arguments: [String], environment: [String: String] = [:],
                             base: [String: String] = ProcessInfo.processInfo.environment, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = base.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// The folder holding the test bundle and the products built with it (the `quench` binary).
    public static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0])
        while url.path != "/" && !url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        return url.path == "/" ? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            : url.deletingLastPathComponent()
    }
}
