import Foundation

/// One file of a snapshot as the listing describes it: where it lives, how big it is, which hashes it must have.
struct PlannedFile: Sendable, Equatable {
    let path: String
    let size: Int64
    /// The LFS sha256 from the listing (large files).
    let lfsSHA256: String?
    /// The git blob sha1 from the listing (small files kept in git).
    let gitSHA1: String?
    /// The sha256 pinned by the job spec.
    let pin: String?

    /// huggingface_hub names blobs by ETag: the sha256 for LFS files, the git blob sha1 otherwise.
    var blobName: String { lfsSHA256 ?? gitSHA1 ?? "" }
}

/// Downloads (or re-checks) one blob under its lock, resuming, verifying and renaming it into the cache.
struct FileFetcher {
    let client: HubClient
    let retry: RetryPolicy
    let layout: CacheLayout

    /// Makes `blobs/<hash>` hold `file`'s verified bytes; returns its sha256, what it was checked against,
    /// and whether it was already cached.
    func fetch(_ file: PlannedFile, commit: String, progress: @escaping (Int64) -> Void) throws -> SnapshotFile {
        try CacheFiles.withLock(layout.lock(file.blobName)) {
            let blob = layout.blob(file.blobName)
            if CacheFiles.size(of: blob) != nil {
                let cached = try StreamingDigest.of(file: blob, gitBlobSize: file.gitSHA1 == nil ? nil : file.size)
                if cached.bytes == file.size, let checks = try? verify(file, cached.digest) {
                    progress(file.size)
                    return SnapshotFile(path: file.path, size: file.size, sha256: cached.digest.finalize().sha256,
                                        verifiedAgainst: checks, reusedFromCache: true)
                }
                unlink(blob.path)  // a damaged cache entry: fetch it again
            }
            return try download(file, commit: commit, progress: progress)
        }
    }

    private func download(_ file: PlannedFile, commit: String, progress: @escaping (Int64) -> Void) throws -> SnapshotFile {
        let incomplete = layout.incomplete(file.blobName)
        try CacheFiles.createDirectory(incomplete.deletingLastPathComponent())
        guard let url = HubPaths.resolve(endpoint: client.endpoint, repo: layout.repo.id, commit: commit, file: file.path) else {
            throw HubError.unsafeFileName(name: file.path, reason: "it does not form a URL")
        }
        let writer = try BlobWriter(path: file.path, url: incomplete, expectedSize: file.size,
                                    gitBlob: file.gitSHA1 != nil, progress: progress)
        do {
            try retry.run { _ in
                let range = writer.rangeHeader()
                let result = try client.fetch(url, headers: range.map { [$0] } ?? [], what: "\(file.path) at \(commit)", into: writer)
                try checkHeaders(result.first, file: file, commit: commit)
                if result.final.status == 416, writer.written != file.size {
                    try writer.restart()
                    throw RetryableFailure(url: url.absoluteString, status: nil, retryAfter: 0,
                                           underlying: .malformedResponse(url: url.absoluteString, reason: "416 for a partial file"))
                }
                guard writer.written == file.size else {
                    throw RetryableFailure(url: url.absoluteString, status: nil, retryAfter: nil,
                                           underlying: .sizeMismatch(file: file.path, expected: file.size, actual: writer.written))
                }
            }
            let checks = try verify(file, writer.digest)
            try writer.sync()
            guard rename(incomplete.path, layout.blob(file.blobName).path) == 0 else { throw CacheFiles.posixError(incomplete) }
            return SnapshotFile(path: file.path, size: file.size, sha256: writer.digest.finalize().sha256,
                                verifiedAgainst: checks, reusedFromCache: false)
        } catch let error as HubError {
            switch error {
            case .hashMismatch, .sizeMismatch, .commitMismatch: unlink(incomplete.path)
            default: break  // keep the partial file: the next run resumes it
            }
            throw error
        }
    }

    /// The hub's first answer must name the commit asked for and the hash the listing gave.
    private func checkHeaders(_ head: HTTPResponseHead, file: PlannedFile, commit: String) throws {
        if let served = head.header("x-repo-commit")?.lowercased(), served != commit {
            throw HubError.commitMismatch(file: file.path, expected: commit, found: served)
        }
        let etag = HexDigest.unquote(head.header("x-linked-etag") ?? head.header("etag"))
        if let sha256 = file.lfsSHA256, let etag, HexDigest.isValid(etag, length: 64), etag != sha256 {
            throw HubError.hashMismatch(file: file.path, algorithm: "X-Linked-Etag", expected: sha256, actual: etag)
        }
        if let sha1 = file.gitSHA1, let etag, HexDigest.isValid(etag, length: 40), etag != sha1 {
            throw HubError.hashMismatch(file: file.path, algorithm: "ETag", expected: sha1, actual: etag)
        }
        if let linked = head.header("x-linked-size").flatMap({ Int64($0) }), file.lfsSHA256 != nil, linked != file.size {
            throw HubError.sizeMismatch(file: file.path, expected: file.size, actual: linked)
        }
    }

    /// Compares the computed hashes with the listing and the pin; returns what was checked.
    private func verify(_ file: PlannedFile, _ digest: StreamingDigest) throws -> [String] {
        let computed = digest.finalize()
        var checks: [String] = []
        if let expected = file.lfsSHA256 {
            guard computed.sha256 == expected else {
                throw HubError.hashMismatch(file: file.path, algorithm: "sha256", expected: expected, actual: computed.sha256)
            }
            checks.append("hub LFS sha256")
        }
        if let expected = file.gitSHA1, let actual = computed.gitSHA1 {
            guard actual == expected else {
                throw HubError.hashMismatch(file: file.path, algorithm: "git blob sha1", expected: expected, actual: actual)
            }
            checks.append("hub git blob sha1")
        }
        if let pin = file.pin {
            guard computed.sha256 == pin else {
                throw HubError.hashMismatch(file: file.path, algorithm: "pinned sha256", expected: pin, actual: computed.sha256)
            }
            checks.append("pinned sha256")
        }
        return checks
    }
}
