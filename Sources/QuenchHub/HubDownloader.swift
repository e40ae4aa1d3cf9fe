import Foundation

/// The entry point for fetching models: resolves a revision to a commit once, fetches the files the
/// policy allows at that commit into the shared cache, verifies every byte, and writes the manifest.
public struct HubDownloader: Sendable {
    public let configuration: HubConfiguration
    public let transport: HTTPTransport
    public let progress: @Sendable (DownloadProgress) -> Void

    /// `transport` nil uses libcurl with the configuration's TLS and timeout settings.
    public init(configuration: HubConfiguration, transport: HTTPTransport? = nil,
                progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) {
        self.configuration = configuration
        self.transport = transport ?? CurlTransport(settings: configuration.curl)
        self.progress = progress
    }

    /// Fetches (or, offline, finds) `repo` at `revision`. `pins` maps paths to sha256 values from the job
    /// spec; `allowPatterns` (replacing the default file types) and `ignorePatterns` work as in huggingface_hub.
    /// Only a snapshot whose every file is verified is returned; anything else throws `HubError`.
    public func snapshot(repo: String, revision: String = "main", pins: [String: String] = [:],
                         allowPatterns: [String]? = nil, ignorePatterns: [String]? = nil) async throws -> Snapshot {
        try await BlockingWork.run { [self] in
            try snapshotBlocking(repo: repo, revision: revision, pins: pins, allowPatterns: allowPatterns,
                                 ignorePatterns: ignorePatterns)
        }
    }

    /// `snapshot` on the calling thread, for callers that are already off the cooperative pool (the
    /// job runner's stages run synchronously).
    public func snapshotBlocking(repo: String, revision: String = "main", pins: [String: String] = [:],
                                 allowPatterns: [String]? = nil, ignorePatterns: [String]? = nil) throws -> Snapshot {
        let repository = try RepositoryID(id: repo, revision: revision)
        let policy = FilePolicy(allowPatterns: allowPatterns, ignorePatterns: ignorePatterns)
        let pins = Dictionary(uniqueKeysWithValues: pins.map { ($0.key, $0.value.lowercased()) })
        return configuration.offline
            ? try offlineSnapshot(repository, pins: pins, policy: policy)
            : try onlineSnapshot(repository, pins: pins, policy: policy)
    }

    private func onlineSnapshot(_ repo: RepositoryID, pins: [String: String], policy: FilePolicy) throws -> Snapshot {
        let client = HubClient(transport: transport, endpoint: configuration.endpoint,
                               redirects: RedirectPolicy(allowList: configuration.allowedHosts),
                               token: try configuration.tokenSource.resolve()?.token)
        let listing = try fetchListing(repo, client: client)
        let plan = try SnapshotPlan(listing: listing, repo: repo.id, pins: pins, policy: policy,
                                    maxFileSize: configuration.maxFileSize)
        let layout = CacheLayout(root: configuration.cacheDirectory, repo: repo)
        let fetcher = FileFetcher(client: client, retry: configuration.retry, layout: layout)
        // Each size is at most the plan's cap, so the sum of a listing's files cannot overflow Int64.
        let totalSize = plan.files.reduce(Int64(0)) { $0 + $1.size }
        var done: Int64 = 0
        var files: [SnapshotFile] = []
        let start = Date()
        var lastReport = Date.distantPast
        for file in plan.files {
            let before = done
            let fetched = try fetcher.fetch(file, commit: plan.commit) { bytes in
                // At most ten reports a second (the write callback runs every few kilobytes), and always the last.
                let now = Date()
                guard bytes == file.size || now.timeIntervalSince(lastReport) >= 0.1 else { return }
                lastReport = now
                progress(DownloadProgress(file: file.path, fileBytes: bytes, fileSize: file.size, totalBytes: before + bytes,
                                          totalSize: totalSize, elapsedSeconds: now.timeIntervalSince(start)))
            }
            try layout.link(path: file.path, commit: plan.commit, hash: file.blobName)
            files.append(fetched)
            done += file.size
        }
        try layout.writeRef(repo.revision, commit: plan.commit)
        try SnapshotManifest.merge(files, repo: repo.id, commit: plan.commit, into: layout.manifest(plan.commit))
        return Snapshot(repo: repo.id, revision: repo.revision, commit: plan.commit, directory: layout.snapshot(plan.commit),
                        manifest: layout.manifest(plan.commit), files: files, refused: plan.refused,
                        warnings: RemoteCodeCheck.warnings(files: files, directory: layout.snapshot(plan.commit)))
    }

