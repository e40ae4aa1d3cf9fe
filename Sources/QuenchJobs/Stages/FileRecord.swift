import Foundation
import QuenchSecurity

/// A file with its size and sha256, as stages record them for lineage and reports.
struct FileRecord: Codable, Sendable, Equatable {
    let path: String
    let size: Int
    let sha256: String

    /// Hashes the file at `url` (streamed), following a symbolic link.
    init(url: URL) throws {
        path = url.standardizedFileURL.path
        // The size of what the path names: a hub snapshot's files are links into its blob store.
        size = (try FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)[.size] as? Int) ?? 0
        sha256 = try FileDigest.sha256(of: url)
    }

    /// Every regular file under `directory` (recursively, sorted by path), hashed.
    static func all(in directory: URL) throws -> [FileRecord] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        var files: [FileRecord] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(try FileRecord(url: url))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Size and modification time: a cheap stand-in for the contents when deciding whether a stage's
    /// inputs changed (the verify stage hashes the contents themselves).
    static func stamp(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
        let size = (attributes[.size] as? Int) ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size)@\(modified)"
    }
}
