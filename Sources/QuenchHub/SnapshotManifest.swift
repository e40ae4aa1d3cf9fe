import Foundation
import QuenchFiles
import QuenchSecurity

/// The record of a snapshot's verified files (repo, commit, path, size, sha256, time), written once every
/// file is verified and re-hashed by `quench verify-cache`.
public struct SnapshotManifest: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public let path: String
        public let size: Int64
        public let sha256: String
        public let verifiedAt: Date
    }
    public let repo: String
    public let commit: String
    public var files: [Entry]

    /// Reads a manifest; a damaged one is an error naming it.
    public static func read(_ url: URL) throws -> SnapshotManifest {
        do {
            return try JSONFile.read(SnapshotManifest.self, from: url, limit: 64 << 20)
        } catch {
            throw HubError.manifestInvalid(path: url.path, reason: error.reason)
        }
    }

    /// Adds `files` to the manifest at `url` (a later pull with other patterns extends it), atomically.
    static func merge(_ files: [SnapshotFile], repo: String, commit: String, into url: URL, now: Date = Date()) throws {
        var manifest = (try? read(url)) ?? SnapshotManifest(repo: repo, commit: commit, files: [])
        let fresh = files.map { Entry(path: $0.path, size: $0.size, sha256: $0.sha256, verifiedAt: now) }
        let replaced = Set(fresh.map(\.path))
        manifest.files = (manifest.files.filter { !replaced.contains($0.path) } + fresh).sorted { $0.path < $1.path }
        do {
            try CacheFiles.writeAtomically(try JSONCoding.fileEncoder.encode(manifest), to: url)
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError.cacheIO(path: url.path, reason: FileErrorText.reason(error))
        }
    }
}
