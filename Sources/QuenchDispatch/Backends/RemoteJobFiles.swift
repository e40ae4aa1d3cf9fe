import Foundation

/// What every backend does the same way on the machine that holds the job's folder: checking the
/// Quench release there, reading the log by offset, and bringing the outputs back verified.
enum RemoteJobFiles {
    /// Bytes of log fetched per round trip.
    static let logChunk = 1 << 20

    /// Runs `quench --version` on `host` and refuses anything but `expected`.
    static func checkVersion(on host: any CommandHost, quench: String, expected: String) async throws {
        let result = try await host.run(script: "exec \(ShellQuote.quote(quench)) --version")
        guard result.status == 0 else {
            throw DispatchError.commandFailed(
                host: host.name, action: "running `\(quench) --version` (is Quench installed there?)",
                status: result.status, message: CommandHostLines.last(result.errorOutput + result.output))
        }
        let remote = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard remote == expected else {
            throw DispatchError.versionMismatch(host: host.name, local: expected, remote: String(remote.prefix(64)))
        }
    }

    /// The job's bookkeeping folder on the host.
    static func control(_ job: SubmittedJob) -> String { job.remoteDirectory + "/" + JobBundle.controlFolder }

    /// The log file's lines; with `follow`, polls for new ones every `interval` until `status` reports
    /// a final state and the file has stopped growing.
    static func logLines(host: any CommandHost, file: String, follow: Bool, interval: Duration,
                         status: @escaping @Sendable () async throws -> JobStatus) -> AsyncThrowingStream<String, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var offset = 0
                    var ended = false
                    while !Task.isCancelled {
                        let (lines, consumed) = try await fetch(host: host, file: file, from: offset, final: !follow || ended)
                        offset += consumed
                        for line in lines { continuation.yield(line) }
                        if consumed > 0 { continue }
                        if !follow || ended { break }
                        ended = try await status().state.isFinal
                        if !ended { try await Task.sleep(for: interval) }
                    }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Complete lines from byte `offset` of `file`, and how many bytes they took; with `final`, a last
    /// line without a newline counts too.
    static func fetch(host: any CommandHost, file: String, from offset: Int, final: Bool) async throws -> ([String], Int) {
        let script = "tail -c +\(offset + 1) \(ShellQuote.quote(file)) 2>/dev/null | head -c \(logChunk); true"
        let text = try await host.check(script, action: "reading the log \(file)")
        guard !text.isEmpty else { return ([], 0) }
        var usable = Substring(text)
        if !final, text.utf8.count < logChunk {
            guard let newline = text.lastIndex(of: "\n") else { return ([], 0) }
            usable = text[...newline]
        }
        let consumed = usable.utf8.count
        if usable.hasSuffix("\n") { usable = usable.dropLast() }
        return (usable.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), consumed)
    }

    /// Downloads the job's `output/` into `directory` (which must not exist), verifies it against the
    /// returned manifest and the job's Quench release, and only then moves it into place.
    static func collect(_ job: SubmittedJob, from host: any CommandHost, into directory: URL) async throws -> URL {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: directory.path) else {
            throw DispatchError.fileFailed(path: directory.path, reason: "it already exists; collect into a new folder")
        }
        let staging = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw DispatchError.fileFailed(path: staging.path, reason: error.localizedDescription)
        }
        defer { try? fileManager.removeItem(at: staging) }
        let received = staging.appendingPathComponent(JobBundle.outputFolder)
        try await host.download(job.remoteDirectory + "/" + JobBundle.outputFolder, to: received)
        let manifest = try ResultVerifier.verify(outputDirectory: received)
        guard manifest.quenchVersion == job.quenchVersion else {
            throw DispatchError.versionMismatch(host: host.name, local: job.quenchVersion, remote: manifest.quenchVersion)
        }
        do {
            try fileManager.moveItem(at: received, to: directory)
        } catch {
            throw DispatchError.fileFailed(path: directory.path, reason: "cannot move the verified results into place: \(error.localizedDescription)")
        }
        return directory
    }
}

/// Trims command output for error messages.
enum CommandHostLines {
    /// The last few lines of `text`, joined: enough to act on, never a whole log.
    static func last(_ text: String, count: Int = 5) -> String {
        text.split(separator: "\n").suffix(count).joined(separator: " | ")
    }
}
