import Foundation

extension QuenchBinary {
    /// Starts `quench arguments` in the background with `environment` merged over this process's,
    /// standard output and error both into `log`. Process makes it the leader of a process group of
    /// its own, as a shell does at a terminal, so `kill(-pid, SIGINT)` is a Ctrl-C there.
    static func start(_ arguments: [String], environment: [String: String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}
