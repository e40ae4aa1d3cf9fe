import Foundation

/// The folder of one run, `runs/<job>-<UTC time>/`, and where each stage writes.
public struct RunDirectory: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url.standardizedFileURL }

    public var path: String { url.path }
    var state: URL { url.appendingPathComponent("state.json") }
    /// The stored output of `stage`, read back when the stage is skipped on a re-run.
    func result(_ stage: StageName) -> URL { url.appendingPathComponent("stages/\(stage.rawValue).json") }
    var training: URL { url.appendingPathComponent(StageName.train.rawValue) }
    var evaluation: URL { url.appendingPathComponent("evaluation") }
    var artifacts: URL { url.appendingPathComponent("artifacts") }
    var reportJSON: URL { url.appendingPathComponent("report.json") }
    var reportMarkdown: URL { url.appendingPathComponent("report.md") }
    var reportHTML: URL { url.appendingPathComponent("report.html") }
    var specCopy: URL { url.appendingPathComponent("job.yaml") }

    /// A new, empty run folder under `root` named after the job and the current UTC time (to the
    /// second, with a counter if two runs start within one second).
    static func create(job: String, under root: URL, now: Date = Date()) throws -> RunDirectory {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stamp = formatter.string(from: now)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for attempt in 0..<100 {
            let name = attempt == 0 ? "\(job)-\(stamp)" : "\(job)-\(stamp)-\(attempt)"
            let url = root.appendingPathComponent(name)
            if mkdir(url.path, 0o755) == 0 { return RunDirectory(url: url) }
            guard errno == EEXIST else {
                throw RunError.unsupported("cannot create run directory \(url.path): \(String(cString: strerror(errno)))")
            }
        }
        throw RunError.unsupported("cannot create a run directory for \(job) under \(root.path): 100 names taken")
    }
}
