import Foundation
import QuenchHub

/// The fetch stage's hub source: the shared Hugging Face cache through Quench's verified downloader,
/// configured by `$QUENCH_HUB_CONFIG` or configs/hub.yaml (when present in the current folder) and the
/// HF_* environment.
enum HubFetch {
    static func snapshot(repo: String, revision: String, pins: [String: String], include: [String]?,
                         events: @escaping RunEvents) throws -> FetchStage.Output {
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile())
        let snapshot = try downloader(configuration) { events(.message($0)) }
            .snapshotBlocking(repo: repo, revision: revision, pins: pins, allowPatterns: include)
        for warning in snapshot.warnings { events(.message("warning: \(warning)")) }
        let files = try snapshot.files.map { try FileRecord(url: snapshot.directory.appendingPathComponent($0.path)) }
        return FetchStage.Output(source: "hub", repo: snapshot.repo, revision: snapshot.revision, commit: snapshot.commit,
                                 location: snapshot.directory.path, files: files)
    }

    /// The verified downloader, reporting each finished file.
    static func downloader(_ configuration: HubConfiguration, progress: @escaping @Sendable (String) -> Void) -> HubDownloader {
        HubDownloader(configuration: configuration) { update in
            if update.fileBytes == update.fileSize {
                progress("fetched \(update.file) (\(ByteCountFormatter.string(fromByteCount: update.fileSize, countStyle: .file)))")
            }
        }
    }
}
