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

    /// A folder under the runs folder that holds a state.json which cannot be read, and why.
    public struct Skipped: Sendable, Equatable {
        public let directory: String
        public let reason: String
    }

    /// Every run directory directly under `root`, newest first, and the folders left out because
    /// their state.json cannot be read (folders without one are not runs and are not listed).
    public static func list(under root: URL) -> (entries: [Entry], skipped: [Skipped]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return ([], []) }
        var entries: [Entry] = [], skipped: [Skipped] = []
        for name in names.sorted() {
            let url = root.appendingPathComponent(name)
            do {
                entries.append(entry(try RunState.load(from: url), url))
            } catch RunError.notARun {
                continue
            } catch {
                skipped.append(Skipped(directory: url.standardizedFileURL.path, reason: "\(error)"))
            }
        }
        return (entries.sorted { $0.createdAt > $1.createdAt }, skipped)
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
