import Foundation

/// The repository checkout and the reference fixtures in `../shared/fixtures` beside it (CI clones
/// main with shared/ beside it; the fixtures' README says how each file was made).
public enum SharedFixtures {
    /// The repository root: this file is Tests/QuenchTestSupport/SharedFixtures.swift.
    public static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared/fixtures` beside the repository.
    public static let directory = repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    /// A fixture by its path under `../shared/fixtures`, such as `tiny-llama/config.json`.
    public static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }
}
