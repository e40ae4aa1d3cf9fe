import Foundation
import QuenchDispatch
import QuenchHub

/// Models that travel as a `ModelReference` instead of files: made here from a verified snapshot, and
/// fetched on the training machine with that machine's own hub settings.
public enum ReferencedModel {
    /// Fetches `reference` into this machine's hub cache, checks every file against the reference's
    /// sha256, and lays the referenced files, and only those, out in `folder` (links into the cache),
    /// which it returns: the snapshot folder may hold other files pulled earlier at that commit.
    ///
    /// Hub settings: `$QUENCH_HUB_CONFIG`, else configs/hub.yaml here, and the HF_* environment. A token
    /// sent with the job (`ModelReference.sentTokenVariable`) is used before this machine's own.
    public static func fetch(_ reference: ModelReference, into folder: URL,
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
            let link = folder.appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(
                    at: link, withDestinationURL: snapshot.directory.appendingPathComponent(path).resolvingSymlinksInPath())
            } catch {
                throw DispatchError.fileFailed(path: link.path, reason: "cannot lay out the fetched model: \(error.localizedDescription)")
            }
        }
        return folder
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
