import Foundation

/// The result of re-hashing every snapshot manifest in the cache.
public struct CacheVerification: Sendable, Equatable, Codable {
    /// One file's check: `ok`, `mismatch` (bytes changed) or `missing` (link or blob gone).
    public struct Entry: Sendable, Equatable, Codable {
        public let repo: String
        public let commit: String
        public let path: String
        public let status: String
        public let expectedSHA256: String
        public let actualSHA256: String?
    }
    public let cacheDirectory: String
    public let entries: [Entry]
    /// Manifests that could not be read, with the reason.
    public let unreadableManifests: [String]

    /// True when every file matched and every manifest was readable.
    public var passed: Bool { unreadableManifests.isEmpty && entries.allSatisfy { $0.status == "ok" } }
}

/// `quench verify-cache`: re-hashes the files every Quench manifest lists, through the snapshot links.
public enum CacheVerifier {
    /// Checks all repositories in `cacheDirectory`, or only `repo` (`org/name`) when given.
    public static func verify(cacheDirectory: URL, repo: String? = nil) throws -> CacheVerification {
        let folders: [String]
        if let repo {
            folders = [try RepositoryID(id: repo, revision: "main").cacheFolderName]
        } else {
            folders = ((try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory.path)) ?? [])
                .filter { $0.hasPrefix("models--") }.sorted()
        }
        var entries: [CacheVerification.Entry] = []
        var unreadable: [String] = []
        for folder in folders {
            let repository = cacheDirectory.appendingPathComponent(folder)
            let manifests = repository.appendingPathComponent("quench-manifests")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: manifests.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            for name in names {
                let manifest: SnapshotManifest
                do { manifest = try SnapshotManifest.read(manifests.appendingPathComponent(name)) } catch {
                    unreadable.append("\(error)")
                    continue
                }
                let snapshot = repository.appendingPathComponent("snapshots/\(manifest.commit)")
                for file in manifest.files {
                    let actual = FilePolicy.unsafeReason(file.path) == nil
                        ? try? StreamingDigest.of(file: snapshot.appendingPathComponent(file.path), gitBlobSize: nil).digest.finalize().sha256
                        : nil
                    let status = actual == nil ? "missing" : actual == file.sha256 ? "ok" : "mismatch"
                    entries.append(.init(repo: manifest.repo, commit: manifest.commit, path: file.path, status: status,
                                         expectedSHA256: file.sha256, actualSHA256: actual))
                }
            }
        }
        return CacheVerification(cacheDirectory: cacheDirectory.path, entries: entries, unreadableManifests: unreadable)
    }
}
