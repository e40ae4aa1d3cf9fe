import Foundation
import QuenchFiles
import QuenchSecurity

/// huggingface_hub's cache layout for one repository, so Quench and Python tools share one cache:
/// `models--org--name/{blobs/<hash>, snapshots/<commit>/<path> -> ../../blobs/<hash>, refs/<rev>}`,
/// locks under `.locks/models--org--name/`. Quench adds `quench-manifests/<commit>.json`.
public struct CacheLayout: Sendable, Equatable {
    public let root: URL
    public let repo: RepositoryID

    public init(root: URL, repo: RepositoryID) {
        self.root = root
        self.repo = repo
    }

    public var repositoryDirectory: URL { root.appendingPathComponent(repo.cacheFolderName) }
    public func blob(_ hash: String) -> URL { repositoryDirectory.appendingPathComponent("blobs/\(hash)") }
    /// A partial download, kept per expected hash so a later run resumes it.
    public func incomplete(_ hash: String) -> URL { repositoryDirectory.appendingPathComponent("blobs/\(hash).incomplete") }
    public func lock(_ hash: String) -> URL { root.appendingPathComponent(".locks/\(repo.cacheFolderName)/\(hash).lock") }
    public func snapshot(_ commit: String) -> URL { repositoryDirectory.appendingPathComponent("snapshots/\(commit)") }
    public func ref(_ revision: String) -> URL { repositoryDirectory.appendingPathComponent("refs/\(revision)") }
    public func manifest(_ commit: String) -> URL { repositoryDirectory.appendingPathComponent("quench-manifests/\(commit).json") }

    /// Points `snapshots/<commit>/<path>` at `blobs/<hash>` with a relative link, replacing any old link atomically.
    public func link(path: String, commit: String, hash: String) throws {
        let link = snapshot(commit).appendingPathComponent(path)
        let depth = path.split(separator: "/").count + 1
        let target = String(repeating: "../", count: depth) + "blobs/\(hash)"
        try CacheFiles.createDirectory(link.deletingLastPathComponent())
        let temporary = link.deletingLastPathComponent().appendingPathComponent(".\(link.lastPathComponent).\(UUID().uuidString).link")
        guard symlink(target, temporary.path) == 0 else { throw CacheFiles.posixError(temporary) }
        guard rename(temporary.path, link.path) == 0 else {
            let error = CacheFiles.posixError(link)
            unlink(temporary.path)
            throw error
        }
    }

    /// Records that `revision` pointed at `commit` (what offline mode reads back).
    public func writeRef(_ revision: String, commit: String) throws {
        guard revision != commit else { return }
        try CacheFiles.writeAtomically(Data(commit.utf8), to: ref(revision))
    }

    /// The commit `revision` names in the cache: itself when it is a commit hash, else `refs/<revision>`.
    public func commit(for revision: String) -> String? {
        if HexDigest.isValid(revision, length: 40) { return revision }
        guard let text = try? String(contentsOf: ref(revision), encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return HexDigest.isValid(commit, length: 40) ? commit : nil
    }
}

/// File-system steps the cache needs: atomic writes, directories, locks.
enum CacheFiles {
    static func posixError(_ url: URL) -> HubError { .cacheIO(path: url.path, reason: String(cString: strerror(errno))) }

    static func createDirectory(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw HubError.cacheIO(path: url.path, reason: "cannot create the directory: \(FileErrorText.reason(error, path: url.path))")
        }
    }

    /// Writes `data` to `url` through `AtomicFile` (a temporary file beside it, synced, renamed into place).
    static func writeAtomically(_ data: Data, to url: URL) throws {
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(data, to: url)
        } catch {
            throw HubError.cacheIO(path: url.path, reason: error.reason)
        }
    }

    /// Runs `body` holding an exclusive `flock` on `url`, so two processes never write the same blob.
    static func withLock<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        try createDirectory(url.deletingLastPathComponent())
        let descriptor = open(url.path, O_CREAT | O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw posixError(url) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw posixError(url) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// The size of the file at `url`, or nil when it does not exist.
    static func size(of url: URL) -> Int64? {
        var info = stat()
        return stat(url.path, &info) == 0 ? Int64(info.st_size) : nil
    }
}
