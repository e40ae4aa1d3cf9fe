import Foundation

/// The runs under a runs folder, newest first, for `quench runs list` and `show`.
public enum RunCatalog {
    /// One run as listed.
    public struct Entry: Codable, Sendable {
        public let directory: String
        public let job: String
        public let status: RunState.Status
        public let createdAt: Date
        public let updatedAt: Date
        /// The last stage that finished, failed or was running.
        public let lastStage: String?
        public let headline: String?

        enum CodingKeys: String, CodingKey {
            case directory, job, status, headline
            case createdAt = "created_at", updatedAt = "updated_at", lastStage = "last_stage"
        }
    }

    /// Every run directory directly under `root` (folders without a readable state.json are skipped).
    public static func list(under root: URL) -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.compactMap { name in
            let url = root.appendingPathComponent(name)
            guard let state = try? RunState.load(from: url) else { return nil }
            return entry(state, url)
        }.sorted { $0.createdAt > $1.createdAt }
    }

    /// The run in `directory`.
    public static func show(_ directory: URL) throws -> Entry { entry(try RunState.load(from: directory), directory) }

    private static func entry(_ state: RunState, _ url: URL) -> Entry {
        let headline = state.record(.report).map(\.summary)
        return Entry(directory: url.standardizedFileURL.path, job: state.job, status: state.observedStatus,
                     createdAt: state.createdAt, updatedAt: state.updatedAt,
                     lastStage: state.stages.last(where: { $0.name != .report })?.name.rawValue, headline: headline)
    }
}
