import Foundation

/// A fresh directory under the system's temporary directory, removed when the last reference goes.
public final class TemporaryDirectory {
    /// The directory itself.
    public let url: URL

    /// Creates `quench-<label>-<8 random hex digits>` (short, so Unix socket paths inside it fit).
    public init(_ label: String = "test") throws {
        url = try Self.create(label)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Creates a fresh directory named like `init`'s and returns it; the caller removes it.
    public static func create(_ label: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quench-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `lines` (joined by newlines, with a final one) to `name` and returns its URL.
    @discardableResult
    public func file(_ name: String, lines: [String]) throws -> URL {
        try file(name, bytes: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Writes `bytes` to `name` with `permissions` and returns its URL.
    @discardableResult
    public func file(_ name: String, bytes: Data, permissions: Int = 0o644) throws -> URL {
        let url = url.appendingPathComponent(name)
        try bytes.write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: url.path)
        return url
    }

    /// The UTF-8 text of `url`.
    public func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
}