    /// `GET /api/models/{repo}/revision/{rev}?blobs=true`, retried on 429 and 5xx.
    private func fetchListing(_ repo: RepositoryID, client: HubClient) throws -> RevisionListing {
        guard let url = HubPaths.revision(endpoint: configuration.endpoint, repo: repo) else {
            throw HubError.invalidRepository(repo: repo.description, reason: "it does not form a URL")
        }
        let sink = try configuration.retry.run { _ in
            let sink = MemorySink(url: url)
            _ = try client.fetch(url, what: "repository \(repo.id) at revision \(repo.revision)", into: sink)
            return sink
        }
        do {
            return try JSONDecoder().decode(RevisionListing.self, from: sink.data)
        } catch {
            throw HubError.malformedResponse(url: url.absoluteString, reason: "the revision listing does not decode: \(error)")
        }
    }

    /// Offline: the revision's commit from `refs/`, the files from the manifest, every one re-hashed.
    private func offlineSnapshot(_ repo: RepositoryID, pins: [String: String], policy: FilePolicy) throws -> Snapshot {
        let layout = CacheLayout(root: configuration.cacheDirectory, repo: repo)
        guard let commit = layout.commit(for: repo.revision) else {
            throw HubError.offlineMissing(repo: repo.id, revision: repo.revision, what: "the ref")
        }
        let manifestURL = layout.manifest(commit)
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            throw HubError.offlineMissing(repo: repo.id, revision: repo.revision, what: "the Quench manifest of commit \(commit)")
        }
        let entries = try SnapshotManifest.read(manifestURL).files.filter { policy.decide($0.path) == .fetch }
        guard !entries.isEmpty else { throw HubError.nothingToFetch(repo: repo.id, refused: []) }
        if let missing = pins.keys.sorted().first(where: { pin in !entries.contains { $0.path == pin } }) {
            throw HubError.offlineMissing(repo: repo.id, revision: repo.revision, what: "the pinned file \(missing)")
        }
        let directory = layout.snapshot(commit)
        var files: [SnapshotFile] = []
        for entry in entries {
            let url = directory.appendingPathComponent(entry.path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw HubError.offlineMissing(repo: repo.id, revision: repo.revision, what: entry.path)
            }
            let actual = try StreamingDigest.of(file: url, gitBlobSize: nil).digest.finalize().sha256
            guard actual == entry.sha256 else {
                throw HubError.hashMismatch(file: entry.path, algorithm: "manifest sha256", expected: entry.sha256, actual: actual)
            }
            var checks = ["manifest sha256"]
            if let pin = pins[entry.path] {
                guard pin == actual else { throw HubError.hashMismatch(file: entry.path, algorithm: "pinned sha256", expected: pin, actual: actual) }
                checks.append("pinned sha256")
            }
            files.append(SnapshotFile(path: entry.path, size: entry.size, sha256: actual, verifiedAgainst: checks, reusedFromCache: true))
        }
        return Snapshot(repo: repo.id, revision: repo.revision, commit: commit, directory: directory, manifest: manifestURL,
                        files: files, refused: [], warnings: RemoteCodeCheck.warnings(files: files, directory: directory))
    }
}

/// Runs blocking work (libcurl, hashing, sleeping between retries) on its own thread, off Swift's
/// cooperative pool.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
