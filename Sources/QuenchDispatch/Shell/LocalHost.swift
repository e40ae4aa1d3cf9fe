import Foundation

/// This machine: scripts run with the local `sh`, copies are file copies.
public struct LocalHost: CommandHost {
    public var name: String { "this machine" }

    /// The local machine.
    public init() {}

    public func run(script: String) async throws -> CommandResult {
        try await ProcessRunner.collect("sh", ["-s"], input: Data(script.utf8))
    }

    public func stream(script: String, line: @escaping @Sendable (String) -> Void) async throws {
        _ = try await ProcessRunner.stream("sh", ["-s"], input: Data(script.utf8), line: line)
    }

    public func upload(_ local: URL, to remotePath: String) async throws {
        try copyTree(local, to: URL(fileURLWithPath: remotePath))
    }

    public func download(_ remotePath: String, to local: URL) async throws {
        try copyTree(URL(fileURLWithPath: remotePath), to: local)
    }

    public func writeSecret(_ secret: Data, to remotePath: String) async throws {
        let created = FileManager.default.createFile(atPath: remotePath, contents: nil, attributes: [.posixPermissions: 0o600])
        guard created, let handle = FileHandle(forWritingAtPath: remotePath) else {
            throw DispatchError.fileFailed(path: remotePath, reason: "cannot create the 0600 secret file")
        }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: secret)
        } catch {
            throw DispatchError.fileFailed(path: remotePath, reason: "cannot write the secret file: \(error.localizedDescription)")
        }
    }

    private func copyTree(_ source: URL, to target: URL) throws {
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: target)
        } catch {
            throw DispatchError.fileFailed(path: source.path, reason: "cannot copy it to \(target.path): \(error.localizedDescription)")
        }
    }
}
