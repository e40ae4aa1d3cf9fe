import Foundation

/// A fresh directory under the system's temporary directory, removed when the test is done.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("quench-governance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `lines` (joined by newlines) to `name` and returns its URL.
    @discardableResult
    func file(_ name: String, lines: [String]) throws -> URL {
        try file(name, bytes: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Writes `bytes` to `name` and returns its URL.
    @discardableResult
    func file(_ name: String, bytes: Data, permissions: Int = 0o644) throws -> URL {
        let url = url.appendingPathComponent(name)
        try bytes.write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: url.path)
        return url
    }

    func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
}
