import Foundation
import QuenchModel
import Testing

/// Where the reference fixtures and the real model live.
enum Fixtures {
    /// `../shared/fixtures` beside the repository (CI clones main with shared/ beside it).
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/QuenchModelTests/Fixtures.swift → repo
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// SmolLM2-135M-Instruct (GGUF) fetched by `make setup`; when absent, the calling test is
    /// cancelled, which the test report shows as skipped, never as passed.
    static func smolLM2() throws -> URL {
        guard FileManager.default.fileExists(atPath: DemoModel.url.path) else {
            try Test.cancel("SmolLM2-135M-Instruct is not at \(DemoModel.url.path); run `make setup` to fetch it")
        }
        return DemoModel.url
    }
}
