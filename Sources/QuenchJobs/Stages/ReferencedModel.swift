import Foundation
import QuenchDispatch
import QuenchHub

/// Models that travel as a `ModelReference` instead of files: made here from a verified snapshot, and
/// fetched on the training machine with that machine's own hub settings.
public enum ReferencedModel {
    /// Fetches `reference` into this machine's hub cache and returns the snapshot folder, once every
    /// file matches the reference's sha256 and no other file came with them.
    ///
    /// Hub settings: `$QUENCH_HUB_CONFIG`, else configs/hub.yaml here, and the HF_* environment. A token
    /// sent with the job (`ModelReference.sentTokenVariable`) is used before this machine's own.
    public static func fetch(_ reference: ModelReference,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             progress: @escaping @Sendable (String) -> Void) throws -> URL {
        var environment = environment
        if let sent = environment[ModelReference.sentTokenVariable], !sent.isEmpty {
            environment["HF_TOKEN"] = nil
            environment["HF_TOKEN_PATH"] = sent
        }
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile(environment: environment),
                                                      environment: environment)
        let snapshot = try downloader(configuration, progress: progress)
            .snapshotBlocking(repo: reference.repo, revision: reference.commit, pins: reference.files,
                              allowPatterns: reference.files.keys.sorted())
        let fetched = Dictionary(snapshot.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        for (path, expected) in reference.files.sorted(by: { $0.key < $1.key }) {
            guard let found = fetched[path] else { throw DispatchError.missingFile(path: "\(reference.repo)/\(path)") }
            guard found == expected else { throw DispatchError.digestMismatch(path: "\(reference.repo)/\(path)", expected: expected, found: found) }
        }
        if let extra = fetched.keys.sorted().first(where: { reference.files[$0] == nil }) {
            throw DispatchError.unlistedFile(path: "\(reference.repo)/\(extra)")
        }
        return snapshot.directory
    }

    /// A reference to `repo` at `revision` from a snapshot verified on this machine (fetched unless it
    /// is cached), with this machine's hub settings; `include` chooses files as for `quench pull`.
    public static func make(repo: String, revision: String, include: [String]? = nil,
                            progress: @escaping @Sendable (String) -> Void) throws -> ModelReference {
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile())
        let snapshot = try downloader(configuration, progress: progress)
            .snapshotBlocking(repo: repo, revision: revision, allowPatterns: include)
        return try ModelReference(repo: snapshot.repo, commit: snapshot.commit,
                                  files: Dictionary(uniqueKeysWithValues: snapshot.files.map { ($0.path, $0.sha256) }))
    }

    /// The fetch stage's hub snapshot as a reference: the commit and the sha256 of each file it verified.
    static func make(from fetch: FetchStage.Output) throws -> ModelReference {
        guard fetch.source == "hub", let repo = fetch.repo, let commit = fetch.commit else {
            throw RunError.unsupported("`compute.send_model: reference` needs a model from a hub (`model.hub`)")
        }
        let prefix = URL(fileURLWithPath: fetch.location).standardizedFileURL.path + "/"
        var files: [String: String] = [:]
        for file in fetch.files {
            guard file.path.hasPrefix(prefix) else {
                throw RunError.unsupported("internal: \(file.path) is outside the snapshot \(fetch.location)")
            }
            files[String(file.path.dropFirst(prefix.count))] = file.sha256
        }
        return try ModelReference(repo: repo, commit: commit, files: files)
    }

    /// The verified downloader, reporting each finished file.
    static func downloader(_ configuration: HubConfiguration,
                                   progress: @escaping @Sendable (String) -> Void) -> HubDownloader {
        HubDownloader(configuration: configuration) { update in
            if update.fileBytes == update.fileSize {
                progress("fetched \(update.file) (\(ByteCountFormatter.string(fromByteCount: update.fileSize, countStyle: .file)))")
            }
        }
    }
}
