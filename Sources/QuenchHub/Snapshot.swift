import Foundation

/// One verified file of a snapshot.
public struct SnapshotFile: Sendable, Equatable, Codable {
    /// The path inside the repository (and under `Snapshot.directory`).
    public let path: String
    public let size: Int64
    public let sha256: String
    /// The references the bytes were checked against: "hub LFS sha256", "hub git blob sha1", "pinned sha256", "manifest sha256".
    public let verifiedAgainst: [String]
    /// True when the blob was already in the cache (and re-hashed) rather than downloaded.
    public let reusedFromCache: Bool
}

/// A complete, verified snapshot of a repository at one commit, as laid out in the shared cache.
public struct Snapshot: Sendable, Equatable, Codable {
    public let repo: String
    /// The revision asked for (branch, tag or commit).
    public let revision: String
    /// The commit the revision resolved to; every file was fetched at it.
    public let commit: String
    /// `snapshots/<commit>`: the folder to load the model from.
    public let directory: URL
    /// `quench-manifests/<commit>.json`, which `quench verify-cache` re-hashes.
    public let manifest: URL
    public let files: [SnapshotFile]
    /// Listed files the policy refused (pickle, code).
    public let refused: [String]
    /// Things to know that are not errors, e.g. a config.json declaring remote code (`auto_map`).
    public let warnings: [String]
}

/// Progress of a snapshot download, reported from the download thread.
public struct DownloadProgress: Sendable, Equatable {
    public let file: String
    public let fileBytes: Int64
    public let fileSize: Int64
    /// Bytes of the whole snapshot done so far, and its total.
    public let totalBytes: Int64
    public let totalSize: Int64
    /// Seconds since the snapshot started, for rates and ETAs.
    public let elapsedSeconds: Double
}
