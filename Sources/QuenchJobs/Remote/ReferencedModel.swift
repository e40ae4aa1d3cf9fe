import Foundation
import QuenchDispatch
import QuenchFiles
import QuenchHub
import QuenchSecurity

/// Models that travel as a `ModelReference` instead of files: made here from a verified snapshot, and
/// fetched on the training machine with that machine's own hub settings.
public enum ReferencedModel {
    /// How the fetched files appear in the model folder.
    public enum Placement: Sendable {
        /// Symbolic links into this machine's hub cache: for training on this machine alone.
        case linksIntoCache
        /// The files themselves, for ranks on other nodes that see the folder but not this machine's
        /// hub cache: hard links to the cached files when both are on one file system, else copies
        /// written beside the file and renamed once their bytes hash to the reference's sha256.
        case files
    }

    /// Fetches `reference` into this machine's hub cache, checks every file against the reference's
    /// sha256, and lays the referenced files, and only those, out in `folder` as `placement` says,
    /// and returns it: the snapshot folder may hold other files pulled earlier at that commit.
    ///
    /// Hub settings: `$QUENCH_HUB_CONFIG`, else configs/hub.yaml here, and the HF_* environment. A token
    /// sent with the job (`ModelReference.sentTokenVariable`) is used before this machine's own.
    public static func fetch(_ reference: ModelReference, into folder: URL, placing placement: Placement = .linksIntoCache,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             progress: @escaping @Sendable (String) -> Void) throws -> URL {
        var environment = environment
        if let sent = environment[ModelReference.sentTokenVariable], !sent.isEmpty {
            environment["HF_TOKEN"] = nil
            environment["HF_TOKEN_PATH"] = sent
        }
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile(environment: environment),
                                                      environment: environment)
        let snapshot = try HubFetch.downloader(configuration, progress: progress)
            .snapshotBlocking(repo: reference.repo, revision: reference.commit, pins: reference.files,
                              allowPatterns: reference.files.keys.sorted())
        let fetched = Dictionary(snapshot.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        try? FileManager.default.removeItem(at: folder)
        for (path, expected) in reference.files.sorted(by: { $0.key < $1.key }) {
            guard let found = fetched[path] else { throw DispatchError.missingFile(path: "\(reference.repo)/\(path)") }
            guard found == expected else {
                throw DispatchError.digestMismatch(path: "\(reference.repo)/\(path)", expected: expected, found: found)
            }
            try place(snapshot.directory.appendingPathComponent(path).resolvingSymlinksInPath(),
                      at: folder.appendingPathComponent(path), sha256: expected, as: placement)
        }
        return folder
    }

    /// Puts the cached file `cached`, whose sha256 is `expected`, at `destination` as `placement` says.
    static func place(_ cached: URL, at destination: URL, sha256 expected: String, as placement: Placement) throws {
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            switch placement {
            case .linksIntoCache:
                try FileManager.default.createSymbolicLink(at: destination, withDestinationURL: cached)
            case .files:
                // Another file system (EXDEV) or one without hard links: a copy instead.
                if link(cached.path, destination.path) != 0 { try copy(cached, to: destination, sha256: expected) }
            }
        } catch let error as DispatchError {
            throw error
        } catch {
            throw DispatchError.fileFailed(path: destination.path,
                                           reason: "cannot lay out the fetched model: \(FileErrorText.reason(error, path: destination.path))")
        }
    }

    /// Copies `source` to a temporary file beside `destination` and renames it into place once the
    /// bytes written hash to `expected`: a reader on any node sees the whole verified file or none.
    static func copy(_ source: URL, to destination: URL, sha256 expected: String) throws {
        let partial = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).partial")
        unlink(partial.path)
        defer { unlink(partial.path) }
        let found: String
        do {
            found = try FileDigest.sha256(copying: source, to: partial)
        } catch {
            throw DispatchError.fileFailed(path: destination.path, reason: "cannot copy the fetched model file: \(error)")
        }
        guard found == expected else { throw DispatchError.digestMismatch(path: source.path, expected: expected, found: found) }
        guard rename(partial.path, destination.path) == 0 else {
            throw DispatchError.fileFailed(path: destination.path, reason: "cannot move its copy into place: \(String(cString: strerror(errno)))")
        }
    }

    /// A reference to `repo` at `revision` from a snapshot verified on this machine (fetched unless it
    /// is cached), with this machine's hub settings; `include` chooses files as for `quench pull`.
    public static func make(repo: String, revision: String, include: [String]? = nil,
                            progress: @escaping @Sendable (String) -> Void) throws -> ModelReference {
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile())
        let snapshot = try HubFetch.downloader(configuration, progress: progress)
            .snapshotBlocking(repo: repo, revision: revision, allowPatterns: include)
        return try ModelReference(repo: snapshot.repo, commit: snapshot.commit,
                                  files: Dictionary(snapshot.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The fetch stage's hub snapshot as a reference: the commit and the sha256 of each file it verified.
    static func make(from fetch: FetchStage.Output) throws -> ModelReference {
        guard fetch.source == "hub", let repo = fetch.repo, let commit = fetch.commit else {
            throw RunError.unsupported("`compute.send_model: reference` needs a model from a hub (`model.hub`)")
        }
        let prefix = URL(fileURLWithPath: fetch.location).standardizedFileURL.path + "/"
        var files: [String: String] = [:]
        for file in fetch.files where file.path.hasPrefix(prefix) {
            files[String(file.path.dropFirst(prefix.count))] = file.sha256
        }
        guard files.count == fetch.files.count else {
            throw RunError.unsupported("the fetched files are not all inside the snapshot \(fetch.location); run the fetch stage again")
        }
        return try ModelReference(repo: repo, commit: commit, files: files)
    }
}
