import Foundation

/// Writes files so a reader sees either the old content or the new, never half of it.
enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, then renames it into place.
    static func write(_ data: Data, to url: URL, permissions: Int = 0o644) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: permissions]) else {
                throw RegistryError.artifactsUnreadable(path: temporary.path, reason: "cannot create the file")
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw RegistryError.artifactsUnreadable(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
