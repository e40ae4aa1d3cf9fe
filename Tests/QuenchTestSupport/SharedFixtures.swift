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

    /// A fresh temporary folder (the caller removes it) holding copies of `files` of the fixture
    /// folder `fixture`, such as `tiny-llama`'s config.json and model.safetensors.
    public static func copy(_ files: [String], of fixture: String) throws -> URL {
        let folder = try TemporaryDirectory.create(fixture)
        for name in files {
            try FileManager.default.copyItem(at: url("\(fixture)/\(name)"), to: folder.appendingPathComponent(name))
        }
        return folder
    }
}
