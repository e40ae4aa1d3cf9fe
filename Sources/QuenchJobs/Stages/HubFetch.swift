import Foundation
import QuenchHub

/// The fetch stage's hub source: the shared Hugging Face cache through Quench's verified downloader,
/// configured by configs/hub.yaml (when present in the current folder) and the HF_* environment.
enum HubFetch {
    static func snapshot(repo: String, revision: String, pins: [String: String], include: [String]?,
                         events: @escaping RunEvents) throws -> FetchStage.Output {
        let local = URL(fileURLWithPath: "configs/hub.yaml")
        let configuration = try HubConfiguration.load(from: FileManager.default.fileExists(atPath: local.path) ? local : nil)
        let downloader = HubDownloader(configuration: configuration) { update in
            if update.fileBytes == update.fileSize {
                events(.message("fetched \(update.file) (\(ByteCountFormatter.string(fromByteCount: update.fileSize, countStyle: .file)))"))
            }
        }
        let snapshot = try downloader.snapshotBlocking(repo: repo, revision: revision, pins: pins, allowPatterns: include)
        for warning in snapshot.warnings { events(.message("warning: \(warning)")) }
        let files = try snapshot.files.map { try FileRecord(url: snapshot.directory.appendingPathComponent($0.path)) }
        return FetchStage.Output(source: "hub", repo: snapshot.repo, revision: snapshot.revision, commit: snapshot.commit,
                                 location: snapshot.directory.path, files: files)
    }
}
